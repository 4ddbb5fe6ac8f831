// Integration tests of compare, gate, export and report through the allocscope
// binary: golden files for the Markdown and every export format, an A/A gate
// that passes, an injected slowdown (test shim) that the gate flags, bad input,
// and the HTML report opened in headless Chromium. No timing assertions: the
// slowdown is 8x the work of a malloc, far beyond any noise.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

struct Result {
  int status = -1;
  std::string out;
};

Result sh(const std::string& cmd) {
  Result r;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string kBin = ALLOCSCOPE_BIN;
const std::string kData = STATS_DATA_DIR;

std::string tmpdir(const std::string& name) {
  std::string d =
      fs::temp_directory_path().string() + "/allocscope-stats-test-" + std::to_string(::getpid()) + "-" + name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// Compares `actual` with the committed golden file; ALLOCSCOPE_UPDATE_GOLDEN=1 rewrites it.
void expect_golden(const std::string& actual_path, const std::string& golden_name) {
  std::string golden = kData + "/expected/" + golden_name;
  std::string actual = slurp(actual_path);
  if (std::getenv("ALLOCSCOPE_UPDATE_GOLDEN")) {
    fs::create_directories(kData + "/expected");
    std::ofstream(golden, std::ios::binary) << actual;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " missing (run with ALLOCSCOPE_UPDATE_GOLDEN=1)";
  EXPECT_EQ(actual, slurp(golden)) << "differs from " << golden << "; diff " << actual_path << " " << golden;
}

}  // namespace

TEST(Golden, CompareMarkdown) {
  std::string d = tmpdir("md");
  auto r = sh(kBin + " compare " + kData + "/results.json --baseline glibc --candidate jemalloc --md " + d + "/cmp.md");
  ASSERT_EQ(r.status, 0) << r.out;
  expect_golden(d + "/cmp.md", "compare.md");
  EXPECT_NE(r.out.find("regressed"), std::string::npos);
}

TEST(Golden, GateMarkdownAndExitStatus) {
  std::string d = tmpdir("gate-md");
  auto r = sh(kBin + " gate " + kData + "/results.json --baseline glibc --candidate jemalloc --md " + d + "/gate.md");
  // jemalloc uses more memory than glibc in these jobs: peak RSS regressed.
  EXPECT_EQ(r.status, 1) << r.out;
  expect_golden(d + "/gate.md", "gate.md");
}

TEST(Golden, Exports) {
  std::string d = tmpdir("export");
  std::string in = kData + "/results.json";
  ASSERT_EQ(sh(kBin + " export " + in + " --format csv --out " + d + "/results.csv").status, 0);
  ASSERT_EQ(sh(kBin + " export " + in + " --format bmf --out " + d + "/bmf.json").status, 0);
  ASSERT_EQ(sh(kBin + " export " + in + " --format gab --out " + d + "/gab").status, 0);
  ASSERT_EQ(sh(kBin + " export " + in + " --format gbench --out " + d + "/gbench").status, 0);
  expect_golden(d + "/results.csv", "results.csv");
  expect_golden(d + "/bmf.json", "bmf.json");
  expect_golden(d + "/gab/bigger-is-better.json", "gab-bigger-is-better.json");
  expect_golden(d + "/gab/smaller-is-better.json", "gab-smaller-is-better.json");
  expect_golden(d + "/gbench/glibc.json", "gbench-glibc.json");
  expect_golden(d + "/gbench/jemalloc.json", "gbench-jemalloc.json");
  // Parsed as Google Benchmark's compare.py reads it.
  auto py = sh(std::string(PYTHON3) + " " + STATS_TEST_DIR + "/check_gbench.py " + d + "/gbench/glibc.json " + d +
               "/gbench/jemalloc.json");
  EXPECT_EQ(py.status, 0) << py.out;
  // BMF shape: {bench: {measure: {value, lower_value, upper_value}}}
  json bmf = json::parse(slurp(d + "/bmf.json"));
  ASSERT_TRUE(bmf.is_object() && !bmf.empty());
  for (auto& [bench, measures] : bmf.items())
    for (auto& [m, v] : measures.items()) {
      EXPECT_TRUE(v["value"].is_number()) << bench << " " << m;
      EXPECT_LE(v["lower_value"].get<double>(), v["value"].get<double>());
      EXPECT_GE(v["upper_value"].get<double>(), v["value"].get<double>());
    }
  // github-action-benchmark: [{name, unit, value, range, extra}]
  for (const char* f : {"/gab/bigger-is-better.json", "/gab/smaller-is-better.json"}) {
    json gab = json::parse(slurp(d + f));
    ASSERT_TRUE(gab.is_array() && !gab.empty());
    for (auto& e : gab) {
      EXPECT_TRUE(e["name"].is_string() && e["unit"].is_string() && e["value"].is_number() && e["range"].is_string() &&
                  e["extra"].is_string());
    }
  }
}

TEST(BadInput, ExitStatus2) {
  EXPECT_EQ(sh(kBin + " gate /nonexistent.json /nonexistent2.json").status, 2);
  EXPECT_EQ(sh(kBin + " gate " + kData + "/results.json --baseline glibc").status, 2);
  EXPECT_EQ(sh(kBin + " gate " + kData + "/results.json --baseline glibc --candidate nope").status, 2);
  auto r = sh(kBin + " gate " + kData + "/results.json --baseline glibc --candidate jemalloc --threshold ops=5%");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("not a comparable metric"), std::string::npos) << r.out;
  EXPECT_EQ(sh(kBin + " gate " + kData + "/results.json --baseline glibc --candidate jemalloc --threshold ops_per_s=x")
                .status,
            2);
  EXPECT_EQ(sh(kBin + " export " + kData + "/results.json --format nope --out /tmp/x").status, 2);
  std::string d = tmpdir("bad");
  std::ofstream(d + "/broken.json") << "{\"schema\": \"allocscope.results/1\", \"runs\": [";
  EXPECT_EQ(sh(kBin + " compare " + d + "/broken.json " + d + "/broken.json").status, 2);
}

TEST(Gate, ThresholdsDecide) {
  // Turning the memory thresholds off leaves throughput, where jemalloc is not slower.
  auto r = sh(kBin + " gate " + kData +
              "/results.json --baseline glibc --candidate jemalloc --threshold peak_rss_bytes=off,syscalls_total=off");
  EXPECT_EQ(r.status, 0) << r.out;
  // Swapped: glibc against jemalloc makes glibc's higher syscall counts a regression.
  r = sh(kBin + " gate " + kData +
         "/results.json --baseline jemalloc --candidate glibc --threshold peak_rss_bytes=off");
  EXPECT_EQ(r.status, 1) << r.out;
}

TEST(Gate, AAPasses) {
  std::string d = tmpdir("aa");
  std::string run =
      kBin + " run -q -w churn:ops=20000 -w large-blocks --allocators glibc --reps 5 --rss-interval 0 --out ";
  ASSERT_EQ(sh(run + d + "/a").status, 0);
  ASSERT_EQ(sh(run + d + "/b").status, 0);
  // --confirm re-runs any suspect job interleaved before deciding (time drifts between two runs).
  auto r = sh(kBin + " gate " + d + "/a/results.json " + d + "/b/results.json --confirm 5 --md " + d + "/gate.md");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(slurp(d + "/gate.md").find("0 regressed"), std::string::npos);
}

TEST(Gate, InjectedSlowdownIsFlagged) {
  std::string d = tmpdir("slow");
  // The shim busy-waits 2 us per malloc: several times the cost of a churn operation.
  auto run =
      sh("ALLOCSCOPE_SLOW_NS=2000 " + kBin + " run -q -w churn:ops=20000 --allocator-lib slow=" + SLOW_MALLOC_LIB +
         " --allocators glibc,slow --reps 5 --rss-interval 0 --out " + d + "/r");
  ASSERT_EQ(run.status, 0) << run.out;
  auto r = sh(kBin + " gate " + d + "/r/results.json --baseline glibc --candidate slow --md " + d + "/gate.md");
  EXPECT_EQ(r.status, 1) << r.out;
  std::string md = slurp(d + "/gate.md");
  EXPECT_TRUE(std::regex_search(md, std::regex("ops_per_s .*\\*\\*regressed\\*\\*"))) << md;
  // Memory and syscalls are glibc's: not flagged.
  EXPECT_EQ(md.find("peak_rss_bytes | ") != std::string::npos && md.find("syscalls_total") != std::string::npos, true);
  // Confirmation rounds re-run both allocators and still fail.
  r = sh("ALLOCSCOPE_SLOW_NS=2000 " + kBin + " gate " + d +
         "/r/results.json --baseline glibc --candidate slow --confirm 2");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("confirmed"), std::string::npos) << r.out;
}

