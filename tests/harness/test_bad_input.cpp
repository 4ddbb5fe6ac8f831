// Bad input is rejected with the list of valid choices and exit status 2.
#include <gtest/gtest.h>

#include "tests/harness/cli_runner.hpp"

using allocscope::test::run_cmd;
using allocscope::test::TempDir;

namespace {

struct BadCase {
  std::vector<std::string> args;
  std::string message;  // a fragment the error must contain
};

class BadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadInput, ExitsWithStatus2AndExplains) {
  TempDir dir;
  std::vector<std::string> argv{ALLOCSCOPE_BIN};
  for (const auto& a : GetParam().args) argv.push_back(a == "OUT" ? dir.path() : a);
  auto r = run_cmd(argv);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find(GetParam().message), std::string::npos) << "stderr: " << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    Cli, BadInput,
    ::testing::Values(
        BadCase{{"run", "--allocators", "nosuch", "-w", "churn", "--out", "OUT"},
                "unknown allocator 'nosuch'; valid allocators: glibc"},
        BadCase{{"run", "-w", "nosuch", "--out", "OUT"}, "unknown workload 'nosuch'; valid workloads:"},
        BadCase{{"run", "-w", "churn:bogus=1", "--out", "OUT"},
                "unknown parameter 'bogus'; valid parameters: ops, slots, min, max"},
        BadCase{{"run", "-w", "churn:ops=abc", "--out", "OUT"}, "parameter 'ops' = 'abc': not an integer"},
        BadCase{{"run", "-w", "churn:ops=-5", "--out", "OUT"}, "out of range"},
        BadCase{{"run", "-w", "churn:min=2K,max=1K", "--out", "OUT"}, "must not exceed"},
        BadCase{{"run", "-w", "churn:ops", "--out", "OUT"}, "is not key=value"},
        BadCase{{"run", "--threads", "0", "-w", "churn"}, "--threads"},
        BadCase{{"run", "--reps", "0", "-w", "churn"}, "--reps"},
        BadCase{{"run", "--suite", "nosuch"}, "unknown suite 'nosuch'"},
        BadCase{{"run", "--mem-limit", "lots", "-w", "churn"}, "--mem-limit"},
        BadCase{{"run", "--allocator-lib", "broken", "-w", "churn"}, "expected NAME=/path/to/lib.so"},
        BadCase{{"run", "--allocator-lib", "x=/no/such/lib.so", "-w", "churn"}, "cannot read /no/such/lib.so"},
        BadCase{{"run", "--exec"}, "--exec needs a command"},
        BadCase{{"run", "--no-such-option"}, "unrecognised option"},
        BadCase{{"list", "things"}, "unknown list 'things'"}, BadCase{{"frobnicate"}, "unknown command 'frobnicate'"}));

}  // namespace
