#include <fmt/format.h>

#include <filesystem>

#include "common/input_error.hpp"
#include "harness/report/exports.hpp"
#include "harness/results/results_io.hpp"

namespace allocscope {

const std::vector<ExportFormat>& export_formats() {
  static const std::vector<ExportFormat> formats{
      {"gbench",
       "Google Benchmark JSON, OUT/ALLOC.json per allocator, one iteration row per round\n"
       "(iterations = ops, real_time = window ns/op, cpu_time = process CPU ns/op,\n"
       "metrics as counters); compare two allocators with Google Benchmark's\n"
       "tools/compare.py benchmarks OUT/glibc.json OUT/jemalloc.json",
       true, make_gbench_exporter},
      {"csv", "one row per run and metric", false, make_csv_exporter},
      {"bmf", "Bencher Metric Format {bench: {metric: {value, lower_value, upper_value}}}", false, make_bmf_exporter},
      {"gab",
       "github-action-benchmark custom JSON: OUT/bigger-is-better.json and\n"
       "OUT/smaller-is-better.json",
       true, make_gab_exporter},
  };
  return formats;
}

const ExportFormat& export_format(const std::string& name) {
  std::string valid;
  for (const auto& f : export_formats()) {
    if (f.name == name) return f;
    valid += (valid.empty() ? "" : ", ") + f.name;
  }
  throw InputError(fmt::format("--format '{}': expected one of {}", name, valid));
}

std::vector<std::string> write_export(const ExportFormat& format, const Results& doc, const ExportOptions& opt,
                                      const std::string& out) {
  const ExportFiles files = format.make()->render(doc, opt);
  if (format.to_folder) {
    std::error_code ec;
    std::filesystem::create_directories(out, ec);
    if (ec) throw InputError(fmt::format("--out {}: cannot create the folder: {}", out, ec.message()));
  }
  std::vector<std::string> written;
  for (const auto& [name, text] : files) {
    std::string path = name.empty() ? out : out + "/" + name;
    write_file_atomic(path, text);
    written.push_back(path);
  }
  return written;
}

}  // namespace allocscope
