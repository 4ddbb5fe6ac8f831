// The results history: runs (results.json files) stored in an SQLite file,
// read back as series (one per host, allocator, workload, parameters and
// threads) of a metric, in the order the runs were added.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/results/results_io.hpp"

struct sqlite3;

namespace allocscope {

inline constexpr const char* kDefaultHistoryPath = "results/history.db";

struct SeriesKey {
  std::string host, allocator, workload, params;  // params: canonical JSON
  int threads = 0;
  bool operator<(const SeriesKey& o) const;
  bool operator==(const SeriesKey& o) const;
};

// One run's measurements of one series: the values of its ok, non-warm-up rounds.
struct SeriesPoint {
  int64_t run_id = 0;
  std::string label, git_revision, date;
  std::vector<double> values;
};

struct Series {
  SeriesKey key;
  std::string metric;
  std::vector<SeriesPoint> points;  // oldest first (order of `history add`)
};

struct SeriesFilter {
  std::string allocator, workload, metric, host;  // empty = any
  std::optional<int> threads;
  std::string params;      // canonical JSON; empty = any
  int64_t before_run = 0;  // only runs added before this id (0 = all)
};

struct AddedRun {
  int64_t run_id = 0;
  size_t jobs = 0, values = 0;
};

class History {
 public:
  // Opens (create: or creates) the database; throws InputError naming the file.
  History(const std::string& path, bool create);
  ~History();
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  // Stores a loaded results document. Throws InputError when the same
  // results (byte for byte) were added before, unless `allow_duplicate`.
  AddedRun add(const json& doc, const std::string& label, const std::string& source, bool allow_duplicate);
  std::vector<Series> series(const SeriesFilter& f) const;
  size_t run_count() const;
  // A results document made of the stored jobs of the `runs_per_series` most
  // recent runs of every series on `host` (ok, non-warm-up rounds, all their
  // metrics): the baseline of `gate --history`. Rounds are renumbered per series.
  json baseline_doc(const std::string& host, int runs_per_series) const;
  // The metric names stored, sorted.
  std::vector<std::string> metric_names() const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
  void exec(const char* sql) const;
};

// The canonical JSON of a job's parameters (keys sorted), as stored.
std::string canonical_params(const json& params);

}  // namespace allocscope
