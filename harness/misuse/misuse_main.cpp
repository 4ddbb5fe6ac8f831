// allocscope-probe: one heap-misuse probe, or the malloc API conformance
// check, in this process, under whatever allocator is preloaded. Started by
// `allocscope probe`, which classifies what happened:
//   allocscope-probe misuse NAME   -> JSON {"outcome": "tolerated"|"corruption", "detail": ...}
//                                     on fd 3, or the process dies (detected / crashed)
//   allocscope-probe api           -> JSON conformance report on fd 3
//   allocscope-probe list          -> the misuse probe names, one a line
//   allocscope-probe matrix-list   -> the misuse-matrix cases: NAME<tab>GROUP<tab>DOC lines
//   allocscope-probe matrix CASE small|page|large
//                                  -> one case of the misuse matrix (see matrix.hpp)
// This program writes nothing to stderr itself while a probe runs, so any
// text there comes from the allocator (its diagnostic).
#include <dlfcn.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "harness/misuse/matrix.hpp"
#include "harness/worker/result_record.hpp"

namespace {

// Hides a pointer's origin from the optimizer (no folding of malloc/free pairs).
template <typename T>
T* launder(T* p) {
  asm volatile("" : "+r"(p));
  return p;
}

int outcome(const char* what, const std::string& detail) {
  allocscope::write_result_record("{\"outcome\":\"" + std::string(what) + "\",\"detail\":\"" +
                                  allocscope::json_escape(detail) + "\"}");
  return 0;
}

std::string ptr(const void* p) {
  char b[32];
  std::snprintf(b, sizeof b, "%p", p);
  return b;
}

// After a misuse that may have put `p` on a free list twice: do two
// allocations of the same size return the same block?
int same_block_twice(size_t size, const char* misuse) {
  void* a = launder(std::malloc(size));
  void* b = launder(std::malloc(size));
  if (a && a == b)
    return outcome("corruption", std::string(misuse) + ": two mallocs returned the same block " + ptr(a));
  return outcome("tolerated", std::string(misuse) + " went unnoticed; the next two mallocs returned distinct blocks");
}

int double_free(size_t size) {
  void* p = launder(std::malloc(size));
  std::free(p);
  std::free(launder(p));
  return same_block_twice(size, "double free");
}

int interior_free() {
  char* p = launder(static_cast<char*>(std::malloc(64)));
  std::free(launder(p + 16));
  void* a = launder(std::malloc(40));
  if (a && static_cast<char*>(a) >= p && static_cast<char*>(a) < p + 64 && a != p)
    return outcome("corruption", "after free(p+16), malloc returned " + ptr(a) + ", inside the live block " + ptr(p));
  return outcome("tolerated", "free of an interior pointer went unnoticed");
}

char g_static_buf[4096] __attribute__((aligned(64)));

int foreign_free(char* buf, size_t n, const char* what) {
  std::memset(buf, 0, n);
  std::free(launder(buf + 64));
  void* a = launder(std::malloc(48));
  if (a && static_cast<char*>(a) >= buf && static_cast<char*>(a) < buf + n)
    return outcome("corruption", std::string("after free of a ") + what + " pointer, malloc returned it: " + ptr(a));
  return outcome("tolerated", std::string("free of a ") + what + " pointer went unnoticed");
}

int foreign_free_stack() {
  alignas(64) char buf[4096];
  return foreign_free(launder(buf), sizeof buf, "stack");
}

int foreign_free_mmap() {
  void* m = ::mmap(nullptr, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char* p = static_cast<char*>(m) + 4096;
  std::free(launder(p));
  void* a = launder(std::malloc(4000));
  if (a == p) return outcome("corruption", "after free of an mmap'd pointer, malloc returned it");
  return outcome("tolerated", "free of a pointer from mmap went unnoticed");
}

// Writes past the end of a block into the next block's header, then frees both.
int header_overflow() {
  std::vector<char*> blocks;
  for (int i = 0; i < 8; ++i) blocks.push_back(launder(static_cast<char*>(std::malloc(24))));
  char* p = blocks[3];
  std::memset(launder(p), 0x41, 24 + 16);  // 16 bytes past the 24 asked (and past usable size)
  for (char* b : blocks) std::free(b);
  std::vector<void*> again;
  for (int i = 0; i < 16; ++i) again.push_back(launder(std::malloc(24)));
  for (size_t i = 0; i < again.size(); ++i)
    for (size_t j = i + 1; j < again.size(); ++j)
      if (again[i] && again[i] == again[j])
        return outcome("corruption", "after a header overflow two mallocs returned the same block " + ptr(again[i]));
  return outcome("tolerated", "16-byte overflow into the next chunk went unnoticed");
}

// Use after free: overwrite the first word of a freed block (where many
// allocators keep their free-list link) with the address of a static buffer,
// then allocate: does malloc hand out the attacker's address?
alignas(64) char g_target[1024];

int uaf_poison() {
  void* p = launder(std::malloc(64));
  void* q = launder(std::malloc(64));
  std::free(q);
  std::free(p);
  void* fake = g_target + 128;
  std::memcpy(launder(p), &fake, sizeof fake);
  for (int i = 0; i < 4; ++i) {
    char* a = launder(static_cast<char*>(std::malloc(64)));
    if (a >= g_target && a < g_target + sizeof g_target)
      return outcome("corruption", "after a use-after-free write, malloc returned the attacker's address " + ptr(a));
  }
  return outcome("tolerated", "the use-after-free write into a freed block did not steer malloc");
}

// Use after free of a whole block: write over a freed block, then check that
// new allocations of that size are not affected (no crash, distinct blocks).
int uaf_write() {
  char* p = launder(static_cast<char*>(std::malloc(128)));
  std::free(p);
  std::memset(launder(p), 0x5a, 128);
  return same_block_twice(128, "use-after-free write of a whole block");
}

int double_free_threads() {
  void* p = launder(std::malloc(64));
  std::thread([p] { std::free(launder(p)); }).join();
  std::thread([p] { std::free(launder(p)); }).join();
  // Each thread's cache may now hold p: allocate in two threads.
  void* a = nullptr;
  void* b = nullptr;
  std::thread([&] { a = launder(std::malloc(64)); }).join();
  std::thread([&] { b = launder(std::malloc(64)); }).join();
  void* c = launder(std::malloc(64));
  void* d = launder(std::malloc(64));
  std::vector<void*> all{a, b, c, d};
  for (size_t i = 0; i < all.size(); ++i)
    for (size_t j = i + 1; j < all.size(); ++j)
      if (all[i] && all[i] == all[j])
        return outcome("corruption", "double free across threads: two mallocs returned the same block " + ptr(all[i]));
  return outcome("tolerated", "double free across threads went unnoticed");
}

int realloc_freed() {
  void* p = launder(std::malloc(64));
  std::free(p);
  void* q = launder(std::realloc(launder(p), 128));
  (void)q;
  return same_block_twice(64, "realloc of a freed block");
}

struct Probe {
  const char* name;
  const char* doc;
  int (*fn)();
};

const Probe kProbes[] = {
    {"double_free", "free the same small block twice", [] { return double_free(64); }},
    {"double_free_large", "free the same 64 KiB block twice", [] { return double_free(64 * 1024); }},
    {"double_free_huge", "free the same 4 MiB (mmap'd) block twice", [] { return double_free(4 << 20); }},
    {"double_free_threads", "two threads free the same block", double_free_threads},
    {"interior_free", "free a pointer 16 bytes into a block", interior_free},
    {"foreign_free_stack", "free a pointer into the stack", foreign_free_stack},
    {"foreign_free_static", "free a pointer into static data",
     [] { return foreign_free(g_static_buf, sizeof g_static_buf, "static"); }},
    {"foreign_free_mmap", "free a pointer from mmap", foreign_free_mmap},
    {"header_overflow", "write 16 bytes past a block into the next chunk, then free", header_overflow},
    {"uaf_poison", "overwrite a freed block's first word with a chosen address, then malloc", uaf_poison},
    {"uaf_write", "overwrite a whole freed block, then malloc", uaf_write},
    {"realloc_freed", "realloc a block that was freed", realloc_freed},
};

// ---- API conformance ---------------------------------------------------

const char* kEntryPoints[] = {"malloc",         "free",          "calloc", "realloc", "reallocarray",      "memalign",
                              "posix_memalign", "aligned_alloc", "valloc", "pvalloc", "malloc_usable_size"};

std::string object_of(void* sym) {
  Dl_info info{};
  if (!sym || !::dladdr(sym, &info) || !info.dli_fname) return "";
  std::string f = info.dli_fname;
  return f;
}

struct Check {
  const char* name;
  const char* doc;
  // Returns "" when conforming, else what was wrong.
  std::string (*fn)();
};

const size_t kHuge = SIZE_MAX - 4096;
const size_t kPage = static_cast<size_t>(::sysconf(_SC_PAGESIZE));

std::string check_block(void* p, size_t n, size_t align, const char* who) {
  if (!p) return std::string(who) + " returned NULL";
  if (reinterpret_cast<uintptr_t>(p) % align)
    return std::string(who) + " returned " + ptr(p) + ", not aligned to " + std::to_string(align);
  size_t u = malloc_usable_size(p);
  if (u < n) return std::string(who) + ": malloc_usable_size is " + std::to_string(u) + " < " + std::to_string(n);
  std::memset(p, 0x33, n);
  std::free(p);
  return "";
}

std::string enomem(void* p, const char* who) {
  int e = errno;
  if (p) return std::string(who) + " of a huge size returned a pointer";
  if (e != ENOMEM)
    return std::string(who) + " of a huge size set errno " + std::to_string(e) + " (" + std::strerror(e) +
           "), expected ENOMEM";
  return "";
}

const Check kChecks[] = {
    {"malloc_enomem", "malloc(SIZE_MAX-4096) fails with ENOMEM",
     [] {
       errno = 0;
       return enomem(launder(std::malloc(launder(&kHuge)[0])), "malloc");
     }},
    {"calloc_overflow", "calloc(SIZE_MAX/2, 4) fails with ENOMEM",
     [] {
       errno = 0;
       return enomem(launder(std::calloc(SIZE_MAX / 2, launder(&kPage)[0] ? 4 : 4)), "calloc");
     }},
    {"realloc_enomem", "realloc to a huge size fails with ENOMEM and keeps the block",
     [] {
       char* p = static_cast<char*>(std::malloc(32));
       std::memset(p, 7, 32);
       errno = 0;
       void* q = launder(std::realloc(p, launder(&kHuge)[0]));
       std::string r = enomem(q, "realloc");
       if (r.empty() && p[31] != 7) r = "realloc failure changed the block";
       std::free(p);
       return r;
     }},
    {"reallocarray_overflow", "reallocarray(NULL, SIZE_MAX/2, 4) fails with ENOMEM",
     [] {
       errno = 0;
       return enomem(launder(::reallocarray(nullptr, SIZE_MAX / 2, 4)), "reallocarray");
     }},
    {"reallocarray_works", "reallocarray grows a block and keeps it",
     [] {
       int* p = static_cast<int*>(::reallocarray(nullptr, 10, sizeof(int)));
       if (!p) return std::string("reallocarray(NULL, 10, 4) returned NULL");
       for (int i = 0; i < 10; ++i) p[i] = i;
       p = static_cast<int*>(::reallocarray(p, 1000, sizeof(int)));
       if (!p) return std::string("reallocarray grow returned NULL");
       for (int i = 0; i < 10; ++i)
         if (p[i] != i) return std::string("reallocarray lost content");
       return check_block(p, 4000, 16, "reallocarray");
     }},
    {"posix_memalign_einval", "posix_memalign with alignment 3 or 0 returns EINVAL",
     [] {
       void* p = nullptr;
       int rc = ::posix_memalign(&p, 3, 16);
       if (rc != EINVAL) return "posix_memalign(alignment 3) returned " + std::to_string(rc) + ", expected EINVAL";
       rc = ::posix_memalign(&p, 0, 16);
       if (rc != EINVAL) return "posix_memalign(alignment 0) returned " + std::to_string(rc) + ", expected EINVAL";
       return std::string();
     }},
    {"posix_memalign_enomem", "posix_memalign of a huge size returns ENOMEM",
     [] {
       void* p = nullptr;
       int rc = ::posix_memalign(&p, 64, launder(&kHuge)[0]);
       return rc == ENOMEM ? std::string()
                           : "posix_memalign(huge) returned " + std::to_string(rc) + ", expected ENOMEM";
     }},
    {"posix_memalign_align", "posix_memalign(4096, 100) is aligned, usable and freeable",
     [] {
       void* p = nullptr;
       int rc = ::posix_memalign(&p, 4096, 100);
       return rc ? "returned " + std::to_string(rc) : check_block(p, 100, 4096, "posix_memalign");
     }},
    {"aligned_alloc_align", "aligned_alloc(256, 512) is aligned, usable and freeable",
     [] { return check_block(::aligned_alloc(256, 512), 512, 256, "aligned_alloc"); }},
    {"memalign_align", "memalign(4096, 100) is aligned, usable and freeable",
     [] { return check_block(::memalign(4096, 100), 100, 4096, "memalign"); }},
    {"valloc_align", "valloc(100) is page-aligned, usable and freeable",
     [] { return check_block(::valloc(100), 100, kPage, "valloc"); }},
    {"pvalloc_align", "pvalloc(100) is page-aligned, a whole page usable, freeable",
     [] { return check_block(::pvalloc(100), kPage, kPage, "pvalloc"); }},
    {"calloc_zero", "calloc(1000, 8) returns zeros",
     [] {
       auto* p = static_cast<unsigned char*>(std::calloc(1000, 8));
       if (!p) return std::string("calloc returned NULL");
       for (size_t i = 0; i < 8000; ++i)
         if (p[i]) return "calloc byte " + std::to_string(i) + " not zero";
       return check_block(p, 8000, 16, "calloc");
     }},
    {"realloc_null", "realloc(NULL, n) allocates",
     [] { return check_block(std::realloc(nullptr, 100), 100, 16, "realloc(NULL)"); }},
    {"usable_size_null", "malloc_usable_size(NULL) is 0",
     [] {
       size_t u = malloc_usable_size(nullptr);
       return u == 0 ? std::string() : "malloc_usable_size(NULL) = " + std::to_string(u);
     }},
    {"free_null", "free(NULL) does nothing",
     [] {
       std::free(launder(static_cast<void*>(nullptr)));
       return std::string();
     }},
    {"malloc_zero", "malloc(0) returns a freeable pointer or NULL",
     [] {
       void* p = std::malloc(0);
       std::free(p);
       return std::string();
     }},
};

// Runs fn in a forked child (the check may crash when entry points are mixed).
std::string run_isolated(std::string (*fn)(), bool* crashed) {
  int fds[2];
  if (::pipe(fds) != 0) return "pipe failed";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    ::alarm(10);
    std::string r = fn();
    ssize_t ignored = ::write(fds[1], r.data(), r.size());
    (void)ignored;
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string out;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int st = 0;
  ::waitpid(pid, &st, 0);
  *crashed = !WIFEXITED(st);
  if (WIFSIGNALED(st))
    return std::string("crashed with signal ") + std::to_string(WTERMSIG(st)) + " (" + strsignal(WTERMSIG(st)) + ")";
  return out;
}

int api_report() {
  void* libc = ::dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
  std::string j = "{\"symbols\":{";
  bool first = true;
  std::string malloc_obj;
  for (const char* name : kEntryPoints) {
    void* sym = ::dlsym(RTLD_DEFAULT, name);
    void* in_libc = libc ? ::dlsym(libc, name) : nullptr;
    std::string obj = object_of(sym);
    if (std::string(name) == "malloc") malloc_obj = obj;
    bool interposed = sym && sym != in_libc;
    j += std::string(first ? "" : ",") + "\"" + name + "\":{\"object\":\"" + allocscope::json_escape(obj) +
         "\",\"interposed\":" + (interposed ? "true" : "false") + "}";
    first = false;
  }
  j += "},\"checks\":[";
  first = true;
  for (const Check& c : kChecks) {
    bool crashed = false;
    std::string r = run_isolated(c.fn, &crashed);
    j += std::string(first ? "" : ",") + "{\"name\":\"" + c.name + "\",\"doc\":\"" + allocscope::json_escape(c.doc) +
         "\",\"ok\":" + (r.empty() ? "true" : "false") + ",\"crashed\":" + (crashed ? "true" : "false") +
         ",\"detail\":\"" + allocscope::json_escape(r) + "\"}";
    first = false;
  }
  j += "]}";
  allocscope::write_result_record(j);
  return 0;
}

int matrix_list() {
  std::string text;
  for (size_t i = 0; i < allocscope::misuse::kMatrixCaseCount; ++i) {
    const auto& c = allocscope::misuse::kMatrixCases[i];
    text += std::string(c.name) + "\t" + c.group + "\t" + c.doc + "\n";
  }
  allocscope::write_result_record(text);
  return 0;
}

int matrix_case(const char* name, const char* size_name) {
  for (const auto& size : allocscope::misuse::kMatrixSizes) {
    if (std::strcmp(size.name, size_name) != 0) continue;
    for (size_t i = 0; i < allocscope::misuse::kMatrixCaseCount; ++i)
      if (std::strcmp(allocscope::misuse::kMatrixCases[i].name, name) == 0)
        return allocscope::misuse::kMatrixCases[i].run(size.bytes);
  }
  std::fprintf(stderr, "allocscope-probe: unknown matrix case '%s' or size '%s'\n", name, size_name);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  struct rlimit no_core {
    0, 0
  };
  ::setrlimit(RLIMIT_CORE, &no_core);
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "list") {
    std::string text;
    for (const Probe& p : kProbes) text += std::string(p.name) + "\t" + p.doc + "\n";
    allocscope::write_result_record(text);
    return 0;
  }
  if (mode == "api" && argc == 2) return api_report();
  if (mode == "matrix-list") return matrix_list();
  if (mode == "matrix" && argc == 4) return matrix_case(argv[2], argv[3]);
  if (mode == "misuse" && argc == 3)
    for (const Probe& p : kProbes)
      if (std::strcmp(p.name, argv[2]) == 0) return p.fn();
  std::fprintf(stderr,
               "usage: allocscope-probe list | misuse NAME | api | matrix-list | matrix CASE SIZE   (started by "
               "allocscope probe)\n");
  return 2;
}
