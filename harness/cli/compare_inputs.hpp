// Inputs shared by `allocscope compare` and `allocscope gate`: the results
// files (or run folders), the allocator pair in one-file mode, the metrics and
// thresholds.
#pragma once

#include <boost/program_options.hpp>
#include <map>
#include <string>
#include <vector>

#include "harness/stats/comparison.hpp"

namespace allocscope {

// Adds --baseline, --candidate, --metrics, --threshold, --alpha, --md, --seed and the
// positional results files to `d`.
void add_compare_options(boost::program_options::options_description& d,
                         boost::program_options::positional_options_description& pos);

// "metric=PCT[,metric=PCT]": PCT as "5%", "5", "exact" (= 0%) or "off" (NaN: drop).
// Throws InputError naming the option and the valid metrics.
std::map<std::string, double> parse_thresholds(const std::vector<std::string>& specs);

// A results.json path, or a run folder holding one.
std::string results_path(const std::string& file_or_dir);

struct CompareSetup {
  stats::CompareInput input;
  std::vector<std::string> files;  // resolved results.json paths (1 or 2)
  std::string md_path;
};

// Reads the parsed options. `gate_thresholds`: in gate mode the compared
// metrics are exactly those with a threshold (defaults plus --threshold).
// `history_base` (gate --history): the baseline document, built from the
// history; then one results file, the candidate, is expected.
CompareSetup read_compare_setup(const boost::program_options::variables_map& vm,
                                const std::map<std::string, double>* gate_defaults, const json* history_base = nullptr);

}  // namespace allocscope
