#include "harness/cli/option_error.hpp"

#include <map>

namespace po = boost::program_options;

namespace allocscope {

namespace {

// error_with_option_name keeps the quoted texts in a protected map, reached
// through a member pointer named in a derived class.
struct Substitutions : po::error_with_option_name {
  static std::map<std::string, std::string>& of(po::error_with_option_name& e) {
    return e.*(&Substitutions::m_substitutions);
  }
};

}  // namespace

std::string option_error_text(const po::error& e) {
  // Handlers see the exception through a const reference; the object thrown
  // is not const.
  if (auto* named = dynamic_cast<po::error_with_option_name*>(const_cast<po::error*>(&e))) {
    for (auto& [name, text] : Substitutions::of(*named)) {
      std::string safe;
      for (char c : text) safe += c == '%' ? std::string("\xef\xbc\x85") : std::string(1, c);
      text = safe;
    }
  }
  return e.what();
}

}  // namespace allocscope
