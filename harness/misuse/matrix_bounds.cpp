// Matrix cases: overflow and underflow, and use of a zero-size block.
#include "harness/misuse/matrix_bounds.hpp"

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "harness/misuse/matrix_common.hpp"
#include "harness/misuse/matrix_report.hpp"

namespace allocscope::misuse {

namespace {

volatile unsigned char g_bounds_sink;

void write_bytes(char* dst, size_t n, bool with_memcpy) {
  if (with_memcpy) {
    std::vector<char> src(n, 0x41);
    std::memcpy(opaque(dst), src.data(), n);
  } else {
    for (size_t i = 0; i < n; ++i) opaque(dst)[i] = 0x41;
  }
}

}  // namespace

int overflow(size_t size, size_t by, bool with_memcpy) {
  char* p = opaque(static_cast<char*>(std::malloc(size)));
  char* next = opaque(static_cast<char*>(std::malloc(size)));  // the neighbour the overflow runs into
  stage("misuse");
  write_bytes(p + size, by, with_memcpy);
  std::free(p);
  stage("after");
  std::free(next);
  std::string damage = ordinary_allocations(size);
  return verdict("unnoticed", damage.empty() ? "the overflow went unnoticed" : "heap corrupted: " + damage);
}

int underflow(size_t size, size_t by, bool with_memcpy) {
  char* before = opaque(static_cast<char*>(std::malloc(size)));  // the neighbour the underflow runs into
  char* p = opaque(static_cast<char*>(std::malloc(size)));
  stage("misuse");
  write_bytes(p - by, by, with_memcpy);
  std::free(p);
  stage("after");
  std::free(before);
  std::string damage = ordinary_allocations(size);
  return verdict("unnoticed", damage.empty() ? "the underflow went unnoticed" : "heap corrupted: " + damage);
}

int zero_size_read(size_t size) {
  unsigned char* p = opaque(static_cast<unsigned char*>(std::malloc(0)));
  if (!p) return verdict("refused", "malloc(0) returned NULL: nothing to read");
  stage("misuse");
  unsigned sum = 0;
  for (size_t i = 0; i < size; ++i) sum += opaque(p)[i];
  g_bounds_sink = static_cast<unsigned char>(sum);
  std::free(p);
  return finish_unnoticed(size, "reading " + std::to_string(size) + " bytes of a zero-size block went unnoticed");
}

int zero_size_write(size_t size) {
  char* p = opaque(static_cast<char*>(std::malloc(0)));
  if (!p) return verdict("refused", "malloc(0) returned NULL: nothing to write");
  char* next = opaque(static_cast<char*>(std::malloc(16)));
  stage("misuse");
  write_bytes(p, size, false);
  std::free(p);
  stage("after");
  std::free(next);
  std::string damage = ordinary_allocations(size);
  return verdict("unnoticed",
                 damage.empty() ? "writing to a zero-size block went unnoticed" : "heap corrupted: " + damage);
}

}  // namespace allocscope::misuse
