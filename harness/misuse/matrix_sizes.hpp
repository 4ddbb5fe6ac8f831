// Matrix cases: impossible sizes (see matrix.hpp). A clean refusal (NULL,
// errno ENOMEM) is the catch; a pointer is not.
#pragma once

#include <cstddef>

namespace allocscope::misuse {

int malloc_size_max(size_t size);
int malloc_negative(size_t size);
int calloc_overflow(size_t size);
int realloc_size_max(size_t size);

}  // namespace allocscope::misuse
