#include "harness/conform/run.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "harness/conform/child.hpp"

namespace allocscope::conform {

namespace {

Outcome run_one(const std::string& name, const std::string& binary, const AllocatorInfo& a, const RunSetup& s) {
  ChildSpec spec;
  spec.argv = {binary};
  if (!a.preload.empty()) spec.env_set.push_back("LD_PRELOAD=" + a.preload);
  spec.env_set.push_back("TMPDIR=" + work_dir(s));
  spec.cwd = work_dir(s);
  spec.timeout_s = s.timeout_s;
  ChildResult r = run_child(spec);
  Outcome o = classify(r, s.timeout_s);
  if (o.status != "pass" && !r.output.empty()) {
    // The message is one line; a crash's cause is often printed before it
    // (by the allocator, or by a forked child of the test).
    std::string rel = "logs/" + name + "." + a.name + ".txt";
    std::error_code ec;
    std::filesystem::create_directories(s.out_dir + "/logs", ec);
    std::ofstream f(s.out_dir + "/" + rel, std::ios::binary | std::ios::trunc);
    if (f << r.output && f.flush()) o.log = rel;
  }
  return o;
}

}  // namespace

std::string work_dir(const RunSetup& s) {
  return s.out_dir + "/work";
}

void run_tests(Table& t, const std::vector<std::string>& names, const BuiltTests& built, const RunSetup& s) {
  std::filesystem::create_directories(work_dir(s));
  size_t done = 0, total = names.size() * t.allocators.size();
  bool stopped = false;
  for (const auto& name : names) {
    auto err = built.error.find(name);
    for (const auto& a : t.allocators) {
      ++done;
      Outcome o;
      if (err != built.error.end()) {
        o.status = "build-error";
        o.message = failure_line(err->second);
      } else if (stopped) {
        o.status = "interrupted";
      } else {
        if (s.progress) s.progress(fmt::format("[{}/{}] {} under {}", done, total, name, a.name));
        o = run_one(name, built.binary(name), a, s);
        stopped = o.status == "interrupted";
      }
      if (s.progress && o.status != "pass" && o.status != "interrupted")
        s.progress(
            fmt::format("  {} under {}: {}{}", name, a.name, o.status, o.message.empty() ? "" : ": " + o.message));
      t.cells[{name, a.name}] = o;
    }
  }
}

}  // namespace allocscope::conform
