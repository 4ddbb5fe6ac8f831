// allocscope slurm submit|status: a run as a Slurm job array, one shard per
// array task, waited for and merged; failed tasks resubmitted alone.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <thread>

#include "common/input_error.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/run_setup.hpp"
#include "harness/cluster/array_dir.hpp"
#include "harness/cluster/sbatch_script.hpp"
#include "harness/cluster/slurm_client.hpp"

namespace fs = std::filesystem;

namespace allocscope {

namespace {

const char* kSlurmUsage =
    "usage: allocscope slurm submit [RUN OPTIONS] --shards N --out DIR [--wait] [--partition P] [--sbatch OPT]...\n"
    "       allocscope slurm submit --resume DIR [--wait]\n"
    "       allocscope slurm status DIR\n\n"
    "Runs `allocscope run RUN OPTIONS` as a Slurm job array of N tasks: task I runs\n"
    "shard I (run --shard I/N) into DIR/shard-I, its log in DIR/logs/JOB_I.out.\n"
    "Every run record carries the host and \"slurm\": {\"job_id\", \"array_task_id\"}.\n"
    "  --shards N       number of array tasks (shards of the job matrix)\n"
    "  --out DIR        the folder of this submission (created; must not hold one already)\n"
    "  --wait           wait for the array, report failed tasks, merge into DIR/results.json\n"
    "  --partition P    the Slurm partition\n"
    "  --sbatch OPT     an sbatch option for every task, e.g. --sbatch=--exclusive; repeatable\n"
    "  --resume DIR     resubmit only the shards that failed, were cancelled or never ran\n"
    "                   (a started shard keeps its finished jobs); with --wait, merge\n"
    "  --poll SECONDS   how often --wait asks squeue (default 5)\n"
    "The program and DIR must be on a file system every node sees (docs/scale-out.md).\n"
    "Exit status: 0 submitted (with --wait: every shard done and merged), 1 some shard\n"
    "failed (listed, with the command that resubmits it), 2 bad input or sbatch failed.\n";

struct SlurmArgs {
  int shards = 0;
  std::string out, resume, partition;
  bool wait = false;
  double poll_s = 5;
  std::vector<std::string> sbatch_args, run_args;
};

// Splits the arguments into slurm's own and those of `allocscope run`.
SlurmArgs parse_submit(const std::vector<std::string>& args) {
  SlurmArgs a;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string opt = args[i], val;
    const bool inline_val = opt.rfind("--", 0) == 0 && opt.find('=') != std::string::npos;
    if (inline_val) val = opt.substr(opt.find('=') + 1), opt = opt.substr(0, opt.find('='));
    auto value = [&]() -> std::string {
      if (inline_val) return val;
      if (i + 1 >= args.size()) throw InputError(opt + " needs a value (see 'allocscope slurm --help')");
      return args[++i];
    };
    if (opt == "--shards") {
      std::string v = value();
      a.shards = std::atoi(v.c_str());
      if (a.shards < 1 || a.shards > 10000 || v.find_first_not_of("0123456789") != std::string::npos)
        throw InputError(fmt::format("--shards '{}': expected 1 to 10000", v));
    } else if (opt == "--out") {
      a.out = value();
    } else if (opt == "--resume") {
      a.resume = value();
    } else if (opt == "--partition") {
      a.partition = value();
    } else if (opt == "--sbatch") {
      a.sbatch_args.push_back(value());
    } else if (opt == "--poll") {
      a.poll_s = std::atof(value().c_str());
      if (!(a.poll_s >= 0.1)) throw InputError("--poll: expected a number of seconds >= 0.1");
    } else if (opt == "--wait") {
      a.wait = true;
    } else if (opt == "-o" || opt == "--shard" || opt == "--json" || opt == "--") {
      throw InputError(fmt::format("slurm submit: {} is set by slurm submit itself (or not supported)", opt));
    } else {
      a.run_args.push_back(args[i]);
    }
  }
  return a;
}

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

std::string self_path() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find the allocscope program (/proc/self/exe)");
  return p.string();
}

cluster::ArrayDir create_array_dir(const SlurmArgs& a) {
  if (a.shards == 0) throw InputError("slurm submit: --shards N is required");
  if (a.out.empty()) throw InputError("slurm submit: --out DIR is required");
  if (cluster::ArrayDir::exists(a.out))
    throw InputError(fmt::format("--out {}: holds a submission already; use --resume {}", a.out, a.out));
  // The run options are checked here, before anything is submitted.
  std::vector<std::string> probe = a.run_args;
  probe.insert(probe.end(), {"--shard", fmt::format("1/{}", a.shards)});
  if (setup_run(probe, {}, {CalibrationSource::None, {}})->help)
    throw InputError("slurm submit: --help is a run option here; see above");
  cluster::ArrayDir d;
  d.dir = fs::absolute(a.out).lexically_normal().string();
  d.shards = a.shards;
  d.run_args = a.run_args;
  if (!a.partition.empty()) d.sbatch_args.push_back("--partition=" + a.partition);
  d.sbatch_args.insert(d.sbatch_args.end(), a.sbatch_args.begin(), a.sbatch_args.end());
  std::error_code ec;
  fs::create_directories(d.log_dir(), ec);
  if (ec) throw InputError(fmt::format("--out {}: cannot create the folder: {}", a.out, ec.message()));
  return d;
}

