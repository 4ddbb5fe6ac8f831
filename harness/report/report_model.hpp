// The content of `allocscope report`, independent of the output format:
// context, per-metric tables (each allocator against a reference allocator)
// and the chart files. MarkdownReport and HtmlReport render it; the chart
// data goes to scripts/plot_report.py as report-data.json.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "harness/results/record_json.hpp"

namespace allocscope {

struct ReportTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

struct ReportSection {
  std::string title, text;
  std::vector<ReportTable> tables;
  std::vector<std::pair<std::string, std::string>> images;  // file in the charts folder, caption
};

struct ReportModel {
  std::string title = "allocscope report";
  std::string reference;
  std::vector<std::pair<std::string, std::string>> context;
  std::vector<ReportSection> sections;
};

// Builds the model and the chart data (for plot_report.py). `reference`
// empty = the first allocator of the results (glibc when present).
ReportModel build_report_model(const Results& doc, std::string reference, json* chart_data);

// Adds a "Charts" section listing the charts that were drawn.
void add_charts(ReportModel& m, const std::vector<std::string>& chart_files, const std::string& why_none);

class MarkdownReport {
 public:
  // Images are linked as CHARTS_DIR/file.
  static std::string render(const ReportModel& m, const std::string& charts_dir);
};

class HtmlReport {
 public:
  // Self-contained: images read from charts_dir and embedded as base64 PNG.
  static std::string render(const ReportModel& m, const std::string& charts_dir);
};

}  // namespace allocscope
