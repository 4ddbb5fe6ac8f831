// Matrix cases: C++ allocation and release that do not match (see matrix.hpp).
#pragma once

#include <cstddef>

namespace allocscope::misuse {

int new_array_delete(size_t size);  // new T[n], then delete (not delete[])
int new_delete_array(size_t size);  // new T, then delete[]
int new_array_free(size_t size);    // new T[n], then free()
int malloc_delete(size_t size);     // malloc, then delete

}  // namespace allocscope::misuse
