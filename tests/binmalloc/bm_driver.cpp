#include "tests/binmalloc/bm_driver.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char **environ;

namespace bmtest {

std::string lib_path() {
#ifdef BMTEST_LIB
  return BMTEST_LIB;
#else
  return "";
#endif
}

Mode mode() {
  const char *ref = std::getenv("BMTEST_REFERENCE");
  if (ref != nullptr && std::string(ref) == "glibc") return Mode::kGlibc;
  if (lib_path().empty()) return Mode::kUnavailable;
  return Mode::kBinmalloc;
}

const char *mode_name() {
  switch (mode()) {
    case Mode::kBinmalloc:
      return "binmalloc";
    case Mode::kGlibc:
      return "glibc";
    default:
      return "unavailable";
  }
}

std::map<std::string, std::string> tcache_off_env() {
  return {{"BINMALLOC_TCACHE_COUNT", "0"}, {"GLIBC_TUNABLES", "glibc.malloc.tcache_count=0"}};
}

std::string RunResult::describe(std::size_t max_chars) const {
  std::ostringstream os;
  os << "command: " << command << "\n";
  if (timed_out)
    os << "status: TIMED OUT (killed)\n";
  else if (exited)
    os << "status: exit code " << exit_code << "\n";
  else
    os << "status: killed by signal " << signal << " (" << strsignal(signal) << ")\n";
  auto cut = [&](const std::string &s) {
    if (s.size() <= max_chars) return s;
    return s.substr(0, max_chars / 2) + "\n[... " + std::to_string(s.size() - max_chars) + " bytes cut ...]\n" +
           s.substr(s.size() - max_chars / 2);
  };
  os << "--- stdout ---\n" << cut(out) << "\n--- stderr ---\n" << cut(err) << "\n";
  return os.str();
}

namespace {

bool inherited_var_dropped(const std::string &name) {
  static const char *const kPrefixes[] = {"LD_PRELOAD=", "GLIBC_TUNABLES=", "MALLOC_", "BINMALLOC_",
                                          "BMTEST_EXPECT_BINMALLOC="};
  for (const char *p : kPrefixes)
    if (name.rfind(p, 0) == 0) return true;
  return false;
}

void set_nonblock(int fd) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

}  // namespace

std::optional<std::string> find_program(const std::string &name) {
  if (name.find('/') != std::string::npos) {
    if (access(name.c_str(), X_OK) == 0) return name;
    return std::nullopt;
  }
  const char *path = std::getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  std::stringstream ss(p);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) continue;
    std::string full = dir + "/" + name;
    if (access(full.c_str(), X_OK) == 0) return full;
  }
  return std::nullopt;
}

RunResult run(const RunOptions &opts) {
  RunResult r;
  // Environment.
  std::map<std::string, std::string> env;
  for (char **e = environ; *e; ++e) {
    std::string kv = *e;
    if (inherited_var_dropped(kv)) continue;
    auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  std::string prefix;
  if (opts.preload && mode() == Mode::kBinmalloc) {
    env["LD_PRELOAD"] = lib_path();
    env["BMTEST_EXPECT_BINMALLOC"] = "1";
    prefix = "LD_PRELOAD=" + lib_path() + " ";
  }
  for (const auto &[k, v] : opts.env) {
    env[k] = v;
    prefix += k + "=" + v + " ";
  }
  std::vector<std::string> env_strings;
  for (const auto &[k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char *> envp;
  for (auto &s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = opts.argv;
  std::vector<char *> argv;
  for (auto &s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  r.command = prefix;
  for (const auto &a : opts.argv) r.command += a + " ";
  if (!opts.cwd.empty()) r.command += "(in " + opts.cwd + ")";

  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    r.err = std::string("pipe failed: ") + std::strerror(errno);
    return r;
  }
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    r.err = std::string("fork failed: ") + std::strerror(errno);
    return r;
  }
  if (pid == 0) {
    setpgid(0, 0);
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    if (!opts.cwd.empty() && chdir(opts.cwd.c_str()) != 0) _exit(126);
    execve(argv[0], argv.data(), envp.data());
    const char msg[] = "bmtest: execve failed\n";
    ssize_t ignored = write(2, msg, sizeof msg - 1);
    (void)ignored;
    _exit(127);
  }
  setpgid(pid, pid);
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  int in_fd = in_pipe[1];
  if (opts.stdin_data.empty()) {
    close(in_fd);
    in_fd = -1;
  } else {
    set_nonblock(in_fd);
  }
  set_nonblock(out_pipe[0]);
  set_nonblock(err_pipe[0]);
  std::size_t in_off = 0;
  int out_fd = out_pipe[0], err_fd = err_pipe[0];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(opts.timeout_s);
  char buf[65536];
  while (out_fd >= 0 || err_fd >= 0) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      r.timed_out = true;
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      break;
    }
    int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count());
    struct pollfd fds[3];
    int n = 0;
    int idx_in = -1, idx_out = -1, idx_err = -1;
    if (in_fd >= 0) {
      fds[n] = {in_fd, POLLOUT, 0};
      idx_in = n++;
    }
    if (out_fd >= 0) {
      fds[n] = {out_fd, POLLIN, 0};
      idx_out = n++;
    }
    if (err_fd >= 0) {
      fds[n] = {err_fd, POLLIN, 0};
      idx_err = n++;
    }
    int rc = poll(fds, static_cast<nfds_t>(n), ms > 1000 ? 1000 : ms);
    if (rc < 0 && errno != EINTR) break;
    if (rc <= 0) continue;
    if (idx_in >= 0 && (fds[idx_in].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = write(in_fd, opts.stdin_data.data() + in_off, opts.stdin_data.size() - in_off);
      if (w > 0) in_off += static_cast<std::size_t>(w);
      if (w < 0 && errno != EAGAIN) in_off = opts.stdin_data.size();
      if (in_off >= opts.stdin_data.size()) {
        close(in_fd);
        in_fd = -1;
      }
    }
    auto drain = [&](int &fd, int idx, std::string &dst) {
      if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
      ssize_t got = read(fd, buf, sizeof buf);
      if (got > 0) {
        dst.append(buf, static_cast<std::size_t>(got));
      } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        close(fd);
        fd = -1;
      }
    };
    drain(out_fd, idx_out, r.out);
    drain(err_fd, idx_err, r.err);
  }
  if (in_fd >= 0) close(in_fd);
  if (out_fd >= 0) close(out_fd);
  if (err_fd >= 0) close(err_fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  // Reap nothing else: descendants of a timed-out child were killed with the
  // process group.
  if (WIFEXITED(status)) {
    r.exited = true;
    r.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
  }
  return r;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "bmtest.XXXXXX").string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  char *d = mkdtemp(buf.data());
  if (d == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = d;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

void write_file(const std::string &path, const std::string &data) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << data;
}

}  // namespace bmtest
