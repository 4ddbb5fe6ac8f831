// libFuzzer target: the trace reader must reject any input with an InputError
// naming the input and the byte offset ("fuzz: offset N: reason", N within
// the input) or accept it; never crash, hang or throw anything else. An
// accepted trace is summarised and must survive a write and read
// (round_trip.hpp).
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/input_error.hpp"
#include "trace/format/trace_io.hpp"
#include "trace/fuzz/round_trip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  allocscope::trace::Trace t;
  try {
    t = allocscope::trace::read_trace_buffer(data, size, "fuzz");
  } catch (const allocscope::InputError& e) {
    const std::string msg = e.what(), prefix = "fuzz: offset ";
    if (!allocscope::fuzz::starts_with(msg, prefix)) allocscope::fuzz::broken("an error without an offset");
    size_t end = 0;
    if (std::stoull(msg.substr(prefix.size()), &end) > size || msg.compare(prefix.size() + end, 2, ": ") != 0)
      allocscope::fuzz::broken("an error whose offset is not in the input");
    return 0;
  }
  const allocscope::trace::Summary s = allocscope::trace::summarize(t);
  if (s.events != t.events.size()) allocscope::fuzz::broken("the summary counts other events");
  allocscope::fuzz::check_round_trip(t);
  return 0;
}
