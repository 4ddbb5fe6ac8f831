// The heap-misuse matrix: each case is one misuse of the heap, run at a
// small, a page-sized and a large block size in a process of its own under
// the allocator being tested. A case reports its progress on descriptor 3,
// so that allocscope can tell where the allocator stopped it:
//   "stage misuse"  the misuse is about to happen (ending with the first
//                   allocator call that touches the misused block)
//   "stage after"   the misuse is done; ordinary allocations follow
//   "verdict refused|unnoticed DETAIL"  the case ran to its end
// Dying in stage "misuse" is a catch at the misuse, in stage "after" a late
// catch; running to the end means the misuse was not caught ("refused" is a
// clean failure of an impossible request: a catch).
#pragma once

#include <cstddef>

namespace allocscope::misuse {

struct MatrixCase {
  const char* name;
  const char* group;  // double free, invalid free, overflow, ...
  const char* doc;
  int (*run)(size_t size);  // returns the exit status of the case
};

extern const MatrixCase kMatrixCases[];
extern const size_t kMatrixCaseCount;

// The three block sizes: small (64 B), page (4096 B), large (1 MiB: mmap'd
// by the ptmalloc family, a large class elsewhere).
struct MatrixSize {
  const char* name;
  size_t bytes;
};
extern const MatrixSize kMatrixSizes[3];

}  // namespace allocscope::misuse
