// How a child program (worker, stress, probe) hands its one result record to
// allocscope: written whole to fd 3, or to stdout when run by hand. The stress
// and probe programs build their record by hand (they run under the allocator
// being tested and keep their own allocations few), escaping strings with
// json_escape.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <string>

namespace allocscope {

// A JSON string body: quotes and backslashes escaped, control characters
// replaced by spaces.
inline std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\')
      o += '\\', o += c;
    else if (static_cast<unsigned char>(c) < 0x20)
      o += ' ';
    else
      o += c;
  }
  return o;
}

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
