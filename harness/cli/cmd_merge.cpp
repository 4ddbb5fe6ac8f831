// allocscope merge A.json B.json ... -o OUT.json [--force]: combines the
// results of shards (or separate runs) of one suite into one results file.
// Refuses runs whose contexts make them incomparable unless --force.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "commands.hpp"
#include "input_error.hpp"
#include "results/results_io.hpp"

namespace allocscope {

namespace {

const char* kMergeUsage =
    "usage: allocscope merge A.json B.json ... -o OUT.json [--force]\n\n"
    "Combines results.json files of shards of one run (allocscope run --shard I/N)\n"
    "into one. Runs are refused when their contexts differ in suite, seed, reps,\n"
    "job matrix, git revision, allocscope version or allocators (names and\n"
    "versions; library paths may differ between machines), or when\n"
    "the same job appears twice; --force merges anyway (the first copy of a\n"
    "duplicated job is kept). The merged context lists every input's host and shard.\n"
    "Exit status: 0 merged, 2 bad input or incomparable runs.\n";

// Context fields that must agree for results to be comparable.
const char* kMustMatch[] = {"suite", "seed", "reps", "jobs", "git_revision", "allocscope_version", "allocators"};

std::string show(const json& v) {
  return v.is_null() ? "(absent)" : v.dump();
}

// What must match of a context field: allocators by name and version only
// (library paths differ between machines).
json comparable(const json& ctx, const char* key) {
  if (!ctx.contains(key)) return json();
  const json& v = ctx[key];
  if (std::string(key) != "allocators" || !v.is_object()) return v;
  json out = json::object();
  for (const auto& [name, a] : v.items()) out[name] = a.is_object() && a.contains("version") ? a["version"] : a;
  return out;
}

}  // namespace

int cmd_merge(const std::vector<std::string>& args) {
  std::vector<std::string> inputs;
  std::string out;
  bool force = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kMergeUsage, stdout);
      return 0;
    } else if (a == "--force") {
      force = true;
    } else if (a == "-o" || a == "--out") {
      if (i + 1 >= args.size()) throw InputError(a + " needs a file name (-o OUT.json)");
      out = args[++i];
    } else if (a.rfind("--out=", 0) == 0) {
      out = a.substr(6);
    } else if (a.size() > 1 && a[0] == '-') {
      throw InputError(fmt::format("unknown option '{}' (see 'allocscope merge --help')", a));
    } else {
      inputs.push_back(a);
    }
  }
  if (inputs.empty()) throw InputError("no results files given (allocscope merge A.json B.json ... -o OUT.json)");
  if (out.empty()) throw InputError("no output file: add -o OUT.json");

  std::vector<json> docs;
  for (const auto& path : inputs) docs.push_back(load_results(path));

  const json& base =
      docs[0].contains("context") && docs[0]["context"].is_object() ? docs[0]["context"] : json::object();
  std::vector<std::string> problems;
  for (size_t d = 1; d < docs.size(); ++d) {
    const json ctx =
        docs[d].contains("context") && docs[d]["context"].is_object() ? docs[d]["context"] : json::object();
    for (const char* k : kMustMatch) {
      json a = comparable(base, k), b = comparable(ctx, k);
      if (a != b)
        problems.push_back(fmt::format("{} has {} = {} but {} has {}", inputs[d], k, show(b), inputs[0], show(a)));
    }
  }
  // Jobs are identified by their index in the full matrix (or, for results
  // without one, by allocator|workload|params|threads|round).
  auto job_id = [](const json& r) {
    if (r.contains("index") && r["index"].is_number_unsigned()) return "#" + std::to_string(r["index"].get<uint64_t>());
    std::string id = r.value("allocator", "") + "|" + r.value("workload", "");
    if (r.contains("params")) id += "|" + r["params"].dump();
    return id + "|t" + std::to_string(r.value("threads", 0)) + "|r" + std::to_string(r.value("round", 0));
  };
  std::map<std::string, std::string> seen;  // job id -> file
  std::vector<json> runs;
  json sources = json::array();
  for (size_t d = 0; d < docs.size(); ++d) {
    size_t kept = 0;
    for (const auto& r : docs[d]["runs"]) {
      std::string id = job_id(r);
      auto [it, fresh] = seen.emplace(id, inputs[d]);
      if (!fresh) {
        problems.push_back(fmt::format("job {} ({} {}) is in both {} and {}", id, r.value("allocator", ""),
                                       r.value("workload", ""), it->second, inputs[d]));
        continue;
      }
      runs.push_back(r);
      ++kept;
    }
    const json ctx =
        docs[d].contains("context") && docs[d]["context"].is_object() ? docs[d]["context"] : json::object();
    json src{{"file", inputs[d]}, {"host", ctx.value("host", "")}, {"runs", kept}};
    if (ctx.contains("shard")) src["shard"] = ctx["shard"];
    sources.push_back(src);
  }
  if (!problems.empty() && !force) {
    std::string msg = "refusing to merge incomparable results (use --force to merge anyway):";
    for (size_t i = 0; i < problems.size() && i < 20; ++i) msg += "\n  " + problems[i];
    if (problems.size() > 20) msg += fmt::format("\n  ... and {} more", problems.size() - 20);
    throw InputError(msg);
  }
  auto index_of = [](const json& r) {
    return r.contains("index") && r["index"].is_number_unsigned() ? r["index"].get<uint64_t>() : UINT64_MAX;
  };
  std::stable_sort(runs.begin(), runs.end(), [&](const json& a, const json& b) { return index_of(a) < index_of(b); });
  json ctx = base;
  ctx.erase("shard");
  ctx["merged_from"] = sources;
  if (force && !problems.empty()) ctx["merge_forced"] = problems;
  json doc;
  doc["schema"] = kResultsSchema;
  doc["context"] = ctx;
  doc["runs"] = runs;
  try {
    write_file_atomic(out, doc.dump(1) + "\n");
  } catch (const std::runtime_error& e) {
    throw InputError(fmt::format("-o {}: {}", out, e.what()));
  }
  size_t expected = base.value("jobs", size_t{0});
  std::fprintf(stderr, "allocscope merge: %zu runs from %zu files -> %s%s\n", runs.size(), docs.size(), out.c_str(),
               expected && runs.size() < expected
                   ? fmt::format(" ({} of {} jobs of the matrix)", runs.size(), expected).c_str()
                   : "");
  return 0;
}

}  // namespace allocscope