TEST(Run, InstructionsUnderValgrind) {
  if (sh("command -v valgrind").status != 0) GTEST_SKIP() << "valgrind not installed";
  std::string d = tmpdir("instr");
  auto r = sh(kBin + " run -q -w churn:ops=2000 --allocators glibc,jemalloc --reps 2 --metric instructions --out " + d);
  ASSERT_EQ(r.status, 0) << r.out;
  json doc = json::parse(slurp(d + "/results.json"));
  std::map<std::string, std::vector<double>> ir;
  for (auto& run : doc["runs"]) {
    ASSERT_TRUE(run["metrics"].contains("instructions")) << run.dump();
    ir[run["allocator"]].push_back(run["metrics"]["instructions"].get<double>());
  }
  for (auto& [a, v] : ir) {
    ASSERT_EQ(v.size(), 2u);
    EXPECT_GT(v[0], 100000);
    EXPECT_NEAR(v[0], v[1], v[0] * 0.001) << a;  // deterministic within 0.1%
  }
  EXPECT_NE(ir["glibc"][0], ir["jemalloc"][0]);  // the preloaded allocator is the one counted
}

// binmalloc switches to its memcheck-support path when it sees Valgrind; the
// instruction count must be of its native path. On this shape the native path
// runs about as many instructions as glibc, the memcheck-support path ~1.5x.
TEST(Run, InstructionsCountBinmallocsNativePath) {
  if (sh("command -v valgrind").status != 0) GTEST_SKIP() << "valgrind not installed";
  if (sh(kBin + " list allocators | grep -q '^binmalloc '").status != 0) GTEST_SKIP() << "no binmalloc";
  std::string d = tmpdir("instr-bm");
  auto r = sh(kBin + " run -q -w glibc-simple:n=400,iterations=500 --allocators glibc,binmalloc --reps 1 " +
              "--metric instructions --no-syscalls --rss-interval 0 --out " + d);
  ASSERT_EQ(r.status, 0) << r.out;
  json doc = json::parse(slurp(d + "/results.json"));
  std::map<std::string, double> ir;
  for (auto& run : doc["runs"]) ir[run["allocator"]] = run["metrics"]["instructions"].get<double>();
  ASSERT_GT(ir["glibc"], 0);
  EXPECT_LT(ir["binmalloc"], 1.2 * ir["glibc"]) << "binmalloc " << ir["binmalloc"] << " glibc " << ir["glibc"];
}

