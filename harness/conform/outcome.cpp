#include "harness/conform/outcome.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <sstream>

namespace allocscope::conform {

namespace {

constexpr int kExitUnsupported = 77;

int expectation(const std::string& fd3, const std::string& key) {
  auto pos = fd3.find(key + "=");
  return pos == std::string::npos ? 0 : std::atoi(fd3.c_str() + pos + key.size() + 1);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string signal_text(int sig) {
  return fmt::format("signal {} ({})", sig, strsignal(sig));
}

std::string with_line(std::string what, const std::string& output) {
  std::string line = failure_line(output);
  return line.empty() ? what : what + ": " + line;
}

}  // namespace

std::string failure_line(const std::string& output) {
  std::istringstream in(output);
  std::string last, last_error;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty()) continue;
    last = line;
    std::string l = lower(line);
    // The driver's own summary ("error: 2 test failures") says less than
    // the failure it counts.
    bool summary = l.rfind("error: ", 0) == 0 && l.find(" test failures") != std::string::npos;
    if (summary && !last_error.empty()) continue;
    if (l.find("error") != std::string::npos || l.find("fail") != std::string::npos ||
        l.find("corrupt") != std::string::npos || l.find("double free") != std::string::npos)
      last_error = line;
  }
  std::string pick = last_error.empty() ? last : last_error;
  return pick.size() > 200 ? pick.substr(0, 197) + "..." : pick;
}

Outcome classify(const ChildResult& r, double timeout_s) {
  Outcome o;
  o.seconds = r.seconds;
  o.exit_code = r.exit_code;
  o.signal = r.signal;
  const int expected_signal = expectation(r.fd3, "expected_signal");
  const int expected_status = expectation(r.fd3, "expected_status");
  if (!r.started) {
    o.status = "fail";
    o.message = "could not start: " + r.output;
  } else if (r.interrupted) {
    o.status = "interrupted";
  } else if (r.timed_out && r.output.find("seems to be stuck") != std::string::npos) {
    // The fork tests check their own progress every second: a deadlock.
    o.status = "hang";
    o.message = fmt::format("no result after {:g} s, and the test's liveness check reported it stuck", timeout_s);
  } else if (r.timed_out) {
    o.status = "timeout";
    o.message = fmt::format("no result after {:g} s (still making progress as far as the test can tell)", timeout_s);
  } else if (r.signal != 0 && r.signal == expected_signal) {
    o.status = "pass";
  } else if (r.signal != 0) {
    o.status = "crash";
    o.message = with_line(signal_text(r.signal), r.output);
  } else if (r.exit_code == kExitUnsupported) {
    o.status = "unsupported";
    o.message = failure_line(r.output);
  } else if (expected_signal != 0) {
    o.status = "fail";
    o.message = with_line(fmt::format("expected {}, exited with status {}", signal_text(expected_signal), r.exit_code),
                          r.output);
  } else if (r.exit_code == expected_status) {
    o.status = "pass";
  } else {
    o.status = "fail";
    o.message = with_line(fmt::format("exit status {}", r.exit_code), r.output);
  }
  return o;
}

}  // namespace allocscope::conform
