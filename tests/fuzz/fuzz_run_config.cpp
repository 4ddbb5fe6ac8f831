// Fuzzes the config file of `allocscope run --config FILE`. Any input must be
// read or rejected with an InputError whose message starts with "FILE:LINE: "
// (LINE a line of the input); nothing else may escape. A file that is read
// gives the same options whether or not the command line set other ones
// first, and a value given on the command line wins over the file's.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/input_error.hpp"
#include "harness/cli/run_config.hpp"
#include "harness/cli/run_setup.hpp"
#include "tests/fuzz/fuzz_file.hpp"

namespace po = boost::program_options;
using allocscope::fuzz::broken;

namespace {

// A stored option value as text, for the types `allocscope run` options use.
std::string text_of(const po::variable_value& v) {
  const boost::any& a = v.value();
  if (const auto* s = boost::any_cast<std::string>(&a)) return "s:" + *s;
  if (const auto* i = boost::any_cast<int>(&a)) return "i:" + std::to_string(*i);
  if (const auto* u = boost::any_cast<uint64_t>(&a)) return "u:" + std::to_string(*u);
  if (const auto* d = boost::any_cast<double>(&a)) return "d:" + std::to_string(*d);
  if (const auto* b = boost::any_cast<bool>(&a)) return *b ? "b:1" : "b:0";
  if (const auto* l = boost::any_cast<std::vector<std::string>>(&a)) {
    std::string out = "l:";
    for (const auto& s : *l) out += s + '\x1f';
    return out;
  }
  broken("an option of a type this target does not know");
}

size_t lines_of(const uint8_t* data, size_t size) {
  size_t n = 1;
  for (size_t i = 0; i < size; ++i)
    if (data[i] == '\n') ++n;
  return n;
}

const po::options_description& run_options() {
  static const po::options_description desc = allocscope::run_options();
  return desc;
}

// As `allocscope run ARGS --config FILE` does: the command line, then the
// file. False when the file was rejected (the message checked).
bool load(const std::vector<std::string>& args, const allocscope::fuzz::MemFile& file, size_t lines,
          po::variables_map& vm) {
  const po::options_description& desc = run_options();
  po::store(po::command_line_parser(args).options(desc).run(), vm);
  try {
    allocscope::load_run_config(file.path(), desc, vm);
    po::notify(vm);
    return true;
  } catch (const allocscope::InputError& e) {
    const std::string msg = e.what(), prefix = file.path() + ":";
    if (!allocscope::fuzz::starts_with(msg, prefix)) broken("an error that does not name the file");
    if (msg.size() <= prefix.size() || msg[prefix.size()] < '1' || msg[prefix.size()] > '9')
      broken("an error that does not name a line of the file");
    size_t end = 0;
    const unsigned long line = std::stoul(msg.substr(prefix.size()), &end);
    if (line < 1 || line > lines || msg.compare(prefix.size() + end, 2, ": ") != 0)
      broken("an error that does not name a line of the file");
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return -1;
  const allocscope::fuzz::MemFile file(data, size);
  const size_t lines = lines_of(data, size);
  po::variables_map alone;
  if (!load({}, file, lines, alone)) return 0;
  // The same file after a command line that set --seed and --threads.
  po::variables_map after;
  if (!load({"--seed", "7", "--threads", "3"}, file, lines, after))
    broken("a file read alone is rejected after a command line");
  if (after["seed"].as<uint64_t>() != 7 || after["threads"].as<std::string>() != "3")
    broken("the file overrode a value of the command line");
  for (const auto& [name, value] : alone) {
    if (name == "seed" || name == "threads") continue;
    if (!after.count(name) || text_of(after[name]) != text_of(value))
      broken("the file gives other values after a command line");
  }
  for (const auto& [name, value] : after)
    if (name != "seed" && name != "threads" && !alone.count(name)) broken("an option from nowhere");
  return 0;
}
