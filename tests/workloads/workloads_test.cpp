// The workload catalog, end to end: every workload runs once with small
// parameters under glibc (allocscope run --allocators glibc --out TMP), and
// its record in results.json is checked: status, exact op counts where the
// shape fixes them, live bytes, the syscall pattern the shape dictates, and
// each pathology's own metric.
//
// Under ctest the catalog runs once, as the fixture-setup entry
// `workloads_catalog.run` (`workloads_test --run-catalog DIR`), and each check
// below is its own entry reading DIR/all/results.json (ALLOCSCOPE_CATALOG_DIR).
// Run by hand without that variable, the program runs the catalog itself.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Workload specs run at --threads 2 (multithreaded ones) under glibc.
const std::vector<std::string> kSpecs = {
    // classic
    "larson:lives=2,ops=1000,slots=100",
    "xmalloc:blocks=10000,batch=1000,queue=1",
    "threadtest:iterations=5,objects=2000",
    "cache-scratch:iterations=100,writes=10",
    "cache-thrash:iterations=100,writes=10",
    "sh6bench:iterations=10,batch=100",
    "sh8bench:iterations=10,batch=100",
    "mstress:rounds=2,scale=2",
    "rptest:iterations=10,batch=100,slots=400",
    "alloc-test:steps=20000,slots=1000",
    "glibc-simple:n=100,iterations=10",
    "glibc-simple:n=25,iterations=10,arena=thread",
    "glibc-thread:ops=20000",
    "malloc-large:ops=3,live=2,min=33M,max=40M",
    "mleak:rounds=5,allocs=50",
    // synthetic
    "churn:ops=10000",
    "mt-churn:ops=10000",
    "large-blocks:ops=10",
    "steady-state:ops=20000,live_mb=2,period=6400",
    // adversarial
    "top-pinning:count=20000",
    "mmap-ratchet:count=16,rounds=2",
    "mmap-ratchet:count=16,rounds=2,ratchet=0",
    "arena-blowup:oversubscribe=2,rounds=2,working_set=256K",
    "producer-consumer-blowup:blocks=20000,burst=100,queue=1000",
    "hole-punching:count=20000",
    "phases:objects=2000,sample=100",
    "free-all-retention:count=100000",
    "alternating-large-small:count=100,rounds=2",
    "growing-arrays:max=1M,rounds=2",
    "realloc-one-by-one:elements=1000,arrays=2",
    "realloc-growth-mixed:bytes=200K,rounds=2",
    "realloc-doubling:max=1M,rounds=2",
    "bursty-idle:bursts=2,blocks=1000,idle_ms=10,tick=10",
    "aligned-heavy:ops=2000,slots=100",
    // trace
    "profile-load:scale=0.05",
    // seeds
    "lazy-touch:size=64M",
    "brk-vs-mmap:size=256K,count=16",
    "brk-vs-mmap:size=64K,count=16",
    "trim:count=20000",
    "overcommit:reserve=2G,touch=16M",
    // whole programs (skipped by the plan when not installed)
    "python3:scale=1000",
    "sqlite3:rows=1000",
    "redis:requests=200,clients=2",
    "gxx:opt=O0",
};

std::string tmp_dir() {
  char tmpl[] = "/tmp/allocscope-workloads-test-XXXXXX";
  const char* d = ::mkdtemp(tmpl);
  return d ? d : "/tmp";
}

