// File exports of a results document in other tools' formats: one Exporter
// per format, one file each (export_<format>.cpp), chosen by name from the
// table in export_formats.cpp. render() returns the files to write: name
// (relative to the --out path, "" = the path itself) -> content. Output
// depends only on the document, so it can be compared against golden files.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/results/run_record.hpp"

namespace allocscope {

using ExportFiles = std::map<std::string, std::string>;

struct ExportOptions {
  std::vector<std::string> metrics;  // for bmf and gab; empty = the compare defaults
};

class Exporter {
 public:
  virtual ~Exporter() = default;
  virtual ExportFiles render(const Results& doc, const ExportOptions& opt) const = 0;
};

struct ExportFormat {
  std::string name;  // the --format value
  std::string help;  // lines for `allocscope export --help`
  bool to_folder;    // --out names a folder (created) rather than a file
  std::unique_ptr<Exporter> (*make)();
};

// Every format, in the order --help lists them.
const std::vector<ExportFormat>& export_formats();
// The format called `name`; InputError listing the valid names otherwise.
const ExportFormat& export_format(const std::string& name);
// Renders `doc` and writes its files under `out`; returns the paths written.
std::vector<std::string> write_export(const ExportFormat& format, const Results& doc, const ExportOptions& opt,
                                      const std::string& out);

// The exporters (one file each).
std::unique_ptr<Exporter> make_gbench_exporter();
std::unique_ptr<Exporter> make_csv_exporter();
std::unique_ptr<Exporter> make_bmf_exporter();
std::unique_ptr<Exporter> make_gab_exporter();

}  // namespace allocscope
