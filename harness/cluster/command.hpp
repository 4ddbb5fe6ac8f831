// Running a helper program (sbatch, squeue, git, a bisect step) and
// capturing what it prints.
#pragma once

#include <string>
#include <vector>

namespace allocscope::cluster {

struct CommandOutput {
  int status = -1;  // exit status (128+signal when killed); 127 when the program is missing
  std::string out, err;
};

// Runs argv (PATH lookup) in `cwd` (empty: ours) with `env` ("NAME=value")
// added to our environment, and captures its output. stderr is passed
// through instead when `pass_stderr`.
CommandOutput run_command(const std::vector<std::string>& argv, const std::string& cwd = "",
                          const std::vector<std::string>& env = {}, bool pass_stderr = false);

}  // namespace allocscope::cluster
