#include <fmt/format.h>

#include "harness/report/report_model.hpp"

namespace allocscope {

namespace {
std::string cell(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}
}  // namespace

std::string MarkdownReport::render(const ReportModel& m, const std::string& charts_dir) {
  std::string out = fmt::format("# {}\n\nReference allocator: **{}**.\n\n", m.title, m.reference);
  out += "| | |\n|---|---|\n";
  for (const auto& [k, v] : m.context) out += fmt::format("| {} | {} |\n", cell(k), cell(v));
  out += "\n";
  for (const auto& s : m.sections) {
    out += fmt::format("## {}\n\n", s.title);
    if (!s.text.empty()) out += s.text + "\n\n";
    for (const auto& t : s.tables) {
      out += "|";
      for (const auto& h : t.header) out += " " + cell(h) + " |";
      out += "\n|";
      for (size_t i = 0; i < t.header.size(); ++i) out += i ? "--:|" : "---|";
      out += "\n";
      for (const auto& r : t.rows) {
        out += "|";
        for (const auto& c : r) out += " " + cell(c) + " |";
        out += "\n";
      }
      out += "\n";
    }
    for (const auto& [file, caption] : s.images) out += fmt::format("![{}]({}/{})\n\n", caption, charts_dir, file);
  }
  return out;
}

}  // namespace allocscope
