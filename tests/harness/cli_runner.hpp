// Runs a command line for integration tests and captures its exit status and output.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace allocscope::test {

constexpr double kMiB = 1024.0 * 1024.0;

struct CmdResult {
  int status = -1;  // exit status, or 128+signal
  std::string out, err;
};

// Runs argv (no shell) with extra "NAME=value" environment entries.
CmdResult run_cmd(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});

// A fresh temporary folder, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

nlohmann::json read_json(const std::string& path);
// A file's whole content ("" when it cannot be read).
std::string read_text(const std::string& path);

}  // namespace allocscope::test
