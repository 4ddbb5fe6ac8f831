/* The alignment malloc guarantees on this ABI: that of max_align_t.  */
#ifndef CONFORM_MALLOC_SIZE_H
#define CONFORM_MALLOC_SIZE_H
#include <stddef.h>
#define MALLOC_ALIGNMENT (_Alignof(max_align_t))
#define MALLOC_ALIGN_MASK (MALLOC_ALIGNMENT - 1)
#endif
