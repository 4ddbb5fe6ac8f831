// allocscope probe --matrix: the heap-misuse matrix (every case at three
// block sizes under every selected allocator), printed and written to the
// run folder as misuse.json and misuse.md.
#pragma once

#include <string>
#include <vector>

#include "allocator/adapters/adapter.hpp"

namespace allocscope {

struct MatrixOptions {
  std::string program;  // allocscope-probe
  std::string out_dir;
  std::string cases = "all";  // comma-separated case names or groups
  std::string sizes = "all";  // comma-separated: small, page, large
  double timeout_s = 10;
  int jobs = 2;
  std::string command_line;
};

int run_probe_matrix(const MatrixOptions& opt, const std::vector<const Adapter*>& allocators);

}  // namespace allocscope
