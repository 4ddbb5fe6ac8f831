// The C++ allocation operators exported by the drop-in libbinmalloc.so.
//
// Failure follows the standard: call the new_handler until it succeeds or
// there is none, then throw std::bad_alloc; the nothrow forms return nullptr.
// The library does not link libstdc++ (that would add its pages to every
// process it is preloaded into): the new_handler and the throw are looked up
// in the process at the moment of failure; a process that uses operator new is
// a C++ process and has libstdc++ loaded.
#include <dlfcn.h>

#include <cstddef>
#include <cstdlib>
#include <new>

#include "core.h"

#define EXPORT __attribute__((visibility("default")))

namespace {

using handler_fn = void (*)();
using get_handler_fn = handler_fn (*)();

handler_fn current_new_handler() {
  static get_handler_fn get = nullptr;
  if (!get) get = reinterpret_cast<get_handler_fn>(dlsym(RTLD_DEFAULT, "_ZSt15get_new_handlerv"));
  return get ? get() : nullptr;
}

[[noreturn]] void throw_bad_alloc() {
  auto fn = reinterpret_cast<void (*)()>(dlsym(RTLD_DEFAULT, "_ZSt17__throw_bad_allocv"));
  if (fn) fn();
  abort();
}

void *try_alloc(std::size_t n, std::size_t align) {
  return align ? bm_memalign(align, n) : bm_malloc(n);
}

[[gnu::noinline]] void *new_slow(std::size_t n, std::size_t align) {
  for (;;) {
    if (void *p = try_alloc(n, align)) return p;
    handler_fn h = current_new_handler();
    if (!h) throw_bad_alloc();
    h();
  }
}

[[gnu::noinline]] void *new_slow_nothrow(std::size_t n, std::size_t align) noexcept {
  for (;;) {
    if (void *p = try_alloc(n, align)) return p;
    handler_fn h = current_new_handler();
    if (!h) return nullptr;
    h();
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

EXPORT void *operator new(std::size_t n) {
  return new_impl(n);
}
EXPORT void *operator new[](std::size_t n) {
  return new_impl(n);
}
EXPORT void *operator new(std::size_t n, const std::nothrow_t &) noexcept {
  return new_nothrow(n);
}
EXPORT void *operator new[](std::size_t n, const std::nothrow_t &) noexcept {
  return new_nothrow(n);
}
EXPORT void *operator new(std::size_t n, std::align_val_t al) {
  return new_aligned(n, al);
}
EXPORT void *operator new[](std::size_t n, std::align_val_t al) {
  return new_aligned(n, al);
}
EXPORT void *operator new(std::size_t n, std::align_val_t al, const std::nothrow_t &) noexcept {
  return new_aligned_nothrow(n, al);
}
EXPORT void *operator new[](std::size_t n, std::align_val_t al, const std::nothrow_t &) noexcept {
  return new_aligned_nothrow(n, al);
}

EXPORT void operator delete(void *p) noexcept {
  bm_free(p);
}
EXPORT void operator delete[](void *p) noexcept {
  bm_free(p);
}
EXPORT void operator delete(void *p, const std::nothrow_t &) noexcept {
  bm_free(p);
}
EXPORT void operator delete[](void *p, const std::nothrow_t &) noexcept {
  bm_free(p);
}
EXPORT void operator delete(void *p, std::size_t) noexcept {
  bm_free(p);
}
EXPORT void operator delete[](void *p, std::size_t) noexcept {
  bm_free(p);
}
EXPORT void operator delete(void *p, std::align_val_t) noexcept {
  bm_free(p);
}
EXPORT void operator delete[](void *p, std::align_val_t) noexcept {
  bm_free(p);
}
EXPORT void operator delete(void *p, std::align_val_t, const std::nothrow_t &) noexcept {
  bm_free(p);
}
EXPORT void operator delete[](void *p, std::align_val_t, const std::nothrow_t &) noexcept {
  bm_free(p);
}
EXPORT void operator delete(void *p, std::size_t, std::align_val_t) noexcept {
  bm_free(p);
}
EXPORT void operator delete[](void *p, std::size_t, std::align_val_t) noexcept {
  bm_free(p);
}
