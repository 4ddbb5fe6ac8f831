// The C++ allocation operators exported by the drop-in libbinmalloc.so.
// Failure follows the standard: call the new_handler until it succeeds or
// there is none, then throw std::bad_alloc (nothrow forms return nullptr).
#include <cstddef>
#include <new>

#include "core.h"

#define EXPORT __attribute__((visibility("default")))

namespace {

[[gnu::noinline]] void *new_slow(std::size_t n, std::size_t align) {
  for (;;) {
    void *p = align ? bm_memalign(align, n) : bm_malloc(n);
    if (p) return p;
    std::new_handler h = std::get_new_handler();
    if (!h) throw std::bad_alloc();
    h();
  }
}

[[gnu::noinline]] void *new_slow_nothrow(std::size_t n, std::size_t align) noexcept {
  try {
    return new_slow(n, align);
  } catch (...) {
    return nullptr;
  }
}

inline void *new_impl(std::size_t n) {
  void *p = bm_malloc(n);
  if (__builtin_expect(p != nullptr, 1)) return p;
  return new_slow(n, 0);
}

inline void *new_nothrow(std::size_t n) noexcept {
  void *p = bm_malloc(n);
  if (__builtin_expect(p != nullptr, 1)) return p;
  return new_slow_nothrow(n, 0);
}

inline void *new_aligned(std::size_t n, std::align_val_t al) {
  void *p = bm_memalign(static_cast<std::size_t>(al), n);
  if (__builtin_expect(p != nullptr, 1)) return p;
  return new_slow(n, static_cast<std::size_t>(al));
}

inline void *new_aligned_nothrow(std::size_t n, std::align_val_t al) noexcept {
  void *p = bm_memalign(static_cast<std::size_t>(al), n);
  if (__builtin_expect(p != nullptr, 1)) return p;
  return new_slow_nothrow(n, static_cast<std::size_t>(al));
}

}  // namespace

EXPORT void *operator new(std::size_t n) { return new_impl(n); }
EXPORT void *operator new[](std::size_t n) { return new_impl(n); }
EXPORT void *operator new(std::size_t n, const std::nothrow_t &) noexcept { return new_nothrow(n); }
EXPORT void *operator new[](std::size_t n, const std::nothrow_t &) noexcept { return new_nothrow(n); }
EXPORT void *operator new(std::size_t n, std::align_val_t al) { return new_aligned(n, al); }
EXPORT void *operator new[](std::size_t n, std::align_val_t al) { return new_aligned(n, al); }
EXPORT void *operator new(std::size_t n, std::align_val_t al, const std::nothrow_t &) noexcept {
  return new_aligned_nothrow(n, al);
}
EXPORT void *operator new[](std::size_t n, std::align_val_t al, const std::nothrow_t &) noexcept {
  return new_aligned_nothrow(n, al);
}

EXPORT void operator delete(void *p) noexcept { bm_free(p); }
EXPORT void operator delete[](void *p) noexcept { bm_free(p); }
EXPORT void operator delete(void *p, const std::nothrow_t &) noexcept { bm_free(p); }
EXPORT void operator delete[](void *p, const std::nothrow_t &) noexcept { bm_free(p); }
EXPORT void operator delete(void *p, std::size_t) noexcept { bm_free(p); }
EXPORT void operator delete[](void *p, std::size_t) noexcept { bm_free(p); }
EXPORT void operator delete(void *p, std::align_val_t) noexcept { bm_free(p); }
EXPORT void operator delete[](void *p, std::align_val_t) noexcept { bm_free(p); }
EXPORT void operator delete(void *p, std::align_val_t, const std::nothrow_t &) noexcept { bm_free(p); }
EXPORT void operator delete[](void *p, std::align_val_t, const std::nothrow_t &) noexcept { bm_free(p); }
EXPORT void operator delete(void *p, std::size_t, std::align_val_t) noexcept { bm_free(p); }
EXPORT void operator delete[](void *p, std::size_t, std::align_val_t) noexcept { bm_free(p); }
