// How a job ended. Written as a lower-case word in results files and the
// journal ("ok", "crashed", ...); compared as this enum everywhere else.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace allocscope {

enum class Status {
  Ok,           // exited 0 and (for the worker) sent a valid result record
  Crashed,      // killed by a signal
  Timeout,      // the wall-clock limit was reached
  Oom,          // out of memory (cgroup OOM kill, bad_alloc or allocation failure)
  Failed,       // exited non-zero, or its output was unusable
  Interrupted,  // stopped by SIGINT/SIGTERM: not a result, rerun on resume
};

const char* to_string(Status s);
// The status named by `word`; nullopt for an unknown word.
std::optional<Status> parse_status(std::string_view word);

}  // namespace allocscope
