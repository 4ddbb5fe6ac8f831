// Trace record -> info -> replay round trips, an independent count of a real
// program's calls, rejection of corrupt files, mtrace import.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>

#include "tests/common/expected_allocators.hpp"
#include "trace/format/trace_io.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

struct Result {
  int status = -1;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TraceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/allocscope-trace-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    if (!HasFailure()) fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  Result run(const std::string& cmd) const {
    Result r;
    const std::string o = path("cmd.out"), e = path("cmd.err");
    int rc = std::system(fmt::format("{} >{} 2>{}", cmd, o, e).c_str());
    r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + WTERMSIG(rc);
    r.out = slurp(o);
    r.err = slurp(e);
    return r;
  }

  json info(const std::string& trace) const {
    Result r = run(fmt::format("{} trace info --json {}", ALLOCSCOPE_BIN, trace));
    EXPECT_EQ(r.status, 0) << r.err;
    return json::parse(r.out);
  }

  std::string record_mt(int threads, int iters, const std::string& name) const {
    std::string out = path(name);
    Result r = run(fmt::format("{} record -q --out {} -- {} {} {}", ALLOCSCOPE_BIN, out, MT_OPS_BIN, threads, iters));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, fmt::format("done {} {}\n", threads, iters)) << "recording changed the output";
    EXPECT_EQ(r.err, "");
    return out;
  }

  std::string dir_;
};

constexpr int kThreads = 4, kIters = 300;

// Calls per thread and iteration made by trace_mt_ops (see its header).
const std::map<std::string, uint64_t> kPerIteration{
    {"malloc", 2},         {"calloc", 1},        {"realloc", 1},  {"reallocarray", 1}, {"memalign", 1},
    {"posix_memalign", 1}, {"aligned_alloc", 1}, {"valloc", 1},   {"pvalloc", 1},      {"new", 3},
    {"new[]", 1},          {"delete", 3},        {"delete[]", 1}, {"free", 9}};

TEST_F(TraceTest, InfoReportsTheKnownCountsOfAMultithreadedProgram) {
  const json base = info(record_mt(kThreads, 0, "base.trace"));
  const json full = info(record_mt(kThreads, kIters, "full.trace"));
  const uint64_t n = static_cast<uint64_t>(kThreads) * kIters;
  for (const auto& [kind, v] : full["ops"].items()) {
    const uint64_t diff = v.get<uint64_t>() - base["ops"][kind].get<uint64_t>();
    auto it = kPerIteration.find(kind);
    EXPECT_EQ(diff, it == kPerIteration.end() ? 0 : it->second * n) << kind;
  }
  for (const auto& [kind, per] : kPerIteration) EXPECT_TRUE(full["ops"].contains(kind)) << kind;
  auto variant = [&](const json& j, const char* k) { return j["op_variants"].value(k, uint64_t{0}); };
  EXPECT_EQ(variant(full, "delete:sized") - variant(base, "delete:sized"), n);
  EXPECT_EQ(variant(full, "new:aligned") - variant(base, "new:aligned"), n);
  EXPECT_EQ(variant(full, "delete:aligned") - variant(base, "delete:aligned"), n);
  EXPECT_EQ(full["cross_thread_frees"].get<uint64_t>() - base["cross_thread_frees"].get<uint64_t>(), n);
  EXPECT_EQ(full["threads"], kThreads + 1);  // main + workers
  EXPECT_EQ(full["unmatched_frees"], 0);
  EXPECT_GT(full["peak_live_bytes"].get<uint64_t>(), n * 64);  // the blocks handed to the next thread
}

