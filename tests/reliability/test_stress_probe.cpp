// allocscope stress and probe: they run under each allocator in a child and
// report; a broken allocator is found, never crashes allocscope.
#include <gtest/gtest.h>

#include "tests/common/expected_allocators.hpp"
#include "tests/reliability/cli_runner.hpp"

using namespace rt;

namespace {

bool have_allocator(const std::string& name) {
  CliResult r = run_cli({"list", "allocators"});
  return r.out.find("\n" + name + " ") != std::string::npos || r.out.rfind(name + " ", 0) == 0;
}

}  // namespace

TEST(Stress, GlibcPasses) {
  CliResult r = run_cli({"stress", "-a", "glibc", "--threads", "2", "--seconds", "1", "--json"});
  ASSERT_EQ(r.rc, 0) << r.out << r.err;
  json rep = json::parse(r.out);
  ASSERT_EQ(rep.size(), 1u);
  EXPECT_EQ(rep[0]["status"], "ok");
  EXPECT_GT(rep[0].value("ops", 0), 1000);
  EXPECT_GT(rep[0].value("forks", 0), 0);
  EXPECT_GT(rep[0].value("remote_frees", 0), 0);
}

TEST(Stress, FindsNonZeroCallocAndReproducesFromSeed) {
  std::vector<std::string> args{"stress",    "-a",    "bad",   "--allocator-lib", "bad=" BADCALLOC_SHIM,
                                "--threads", "1",     "--ops", "200000",          "--seed",
                                "9",         "--json"};
  CliResult r = run_cli(args);
  ASSERT_EQ(r.rc, 1) << r.out << r.err;
  json v = json::parse(r.out)[0];
  EXPECT_EQ(v["status"], "violation");
  EXPECT_EQ(v["violation"]["op"], "calloc");
  EXPECT_NE(v["reproduce"].get<std::string>().find("--seed 9"), std::string::npos);
  json again = json::parse(run_cli(args).out)[0];
  for (const char* k : {"op", "size", "thread", "op_index", "block_id"})  // the address differs (ASLR)
    EXPECT_EQ(again["violation"][k], v["violation"][k]) << k;
}

TEST(Stress, CrashingAllocatorIsReported) {
  CliResult r = run_cli(
      {"stress", "-a", "crash", "--allocator-lib", "crash=" CRASH_SHIM, "--threads", "2", "--seconds", "1", "--json"},
      {"ALLOCSCOPE_SHIM_N=50"});  // in the parent, before any fork
  ASSERT_EQ(r.rc, 1) << r.err;
  json v = json::parse(r.out)[0];
  EXPECT_EQ(v["status"], "crashed");
}

TEST(Probe, GlibcDetectsDoubleFreeAndConforms) {
  CliResult r = run_cli({"probe", "-a", "glibc", "--json"});
  ASSERT_EQ(r.rc, 0) << r.err;
  json rep = json::parse(r.out);
  EXPECT_EQ(rep["glibc"]["misuse"]["double_free"]["outcome"], "detected");
  EXPECT_NE(rep["glibc"]["misuse"]["double_free"].value("message", "").find("double free"), std::string::npos);
  EXPECT_GE(rep["glibc"].value("detected", 0), 3);
  for (const auto& [name, s] : rep["glibc"]["api"]["symbols"].items())
    EXPECT_FALSE(s.value("interposed", true)) << name;
  EXPECT_EQ(rep["glibc"]["api"]["findings"].size(), 0u) << rep["glibc"]["api"].dump(1);
}

// A shim that interposes only malloc: the other entry points are reported as
// not interposed, and probing it never crashes allocscope.
TEST(Probe, PartialInterpositionIsAFinding) {
  CliResult r =
      run_cli({"probe", "-a", "abort", "--allocator-lib", "abort=" ABORT_SHIM, "--probes", "double_free", "--json"},
              {"ALLOCSCOPE_SHIM_N=1000000000"});
  ASSERT_EQ(r.rc, 0) << r.err;
  json api = json::parse(r.out)["abort"]["api"];
  EXPECT_TRUE(api["symbols"]["malloc"]["interposed"].get<bool>());
  EXPECT_FALSE(api["symbols"]["free"]["interposed"].get<bool>());
  bool free_finding = false;
  for (const auto& f : api["findings"]) free_finding |= f.get<std::string>().rfind("free is not interposed", 0) == 0;
  EXPECT_TRUE(free_finding) << api.dump(1);
}

