// The config file of `allocscope run --config FILE`: "option = value" lines
// (# comments), the long option names of `allocscope run`.
#pragma once

#include <boost/program_options.hpp>
#include <string>

namespace allocscope {

// Stores the options of the file at `path` into `vm`; values already in `vm`
// (given on the command line) win. Throws InputError naming the file and line
// ("PATH:LINE: ..."), or the file alone when it cannot be read.
void load_run_config(const std::string& path, const boost::program_options::options_description& desc,
                     boost::program_options::variables_map& vm);

}  // namespace allocscope