TEST_F(TraceTest, ReplayUnderEveryAllocatorKeepsOpsAndPeak) {
  const std::string trace = record_mt(kThreads, kIters, "mt.trace");
  const json t = info(trace);
  const auto& allocators = allocscope::test::expected_allocators();
  const std::string csv = allocscope::test::expected_allocators_csv();
  const std::string out = path("run");
  Result r = run(fmt::format("{} run -q -w trace:path={} -a {} --out {}", ALLOCSCOPE_BIN, trace, csv, out));
  ASSERT_EQ(r.status, 0) << r.err;
  const json res = json::parse(slurp(out + "/results.json"));
  ASSERT_EQ(res["runs"].size(), allocators.size());
  const uint64_t peak = t["peak_live_bytes"];
  for (const auto& run : res["runs"]) {
    SCOPED_TRACE(run["allocator"].get<std::string>());
    ASSERT_EQ(run["status"], "ok") << run.dump();
    const auto& m = run["metrics"];
    const uint64_t skipped = m["trace_skipped_ops"].get<uint64_t>();
    EXPECT_EQ(skipped, 0u);
    EXPECT_EQ(m["ops"].get<uint64_t>(), t["alloc_ops"].get<uint64_t>() + t["free_ops"].get<uint64_t>() - skipped);
    EXPECT_EQ(m["trace_ideal_peak_bytes"].get<uint64_t>(), peak);
    // The replay's own live peak: exact per thread, published in batches of
    // 64 KiB per thread across threads.
    const double live_peak = m["live_peak_bytes"].get<double>();
    EXPECT_NEAR(live_peak, static_cast<double>(peak), (kThreads + 1) * 64.0 * 1024);
    EXPECT_EQ(m["live_end_bytes"].get<uint64_t>(), t["end_live_bytes"].get<uint64_t>());
  }
}

TEST_F(TraceTest, ReplayOfASingleThreadedTraceHasTheExactPeak) {
  const std::string trace = path("one.trace");
  Result rec = run(fmt::format("{} record -q --out {} -- {} 1 200", ALLOCSCOPE_BIN, trace, MT_OPS_BIN));
  ASSERT_EQ(rec.status, 0) << rec.err;
  const json t = info(trace);
  for (const char* extra : {"", ",null=1", ",timing=as-recorded"}) {
    const std::string out = path(fmt::format("run{}", std::strlen(extra)));
    Result r = run(fmt::format("{} run -q -w trace:path={}{} -a glibc --out {}", ALLOCSCOPE_BIN, trace, extra, out));
    ASSERT_EQ(r.status, 0) << r.err;
    const json m = json::parse(slurp(out + "/results.json"))["runs"][0]["metrics"];
    EXPECT_EQ(m["ops"].get<uint64_t>(), t["alloc_ops"].get<uint64_t>() + t["free_ops"].get<uint64_t>()) << extra;
    EXPECT_EQ(m["trace_ideal_peak_bytes"].get<uint64_t>(), t["peak_live_bytes"].get<uint64_t>()) << extra;
  }
}

TEST_F(TraceTest, RealProgramCountsMatchAnIndependentCounter) {
  const std::string trace = path("py.trace"), counts = path("counts.txt");
  const std::string plain = run(fmt::format("PYTHONMALLOC=malloc /usr/bin/python3 {}/small_alloc.py", TEST_INPUTS)).out;
  // The counter sits below the recorder: LD_PRELOAD="recorder counter".
  // TRACE_COUNT_OUT is set for the recorded program only (env execs it). In
  // the AddressSanitizer build allocscope itself starts with the counter
  // preloaded ahead of the ASan runtime, which ASan refuses unless told.
  Result r =
      run(fmt::format("ASAN_OPTIONS=verify_asan_link_order=0:${{ASAN_OPTIONS:-}} "
                      "LD_PRELOAD={} {} record -q --out {} -- /usr/bin/env TRACE_COUNT_OUT={} "
                      "PYTHONMALLOC=malloc /usr/bin/python3 {}/small_alloc.py",
                      COUNT_LIB, ALLOCSCOPE_BIN, trace, counts, TEST_INPUTS));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, plain) << "recording changed the output";
  const json t = info(trace);
  std::stringstream cs(slurp(counts));
  int kinds = 0;
  uint64_t total = 0;
  for (std::string name; cs >> name;) {
    uint64_t n = 0;
    cs >> n;
    EXPECT_EQ(t["ops"][name].get<uint64_t>(), n) << name;
    total += n;
    ++kinds;
  }
  EXPECT_EQ(kinds, 10);
  EXPECT_GT(total, 100000u);  // it is allocation-heavy
}

