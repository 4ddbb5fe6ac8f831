// allocscope run: build the job matrix, run each job in a fresh child, write
// DIR/results.json and print a summary table.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "allocscope/params.hpp"
#include "allocscope/placement.hpp"
#include "common/input_error.hpp"
#include "harness/cli/allocator_selection.hpp"
#include "harness/cli/child_tool.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/run_config.hpp"
#include "harness/cli/run_setup.hpp"
#include "harness/cluster/slurm_env.hpp"
#include "harness/probes/memcg.hpp"
#include "harness/probes/proc.hpp"
#include "harness/report/console.hpp"
#include "harness/report/precision_summary.hpp"
#include "harness/report/summary_table.hpp"
#include "harness/results/run_dir.hpp"
#include "harness/runner/calibrate.hpp"
#include "harness/runner/launcher.hpp"
#include "harness/runner/precise_run.hpp"
#include "harness/runner/runner.hpp"

namespace po = boost::program_options;

namespace allocscope {

po::options_description run_options() {
  po::options_description d("allocscope run options");
  d.add_options()("help,h", "show this help")(
      "suite", po::value<std::vector<std::string>>()->composing(),
      "suite name (see 'allocscope list suites') or path to a .suite file; repeatable")(
      "workload,w", po::value<std::vector<std::string>>()->composing(),
      "workload NAME[:key=value,...] (see 'allocscope list workloads'); repeatable")(
      "allocators,a", po::value<std::string>()->default_value("all"),
      "comma-separated allocators, or 'all' (see 'allocscope list allocators')")(
      "allocator-lib", po::value<std::vector<std::string>>()->composing(),
      "user-defined allocator NAME=/path/lib.so (preloaded; no statistics API); repeatable")(
      "config", po::value<std::string>(), "config file of 'option = value' lines (same names as these options)")(
      "threads,t", po::value<std::string>()->default_value("1"),
      "thread counts for multithreaded workloads, e.g. 1,2,4")("reps,r", po::value<int>()->default_value(1),
                                                               "repetitions, run as rounds in a fresh random order")(
      "warmup", po::bool_switch(), "run one extra first round, marked warmup and left out of statistics")(
      "precision", po::value<double>(),
      "P percent: after the first rounds (--reps, default 6), keep adding interleaved rounds of the cells whose "
      "paired median ratio to the baseline is not yet known to within ±P% (95% interval) until all are, or "
      "--max-time or --max-rounds is reached")(
      "max-time", po::value<double>(),
      "with --precision: the whole run's time budget in seconds; no round starts "
      "that would overrun it")("max-rounds", po::value<int>()->default_value(50),
                               "with --precision: the most rounds of one cell")(
      "precision-metric", po::value<std::string>(),
      "with --precision: the metric whose ratio must reach it (default ops_per_s, or wall_s for whole programs), "
      "e.g. instructions or one of --metric-from-output")(
      "baseline", po::value<std::string>(),
      "with --precision: the allocator the others are compared with (default: the first one selected)")(
      "out,o", po::value<std::string>(), "output folder (default results/runs/DATE-TIME)")(
      "timeout", po::value<double>()->default_value(600), "wall-clock limit per job, seconds")(
      "mem-limit", po::value<std::string>()->default_value("16G"), "memory limit per job, e.g. 8G; 0 = none")(
      "mem-limit-method", po::value<std::string>()->default_value("auto"),
      "auto (a memory cgroup when writable, else RLIMIT_AS) | cgroup | rlimit")(
      "shard", po::value<std::string>(),
      "run only slice I of N of the job matrix (I/N, 1-based; see docs/scale-out.md)")(
      "seed", po::value<uint64_t>()->default_value(42), "seed for workload inputs and the round order")(
      "rss-interval", po::value<double>()->default_value(10), "RSS sampling interval in ms; 0 = off")(
      "no-syscalls", po::bool_switch(), "do not count memory syscalls")(
      "syscall-method", po::value<std::string>()->default_value("auto"),
      "how to count memory syscalls: auto (perf_event_open tracepoints, else ptrace+seccomp), perf, ptrace")(
      "latency-every", po::value<uint64_t>()->default_value(0), "record the latency of every Nth operation (0 = off)")(
      "metric", po::value<std::vector<std::string>>()->composing(),
      "extra metric to measure: 'instructions' (each job runs once more under Valgrind cachegrind; total Ir of the "
      "process); repeatable")("track-usable", po::bool_switch(),
                              "account malloc_usable_size per operation (internal overhead; slows the workload)")(
      "quiet,q", po::bool_switch(), "no progress output")("json", po::bool_switch(),
                                                          "print results.json to stdout instead of the table")(
      "exec", po::bool_switch(),
      "run the command after '--' as the workload (process-level metrics; its stdout and stderr saved in "
      "DIR/output/job-N.stdout|stderr)")(
      "metric-from-output", po::value<std::vector<std::string>>()->composing(),
      "with --exec: NAME=REGEX[,unit=U][,higher|lower] makes the number REGEX matches in the program's output (its "
      "first group, else the whole match; the last match in stdout, else stderr) the metric NAME of the job "
      "(higher is better unless ',lower'); no match fails the job; repeatable")(
      "output-keep", po::value<std::string>()->default_value("1M"),
      "with --exec: bytes of each output stream kept per job (the tail)")(
      "thp", po::value<std::string>()->default_value("system"),
      "transparent huge pages for each job: system (the machine's mode, recorded), never (turned off for the job "
      "with prctl PR_SET_THP_DISABLE), madvise or always (only when that is the system mode: the kernel sets those "
      "machine-wide)")(
      "placement", po::value<std::string>()->default_value("none"),
      "where the workload's threads run: none (the scheduler places them) or spread (each thread the workload "
      "starts for its timed window is pinned to one of the CPUs the run may use, thread t on the (t mod n)-th of "
      "the n allowed CPUs). Recorded in each record and the context. Workloads that start their own threads "
      "(larson, mleak, mstress, arena-blowup, glibc-simple arena=thread) and whole programs are not pinned")(
      "heap-shift", po::bool_switch(),
      "give each round a heap layout of its own: the worker allocates and holds 16-4096 bytes (a multiple of 16, "
      "from the seed and the round) before anything else, the same for every allocator of the round. Where a "
      "workload's blocks fall in their pages sets how its own memory accesses hit the caches, and without the "
      "shift that layout differs between allocators by chance (the length of the allocator's name in the worker's "
      "argument moves it) and stays the same in every round; with it, paired rounds compare allocators over many "
      "layouts. Recorded in each record (metric heap_shift_bytes) and the context. In-process workloads only")(
      "min-window", po::value<double>()->default_value(0),
      "milliseconds: before the rounds, grow each in-process workload's work count (its scale parameter, see "
      "'allocscope list workloads --params') until its timed window lasts at least this long, once per workload "
      "and thread count, measured with the first allocator; every allocator then runs the same calibrated "
      "parameters, recorded in context.calibration. A parameter given explicitly is never changed. 0 = off");
  return d;
}

namespace {

void on_stop_signal(int) {
  g_stop_requested.store(true);
}

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sa.sa_flags = SA_RESTART;  // a stop must not turn a blocking call of a running job into a failure
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

void print_run_help(const po::options_description& d) {
  std::cout << "usage: allocscope run [--suite S | --workload NAME[:key=value,...]]... [--allocators a,b,..]\n"
               "                      [--threads 1,2,4] [--reps N] [--out DIR] [--timeout SEC] [--seed N]\n"
               "       allocscope run [options] --exec -- CMD ARGS...\n"
               "       allocscope run --precision P [--max-time SEC] [--baseline NAME] [options]\n"
               "       allocscope run --resume DIR\n\n"
               "With no workload or suite, runs the 'default' suite on every available allocator.\n"
               "Each job runs in a fresh child with LD_PRELOAD set to the allocator; the parent\n"
               "measures rusage, peak RSS, memory syscalls and an RSS time series.\n"
               "Results: DIR/results.json (schema in docs/results-schema.md) and DIR/journal.jsonl.\n"
               "A job that crashes, aborts, times out, runs out of memory or exits non-zero is\n"
               "recorded with its status and the tail of its stderr (a timeout also with where its\n"
               "threads were: state, system call, file+offset); the run goes on.\n"
               "SIGINT/SIGTERM stop the running job and keep every finished one;\n"
               "'allocscope run --resume DIR' runs the rest.\n"
               "With --precision the rounds are not fixed: see docs/compare.md (the run's outcome\n"
               "is in results.json's context.precision and printed under the table).\n\n"
               "Exit status: 0 every job ok, 1 some job not ok (crashed, timeout, oom, failed),\n"
               "             2 bad input, 130 interrupted (resume with --resume DIR).\n\n"
            << d;
}

// --thp: "never" is per job (prctl); madvise and always only as the system's mode.
void read_thp_option(const std::string& want, RunOptions& opt) {
  const std::string text = read_text_file("/sys/kernel/mm/transparent_hugepage/enabled");
  const size_t a = text.find('['), b = text.find(']');
  const std::string sys = a != std::string::npos && b > a ? text.substr(a + 1, b - a - 1) : "unknown";
  if (want == "never") {
    opt.thp_never = true;
    opt.thp_condition = "never (per job: prctl PR_SET_THP_DISABLE; system mode " + sys + ")";
  } else if (want == "system" || want == sys) {
    opt.thp_condition = sys + " (system mode)";
  } else if (want == "madvise" || want == "always") {
    throw InputError(fmt::format(
        "--thp {}: the system mode is '{}' and the kernel sets madvise/always machine-wide only (write {} to "
        "/sys/kernel/mm/transparent_hugepage/enabled as root); per job allocscope can only turn THP off (--thp never)",
        want, sys, want));
  } else {
    throw InputError(fmt::format("--thp '{}': expected system, never, madvise or always", want));
  }
}

// --metric-from-output and --output-keep, for --exec runs only.
void read_output_options(const po::variables_map& vm, const std::vector<std::string>& exec_argv, RunOptions& opt) {
  uint64_t keep = 0;
  if (!parse_size(vm["output-keep"].as<std::string>(), &keep) || keep == 0)
    throw InputError(
        fmt::format("--output-keep '{}': expected a size such as 64K or 1M", vm["output-keep"].as<std::string>()));
  opt.output_keep_bytes = keep;
  if (!vm.count("metric-from-output")) return;
  if (exec_argv.empty()) throw InputError("--metric-from-output reads a program's output: it needs --exec -- CMD");
  for (const auto& text : vm["metric-from-output"].as<std::vector<std::string>>()) {
    opt.output_metrics.push_back(parse_output_metric(text));
    declare_metric(output_metric_def(opt.output_metrics.back()));
  }
}

}  // namespace

namespace {

// Suites named with --suite (or "default" when nothing is named) add their
// workloads; their threads, reps, timeout, allocators and measurement
// directives (precision, max-time, min-window) apply where the command line
// left the default; a suite's heap-shift turns --heap-shift on. Returns the
// allocators to select by name.
std::vector<std::string> apply_suites(RunSetup& s, const std::vector<std::string>& exec_argv) {
  const po::variables_map& vm = s.vm;
  std::vector<std::string> alloc_names = parse_allocator_list(vm["allocators"].as<std::string>());
  std::vector<std::string> suites;
  if (vm.count("suite")) suites = vm["suite"].as<std::vector<std::string>>();
  if (suites.empty() && s.req.workloads.empty() && exec_argv.empty()) suites.push_back("default");
  for (const auto& suite_name : suites) {
    Suite suite = load_suite(suite_name);
    s.suite_names += (s.suite_names.empty() ? "" : ",") + suite.name;
    s.req.workloads.insert(s.req.workloads.end(), suite.workloads.begin(), suite.workloads.end());
    if (!suite.threads.empty() && vm["threads"].defaulted()) s.req.threads = suite.threads;
    if (suite.reps && vm["reps"].defaulted()) s.req.reps = suite.reps;
    if (suite.timeout && vm["timeout"].defaulted()) s.opt.timeout_s = suite.timeout;
    auto& d = s.suite_defaults;
    if (!d.precision) d.precision = suite.precision;
    if (!d.max_time) d.max_time = suite.max_time;
    if (!d.min_window_ms) d.min_window_ms = suite.min_window_ms;
    if (suite.heap_shift) s.opt.heap_shift = true;  // a switch: the command line can only add it
    if (!suite.allocators.empty() && vm["allocators"].defaulted()) {
      // A suite names the allocators it wants; those missing here are left out.
      alloc_names.clear();
      for (const auto& a : suite.allocators)
        for (const auto& have : s.opt.allocators)
          if (have.name == a) alloc_names.push_back(a);
    }
  }
  return alloc_names;
}

// The plan request's own options: seed, threads, reps, warm-up, workloads.
void read_plan_options(RunSetup& s, const std::vector<std::string>& exec_argv) {
  const po::variables_map& vm = s.vm;
  PlanRequest& req = s.req;
  req.seed = vm["seed"].as<uint64_t>();
  req.threads = parse_int_list(vm["threads"].as<std::string>(), "--threads");
  req.reps = vm["reps"].as<int>();
  if (req.reps < 1 || req.reps > 100000) throw InputError(fmt::format("--reps {}: expected 1 or more", req.reps));
  req.warmup = vm["warmup"].as<bool>();
  req.exec_argv = exec_argv;
  if (vm.count("workload"))
    for (const auto& w : vm["workload"].as<std::vector<std::string>>())
      req.workloads.push_back(parse_workload_spec(w, "--workload"));
}

// A suite's precision applies when the command line asks for neither a
// precision nor a number of rounds, and there are allocators to compare.
double suite_precision(const RunSetup& s) {
  const auto& d = s.suite_defaults;
  if (!d.precision || s.vm.count("precision") || !s.vm["reps"].defaulted() || s.req.allocators.size() < 2) return 0;
  if (!s.opt.quiet)
    note("allocscope: the suite asks for ±{}% (precision {}{}); --reps N runs fixed rounds instead", d.precision,
         d.precision, d.max_time ? fmt::format(", max-time {} s", d.max_time) : "");
  return d.precision;
}

// --precision, --max-time, --max-rounds, --baseline (the last three need the
// first), or the suite's precision and max-time; with a precision the first
// rounds default to what an interval needs.
void read_precision_options(RunSetup& s) {
  const po::variables_map& vm = s.vm;
  const double from_suite = suite_precision(s);
  if (!vm.count("precision") && !from_suite) {
    for (const char* o : {"max-time", "baseline", "precision-metric"})
      if (vm.count(o)) throw InputError(fmt::format("--{} applies to a precision-driven run: add --precision P", o));
    if (!vm["max-rounds"].defaulted())
      throw InputError("--max-rounds applies to a precision-driven run: add --precision P");
    return;
  }
  PrecisionOptions p;
  const double pct = from_suite ? from_suite : vm["precision"].as<double>();
  if (!(pct > 0 && pct < 100))
    throw InputError(fmt::format("--precision {}: expected a percentage above 0, e.g. 2", pct));
  p.rule.precision = pct / 100;
  if (vm.count("max-time")) {
    p.rule.max_time_s = vm["max-time"].as<double>();
    if (!(p.rule.max_time_s > 0)) throw InputError("--max-time: expected a positive number of seconds");
  } else if (s.suite_defaults.max_time) {
    p.rule.max_time_s = s.suite_defaults.max_time;
  }
  p.max_rounds = vm["max-rounds"].as<int>();
  p.rule.min_rounds = stats::min_rounds_for_interval(p.rule.confidence);
  if (p.max_rounds < static_cast<int>(p.rule.min_rounds) || p.max_rounds > 100000)
    throw InputError(fmt::format("--max-rounds {}: expected at least {} (the rounds a 95% interval needs)",
                                 p.max_rounds, p.rule.min_rounds));
  if (vm["reps"].defaulted()) s.req.reps = std::max(s.req.reps, static_cast<int>(p.rule.min_rounds));
  if (s.req.allocators.size() < 2)
    throw InputError("--precision compares allocators with a baseline: select at least two (--allocators a,b)");
  p.baseline = vm.count("baseline") ? vm["baseline"].as<std::string>() : s.req.allocators.front()->name;
  bool known = false;
  for (const Adapter* a : s.req.allocators) known = known || a->name == p.baseline;
  if (!known) throw InputError(fmt::format("--baseline {}: not one of the selected allocators", p.baseline));
  if (vm.count("precision-metric")) {
    p.metric = vm["precision-metric"].as<std::string>();
    if (!find_metric(p.metric))
      throw InputError(
          fmt::format("--precision-metric '{}': not a known metric (see docs/results-schema.md)", p.metric));
  }
  s.precision = p;
}

// Limits of each job: wall-clock timeout, memory limit and how it is enforced.
void read_limits(RunSetup& s) {
  const po::variables_map& vm = s.vm;
  RunOptions& opt = s.opt;
  opt.timeout_s = vm["timeout"].as<double>();
  if (!(opt.timeout_s > 0)) throw InputError("--timeout: expected a positive number of seconds");
  uint64_t mem = 0;
  if (!parse_size(vm["mem-limit"].as<std::string>(), &mem))
    throw InputError(
        fmt::format("--mem-limit '{}': expected a size such as 8G or 0", vm["mem-limit"].as<std::string>()));
  opt.mem_limit_bytes = mem;
  opt.mem_limit_method = vm["mem-limit-method"].as<std::string>();
  if (opt.mem_limit_method != "auto" && opt.mem_limit_method != "cgroup" && opt.mem_limit_method != "rlimit")
    throw InputError(fmt::format("--mem-limit-method '{}': expected auto, cgroup or rlimit", opt.mem_limit_method));
  if (opt.mem_limit_method == "cgroup" && mem) {
    std::string why;
    if (MemCgroup::parent_dir(&why).empty()) throw InputError("--mem-limit-method cgroup: " + why);
  }
}

// What is measured besides the defaults: RSS interval, syscall counting,
// latency samples, usable sizes, instructions under Valgrind.
void read_measurements(RunSetup& s) {
  const po::variables_map& vm = s.vm;
  RunOptions& opt = s.opt;
  opt.rss_interval_s = vm["rss-interval"].as<double>() / 1000.0;
  if (opt.rss_interval_s < 0) throw InputError("--rss-interval: expected 0 or more milliseconds");
  opt.count_syscalls = !vm["no-syscalls"].as<bool>();
  const std::string method = vm["syscall-method"].as<std::string>();
  if (method != "auto" && method != "perf" && method != "ptrace")
    throw InputError(fmt::format("--syscall-method '{}': expected auto, perf or ptrace", method));
  opt.force_ptrace_counting = method == "ptrace";
  opt.latency_every = vm["latency-every"].as<uint64_t>();
  opt.track_usable = vm["track-usable"].as<bool>();
  if (vm.count("metric"))
    for (const auto& m : vm["metric"].as<std::vector<std::string>>()) {
      if (m != "instructions") throw InputError(fmt::format("--metric '{}': expected 'instructions'", m));
      opt.count_instructions = true;
    }
  if (opt.count_instructions) {
    opt.valgrind_path = find_valgrind();
    if (opt.valgrind_path.empty())
      throw InputError("--metric instructions needs valgrind on PATH (apt-get install valgrind)");
  }
}

// --min-window: measures or applies the calibration; true when it changed the plan.
bool calibrate(RunSetup& s, const CalibrationSource& source) {
  double min_ms = s.vm["min-window"].as<double>();
  // A suite's minimum window applies where --min-window is not given (and
  // not to a shard, which cannot calibrate on its own: see below).
  if (s.vm["min-window"].defaulted() && !s.vm.count("shard")) min_ms = s.suite_defaults.min_window_ms;
  if (!(min_ms >= 0) || min_ms > 600000) throw InputError("--min-window: expected 0 to 600000 milliseconds");
  if (source.mode == CalibrationSource::Recorded && source.recorded.is_object()) {
    apply_calibration(s.req, source.recorded.value("entries", json::array()));
    s.calibration = source.recorded;
    return true;
  }
  if (source.mode != CalibrationSource::Measure || min_ms == 0) return false;
  if (s.vm.count("shard"))
    throw InputError(
        "--min-window with --shard: the shards would each calibrate on their own machine, and one workload's "
        "allocators could run different inputs; calibrate in a run without --shard and pass the values it records "
        "(context.calibration) as explicit parameters");
  CalibrationOptions c;
  c.min_window_s = min_ms / 1000;
  if (!s.opt.quiet) note("allocscope: calibrating timed windows to {} ms or more", min_ms);
  json entries = calibrate_windows(s.req, s.opt, c);
  s.calibration = {
      {"min_window_s", c.min_window_s}, {"allocator", s.req.allocators.front()->name}, {"entries", entries}};
  apply_calibration(s.req, entries);
  return true;
}

}  // namespace

std::unique_ptr<RunSetup> setup_run(const std::vector<std::string>& args, const std::vector<std::string>& exec_argv,
                                    const CalibrationSource& calibration) {
  auto sp = std::make_unique<RunSetup>();
  RunSetup& s = *sp;
  auto desc = run_options();
  po::store(po::command_line_parser(args).options(desc).run(), s.vm);
  if (s.vm.count("help")) {
    print_run_help(desc);
    s.help = true;
    return sp;
  }
  if (s.vm.count("config")) load_run_config(s.vm["config"].as<std::string>(), desc, s.vm);
  po::notify(s.vm);
  if (s.vm["exec"].as<bool>() != !exec_argv.empty())
    throw InputError("--exec needs a command after '--' (allocscope run --exec -- CMD ARGS...)");

  std::vector<std::string> user_libs;
  if (s.vm.count("allocator-lib")) user_libs = s.vm["allocator-lib"].as<std::vector<std::string>>();
  s.opt.allocators = available_allocators(user_libs);
  s.opt.quiet = s.vm["quiet"].as<bool>();
  read_plan_options(s, exec_argv);
  read_limits(s);
  s.req.allocators = select_allocators(s.opt.allocators, apply_suites(s, exec_argv));
  if (s.vm.count("shard")) s.shard = parse_shard(s.vm["shard"].as<std::string>());
  read_measurements(s);
  read_output_options(s.vm, exec_argv, s.opt);
  read_precision_options(s);  // after the output metrics are declared
  read_thp_option(s.vm["thp"].as<std::string>(), s.opt);
  try {
    s.opt.placement = to_string(parse_placement(s.vm["placement"].as<std::string>()));
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("--") + e.what());
  }
  if (s.vm["heap-shift"].as<bool>()) s.opt.heap_shift = true;  // or a suite's heap-shift directive
  s.opt.worker_path = helper_dir() + "/allocscope-worker";

