// Bad input anywhere - command line, suite files, config files, results
// files given to merge - ends with a message naming the file:line or option
// and what was expected, and exit status 2; never a crash.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/reliability/cli_runner.hpp"

using namespace rt;

namespace {

struct Case {
  std::vector<std::string> args;  // "@" in an argument is replaced by the fixture folder
  std::string fragment;           // expected in stderr
};

std::string fixtures() {
  static const std::string d = [] {
    std::string dir = fresh_dir("bad-input");
    auto put = [&](const std::string& name, const std::string& text) { write_text(dir + "/" + name, text); };
    put("unknown_kw.suite", "workload churn\nfrobnicate 3\n");
    put("bad_threads.suite", "workload churn threads=0\n");
    put("empty.suite", "# only a comment\n\n");
    put("bad_kv.suite", "workload churn:ops\n");
    put("bad_param.suite", "# params\nworkload churn:nosuch=1\n");
    put("unknown_wl.suite", "workload nosuch\n");
    put("reps_args.suite", "workload churn\nreps 1 2\n");
    put("bad_alloc.suite", "workload churn\nallocators glibc,,x\n");
    put("binary.suite", std::string("workload churn\n\x01\x02\0\0garbage", 25));
    put("trailing.suite", "workload churn extra\n");
    put("bad_reps.suite", "workload churn\nreps zero\n");
    put("unknown.conf", "threads = 1\nfoo = 3\n");
    put("noeq.conf", "threads 4\n");
    put("noname.conf", "reps = 2\n = glibc\n");
    put("placeholder.conf", "reps = x%value%\n");
    put("badval.conf", "# reps\nreps = many\n");
    put("badbool.conf", "warmup = maybe\n");
    put("badthreads.conf", "threads = 0\n");
    put("garbage.json", "{ not json");
    put("schema.json", R"({"schema": "something/9", "runs": []})");
    put("runs.json", R"({"schema": "allocscope.results/1", "runs": {}})");
    put("schemaarray.json", R"({"schema": []})");  // found by fuzz_results_loader
    put("noalloc.json",
        R"({"schema": "allocscope.results/1", "runs": [{"workload": "churn", "status": "ok", "metrics": {}}]})");
    put("badmetric.json",
        R"({"schema": "allocscope.results/1", "runs": [{"allocator": "glibc", "workload": "churn", "status": "ok", "metrics": {"wall_s": "fast"}}]})");
    put("notobj.json", R"({"schema": "allocscope.results/1", "runs": [3]})");
    put("seed1.json",
        R"({"schema": "allocscope.results/1", "context": {"seed": 1, "suite": "s"}, "runs": [{"index": 0, "allocator": "glibc", "workload": "churn", "status": "ok", "metrics": {}}]})");
    put("seed2.json",
        R"({"schema": "allocscope.results/1", "context": {"seed": 2, "suite": "s"}, "runs": [{"index": 1, "allocator": "glibc", "workload": "churn", "status": "ok", "metrics": {}}]})");
    put("empty.json", "");
    put("overflow.json", R"({"schema": "allocscope.results/1", "runs": [], "x": 1e999})");
    put("garbage.trace", "garbage, not a trace");
    put("empty.trace", "");
    put("bad.mtrace", "= Start\n@ ./x:[0x1] + 0xzz 0x10\n");
    return dir;
  }();
  return d;
}

const std::vector<Case>& cases() {
  static const std::vector<Case> c{
      // command line
      {{"frobnicate"}, "unknown command 'frobnicate'"},
      {{"list", "nothing"}, "unknown list 'nothing'"},
      {{"run", "--bogus"}, "unrecognised option '--bogus'"},
      {{"run", "--threads", "0", "-w", "churn"}, "--threads: '0' is not a list of positive integers"},
      {{"run", "--threads", "1,x", "-w", "churn"}, "--threads: '1,x'"},
      {{"run", "--reps", "0", "-w", "churn"}, "--reps 0: expected 1 or more"},
      {{"run", "--reps", "two", "-w", "churn"}, "option '--reps' is invalid"},
      {{"run", "--timeout", "-1", "-w", "churn"}, "--timeout: expected a positive number"},
      {{"run", "--mem-limit", "lots", "-w", "churn"}, "--mem-limit 'lots': expected a size"},
      {{"run", "--mem-limit-method", "magic", "-w", "churn"}, "--mem-limit-method 'magic'"},
      {{"run", "--seed", "abc", "-w", "churn"}, "option '--seed' is invalid"},
      // Boost's message template placeholder in a value (its what() looped forever)
      {{"run", "--reps", "%value%", "-w", "churn"},
       "the argument ('\uff05value\uff05') for option '--reps' is invalid"},
      {{"run", "-a", "nosuch", "-w", "churn"}, "unknown allocator 'nosuch'; valid allocators: glibc"},
      {{"run", "-w", "nosuch"}, "--workload: unknown workload 'nosuch'; valid workloads:"},
      {{"run", "-w", "churn:nosuch=1"}, "unknown parameter 'nosuch'; valid parameters: ops"},
      {{"run", "-w", "churn:ops=abc"}, "parameter 'ops' = 'abc': not an integer"},
      {{"run", "-w", "churn:=3"}, "'=3' in 'churn:=3' is not key=value"},
      {{"run", "-w", ":ops=3"}, "empty workload name"},
      {{"run", "--suite", "nosuch"}, "unknown suite 'nosuch'"},
      {{"run", "--suite", "@"}, "is a folder, expected a .suite file"},
      {{"run", "--allocator-lib", "foo", "-w", "churn"}, "--allocator-lib 'foo': expected NAME=/path/to/lib.so"},
      {{"run", "--allocator-lib", "x=/nonexistent/lib.so", "-w", "churn"}, "cannot read /nonexistent/lib.so"},
      {{"run", "--allocator-lib", "glibc=" CRASH_SHIM, "-w", "churn"}, "the name 'glibc' is already taken"},
      {{"run", "--exec"}, "--exec needs a command after '--'"},
      {{"run", "--shard", "3/2", "-w", "churn"}, "--shard '3/2': expected I/N with 1 <= I <= N"},
      {{"run", "--shard", "x", "-w", "churn"}, "--shard 'x'"},
      {{"run", "--shard", "0/2", "-w", "churn"}, "--shard '0/2'"},
      {{"run", "--resume", "@/nonexistent"}, "no readable run.json"},
      {{"run", "--resume", "@", "--reps", "2"}, "--resume DIR takes the run folder and no other option"},
      {{"run", "--config", "@/missing.conf", "-w", "churn"}, "--config @/missing.conf: cannot read the file"},
      // suite files
      {{"run", "--suite", "@/unknown_kw.suite"}, "unknown_kw.suite:2: unknown keyword 'frobnicate'"},
      {{"run", "--suite", "@/bad_threads.suite"}, "bad_threads.suite:1: '0' is not a list of positive integers"},
      {{"run", "--suite", "@/empty.suite"}, "empty.suite: the suite names no workload"},
      {{"run", "--suite", "@/bad_kv.suite"}, "bad_kv.suite:1: 'ops' in 'churn:ops' is not key=value"},
      {{"run", "--suite", "@/bad_param.suite"}, "bad_param.suite:2: workload 'churn': unknown parameter 'nosuch'"},
      {{"run", "--suite", "@/unknown_wl.suite"}, "unknown_wl.suite:1: unknown workload 'nosuch'"},
      {{"run", "--suite", "@/reps_args.suite"}, "reps_args.suite:2: 'reps' takes 1 argument(s), got 2"},
      {{"run", "--suite", "@/bad_alloc.suite"}, "bad_alloc.suite:2: empty allocator name"},
      {{"run", "--suite", "@/binary.suite"}, "binary.suite:2: unexpected NUL byte"},
      {{"run", "--suite", "@/trailing.suite"}, "trailing.suite:1: unexpected 'extra' (expected threads=LIST)"},
      {{"run", "--suite", "@/bad_reps.suite"}, "bad_reps.suite:2: 'zero' is not a list of positive integers"},
      // config files
      {{"run", "--config", "@/unknown.conf", "-w", "churn"}, "unknown.conf:2: unknown option 'foo'"},
      {{"run", "--config", "@/noeq.conf", "-w", "churn"}, "noeq.conf:1: expected 'option = value'"},
      {{"run", "--config", "@/noname.conf", "-w", "churn"}, "noname.conf:2: expected 'option = value', got '= glibc'"},
      {{"run", "--config", "@/placeholder.conf", "-w", "churn"},
       "placeholder.conf:1: the argument ('x\uff05value\uff05') for option '--reps' is invalid"},
      {{"run", "--config", "@/badval.conf", "-w", "churn"},
       "badval.conf:2: the argument ('many') for option '--reps' is invalid"},
      {{"run", "--config", "@/badbool.conf", "-w", "churn"}, "badbool.conf:1: option 'warmup' expects true or false"},
      {{"run", "--config", "@/badthreads.conf", "-w", "churn"}, "badthreads.conf:1: threads: '0' is not a list"},
      // results files given to merge
      {{"merge", "@/seed1.json"}, "no output file: add -o OUT.json"},
      {{"merge", "-o", "@/out.json"}, "no results files given"},
      {{"merge", "@/nonexistent.json", "-o", "@/out.json"}, "nonexistent.json: cannot open"},
      {{"merge", "@/garbage.json", "-o", "@/out.json"}, "garbage.json: not valid JSON at byte"},
      {{"merge", "@/empty.json", "-o", "@/out.json"}, "empty.json: not valid JSON at byte"},
      {{"merge", "@/overflow.json", "-o", "@/out.json"},
       "overflow.json: not valid JSON: [json.exception.out_of_range.406]"},
      {{"merge", "@/schema.json", "-o", "@/out.json"},
       "schema.json: expected an object with \"schema\": \"allocscope.results/1\""},
      {{"merge", "@/schemaarray.json", "-o", "@/out.json"},
       "schemaarray.json: expected an object with \"schema\": \"allocscope.results/1\""},
      {{"merge", "@/runs.json", "-o", "@/out.json"}, "runs.json: expected \"runs\" to be an array"},
      {{"merge", "@/noalloc.json", "-o", "@/out.json"}, "noalloc.json: runs[0]: expected string field \"allocator\""},
      {{"merge", "@/badmetric.json", "-o", "@/out.json"},
       "badmetric.json: runs[0]: metric \"wall_s\" must be a number"},
      {{"merge", "@/notobj.json", "-o", "@/out.json"}, "notobj.json: runs[0]: expected an object"},
      {{"merge", "@/seed1.json", "@/seed2.json", "-o", "@/out.json"}, "seed2.json has seed = 2 but @/seed1.json has 1"},
      {{"merge", "@/seed1.json", "@/seed1.json", "-o", "@/out.json"}, "job #0 (glibc churn) is in both"},
      {{"merge", "--bogus", "@/seed1.json", "-o", "@/out.json"}, "unknown option '--bogus'"},
      {{"merge", "@/seed1.json", "-o"}, "-o needs a file name"},
      // trace files
      {{"trace", "info", "@/garbage.trace"}, "garbage.trace: offset 20: truncated file header"},
      {{"trace", "info", "@/empty.trace"}, "empty.trace: offset 0: truncated file header"},
      {{"trace", "info", "@/nonexistent.trace"}, "nonexistent.trace: cannot open"},
      {{"trace", "convert", "@/bad.mtrace", "@/out.trace"}, "bad.mtrace:2: '0xzz' is not a hexadecimal number"},
      {{"trace", "frob"}, "unknown trace command 'frob'"},
      // stress and probe
      {{"stress", "--threads", "0"}, "--threads 0: expected 1 to 1024"},
      {{"stress", "--seconds", "0"}, "--seconds: expected a positive number"},
      {{"stress", "-a", "nosuch"}, "unknown allocator 'nosuch'"},
      {{"stress", "--allocator-lib", "=x"}, "--allocator-lib '=x': expected NAME=/path/to/lib.so"},
      {{"probe", "--probes", "nosuch"}, "--probes: unknown probe 'nosuch'; valid probes: double_free"},
      {{"probe", "-a", "nosuch"}, "unknown allocator 'nosuch'"},
      {{"probe", "--timeout", "0"}, "--timeout: expected a positive number"},
      {{"probe", "--nope"}, "unrecognised option '--nope'"},
  };
  return c;
}

std::string subst(std::string s, const std::string& dir) {
  for (size_t at; (at = s.find('@')) != std::string::npos;) s.replace(at, 1, dir);
  return s;
}

}  // namespace

TEST(BadInput, TableOfCases) {
  const std::string dir = fixtures();
  ASSERT_GE(cases().size(), 30u);
  for (const Case& c : cases()) {
    std::vector<std::string> args;
    std::string shown = "allocscope";
    for (const auto& a : c.args) {
      args.push_back(subst(a, dir));
      shown += " " + args.back();
    }
    CliResult r = run_cli(args);
    const std::string want = subst(c.fragment, dir);
    EXPECT_EQ(r.rc, 2) << shown << "\nstderr: " << r.err;
    EXPECT_NE(r.err.find(want), std::string::npos) << shown << "\nexpected: " << want << "\nstderr: " << r.err;
    EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << shown;
  }
}