TEST_F(TraceTest, ChildProcessesWriteTheirOwnFiles) {
  const std::string trace = path("sh.trace");
  Result r =
      run(fmt::format("{} record -q --out {} -- /bin/sh -c 'ls / >/dev/null; ls / >/dev/null'", ALLOCSCOPE_BIN, trace));
  ASSERT_EQ(r.status, 0) << r.err;
  int children = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("sh.trace.", 0) != 0) continue;
    ++children;
    const json j = info(e.path().string());
    EXPECT_GT(j["events"].get<uint64_t>(), 0u);
  }
  EXPECT_GE(children, 2);
}

void write_bytes(const std::string& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

TEST_F(TraceTest, CorruptTruncatedAndWrongVersionFilesAreRejected) {
  const std::string good = slurp(record_mt(2, 20, "good.trace"));
  ASSERT_GT(good.size(), 200u);
  struct Case {
    std::string name, data, reason;
  };
  std::vector<Case> cases;
  cases.push_back({"empty", "", "truncated file header"});
  cases.push_back({"short header", good.substr(0, 20), "truncated file header"});
  std::string magic = good;
  magic[0] = 'X';
  cases.push_back({"bad magic", magic, "bad magic"});
  std::string version = good;
  version[8] = 9;
  cases.push_back({"wrong version", version, "unsupported trace version 9"});
  std::string page = good;  // page size 1: the replay would align valloc to it
  page[16] = 1, page[17] = 0, page[18] = 0, page[19] = 0;
  cases.push_back({"page size too small", page, "bad page size 1"});
  cases.push_back({"cut mid chunk", good.substr(0, good.size() / 2), "truncated"});
  cases.push_back({"no end record", good.substr(0, good.size() - 40), "no end record"});
  std::string type = good;
  const size_t first_chunk = 40 + allocscope::tracefmt::get_u32(reinterpret_cast<const uint8_t*>(good.data()) + 36);
  type[first_chunk] = 'Q';
  cases.push_back({"bad chunk type", type, "unknown chunk type"});
  std::string count = good;
  count[first_chunk + 8] = static_cast<char>(count[first_chunk + 8] + 1);
  cases.push_back({"event count", count, "offset"});
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string p = path("bad.trace");
    write_bytes(p, c.data);
    Result r = run(fmt::format("{} trace info {}", ALLOCSCOPE_BIN, p));
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("offset"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.reason), std::string::npos) << r.err;
    // allocscope run: a bad header is refused when the plan is built (status
    // 2); damage further in fails the job, with the reason in its stderr.
    Result w = run(fmt::format("{} run -q -w trace:path={} -a glibc --out {}", ALLOCSCOPE_BIN, p, path("r")));
    if (c.data.size() < 64 || c.name == "bad magic" || c.name == "wrong version" || c.name == "page size too small") {
      EXPECT_EQ(w.status, 2) << w.err;
      EXPECT_NE(w.err.find(c.reason), std::string::npos) << w.err;
    } else {
      EXPECT_NE(w.status, 0);
      const json res = json::parse(slurp(path("r") + "/results.json"));
      EXPECT_EQ(res["runs"][0]["status"], "failed");
      EXPECT_NE(res["runs"][0]["stderr_tail"].get<std::string>().find(c.reason), std::string::npos) << res.dump();
    }
  }
}

TEST_F(TraceTest, RandomDamageNeverCrashesTheReader) {
  const std::string good = slurp(record_mt(2, 20, "good.trace"));
  std::mt19937_64 rng(7);
  int rejected = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string d = good;
    if (i % 3 == 0) d.resize(rng() % d.size());
    for (int k = 0, n = 1 + static_cast<int>(rng() % 4); k < n && !d.empty(); ++k)
      d[rng() % d.size()] = static_cast<char>(rng());
    try {
      allocscope::trace::Trace t =
          allocscope::trace::read_trace_buffer(reinterpret_cast<const uint8_t*>(d.data()), d.size(), "mutant");
      (void)allocscope::trace::summarize(t);
    } catch (const std::runtime_error& e) {
      ++rejected;
      EXPECT_NE(std::string(e.what()).find("offset"), std::string::npos) << e.what();
    }
  }
  EXPECT_GT(rejected, 1000);
}