// Waits until no task of the submissions is queued or running.
void wait_for(const cluster::ArrayDir& d, double poll_s) {
  std::string last;
  for (;;) {
    std::map<std::string, int> counts;
    for (const auto& s : d.submissions)
      for (const auto& st : cluster::queued_states(s.job_id)) ++counts[st];
    std::string now;
    for (const auto& [st, n] : counts) now += fmt::format("{}{} {}", now.empty() ? "" : ", ", n, st);
    if (counts.empty()) return;
    if (now != last) std::fprintf(stderr, "allocscope slurm: waiting: %s\n", now.c_str());
    last = now;
    std::this_thread::sleep_for(std::chrono::duration<double>(poll_s));
  }
}

void submit(cluster::ArrayDir& d, const std::vector<int>& shards) {
  write_file_atomic(d.script_path(), cluster::sbatch_script(d, self_path()));
  std::vector<std::string> args{"--array=" + cluster::array_spec(shards), "--job-name=allocscope",
                                "--output=" + d.log_dir() + "/%A_%a.out"};
  args.insert(args.end(), d.sbatch_args.begin(), d.sbatch_args.end());
  std::string id;
  try {
    id = cluster::sbatch(args, d.script_path());
  } catch (const std::runtime_error& e) {
    throw InputError(e.what());
  }
  d.submissions.push_back({id, shards, now_utc()});
  d.save();
  std::fprintf(stderr, "allocscope slurm: submitted job %s: shard(s) %s of %d -> %s\n", id.c_str(),
               cluster::array_spec(shards).c_str(), d.shards, d.dir.c_str());
}

// Prints the shards that are not done; returns how many.
size_t report_unfinished(const cluster::ArrayDir& d) {
  size_t bad = 0;
  for (const auto& st : cluster::shard_statuses(d)) {
    if (st.state == cluster::ShardState::Done) continue;
    ++bad;
    const cluster::Submission* s = d.latest(st.shard);
    std::fprintf(stderr, "allocscope slurm: shard %d (task %s_%d) %s: %s; log %s\n", st.shard,
                 s ? s->job_id.c_str() : "-", st.shard,
                 st.state == cluster::ShardState::Failed ? "failed" : "did not finish", st.detail.c_str(),
                 d.log_file(st.shard).c_str());
  }
  return bad;
}

int merge_shards(const cluster::ArrayDir& d) {
  std::vector<std::string> args;
  for (int i = 1; i <= d.shards; ++i) args.push_back(d.shard_dir(i) + "/results.json");
  args.insert(args.end(), {"-o", d.dir + "/results.json"});
  return cmd_merge(args);
}

int slurm_submit(const std::vector<std::string>& args) {
  SlurmArgs a = parse_submit(args);
  cluster::ArrayDir d;
  std::vector<int> todo;
  if (!a.resume.empty()) {
    if (a.shards || !a.out.empty() || !a.run_args.empty() || !a.sbatch_args.empty() || !a.partition.empty())
      throw InputError("--resume DIR takes no run or sbatch options (they are saved in DIR/slurm.json)");
    d = cluster::ArrayDir::load(a.resume);
    if (a.wait) wait_for(d, a.poll_s);
    for (const auto& st : cluster::shard_statuses(d))
      if (st.state != cluster::ShardState::Done) todo.push_back(st.shard);
    if (todo.empty()) std::fprintf(stderr, "allocscope slurm: every shard of %s is done\n", d.dir.c_str());
  } else {
    d = create_array_dir(a);
    d.save();
    for (int i = 1; i <= d.shards; ++i) todo.push_back(i);
  }
  if (!todo.empty()) submit(d, todo);
  if (!a.wait) return 0;
  wait_for(d, a.poll_s);
  if (size_t bad = report_unfinished(d)) {
    std::fprintf(stderr,
                 "allocscope slurm: %zu of %d shard(s) not done; resubmit them with: allocscope slurm submit "
                 "--resume %s --wait\n",
                 bad, d.shards, d.dir.c_str());
    return 1;
  }
  return merge_shards(d);
}

int slurm_status(const std::vector<std::string>& args) {
  if (args.size() != 1) throw InputError("usage: allocscope slurm status DIR");
  cluster::ArrayDir d = cluster::ArrayDir::load(args[0]);
  for (const auto& s : d.submissions) {
    auto states = cluster::queued_states(s.job_id);
    std::printf("job %s (%s): shard(s) %s, %zu task(s) queued or running\n", s.job_id.c_str(), s.time.c_str(),
                cluster::array_spec(s.shards).c_str(), states.size());
  }
  for (const auto& st : cluster::shard_statuses(d))
    std::printf("shard %d: %s%s%s\n", st.shard,
                st.state == cluster::ShardState::Done     ? "done"
                : st.state == cluster::ShardState::Failed ? "failed"
                                                          : "not finished",
                st.detail.empty() ? "" : ": ", st.detail.c_str());
  return 0;
}

}  // namespace

int cmd_slurm(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kSlurmUsage, args.empty() ? stderr : stdout);
    return args.empty() ? kExitBadInput : 0;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "submit") return slurm_submit(rest);
  if (args[0] == "status") return slurm_status(rest);
  throw InputError(fmt::format("slurm: unknown action '{}' (expected submit or status)", args[0]));
}

}  // namespace allocscope
