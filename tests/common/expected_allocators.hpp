// The allocators every build must offer, written down rather than read back
// from `allocscope list allocators`: a build that silently lost one fails
// the tests that use this list. cmake/Allocators.cmake fails configuration
// when one is missing (unless -DALLOCSCOPE_ALLOW_MISSING_ALLOCATORS=ON, and
// then these tests fail too, on purpose). Adding an allocator adds its name here.
#pragma once

#include <string>
#include <vector>

namespace allocscope::test {

inline const std::vector<std::string>& expected_allocators() {
  static const std::vector<std::string> names{"glibc", "binmalloc", "jemalloc", "tcmalloc", "mimalloc", "tbbmalloc"};
  return names;
}

inline std::string expected_allocators_csv() {
  std::string csv;
  for (const auto& a : expected_allocators()) csv += (csv.empty() ? "" : ",") + a;
  return csv;
}

}  // namespace allocscope::test
