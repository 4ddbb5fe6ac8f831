// Typed workload parameters: declared by a workload, parsed from "k=v" pairs,
// validated against their declaration, and read back typed.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace allocscope {

enum class ParamType { Int, Double, String, Bool, Size };

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::Int;
  std::string def;  // default value, as text
  std::string doc;
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  std::vector<std::string> choices;  // for String: allowed values (empty = any)
};

// Thrown for a bad name or value; the message names the parameter and what was
// expected. The CLI turns it into exit status 2.
class ParamError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Params {
 public:
  Params() = default;
  // Builds the full set: every declared parameter, defaults filled in, the
  // given values validated. Throws ParamError.
  static Params resolve(const std::string& workload, const std::vector<ParamSpec>& specs,
                        const std::map<std::string, std::string>& given);

  int64_t i(const std::string& name) const;
  uint64_t u(const std::string& name) const { return static_cast<uint64_t>(i(name)); }
  double d(const std::string& name) const;
  bool b(const std::string& name) const;
  const std::string& s(const std::string& name) const;
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

// Parses sizes such as "4096", "64K", "1M", "2G" (binary units). Returns false
// when the text is not a size.
bool parse_size(const std::string& text, uint64_t* out);
std::string type_name(ParamType t);

}  // namespace allocscope

namespace allocscope {
// Shared check for workloads with "min" and "max" size parameters.
void validate_min_max(const Params& p);
}  // namespace allocscope
