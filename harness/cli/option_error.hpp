// The text of a command-line or config option error, safe for any input.
#pragma once

#include <boost/program_options/errors.hpp>
#include <string>

namespace allocscope {

// e.what(), once the user's text it quotes is defanged: Boost 1.74 fills
// the message by replacing each placeholder of its template (%value%,
// %original_token%, ...) until none is left, so a value holding its own
// placeholder ("--reps %value%") made what() loop forever. A '%' in such
// text is shown as U+FF05 FULLWIDTH PERCENT SIGN.
std::string option_error_text(const boost::program_options::error& e);

}  // namespace allocscope
