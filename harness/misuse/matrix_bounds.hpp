// Matrix cases: overflow and underflow, and use of a zero-size block (see matrix.hpp).
#pragma once

#include <cstddef>

namespace allocscope::misuse {

// Writes `by` bytes just past the end (or just before the start) of a block
// of `size`, plainly or through memcpy, then frees it.
int overflow(size_t size, size_t by, bool with_memcpy);
int underflow(size_t size, size_t by, bool with_memcpy);
// malloc(0), then `size` bytes read from it or written to it, then free.
int zero_size_read(size_t size);
int zero_size_write(size_t size);

}  // namespace allocscope::misuse
