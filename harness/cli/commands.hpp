// The subcommands of `allocscope`. One file per subcommand (cmd_<name>.cpp)
// defines its entry point; commands.cpp holds the table, one line each.
#pragma once

#include <string>
#include <vector>

namespace allocscope {

struct Command {
  const char* name;
  const char* summary;
  // args excludes the program and the subcommand name.
  int (*main)(const std::vector<std::string>& args);
};

const std::vector<Command>& commands();

int cmd_run(const std::vector<std::string>& args);
int cmd_merge(const std::vector<std::string>& args);
int cmd_stress(const std::vector<std::string>& args);
int cmd_probe(const std::vector<std::string>& args);
int cmd_conform(const std::vector<std::string>& args);
int cmd_list(const std::vector<std::string>& args);
int cmd_record(const std::vector<std::string>& args);
int cmd_trace(const std::vector<std::string>& args);
int cmd_micro(const std::vector<std::string>& args);
int cmd_compare(const std::vector<std::string>& args);
int cmd_gate(const std::vector<std::string>& args);
int cmd_export(const std::vector<std::string>& args);
int cmd_report(const std::vector<std::string>& args);
int cmd_history(const std::vector<std::string>& args);
int cmd_slurm(const std::vector<std::string>& args);
int cmd_bisect(const std::vector<std::string>& args);

}  // namespace allocscope
