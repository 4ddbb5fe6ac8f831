// An allocator as allocscope sees it: how to preload it (parent side) and how
// to read its statistics and ask it to release memory (worker side, where it
// is the process's malloc). One small file per allocator defines one Adapter.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace allocscope {

// One statistic. Names are static strings: reading statistics must not
// allocate, since the worker snapshots them at the live peak, where an
// allocation would itself change the heap (e.g. pin a brk top).
struct StatEntry {
  const char* name;
  double value;
};
constexpr size_t kMaxStats = 16;
struct AllocatorStats {
  StatEntry entries[kMaxStats];
  size_t count = 0;
  void add(const char* name, double value) {
    if (count < kMaxStats) entries[count++] = {name, value};
  }
};

struct Adapter {
  std::string name;
  std::string preload;  // shared library for LD_PRELOAD; empty = the system allocator
  std::string version;
  std::string doc;
  // Environment added when the job runs under Valgrind (--metric instructions),
  // so that the allocator is counted on the path it takes natively.
  std::vector<std::string> valgrind_env;
  // Worker side, called with the allocator loaded. Null when there is no API.
  AllocatorStats (*read_stats)() = nullptr;
  void (*release)() = nullptr;  // return free memory to the OS
};

// The built-in allocators found at configure time, in a stable order
// (glibc first, the reference for comparisons).
const std::vector<Adapter>& builtin_adapters();

// A user-defined allocator given as NAME=/path/lib.so; no statistics API.
Adapter user_adapter(const std::string& name, const std::string& path);

// Per-allocator definitions (one file each).
Adapter glibc_adapter();
Adapter jemalloc_adapter(const std::string& path, const std::string& version);
Adapter tcmalloc_adapter(const std::string& path, const std::string& version);
Adapter mimalloc_adapter(const std::string& path, const std::string& version);
Adapter binmalloc_adapter(const std::string& path, const std::string& version);

// mallinfo2()-based statistics, shared by glibc and binmalloc (both ptmalloc-style).
AllocatorStats read_mallinfo2_stats();
void release_with_malloc_trim();

}  // namespace allocscope
