// Matrix cases: double free and invalid free (see matrix.hpp).
#pragma once

#include <cstddef>

namespace allocscope::misuse {

int double_free(size_t size);
int double_free_delayed(size_t size);
int double_free_interleaved(size_t size);
int double_free_after_reuse(size_t size);
int free_interior(size_t size);
int free_unaligned(size_t size);
int free_stack(size_t size);
int free_never_allocated(size_t size);

}  // namespace allocscope::misuse
