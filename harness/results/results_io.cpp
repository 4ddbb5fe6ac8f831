#include "harness/results/results_io.hpp"

#include <fcntl.h>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <gnu/libc-version.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/input_error.hpp"
#include "git_revision.h"  // generated at build time: ALLOCSCOPE_GIT_REVISION
#include "harness/probes/proc.hpp"
#include "harness/results/metrics.hpp"
#ifndef ALLOCSCOPE_VERSION
#define ALLOCSCOPE_VERSION "0"
#endif

namespace allocscope {

namespace {
[[noreturn]] void io_fail(const std::string& what, const std::string& path) {
  throw std::runtime_error(fmt::format("{} {}: {}", what, path, std::strerror(errno)));
}
}  // namespace

void write_file_atomic(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) io_fail("cannot create", tmp);
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      io_fail("cannot write", tmp);
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) io_fail("cannot flush", tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) io_fail("cannot rename onto", path);
}

Journal::Journal(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) io_fail("cannot open journal", path);
  // A torn last line (killed mid-write) gets ended, so the next record starts
  // on a line of its own and stays readable.
  off_t size = ::lseek(fd_, 0, SEEK_END);
  char last = '\n';
  if (size > 0 && ::pread(fd_, &last, 1, size - 1) == 1 && last != '\n') {
    if (::write(fd_, "\n", 1) != 1 || ::fsync(fd_) != 0) io_fail("cannot repair", path);
  }
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

void Journal::append(const RunRecord& record) {
  std::string line = to_json(record).dump() + "\n";
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::write(fd_, line.data() + off, line.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      io_fail("cannot append to", path_);
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd_) != 0) io_fail("cannot fsync", path_);
}

std::vector<RunRecord> read_journal(const std::string& path) {
  std::vector<RunRecord> out;
  std::ifstream in(path);
  std::string line;
  size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    try {
      json r = json::parse(line);
      if (!r.is_object() || !r.contains("index") || !r["index"].is_number_unsigned()) continue;
      out.push_back(record_from_json(r, fmt::format("{}:{}", path, lineno)));
    } catch (const json::exception&) {
      continue;  // a torn line from an interrupted write: that job runs again
    } catch (const InputError&) {
      continue;  // not a record this version can read: that job runs again
    }
  }
  return out;
}

Results load_results(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error& e) {
    throw InputError(fmt::format("{}: not valid JSON at byte {}: {}", path, e.byte, e.what()));
  } catch (const json::exception& e) {  // e.g. a number beyond a double's range (1e999)
    throw InputError(fmt::format("{}: not valid JSON: {}", path, e.what()));
  }
  if (doc.is_object() && doc.contains("context")) declare_metrics_from(doc["context"]);
  return results_from_json(doc, path);
}

void save_results(const std::string& path, const Results& doc) {
  write_file_atomic(path, to_json(doc).dump(1) + "\n");
}

json declared_metrics_json() {
  json out = json::array();
  for (const auto& d : declared_metrics())
    out.push_back({{"name", d.name}, {"unit", d.unit}, {"direction", to_string(d.direction)}, {"doc", d.doc}});
  return out;
}

void declare_metrics_from(const json& context) {
  if (!context.is_object() || !context.contains("declared_metrics") || !context["declared_metrics"].is_array()) return;
  for (const auto& d : context["declared_metrics"]) {
    if (!d.is_object() || !d.contains("name") || !d["name"].is_string()) continue;
    const bool lower = d.value("direction", "") == "lower_is_better";
    declare_metric({d["name"].get<std::string>(), d.value("unit", ""),
                    lower ? MetricClass::Time : MetricClass::Throughput,
                    lower ? Direction::LowerIsBetter : Direction::HigherIsBetter, d.value("doc", "")});
  }
}

namespace {
std::string first_match(const std::string& text, const std::string& key) {
  size_t at = text.find(key);
  if (at == std::string::npos) return {};
  size_t colon = text.find(':', at);
  size_t end = text.find('\n', at);
  if (colon == std::string::npos) return {};
  std::string v = text.substr(colon + 1, end - colon - 1);
  v.erase(0, v.find_first_not_of(" \t"));
  return v;
}
std::string thp_mode() {
  std::string t = read_text_file("/sys/kernel/mm/transparent_hugepage/enabled");
  size_t a = t.find('['), b = t.find(']');
  return a == std::string::npos || b == std::string::npos ? "unknown" : t.substr(a + 1, b - a - 1);
}
}  // namespace

json collect_context(const std::string& command_line) {
  json c;
  c["date"] = fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::time(nullptr)));
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  c["host"] = host;
  c["cpu"] = first_match(read_text_file("/proc/cpuinfo"), "model name");
  c["cores"] = ::sysconf(_SC_NPROCESSORS_ONLN);
  struct utsname u {};
  ::uname(&u);
  c["kernel"] = u.release;
  c["glibc"] = gnu_get_libc_version();
  c["thp"] = thp_mode();
  c["allocscope_version"] = ALLOCSCOPE_VERSION;
  c["git_revision"] = ALLOCSCOPE_GIT_REVISION;
  c["command_line"] = command_line;
  return c;
}

}  // namespace allocscope
