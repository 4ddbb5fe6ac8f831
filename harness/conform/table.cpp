#include "harness/conform/table.hpp"

#include <fmt/format.h>

namespace allocscope::conform {

using json = nlohmann::ordered_json;

const Outcome* Table::cell(const std::string& test, const std::string& allocator) const {
  auto it = cells.find({test, allocator});
  return it == cells.end() ? nullptr : &it->second;
}

bool Table::applicable(const std::string& test) const {
  const Outcome* g = cell(test, "glibc");
  return g && g->status == "pass";
}

std::string Table::shown(const std::string& test, const std::string& allocator) const {
  for (const auto& t : tests)
    if (t.name == test && !t.skip_reason.empty()) return "skipped";
  const Outcome* o = cell(test, allocator);
  if (!o) return "-";
  if (o->status == "build-error") return "build-error";
  if (!applicable(test)) return allocator == "glibc" ? o->status + " (n/a)" : "n/a";
  return o->status;
}

json to_json(const Table& t, json context) {
  json allocs = json::object();
  for (const auto& a : t.allocators) allocs[a.name] = {{"version", a.version}, {"path", a.preload}};
  context["allocators"] = allocs;
  json tests = json::array();
  for (const auto& e : t.tests) {
    json j{{"name", e.name}};
    if (!e.skip_reason.empty()) {
      j["skipped"] = e.skip_reason;
    } else {
      j["applicable"] = t.applicable(e.name);
    }
    tests.push_back(j);
  }
  json runs = json::array();
  for (const auto& [key, o] : t.cells) {
    runs.push_back({{"test", key.first},
                    {"allocator", key.second},
                    {"status", o.status},
                    {"shown", t.shown(key.first, key.second)},
                    {"message", o.message},
                    {"exit", {{"code", o.exit_code}, {"signal", o.signal}}},
                    {"wall_s", o.seconds}});
    if (!o.log.empty()) runs.back()["log"] = o.log;
  }
  return {{"schema", "allocscope.conform/1"}, {"context", context}, {"tests", tests}, {"runs", runs}};
}

Table table_from_json(const json& doc) {
  if (doc.value("schema", "") != "allocscope.conform/1")
    throw std::runtime_error("not an allocscope conform result (schema allocscope.conform/1)");
  Table t;
  for (const auto& [name, a] : doc.at("context").at("allocators").items())
    t.allocators.push_back({name, a.value("version", ""), a.value("path", "")});
  for (const auto& e : doc.at("tests")) t.tests.push_back({e.at("name"), e.value("skipped", "")});
  for (const auto& r : doc.at("runs")) {
    Outcome o;
    o.status = r.at("status");
    o.message = r.value("message", "");
    o.exit_code = r.at("exit").value("code", -1);
    o.signal = r.at("exit").value("signal", 0);
    o.seconds = r.value("wall_s", 0.0);
    o.log = r.value("log", "");
    t.cells[{r.at("test"), r.at("allocator")}] = o;
  }
  return t;
}

namespace {

// Every message of a cell that is not a pass, once per test and allocator.
std::vector<std::string> notes(const Table& t) {
  std::vector<std::string> out;
  for (const auto& e : t.tests)
    for (const auto& a : t.allocators) {
      const Outcome* o = t.cell(e.name, a.name);
      if (o && o->status != "pass" && !o->message.empty() && (t.applicable(e.name) || a.name == "glibc"))
        out.push_back(fmt::format("{} under {}: {}{}", e.name, a.name, o->message,
                                  o->log.empty() ? "" : " (output: " + o->log + ")"));
    }
  return out;
}

std::string escape_md(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\";
    out += c;
  }
  return out;
}

// Whether the test ran at all (a run may select a few tests).
bool ran(const Table& t, const std::string& test) {
  for (const auto& a : t.allocators)
    if (t.cell(test, a.name)) return true;
  return false;
}

int passes(const Table& t, const std::string& allocator, int* applicable) {
  int n = 0;
  *applicable = 0;
  for (const auto& e : t.tests) {
    if (!e.skip_reason.empty() || !t.applicable(e.name)) continue;
    ++*applicable;
    const Outcome* o = t.cell(e.name, allocator);
    n += o && o->status == "pass";
  }
  return n;
}

}  // namespace

std::string to_markdown(const Table& t) {
  std::string head = "| test |", rule = "|---|";
  for (const auto& a : t.allocators) head += " " + a.name + " |", rule += "---|";
  std::string out = head + "\n" + rule + "\n";
  for (const auto& e : t.tests) {
    if (!e.skip_reason.empty() || !ran(t, e.name)) continue;
    std::string row = "| " + e.name + " |";
    for (const auto& a : t.allocators) row += " " + t.shown(e.name, a.name) + " |";
    out += row + "\n";
  }
  std::string total = "| **passed (of applicable)** |";
  for (const auto& a : t.allocators) {
    int applicable = 0, n = passes(t, a.name, &applicable);
    total += fmt::format(" {}/{} |", n, applicable);
  }
  out += total + "\n";
  auto ns = notes(t);
  if (!ns.empty()) {
    out += "\nMessages:\n\n";
    for (const auto& n : ns) out += "- " + escape_md(n) + "\n";
  }
  out += "\nSkipped (need glibc internals):\n\n";
  for (const auto& e : t.tests)
    if (!e.skip_reason.empty()) out += "- " + e.name + ": " + e.skip_reason + "\n";
  return out;
}

std::string to_text(const Table& t) {
  size_t width = 10;
  for (const auto& e : t.tests)
    if (e.skip_reason.empty()) width = std::max(width, e.name.size());
  std::string head = fmt::format("{:<{}}", "test", width);
  for (const auto& a : t.allocators) head += fmt::format("  {:<11}", a.name);
  std::string out = head + "\n" + std::string(head.size(), '-') + "\n";
  for (const auto& e : t.tests) {
    if (!e.skip_reason.empty() || !ran(t, e.name)) continue;
    std::string row = fmt::format("{:<{}}", e.name, width);
    for (const auto& a : t.allocators) row += fmt::format("  {:<11}", t.shown(e.name, a.name));
    out += row + "\n";
  }
  std::string total = fmt::format("{:<{}}", "passed", width);
  for (const auto& a : t.allocators) {
    int applicable = 0, n = passes(t, a.name, &applicable);
    total += fmt::format("  {:<11}", fmt::format("{}/{}", n, applicable));
  }
  out += total + "\n";
  for (const auto& n : notes(t)) out += "  " + n + "\n";
  int skipped = 0;
  for (const auto& e : t.tests) skipped += !e.skip_reason.empty();
  out += fmt::format("{} tests skipped (need glibc internals; see --list)\n", skipped);
  return out;
}

}  // namespace allocscope::conform
