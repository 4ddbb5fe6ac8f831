// The misuse matrix as JSON, Markdown and terminal text.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harness/conform/misuse_matrix.hpp"

namespace allocscope::conform {

using json = nlohmann::ordered_json;

namespace {

char letter(const std::string& outcome) {
  if (outcome == "caught") return 'C';
  if (outcome == "late") return 'L';
  if (outcome == "crashed") return 'X';
  if (outcome == "timeout") return 'T';
  if (outcome == "not-caught") return '-';
  return '?';
}

// Cells caught at the misuse or late, of all cells run, per allocator.
std::string score(const MisuseMatrix& m, const std::string& allocator) {
  int caught = 0, total = 0;
  for (const auto& [key, cell] : m.cells) {
    if (std::get<2>(key) != allocator) continue;
    ++total;
    caught += cell.outcome == "caught" || cell.outcome == "late";
  }
  return fmt::format("{}/{}", caught, total);
}

}  // namespace

const MisuseCell* MisuseMatrix::cell(const std::string& c, const std::string& size,
                                     const std::string& allocator) const {
  auto it = cells.find({c, size, allocator});
  return it == cells.end() ? nullptr : &it->second;
}

std::string misuse_letters(const MisuseMatrix& m, const std::string& c, const std::string& allocator) {
  std::string out;
  for (const auto& size : m.sizes) {
    const MisuseCell* cell = m.cell(c, size, allocator);
    out += cell ? letter(cell->outcome) : ' ';
  }
  return out;
}

json misuse_to_json(const MisuseMatrix& m, json context) {
  json allocs = json::object();
  for (const auto& a : m.allocators) allocs[a.name] = {{"version", a.version}, {"path", a.preload}};
  context["allocators"] = allocs;
  context["sizes"] = m.sizes;
  json cases = json::array();
  for (const auto& c : m.cases) cases.push_back({{"name", c.name}, {"group", c.group}, {"doc", c.doc}});
  json runs = json::array();
  for (const auto& [key, cell] : m.cells)
    runs.push_back({{"case", std::get<0>(key)},
                    {"size", std::get<1>(key)},
                    {"allocator", std::get<2>(key)},
                    {"outcome", cell.outcome},
                    {"detail", cell.detail},
                    {"message", cell.message}});
  return {{"schema", "allocscope.misuse/1"}, {"context", context}, {"cases", cases}, {"runs", runs}};
}

MisuseMatrix misuse_from_json(const json& doc) {
  if (doc.value("schema", "") != "allocscope.misuse/1")
    throw std::runtime_error("not an allocscope misuse matrix (schema allocscope.misuse/1)");
  MisuseMatrix m;
  for (const auto& [name, a] : doc.at("context").at("allocators").items())
    m.allocators.push_back({name, a.value("version", ""), a.value("path", "")});
  for (const auto& s : doc.at("context").at("sizes")) m.sizes.push_back(s);
  for (const auto& c : doc.at("cases")) m.cases.push_back({c.at("name"), c.value("group", ""), c.value("doc", "")});
  for (const auto& r : doc.at("runs"))
    m.cells[{r.at("case"), r.at("size"), r.at("allocator")}] = {r.at("outcome"), r.value("detail", ""),
                                                                r.value("message", "")};
  return m;
}

std::string misuse_to_markdown(const MisuseMatrix& m) {
  std::string out = "| case (" + fmt::format("{}", fmt::join(m.sizes, ", ")) + ") |", rule = "|---|";
  for (const auto& a : m.allocators) out += " " + a.name + " |", rule += "---|";
  out += "\n" + rule + "\n";
  for (const auto& c : m.cases) {
    std::string row = "| " + c.name + " |";
    for (const auto& a : m.allocators) row += " `" + misuse_letters(m, c.name, a.name) + "` |";
    out += row + "\n";
  }
  std::string total = "| **caught or late** |";
  for (const auto& a : m.allocators) total += " " + score(m, a.name) + " |";
  out += total + "\n\nC caught at the misuse, L caught later, X crashed, T timed out, - not caught.\n";
  return out;
}

std::string misuse_to_text(const MisuseMatrix& m) {
  std::string head = fmt::format("{:<24}", "case");
  for (const auto& a : m.allocators) head += fmt::format(" {:<10}", a.name);
  std::string out = head + "\n" + std::string(head.size(), '-') + "\n";
  for (const auto& c : m.cases) {
    std::string row = fmt::format("{:<24}", c.name);
    for (const auto& a : m.allocators) row += fmt::format(" {:<10}", misuse_letters(m, c.name, a.name));
    out += row + "\n";
  }
  std::string total = fmt::format("{:<24}", "caught or late");
  for (const auto& a : m.allocators) total += fmt::format(" {:<10}", score(m, a.name));
  out += total + "\n" +
         fmt::format("letters per size ({}): C caught at the misuse, L later, X crashed, T timeout, - not caught\n",
                     fmt::join(m.sizes, ", "));
  return out;
}

}  // namespace allocscope::conform
