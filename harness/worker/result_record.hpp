// How a child program (worker, stress, probe) hands its one result record to
// allocscope: written whole to fd 3, or to stdout when run by hand.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <string>

namespace allocscope {

inline void write_result_record(const std::string& text) {
  const int fd = ::fcntl(3, F_GETFD) >= 0 ? 3 : STDOUT_FILENO;
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
}

}  // namespace allocscope
