// Integration tests of compare, gate, export and report through the allocscope
// binary: golden files for the Markdown and every export format, an A/A gate
// that passes, an injected slowdown (test shim) that the gate flags, bad input,
// and the HTML report opened in headless Chromium. No timing assertions: the
// gate decides on fixed result files (data/, recorded once), or on exact
// instruction counts under Valgrind where the shim adds a fixed number of
// instructions per malloc.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/common/require_tool.hpp"
#include "tests/common/scratch_root.hpp"

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

// A folder of its own for each use, inside this process's scratch root.
std::string tmpdir(const std::string& name) {
  static const allocscope::test::ScratchRoot root("allocscope-stats-test");
  std::string d = (root.path() / name).string();
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// Compares `actual` with the committed golden file. Golden files change only
// through scripts/update-golden, which writes them into the tree for review.
void expect_golden(const std::string& actual_path, const std::string& golden_name) {
  std::string golden = kData + "/expected/" + golden_name;
  std::string actual = slurp(actual_path);
  ASSERT_TRUE(fs::exists(golden)) << golden << " missing (scripts/update-golden writes it)";
  EXPECT_EQ(actual, slurp(golden)) << "differs from " << golden << "; diff " << actual_path << " " << golden
                                   << " (if the change is intended: scripts/update-golden, then review git diff)";
}

// The gate on exact instruction counts only (1%), the default thresholds off.
const std::string kOnlyInstructions =
    " --threshold instructions=1%,ops_per_s=off,peak_rss_bytes=off,syscalls_total=off ";

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = 0; (at = text.find(what, at)) != std::string::npos; at += what.size()) ++n;
  return n;
}

