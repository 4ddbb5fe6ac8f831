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

}  // namespace

int cmd_record(const std::vector<std::string>& args) {
  std::string out;
  int zstd = 0;
  std::string buffer_kb;
  bool quiet = false, precise = false;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "--help" || a == "-h") {
      std::fputs(kRecordUsage, stdout);
      return 0;
    } else if (a == "--out" || a == "-o") {
      if (i + 1 >= args.size()) throw InputError("--out needs a file name");
      out = args[++i];
    } else if (a.rfind("--out=", 0) == 0) {
      out = a.substr(6);
    } else if (a == "--zstd") {
      zstd = 3;
    } else if (a.rfind("--zstd=", 0) == 0) {
      char* end = nullptr;
      long v = std::strtol(a.c_str() + 7, &end, 10);
      if (*end || v < 1 || v > 19) throw InputError(fmt::format("{}: expected a zstd level 1..19", a));
      zstd = static_cast<int>(v);
    } else if (a == "--buffer") {
      if (i + 1 >= args.size()) throw InputError("--buffer needs a size in KiB");
      buffer_kb = args[++i];
      char* end = nullptr;
      long v = std::strtol(buffer_kb.c_str(), &end, 10);
      if (*end || v < 4 || v > 8192) throw InputError(fmt::format("--buffer {}: expected 4..8192 (KiB)", buffer_kb));
    } else if (a == "--precise-time") {
      precise = true;
    } else if (a == "--quiet" || a == "-q") {
      quiet = true;
    } else {
      throw InputError(fmt::format("unexpected argument '{}' (the command goes after '--')\n{}", a, kRecordUsage));
    }
  }
  if (out.empty()) throw InputError(std::string("--out FILE is required\n") + kRecordUsage);
  if (i >= args.size()) throw InputError(std::string("no command to record after '--'\n") + kRecordUsage);
  const std::string lib = trace_library();
  if (::access(lib.c_str(), R_OK) != 0)
    throw InputError(
        fmt::format("recorder library {} not found (build the allocscope_trace target, or set "
                    "ALLOCSCOPE_TRACE_LIB)",
                    lib));
  const std::string abs_out = fs::absolute(out).lexically_normal().string();
  {
    std::FILE* probe = std::fopen(abs_out.c_str(), "wb");
    if (!probe) throw InputError(fmt::format("--out {}: cannot create: {}", out, std::strerror(errno)));
    std::fclose(probe);
    ::unlink(abs_out.c_str());
  }

  // Everything the child needs, prepared before fork.
  std::string preload = lib;
  if (const char* old = std::getenv("LD_PRELOAD"); old && *old) preload += std::string(" ") + old;
  std::vector<std::string> argv_s(args.begin() + static_cast<long>(i), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  const std::string zstd_s = std::to_string(zstd);

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
    if (precise) ::setenv("ALLOCSCOPE_TRACE_CLOCK", "precise", 1);
    if (!buffer_kb.empty()) ::setenv("ALLOCSCOPE_TRACE_BUFFER", buffer_kb.c_str(), 1);
    ::execvp(argv[0], argv.data());
    std::fprintf(stderr, "allocscope record: cannot run %s: %s\n", argv[0], std::strerror(errno));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  int rc = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;

  if (!quiet) {
    std::error_code ec;
    auto size = fs::file_size(abs_out, ec);
    if (ec) {
      std::fprintf(stderr, "allocscope record: %s was not written (did %s allocate, or exit by a signal?)\n",
                   out.c_str(), argv_s[0].c_str());
    } else {
      std::fprintf(stderr, "allocscope record: wrote %s (%ju bytes)\n", out.c_str(), static_cast<uintmax_t>(size));
    }
    // Files of child processes.
    const fs::path p(abs_out);
    int children = 0;
    for (const auto& e : fs::directory_iterator(p.parent_path(), ec)) {
      std::string name = e.path().filename().string(), stem = p.filename().string() + ".";
      if (name.rfind(stem, 0) == 0 && name.size() > stem.size() &&
          name.find_first_not_of("0123456789", stem.size()) == std::string::npos)
        ++children;
    }
    if (children > 0)
      std::fprintf(stderr, "allocscope record: %d child process trace(s) %s.<pid>\n", children, out.c_str());
    if (WIFSIGNALED(status))
      std::fprintf(stderr, "allocscope record: %s ended by signal %d: the trace lacks its end record\n",
                   argv_s[0].c_str(), WTERMSIG(status));
  }
  return rc;
}

}  // namespace allocscope
