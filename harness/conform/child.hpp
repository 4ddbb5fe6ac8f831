// Runs one program in a child process of its own process group: output
// (standard output and standard error together) and descriptor 3 go to
// temporary files, so a chatty child never blocks; a time limit kills the
// whole group. Safe to call from several threads at once.
#pragma once

#include <string>
#include <vector>

namespace allocscope::conform {

struct ChildSpec {
  std::vector<std::string> argv;     // argv[0] is a path, or a name looked up in PATH
  std::vector<std::string> env_set;  // "NAME=value", added to (or replacing in) the environment
  std::string cwd;                   // empty: the current directory
  double timeout_s = 0;              // 0: none
};

struct ChildResult {
  bool started = false;  // false: fork or exec failed (see output)
  bool timed_out = false;
  bool interrupted = false;  // allocscope was asked to stop
  int exit_code = -1;        // when it exited
  int signal = 0;            // when a signal killed it
  double seconds = 0;
  std::string output;  // the last 16 KiB of standard output and error
  std::string fd3;     // what it wrote on descriptor 3
};

ChildResult run_child(const ChildSpec& spec);

}  // namespace allocscope::conform
