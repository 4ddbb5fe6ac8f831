#include "harness/cluster/array_dir.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/input_error.hpp"

namespace fs = std::filesystem;

namespace allocscope::cluster {

namespace {

constexpr const char* kSchema = "allocscope.slurm/1";

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

bool ArrayDir::exists(const std::string& dir) {
  return fs::exists(fs::path(dir) / "slurm.json");
}

ArrayDir ArrayDir::load(const std::string& dir_in) {
  ArrayDir d;
  d.dir = fs::absolute(dir_in).lexically_normal().string();
  const std::string path = d.dir + "/slurm.json";
  json doc = json::parse(read_all(path), nullptr, false);
  if (!doc.is_object() || doc.value("schema", "") != kSchema)
    throw InputError(
        fmt::format("{}: not a folder made by 'allocscope slurm submit' (no readable slurm.json)", dir_in));
  try {
    d.shards = doc.at("shards").get<int>();
    d.run_args = doc.at("run_args").get<std::vector<std::string>>();
    d.sbatch_args = doc.at("sbatch_args").get<std::vector<std::string>>();
    for (const auto& s : doc.at("submissions"))
      d.submissions.push_back(
          {s.at("job_id").get<std::string>(), s.at("shards").get<std::vector<int>>(), s.value("time", std::string())});
  } catch (const json::exception& e) {
    throw InputError(fmt::format("{}: {}", path, e.what()));
  }
  return d;
}

void ArrayDir::save() const {
  json subs = json::array();
  for (const auto& s : submissions) subs.push_back({{"job_id", s.job_id}, {"shards", s.shards}, {"time", s.time}});
  json doc{{"schema", kSchema},
           {"shards", shards},
           {"run_args", run_args},
           {"sbatch_args", sbatch_args},
           {"submissions", subs}};
  write_file_atomic(dir + "/slurm.json", doc.dump(1) + "\n");
}

std::string ArrayDir::shard_dir(int shard) const {
  return fmt::format("{}/shard-{}", dir, shard);
}
std::string ArrayDir::exit_file(int shard) const {
  return fmt::format("{}/shard-{}.exit", dir, shard);
}

const Submission* ArrayDir::latest(int shard) const {
  for (auto it = submissions.rbegin(); it != submissions.rend(); ++it)
    for (int s : it->shards)
      if (s == shard) return &*it;
  return nullptr;
}

std::string ArrayDir::log_file(int shard) const {
  const Submission* s = latest(shard);
  return s ? fmt::format("{}/{}_{}.out", log_dir(), s->job_id, shard) : "";
}

std::vector<ShardStatus> shard_statuses(const ArrayDir& d) {
  std::vector<ShardStatus> out;
  for (int i = 1; i <= d.shards; ++i) {
    ShardStatus st{i, ShardState::Unfinished, ""};
    std::ifstream exit_in(d.exit_file(i));
    int rc = -1;
    std::string host;
    const bool has_exit = static_cast<bool>(exit_in >> rc);
    exit_in >> host;
    if (!has_exit) {
      st.detail =
          d.latest(i) ? "no exit status: cancelled, timed out, preempted or lost with its node" : "never submitted";
    } else if (rc > 1) {
      st.state = ShardState::Failed;
      st.detail = fmt::format("exit status {} on {}", rc, host);
    } else if (!fs::exists(d.shard_dir(i) + "/results.json")) {
      st.state = ShardState::Failed;
      st.detail = fmt::format("exit status {} on {} but no results.json", rc, host);
    } else {
      st.state = ShardState::Done;
    }
    out.push_back(st);
  }
  return out;
}

std::string array_spec(const std::vector<int>& tasks) {
  std::string out;
  for (size_t i = 0; i < tasks.size();) {
    size_t j = i;
    while (j + 1 < tasks.size() && tasks[j + 1] == tasks[j] + 1) ++j;
    if (!out.empty()) out += ",";
    out += j > i ? fmt::format("{}-{}", tasks[i], tasks[j]) : std::to_string(tasks[i]);
    i = j + 1;
  }
  return out;
}

}  // namespace allocscope::cluster
