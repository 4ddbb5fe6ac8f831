// oneTBB's scalable allocator (libtbbmalloc), preloaded through its proxy
// library libtbbmalloc_proxy, which routes malloc/free/new/delete to it. The
// library has no statistics interface; release asks it to clean every buffer
// it caches (scalable_allocation_command(TBBMALLOC_CLEAN_ALL_BUFFERS)).
#include <dlfcn.h>

#include "allocator/adapters/adapter.hpp"

namespace allocscope {
namespace {

// From oneTBB's scalable_allocator.h (not included: the adapters build
// without the oneTBB headers).
constexpr int kCleanAllBuffers = 0;  // TBBMALLOC_CLEAN_ALL_BUFFERS

void tbbmalloc_release() {
  using CommandFn = int (*)(int, void*);
  if (auto f = reinterpret_cast<CommandFn>(dlsym(RTLD_DEFAULT, "scalable_allocation_command")))
    f(kCleanAllBuffers, nullptr);
}

}  // namespace

ALLOCSCOPE_ADAPTER({.name = "tbbmalloc",
                    .doc = "oneTBB scalable allocator (libtbbmalloc via libtbbmalloc_proxy); stats: none (no "
                           "statistics interface); release: scalable_allocation_command(TBBMALLOC_CLEAN_ALL_BUFFERS)",
                    .release = tbbmalloc_release});

}  // namespace allocscope