TEST_F(TraceTest, ZstdTracesRoundTrip) {
  const std::string raw = record_mt(2, 50, "raw.trace");
  const std::string z = path("z.trace");
  Result r = run(fmt::format("{} trace convert --zstd {} {}", ALLOCSCOPE_BIN, raw, z));
  ASSERT_EQ(r.status, 0) << r.err;
  json a = info(raw), b = info(z);
  EXPECT_EQ(a["ops"], b["ops"]);
  EXPECT_EQ(a["peak_live_bytes"], b["peak_live_bytes"]);
  EXPECT_EQ(a["cross_thread_frees"], b["cross_thread_frees"]);
  EXPECT_LT(fs::file_size(z), fs::file_size(raw));
  // Recorded with compression directly.
  const std::string rz = path("rz.trace");
  Result rec = run(fmt::format("{} record -q --zstd --out {} -- {} 2 50", ALLOCSCOPE_BIN, rz, MT_OPS_BIN));
  ASSERT_EQ(rec.status, 0) << rec.err;
  EXPECT_EQ(info(rz)["ops"]["aligned_alloc"], 100);
}

TEST_F(TraceTest, MtraceTextConverts) {
  const std::string in = path("m.txt"), out = path("m.trace");
  write_bytes(in,
              "= Start\n"
              "@ ./prog:[0x401136] + 0x55d0c0a2e2a0 0x10\n"
              "@ ./prog:[0x401144] + 0x55d0c0a2e6d0 0x400\n"
              "@ /lib/x86_64-linux-gnu/libc.so.6:(__libc_start_main+0xea)[0x7f01] < 0x55d0c0a2e2a0\n"
              "@ /lib/x86_64-linux-gnu/libc.so.6:(__libc_start_main+0xea)[0x7f01] > 0x55d0c0a2eae0 0x20\n"
              "@ ./prog:[0x401150] - 0x55d0c0a2eae0\n"
              "= End\n");
  Result r = run(fmt::format("{} trace convert {} {}", ALLOCSCOPE_BIN, in, out));
  ASSERT_EQ(r.status, 0) << r.err;
  const json j = info(out);
  EXPECT_EQ(j["ops"]["malloc"], 2);
  EXPECT_EQ(j["ops"]["realloc"], 1);
  EXPECT_EQ(j["ops"]["free"], 1);
  EXPECT_EQ(j["peak_live_bytes"], 0x400 + 0x20);
  EXPECT_EQ(j["end_live_bytes"], 0x400);
  write_bytes(in, "= Start\n@ ./prog:[0x1] + 0x10 0x10\n@ ./prog:[0x2] * 0x10\n");
  Result bad = run(fmt::format("{} trace convert {} {}", ALLOCSCOPE_BIN, in, out));
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("m.txt:3:"), std::string::npos) << bad.err;
}

// A trace may claim any size (the reader checks the encoding, not the
// values): the summary's byte counts saturate instead of overflowing.
TEST(TraceSummary, HugeSizesSaturateTheByteCounts) {
  using allocscope::trace::Event;
  namespace tf = allocscope::tracefmt;
  allocscope::trace::Trace t;
  t.threads = 1;
  const uint64_t huge = UINT64_MAX / 2;  // 2^63 - 1
  t.events.push_back(Event{.seq = 1, .size = huge, .ptr = 0x10, .op = tf::kMalloc});
  t.events.push_back(Event{.seq = 2, .size = huge, .ptr = 0x20, .op = tf::kMalloc});
  t.events.push_back(Event{.seq = 3, .size = UINT64_MAX, .ptr = 0x30, .op = tf::kMalloc});
  t.events.push_back(Event{.seq = 4, .ptr = 0x30, .op = tf::kFree});
  t.events.push_back(Event{.seq = 5, .ptr = 0x20, .op = tf::kFree});
  const allocscope::trace::Summary s = allocscope::trace::summarize(t);
  EXPECT_EQ(s.peak_live_bytes, UINT64_MAX);
  EXPECT_EQ(s.peak_seq, 3u);
  EXPECT_EQ(s.total_requested_bytes, UINT64_MAX);
  EXPECT_EQ(s.end_live_bytes, huge);
  EXPECT_EQ(s.live_blocks_end, 1u);
}

}  // namespace
