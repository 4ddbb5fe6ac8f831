// allocscope record --out FILE [--zstd[=LEVEL]] [--buffer KB] [--quiet] -- CMD ARGS...
// Runs CMD with liballocscope_trace.so preloaded on top of the system
// allocator; every allocation call is recorded into FILE (docs/trace-format.md).
// Child processes (fork, exec) write FILE.<pid>. Exits with CMD's status.
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "common/input_error.hpp"
#include "harness/cli/commands.hpp"

namespace fs = std::filesystem;

namespace allocscope {

namespace {

const char* kRecordUsage =
    "usage: allocscope record --out FILE [--zstd[=LEVEL]] [--buffer KB] [--precise-time] [--quiet] -- CMD ARGS...\n"
    "  Runs CMD with liballocscope_trace.so preloaded and records every malloc, calloc,\n"
    "  realloc, reallocarray, free, memalign, posix_memalign, aligned_alloc, valloc,\n"
    "  pvalloc and C++ operator new/delete call (thread, order, time, sizes, pointers).\n"
    "  --out FILE      the trace of CMD's process; its children write FILE.<pid>\n"
    "  --zstd[=LEVEL]  compress chunks with zstd (default level 3)\n"
    "  --buffer KB     per-thread buffer size (default 64)\n"
    "  --precise-time  ns timestamps (CLOCK_MONOTONIC; slower) instead of the coarse\n"
    "                  clock (one kernel tick, 1-4 ms)\n"
    "  --quiet         print nothing (CMD's own output is never changed)\n"
    "  Inspect with 'allocscope trace info FILE'; replay with\n"
    "  'allocscope run -w trace:path=FILE'. Exit status: CMD's.\n";

std::string trace_library() {
  if (const char* env = std::getenv("ALLOCSCOPE_TRACE_LIB")) return env;
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  fs::path dir = ec ? fs::path(".") : exe.parent_path();
  return (dir / ".." / "lib" / "liballocscope_trace.so").lexically_normal().string();
}

// What `record` was asked to do.
struct RecordOptions {
  std::string out;  // as given
  int zstd = 0;     // 0: no compression
  std::string buffer_kb;
  bool quiet = false, precise = false, help = false;
  std::vector<std::string> command;
};

int parse_zstd_level(const std::string& a) {
  char* end = nullptr;
  long v = std::strtol(a.c_str() + 7, &end, 10);
  if (*end || v < 1 || v > 19) throw InputError(fmt::format("{}: expected a zstd level 1..19", a));
  return static_cast<int>(v);
}

std::string check_buffer_kb(const std::string& kb) {
  char* end = nullptr;
  long v = std::strtol(kb.c_str(), &end, 10);
  if (*end || v < 4 || v > 8192) throw InputError(fmt::format("--buffer {}: expected 4..8192 (KiB)", kb));
  return kb;
}

RecordOptions parse_record_options(const std::vector<std::string>& args) {
  RecordOptions o;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "--help" || a == "-h") {
      o.help = true;
      return o;
    } else if (a == "--out" || a == "-o") {
      if (i + 1 >= args.size()) throw InputError("--out needs a file name");
      o.out = args[++i];
    } else if (a.rfind("--out=", 0) == 0) {
      o.out = a.substr(6);
    } else if (a == "--zstd") {
      o.zstd = 3;
    } else if (a.rfind("--zstd=", 0) == 0) {
      o.zstd = parse_zstd_level(a);
    } else if (a == "--buffer") {
      if (i + 1 >= args.size()) throw InputError("--buffer needs a size in KiB");
      o.buffer_kb = check_buffer_kb(args[++i]);
    } else if (a == "--precise-time") {
      o.precise = true;
    } else if (a == "--quiet" || a == "-q") {
      o.quiet = true;
    } else {
      throw InputError(fmt::format("unexpected argument '{}' (the command goes after '--')\n{}", a, kRecordUsage));
    }
  }
  if (o.out.empty()) throw InputError(std::string("--out FILE is required\n") + kRecordUsage);
  if (i >= args.size()) throw InputError(std::string("no command to record after '--'\n") + kRecordUsage);
  o.command.assign(args.begin() + static_cast<long>(i), args.end());
  return o;
}

