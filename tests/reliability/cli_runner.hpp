// Runs the allocscope program built alongside the tests and captures its output.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rt {

using json = nlohmann::ordered_json;

struct CliResult {
  int rc = -1;  // exit status, or 128+signal
  std::string out, err;
};

// Runs ALLOCSCOPE_BIN with args (extra "NAME=value" environment entries).
CliResult run_cli(const std::vector<std::string>& args, const std::vector<std::string>& env = {});

// Starts it without waiting; stdout/stderr go to files under `dir`.
pid_t start_cli(const std::vector<std::string>& args, const std::string& dir);
int wait_cli(pid_t pid);  // exit status, or 128+signal

// A fresh empty folder under the test temp dir.
std::string fresh_dir(const std::string& name);
void write_text(const std::string& path, const std::string& text);
std::string read_text(const std::string& path);
json read_json(const std::string& path);
size_t count_lines(const std::string& path);

}  // namespace rt
