#include "harness/conform/build.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "common/input_error.hpp"
#include "harness/conform/child.hpp"

namespace fs = std::filesystem;

namespace allocscope::conform {

namespace {

// glibc's tests are C written for gcc's GNU dialect; they misuse the heap on
// purpose, so no builtin folding of malloc/free and no warnings.
const std::vector<std::string> kCFlags{"-std=gnu11", "-O1", "-g", "-D_GNU_SOURCE", "-fno-builtin", "-w", "-pthread"};

std::string top_folder(const std::string& tarball) {
  std::string file = fs::path(tarball).filename().string();
  return file.substr(0, file.find(".tar"));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

fs::file_time_type newest_in(const std::string& dir) {
  fs::file_time_type newest{};
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) newest = std::max(newest, e.last_write_time());
  return newest;
}

bool up_to_date(const std::string& target, fs::file_time_type inputs) {
  std::error_code ec;
  auto t = fs::last_write_time(target, ec);
  return !ec && t >= inputs;
}

// An exclusive lock on the build folder for the life of the object.
class FolderLock {
 public:
  explicit FolderLock(const std::string& dir)
      : fd_(::open((dir + "/.lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644)) {
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) throw std::runtime_error("cannot lock " + dir + "/.lock");
  }
  ~FolderLock() { ::close(fd_); }
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_;
};

// A compiler run: "" when it worked, else its output.
std::string compile(const BuildSetup& s, std::vector<std::string> args) {
  std::vector<std::string> argv{s.cc};
  argv.insert(argv.end(), kCFlags.begin(), kCFlags.end());
  argv.push_back("-I" + s.driver_dir + "/include");
  argv.insert(argv.end(), args.begin(), args.end());
  ChildResult r = run_child({.argv = argv, .timeout_s = 300});
  if (r.started && r.exit_code == 0) return "";
  return r.output.empty() ? "the compiler failed (" + s.cc + ")" : r.output;
}

// Runs `work(i)` for i in [0, n) on up to `jobs` threads.
void parallel_for(size_t n, int jobs, const std::function<void(size_t)>& work) {
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, jobs); ++t)
    pool.emplace_back([&] {
      for (size_t i; (i = next++) < n;) work(i);
    });
  for (auto& t : pool) t.join();
}

// The driver's objects (compiled when older than any driver file).
std::vector<std::string> build_driver(const BuildSetup& s, fs::file_time_type inputs) {
  fs::create_directories(s.build_dir + "/obj");
  std::vector<std::string> sources, objects;
  for (const auto& e : fs::directory_iterator(s.driver_dir + "/src"))
    if (e.path().extension() == ".c") sources.push_back(e.path().string());
  std::sort(sources.begin(), sources.end());
  for (const auto& src : sources) {
    std::string obj = s.build_dir + "/obj/" + fs::path(src).stem().string() + ".o";
    objects.push_back(obj);
    if (up_to_date(obj, inputs)) continue;
    std::string err = compile(s, {"-c", src, "-o", obj});
    if (!err.empty()) throw std::runtime_error("cannot compile the conformance test driver " + src + ":\n" + err);
  }
  return objects;
}

}  // namespace

std::string find_glibc_tarball(const std::string& given) {
  if (!given.empty()) {
    if (!fs::is_regular_file(given)) throw InputError("--glibc-source: no such file: " + given);
    if (glibc_version_of(given).empty())
      throw InputError("--glibc-source: expected a glibc-X.Y.tar.xz tarball, got " + given);
    return given;
  }
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/src/glibc", ec))
    if (!glibc_version_of(e.path().string()).empty()) found.push_back(e.path().string());
  if (found.empty())
    throw InputError(
        "glibc's sources are not installed: no /usr/src/glibc/glibc-*.tar.xz (install Debian's glibc-source "
        "package, e.g. with scripts/bootstrap, or give --glibc-source PATH)");
  std::sort(found.begin(), found.end());
  return found.back();
}

std::string glibc_version_of(const std::string& tarball) {
  std::string top = top_folder(tarball);
  bool ok = top.rfind("glibc-", 0) == 0 && fs::path(tarball).filename().string().find(".tar") != std::string::npos;
  return ok ? top.substr(6) : "";
}

std::string prepare_sources(const BuildSetup& s) {
  fs::create_directories(s.build_dir + "/src");
  FolderLock lock(s.build_dir);
  const std::string root = s.build_dir + "/src/" + top_folder(s.tarball);
  const std::string marker = root + "/.extracted";
  const std::string stamp = s.tarball + " " + std::to_string(fs::file_size(s.tarball)) + " " +
                            std::to_string(fs::last_write_time(s.tarball).time_since_epoch().count());
  if (fs::exists(marker) && read_file(marker) == stamp) return root + "/malloc";
  if (s.progress) s.progress("extracting malloc/ from " + s.tarball);
  fs::remove_all(root);
  ChildResult r = run_child({.argv = {"tar", "-xJf", s.tarball, "-C", s.build_dir + "/src", "--wildcards",
                                      top_folder(s.tarball) + "/malloc/*"},
                             .timeout_s = 600});
  if (!r.started || r.exit_code != 0) throw std::runtime_error("cannot extract " + s.tarball + ": " + r.output);
  // The older tests include "../test-skeleton.c": the driver's one.
  fs::copy_file(s.driver_dir + "/include/test-skeleton.c", root + "/test-skeleton.c",
                fs::copy_options::overwrite_existing);
  write_file(marker, stamp);
  return root + "/malloc";
}

BuiltTests build_tests(const BuildSetup& s, const std::vector<std::string>& names) {
  BuiltTests out;
  out.malloc_dir = prepare_sources(s);
  out.bin_dir = s.build_dir + "/bin";
  FolderLock lock(s.build_dir);
  fs::create_directories(out.bin_dir);
  fs::create_directories(s.build_dir + "/log");
  // A change of compiler or flags rebuilds everything (the stamp is newer).
  std::string flags = s.cc;
  for (const auto& f : kCFlags) flags += " " + f;
  const std::string flag_stamp = s.build_dir + "/flags.txt";
  if (!fs::exists(flag_stamp) || read_file(flag_stamp) != flags) write_file(flag_stamp, flags);
  const auto inputs = std::max({newest_in(s.driver_dir), fs::last_write_time(flag_stamp),
                                fs::last_write_time(fs::path(out.malloc_dir).parent_path() / ".extracted")});
  std::vector<std::string> objects = build_driver(s, inputs);
  std::vector<std::string> todo;
  for (const auto& n : names)
    if (!up_to_date(out.binary(n), inputs)) todo.push_back(n);
  if (!todo.empty() && s.progress) s.progress("compiling " + std::to_string(todo.size()) + " tests");
  std::mutex mu;
  parallel_for(todo.size(), s.jobs, [&](size_t i) {
    const std::string& n = todo[i];
    std::vector<std::string> args{out.malloc_dir + "/" + n + ".c", "-I" + out.malloc_dir + "/.."};
    args.insert(args.end(), objects.begin(), objects.end());
    args.insert(args.end(), {"-o", out.binary(n)});
    std::string err = compile(s, args);
    std::lock_guard<std::mutex> g(mu);
    if (!err.empty()) {
      out.error[n] = err;
      fs::remove(out.binary(n));
    }
    write_file(s.build_dir + "/log/" + n + ".txt", err);
  });
  return out;
}

}  // namespace allocscope::conform