  s.jobs = build_plan(s.req);  // every workload and parameter checked before any calibration job runs
  if (s.jobs.empty()) throw InputError("nothing to run (every selected workload was skipped)");
  if (calibrate(s, calibration)) s.jobs = build_plan(s.req);
  s.matrix_size = s.jobs.size();
  s.jobs = select_shard(s.jobs, s.shard);
  return sp;
}

namespace {

// "--exec -- CMD ARGS": the options before "--", the command after it.
RunArguments split_exec(const std::vector<std::string>& all_args) {
  RunArguments out;
  bool after_dashes = false;
  for (const auto& a : all_args) {
    if (after_dashes)
      out.exec.push_back(a);
    else if (a == "--")
      after_dashes = true;
    else
      out.args.push_back(a);
  }
  return out;
}

// The folder of "--resume DIR" (or "--resume=DIR"), "" when not resuming.
std::string resume_folder(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if ((a == "--resume" || a.rfind("--resume=", 0) == 0) && !(args.size() == 2 && a == args[0]) &&
        !(args.size() == 1 && a != "--resume"))
      throw InputError("--resume DIR takes the run folder and no other option (the run's options are in DIR/run.json)");
  if (args.size() == 1 && args[0].rfind("--resume=", 0) == 0) return args[0].substr(9);
  if (args.size() == 2 && args[0] == "--resume") return args[1];
  return {};
}

// The facts of this run for results.json's "context".
json run_context(const std::vector<std::string>& all_args, RunSetup& s) {
  std::string cmdline = "allocscope run";
  for (const auto& a : all_args) cmdline += " " + a;
  json context = collect_context(cmdline);
  context["suite"] = s.suite_names;
  json allocs = json::object();
  for (const Adapter* a : s.req.allocators) allocs[a->name] = {{"version", a->version}, {"path", a->preload}};
  context["allocators"] = allocs;
  context["seed"] = s.req.seed;
  context["reps"] = s.req.reps;
  context["jobs"] = s.matrix_size;  // the whole matrix; a shard runs part of it
  if (s.shard.count > 1)
    context["shard"] = {{"index", s.shard.index}, {"count", s.shard.count}, {"jobs", s.jobs.size()}};
  s.opt.record_tags = cluster::record_placement(context.value("host", ""));
  if (s.opt.record_tags.contains("slurm")) context["slurm"] = s.opt.record_tags["slurm"];
  if (!s.opt.output_metrics.empty()) context["declared_metrics"] = declared_metrics_json();
  context["placement"] = s.opt.placement;
  if (s.opt.heap_shift) context["heap_shift"] = true;
  if (!s.calibration.is_null()) context["calibration"] = s.calibration;
  return context;
}

// What a resumed run starts from: the journal's records and the context the
// run started with, which must describe the same job matrix.
Results resumed_results(const RunDir& dir, size_t matrix_size, json fresh_context) {
  Results r;
  r.runs = dir.journal_records();
  json old = dir.saved_context();
  if (old.empty()) {
    r.context = std::move(fresh_context);
    return r;
  }
  if (old.value("jobs", matrix_size) != matrix_size)
    throw InputError(
        fmt::format("--resume {}: the job matrix changed since the run started ({} jobs, now {}); start a new run",
                    dir.path(), old.value("jobs", size_t{0}), matrix_size));
  r.context = std::move(old);
  return r;
}

// Prints the table (or the results) on stdout, then the closing line on
// stderr; returns the exit status.
int finish_run(const RunDir& dir, const Results& results, size_t planned, bool as_json) {
  if (as_json)
    print_out(to_json(results).dump(1) + "\n");
  else
    print_out(summary_table(results.runs) + precision_summary(results.context));
  size_t failed = 0;
  for (const auto& r : results.runs) failed += !r.ok();
  if (g_stop_requested.load()) {
    note("allocscope: interrupted after {} of {} jobs; finish with: allocscope run --resume {}", results.runs.size(),
         planned, dir.path());
    return 130;
  }
  note("allocscope: {} jobs, {} not ok; results in {}", results.runs.size(), failed, dir.results_file());
  return failed ? 1 : 0;
}

}  // namespace

