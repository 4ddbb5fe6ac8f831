#include "allocscope/window_control.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

namespace allocscope {

namespace {

int open_fifo(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0)
    throw std::runtime_error("ALLOCSCOPE_WINDOW_CONTROL: cannot open '" + path + "': " + std::strerror(errno));
  return fd;
}

}  // namespace

WindowControl::WindowControl() {
  const char* value = std::getenv("ALLOCSCOPE_WINDOW_CONTROL");
  if (!value || !*value) return;
  const std::string v(value);
  const auto comma = v.find(',');
  if (comma == std::string::npos || comma == 0 || comma + 1 == v.size())
    throw std::runtime_error("ALLOCSCOPE_WINDOW_CONTROL: expected CTL_FIFO,ACK_FIFO, got '" + v + "'");
  // The profiler holds the control FIFO open for reading from its start, so
  // neither open waits long; the order matches perf's (control, then ack).
  ctl_ = open_fifo(v.substr(0, comma), O_WRONLY);
  ack_ = open_fifo(v.substr(comma + 1), O_RDONLY);
}

WindowControl& WindowControl::get() {
  static WindowControl control;
  return control;
}

void WindowControl::send(const char* line, unsigned len) noexcept {
  if (ctl_ < 0 || failed_) return;
  char ack[16];
  if (::write(ctl_, line, len) != static_cast<ssize_t>(len) || ::read(ack_, ack, sizeof ack) <= 0) {
    failed_ = true;
    std::fprintf(stderr, "allocscope: ALLOCSCOPE_WINDOW_CONTROL: the profiler did not answer '%.*s'\n",
                 static_cast<int>(len - 1), line);
  }
}

void WindowControl::enable() noexcept {
  send("enable\n", 7);
}
void WindowControl::disable() noexcept {
  send("disable\n", 8);
}

}  // namespace allocscope