// binmalloc must detect at least as many misuses as glibc. Two probes
// overwrite a cached block's safe-linked link (uaf_poison with an address,
// uaf_write with 0x5a bytes): the pointer the allocator then reveals is
// caught by its alignment check unless the heap address's mask happens to
// make it aligned, about 1 time in 16 (ASLR), and the wild pointer then
// crashes. There a crash counts as the detection it replaces (300 runs of
// `allocscope probe -a glibc,binmalloc --probes uaf_poison`: 29 crashes of
// glibc, 21 of binmalloc). Counting only "detected", the test failed when
// both of binmalloc's crashed in one run, about 1 run in 270.
TEST(Probe, BinmallocDetectsAtLeastAsMuchAsGlibc) {
  if (!have_allocator("binmalloc")) GTEST_SKIP() << "binmalloc is not built here";
  CliResult r = run_cli({"probe", "-a", "glibc,binmalloc", "--no-api", "--json"});
  ASSERT_EQ(r.rc, 0) << r.err;
  json rep = json::parse(r.out);
  auto stopped = [&](const char* allocator) {
    int n = 0;
    for (const auto& [probe, res] : rep[allocator]["misuse"].items()) {
      const std::string outcome = res["outcome"];
      const bool by_mask = probe == "uaf_poison" || probe == "uaf_write";
      n += outcome == "detected" || (by_mask && outcome == "crashed");
    }
    return n;
  };
  EXPECT_GE(stopped("binmalloc"), stopped("glibc")) << rep.dump(1);
}

// Every expected allocator survives the stress run (threads, remote frees,
// realloc chains, aligned allocations, every call checked), not only glibc.
// Without the fork check (--no-fork): under these allocators it did not end
// reliably (tbbmalloc 2021.8 once left a forked child hung for 10 s; one
// jemalloc run in the TSan tree never ended within its 34 s limit); both are
// recorded in docs/reliability.md, and forks stay checked under glibc
// (GlibcPasses). One known exception, found by this test: mimalloc 2.0.9
// (Debian 12's) returns a block that is not aligned when the size equals an
// alignment of 256, 512 or 1024 (upstream issue microsoft/mimalloc#700, fixed
// after 2.0.9); a violation of mimalloc is accepted only when it is exactly that.
TEST(Stress, EveryExpectedAllocatorPasses) {
  std::string list;
  for (const auto& a : allocscope::test::expected_allocators())
    if (a != "glibc") list += (list.empty() ? "" : ",") + a;
  CliResult r = run_cli({"stress", "-a", list, "--threads", "2", "--seconds", "1", "--no-fork", "--json"});
  json rep = json::parse(r.out);
  ASSERT_EQ(rep.size(), allocscope::test::expected_allocators().size() - 1) << r.out << r.err;
  bool any_violation = false;
  for (const auto& a : rep) {
    if (a["allocator"] == "mimalloc" && a["status"] == "violation") {
      any_violation = true;
      const json& v = a["violation"];
      const std::string op = v.value("op", ""), detail = v.value("detail", "");
      const size_t size = v.value("size", size_t{0});
      EXPECT_TRUE(op == "aligned_alloc" || op == "memalign" || op == "posix_memalign") << a.dump();
      EXPECT_TRUE(size == 256 || size == 512 || size == 1024) << a.dump();
      EXPECT_NE(detail.find("not aligned to " + std::to_string(size)), std::string::npos) << a.dump();
      continue;
    }
    EXPECT_EQ(a["status"], "ok") << a.dump();
    EXPECT_GT(a.value("ops", 0), 1000) << a.dump();
    EXPECT_EQ(a.value("forks", -1), 0) << a.dump();
    EXPECT_GT(a.value("remote_frees", 0), 0) << a.dump();
  }
  EXPECT_EQ(r.rc, any_violation ? 1 : 0) << r.err;
}
