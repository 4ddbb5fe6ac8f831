#include "allocator/adapters/adapter.hpp"

namespace allocscope {

ALLOCSCOPE_ADAPTER({.name = "binmalloc",
                    .doc = "allocscope's own ptmalloc-style allocator; stats: mallinfo2; release: malloc_trim(0)",
                    // It switches to its memcheck-support path when it sees Valgrind.
                    .valgrind_env = {"BINMALLOC_VALGRIND=0"},
                    .read_stats = read_mallinfo2_stats,
                    .release = release_with_malloc_trim});

}  // namespace allocscope
