// API semantics of the prefixed entry points and a few integrity checks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <vector>

#include "tests/binmalloc_unit/helpers.h"

namespace {

TEST(Api, HugeRequestsFailWithEnomem) {
  for (size_t n : {SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 4096, static_cast<size_t>(PTRDIFF_MAX) + 1}) {
    errno = 0;
    EXPECT_EQ(binmalloc_malloc(n), nullptr);
    EXPECT_EQ(errno, ENOMEM);
    errno = 0;
    EXPECT_EQ(binmalloc_memalign(64, n), nullptr);
    EXPECT_EQ(errno, ENOMEM);
    errno = 0;
    EXPECT_EQ(binmalloc_pvalloc(n), nullptr);
    EXPECT_EQ(errno, ENOMEM);
  }
  errno = 0;
  EXPECT_EQ(binmalloc_calloc(SIZE_MAX / 2, 3), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  void *p = binmalloc_malloc(10);
  errno = 0;
  EXPECT_EQ(binmalloc_realloc(p, SIZE_MAX - 8), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(binmalloc_reallocarray(p, SIZE_MAX / 2, 3), nullptr);
  binmalloc_free(p);
}

TEST(Api, MinimumChunkAndUsableSize) {
  void *p = binmalloc_malloc(0);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(binmalloc_malloc_usable_size(p), 24u);
  for (size_t n = 1; n < 3000; n += 7) {
    void *q = binmalloc_malloc(n);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(q) % 16, 0u);
    size_t u = binmalloc_malloc_usable_size(q);
    EXPECT_GE(u, n);
    EXPECT_LT(u, n + 32);
    memset(q, 0xab, u);
    binmalloc_free(q);
  }
  binmalloc_free(p);
  EXPECT_EQ(binmalloc_malloc_usable_size(nullptr), 0u);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(Api, FreeKeepsErrno) {
  void *a = binmalloc_malloc(100), *b = binmalloc_malloc(5000), *c = binmalloc_malloc(1 << 20);
  errno = 1234;
  binmalloc_free(a);
  binmalloc_free(b);
  binmalloc_free(c);
  binmalloc_free(nullptr);
  EXPECT_EQ(errno, 1234);
}

TEST(Api, CallocZeroes) {
  std::vector<void *> v;
  for (int i = 0; i < 50; i++) {
    void *p = binmalloc_malloc(static_cast<size_t>(i) * 97 + 1);
    memset(p, 0xff, static_cast<size_t>(i) * 97 + 1);
    v.push_back(p);
  }
  for (void *p : v) binmalloc_free(p);
  for (int i = 0; i < 50; i++) {
    size_t n = static_cast<size_t>(i) * 97 + 1;
    auto *p = static_cast<unsigned char *>(binmalloc_calloc(n, 1));
    for (size_t j = 0; j < n; j++) ASSERT_EQ(p[j], 0) << n;
    binmalloc_free(p);
  }
  EXPECT_EQ(binmalloc_calloc(0, 0) != nullptr, true);
}

TEST(Api, ReallocSemantics) {
  EXPECT_EQ(binmalloc_realloc(nullptr, 0) != nullptr, true);  // realloc(NULL, 0) == malloc(0)
  char *p = static_cast<char *>(binmalloc_realloc(nullptr, 100));
  bmtest::fill_pattern(p, 100, 1);
  EXPECT_EQ(binmalloc_realloc(p, 0), nullptr);  // frees
  p = static_cast<char *>(binmalloc_malloc(10));
  bmtest::fill_pattern(p, 10, 2);
  for (size_t n = 10; n < 2000000; n = n * 3 / 2 + 1) {
    p = static_cast<char *>(binmalloc_realloc(p, n));
    ASSERT_TRUE(bmtest::check_pattern(p, 10, 2));
  }
  binmalloc_free(p);
  EXPECT_EQ(binmalloc_check_heap(), 0);
}

TEST(Api, AlignedEntryPoints) {
  for (size_t al = 1; al <= 65536; al <<= 1) {
    void *p = binmalloc_memalign(al, 100);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % al, 0u);
    memset(p, 1, 100);
    void *q = nullptr;
    if (al >= sizeof(void *)) {
      EXPECT_EQ(binmalloc_posix_memalign(&q, al, 300), 0);
      EXPECT_EQ(reinterpret_cast<uintptr_t>(q) % al, 0u);
    }
    void *r = binmalloc_aligned_alloc(al, 4000);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(r) % al, 0u);
    void *big = binmalloc_memalign(al, 300000);  // mmapped
    EXPECT_EQ(reinterpret_cast<uintptr_t>(big) % al, 0u);
    memset(big, 2, 300000);
    binmalloc_free(p);
    binmalloc_free(q);
    binmalloc_free(r);
    binmalloc_free(big);
    EXPECT_EQ(binmalloc_check_heap(), 0);
  }
  // memalign rounds a non-power-of-two alignment up
  void *p = binmalloc_memalign(48, 10);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
  binmalloc_free(p);
  void *v = binmalloc_valloc(10);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(v) % sysconf(_SC_PAGESIZE), 0u);
  binmalloc_free(v);
  void *pv = binmalloc_pvalloc(10);
  EXPECT_GE(binmalloc_malloc_usable_size(pv), static_cast<size_t>(sysconf(_SC_PAGESIZE)));
  binmalloc_free(pv);
}

