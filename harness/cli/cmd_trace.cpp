// allocscope trace info FILE [--json]
// allocscope trace convert IN OUT [--zstd[=LEVEL]]
// Inspects a trace (op counts, threads, peak live bytes, size histogram,
// cross-thread frees) or converts glibc mtrace text (or another trace, e.g.
// to compress it) into the allocscope trace format.
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>

#include "common/input_error.hpp"
#include "harness/cli/commands.hpp"
#include "trace/format/trace_io.hpp"

namespace allocscope {

namespace {

const char* kTraceUsage =
    "usage: allocscope trace info FILE [--json]\n"
    "       allocscope trace convert IN OUT [--zstd[=LEVEL]]\n"
    "  info     op counts by kind, threads, peak live requested bytes, size histogram,\n"
    "           share of cross-thread frees (--json: one JSON object)\n"
    "  convert  IN is glibc mtrace text (MALLOC_TRACE=file; '@ ... + 0xADDR 0xSIZE',\n"
    "           '- 0xADDR', '< 0xOLD' '> 0xNEW 0xSIZE') or a trace (re-encoded, e.g. to\n"
    "           compress it); OUT is a trace (docs/trace-format.md)\n"
    "  A corrupt, truncated or wrong-version trace is rejected with its byte offset\n"
    "  and the reason (exit status 2).\n";

// The trace file named by `trace info`'s arguments, and whether --json was given.
std::string info_file(const std::vector<std::string>& args, bool& as_json) {
  std::string file;
  for (const auto& a : args) {
    if (a == "--json")
      as_json = true;
    else if (!a.empty() && a[0] == '-')
      throw InputError(fmt::format("unknown option '{}'\n{}", a, kTraceUsage));
    else if (file.empty())
      file = a;
    else
      throw InputError(fmt::format("unexpected argument '{}'", a));
  }
  if (file.empty()) throw InputError(std::string("trace info needs a FILE\n") + kTraceUsage);
  return file;
}

double cross_thread_share(const trace::Summary& s) {
  return s.matched_frees ? static_cast<double>(s.cross_thread_frees) / static_cast<double>(s.matched_frees) : 0.0;
}

void print_info_json(const std::string& file, const trace::Trace& t, const trace::Summary& s) {
  nlohmann::ordered_json j;
  j["file"] = file;
  j["version"] = t.header.version;
  j["program"] = t.header.program;
  j["pid"] = t.header.pid;
  j["page_size"] = t.header.page_size;
  j["start_unix_ns"] = t.header.start_unix_ns;
  j["compressed"] = (t.header.flags & tracefmt::kFlagZstd) != 0;
  j["timing"] = (t.header.flags & tracefmt::kFlagNoTiming) == 0;
  j["threads"] = s.threads;
  j["events"] = s.events;
  j["duration_s"] = s.duration_s;
  j["ops"] = s.ops;
  j["op_variants"] = s.variants;
  j["alloc_ops"] = s.alloc_ops;
  j["free_ops"] = s.free_ops;
  j["peak_live_bytes"] = s.peak_live_bytes;
  j["end_live_bytes"] = s.end_live_bytes;
  j["end_live_blocks"] = s.live_blocks_end;
  j["total_requested_bytes"] = s.total_requested_bytes;
  j["matched_frees"] = s.matched_frees;
  j["cross_thread_frees"] = s.cross_thread_frees;
  j["cross_thread_free_share"] = cross_thread_share(s);
  j["unmatched_frees"] = s.unmatched_frees;
  j["null_frees"] = s.null_frees;
  j["failed_allocs"] = s.failed_allocs;
  auto h = nlohmann::ordered_json::array();
  for (const auto& [le, n] : s.size_histogram) h.push_back({{"le", le}, {"count", n}});
  j["size_histogram"] = h;
  std::printf("%s\n", j.dump(2).c_str());
}

void print_size_histogram(const trace::Summary& s) {
  fmt::print("sizes (requested bytes, count):\n");
  uint64_t most = 1;
  for (const auto& [le, n] : s.size_histogram) most = std::max(most, n);
  for (const auto& [le, n] : s.size_histogram)
    fmt::print("  <= {:>12} {:>10} {}\n", le, n,
               std::string(static_cast<size_t>(40.0 * static_cast<double>(n) / static_cast<double>(most) + 0.5), '#'));
}

void print_info_text(const std::string& file, const trace::Trace& t, const trace::Summary& s) {
  std::time_t start = static_cast<std::time_t>(t.header.start_unix_ns / 1000000000ull);
  char when[64] = "unknown";
  if (start) std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&start));
  fmt::print("trace        {}\n", file);
  fmt::print("program      {} (pid {})\n", t.header.program, t.header.pid);
  fmt::print("format       version {}, page size {}{}, recorded {}\n", t.header.version, t.header.page_size,
             (t.header.flags & tracefmt::kFlagZstd) ? ", zstd" : "", when);
  fmt::print("threads      {}\n", s.threads);
  fmt::print("events       {} over {:.3f} s\n", s.events, s.duration_s);
  fmt::print("ops         ");
  for (const auto& [k, v] : s.ops)
    if (v) fmt::print(" {} {}", k, v);
  fmt::print("\n");
  if (!s.variants.empty()) {
    fmt::print("variants    ");
    for (const auto& [k, v] : s.variants) fmt::print(" {} {}", k, v);
    fmt::print("\n");
  }
  fmt::print("peak live    {} bytes requested\n", s.peak_live_bytes);
  fmt::print("end live     {} bytes in {} blocks\n", s.end_live_bytes, s.live_blocks_end);
  fmt::print("requested    {} bytes in total\n", s.total_requested_bytes);
  fmt::print("cross-thread {} of {} matched frees ({:.2f}%)\n", s.cross_thread_frees, s.matched_frees,
             100 * cross_thread_share(s));
  fmt::print("other        {} frees of unknown blocks, {} free(NULL), {} failed allocations\n", s.unmatched_frees,
             s.null_frees, s.failed_allocs);
  print_size_histogram(s);
}

