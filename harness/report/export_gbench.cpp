#include <fmt/format.h>

#include <cmath>

#include "harness/report/exports.hpp"
#include "harness/report/run_groups.hpp"
#include "harness/results/record_json.hpp"

namespace allocscope {

namespace {

// Google Benchmark JSON, one file per allocator (ALLOC.json), one
// "iteration" row per round: readable by Google Benchmark's tools/compare.py.
// iterations = ops of the timed window, real_time = window time per op (ns),
// cpu_time = process CPU time (user + system) per op; every numeric metric is
// also a counter field.
class GbenchExport : public Exporter {
 public:
  ExportFiles render(const Results& doc, const ExportOptions& opt) const override;
};

}  // namespace

ExportFiles GbenchExport::render(const Results& doc, const ExportOptions&) const {
  ExportFiles files;
  const json& ctx = doc.context;
  auto groups = group_by_job(doc);
  for (const auto& alloc : allocators_of(doc.runs)) {
    json out;
    json c;
    c["date"] = ctx.value("date", "");
    c["host_name"] = ctx.value("host", "");
    c["executable"] = "allocscope";
    c["num_cpus"] = ctx.value("cores", 0);
    c["mhz_per_cpu"] = 0;
    c["cpu_scaling_enabled"] = false;
    c["caches"] = json::array();
    c["load_avg"] = json::array();
    c["library_build_type"] = "release";
    c["allocator"] = alloc;
    if (ctx.contains("allocators") && ctx["allocators"].contains(alloc))
      c["allocator_version"] = ctx["allocators"][alloc].value("version", "");
    for (const char* k : {"cpu", "kernel", "glibc", "thp", "git_revision", "allocscope_version", "command_line"})
      if (ctx.contains(k)) c[std::string("allocscope_") + k] = ctx[k];
    out["context"] = c;
    json benchmarks = json::array();
    int family = 0;
    for (const auto& g : groups) {
      if (g.allocator != alloc) continue;
      int rep = 0;
      for (const RunRecord* r : g.runs) {
        const Metrics& m = r->metrics;
        double ops = m.number_or("ops", 0.0);
        double window = m.number("window_s").value_or(m.number_or("wall_s", 0.0));
        double cpu = m.number_or("cpu_user_s", 0.0) + m.number_or("cpu_sys_s", 0.0);
        double iters = ops > 0 ? ops : 1;
        json b;
        b["name"] = g.name;
        b["family_index"] = family;
        b["per_family_instance_index"] = 0;
        b["run_name"] = g.name;
        b["run_type"] = "iteration";
        b["repetitions"] = g.runs.size();
        b["repetition_index"] = rep++;
        b["threads"] = g.threads;
        b["iterations"] = static_cast<long long>(iters);
        b["real_time"] = window * 1e9 / iters;
        b["cpu_time"] = cpu * 1e9 / iters;
        b["time_unit"] = "ns";
        for (const auto& [k, v] : r->metrics.flat())
          if (!b.contains(k)) {
            if (v == std::floor(v) && std::fabs(v) < 9e15)
              b[k] = static_cast<long long>(v);
            else
              b[k] = v;
          }
        benchmarks.push_back(b);
      }
      ++family;
    }
    out["benchmarks"] = benchmarks;
    files[alloc + ".json"] = out.dump(2) + "\n";
  }
  return files;
}

std::unique_ptr<Exporter> make_gbench_exporter() {
  return std::make_unique<GbenchExport>();
}

}  // namespace allocscope
