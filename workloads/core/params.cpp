#include "allocscope/params.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace allocscope {

std::string type_name(ParamType t) {
  switch (t) {
    case ParamType::Int:
      return "integer";
    case ParamType::Double:
      return "number";
    case ParamType::String:
      return "string";
    case ParamType::Bool:
      return "bool (0|1|true|false)";
    case ParamType::Size:
      return "size (bytes, K/M/G suffixes)";
  }
  return "?";
}

bool parse_size(const std::string& text, uint64_t* out) {
  if (text.empty() || text[0] == '-' || text[0] == '+') return false;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (end == text.c_str() || errno == ERANGE) return false;
  std::string suffix(end);
  unsigned shift = 0;
  if (suffix == "" || suffix == "B")
    shift = 0;
  else if (suffix == "K" || suffix == "k" || suffix == "KiB")
    shift = 10;
  else if (suffix == "M" || suffix == "m" || suffix == "MiB")
    shift = 20;
  else if (suffix == "G" || suffix == "g" || suffix == "GiB")
    shift = 30;
  else
    return false;
  if (shift && v > (~0ULL >> shift)) return false;
  *out = static_cast<uint64_t>(v) << shift;
  return true;
}

namespace {

// Checks one value against its spec; returns the canonical text or throws.
std::string validate(const std::string& workload, const ParamSpec& spec, const std::string& v) {
  auto bad = [&](const std::string& why) {
    return ParamError(fmt::format(
        "workload '{}': parameter '{}' = '{}': {} (expected {}{})", workload, spec.name, v, why, type_name(spec.type),
        std::isfinite(spec.min) || std::isfinite(spec.max) ? fmt::format(" in [{}, {}]", spec.min, spec.max)
                                                           : std::string()));
  };
  double num = 0;
  switch (spec.type) {
    case ParamType::Int: {
      errno = 0;
      char* end = nullptr;
      long long x = std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || errno == ERANGE) throw bad("not an integer");
      num = static_cast<double>(x);
      break;
    }
    case ParamType::Size: {
      uint64_t x = 0;
      if (!parse_size(v, &x)) throw bad("not a size");
      num = static_cast<double>(x);
      if (num < spec.min || num > spec.max) throw bad("out of range");
      return std::to_string(x);
    }
    case ParamType::Double: {
      errno = 0;
      char* end = nullptr;
      num = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(num)) throw bad("not a number");
      break;
    }
    case ParamType::Bool:
      if (v == "1" || v == "true" || v == "yes") return "1";
      if (v == "0" || v == "false" || v == "no") return "0";
      throw bad("not a bool");
    case ParamType::String:
      if (!spec.choices.empty()) {
        for (const auto& c : spec.choices)
          if (c == v) return v;
        throw ParamError(fmt::format("workload '{}': parameter '{}' = '{}': expected one of: {}", workload, spec.name,
                                     v, fmt::join(spec.choices, ", ")));
      }
      return v;
  }
  if (num < spec.min || num > spec.max) throw bad("out of range");
  return v;
}

}  // namespace

Params Params::resolve(const std::string& workload, const std::vector<ParamSpec>& specs,
                       const std::map<std::string, std::string>& given) {
  Params p;
  for (const auto& [k, v] : given) {
    bool known = false;
    for (const auto& s : specs) known = known || s.name == k;
    if (!known) {
      std::vector<std::string> names;
      for (const auto& s : specs) names.push_back(s.name);
      throw ParamError(fmt::format("workload '{}': unknown parameter '{}'; valid parameters: {}", workload, k,
                                   names.empty() ? std::string("(none)") : fmt::format("{}", fmt::join(names, ", "))));
    }
  }
  for (const auto& s : specs) {
    auto it = given.find(s.name);
    p.values_[s.name] = validate(workload, s, it == given.end() ? s.def : it->second);
  }
  return p;
}

const std::string& Params::s(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw ParamError(fmt::format("parameter '{}' is not declared", name));
  return it->second;
}
int64_t Params::i(const std::string& name) const {
  return std::strtoll(s(name).c_str(), nullptr, 10);
}
double Params::d(const std::string& name) const {
  return std::strtod(s(name).c_str(), nullptr);
}
bool Params::b(const std::string& name) const {
  return s(name) == "1";
}

}  // namespace allocscope

namespace allocscope {
void validate_min_max(const Params& p) {
  if (p.u("min") > p.u("max"))
    throw ParamError(fmt::format("parameter 'min' ({}) must not exceed 'max' ({})", p.u("min"), p.u("max")));
}
}  // namespace allocscope
