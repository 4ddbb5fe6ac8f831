// A profiler's switch around the timed window. When the environment variable
// ALLOCSCOPE_WINDOW_CONTROL=CTL,ACK names two FIFOs (the pair `perf record
// --control fifo:CTL,ACK` listens on), "enable" is sent and acknowledged just
// before the window's clock starts and "disable" just after it stops, so a
// profiler started disabled (`perf record -D -1`) samples the timed window
// alone: not the preparation, not the teardown. Without the variable nothing
// is sent. scripts/allocator-share uses it.
#pragma once

namespace allocscope {

class WindowControl {
 public:
  // The process's control: opens the FIFOs on the first call. Throws
  // std::runtime_error when the variable is set but unusable (call it before
  // the window, where an error can still be reported).
  static WindowControl& get();

  // Sends "enable" or "disable" and waits for the acknowledgement. Does not
  // allocate. An error (the profiler went away) is printed once and the
  // window goes on.
  void enable() noexcept;
  void disable() noexcept;

 private:
  WindowControl();
  void send(const char* line, unsigned len) noexcept;
  int ctl_ = -1;
  int ack_ = -1;
  bool failed_ = false;
};

}  // namespace allocscope
