// allocscope merge A.json B.json ... -o OUT.json [--force]: combines the
// results of shards (or separate runs) of one suite into one results file.
// Refuses runs whose contexts make them incomparable unless --force.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>

#include "common/input_error.hpp"
#include "harness/cli/commands.hpp"
#include "harness/report/console.hpp"
#include "harness/results/results_io.hpp"

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

struct MergeArgs {
  std::vector<std::string> inputs;
  std::string out;
  bool force = false;
  bool help = false;
};

MergeArgs parse_merge_args(const std::vector<std::string>& args) {
  MergeArgs m;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      m.help = true;
      return m;
    } else if (a == "--force") {
      m.force = true;
    } else if (a == "-o" || a == "--out") {
      if (i + 1 >= args.size()) throw InputError(a + " needs a file name (-o OUT.json)");
      m.out = args[++i];
    } else if (a.rfind("--out=", 0) == 0) {
      m.out = a.substr(6);
    } else if (a.size() > 1 && a[0] == '-') {
      throw InputError(fmt::format("unknown option '{}' (see 'allocscope merge --help')", a));
    } else {
      m.inputs.push_back(a);
    }
  }
  if (m.inputs.empty()) throw InputError("no results files given (allocscope merge A.json B.json ... -o OUT.json)");
  if (m.out.empty()) throw InputError("no output file: add -o OUT.json");
  return m;
}

// Where the contexts of the inputs disagree with the first one's.
std::vector<std::string> context_differences(const std::vector<Results>& docs, const std::vector<std::string>& inputs) {
  std::vector<std::string> problems;
  const json& base = docs[0].context;
  for (size_t d = 1; d < docs.size(); ++d)
    for (const char* k : kMustMatch) {
      json a = comparable(base, k), b = comparable(docs[d].context, k);
      if (a != b)
        problems.push_back(fmt::format("{} has {} = {} but {} has {}", inputs[d], k, show(b), inputs[0], show(a)));
    }
  return problems;
}

// Every record once, in matrix order, with the first input's context and
// the list of sources. A job found twice is a problem (the first copy is
// kept). Jobs are identified by their index in the full matrix (or, for
// results without one, by allocator|workload|params|threads|round).
Results merge_runs(std::vector<Results>& docs, const std::vector<std::string>& inputs,
                   std::vector<std::string>& problems) {
  std::map<std::string, std::string> seen;  // job id -> file
  Results merged;
  merged.context = docs[0].context;
  json sources = json::array();
  for (size_t d = 0; d < docs.size(); ++d) {
    size_t kept = 0;
    for (auto& r : docs[d].runs) {
      std::string id =
          r.job.index ? "#" + std::to_string(*r.job.index) : r.job.cell_key(true) + "|r" + std::to_string(r.job.round);
      auto [it, fresh] = seen.emplace(id, inputs[d]);
      if (!fresh) {
        problems.push_back(fmt::format("job {} ({} {}) is in both {} and {}", id, r.job.allocator, r.job.workload,
                                       it->second, inputs[d]));
        continue;
      }
      merged.runs.push_back(std::move(r));
      ++kept;
    }
    const json& ctx = docs[d].context;
    json src{{"file", inputs[d]}, {"host", ctx.value("host", "")}, {"runs", kept}};
    if (ctx.contains("shard")) src["shard"] = ctx["shard"];
    sources.push_back(src);
  }
  std::stable_sort(merged.runs.begin(), merged.runs.end(), [](const RunRecord& a, const RunRecord& b) {
    return a.job.index.value_or(SIZE_MAX) < b.job.index.value_or(SIZE_MAX);
  });
  merged.context.erase("shard");
  merged.context["merged_from"] = sources;
  return merged;
}

}  // namespace

int cmd_merge(const std::vector<std::string>& args) {
  const MergeArgs m = parse_merge_args(args);
  if (m.help) {
    std::fputs(kMergeUsage, stdout);
    return 0;
  }
  std::vector<Results> docs;
  for (const auto& path : m.inputs) docs.push_back(load_results(path));
  std::vector<std::string> problems = context_differences(docs, m.inputs);
  Results merged = merge_runs(docs, m.inputs, problems);
  if (!problems.empty() && !m.force) {
    std::string msg = "refusing to merge incomparable results (use --force to merge anyway):";
    for (size_t i = 0; i < problems.size() && i < 20; ++i) msg += "\n  " + problems[i];
    if (problems.size() > 20) msg += fmt::format("\n  ... and {} more", problems.size() - 20);
    throw InputError(msg);
  }
  if (!problems.empty()) merged.context["merge_forced"] = problems;
  try {
    save_results(m.out, merged);
  } catch (const std::runtime_error& e) {
    throw InputError(fmt::format("-o {}: {}", m.out, e.what()));
  }
  const size_t n = merged.runs.size(), expected = merged.context.value("jobs", size_t{0});
  note("allocscope merge: {} runs from {} files -> {}{}", n, docs.size(), m.out,
       expected && n < expected ? fmt::format(" ({} of {} jobs of the matrix)", n, expected) : "");
  return 0;
}

}  // namespace allocscope