int run(const std::string& cmd) {
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

json load(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

// Runs every spec once into dir/all (log in dir/all.log, exit status in dir/rc).
int run_catalog(const std::string& dir) {
  std::error_code ec;
  fs::remove_all(dir + "/all", ec);
  fs::create_directories(dir);
  std::string cmd =
      std::string(ALLOCSCOPE_BIN) + " run -q --allocators glibc --threads 2 --timeout 120 --out " + dir + "/all";
  for (const auto& s : kSpecs) cmd += " -w " + s;
  const int rc = run(cmd + " > " + dir + "/all.log 2>&1");
  std::ofstream(dir + "/rc") << rc << "\n";
  return fs::exists(dir + "/all/results.json") ? 0 : 1;  // job failures are checked by the tests
}

class Catalog : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* shared = std::getenv("ALLOCSCOPE_CATALOG_DIR");
    owned_ = shared == nullptr;
    dir_ = new std::string(owned_ ? tmp_dir() : shared);
    if (owned_) run_catalog(*dir_);
    std::ifstream(*dir_ + "/rc") >> rc_;
    doc_ = new json(load(*dir_ + "/all/results.json"));
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    if (owned_) fs::remove_all(*dir_, ec);
    delete doc_;
    delete dir_;
  }

  // The record for `workload` whose params include every k=v of `params`.
  static const json* find(const std::string& workload, const std::map<std::string, std::string>& params = {}) {
    for (const auto& r : (*doc_)["runs"]) {
      if (r["workload"] != workload) continue;
      bool match = true;
      for (const auto& [k, v] : params) match = match && r["params"].value(k, std::string()) == v;
      if (match) return &r;
    }
    return nullptr;
  }
  static const json& rec(const std::string& workload, const std::map<std::string, std::string>& params = {}) {
    const json* r = find(workload, params);
    if (!r) throw std::runtime_error("no record for " + workload);
    return *r;
  }
  static double metric(const json& r, const std::string& name) {
    if (!r["metrics"].contains(name)) throw std::runtime_error("no metric " + name + " in " + r["workload"].dump());
    return r["metrics"][name].get<double>();
  }
  static double sys(const json& r, const std::string& call) { return r["metrics"]["syscalls"].value(call, 0.0); }

  static std::string* dir_;
  static json* doc_;
  static int rc_;
  static bool owned_;
};
std::string* Catalog::dir_ = nullptr;
json* Catalog::doc_ = nullptr;
int Catalog::rc_ = -1;
bool Catalog::owned_ = true;

TEST_F(Catalog, EveryWorkloadRanOk) {
  EXPECT_EQ(rc_, 0) << "allocscope run exit status; see the log in " << *dir_;
  for (const auto& r : (*doc_)["runs"])
    EXPECT_EQ(r["status"], "ok") << r["workload"] << " " << r["params"].dump() << ": " << r.value("reason", "")
                                 << r.value("stderr_tail", "");
  // Every in-process workload is present (whole programs may be skipped).
  for (const auto& s : kSpecs) {
    const std::string name = s.substr(0, s.find(':'));
    if (name == "python3" || name == "sqlite3" || name == "redis" || name == "gxx") continue;
    EXPECT_NE(find(name), nullptr) << name;
  }
}

