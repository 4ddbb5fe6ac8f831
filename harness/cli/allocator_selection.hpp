// Resolving allocator names given on the command line or in a config file.
#pragma once

#include <string>
#include <vector>

#include "allocator/adapters/adapter.hpp"

namespace allocscope {

// Built-in allocators plus user-defined ones ("NAME=/path/lib.so"); throws
// InputError for a malformed entry or a library that does not exist.
std::vector<Adapter> available_allocators(const std::vector<std::string>& user_libs);

// The names in "a,b,c"; "all" or "" = none named (every available one).
std::vector<std::string> parse_allocator_list(const std::string& csv);

// The allocators with these names, in this order (none = every available
// one): the only lookup by name on this side of the worker pipe. Throws
// InputError listing the valid names for an unknown one.
std::vector<const Adapter*> select_allocators(const std::vector<Adapter>& all, const std::vector<std::string>& names);
// The same for a --allocators value, parsed here once.
inline std::vector<const Adapter*> select_allocators(const std::vector<Adapter>& all, const std::string& csv) {
  return select_allocators(all, parse_allocator_list(csv));
}

}  // namespace allocscope
