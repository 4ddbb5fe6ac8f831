// Exit codes shared by the worker and the launcher that interprets them.
#pragma once

namespace allocscope {

// A worker whose allocation failed (e.g. under the memory limit) exits with
// this code; the job's status becomes "oom".
constexpr int kOomExitCode = 86;

// Writes a short message and exits with kOomExitCode. Async-signal-safe, no
// allocation: usable from a new_handler and right after malloc returned NULL.
[[noreturn]] void out_of_memory();

}  // namespace allocscope
