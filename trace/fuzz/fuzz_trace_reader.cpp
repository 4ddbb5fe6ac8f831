// libFuzzer target: the trace reader and the summary must reject any input
// with an InputError (offset + reason) or accept it; never crash or hang.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "trace/format/trace_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    allocscope::trace::Trace t = allocscope::trace::read_trace_buffer(data, size, "fuzz");
    (void)allocscope::trace::summarize(t);
  } catch (const std::runtime_error&) {
  }
  return 0;
}
