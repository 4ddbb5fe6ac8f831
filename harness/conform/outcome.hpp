// The result of one glibc malloc test under one allocator, and how it is
// read from the test's process.
#pragma once

#include <string>

#include "harness/conform/child.hpp"

namespace allocscope::conform {

// pass | fail | crash | timeout | hang | unsupported | build-error | interrupted
// (hang: timed out while the test's own liveness check said it was stuck)
struct Outcome {
  std::string status;
  std::string message;  // why, when not pass: the test's last error line, the signal, ...
  int exit_code = -1;
  int signal = 0;
  double seconds = 0;
  std::string log;  // when not pass: the run's output, relative to the run folder ("logs/<test>.<allocator>.txt")
};

// Classifies a finished test process. The driver's line on descriptor 3
// says which signal or exit status the test expects (a test may expect
// SIGABRT, e.g. from a double free); the output gives the failure message.
Outcome classify(const ChildResult& r, double timeout_s);

// The line of `output` that best says why a test failed: the last one that
// mentions an error or a failure, else the last non-empty line.
std::string failure_line(const std::string& output);

}  // namespace allocscope::conform
