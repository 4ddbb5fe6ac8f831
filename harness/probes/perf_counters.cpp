#include "harness/probes/perf_counters.hpp"

#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace allocscope {

const std::vector<PerfCounterDef>& perf_counter_defs() {
  constexpr uint64_t dtlb_read_miss =
      PERF_COUNT_HW_CACHE_DTLB | (PERF_COUNT_HW_CACHE_OP_READ << 8) | (PERF_COUNT_HW_CACHE_RESULT_MISS << 16);
  static const std::vector<PerfCounterDef> defs{
      {"hw_cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES},
      {"hw_instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS},
      {"hw_cache_misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES},
      {"hw_dtlb_load_misses", PERF_TYPE_HW_CACHE, dtlb_read_miss},
      {"task_clock_ns", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK},
      {"context_switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES},
      {"page_faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS},
  };
  return defs;
}

namespace {

std::string open_error(const PerfCounterDef& d, int e) {
  std::string why = std::string("perf_event_open: ") + std::strerror(e);
  if (d.type != PERF_TYPE_SOFTWARE && (e == ENOENT || e == EOPNOTSUPP || e == ENODEV))
    why += " (no hardware performance counters on this machine, e.g. a VM without a virtual PMU)";
  else if (e == EACCES || e == EPERM)
    why += " (kernel.perf_event_paranoid forbids it; run as root or lower it)";
  return why;
}

}  // namespace

void PerfCounters::attach(pid_t pid) {
  for (const auto& d : perf_counter_defs()) {
    perf_event_attr attr{};
    attr.type = d.type;
    attr.size = sizeof attr;
    attr.config = d.config;
    attr.disabled = 1;
    attr.inherit = 1;
    attr.enable_on_exec = 1;
    attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    int fd = static_cast<int>(::syscall(SYS_perf_event_open, &attr, pid, -1, -1, PERF_FLAG_FD_CLOEXEC));
    open_.push_back({d.metric, fd, fd < 0 ? open_error(d, errno) : std::string()});
  }
}

std::vector<PerfReading> PerfCounters::read() const {
  std::vector<PerfReading> out;
  for (const auto& o : open_) {
    PerfReading r;
    r.metric = o.metric;
    r.why = o.why;
    uint64_t v[3] = {0, 0, 0};  // value, time enabled, time running
    if (o.fd >= 0 && ::read(o.fd, v, sizeof v) == static_cast<ssize_t>(sizeof v)) {
      r.available = v[2] > 0 || v[1] == 0;  // enabled but never on the PMU: no figure
      if (!r.available) r.why = "the counter never got onto the PMU (all counters busy)";
      r.value = v[2] > 0 && v[2] < v[1] ? static_cast<uint64_t>(static_cast<double>(v[0]) * v[1] / v[2]) : v[0];
    } else if (o.fd >= 0) {
      r.why = std::string("read: ") + std::strerror(errno);
    }
    out.push_back(std::move(r));
  }
  return out;
}

PerfCounters::~PerfCounters() {
  for (const auto& o : open_)
    if (o.fd >= 0) ::close(o.fd);
}

}  // namespace allocscope
