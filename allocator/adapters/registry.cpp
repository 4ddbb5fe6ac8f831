// The allocators found at configure time (cmake/Allocators.cmake turns each
// into ALLOCSCOPE_LIB_<NAME> / ALLOCSCOPE_VER_<NAME> definitions).
#include "allocator/adapters/adapter.hpp"

#ifndef ALLOCSCOPE_VER_JEMALLOC
#define ALLOCSCOPE_VER_JEMALLOC "unknown"
#endif
#ifndef ALLOCSCOPE_VER_TCMALLOC
#define ALLOCSCOPE_VER_TCMALLOC "unknown"
#endif
#ifndef ALLOCSCOPE_VER_MIMALLOC
#define ALLOCSCOPE_VER_MIMALLOC "unknown"
#endif

namespace allocscope {

const std::vector<Adapter>& builtin_adapters() {
  static const std::vector<Adapter> all = [] {
    std::vector<Adapter> v{glibc_adapter()};
#ifdef ALLOCSCOPE_LIB_BINMALLOC
    v.push_back(binmalloc_adapter(ALLOCSCOPE_LIB_BINMALLOC, ALLOCSCOPE_VER_BINMALLOC));
#endif
#ifdef ALLOCSCOPE_LIB_JEMALLOC
    v.push_back(jemalloc_adapter(ALLOCSCOPE_LIB_JEMALLOC, ALLOCSCOPE_VER_JEMALLOC));
#endif
#ifdef ALLOCSCOPE_LIB_TCMALLOC
    v.push_back(tcmalloc_adapter(ALLOCSCOPE_LIB_TCMALLOC, ALLOCSCOPE_VER_TCMALLOC));
#endif
#ifdef ALLOCSCOPE_LIB_MIMALLOC
    v.push_back(mimalloc_adapter(ALLOCSCOPE_LIB_MIMALLOC, ALLOCSCOPE_VER_MIMALLOC));
#endif
    return v;
  }();
  return all;
}

}  // namespace allocscope