TEST_F(Catalog, OpsMatchTheShape) {
  // ops = allocator calls (mallocs + frees + reallocs ...), fixed by the shape.
  EXPECT_EQ(metric(rec("larson"), "ops"), 2 * 2 * 1000 * 2);
  EXPECT_EQ(metric(rec("xmalloc"), "ops"), 2 * 10000 + 2 * 10);  // blocks and batch records
  EXPECT_EQ(metric(rec("threadtest"), "ops"), 2 * 5 * 2000);
  EXPECT_EQ(metric(rec("cache-scratch"), "ops"), 2 * (1 + 2 * 100));
  EXPECT_EQ(metric(rec("cache-thrash"), "ops"), 2 * 2 * 100);
  EXPECT_EQ(metric(rec("sh6bench"), "ops"), 2 * 10 * 100 * 2);
  EXPECT_EQ(metric(rec("sh8bench"), "ops"), 2 * 10 * 100 * 2);
  EXPECT_GT(metric(rec("mstress"), "ops"), 2 * 2 * 1000 / 2);
  EXPECT_GE(metric(rec("rptest"), "ops"), 2 * 10 * 100);
  EXPECT_EQ(metric(rec("alloc-test"), "ops"), 20000);
  EXPECT_EQ(metric(rec("glibc-simple", {{"arena", "main"}}), "ops"), 2 * 100 * 10);
  EXPECT_EQ(metric(rec("glibc-simple", {{"arena", "thread"}}), "ops"), 2 * 25 * 10);
  const double gt = metric(rec("glibc-thread"), "ops");
  EXPECT_GT(gt, 2 * 20000 - 2 * 2 * 1024);
  EXPECT_LE(gt, 2 * 20000);
  EXPECT_EQ(metric(rec("mleak"), "ops"), 5 * 2 * 50 + 5 * 2 * 49 + 4 * 2);
  EXPECT_EQ(metric(rec("top-pinning"), "ops"), 2 * 20000);
  EXPECT_EQ(metric(rec("mmap-ratchet", {{"ratchet", "1"}}), "ops"), 2 + 2 * 16 * 2 + 16 * 2);
  EXPECT_EQ(metric(rec("producer-consumer-blowup"), "ops"), 2 * 20000);
  EXPECT_EQ(metric(rec("hole-punching"), "ops"), 20000 + 10000 + 10000);
  EXPECT_EQ(metric(rec("free-all-retention"), "ops"), 2 * 100000);
  EXPECT_EQ(metric(rec("alternating-large-small"), "ops"), 2 * 100 * 2);
  EXPECT_EQ(metric(rec("realloc-one-by-one"), "ops"), 2 * 1000 + 2);
  EXPECT_EQ(metric(rec("realloc-doubling"), "ops"), 2 * (1 + 16 + 1));
  EXPECT_EQ(metric(rec("bursty-idle"), "ops"), 2 * 1000 * 2 + 2 * 10);
  EXPECT_EQ(metric(rec("trim"), "ops"), 2 * 20000);
  EXPECT_EQ(metric(rec("lazy-touch"), "ops"), 2);
  for (const char* w : {"arena-blowup", "phases", "growing-arrays", "aligned-heavy", "malloc-large", "churn",
                        "mt-churn", "large-blocks", "overcommit"})
    EXPECT_GT(metric(rec(w), "ops"), 0) << w;
  // steady-state with ops=N: N allocations per thread and the frees they forced.
  const double ss = metric(rec("steady-state"), "ops");
  EXPECT_GT(ss, 2 * 20000);
  EXPECT_LT(ss, 2 * 2 * 20000);
  EXPECT_GT(metric(rec("profile-load"), "ops"), 2 * 0.05 * 700000);  // python profile: 767118 allocations
}

TEST_F(Catalog, LiveBytesArePlausible) {
  // Single-threaded shapes: the exact peak of live requested bytes.
  EXPECT_EQ(metric(rec("top-pinning"), "live_peak_bytes"), 20000 * 512);
  EXPECT_EQ(metric(rec("free-all-retention"), "live_peak_bytes"), 100000 * 120);
  EXPECT_EQ(metric(rec("hole-punching"), "live_peak_bytes"), 10000 * 64 + 10000 * 80);
  EXPECT_EQ(metric(rec("alternating-large-small"), "live_peak_bytes"), 50 * 128 * 1024 + 50 * 512);
  EXPECT_EQ(metric(rec("lazy-touch"), "live_peak_bytes"), 64 << 20);
  EXPECT_EQ(metric(rec("overcommit"), "live_peak_bytes"), 2.0 * (1 << 30));
  // Everything freed inside the window.
  for (const char* w : {"free-all-retention", "top-pinning", "threadtest", "xmalloc", "trim", "realloc-doubling"})
    EXPECT_EQ(metric(rec(w), "live_end_bytes"), 0) << w;
  // Multithreaded: within the batching slack (threads x 64 KiB) of the truth.
  const double tt = metric(rec("threadtest"), "live_peak_bytes");
  EXPECT_GE(tt, 1000 * 64);
  EXPECT_LE(tt, 2 * 1000 * 64 + 2 * 65536);
  const double xm = metric(rec("xmalloc"), "live_peak_bytes");
  EXPECT_GT(xm, 0);
  // Bounded by the queue: one pending batch, one filling per producer, one
  // being freed per consumer.
  EXPECT_LE(xm, 5 * (1000 * 64 + 8016) + 4 * 65536);
}

