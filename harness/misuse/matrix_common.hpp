// Steps shared by the matrix cases.
#pragma once

#include <cstddef>
#include <string>

namespace allocscope::misuse {

// The "after" stage: ordinary allocations of `size` and of mixed sizes,
// written and freed, where a damaged heap shows itself. Returns "" or what
// went visibly wrong (the same block handed out twice).
std::string ordinary_allocations(size_t size);

// Ends a case that ran through: "after" stage, then verdict unnoticed.
int finish_unnoticed(size_t size, const std::string& what);

}  // namespace allocscope::misuse
