// How a glibc test's process is read: expected signals, exit 77, hangs,
// and which output line explains a failure.
#include <gtest/gtest.h>

#include "harness/conform/outcome.hpp"

using allocscope::conform::ChildResult;
using allocscope::conform::classify;
using allocscope::conform::failure_line;

namespace {

ChildResult exited(int code, std::string output = "", std::string fd3 = "expected_signal=0 expected_status=0") {
  ChildResult r;
  r.started = true;
  r.exit_code = code;
  r.output = std::move(output);
  r.fd3 = std::move(fd3);
  return r;
}

ChildResult killed(int sig, std::string output = "", std::string fd3 = "expected_signal=0 expected_status=0") {
  ChildResult r = exited(-1, std::move(output), std::move(fd3));
  r.signal = sig;
  return r;
}

}  // namespace

TEST(ConformOutcome, ExitZeroIsPass) {
  EXPECT_EQ(classify(exited(0), 10).status, "pass");
}

TEST(ConformOutcome, ExitOneIsFailWithTheErrorLine) {
  auto o = classify(exited(1, "info: start\nerror: tst.c:12: not true: p != NULL\ninfo: done\n"), 10);
  EXPECT_EQ(o.status, "fail");
  EXPECT_NE(o.message.find("not true: p != NULL"), std::string::npos) << o.message;
}

TEST(ConformOutcome, ExpectedSignalIsPass) {
  EXPECT_EQ(classify(killed(6, "free(): double free detected in tcache 2\n", "expected_signal=6"), 10).status, "pass");
}

TEST(ConformOutcome, MissingExpectedSignalIsFail) {
  auto o = classify(exited(1, "FAIL: tcache double free not detected\n", "expected_signal=6 expected_status=0"), 10);
  EXPECT_EQ(o.status, "fail");
  EXPECT_NE(o.message.find("expected signal 6"), std::string::npos) << o.message;
  EXPECT_NE(o.message.find("not detected"), std::string::npos) << o.message;
}

TEST(ConformOutcome, OtherSignalIsCrash) {
  auto o = classify(killed(11, "", "expected_signal=6"), 10);
  EXPECT_EQ(o.status, "crash");
  EXPECT_NE(o.message.find("signal 11"), std::string::npos) << o.message;
}

TEST(ConformOutcome, Exit77IsUnsupported) {
  EXPECT_EQ(classify(exited(77), 10).status, "unsupported");
}

TEST(ConformOutcome, TimeoutAndHangAreTold) {
  ChildResult r = exited(-1, "info: working\n");
  r.timed_out = true;
  EXPECT_EQ(classify(r, 5).status, "timeout");
  r.output = "warning: process seems to be stuck\n";
  EXPECT_EQ(classify(r, 5).status, "hang");
}

TEST(ConformOutcome, NoFd3LineMeansExitZeroPasses) {
  // A test killed before the driver ran reports nothing on descriptor 3.
  EXPECT_EQ(classify(exited(0, "", ""), 10).status, "pass");
  EXPECT_EQ(classify(killed(6, "", ""), 10).status, "crash");
}

TEST(ConformOutcome, FailureLineFallsBackToTheLastLine) {
  EXPECT_EQ(failure_line("one\ntwo\n\n"), "two");
  EXPECT_EQ(failure_line("error: first\nsecond\n"), "error: first");
  EXPECT_EQ(failure_line(""), "");
}
