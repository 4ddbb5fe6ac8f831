#include "harness/results/status.hpp"

#include <array>
#include <utility>

namespace allocscope {

namespace {
constexpr std::array<std::pair<Status, const char*>, 6> kWords{{{Status::Ok, "ok"},
                                                                {Status::Crashed, "crashed"},
                                                                {Status::Timeout, "timeout"},
                                                                {Status::Oom, "oom"},
                                                                {Status::Failed, "failed"},
                                                                {Status::Interrupted, "interrupted"}}};
}  // namespace

const char* to_string(Status s) {
  for (const auto& [status, word] : kWords)
    if (status == s) return word;
  return "failed";
}

std::optional<Status> parse_status(std::string_view word) {
  for (const auto& [status, word_of] : kWords)
    if (word == word_of) return status;
  return std::nullopt;
}

}  // namespace allocscope
