#include "harness/cli/run_config.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "common/input_error.hpp"
#include "harness/cli/option_error.hpp"
#include "harness/runner/plan.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace allocscope {

void load_run_config(const std::string& path, const po::options_description& desc, po::variables_map& vm) {
  std::ifstream in(path);
  std::error_code ec;
  if (!in || fs::is_directory(path, ec)) throw InputError(fmt::format("--config {}: cannot read the file", path));
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    const std::string where = fmt::format("{}:{}", path, lineno);
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    auto trim = [](std::string t) {
      t.erase(0, t.find_first_not_of(" \t\r"));
      t.erase(t.find_last_not_of(" \t\r") + 1);
      return t;
    };
    line = trim(line);
    if (line.empty()) continue;
    auto eq = line.find('=');
    std::string name = eq == std::string::npos ? "" : trim(line.substr(0, eq));
    // An empty name would match every option without a short name, and
    // Boost would throw its own "ambiguous option" error.
    if (name.empty()) throw InputError(fmt::format("{}: expected 'option = value', got '{}'", where, line));
    std::string value = trim(line.substr(eq + 1));
    const po::option_description* od = desc.find_nothrow(name, false);
    if (!od || name == "help" || name == "config")
      throw InputError(fmt::format("{}: unknown option '{}' (expected a long option of 'allocscope run', e.g. threads)",
                                   where, name));
    if (name == "threads") parse_int_list(value, where + ": threads");  // names the line
    std::vector<std::string> tokens{"--" + name};
    if (od->semantic()->max_tokens() == 0) {
      if (value == "false" || value == "0" || value == "no") continue;
      if (value != "true" && value != "1" && value != "yes")
        throw InputError(fmt::format("{}: option '{}' expects true or false, got '{}'", where, name, value));
    } else {
      tokens.push_back(value);
    }
    try {
      po::store(po::command_line_parser(tokens).options(desc).run(), vm);
    } catch (const po::error& e) {
      throw InputError(fmt::format("{}: {}", where, option_error_text(e)));
    }
  }
}

}  // namespace allocscope
