// Progress of a run on stderr: a bar with ETA on an interactive terminal,
// plain lines (one per finished job, with ETA) otherwise and when CI=true,
// nothing when quiet.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "harness/results/status.hpp"

namespace allocscope {

class Progress {
 public:
  Progress(size_t total, bool quiet);
  void start(const std::string& label);
  void finish(const std::string& status, double wall_s, const std::string& reason);
  void finish(Status status, double wall_s, const std::string& reason) { finish(to_string(status), wall_s, reason); }
  void done();
  double eta_seconds() const;  // -1 before the first job finished

 private:
  size_t total_, finished_ = 0;
  bool quiet_, tty_;
  std::string label_;
  std::chrono::steady_clock::time_point t0_;
};

}  // namespace allocscope
