// Matrix cases: impossible sizes.
#include "harness/misuse/matrix_sizes.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "harness/misuse/matrix_report.hpp"

namespace allocscope::misuse {

namespace {

const size_t kSizeMax = SIZE_MAX;

int judge(void* r, int err, const std::string& call) {
  if (r) return verdict("unnoticed", call + " returned a pointer, " + hex(r));
  if (err != ENOMEM)
    return verdict("refused", call + " returned NULL with errno " + std::to_string(err) + " (" + std::strerror(err) +
                                  "), not ENOMEM");
  return verdict("refused", call + " returned NULL with ENOMEM");
}

}  // namespace

int malloc_size_max(size_t size) {
  void* keep = opaque(std::malloc(size));  // a heap in use, as in a real program
  stage("misuse");
  errno = 0;
  void* r = opaque(std::malloc(*opaque(&kSizeMax)));
  int err = errno;
  std::free(keep);
  return judge(r, err, "malloc(SIZE_MAX)");
}

// A length computed as end - start with the two swapped: -size, seen by
// malloc as SIZE_MAX - size + 1.
int malloc_negative(size_t size) {
  char* keep = opaque(static_cast<char*>(std::malloc(size)));
  char* start = keep + size;
  char* end = keep;
  stage("misuse");
  errno = 0;
  void* r = opaque(std::malloc(static_cast<size_t>(opaque(end) - start)));
  int err = errno;
  std::free(keep);
  return judge(r, err, "malloc(-" + std::to_string(size) + ")");
}

// count * size wraps around to a small number.
int calloc_overflow(size_t size) {
  size_t count = SIZE_MAX / size + 2;
  stage("misuse");
  errno = 0;
  void* r = opaque(std::calloc(*opaque(&count), size));
  int err = errno;
  return judge(r, err, "calloc(SIZE_MAX/" + std::to_string(size) + "+2, " + std::to_string(size) + ")");
}

int realloc_size_max(size_t size) {
  char* p = opaque(static_cast<char*>(std::malloc(size)));
  std::memset(p, 7, size);
  stage("misuse");
  errno = 0;
  void* r = opaque(std::realloc(p, *opaque(&kSizeMax)));
  int err = errno;
  if (!r && p[size - 1] != 7) return verdict("unnoticed", "the failed realloc changed the block");
  if (!r) std::free(p);
  return judge(r, err, "realloc(p, SIZE_MAX)");
}

}  // namespace allocscope::misuse
