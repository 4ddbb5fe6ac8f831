#include "progress.hpp"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace allocscope {

Progress::Progress(size_t total, bool quiet)
    : total_(total), quiet_(quiet), tty_(::isatty(STDERR_FILENO) != 0), t0_(std::chrono::steady_clock::now()) {}

namespace {
std::string eta_text(double seconds) {
  if (seconds < 0) return "?";
  int s = static_cast<int>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}h{:02}m", s / 3600, s / 60 % 60) : fmt::format("{}m{:02}s", s / 60, s % 60);
}
}  // namespace

void Progress::start(const std::string& label) {
  label_ = label;
  if (quiet_ || !tty_) return;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  double eta = finished_ ? elapsed / static_cast<double>(finished_) * static_cast<double>(total_ - finished_) : -1;
  const int width = 30;
  int filled = total_ ? static_cast<int>(width * finished_ / total_) : width;
  std::fprintf(stderr, "\r\033[K[%s%s] %zu/%zu ETA %s  %s", std::string(static_cast<size_t>(filled), '#').c_str(),
               std::string(static_cast<size_t>(width - filled), '.').c_str(), finished_, total_,
               eta_text(eta).c_str(), label_.c_str());
  std::fflush(stderr);
}

void Progress::finish(const std::string& status, double wall_s, const std::string& reason) {
  ++finished_;
  if (quiet_) return;
  if (tty_) {
    if (status != "ok") std::fprintf(stderr, "\r\033[K%s: %s (%s)\n", label_.c_str(), status.c_str(), reason.c_str());
    return;
  }
  std::fprintf(stderr, "[%zu/%zu] %s: %s %.2fs%s\n", finished_, total_, label_.c_str(), status.c_str(), wall_s,
               reason.empty() ? "" : (" (" + reason + ")").c_str());
}

void Progress::done() {
  if (!quiet_ && tty_) std::fprintf(stderr, "\r\033[K");
}

}  // namespace allocscope
