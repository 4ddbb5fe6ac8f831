// The Slurm commands allocscope calls: sbatch to submit, squeue to follow.
#pragma once

#include <string>
#include <vector>

#include "harness/cluster/command.hpp"

namespace allocscope::cluster {

// Submits `script` with `args` before it (--array, --output, ...); returns
// the job id. Throws std::runtime_error with sbatch's message.
std::string sbatch(const std::vector<std::string>& args, const std::string& script);

// The states (squeue %T: PENDING, RUNNING, ...) of the job's tasks still
// known to the queue; empty once every task has ended; {"UNKNOWN"} when
// squeue fails for another reason.
std::vector<std::string> queued_states(const std::string& job_id);

}  // namespace allocscope::cluster
