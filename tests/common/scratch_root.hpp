// A test process's scratch folder, TEMP/PREFIX-PID, removed with everything
// in it when the process ends: ctest starts one process per test, and their
// folders would pile up in the temp folder.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace allocscope::test {

class ScratchRoot {
 public:
  explicit ScratchRoot(const std::string& prefix)
      : path_(std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path_);
  }
  ~ScratchRoot() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchRoot(const ScratchRoot&) = delete;
  ScratchRoot& operator=(const ScratchRoot&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace allocscope::test
