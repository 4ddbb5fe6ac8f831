// changepoint-fpr [SERIES]: the false-positive rate of the change-point
// detector on pure noise (lognormal, several CVs and series lengths), and its
// detection rate for a 25% step, with the default options of
// `allocscope history changes`.
#include <cstdio>
#include <cstdlib>

#include "harness/stats/change_points.hpp"
#include "tests/cluster/synthetic_series.hpp"

int main(int argc, char** argv) {
  const int trials = argc > 1 ? std::atoi(argv[1]) : 1000;
  std::printf("%6s %4s %12s %22s\n", "cv", "runs", "false-pos", "found 25% step (8+5)");
  for (double cv : {0.02, 0.05, 0.10, 0.20, 0.35}) {
    for (int n : {13, 30}) {
      int fp = 0, found = 0;
      for (int t = 0; t < trials; ++t) {
        auto noise = cluster_test::synthetic_series({{n, 1e6}}, cv, 7000000 + t);
        if (!allocscope::stats::change_points(noise).empty()) ++fp;
        if (n != 13) continue;
        auto step = cluster_test::synthetic_series({{8, 1e6}, {5, 0.75e6}}, cv, 9000000 + t);
        auto cps = allocscope::stats::change_points(step);
        if (cps.size() == 1 && cps[0].index == 8) ++found;
      }
      std::printf("%6.2f %4d %11.2f%% %21s\n", cv, n, 100.0 * fp / trials,
                  n == 13 ? (std::to_string(100.0 * found / trials).substr(0, 5) + "%").c_str() : "");
    }
  }
  return 0;
}
