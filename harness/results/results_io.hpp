// Reading and writing results: results.json written by rename (never half
// written), the journal of finished jobs (one JSON line each, fsync'd), and
// the run context.
#pragma once

#include <string>
#include <vector>

#include "harness/results/record_json.hpp"
#include "harness/results/run_record.hpp"

namespace allocscope {

// Writes `text` to `path` through a temporary file in the same folder, fsync
// and rename, so readers see the old or the new file, never a mix.
void write_file_atomic(const std::string& path, const std::string& text);

// Appends one record per line and fsyncs before returning.
class Journal {
 public:
  explicit Journal(const std::string& path);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  void append(const RunRecord& record);

 private:
  int fd_ = -1;
  std::string path_;
};

// Reads a journal; a torn line (crash mid-write) or a record without an
// index is skipped (that job runs again on resume).
std::vector<RunRecord> read_journal(const std::string& path);

// Loads and checks a results.json; throws InputError naming the file and the problem.
Results load_results(const std::string& path);
// Writes a results document atomically (write_file_atomic).
void save_results(const std::string& path, const Results& doc);

// The metrics declared by this run (context.declared_metrics), and reading
// them back: load_results declares those of the file it reads.
json declared_metrics_json();
void declare_metrics_from(const json& context);

// Facts about this machine and build for the "context" object.
json collect_context(const std::string& command_line);

}  // namespace allocscope
