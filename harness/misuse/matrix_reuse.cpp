// Matrix cases: use of freed memory.
#include "harness/misuse/matrix_reuse.hpp"

#include <cstdlib>
#include <cstring>
#include <string>

#include "harness/misuse/matrix_common.hpp"
#include "harness/misuse/matrix_report.hpp"

namespace allocscope::misuse {

int write_after_free(size_t size) {
  char* p = opaque(static_cast<char*>(std::malloc(size)));
  stage("misuse");
  std::free(p);
  std::memset(opaque(p), 0x41, size);
  void* again = opaque(std::malloc(size));
  stage("after");
  std::string damage = ordinary_allocations(size);
  std::free(again);
  return verdict("unnoticed", damage.empty() ? "the write after free went unnoticed" : "heap corrupted: " + damage);
}

int stale_pointer_use(size_t size) {
  char* p = opaque(static_cast<char*>(std::malloc(size)));
  stage("misuse");
  std::free(p);
  char* q = opaque(static_cast<char*>(std::malloc(size)));
  if (q) std::memset(q, 0x22, size);
  std::memset(opaque(p), 0x5a, size);
  std::free(q);
  bool same = q == p;
  return finish_unnoticed(size, same ? "the new block was the old one and was overwritten through the stale pointer"
                                     : "the new block was elsewhere; the stale write hit freed memory unnoticed");
}

}  // namespace allocscope::misuse