TEST(Report, HtmlOpensInHeadlessChromium) {
  std::string d = tmpdir("report");
  auto r = sh(kBin + " report " + kData + "/results.json --out " + d + "/rep");
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_TRUE(fs::exists(d + "/rep/report.md"));
  std::string md = slurp(d + "/rep/report.md");
  EXPECT_NE(md.find("charts/throughput.png"), std::string::npos);
  std::string html = slurp(d + "/rep/report.html");
  EXPECT_EQ(html.find("src=\"charts/"), std::string::npos);  // self-contained: nothing linked
  if (!fs::exists(CHROMIUM)) GTEST_SKIP() << "chromium not installed";
  std::string flags =
      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
      "--disable-component-update --disable-sync --user-data-dir=" +
      d + "/profile --window-size=1200,2000 ";
  auto dom = sh(std::string(CHROMIUM) + flags + "--dump-dom file://" + d + "/rep/report.html 2>/dev/null");
  ASSERT_EQ(dom.status, 0) << dom.out;
  EXPECT_NE(dom.out.find("<h1>allocscope report</h1>"), std::string::npos) << dom.out.substr(0, 2000);
  size_t charts = 0;
  for (size_t at = 0; (at = dom.out.find("<img class=\"chart\"", at)) != std::string::npos; ++at) ++charts;
  EXPECT_EQ(charts, 6u);  // throughput, peak RSS, RSS over time, scaling, faults/syscalls, fragmentation
  // Look for error text outside the embedded images (base64 can spell anything).
  std::string text;
  const std::string marker = "data:image/png;base64,";
  for (size_t at = 0;;) {
    size_t img = dom.out.find(marker, at);
    text += dom.out.substr(at, img == std::string::npos ? std::string::npos : img - at);
    if (img == std::string::npos) break;
    at = dom.out.find('"', img);  // end of the src attribute (std::regex would overflow the stack here)
    if (at == std::string::npos) break;
  }
  for (const char* bad : {"No charts", "Traceback", "Error", "NaN"})
    EXPECT_EQ(text.find(bad), std::string::npos) << bad;
  auto shot = sh(std::string(CHROMIUM) + flags + "--screenshot=" + d + "/report.png file://" + d + "/rep/report.html");
  EXPECT_TRUE(fs::exists(d + "/report.png")) << shot.out;
  EXPECT_GT(fs::file_size(d + "/report.png"), 10000u);
  // Keep a copy for people to look at.
  fs::copy_file(d + "/report.png", fs::temp_directory_path() / "allocscope-report-screenshot.png",
                fs::copy_options::overwrite_existing);
}
