// Running the built tests: each test under each allocator in a process of
// its own (LD_PRELOAD of the allocator's library), with a time limit.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "harness/conform/build.hpp"
#include "harness/conform/table.hpp"

namespace allocscope::conform {

struct RunSetup {
  double timeout_s = 60;
  std::string out_dir;  // the run folder (absolute): logs/ keeps the output of each run that did not pass
  std::function<void(const std::string&)> progress;
};

// The tests' current directory and TMPDIR, inside the run folder.
std::string work_dir(const RunSetup& s);

// Fills t.cells for the named tests under every allocator in t.allocators;
// a test that failed to build gets "build-error" everywhere. Stops early
// (cells "interrupted") when allocscope is asked to stop.
void run_tests(Table& t, const std::vector<std::string>& names, const BuiltTests& built, const RunSetup& setup);

}  // namespace allocscope::conform
