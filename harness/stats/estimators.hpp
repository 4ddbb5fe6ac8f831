// Point estimators over the rounds of one job: the order statistics and
// summaries that comparisons and reports use.
#pragma once

#include <vector>

namespace allocscope::stats {

double minimum(const std::vector<double>& v);
double maximum(const std::vector<double>& v);
double median(std::vector<double> v);
// Linear-interpolation quantile (q in [0,1]) of an unsorted sample.
double quantile(std::vector<double> v, double q);
double mean(const std::vector<double>& v);
// Sample standard deviation (n-1); 0 for fewer than two values.
double stddev(const std::vector<double>& v);
// Geometric mean of the positive values (others are skipped); 0 when none.
double geomean(const std::vector<double>& v);

// Which point estimate a comparison uses for a sample.
enum class Estimator { Min, Max, Median };
double estimate(Estimator e, const std::vector<double>& v);
const char* to_string(Estimator e);

}  // namespace allocscope::stats
