#include "harness/cluster/slurm_env.hpp"

#include <cstdlib>
#include <string>

namespace allocscope::cluster {

namespace {

json env_number(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return json();
  char* end = nullptr;
  long long n = std::strtoll(v, &end, 10);
  return *end ? json(v) : json(n);
}

}  // namespace

json slurm_placement() {
  json job = env_number("SLURM_JOB_ID");
  if (job.is_null()) return json();
  json array = env_number("SLURM_ARRAY_JOB_ID");
  json out{{"job_id", array.is_null() ? job : array},
           {"array_task_id", env_number("SLURM_ARRAY_TASK_ID")},
           {"task_job_id", job}};
  if (const char* node = std::getenv("SLURMD_NODENAME")) out["node"] = node;
  return out;
}

json record_placement(const std::string& host) {
  json slurm = slurm_placement();
  if (slurm.is_null()) return json::object();
  return json{{"host", host}, {"slurm", slurm}};
}

}  // namespace allocscope::cluster
