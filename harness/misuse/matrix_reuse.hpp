// Matrix cases: use of freed memory (see matrix.hpp).
#pragma once

#include <cstddef>

namespace allocscope::misuse {

// free, then the whole block written, then malloc of the same size.
int write_after_free(size_t size);
// free, malloc of the same size (the block comes back), then the new block
// written through the old pointer.
int stale_pointer_use(size_t size);

}  // namespace allocscope::misuse
