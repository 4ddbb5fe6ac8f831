// The heap-misuse matrix, parent side: runs each case of the misuse program
// (allocscope-probe matrix CASE SIZE) at each block size under each
// allocator in a process of its own, and classifies where the allocator
// stopped it:
//   caught      at the misuse (the process ended there with a diagnostic or
//               an abort, or an impossible request was refused cleanly)
//   late        after the misuse, in the ordinary allocations that follow
//   crashed     killed by a fault (no diagnostic, no abort)
//   timeout     no end within the time limit
//   not-caught  it ran to its end
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "harness/conform/child.hpp"
#include "harness/conform/table.hpp"

namespace allocscope::conform {

struct MisuseCase {
  std::string name, group, doc;
};

struct MisuseCell {
  std::string outcome;  // caught | late | crashed | timeout | not-caught
  std::string detail;   // the case's own words, or the signal
  std::string message;  // the allocator's diagnostic (last lines of stderr)
};

MisuseCell classify_misuse(const ChildResult& r);

struct MisuseMatrix {
  std::vector<MisuseCase> cases;
  std::vector<std::string> sizes;  // small, page, large
  std::vector<AllocatorInfo> allocators;
  std::map<std::tuple<std::string, std::string, std::string>, MisuseCell> cells;  // (case, size, allocator)

  const MisuseCell* cell(const std::string& c, const std::string& size, const std::string& allocator) const;
};

// The cases the misuse program knows (it lists them itself).
std::vector<MisuseCase> list_misuse_cases(const std::string& program);

struct MisuseRunSetup {
  std::string program;  // allocscope-probe
  double timeout_s = 10;
  int jobs = 2;
  std::function<void(const std::string&)> progress;
};

void run_misuse_matrix(MisuseMatrix& m, const MisuseRunSetup& setup);

// One letter per size: C caught, L late, X crashed, T timeout, - not caught.
std::string misuse_letters(const MisuseMatrix& m, const std::string& c, const std::string& allocator);

nlohmann::ordered_json misuse_to_json(const MisuseMatrix& m, nlohmann::ordered_json context);
MisuseMatrix misuse_from_json(const nlohmann::ordered_json& doc);
std::string misuse_to_markdown(const MisuseMatrix& m);
std::string misuse_to_text(const MisuseMatrix& m);

}  // namespace allocscope::conform
