#include "harness/cluster/sbatch_script.hpp"

#include <fmt/format.h>

namespace allocscope::cluster {

std::string shell_quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string sbatch_script(const ArrayDir& d, const std::string& allocscope) {
  std::string run_args;
  for (const auto& a : d.run_args) run_args += " " + shell_quote(a);
  return fmt::format(
      "#!/bin/bash\n"
      "# Written by 'allocscope slurm submit': array task I runs shard I of {n}.\n"
      "I=$SLURM_ARRAY_TASK_ID\n"
      "OUT={dir}/shard-$I\n"
      "rm -f \"$OUT.exit\"\n"
      "if [ -f \"$OUT/run.json\" ]; then  # started before (failed, cancelled or requeued): finish it\n"
      "  {bin} run --resume \"$OUT\"\n"
      "else\n"
      "  {bin} run{args} --shard \"$I/{n}\" --out \"$OUT\" --quiet\n"
      "fi\n"
      "rc=$?\n"
      "echo \"$rc $(hostname)\" >\"$OUT.exit\"\n"
      "# 1: some jobs crashed, timed out or ran out of memory; the shard's results are complete\n"
      "if [ \"$rc\" -le 1 ]; then exit 0; fi\n"
      "exit \"$rc\"\n",
      fmt::arg("n", d.shards), fmt::arg("dir", shell_quote(d.dir)), fmt::arg("bin", shell_quote(allocscope)),
      fmt::arg("args", run_args));
}

}  // namespace allocscope::cluster
