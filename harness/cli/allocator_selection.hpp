// Resolving allocator names given on the command line or in a config file.
#pragma once

#include <string>
#include <vector>

#include "adapter.hpp"

namespace allocscope {

// Built-in allocators plus user-defined ones ("NAME=/path/lib.so"); throws
// InputError for a malformed entry or a library that does not exist.
std::vector<Adapter> available_allocators(const std::vector<std::string>& user_libs);

// Picks the allocators named in `csv` ("all" or empty = every available one);
// throws InputError listing the valid names for an unknown one.
std::vector<const Adapter*> select_allocators(const std::vector<Adapter>& all, const std::string& csv);

}  // namespace allocscope
