// C++ allocation operators: every replaceable form of operator new/delete.
// Usage: bm_cxx_operators <scenario>
#include <malloc.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "tests/binmalloc/programs/bm_prog.h"

namespace {

constexpr std::size_t kHuge[] = {SIZE_MAX, SIZE_MAX - 4096, std::size_t(PTRDIFF_MAX) + 1, std::size_t(1) << 62};

// libstdc++'s own aligned operator new (used when binmalloc is not
// preloaded) rounds the size up to the alignment without an overflow check,
// so SIZE_MAX wraps to 0 and succeeds (GCC 12).  That is a libstdc++ defect,
// not glibc's; the glibc reference run leaves that one size out for the
// aligned forms.  binmalloc's operators must reject it.
bool aligned_huge_applies(std::size_t n) {
  return bm_expect_binmalloc() || n != SIZE_MAX;
}

bool aligned(const void *p, std::size_t a) {
  return (reinterpret_cast<std::uintptr_t>(p) & (a - 1)) == 0;
}

void touch(void *p, std::size_t n) {
  if (n) std::memset(p, 0x5d, n);
}

void sc_plain() {
  for (std::size_t n : {std::size_t(0), std::size_t(1), std::size_t(24), std::size_t(100), std::size_t(1040),
                        std::size_t(5000), std::size_t(300000)}) {
    void *p = ::operator new(bm_opaque_size(n));
    BM_CHECKF(p != nullptr && aligned(p, 16), "operator new(%zu) = %p", n, p);
    BM_CHECK(malloc_usable_size(p) >= n);
    touch(p, n);
    ::operator delete(bm_launder(p));

    void *a = ::operator new[](bm_opaque_size(n));
    BM_CHECKF(a != nullptr && aligned(a, 16), "operator new[](%zu) = %p", n, a);
    touch(a, n);
    ::operator delete[](bm_launder(a));

    void *s = ::operator new(bm_opaque_size(n));
    touch(s, n);
    ::operator delete(bm_launder(s), n);  // sized delete
    void *sa = ::operator new[](bm_opaque_size(n));
    touch(sa, n);
    ::operator delete[](bm_launder(sa), n);  // sized delete[]
  }
  // Deleting a null pointer is a no-op in every form.
  ::operator delete(bm_launder(nullptr));
  ::operator delete[](bm_launder(nullptr));
  ::operator delete(bm_launder(nullptr), std::size_t(16));
  ::operator delete[](bm_launder(nullptr), std::size_t(16));
  ::operator delete(bm_launder(nullptr), std::nothrow);
  ::operator delete[](bm_launder(nullptr), std::nothrow);
  ::operator delete(bm_launder(nullptr), std::align_val_t(64));
  ::operator delete[](bm_launder(nullptr), std::align_val_t(64));
  ::operator delete(bm_launder(nullptr), std::size_t(16), std::align_val_t(64));
  ::operator delete(bm_launder(nullptr), std::align_val_t(64), std::nothrow);
  // operator new(0) gives distinct pointers.
  void *z1 = ::operator new(bm_opaque_size(0));
  void *z2 = ::operator new(bm_opaque_size(0));
  BM_CHECK(z1 != z2);
  ::operator delete(z1);
  ::operator delete(z2);
  // new-expressions with real objects.
  auto *v = new std::vector<std::string>();
  for (int i = 0; i < 2000; ++i) v->push_back(std::string(static_cast<std::size_t>(i % 100) + 20, 'x'));
  std::size_t total = 0;
  for (const auto &s : *v) total += s.size();
  BM_CHECK(total == 2000u * 20u + 20u * (99u * 100u / 2u));
  delete v;
  auto *arr = new int[1000]();
  for (int i = 0; i < 1000; ++i) BM_CHECK(arr[i] == 0);
  delete[] arr;
}

void sc_nothrow() {
  for (std::size_t n : {std::size_t(0), std::size_t(64), std::size_t(2000), std::size_t(400000)}) {
    void *p = ::operator new(bm_opaque_size(n), std::nothrow);
    BM_CHECK(p != nullptr && aligned(p, 16));
    touch(p, n);
    ::operator delete(bm_launder(p), std::nothrow);
    void *a = ::operator new[](bm_opaque_size(n), std::nothrow);
    BM_CHECK(a != nullptr && aligned(a, 16));
    touch(a, n);
    ::operator delete[](bm_launder(a), std::nothrow);
  }
  for (std::size_t n : kHuge) {
    void *p = ::operator new(bm_opaque_size(n), std::nothrow);
    BM_CHECKF(p == nullptr, "nothrow new(%#zx) returned %p", n, p);
    void *a = ::operator new[](bm_opaque_size(n), std::nothrow);
    BM_CHECKF(a == nullptr, "nothrow new[](%#zx) returned %p", n, a);
    if (!aligned_huge_applies(n)) continue;
    void *al = ::operator new(bm_opaque_size(n), std::align_val_t(64), std::nothrow);
    BM_CHECKF(al == nullptr, "nothrow aligned new(%#zx) returned %p", n, al);
    void *ala = ::operator new[](bm_opaque_size(n), std::align_val_t(4096), std::nothrow);
    BM_CHECKF(ala == nullptr, "nothrow aligned new[](%#zx) returned %p", n, ala);
  }
}

struct alignas(64) Line {
  unsigned char bytes[64];
};
struct alignas(4096) Page {
  unsigned char bytes[4096];
};

void sc_aligned() {
  for (std::size_t al : {std::size_t(16), std::size_t(32), std::size_t(64), std::size_t(256), std::size_t(4096),
                         std::size_t(65536), std::size_t(1) << 20}) {
    for (std::size_t n : {std::size_t(1), std::size_t(64), std::size_t(1000), std::size_t(5000), std::size_t(200000)}) {
      std::align_val_t a{al};
      void *p = ::operator new(bm_opaque_size(n), a);
      BM_CHECKF(p != nullptr && aligned(p, al), "operator new(%zu, align %zu) = %p", n, al, p);
      touch(p, n);
      ::operator delete(bm_launder(p), a);

      void *q = ::operator new[](bm_opaque_size(n), a);
      BM_CHECKF(q != nullptr && aligned(q, al), "operator new[](%zu, align %zu) = %p", n, al, q);
      touch(q, n);
      ::operator delete[](bm_launder(q), a);

      void *r = ::operator new(bm_opaque_size(n), a);
      BM_CHECK(r != nullptr && aligned(r, al));
      touch(r, n);
      ::operator delete(bm_launder(r), n, a);  // sized aligned delete

      void *s = ::operator new[](bm_opaque_size(n), a);
      BM_CHECK(s != nullptr && aligned(s, al));
      touch(s, n);
      ::operator delete[](bm_launder(s), n, a);  // sized aligned delete[]

      void *t = ::operator new(bm_opaque_size(n), a, std::nothrow);
      BM_CHECKF(t != nullptr && aligned(t, al), "nothrow operator new(%zu, align %zu) = %p", n, al, t);
      touch(t, n);
      ::operator delete(bm_launder(t), a, std::nothrow);

      void *u = ::operator new[](bm_opaque_size(n), a, std::nothrow);
      BM_CHECKF(u != nullptr && aligned(u, al), "nothrow operator new[](%zu, align %zu) = %p", n, al, u);
      touch(u, n);
      ::operator delete[](bm_launder(u), a, std::nothrow);
    }
  }
  // new-expressions on over-aligned types use the aligned forms.
  std::vector<Line *> lines;
  for (int i = 0; i < 100; ++i) {
    Line *l = new Line();
    BM_CHECKF(aligned(l, 64), "new Line = %p not 64-aligned", static_cast<void *>(l));
    l->bytes[63] = static_cast<unsigned char>(i);
    lines.push_back(l);
  }
  for (int i = 0; i < 100; ++i) {
    BM_CHECK(lines[static_cast<std::size_t>(i)]->bytes[63] == static_cast<unsigned char>(i));
    delete lines[static_cast<std::size_t>(i)];
  }
  Page *pages = new Page[3];
  BM_CHECKF(aligned(pages, 4096), "new Page[3] = %p not 4096-aligned", static_cast<void *>(pages));
  std::memset(pages, 1, sizeof(Page) * 3);
  delete[] pages;
  Page *one = new (std::nothrow) Page;
  BM_CHECK(one != nullptr && aligned(one, 4096));
  delete one;
}

void sc_bad_alloc() {
  for (std::size_t n : kHuge) {
    bool thrown = false;
    try {
      void *p = ::operator new(bm_opaque_size(n));
      bm_fail(__FILE__, __LINE__, "operator new(%#zx) returned %p", n, p);
    } catch (const std::bad_alloc &) {
      thrown = true;
    }
    BM_CHECKF(thrown, "operator new(%#zx) did not throw std::bad_alloc", n);
    thrown = false;
    try {
      void *p = ::operator new[](bm_opaque_size(n));
      bm_fail(__FILE__, __LINE__, "operator new[](%#zx) returned %p", n, p);
    } catch (const std::bad_alloc &) {
      thrown = true;
    }
    BM_CHECKF(thrown, "operator new[](%#zx) did not throw std::bad_alloc", n);
    if (!aligned_huge_applies(n)) continue;
    thrown = false;
    try {
      void *p = ::operator new(bm_opaque_size(n), std::align_val_t(64));
      bm_fail(__FILE__, __LINE__, "operator new(%#zx, align 64) returned %p", n, p);
    } catch (const std::bad_alloc &) {
      thrown = true;
    }
    BM_CHECKF(thrown, "aligned operator new(%#zx) did not throw std::bad_alloc", n);
    thrown = false;
    try {
      void *p = ::operator new[](bm_opaque_size(n), std::align_val_t(4096));
      bm_fail(__FILE__, __LINE__, "operator new[](%#zx, align 4096) returned %p", n, p);
    } catch (const std::bad_alloc &) {
      thrown = true;
    }
    BM_CHECKF(thrown, "aligned operator new[](%#zx) did not throw std::bad_alloc", n);
  }
}

int g_handler_calls = 0;
void counting_handler() {
  ++g_handler_calls;
  // Give up after a few calls: operator new must then throw.
  if (g_handler_calls >= 3) std::set_new_handler(nullptr);
}

void sc_new_handler() {
  std::set_new_handler(counting_handler);
  bool thrown = false;
  try {
    void *p = ::operator new(bm_opaque_size(SIZE_MAX - 4096));
    bm_fail(__FILE__, __LINE__, "operator new(huge) returned %p", p);
  } catch (const std::bad_alloc &) {
    thrown = true;
  }
  BM_CHECK(thrown);
  BM_CHECKF(g_handler_calls == 3, "new_handler called %d times, expected 3", g_handler_calls);
  // nothrow new also consults the handler and then returns nullptr.
  g_handler_calls = 0;
  std::set_new_handler(counting_handler);
  void *q = ::operator new(bm_opaque_size(SIZE_MAX - 4096), std::nothrow);
  BM_CHECK(q == nullptr);
  BM_CHECKF(g_handler_calls == 3, "new_handler called %d times by nothrow new, expected 3", g_handler_calls);
  std::set_new_handler(nullptr);
}

void sc_interposed_operators() {
  if (!bm_expect_binmalloc()) {
    std::printf("SKIP: not running under binmalloc\n");
    return;
  }
  static const char *const names[] = {
      "_Znwm",                                // new(size_t)
      "_Znam",                                // new[](size_t)
      "_ZnwmRKSt9nothrow_t",                  // new(size_t, nothrow)
      "_ZnamRKSt9nothrow_t",                  // new[](size_t, nothrow)
      "_ZnwmSt11align_val_t",                 // new(size_t, align)
      "_ZnamSt11align_val_t",                 // new[](size_t, align)
      "_ZnwmSt11align_val_tRKSt9nothrow_t",   // new(size_t, align, nothrow)
      "_ZnamSt11align_val_tRKSt9nothrow_t",   // new[](size_t, align, nothrow)
      "_ZdlPv",                               // delete(void*)
      "_ZdaPv",                               // delete[](void*)
      "_ZdlPvm",                              // delete(void*, size_t)
      "_ZdaPvm",                              // delete[](void*, size_t)
      "_ZdlPvRKSt9nothrow_t",                 // delete(void*, nothrow)
      "_ZdaPvRKSt9nothrow_t",                 // delete[](void*, nothrow)
      "_ZdlPvSt11align_val_t",                // delete(void*, align)
      "_ZdaPvSt11align_val_t",                // delete[](void*, align)
      "_ZdlPvmSt11align_val_t",               // delete(void*, size_t, align)
      "_ZdaPvmSt11align_val_t",               // delete[](void*, size_t, align)
      "_ZdlPvSt11align_val_tRKSt9nothrow_t",  // delete(void*, align, nothrow)
      "_ZdaPvSt11align_val_tRKSt9nothrow_t",  // delete[](void*, align, nothrow)
  };
  for (const char *n : names) bm_check_symbol_interposed(n);
}

struct Scenario {
  const char *name;
  void (*fn)();
};

const Scenario kScenarios[] = {
    {"plain", sc_plain},         {"nothrow", sc_nothrow},         {"aligned", sc_aligned},
    {"bad_alloc", sc_bad_alloc}, {"new_handler", sc_new_handler}, {"interposed_operators", sc_interposed_operators},
};

}  // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <scenario>|--list\n", argv[0]);
    return 2;
  }
  for (const Scenario &s : kScenarios) {
    if (std::strcmp(argv[1], "--list") == 0) {
      std::printf("%s\n", s.name);
    } else if (std::strcmp(argv[1], s.name) == 0) {
      s.fn();
      return bm_finish();
    }
  }
  if (std::strcmp(argv[1], "--list") == 0) return 0;
  std::fprintf(stderr, "unknown scenario %s\n", argv[1]);
  return 2;
}