int cmd_run(const std::vector<std::string>& all_args) {
  RunArguments given = split_exec(all_args);
  const std::string resume_dir = resume_folder(given.args);
  if (!resume_dir.empty()) given = RunDir::existing(resume_dir).load_arguments();

  CalibrationSource calibration;  // a new run measures; a resumed one applies what it recorded
  if (!resume_dir.empty()) {
    const json saved = RunDir::existing(resume_dir).saved_context();
    if (saved.contains("calibration")) calibration = {CalibrationSource::Recorded, saved["calibration"]};
  }
  auto setup = setup_run(given.args, given.exec, calibration);
  if (setup->help) return 0;
  const po::variables_map& vm = setup->vm;
  const RunDir dir = !resume_dir.empty()
                         ? RunDir::existing(resume_dir)
                         : RunDir::create(vm.count("out") ? vm["out"].as<std::string>() : RunDir::default_path());
  json context = run_context(all_args, *setup);
  Results results;
  if (!resume_dir.empty()) {
    results = resumed_results(dir, setup->matrix_size, std::move(context));
    // Journal records of jobs outside this plan (should not happen) are kept but not rerun.
  } else {
    results.context = std::move(context);
    dir.save_arguments(given);
  }
  if (!setup->opt.quiet)
    note("allocscope: {} jobs ({} already done) -> {}", setup->jobs.size(), results.runs.size(), dir.path());

  install_stop_handlers();
  if (setup->precision)
    results = run_precise(setup->jobs, setup->opt, dir, std::move(results), *setup->precision, setup->req.seed);
  else
    results = run_plan(setup->jobs, setup->opt, dir, std::move(results));
  return finish_run(dir, results, setup->jobs.size(), vm["json"].as<bool>());
}

}  // namespace allocscope
