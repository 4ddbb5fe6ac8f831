#include "harness/cli/child_tool.hpp"

#include <filesystem>

namespace allocscope {

std::string helper_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

LaunchResult run_under(const Adapter& a, std::vector<std::string> argv, double timeout_s, uint64_t mem_limit) {
  LaunchSpec spec;
  spec.argv = std::move(argv);
  if (!a.preload.empty()) spec.env_set.push_back("LD_PRELOAD=" + a.preload);
  spec.timeout_s = timeout_s;
  spec.mem_limit_bytes = mem_limit;
  spec.rss_interval_s = 0;
  spec.count_syscalls = false;
  return launch(spec);
}

std::string last_lines(const std::string& text, size_t lines) {
  size_t end = text.size();
  while (end > 0 && text[end - 1] == '\n') --end;
  size_t start = end;
  for (size_t n = 0; start > 0 && n < lines;) {
    --start;
    if (text[start] == '\n' && ++n == lines) {
      ++start;
      break;
    }
  }
  return text.substr(start, end - start);
}

}  // namespace allocscope
