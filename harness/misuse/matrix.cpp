// The table of matrix cases and sizes.
#include "harness/misuse/matrix.hpp"

#include "harness/misuse/matrix_bounds.hpp"
#include "harness/misuse/matrix_cxx.hpp"
#include "harness/misuse/matrix_free.hpp"
#include "harness/misuse/matrix_reuse.hpp"
#include "harness/misuse/matrix_sizes.hpp"

namespace allocscope::misuse {

const MatrixSize kMatrixSizes[3] = {{"small", 64}, {"page", 4096}, {"large", 1 << 20}};

const MatrixCase kMatrixCases[] = {
    {"double_free", "double free", "free(p) twice in a row", double_free},
    {"double_free_delayed", "double free", "free(p), other frees and mallocs, free(p)", double_free_delayed},
    {"double_free_interleaved", "double free", "free(p), free(q), free(p)", double_free_interleaved},
    {"double_free_after_reuse", "double free", "free(p), q = malloc (gets p back), free(p), free(q)",
     double_free_after_reuse},
    {"free_interior", "invalid free", "free(p + 16)", free_interior},
    {"free_stack", "invalid free", "free of a stack address", free_stack},
    {"free_unaligned", "invalid free", "free(p + 1)", free_unaligned},
    {"free_never_allocated", "invalid free", "free of a heap-looking address malloc never returned",
     free_never_allocated},
    {"overflow_1", "overflow", "1 byte written past the end, then free",
     [](size_t s) { return overflow(s, 1, false); }},
    {"overflow_32", "overflow", "32 bytes written past the end, then free",
     [](size_t s) { return overflow(s, 32, false); }},
    {"overflow_page", "overflow", "4096 bytes written past the end, then free",
     [](size_t s) { return overflow(s, 4096, false); }},
    {"overflow_1_memcpy", "overflow", "memcpy 1 byte past the end, then free",
     [](size_t s) { return overflow(s, 1, true); }},
    {"overflow_32_memcpy", "overflow", "memcpy 32 bytes past the end, then free",
     [](size_t s) { return overflow(s, 32, true); }},
    {"overflow_page_memcpy", "overflow", "memcpy 4096 bytes past the end, then free",
     [](size_t s) { return overflow(s, 4096, true); }},
    {"underflow_1", "underflow", "1 byte written before the start, then free",
     [](size_t s) { return underflow(s, 1, false); }},
    {"underflow_32", "underflow", "32 bytes written before the start, then free",
     [](size_t s) { return underflow(s, 32, false); }},
    {"underflow_page", "underflow", "4096 bytes written before the start, then free",
     [](size_t s) { return underflow(s, 4096, false); }},
    {"underflow_1_memcpy", "underflow", "memcpy 1 byte before the start, then free",
     [](size_t s) { return underflow(s, 1, true); }},
    {"underflow_32_memcpy", "underflow", "memcpy 32 bytes before the start, then free",
     [](size_t s) { return underflow(s, 32, true); }},
    {"underflow_page_memcpy", "underflow", "memcpy 4096 bytes before the start, then free",
     [](size_t s) { return underflow(s, 4096, true); }},
    {"write_after_free", "use after free", "free(p), the whole block written, malloc of the same size",
     write_after_free},
    {"stale_pointer_use", "use after free", "free(p), q = malloc (gets p back), q written through p",
     stale_pointer_use},
    {"zero_size_read", "zero-size block", "malloc(0), then SIZE bytes read from it", zero_size_read},
    {"zero_size_write", "zero-size block", "malloc(0), then SIZE bytes written to it, then free", zero_size_write},
    {"malloc_size_max", "impossible size", "malloc(SIZE_MAX)", malloc_size_max},
    {"malloc_negative", "impossible size", "malloc(end - start) with the two swapped: -SIZE", malloc_negative},
    {"calloc_overflow", "impossible size", "calloc(SIZE_MAX/SIZE + 2, SIZE): the product wraps", calloc_overflow},
    {"realloc_size_max", "impossible size", "realloc(p, SIZE_MAX)", realloc_size_max},
    {"new_array_delete", "new/delete mismatch", "new T[n], then delete", new_array_delete},
    {"new_delete_array", "new/delete mismatch", "new T, then delete[]", new_delete_array},
    {"new_array_free", "new/delete mismatch", "new T[n], then free", new_array_free},
    {"malloc_delete", "new/delete mismatch", "malloc, then delete", malloc_delete},
};

const size_t kMatrixCaseCount = sizeof kMatrixCases / sizeof kMatrixCases[0];

}  // namespace allocscope::misuse
