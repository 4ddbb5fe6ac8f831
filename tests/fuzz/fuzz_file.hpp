// A fuzz input as a file for code that reads paths: an in-memory file
// (memfd) named /proc/self/fd/N, so no run leaves files behind and the
// kernel never writes it to disk.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace allocscope::fuzz {

class MemFile {
 public:
  MemFile(const void* data, size_t size) : fd_(::memfd_create("allocscope-fuzz", MFD_CLOEXEC)) {
    if (fd_ < 0) std::abort();
    const auto* p = static_cast<const uint8_t*>(data);
    while (size > 0) {
      ssize_t n = ::write(fd_, p, size);
      if (n <= 0) std::abort();
      p += n;
      size -= static_cast<size_t>(n);
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  explicit MemFile(const std::string& text) : MemFile(text.data(), text.size()) {}
  ~MemFile() { ::close(fd_); }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
};

// A property of the code under test does not hold: report and crash, so
// libFuzzer keeps the input.
[[noreturn]] inline void broken(const char* what) {
  std::fprintf(stderr, "property violated: %s\n", what);
  std::abort();
}

// True when `message` starts with `prefix`.
inline bool starts_with(const std::string& message, const std::string& prefix) {
  return message.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace allocscope::fuzz
