// How a matrix case tells allocscope where it is (descriptor 3), written
// with write(2) so that a line survives a crash right after it.
#pragma once

#include <string>

namespace allocscope::misuse {

void stage(const char* name);
// Ends the case: "verdict refused|unnoticed DETAIL"; returns 0.
int verdict(const char* what, const std::string& detail);

// Hides a pointer's origin from the optimizer (no folding of malloc/free pairs).
template <typename T>
T* opaque(T* p) {
  asm volatile("" : "+r"(p));
  return p;
}

std::string hex(const void* p);

}  // namespace allocscope::misuse