TEST_F(Catalog, SyscallPatterns) {
  const json& base = rec("glibc-simple", {{"arena", "main"}});  // a baseline of start-up mappings
  // Above the mmap threshold (and glibc's 32 MiB ceiling on raising it): one mmap per block.
  EXPECT_GE(sys(rec("malloc-large"), "mmap") - sys(base, "mmap"), 3);
  EXPECT_GE(sys(rec("malloc-large"), "munmap") - sys(base, "munmap"), 3);
  const json& above = rec("brk-vs-mmap", {{"size", "262144"}});
  const json& below = rec("brk-vs-mmap", {{"size", "65536"}});
  EXPECT_GE(sys(above, "mmap") - sys(base, "mmap"), 16);
  EXPECT_GE(sys(above, "munmap") - sys(base, "munmap"), 16);
  // Below the threshold: the heap grows by brk, no per-block mappings.
  EXPECT_GT(sys(below, "brk"), sys(base, "brk"));
  EXPECT_LE(sys(below, "mmap"), sys(base, "mmap") + 2);
  // Doubling realloc above the threshold: glibc moves the mapping with mremap.
  EXPECT_GT(sys(rec("realloc-doubling"), "mremap"), 0);
}

TEST_F(Catalog, PathologyMetrics) {
  // top pinning under glibc: RSS stays up while the top block lives, falls when it goes;
  // malloc_trim (the release step) punches the holes.
  const json& tp = rec("top-pinning");
  const double pinned = metric(tp, "rss_pinned_bytes");
  EXPECT_GT(pinned - metric(tp, "rss_unpinned_bytes"), 0.6 * 20000 * 512);
  EXPECT_GT(pinned - metric(tp, "rss_after_release_bytes"), 0.6 * 20000 * 512);
  // trim: nothing pinned, the heap shrinks.
  const json& tr = rec("trim");
  EXPECT_GT(metric(tr, "rss_before_trim_bytes") - metric(tr, "rss_after_trim_bytes"), 0.6 * 20000 * 512);
  // mmap ratchet: with the threshold raised the freed 1 MiB blocks stay; without it they go.
  const double ratchet = metric(rec("mmap-ratchet", {{"ratchet", "1"}}), "rss_retained_bytes");
  const double control = metric(rec("mmap-ratchet", {{"ratchet", "0"}}), "rss_retained_bytes");
  EXPECT_GT(ratchet - control, 0.6 * 16 * (1 << 20));
  // Each pathology reports its metric.
  EXPECT_GT(metric(rec("free-all-retention"), "rss_after_free_all_bytes"), 0);
  EXPECT_GT(metric(rec("alternating-large-small"), "rss_after_free_all_bytes"), 0);
  EXPECT_GT(metric(rec("growing-arrays"), "rss_after_free_all_bytes"), 0);
  EXPECT_GT(metric(rec("phases"), "frag_time_avg_ratio"), 0);
  EXPECT_GT(metric(rec("hole-punching"), "heap_over_live_ratio"), 1.0);
  EXPECT_GT(metric(rec("aligned-heavy"), "heap_over_live_ratio"), 0);
  EXPECT_GT(metric(rec("arena-blowup"), "rss_retained_bytes"), 0);
  EXPECT_GT(metric(rec("mleak"), "rss_retained_bytes"), 0);
  (void)metric(rec("producer-consumer-blowup"), "rss_growth_bytes");
  EXPECT_GT(metric(rec("bursty-idle"), "rss_before_idle_bytes"), 0);
  EXPECT_GT(metric(rec("bursty-idle"), "rss_after_idle_bytes"), 0);
  const double moved1 = metric(rec("realloc-one-by-one"), "realloc_moved_ratio");
  EXPECT_GE(moved1, 0);
  EXPECT_LE(moved1, 1);
  EXPECT_GT(metric(rec("realloc-doubling"), "realloc_moved_ratio"), 0);
  // The long-running and scaled loads report their own figures.
  const json& ss = rec("steady-state");
  EXPECT_GE(metric(ss, "rss_creep_samples"), 1);
  (void)metric(ss, "rss_creep_bytes_per_min");
  (void)metric(ss, "rss_creep_ratio_per_min");
  EXPECT_LE(metric(ss, "live_peak_bytes"), 2 * ((2 << 20) + 1024 * 65536) + 2 * 65536);
  const json& pl = rec("profile-load");
  EXPECT_GT(metric(pl, "profile_planned_peak_bytes"), 0);
  EXPECT_GT(metric(pl, "live_peak_bytes"), 0);
}

