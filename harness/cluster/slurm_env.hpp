// Where a run is placed when it runs as a Slurm task: read from the
// environment Slurm gives every task.
#pragma once

#include "harness/results/results_io.hpp"

namespace allocscope::cluster {

// {"job_id", "array_task_id", "task_job_id", "node"} of the Slurm task this
// process runs in, or null outside Slurm. job_id is the array's id (the
// number sbatch printed) for an array task, else the job's own id.
json slurm_placement();

// What every run record of this process carries besides its measurements:
// {"host": ..., "slurm": {...}} under Slurm, else an empty object.
json record_placement(const std::string& host);

}  // namespace allocscope::cluster
