#include "harness/runner/plan.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "allocscope/workload.hpp"
#include "common/input_error.hpp"

#ifndef ALLOCSCOPE_SOURCE_DIR
#define ALLOCSCOPE_SOURCE_DIR "."
#endif

namespace allocscope {

namespace fs = std::filesystem;

std::vector<int> parse_int_list(const std::string& text, const std::string& what) {
  std::vector<int> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    char* end = nullptr;
    long v = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v < 1 || v > 4096)
      throw InputError(fmt::format("{}: '{}' is not a list of positive integers (e.g. 1,2,4)", what, text));
    out.push_back(static_cast<int>(v));
  }
  if (out.empty()) throw InputError(fmt::format("{}: empty list", what));
  return out;
}

namespace {

// A suite's positive number (precision, max-time, min-window).
double parse_positive(const std::string& text, double max, const std::string& where, const std::string& keyword) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v > 0) || v > max)
    throw InputError(
        fmt::format("{}: '{}' takes a number above 0 and at most {}, got '{}'", where, keyword, max, text));
  return v;
}

}  // namespace

WorkloadSel parse_workload_spec(const std::string& spec, const std::string& origin) {
  WorkloadSel sel;
  sel.origin = origin;
  auto colon = spec.find(':');
  sel.name = spec.substr(0, colon);
  if (sel.name.empty()) throw InputError(fmt::format("{}: empty workload name in '{}'", origin, spec));
  if (colon == std::string::npos) return sel;
  std::stringstream ss(spec.substr(colon + 1));
  std::string kv;
  while (std::getline(ss, kv, ',')) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw InputError(fmt::format("{}: '{}' in '{}' is not key=value", origin, kv, spec));
    sel.params[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return sel;
}

std::string suite_dir() {
  if (const char* env = std::getenv("ALLOCSCOPE_SUITE_DIR")) return env;
  return std::string(ALLOCSCOPE_SOURCE_DIR) + "/workloads/suites";
}

std::vector<std::string> list_suites() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(suite_dir(), ec))
    if (e.path().extension() == ".suite") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

Suite load_suite(const std::string& name_or_path) {
  std::string path = name_or_path.find('/') != std::string::npos || name_or_path.ends_with(".suite")
                         ? name_or_path
                         : suite_dir() + "/" + name_or_path + ".suite";
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw InputError(fmt::format("suite {}: is a folder, expected a .suite file", path));
  std::ifstream in(path);
  if (!in)
    throw InputError(fmt::format("unknown suite '{}' (no file {}); valid suites: {}", name_or_path, path,
                                 fmt::join(list_suites(), ", ")));
  std::stringstream text;
  text << in.rdbuf();
  return parse_suite(text.str(), path);
}

Suite parse_suite(const std::string& text, const std::string& path) {
  Suite s;
  s.path = path;
  s.name = fs::path(s.path).stem().string();
  std::istringstream in(text);
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    std::string where = fmt::format("{}:{}", s.path, lineno);
    if (line.find('\0') != std::string::npos) throw InputError(where + ": unexpected NUL byte (not a text file?)");
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::stringstream ls(line);
    std::string keyword;
    if (!(ls >> keyword)) continue;
    std::vector<std::string> args;
    for (std::string a; ls >> a;) args.push_back(a);
    auto need = [&](size_t n) {
      if (args.size() != n)
        throw InputError(fmt::format("{}: '{}' takes {} argument(s), got {}", where, keyword, n, args.size()));
    };
    if (keyword == "workload") {
      if (args.empty()) throw InputError(where + ": 'workload' needs NAME[:key=value,...]");
      WorkloadSel sel = parse_workload_spec(args[0], where);
      for (size_t i = 1; i < args.size(); ++i) {
        if (args[i].rfind("threads=", 0) == 0)
          sel.threads = parse_int_list(args[i].substr(8), where);
        else
          throw InputError(fmt::format("{}: unexpected '{}' (expected threads=LIST)", where, args[i]));
      }
      s.workloads.push_back(std::move(sel));
    } else if (keyword == "allocators") {
      need(1);
      std::stringstream as(args[0]);
      for (std::string a; std::getline(as, a, ',');) {
        if (a.empty()) throw InputError(fmt::format("{}: empty allocator name in '{}'", where, args[0]));
        s.allocators.push_back(a);
      }
    } else if (keyword == "threads") {
      need(1);
      s.threads = parse_int_list(args[0], where);
    } else if (keyword == "reps") {
      need(1);
      s.reps = parse_int_list(args[0], where).front();
    } else if (keyword == "timeout") {
      need(1);
      s.timeout = parse_int_list(args[0], where).front();
    } else if (keyword == "precision") {
      need(1);
      s.precision = parse_positive(args[0], 99, where, keyword);
    } else if (keyword == "max-time") {
      need(1);
      s.max_time = parse_positive(args[0], 1e7, where, keyword);
    } else if (keyword == "min-window") {
      need(1);
      s.min_window_ms = parse_positive(args[0], 600000, where, keyword);
    } else if (keyword == "heap-shift") {
      need(0);
      s.heap_shift = true;
    } else {
      throw InputError(
          fmt::format("{}: unknown keyword '{}' (expected workload, allocators, threads, reps, timeout, precision, "
                      "max-time, min-window, heap-shift)",
                      where, keyword));
    }
  }
  if (s.workloads.empty()) throw InputError(fmt::format("{}: the suite names no workload", s.path));
  return s;
}

