// Which of glibc's malloc tests (malloc/tst-*.c) allocscope conform builds,
// and why it leaves the others out.
#pragma once

#include <string>
#include <vector>

namespace allocscope::conform {

struct TestEntry {
  std::string name;         // "tst-malloc", the file name without .c
  std::string skip_reason;  // empty: the test is built and run
};

// Every tst-*.c found in the extracted malloc folder, sorted by name, each
// either runnable or skipped with its reason. Tests that need glibc internals
// (hooks, internal symbols, tunables, mcheck, mtrace, the debugging malloc
// library) cannot run against another allocator and are skipped.
std::vector<TestEntry> catalog(const std::string& malloc_dir);

}  // namespace allocscope::conform
