// allocscope compare: a baseline against a candidate, per job and metric,
// with confidence intervals, p-values and verdicts.
#include <boost/program_options.hpp>
#include <iostream>

#include "harness/cli/commands.hpp"
#include "harness/cli/compare_inputs.hpp"
#include "harness/report/compare_markdown.hpp"
#include "harness/report/compare_text.hpp"
#include "harness/results/results_io.hpp"

namespace po = boost::program_options;

namespace allocscope {

int cmd_compare(const std::vector<std::string>& args) {
  po::options_description d("allocscope compare options");
  po::positional_options_description pos;
  d.add_options()("help,h", "show this help")("changed-only", po::bool_switch(), "hide unchanged rows in the table");
  add_compare_options(d, pos);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(d).positional(pos).run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: allocscope compare BASE.json NEW.json [options]\n"
                 "       allocscope compare RESULTS.json --baseline ALLOC --candidate ALLOC [options]\n\n"
                 "Compares every metric of every matching job (two files: same allocator, workload,\n"
                 "params and threads; one file: same workload, params and threads). Time metrics use\n"
                 "the best round (min; max for throughput), memory the median with a 256 KiB floor,\n"
                 "deterministic counts (syscalls, instructions, single-thread page faults) their\n"
                 "values. Each change gets a bootstrap 95% CI of the ratio and a Mann-Whitney p.\n"
                 "Default metrics: ops_per_s, window_s, cpu_user_s, peak_rss_bytes, end_rss_bytes,\n"
                 "minflt, syscalls_total, frag_peak_ratio, lat_p99_ns, instructions (when present).\n"
                 "Default thresholds: time 5%, memory and ratios 10%, syscalls 0%, instructions 1%,\n"
                 "page faults 2%, other counts 10%. See docs/compare.md.\n"
                 "Exit status: 0, or 2 on bad input.\n\n"
              << d;
    return 0;
  }
  po::notify(vm);
  CompareSetup s = read_compare_setup(vm, nullptr);
  stats::Comparison c = stats::compare(s.input);
  std::cout << CompareText::render(c, !vm["changed-only"].as<bool>());
  if (!s.md_path.empty()) write_file_atomic(s.md_path, CompareMarkdown::render(c));
  return 0;
}

}  // namespace allocscope
