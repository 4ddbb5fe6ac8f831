#include "harness/cluster/slurm_client.hpp"

#include <sstream>
#include <stdexcept>

namespace allocscope::cluster {

std::string sbatch(const std::vector<std::string>& args, const std::string& script) {
  std::vector<std::string> argv{"sbatch", "--parsable"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(script);
  CommandOutput r = run_command(argv);
  if (r.status == 127) throw std::runtime_error("sbatch not found: is Slurm installed (scripts/slurm-local)?");
  std::string id = r.out.substr(0, r.out.find_first_of(";\n"));
  if (r.status != 0 || id.empty() || id.find_first_not_of("0123456789") != std::string::npos)
    throw std::runtime_error("sbatch failed (status " + std::to_string(r.status) + "): " + r.err + r.out);
  return id;
}

std::vector<std::string> queued_states(const std::string& job_id) {
  CommandOutput r = run_command({"squeue", "--noheader", "--array", "--jobs", job_id, "--format", "%T"});
  std::vector<std::string> states;
  if (r.status != 0) {
    // An ended job is unknown to squeue after a while; any other error
    // (controller busy or restarting) says nothing about the tasks.
    if (r.err.find("Invalid job id") == std::string::npos) states.push_back("UNKNOWN");
    return states;
  }
  std::istringstream in(r.out);
  for (std::string s; in >> s;) states.push_back(s);
  return states;
}

}  // namespace allocscope::cluster
