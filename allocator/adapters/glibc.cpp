#include <gnu/libc-version.h>

#include "allocator/adapters/adapter.hpp"

namespace allocscope {

ALLOCSCOPE_ADAPTER({.name = "glibc",
                    .version = gnu_get_libc_version(),
                    .doc = "the system allocator (ptmalloc2 in glibc); stats: mallinfo2; release: malloc_trim(0)",
                    .read_stats = read_mallinfo2_stats,
                    .release = release_with_malloc_trim});

}  // namespace allocscope
