// An allocator as allocscope sees it: how to preload it (parent side) and how
// to read its statistics and ask it to release memory (worker side, where it
// is the process's malloc). One small file per allocator defines one Adapter
// and registers it with ALLOCSCOPE_ADAPTER({...}); cmake/Allocators.cmake
// finds the library and compiles that file only when the library is there.
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

// The built-in allocators found at configure time, in the order
// cmake/Allocators.cmake lists them (glibc first, the reference for comparisons).
const std::vector<Adapter>& builtin_adapters();

// A user-defined allocator given as NAME=/path/lib.so; no statistics API.
Adapter user_adapter(const std::string& name, const std::string& path);

// mallinfo2()-based statistics, shared by glibc and binmalloc (both ptmalloc-style).
AllocatorStats read_mallinfo2_stats();
void release_with_malloc_trim();

// Self-registration, used through ALLOCSCOPE_ADAPTER. `rank` orders the list;
// `library` and `version` are what cmake/Allocators.cmake found: the library
// becomes Adapter::preload, the version fills Adapter::version when the
// adapter leaves it empty.
struct AdapterRegistration {
  AdapterRegistration(int rank, const char* library, const char* version, Adapter adapter);
};

}  // namespace allocscope

#define ALLOCSCOPE_ADAPTER_CONCAT_INNER(a, b) a##b
#define ALLOCSCOPE_ADAPTER_CONCAT(a, b) ALLOCSCOPE_ADAPTER_CONCAT_INNER(a, b)
// Registers the adapter of the file it is in: ALLOCSCOPE_ADAPTER({.name = "x", ...});
// The file is compiled only through cmake/Allocators.cmake, which defines
// ALLOCSCOPE_ADAPTER_RANK, ALLOCSCOPE_ADAPTER_LIBRARY and ALLOCSCOPE_ADAPTER_VERSION for it.
#define ALLOCSCOPE_ADAPTER(...)                                                                                        \
  static const ::allocscope::AdapterRegistration ALLOCSCOPE_ADAPTER_CONCAT(allocscope_adapter_, __COUNTER__) {         \
    ALLOCSCOPE_ADAPTER_RANK, ALLOCSCOPE_ADAPTER_LIBRARY, ALLOCSCOPE_ADAPTER_VERSION, ::allocscope::Adapter __VA_ARGS__ \
  }