// allocator -> instruction counts of its runs, in order.
std::map<std::string, std::vector<double>> instructions_by_allocator(const std::string& results) {
  json doc = json::parse(slurp(results));
  std::map<std::string, std::vector<double>> ir;
  for (auto& run : doc["runs"]) {
    EXPECT_TRUE(run["metrics"].contains("instructions")) << run.dump();
    ir[run["allocator"]].push_back(run["metrics"].value("instructions", 0.0));
  }
  return ir;
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

// Bad input: exit status 2 and a message naming what was wrong.
TEST(BadInput, ExitStatus2) {
  const std::string in = kData + "/results.json";
  struct Case {
    std::string args, message;
  };
  std::string d = tmpdir("bad");
  std::ofstream(d + "/broken.json") << "{\"schema\": \"allocscope.results/1\", \"runs\": [";
  const std::vector<Case> cases = {
      {"gate /nonexistent.json /nonexistent2.json", "/nonexistent.json"},
      {"gate " + in + " --baseline glibc", "--candidate"},
      {"gate " + in + " --baseline glibc --candidate nope", "'nope'"},
      {"gate " + in + " --baseline glibc --candidate jemalloc --threshold ops=5%", "not a comparable metric"},
      {"gate " + in + " --baseline glibc --candidate jemalloc --threshold ops_per_s=x", "ops_per_s=x"},
      {"export " + in + " --format nope --out " + d + "/x", "'nope'"},
      {"compare " + d + "/broken.json " + d + "/broken.json", "broken.json"},
  };
  for (const auto& c : cases) {
    auto r = sh(kBin + " " + c.args);
    EXPECT_EQ(r.status, 2) << c.args << "\n" << r.out;
    EXPECT_NE(r.out.find(c.message), std::string::npos) << c.args << ": the message should name " << c.message << "\n"
                                                        << r.out;
  }
  EXPECT_FALSE(fs::exists(d + "/x")) << "nothing written on bad input";
}

// A/A on two recorded runs of the same jobs (data/aa-a.json, data/aa-b.json;
// data/README.md has the command): real noise between two separate runs, and
// the gate must not call it a regression. Fixed inputs, so a fixed verdict.
TEST(Gate, AAPassesOnRecordedRuns) {
  std::string d = tmpdir("aa");
  auto r = sh(kBin + " gate " + kData + "/aa-a.json " + kData + "/aa-b.json --md " + d + "/gate.md");
  EXPECT_EQ(r.status, 0) << r.out;
  std::string md = slurp(d + "/gate.md");
  EXPECT_NE(md.find("0 regressed"), std::string::npos) << md;
  EXPECT_EQ(md.find("**regressed**"), std::string::npos) << md;
  // Every default metric with samples was looked at, for every job.
  for (const char* m : {"ops_per_s", "peak_rss_bytes", "syscalls_total"})
    EXPECT_NE(md.find(m), std::string::npos) << m << "\n" << md;
}

// A/A end to end on exact counts: two separate runs under Valgrind count the
// same instructions, and the gate on them passes.
TEST(Gate, AAPassesOnInstructionCounts) {
  ALLOCSCOPE_REQUIRE_PROGRAM("valgrind");
  std::string d = tmpdir("aa-instr");
  std::string run = kBin +
                    " run -q -w churn:ops=2000 --allocators glibc --reps 2 --metric instructions --no-syscalls "
                    "--rss-interval 0 --out ";
  ASSERT_EQ(sh(run + d + "/a").status, 0);
  ASSERT_EQ(sh(run + d + "/b").status, 0);
  auto r = sh(kBin + " gate " + d + "/a/results.json " + d + "/b/results.json" + kOnlyInstructions + "--md " + d +
              "/gate.md");
  EXPECT_EQ(r.status, 0) << r.out;
  std::string md = slurp(d + "/gate.md");
  EXPECT_NE(md.find("instructions"), std::string::npos) << md;
  EXPECT_EQ(md.find("**regressed**"), std::string::npos) << md;
}

// The shim runs ALLOCSCOPE_SLOW_ITERS loop iterations in every malloc before
// glibc's: a fixed number of extra instructions per call, which the gate on
// instruction counts must flag, and nothing else.
TEST(Gate, InjectedSlowdownIsFlagged) {
  ALLOCSCOPE_REQUIRE_PROGRAM("valgrind");
  std::string d = tmpdir("slow");
  auto run = sh(
      "ALLOCSCOPE_SLOW_ITERS=500 " + kBin + " run -q -w churn:ops=2000 --allocator-lib slow=" + SLOW_MALLOC_LIB +
      " --allocators glibc,slow --reps 2 --metric instructions --no-syscalls " + "--rss-interval 0 --out " + d + "/r");
  ASSERT_EQ(run.status, 0) << run.out;
  auto ir = instructions_by_allocator(d + "/r/results.json");
  ASSERT_EQ(ir["glibc"].size(), 2u);
  ASSERT_EQ(ir["slow"].size(), 2u);
  // At least one loop instruction per iteration for each of the >= 1000 mallocs
  // (churn: ops counts mallocs and frees, half and half once the slots are full).
  EXPECT_GT(ir["slow"][0] - ir["glibc"][0], 500.0 * 1000) << ir["slow"][0] << " vs " << ir["glibc"][0];
  auto r = sh(kBin + " gate " + d + "/r/results.json --baseline glibc --candidate slow" + kOnlyInstructions + "--md " +
              d + "/gate.md");
  EXPECT_EQ(r.status, 1) << r.out;
  std::string md = slurp(d + "/gate.md");
  EXPECT_TRUE(std::regex_search(md, std::regex("instructions .*\\*\\*regressed\\*\\*"))) << md;
  EXPECT_EQ(count_of(md, "**regressed**"), 1u) << "only the instruction count regressed\n" << md;
  EXPECT_NE(r.out.find("instructions"), std::string::npos) << r.out;
}

// The gate's verdict on the recorded glibc/jemalloc runs (data/results.json),
// metric by metric: jemalloc holds more memory; glibc makes more syscalls.
TEST(Gate, ThresholdsDecide) {
  std::string d = tmpdir("thresholds");
  const std::string in = kData + "/results.json";
  auto r = sh(kBin + " gate " + in + " --baseline glibc --candidate jemalloc --md " + d + "/default.md");
  EXPECT_EQ(r.status, 1) << r.out;
  std::string md = slurp(d + "/default.md");
  EXPECT_TRUE(std::regex_search(md, std::regex("peak_rss_bytes .*\\*\\*regressed\\*\\*"))) << md;
  EXPECT_FALSE(std::regex_search(md, std::regex("ops_per_s .*\\*\\*regressed\\*\\*"))) << md;
  // Turning the memory thresholds off leaves throughput, where jemalloc is not slower.
  r = sh(kBin + " gate " + in +
         " --baseline glibc --candidate jemalloc --threshold peak_rss_bytes=off,syscalls_total=off --md " + d +
         "/off.md");
  EXPECT_EQ(r.status, 0) << r.out;
  md = slurp(d + "/off.md");
  EXPECT_EQ(md.find("**regressed**"), std::string::npos) << md;
  EXPECT_NE(md.find("0 regressed"), std::string::npos) << md;
  // Swapped: glibc against jemalloc makes glibc's higher syscall counts a regression.
  r = sh(kBin + " gate " + in + " --baseline jemalloc --candidate glibc --threshold peak_rss_bytes=off --md " + d +
         "/swapped.md");
  EXPECT_EQ(r.status, 1) << r.out;
  md = slurp(d + "/swapped.md");
  EXPECT_TRUE(std::regex_search(md, std::regex("syscalls_total .*\\*\\*regressed\\*\\*"))) << md;
  EXPECT_FALSE(std::regex_search(md, std::regex("peak_rss_bytes .*\\*\\*regressed\\*\\*"))) << md;
}

TEST(Run, InstructionsUnderValgrind) {
  ALLOCSCOPE_REQUIRE_PROGRAM("valgrind");
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

// The preload path of an allocator, from `allocscope list allocators`.
std::string preload_of(const std::string& allocator) {
  auto list = sh(kBin + " list allocators");
  std::istringstream in(list.out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    std::string name, version, path;
    ls >> name >> version >> path;
    if (name == allocator) return path;
  }
  return "";
}

// binmalloc switches to its memcheck-support path when it sees Valgrind; the
// instruction count must be of its native path. Exact counts, compared three
// ways: binmalloc as allocscope runs it, the same library preloaded as a user
// allocator with BINMALLOC_VALGRIND=0 (the native path, forced), and with
// BINMALLOC_VALGRIND=1 (the memcheck-support path, forced).
TEST(Run, InstructionsCountBinmallocsNativePath) {
  ALLOCSCOPE_REQUIRE_PROGRAM("valgrind");
  const std::string lib = preload_of("binmalloc");
  ASSERT_FALSE(lib.empty()) << "binmalloc is one of the expected allocators";
  std::string d = tmpdir("instr-bm");
  const std::string args =
      " run -q -w glibc-simple:n=400,iterations=250 --reps 1 --metric instructions "
      "--no-syscalls --rss-interval 0 --allocator-lib forced=" +
      lib + " --allocators binmalloc,forced --out ";
  auto native = sh("BINMALLOC_VALGRIND=0 " + kBin + args + d + "/native");
  ASSERT_EQ(native.status, 0) << native.out;
  auto vg = sh("BINMALLOC_VALGRIND=1 " + kBin + args + d + "/vg");
  ASSERT_EQ(vg.status, 0) << vg.out;
  auto n = instructions_by_allocator(d + "/native/results.json");
  auto v = instructions_by_allocator(d + "/vg/results.json");
  ASSERT_EQ(n["binmalloc"].size(), 1u);
  ASSERT_EQ(n["forced"].size(), 1u);
  ASSERT_EQ(v["forced"].size(), 1u);
  // As allocscope runs it: the native path's count, whatever BINMALLOC_VALGRIND
  // the caller had set (within 1%: the two differ by their environment and
  // preload path, ~74k instructions of start-up measured, 0.3% here).
  EXPECT_NEAR(n["binmalloc"][0], n["forced"][0], n["forced"][0] * 0.01);
  EXPECT_NEAR(v["binmalloc"][0], n["forced"][0], n["forced"][0] * 0.01);
  // The memcheck-support path counts ~1.5x as many: the comparison above can fail.
  EXPECT_GT(std::abs(v["forced"][0] - n["forced"][0]), n["forced"][0] * 0.1)
      << "native " << n["forced"][0] << " memcheck-support " << v["forced"][0];
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
  ALLOCSCOPE_REQUIRE_PROGRAM(CHROMIUM);
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
