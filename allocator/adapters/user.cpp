#include "allocator/adapters/adapter.hpp"

namespace allocscope {

Adapter user_adapter(const std::string& name, const std::string& path) {
  return {.name = name, .preload = path, .version = "user", .doc = "user-defined allocator " + path};
}

}  // namespace allocscope
