#include "harness/runner/launch_classify.hpp"

#include <fmt/format.h>
#include <sys/wait.h>

#include <csignal>
#include <cstring>

#include "allocscope/exit_codes.hpp"

namespace allocscope {

namespace {

// A job that ran to its end by itself: ok, oom, crashed or failed.
void classify_natural_end(const EndFacts& f, EndClass& c) {
  if (c.exit_code == 0) {
    c.status = "ok";
  } else if (f.in_cgroup && f.cgroup_oom_kills > 0) {
    c.status = "oom";
    c.reason = "killed by the OOM killer at the memory cgroup limit of " + std::to_string(f.mem_limit_bytes) +
               " bytes (peak " + std::to_string(f.cgroup_peak_bytes) + ")";
  } else if (c.exit_code == kOomExitCode || (!f.in_cgroup && c.signal == SIGKILL)) {
    c.status = "oom";
    c.reason =
        c.exit_code == kOomExitCode ? "allocation failed under the memory limit" : "killed by SIGKILL (out of memory)";
  } else if (c.signal == SIGABRT && f.mem_limit_bytes &&
             f.stderr_tail.find("instance of 'std::bad_alloc'") != std::string::npos) {
    // A C++ program that let std::bad_alloc escape under the memory limit.
    c.status = "oom";
    c.reason = "std::bad_alloc under the memory limit (terminate)";
  } else if (c.signal) {
    c.status = "crashed";
    c.reason = "killed by signal " + std::to_string(c.signal) + " (" + strsignal(c.signal) + ")";
  } else {
    c.status = "failed";
    c.reason = "exit status " + std::to_string(c.exit_code);
  }
}

}  // namespace

EndClass classify_end(const EndFacts& f) {
  EndClass c;
  if (WIFEXITED(f.wait_status)) c.exit_code = WEXITSTATUS(f.wait_status);
  if (WIFSIGNALED(f.wait_status)) c.signal = WTERMSIG(f.wait_status);
  if (f.exec_errno) {
    c.status = "failed";
    c.reason = "cannot execute " + f.program + ": " + std::strerror(f.exec_errno);
  } else if (f.killed_by_us == "timeout") {
    c.status = "timeout";
    c.reason = fmt::format("wall-clock limit of {:g} s reached", f.timeout_s);
    if (!f.stuck_at.empty()) c.reason += "; its threads then:\n" + f.stuck_at;
  } else if (f.killed_by_us == "interrupted") {
    c.status = "interrupted";
    c.reason = "stopped by a signal to allocscope";
  } else {
    classify_natural_end(f, c);
  }
  return c;
}

}  // namespace allocscope
