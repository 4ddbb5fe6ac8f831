#include "tests/reliability/cli_runner.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/common/scratch_root.hpp"

extern char** environ;

namespace rt {

namespace fs = std::filesystem;

namespace {

pid_t spawn(const std::vector<std::string>& args, const std::vector<std::string>& env, const std::string& out,
            const std::string& err) {
  std::vector<std::string> argv_s{ALLOCSCOPE_BIN};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) env_s.emplace_back(*e);
  env_s.insert(env_s.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data()) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  if (pid < 0) throw std::runtime_error("cannot start " ALLOCSCOPE_BIN);
  return pid;
}

std::string temp_root() {
  static const allocscope::test::ScratchRoot root("allocscope-reliability");
  return root.path().string();
}

}  // namespace

int wait_cli(pid_t pid) {
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

CliResult run_cli(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  static int counter = 0;
  std::string base = temp_root() + "/cli" + std::to_string(counter++);
  CliResult r;
  r.rc = wait_cli(spawn(args, env, base + ".out", base + ".err"));
  r.out = read_text(base + ".out");
  r.err = read_text(base + ".err");
  return r;
}

pid_t start_cli(const std::vector<std::string>& args, const std::string& dir) {
  return spawn(args, {}, dir + "/cli.out", dir + "/cli.err");
}

std::string fresh_dir(const std::string& name) {
  fs::path p = fs::path(temp_root()) / name;
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json read_json(const std::string& path) {
  return json::parse(read_text(path));
}

size_t count_lines(const std::string& path) {
  std::string t = read_text(path);
  size_t n = 0;
  for (char c : t) n += c == '\n';
  return n;
}

}  // namespace rt
