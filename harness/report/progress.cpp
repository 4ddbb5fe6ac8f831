#include "harness/report/progress.hpp"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace allocscope {

namespace {

// A bar only on an interactive terminal: CI systems (CI=true, as GitHub
// Actions, GitLab and most others set) and TERM=dumb get plain lines.
bool use_bar() {
  if (::isatty(STDERR_FILENO) == 0) return false;
  const char* ci = std::getenv("CI");
  if (ci && *ci && std::string(ci) != "0" && std::string(ci) != "false") return false;
  const char* term = std::getenv("TERM");
  return !(term && std::string(term) == "dumb");
}

size_t terminal_width() {
  struct winsize w {};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 20) return w.ws_col;
  return 80;
}

}  // namespace

Progress::Progress(size_t total, bool quiet)
    : total_(total), quiet_(quiet), tty_(use_bar()), t0_(std::chrono::steady_clock::now()) {}

double Progress::eta_seconds() const {
  if (!finished_) return -1;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  return elapsed / static_cast<double>(finished_) * static_cast<double>(total_ - finished_);
}

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
  const int width = 30;
  int filled = total_ ? static_cast<int>(width * finished_ / total_) : width;
  std::string line = fmt::format("[{}{}] {}/{} ETA {}  {}", std::string(static_cast<size_t>(filled), '#'),
                                 std::string(static_cast<size_t>(width - filled), '.'), finished_, total_,
                                 eta_text(eta_seconds()), label_);
  size_t cols = terminal_width() - 1;  // never wrap: \r must return to the start of this line
  if (line.size() > cols) line.resize(cols);
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
}

void Progress::finish(const std::string& status, double wall_s, const std::string& reason) {
  ++finished_;
  if (quiet_) return;
  if (tty_) {
    if (status != "ok") std::fprintf(stderr, "\r\033[K%s: %s (%s)\n", label_.c_str(), status.c_str(), reason.c_str());
    return;
  }
  std::fprintf(stderr, "[%zu/%zu] %s: %s %.2fs%s ETA %s\n", finished_, total_, label_.c_str(), status.c_str(), wall_s,
               reason.empty() ? "" : (" (" + reason + ")").c_str(), eta_text(eta_seconds()).c_str());
}

void Progress::done() {
  if (!quiet_ && tty_) std::fprintf(stderr, "\r\033[K");
}

}  // namespace allocscope
