// The folder of a run submitted as a Slurm array: slurm.json (the run's
// arguments, the shard count and every submission), the batch script, one
// output folder per shard (shard-I), the exit status each task leaves
// (shard-I.exit) and the tasks' logs (logs/).
#pragma once

#include <string>
#include <vector>

#include "harness/results/results_io.hpp"

namespace allocscope::cluster {

struct Submission {
  std::string job_id;
  std::vector<int> shards;  // the array's task ids = shard numbers (1-based)
  std::string time;         // UTC, when submitted
};

struct ArrayDir {
  std::string dir;  // absolute
  int shards = 0;
  std::vector<std::string> run_args;     // `allocscope run` options, without --shard/--out
  std::vector<std::string> sbatch_args;  // given to every sbatch call
  std::vector<Submission> submissions;

  // Reads DIR/slurm.json; throws InputError when DIR is not such a folder.
  static ArrayDir load(const std::string& dir);
  void save() const;
  static bool exists(const std::string& dir);

  std::string shard_dir(int shard) const;
  std::string exit_file(int shard) const;
  std::string script_path() const { return dir + "/allocscope.sbatch"; }
  std::string log_dir() const { return dir + "/logs"; }
  // The log of the shard's latest task, or "" when it was never submitted.
  std::string log_file(int shard) const;
  // The submission that last ran this shard, or null.
  const Submission* latest(int shard) const;
};

enum class ShardState { Done, Failed, Unfinished };

struct ShardStatus {
  int shard = 0;
  ShardState state = ShardState::Unfinished;
  std::string detail;  // why a shard is not done
};

// The state of every shard, from the exit files and results the tasks left.
// A shard whose task left no exit status was cancelled, timed out, preempted
// or lost with its node (or is still queued: ask Slurm first).
std::vector<ShardStatus> shard_statuses(const ArrayDir& d);

// "1-3", "2", "1,4-6": a Slurm --array list.
std::string array_spec(const std::vector<int>& tasks);

}  // namespace allocscope::cluster