TEST(Api, AlignmentErrors) {
  void *q = reinterpret_cast<void *>(0x1);
  errno = 77;
  EXPECT_EQ(binmalloc_posix_memalign(&q, 3, 10), EINVAL);
  EXPECT_EQ(binmalloc_posix_memalign(&q, 4, 10), EINVAL);  // not a multiple of sizeof(void*)
  EXPECT_EQ(binmalloc_posix_memalign(&q, 0, 10), EINVAL);
  EXPECT_EQ(binmalloc_posix_memalign(&q, 24, 10), EINVAL);
  EXPECT_EQ(errno, 77);
  EXPECT_EQ(q, reinterpret_cast<void *>(0x1));
  errno = 0;
  EXPECT_EQ(binmalloc_aligned_alloc(3, 10), nullptr);
  EXPECT_EQ(errno, EINVAL);
  errno = 0;
  EXPECT_EQ(binmalloc_memalign(SIZE_MAX / 2 + 2, 10), nullptr);
  EXPECT_EQ(errno, EINVAL);
}

// glibc leaves errno ENOMEM after a posix_memalign that fails for lack of
// memory (its thread-failure test checks it).
TEST(Api, PosixMemalignEnomemSetsErrno) {
  void *q = reinterpret_cast<void *>(0x1);
  errno = 0;
  EXPECT_EQ(binmalloc_posix_memalign(&q, 64, SIZE_MAX / 2), ENOMEM);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(q, reinterpret_cast<void *>(0x1));
  errno = 0;
  ASSERT_EQ(binmalloc_posix_memalign(&q, 64, 100), 0);
  EXPECT_EQ(errno, 0);
  binmalloc_free(q);
}

TEST(Api, MalloptCheckActionAccepted) {
  EXPECT_EQ(binmalloc_mallopt(BINMALLOC_M_CHECK_ACTION, 1), 1);
  EXPECT_EQ(binmalloc_mallopt(BINMALLOC_M_CHECK_ACTION, 3), 1);
}