std::string Job::key() const {
  std::string k = allocator_name() + "|" + workload;
  for (const auto& [n, v] : params) k += "|" + n + "=" + v;
  for (const auto& a : exec_argv) k += "|" + a;
  return k + "|t" + std::to_string(threads);
}

std::string Job::label() const {
  return fmt::format("{} {} t={}", allocator_name(), workload, threads);
}

std::vector<Job> build_plan(const PlanRequest& req) {
  struct Cell {
    std::string workload;
    std::map<std::string, std::string> params;
    int threads;
    std::vector<std::string> argv;
  };
  std::vector<Cell> cells;
  if (!req.exec_argv.empty()) {
    for (int t : req.threads) cells.push_back({"exec", {}, t, req.exec_argv});
  }
  for (const auto& sel : req.workloads) {
    const WorkloadInfo* info = WorkloadRegistry::instance().find(sel.name);
    if (!info) {
      std::vector<std::string> names;
      for (const auto* w : WorkloadRegistry::instance().all()) names.push_back(w->name);
      throw InputError(
          fmt::format("{}: unknown workload '{}'; valid workloads: {}", sel.origin, sel.name, fmt::join(names, ", ")));
    }
    Params p;
    try {
      p = Params::resolve(info->name, info->params, sel.params);
      if (info->validate) info->validate(p);
    } catch (const ParamError& e) {
      throw InputError(fmt::format("{}: {}", sel.origin, e.what()));
    }
    std::vector<std::string> argv;
    if (info->command) {
      std::string why;
      argv = info->command(p, &why);
      if (argv.empty()) {
        // Not runnable here (a program is missing): say so and leave it out.
        std::fprintf(stderr, "allocscope: skipping workload %s: %s\n", info->name.c_str(), why.c_str());
        continue;
      }
    }
    const auto& threads = !info->multithreaded ? std::vector<int>{1} : !sel.threads.empty() ? sel.threads : req.threads;
    for (int t : threads) cells.push_back({info->name, p.values(), t, argv});
  }
  // Deduplicate cells (e.g. a single-threaded workload under --threads 1,2).
  std::vector<Cell> unique;
  for (auto& c : cells) {
    bool dup = std::any_of(unique.begin(), unique.end(), [&](const Cell& u) {
      return u.workload == c.workload && u.params == c.params && u.threads == c.threads && u.argv == c.argv;
    });
    if (!dup) unique.push_back(std::move(c));
  }

  std::vector<Job> jobs;
  std::mt19937_64 shuffle_rng(req.seed ^ 0x5eedf00dULL);
  const int rounds = req.reps + (req.warmup ? 1 : 0);
  for (int round = 0; round < rounds; ++round) {
    std::vector<Job> this_round;
    for (const auto& cell : unique)
      for (const Adapter* a : req.allocators) {
        Job j;
        j.allocator = a;
        j.workload = cell.workload;
        j.params = cell.params;
        j.threads = cell.threads;
        j.exec_argv = cell.argv;
        j.round = req.warmup ? round - 1 : round;
        j.warmup = req.warmup && round == 0;
        j.seed = req.seed;  // same input for every allocator and round
        this_round.push_back(std::move(j));
      }
    std::shuffle(this_round.begin(), this_round.end(), shuffle_rng);
    for (auto& j : this_round) {
      j.index = jobs.size();
      jobs.push_back(std::move(j));
    }
  }
  return jobs;
}

Shard parse_shard(const std::string& text) {
  Shard s;
  char* end = nullptr;
  auto slash = text.find('/');
  bool ok = slash != std::string::npos && slash > 0;
  if (ok) {
    std::string a = text.substr(0, slash), b = text.substr(slash + 1);
    long i = std::strtol(a.c_str(), &end, 10);
    ok = *end == '\0';
    long n = std::strtol(b.c_str(), &end, 10);
    ok = ok && !b.empty() && *end == '\0' && n >= 1 && n <= 100000 && i >= 1 && i <= n;
    s.index = static_cast<int>(i);
    s.count = static_cast<int>(n);
  }
  if (!ok) throw InputError(fmt::format("--shard '{}': expected I/N with 1 <= I <= N, e.g. 2/4", text));
  return s;
}

std::vector<Job> select_shard(const std::vector<Job>& jobs, const Shard& s) {
  if (s.count <= 1) return jobs;
  std::vector<std::string> keys;
  for (const auto& j : jobs) keys.push_back(j.key());
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::vector<Job> out;
  for (const auto& j : jobs) {
    size_t rank = static_cast<size_t>(std::lower_bound(keys.begin(), keys.end(), j.key()) - keys.begin());
    if (static_cast<int>(rank % static_cast<size_t>(s.count)) == s.index - 1) out.push_back(j);
  }
  return out;
}

}  // namespace allocscope
