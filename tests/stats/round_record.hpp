// A made-up record of one ok round, for the tests of the outputs.
#pragma once

#include <string>

#include "harness/results/run_record.hpp"

inline allocscope::RunRecord round_record(const std::string& alloc, const std::string& workload, int threads,
                                          int round) {
  allocscope::RunRecord r;
  r.job.allocator = alloc;
  r.job.workload = workload;
  r.job.threads = threads;
  r.job.rep = r.job.round = round;
  r.status = allocscope::Status::Ok;
  return r;
}