int info(const std::vector<std::string>& args) {
  bool as_json = false;
  const std::string file = info_file(args, as_json);
  const trace::Trace t = trace::read_trace_file(file);
  const trace::Summary s = trace::summarize(t);
  if (as_json)
    print_info_json(file, t, s);
  else
    print_info_text(file, t, s);
  return 0;
}

int convert(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  int level = 0;
  for (const auto& a : args) {
    if (a == "--zstd")
      level = 3;
    else if (a.rfind("--zstd=", 0) == 0) {
      char* end = nullptr;
      long v = std::strtol(a.c_str() + 7, &end, 10);
      if (*end || v < 1 || v > 19) throw InputError(fmt::format("{}: expected a zstd level 1..19", a));
      level = static_cast<int>(v);
    } else if (!a.empty() && a[0] == '-') {
      throw InputError(fmt::format("unknown option '{}'\n{}", a, kTraceUsage));
    } else {
      files.push_back(a);
    }
  }
  if (files.size() != 2) throw InputError(std::string("trace convert needs IN and OUT\n") + kTraceUsage);
  trace::Trace t = trace::looks_like_trace(files[0]) ? trace::read_trace_file(files[0]) : trace::read_mtrace(files[0]);
  trace::Writer w(files[1], t.header, level);
  for (const auto& e : t.events) w.add(e);
  w.finish(t.threads, t.end_ts);
  std::fprintf(stderr, "allocscope trace: wrote %s (%zu events, %u thread(s))\n", files[1].c_str(), t.events.size(),
               t.threads);
  return 0;
}

}  // namespace

int cmd_trace(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::fputs(kTraceUsage, stderr);
    return kExitBadInput;
  }
  if (args[0] == "--help" || args[0] == "-h") {
    std::fputs(kTraceUsage, stdout);
    return 0;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "info") return info(rest);
  if (args[0] == "convert") return convert(rest);
  throw InputError(fmt::format("unknown trace command '{}'; valid: info, convert\n{}", args[0], kTraceUsage));
}

}  // namespace allocscope
