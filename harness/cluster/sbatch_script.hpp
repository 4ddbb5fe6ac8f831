// The batch script of a run submitted as a Slurm array: array task I runs
// shard I of N (`allocscope run --shard I/N`) into DIR/shard-I, or finishes
// it (`run --resume`) when a previous task started it, and leaves its exit
// status and host in DIR/shard-I.exit.
#pragma once

#include <string>

#include "harness/cluster/array_dir.hpp"

namespace allocscope::cluster {

// `allocscope`: the absolute path of the program the tasks run (on a real
// cluster, on a file system every node sees).
std::string sbatch_script(const ArrayDir& d, const std::string& allocscope);

// A word quoted for bash.
std::string shell_quote(const std::string& word);

}  // namespace allocscope::cluster
