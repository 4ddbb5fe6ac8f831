#include "harness/conform/child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "harness/runner/launcher.hpp"  // g_stop_requested, set by the CLI's signal handler

extern char** environ;

namespace allocscope::conform {

namespace {

constexpr size_t kOutputTail = 16 * 1024;

// An unlinked temporary file (gone when its descriptor is closed).
int temp_fd() {
  char name[] = "/tmp/allocscope-conform-XXXXXX";
  int fd = ::mkostemp(name, O_CLOEXEC);
  if (fd >= 0) ::unlink(name);
  return fd;
}

std::string read_tail(int fd, size_t max) {
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0) return "";
  off_t start = st.st_size > static_cast<off_t>(max) ? st.st_size - static_cast<off_t>(max) : 0;
  std::string out(static_cast<size_t>(st.st_size - start), '\0');
  ssize_t n = ::pread(fd, out.data(), out.size(), start);
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

// The environment of the child: ours with spec.env_set added or replaced.
std::vector<std::string> child_environment(const std::vector<std::string>& env_set) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    bool replaced = false;
    for (const auto& s : env_set)
      if (entry.substr(0, entry.find('=') + 1) == s.substr(0, s.find('=') + 1)) replaced = true;
    if (!replaced) env.push_back(entry);
  }
  env.insert(env.end(), env_set.begin(), env_set.end());
  return env;
}

// In the child, between fork and exec: async-signal-safe calls only.
[[noreturn]] void exec_child(const ChildSpec& spec, char* const* argv, char* const* envp, int out, int fd3) {
  ::setpgid(0, 0);
  int devnull = ::open("/dev/null", O_RDONLY);
  ::dup2(devnull, STDIN_FILENO);
  ::dup2(out, STDOUT_FILENO);
  ::dup2(out, STDERR_FILENO);
  ::dup2(fd3, 3);
  for (int fd = 4; fd < 1024; ++fd) ::close(fd);
  if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) ::_exit(127);
  ::signal(SIGPIPE, SIG_DFL);
  ::execvpe(argv[0], argv, envp);
  const char msg[] = "allocscope conform: cannot execute the program\n";
  ssize_t ignored = ::write(STDERR_FILENO, msg, sizeof msg - 1);
  (void)ignored;
  ::_exit(127);
}

}  // namespace

ChildResult run_child(const ChildSpec& spec) {
  ChildResult r;
  int out = temp_fd(), fd3 = temp_fd();
  if (out < 0 || fd3 < 0) {
    r.output = std::string("cannot create a temporary file: ") + std::strerror(errno);
    return r;
  }
  std::vector<std::string> env = child_environment(spec.env_set);
  std::vector<char*> argv, envp;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  argv.push_back(nullptr);
  envp.push_back(nullptr);

  const auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) exec_child(spec, argv.data(), envp.data(), out, fd3);
  if (pid < 0) {
    r.output = std::string("fork: ") + std::strerror(errno);
    ::close(out), ::close(fd3);
    return r;
  }
  ::setpgid(pid, pid);  // also here, so the group exists before we may kill it
  r.started = true;
  int status = 0;
  auto sleep = std::chrono::milliseconds(1);
  for (;;) {
    pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    bool stop = g_stop_requested.load();
    if ((spec.timeout_s > 0 && elapsed >= spec.timeout_s) || stop) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      r.timed_out = !stop;
      r.interrupted = stop;
      break;
    }
    std::this_thread::sleep_for(sleep);
    sleep = std::min(sleep * 2, std::chrono::milliseconds(20));
  }
  ::kill(-pid, SIGKILL);  // whatever the program left behind in its group
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!r.timed_out && !r.interrupted) {
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  }
  r.output = read_tail(out, kOutputTail);
  r.fd3 = read_tail(fd3, 4096);
  ::close(out), ::close(fd3);
  return r;
}

}  // namespace allocscope::conform