// The recorder library must be there and FILE creatable, before CMD runs.
// Returns FILE as an absolute path (the child may change directory).
std::string check_record_setup(const std::string& lib, const std::string& out) {
  if (::access(lib.c_str(), R_OK) != 0)
    throw InputError(
        fmt::format("recorder library {} not found (build the allocscope_trace target, or set "
                    "ALLOCSCOPE_TRACE_LIB)",
                    lib));
  const std::string abs_out = fs::absolute(out).lexically_normal().string();
  std::FILE* probe = std::fopen(abs_out.c_str(), "wb");
  if (!probe) throw InputError(fmt::format("--out {}: cannot create: {}", out, std::strerror(errno)));
  std::fclose(probe);
  ::unlink(abs_out.c_str());
  return abs_out;
}

// Runs CMD with the recorder preloaded and waits for it; returns its wait status.
int run_recorded(const RecordOptions& o, const std::string& lib, const std::string& abs_out) {
  // Everything the child needs, prepared before fork.
  std::string preload = lib;
  if (const char* old = std::getenv("LD_PRELOAD"); old && *old) preload += std::string(" ") + old;
  std::vector<std::string> argv_s = o.command;
  std::vector<char*> argv;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  const std::string zstd_s = std::to_string(o.zstd);

  struct sigaction ign {
  }, old_int{}, old_term{};
  ign.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ign, &old_int);  // the child gets the terminal's signals; we report after
  sigaction(SIGTERM, &ign, &old_term);
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(fmt::format("fork: {}", std::strerror(errno)));
  if (pid == 0) {
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGTERM, &old_term, nullptr);
    char root[32];
    std::snprintf(root, sizeof root, "%d", static_cast<int>(::getpid()));
    ::setenv("LD_PRELOAD", preload.c_str(), 1);
    ::setenv("ALLOCSCOPE_TRACE_OUT", abs_out.c_str(), 1);
    ::setenv("ALLOCSCOPE_TRACE_ROOT", root, 1);
    ::setenv("ALLOCSCOPE_TRACE_ZSTD", zstd_s.c_str(), 1);
    if (o.precise) ::setenv("ALLOCSCOPE_TRACE_CLOCK", "precise", 1);
    if (!o.buffer_kb.empty()) ::setenv("ALLOCSCOPE_TRACE_BUFFER", o.buffer_kb.c_str(), 1);
    ::execvp(argv[0], argv.data());
    std::fprintf(stderr, "allocscope record: cannot run %s: %s\n", argv[0], std::strerror(errno));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  return status;
}

// The number of FILE.<pid> traces written by child processes.
int count_child_traces(const std::string& abs_out) {
  const fs::path p(abs_out);
  const std::string stem = p.filename().string() + ".";
  int children = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(p.parent_path(), ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind(stem, 0) == 0 && name.size() > stem.size() &&
        name.find_first_not_of("0123456789", stem.size()) == std::string::npos)
      ++children;
  }
  return children;
}

// What was written, on stderr.
void report_recording(const RecordOptions& o, const std::string& abs_out, int status) {
  const char* program = o.command[0].c_str();
  std::error_code ec;
  auto size = fs::file_size(abs_out, ec);
  if (ec) {
    std::fprintf(stderr, "allocscope record: %s was not written (did %s allocate, or exit by a signal?)\n",
                 o.out.c_str(), program);
  } else {
    std::fprintf(stderr, "allocscope record: wrote %s (%ju bytes)\n", o.out.c_str(), static_cast<uintmax_t>(size));
  }
  if (int children = count_child_traces(abs_out); children > 0)
    std::fprintf(stderr, "allocscope record: %d child process trace(s) %s.<pid>\n", children, o.out.c_str());
  if (WIFSIGNALED(status))
    std::fprintf(stderr, "allocscope record: %s ended by signal %d: the trace lacks its end record\n", program,
                 WTERMSIG(status));
}

}  // namespace

int cmd_record(const std::vector<std::string>& args) {
  const RecordOptions o = parse_record_options(args);
  if (o.help) {
    std::fputs(kRecordUsage, stdout);
    return 0;
  }
  const std::string lib = trace_library();
  const std::string abs_out = check_record_setup(lib, o.out);
  const int status = run_recorded(o, lib, abs_out);
  if (!o.quiet) report_recording(o, abs_out, status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
}

}  // namespace allocscope
