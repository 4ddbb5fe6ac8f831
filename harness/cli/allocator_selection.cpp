#include "harness/cli/allocator_selection.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <sstream>

#include "common/input_error.hpp"

namespace allocscope {

std::vector<Adapter> available_allocators(const std::vector<std::string>& user_libs) {
  std::vector<Adapter> all = builtin_adapters();
  for (const auto& spec : user_libs) {
    auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      throw InputError(fmt::format("--allocator-lib '{}': expected NAME=/path/to/lib.so", spec));
    std::string name = spec.substr(0, eq), path = spec.substr(eq + 1);
    if (::access(path.c_str(), R_OK) != 0)
      throw InputError(fmt::format("--allocator-lib {}: cannot read {}", name, path));
    for (const auto& a : all)
      if (a.name == name) throw InputError(fmt::format("--allocator-lib: the name '{}' is already taken", name));
    all.push_back(user_adapter(name, path));
  }
  return all;
}

std::vector<std::string> parse_allocator_list(const std::string& csv) {
  std::vector<std::string> names;
  if (csv.empty() || csv == "all") return names;
  std::stringstream ss(csv);
  for (std::string name; std::getline(ss, name, ',');) names.push_back(name);
  return names;
}

std::vector<const Adapter*> select_allocators(const std::vector<Adapter>& all, const std::vector<std::string>& names) {
  std::vector<const Adapter*> out;
  if (names.empty()) {
    for (const auto& a : all) out.push_back(&a);
    return out;
  }
  for (const auto& name : names) {
    const Adapter* found = nullptr;
    for (const auto& a : all)
      if (a.name == name) found = &a;
    if (!found) {
      std::vector<std::string> valid;
      for (const auto& a : all) valid.push_back(a.name);
      throw InputError(fmt::format("unknown allocator '{}'; valid allocators: {}", name, fmt::join(valid, ", ")));
    }
    out.push_back(found);
  }
  return out;
}

}  // namespace allocscope
