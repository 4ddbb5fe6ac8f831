// Fuzzes binmalloc (static library, prefixed API) with operation sequences
// checked against a reference model: every live block keeps its content,
// alignment and usable size hold, realloc keeps the prefix, calloc zeroes,
// and binmalloc_check_heap() (which aborts on a fault) passes at the end.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "binmalloc.h"

namespace {

struct Slot {
  unsigned char* p = nullptr;
  size_t size = 0;
  unsigned char tag = 0;
};

constexpr size_t kSlots = 64;

[[noreturn]] void fail(const char* what, size_t size) {
  std::fprintf(stderr, "fuzz_binmalloc: %s (size %zu)\n", what, size);
  std::abort();
}

struct Reader {
  const uint8_t* d;
  size_t n, i = 0;
  bool more() const { return i < n; }
  uint8_t u8() { return i < n ? d[i++] : 0; }
  uint16_t u16() { return static_cast<uint16_t>(u8() | (u8() << 8)); }
};

// Sizes: mostly small, some medium, a few large (mmap'd), edge values.
size_t size_from(Reader& r) {
  uint8_t k = r.u8();
  switch (k % 8) {
    case 0:
      return r.u8();
    case 1:
    case 2:
    case 3:
      return r.u16() % 1024;
    case 4:
    case 5:
      return r.u16();
    case 6:
      return static_cast<size_t>(r.u16()) * 16;  // up to 1 MiB
    default:
      return (static_cast<size_t>(r.u8()) << 12) + (k >> 3);
  }
}

// The checking loops are not instrumented for coverage: they say nothing
// about binmalloc and would dominate the run time.
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))

NO_COVERAGE void fill(Slot& s) {
  for (size_t i = 0; i < s.size; ++i) s.p[i] = static_cast<unsigned char>(s.tag + i * 7);
}

NO_COVERAGE void verify(const Slot& s, size_t n, const char* when) {
  for (size_t i = 0; i < n; ++i)
    if (s.p[i] != static_cast<unsigned char>(s.tag + i * 7)) fail(when, s.size);
}

NO_COVERAGE bool all_zero(const unsigned char* p, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (p[i]) return false;
  return true;
}

void check_new(const void* p, size_t size, size_t align, const char* who) {
  if (!p) fail(who, size);
  if (reinterpret_cast<uintptr_t>(p) % align) fail("misaligned block", size);
  if (binmalloc_malloc_usable_size(const_cast<void*>(p)) < size) fail("usable size below request", size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Slot slots[kSlots];
  Reader r{data, size};
  unsigned char tag = 1;
  while (r.more()) {
    uint8_t op = r.u8();
    Slot& s = slots[r.u8() % kSlots];
    switch (op % 10) {
      case 0:
      case 1:
      case 2: {  // malloc
        if (s.p) {
          verify(s, s.size, "corrupted before free");
          binmalloc_free(s.p);
        }
        s.size = size_from(r);
        s.p = static_cast<unsigned char*>(binmalloc_malloc(s.size));
        check_new(s.p, s.size, s.size >= 16 ? 16 : 8, "malloc returned NULL");
        s.tag = tag++;
        fill(s);
        break;
      }
      case 3:
      case 4: {  // free
        if (!s.p) break;
        verify(s, s.size, "corrupted before free");
        binmalloc_free(s.p);
        s = Slot{};
        break;
      }
      case 5: {  // realloc (also from NULL)
        size_t n = size_from(r);
        if (n == 0) n = 1;  // realloc(p, 0) may free: keep the model simple
        auto* q = static_cast<unsigned char*>(binmalloc_realloc(s.p, n));
        check_new(q, n, n >= 16 ? 16 : 8, "realloc returned NULL");
        Slot moved{q, n, s.tag};
        if (s.p)
          verify(moved, n < s.size ? n : s.size, "realloc lost content");
        else
          moved.tag = tag++;
        s = moved;
        fill(s);
        break;
      }
      case 6: {  // calloc
        if (s.p) {
          verify(s, s.size, "corrupted before free");
          binmalloc_free(s.p);
        }
        size_t n = 1 + r.u8() % 16, each = size_from(r) / 16;
        s.size = n * each;
        s.p = static_cast<unsigned char*>(binmalloc_calloc(n, each));
        check_new(s.p, s.size, s.size >= 16 ? 16 : 8, "calloc returned NULL");
        if (!all_zero(s.p, s.size)) fail("calloc memory not zero", s.size);
        s.tag = tag++;
        fill(s);
        break;
      }
      case 7: {  // memalign / posix_memalign / aligned_alloc
        if (s.p) {
          verify(s, s.size, "corrupted before free");
          binmalloc_free(s.p);
        }
        uint8_t k = r.u8();
        size_t align = size_t{1} << (k % 17);  // 1 .. 64 KiB
        s.size = size_from(r);
        void* p = nullptr;
        if (k & 0x20) {
          if (align < sizeof(void*)) align = sizeof(void*);
          if (binmalloc_posix_memalign(&p, align, s.size) != 0) fail("posix_memalign failed", s.size);
        } else if (k & 0x40) {
          s.size = (s.size + align - 1) / align * align;
          p = binmalloc_aligned_alloc(align, s.size);
        } else {
          p = binmalloc_memalign(align, s.size);
        }
        s.p = static_cast<unsigned char*>(p);
        check_new(s.p, s.size, align, "aligned allocation returned NULL");
        s.tag = tag++;
        fill(s);
        break;
      }
      case 8: {  // huge or overflowing requests must fail cleanly
        if (binmalloc_malloc(SIZE_MAX - r.u8())) fail("huge malloc succeeded", SIZE_MAX);
        if (binmalloc_calloc(SIZE_MAX / 2 + 1, 2 + r.u8() % 3)) fail("overflowing calloc succeeded", SIZE_MAX);
        break;
      }
      default: {
        if (r.u8() % 4 == 0)
          binmalloc_malloc_trim(0);
        else
          binmalloc_check_heap();
        break;
      }
    }
  }
  for (Slot& s : slots)
    if (s.p) {
      verify(s, s.size, "corrupted at the end");
      binmalloc_free(s.p);
    }
  binmalloc_check_heap();
  return 0;
}
