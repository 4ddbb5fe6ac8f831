// allocscope: compare memory allocators on Linux. Dispatches to a subcommand;
// bad input anywhere ends with a message and exit status 2, never a crash.
#include <boost/program_options/errors.hpp>
#include <cstdio>
#include <cstring>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/input_error.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/option_error.hpp"

namespace {

void usage(FILE* out) {
  std::fprintf(out,
               "usage: allocscope COMMAND [OPTIONS]\n\n"
               "allocscope compares memory allocators (glibc, binmalloc, jemalloc, tcmalloc,\n"
               "mimalloc, tbbmalloc, or your own .so) under classic, realistic and adversarial workloads,\n"
               "measuring throughput, latency, RSS, page faults and memory syscalls.\n\n"
               "commands:\n");
  for (const auto& c : allocscope::commands()) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  std::fprintf(out, "\n'allocscope COMMAND --help' explains each command.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return allocscope::kExitBadInput;
  }
  std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    usage(stdout);
    return 0;
  }
  if (name == "--version") {
    std::printf("allocscope %s\n", ALLOCSCOPE_VERSION);
    return 0;
  }
  for (const auto& c : allocscope::commands()) {
    if (name != c.name) continue;
    std::vector<std::string> args(argv + 2, argv + argc);
    try {
      return c.main(args);
    } catch (const allocscope::InputError& e) {
      std::fprintf(stderr, "allocscope %s: %s\n", c.name, e.what());
    } catch (const boost::program_options::error& e) {
      std::fprintf(stderr, "allocscope %s: %s (see 'allocscope %s --help')\n", c.name,
                   allocscope::option_error_text(e).c_str(), c.name);
    } catch (const nlohmann::json::exception& e) {
      std::fprintf(stderr, "allocscope %s: bad JSON input: %s\n", c.name, e.what());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "allocscope %s: error: %s\n", c.name, e.what());
      return 1;
    }
    return allocscope::kExitBadInput;
  }
  std::fprintf(stderr, "allocscope: unknown command '%s'; valid commands:", name.c_str());
  for (const auto& c : allocscope::commands()) std::fprintf(stderr, " %s", c.name);
  std::fprintf(stderr, "\n");
  return allocscope::kExitBadInput;
}
