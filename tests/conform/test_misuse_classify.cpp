// Where a misuse case was stopped, read from its stage lines, its exit and
// the allocator's diagnostic.
#include <gtest/gtest.h>
#include <signal.h>

#include "harness/conform/misuse_matrix.hpp"

using allocscope::conform::ChildResult;
using allocscope::conform::classify_misuse;

namespace {

ChildResult result(std::string fd3, int exit_code, int sig, std::string output = "") {
  ChildResult r;
  r.started = true;
  r.fd3 = std::move(fd3);
  r.exit_code = exit_code;
  r.signal = sig;
  r.output = std::move(output);
  return r;
}

}  // namespace

TEST(MisuseClassify, AbortDuringTheMisuseIsCaught) {
  auto c = classify_misuse(result("stage misuse\n", -1, SIGABRT, "free(): double free detected in tcache 2\n"));
  EXPECT_EQ(c.outcome, "caught");
  EXPECT_NE(c.message.find("double free"), std::string::npos);
}

TEST(MisuseClassify, AbortAfterTheMisuseIsLate) {
  EXPECT_EQ(classify_misuse(result("stage misuse\nstage after\n", -1, SIGABRT, "corrupted\n")).outcome, "late");
}

TEST(MisuseClassify, FaultWithoutDiagnosticIsCrashed) {
  EXPECT_EQ(classify_misuse(result("stage misuse\n", -1, SIGSEGV)).outcome, "crashed");
  EXPECT_EQ(classify_misuse(result("stage misuse\nstage after\n", -1, SIGBUS)).outcome, "crashed");
}

TEST(MisuseClassify, DiagnosticWithAFaultIsStillACatch) {
  EXPECT_EQ(classify_misuse(result("stage misuse\n", -1, SIGSEGV, "allocator: invalid free\n")).outcome, "caught");
}

TEST(MisuseClassify, RunningThroughIsNotCaughtAndRefusalIsCaught) {
  auto c = classify_misuse(result("stage misuse\nstage after\nverdict unnoticed the second free went through\n", 0, 0));
  EXPECT_EQ(c.outcome, "not-caught");
  EXPECT_EQ(c.detail, "the second free went through");
  EXPECT_EQ(classify_misuse(result("stage misuse\nverdict refused malloc returned NULL\n", 0, 0)).outcome, "caught");
}

TEST(MisuseClassify, Timeout) {
  ChildResult r = result("stage misuse\nstage after\n", -1, 0);
  r.timed_out = true;
  auto c = classify_misuse(r);
  EXPECT_EQ(c.outcome, "timeout");
  EXPECT_EQ(c.detail, "in stage after");
}
