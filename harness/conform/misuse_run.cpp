// Running the misuse matrix and classifying each case's process.
#include <fmt/format.h>
#include <signal.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <sstream>
#include <thread>

#include "harness/conform/misuse_matrix.hpp"
#include "harness/conform/outcome.hpp"

namespace allocscope::conform {

namespace {

// The last "stage X" and the "verdict ..." line the case wrote.
void parse_fd3(const std::string& fd3, std::string* stage, std::string* verdict) {
  std::istringstream in(fd3);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("stage ", 0) == 0) *stage = line.substr(6);
    if (line.rfind("verdict ", 0) == 0) *verdict = line.substr(8);
  }
}

std::string last_lines(const std::string& text, size_t n) {
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  std::string out;
  for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i)
    out += (out.empty() ? "" : " | ") + lines[i];
  return out.size() > 240 ? out.substr(0, 237) + "..." : out;
}

}  // namespace

MisuseCell classify_misuse(const ChildResult& r) {
  MisuseCell c;
  std::string stage, verdict;
  parse_fd3(r.fd3, &stage, &verdict);
  c.message = last_lines(r.output, 2);
  if (r.timed_out) {
    c.outcome = "timeout";
    c.detail = "in stage " + (stage.empty() ? std::string("setup") : stage);
  } else if (!verdict.empty() && r.exit_code == 0) {
    auto space = verdict.find(' ');
    std::string what = verdict.substr(0, space);
    c.detail = space == std::string::npos ? "" : verdict.substr(space + 1);
    c.outcome = what == "refused" ? "caught" : "not-caught";
  } else {
    // An abort or a diagnostic is the allocator's deliberate stop; a fault
    // without either is a crash.
    bool deliberate = r.signal == SIGABRT || !c.message.empty();
    c.detail = (r.signal ? fmt::format("signal {} ({})", r.signal, strsignal(r.signal))
                         : fmt::format("exit status {}", r.exit_code)) +
               " in stage " + (stage.empty() ? std::string("setup") : stage);
    if (!deliberate || stage.empty())
      c.outcome = "crashed";
    else
      c.outcome = stage == "misuse" ? "caught" : "late";
  }
  return c;
}

std::vector<MisuseCase> list_misuse_cases(const std::string& program) {
  ChildResult r = run_child({.argv = {program, "matrix-list"}, .timeout_s = 30});
  std::vector<MisuseCase> out;
  std::istringstream in(r.fd3);
  for (std::string line; std::getline(in, line);) {
    auto t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
    if (t1 == std::string::npos || t2 == std::string::npos) continue;
    out.push_back({line.substr(0, t1), line.substr(t1 + 1, t2 - t1 - 1), line.substr(t2 + 1)});
  }
  if (out.empty()) throw std::runtime_error("cannot list the misuse cases of " + program + ": " + r.output);
  return out;
}

void run_misuse_matrix(MisuseMatrix& m, const MisuseRunSetup& s) {
  struct Job {
    std::string c, size;
    const AllocatorInfo* a;
  };
  std::vector<Job> jobs;
  for (const auto& a : m.allocators)
    for (const auto& c : m.cases)
      for (const auto& size : m.sizes) jobs.push_back({c.name, size, &a});
  std::atomic<size_t> next{0}, done{0};
  std::mutex mu;
  auto work = [&] {
    for (size_t i; (i = next++) < jobs.size();) {
      const Job& j = jobs[i];
      ChildSpec spec{.argv = {s.program, "matrix", j.c, j.size}, .timeout_s = s.timeout_s};
      if (!j.a->preload.empty()) spec.env_set.push_back("LD_PRELOAD=" + j.a->preload);
      MisuseCell cell = classify_misuse(run_child(spec));
      std::lock_guard<std::mutex> g(mu);
      m.cells[{j.c, j.size, j.a->name}] = cell;
      size_t n = ++done;
      if (s.progress && (n % 24 == 0 || n == jobs.size()))
        s.progress(fmt::format("[{}/{}] misuse cases run", n, jobs.size()));
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, s.jobs); ++t) pool.emplace_back(work);
  for (auto& t : pool) t.join();
}

}  // namespace allocscope::conform
