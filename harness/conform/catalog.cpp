#include "harness/conform/catalog.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

namespace allocscope::conform {

namespace {

const char* const kInternalHelpers =
    "tests glibc-internal helpers (alloc_buffer, scratch_buffer, dynarray), not malloc";
const char* const kInterposition =
    "brings its own malloc (glibc's interposition test): preloading an allocator replaces what it tests";
const char* const kPartOfInterposition = "part of the interposition tests, not a test of its own";
const char* const kDebugLibrary = "needs glibc's debugging malloc (MALLOC_CHECK_=3 with libc_malloc_debug.so)";

const std::map<std::string, std::string>& skipped() {
  static const std::map<std::string, std::string> table{
      {"tst-alloc_buffer", kInternalHelpers},
      {"tst-scratch_buffer", kInternalHelpers},
      {"tst-dynarray", kInternalHelpers},
      {"tst-dynarray-fail", kInternalHelpers},
      {"tst-dynarray-at-fail", kInternalHelpers},
      {"tst-compathooks-off", "needs the removed malloc hooks (__malloc_hook and friends)"},
      {"tst-compathooks-on", "needs the removed malloc hooks (__malloc_hook and friends)"},
      {"tst-interpose-nothread", kInterposition},
      {"tst-interpose-thread", kInterposition},
      {"tst-interpose-static-nothread", kInterposition},
      {"tst-interpose-static-thread", kInterposition},
      {"tst-interpose-aux", kPartOfInterposition},
      {"tst-interpose-aux-nothread", kPartOfInterposition},
      {"tst-interpose-aux-thread", kPartOfInterposition},
      {"tst-interpose-skeleton", kPartOfInterposition},
      {"tst-malloc-check", kDebugLibrary},
      {"tst-malloc-usable", kDebugLibrary},
      {"tst-malloc-usable-tunables", "needs glibc tunables (glibc.malloc.check) and libc_malloc_debug.so"},
      {"tst-mallocstate", "needs the internal malloc_get_state/malloc_set_state compatibility symbols"},
      {"tst-mtrace", "needs mtrace, glibc's malloc tracing, and its Perl checker"},
      {"tst-mxfast", "needs glibc tunables (glibc.malloc.mxfast, glibc.malloc.tcache_count)"},
  };
  return table;
}

}  // namespace

std::vector<TestEntry> catalog(const std::string& malloc_dir) {
  std::vector<TestEntry> out;
  for (const auto& e : std::filesystem::directory_iterator(malloc_dir)) {
    const std::string file = e.path().filename().string();
    if (file.rfind("tst-", 0) != 0 || e.path().extension() != ".c") continue;
    TestEntry t{e.path().stem().string(), ""};
    auto it = skipped().find(t.name);
    if (it != skipped().end()) t.skip_reason = it->second;
    out.push_back(t);
  }
  std::sort(out.begin(), out.end(), [](const TestEntry& a, const TestEntry& b) { return a.name < b.name; });
  return out;
}

}  // namespace allocscope::conform