TEST(Api, MalloptValues) {
  EXPECT_EQ(binmalloc_mallopt(BINMALLOC_M_MXFAST, 161), 0);
  EXPECT_EQ(binmalloc_mallopt(BINMALLOC_M_MXFAST, -1), 0);
  EXPECT_EQ(binmalloc_mallopt(BINMALLOC_M_ARENA_MAX, 0), 0);
  EXPECT_EQ(binmalloc_mallopt(12345, 1), 0);
  EXPECT_EXIT(
      {
        if (binmalloc_mallopt(BINMALLOC_M_MXFAST, 0) != 1) _exit(1);
        bmtest::Counters c;
        std::vector<void *> v;
        for (int i = 0; i < 20; i++) v.push_back(binmalloc_malloc(32));
        for (void *p : v) binmalloc_free(p);
        if (c.delta().fastbin_frees != 0) _exit(2);
        if (binmalloc_mallopt(BINMALLOC_M_PERTURB, 0x5a) != 1) _exit(3);
        auto *p = static_cast<unsigned char *>(binmalloc_malloc(5000));
        if (p[100] != (0x5a ^ 0xff)) _exit(4);
        binmalloc_free(p);
        if (binmalloc_mallopt(BINMALLOC_M_TRIM_THRESHOLD, -1) != 1) _exit(5);
        if (binmalloc_mallopt(BINMALLOC_M_TOP_PAD, 0) != 1) _exit(6);
        if (binmalloc_mallopt(BINMALLOC_M_MMAP_MAX, 0) != 1) _exit(7);
        void *big = binmalloc_malloc(1 << 20);  // no mmap allowed: from the heap
        if (bmtest::Counters::now().mmapped_chunks_live != 0) _exit(8);
        binmalloc_free(big);
        if (binmalloc_mallopt(BINMALLOC_M_ARENA_TEST, 2) != 1) _exit(9);
        if (binmalloc_mallopt(BINMALLOC_M_ARENA_MAX, 1) != 1) _exit(10);
        binmalloc_check_heap();
        _exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(Api, MallinfoAndInfo) {
  void *p = binmalloc_malloc(10000);
  void *m = binmalloc_malloc(40 << 20);
  struct binmalloc_mallinfo2 mi = binmalloc_mallinfo2();
  EXPECT_GT(mi.arena, 0u);
  EXPECT_GE(mi.uordblks, 10000u);
  EXPECT_GE(mi.hblks, 1u);
  EXPECT_GE(mi.hblkhd, 40u << 20);
  EXPECT_EQ(mi.arena, mi.uordblks + mi.fordblks);
  char *buf = nullptr;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  EXPECT_EQ(binmalloc_malloc_info(0, f), 0);
  fclose(f);
  EXPECT_NE(strstr(buf, "<malloc version=\"1\">"), nullptr);
  EXPECT_NE(strstr(buf, "</malloc>"), nullptr);
  free(buf);
  errno = 0;
  EXPECT_EQ(binmalloc_malloc_info(1, stdout), -1);
  EXPECT_EQ(errno, EINVAL);
  testing::internal::CaptureStderr();
  binmalloc_malloc_stats();
  std::string s = testing::internal::GetCapturedStderr();
  EXPECT_NE(s.find("system bytes"), std::string::npos);
  binmalloc_free(p);
  binmalloc_free(m);
}

TEST(ApiDeath, DoubleFreeTcache) {
  EXPECT_DEATH(
      {
        void *p = binmalloc_malloc(64);
        binmalloc_free(p);
        binmalloc_free(p);
      },
      "free\\(\\): double free detected in tcache 2");
}

TEST(ApiDeath, DoubleFreeFasttop) {
  EXPECT_DEATH(
      {
        binmalloc_tcache_flush();  // the bins back to 7 entries (earlier tests may have deepened them)
        std::vector<void *> v;
        for (int i = 0; i < 8; i++) v.push_back(binmalloc_malloc(64));
        for (int i = 0; i < 7; i++) binmalloc_free(v[i]);
        binmalloc_free(v[7]);  // tcache full: fastbin
        binmalloc_free(v[7]);
      },
      "double free or corruption \\(fasttop\\)");
}

TEST(ApiDeath, InvalidPointer) {
  EXPECT_DEATH(
      {
        char *p = static_cast<char *>(binmalloc_malloc(64));
        binmalloc_free(p + 8);
      },
      "free\\(\\): invalid pointer");
}

TEST(ApiDeath, CorruptedTcacheLinkIsCaught) {
  EXPECT_DEATH(
      {
        void *a = binmalloc_malloc(200);
        void *b = binmalloc_malloc(200);
        binmalloc_free(a);
        binmalloc_free(b);
        *static_cast<uintptr_t *>(b) ^= 0x8;  // flip a bit of the safe-linked next pointer
        binmalloc_malloc(200);
        binmalloc_malloc(200);
      },
      "malloc\\(\\): unaligned tcache chunk detected");
}

TEST(ApiDeath, DoubleFreeNormalChunk) {
  EXPECT_DEATH(
      {
        void *p = binmalloc_malloc(40000);
        void *g = binmalloc_malloc(16);
        (void)g;
        binmalloc_free(p);
        binmalloc_free(p);
      },
      "double free or corruption \\((!prev|top)\\)");
}

TEST(ApiDeath, HeapCheckerFindsCorruption) {
  EXPECT_DEATH(
      {
        char *p = static_cast<char *>(binmalloc_malloc(5000));
        void *g = binmalloc_malloc(5000);
        (void)g;
        reinterpret_cast<size_t *>(p)[-1] ^= 0x100;  // corrupt the size of an in-use chunk
        binmalloc_check_heap();
      },
      "binmalloc: heap check: ");
}

}  // namespace
