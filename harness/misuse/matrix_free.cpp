// Matrix cases: double free and invalid free.
#include "harness/misuse/matrix_free.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "harness/misuse/matrix_common.hpp"
#include "harness/misuse/matrix_report.hpp"

namespace allocscope::misuse {

int double_free(size_t size) {
  void* p = opaque(std::malloc(size));
  stage("misuse");
  std::free(p);
  std::free(opaque(p));
  return finish_unnoticed(size, "the second free went through");
}

// Other frees and allocations between the two frees of p.
int double_free_delayed(size_t size) {
  void* p = opaque(std::malloc(size));
  void* others[16];
  for (auto& o : others) o = opaque(std::malloc(size));
  stage("misuse");
  std::free(p);
  for (auto& o : others) std::free(o);
  for (int i = 0; i < 8; ++i) others[i] = opaque(std::malloc(size / 2 + 8));
  std::free(opaque(p));
  for (int i = 0; i < 8; ++i) std::free(others[i]);
  return finish_unnoticed(size, "the delayed second free went through");
}

// free(p); free(q); free(p): p is no longer at the head of its free list.
int double_free_interleaved(size_t size) {
  void* p = opaque(std::malloc(size));
  void* q = opaque(std::malloc(size));
  stage("misuse");
  std::free(p);
  std::free(q);
  std::free(opaque(p));
  return finish_unnoticed(size, "free(p), free(q), free(p) went through");
}

// The block is freed, handed out again, freed through the stale pointer,
// then freed through the new one.
int double_free_after_reuse(size_t size) {
  void* p = opaque(std::malloc(size));
  stage("misuse");
  std::free(p);
  void* q = opaque(std::malloc(size));
  std::free(opaque(p));
  if (q != p) {
    std::free(q);
    return finish_unnoticed(size, "the block was not reused, so the stale free was the only double free");
  }
  std::free(opaque(q));
  return finish_unnoticed(size, "free through the stale pointer, then through the new one, went through");
}

int free_interior(size_t size) {
  char* p = opaque(static_cast<char*>(std::malloc(size)));
  stage("misuse");
  std::free(opaque(p + 16));
  return finish_unnoticed(size, "free of a pointer 16 bytes into the block went through");
}

int free_unaligned(size_t size) {
  char* p = opaque(static_cast<char*>(std::malloc(size)));
  stage("misuse");
  std::free(opaque(p + 1));
  return finish_unnoticed(size, "free of the block's address plus 1 went through");
}

int free_stack(size_t size) {
  const size_t n = size < 64 ? 64 : size;
  char* buf = opaque(static_cast<char*>(__builtin_alloca(n + 64)));
  std::memset(buf, 0, n + 64);
  stage("misuse");
  std::free(opaque(buf + 32));
  return finish_unnoticed(size, "free of a stack address went through");
}

// A heap-looking pointer the allocator never returned: inside a fresh
// mapping, after a plausible size word.
int free_never_allocated(size_t size) {
  const size_t map = size + (1 << 16);
  char* m = static_cast<char*>(::mmap(nullptr, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (m == MAP_FAILED) return verdict("unnoticed", "mmap failed: case not run");
  auto* words = reinterpret_cast<uint64_t*>(m + 4096);
  words[0] = 0;
  words[1] = (size + 16) | 1;  // a size word as a chunk header would hold it
  stage("misuse");
  std::free(opaque(m + 4096 + 16));
  return finish_unnoticed(size, "free of a pointer malloc never returned went through");
}

}  // namespace allocscope::misuse
