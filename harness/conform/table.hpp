// The test x allocator table of allocscope conform: what was run, how each
// cell came out, which tests apply (those glibc itself passes), and its
// JSON, Markdown and terminal forms.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "harness/conform/catalog.hpp"
#include "harness/conform/outcome.hpp"

namespace allocscope::conform {

struct AllocatorInfo {
  std::string name, version, preload;  // preload empty: the system allocator (glibc)
};

struct Table {
  std::vector<TestEntry> tests;                                  // every test found, runnable or skipped
  std::vector<AllocatorInfo> allocators;                         // glibc first: it is the reference
  std::map<std::pair<std::string, std::string>, Outcome> cells;  // (test, allocator)

  const Outcome* cell(const std::string& test, const std::string& allocator) const;
  // Runnable and passed by glibc; the others are "not applicable".
  bool applicable(const std::string& test) const;
  // What the cell shows: the status, "n/a" for a test glibc fails,
  // "skipped" for a skipped test, "-" when not run.
  std::string shown(const std::string& test, const std::string& allocator) const;
};

// results-style document: schema allocscope.conform/1 (see docs/conformance.md).
nlohmann::ordered_json to_json(const Table& t, nlohmann::ordered_json context);
// Parses what to_json wrote (the tests use it); throws on a bad document.
Table table_from_json(const nlohmann::ordered_json& doc);

std::string to_markdown(const Table& t);
std::string to_text(const Table& t);

}  // namespace allocscope::conform