TEST_F(Catalog, LazyTouchAndOvercommit) {
  const json& lt = rec("lazy-touch");
  EXPECT_LT(std::abs(metric(lt, "untouched_rss_delta_bytes")), 1 << 20);
  EXPECT_GT(metric(lt, "touched_rss_delta_bytes"), 0.9 * (64 << 20));
  std::ifstream thp("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string mode((std::istreambuf_iterator<char>(thp)), std::istreambuf_iterator<char>());
  if (mode.find("[always]") == std::string::npos) {  // no huge pages unless asked: one fault per page
    EXPECT_GT(metric(lt, "faults_per_page"), 0.9);
    EXPECT_LT(metric(lt, "faults_per_page"), 1.2);
  }
  const json& oc = rec("overcommit");
  EXPECT_GE(metric(oc, "vm_peak_bytes"), 2.0 * (1 << 30));
  EXPECT_LT(metric(oc, "peak_rss_bytes"), 512.0 * (1 << 20));
  EXPECT_GT(metric(oc, "touched_rss_delta_bytes"), 0.9 * (16 << 20));
}

TEST_F(Catalog, OvercommitUnderMemLimitEndsAsOom) {
  const std::string out = *dir_ + "/oom";
  // An address-space limit (RLIMIT_AS) refuses the reservation itself; a
  // memory cgroup would only stop pages that are touched.
  const int rc =
      run(std::string(ALLOCSCOPE_BIN) +
          " run -q --allocators glibc --mem-limit 1G --mem-limit-method rlimit -w overcommit:reserve=4G --out " + out +
          " > " + out + ".log 2>&1");
  EXPECT_EQ(rc, 1);  // a job not ok; the harness itself went on and wrote results
  const json doc = load(out + "/results.json");
  ASSERT_EQ(doc["runs"].size(), 1u);
  EXPECT_EQ(doc["runs"][0]["status"], "oom");
}

// One case per whole program, reported as skipped (not passed) when the plan
// left the program out because it is not installed.
class WholeProgram : public Catalog, public ::testing::WithParamInterface<std::string> {};

TEST_P(WholeProgram, RanOk) {
  const json* r = find(GetParam());
  if (!r) GTEST_SKIP() << GetParam() << " is not installed: the plan left it out";
  EXPECT_EQ((*r)["status"], "ok") << r->value("reason", "") << r->value("stderr_tail", "");
  EXPECT_TRUE(r->contains("command"));
  EXPECT_GT(r->at("metrics").value("peak_rss_bytes", 0.0), 0.0);
}

INSTANTIATE_TEST_SUITE_P(Catalog, WholeProgram, ::testing::Values("python3", "sqlite3", "redis", "gxx"));

TEST(CatalogList, EveryWorkloadHasADocLine) {
  const std::string dir = tmp_dir();
  ASSERT_EQ(run(std::string(ALLOCSCOPE_BIN) + " list workloads > " + dir + "/list.txt"), 0);
  std::ifstream in(dir + "/list.txt");
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::istringstream ls(line);
    std::string name, category, doc;
    ls >> name >> category;
    std::getline(ls, doc);
    EXPECT_GT(doc.size(), 30u) << line;
  }
  EXPECT_GE(n, 38u);
  fs::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc == 3 && std::string(argv[1]) == "--run-catalog") return run_catalog(argv[2]);
  return RUN_ALL_TESTS();
}
