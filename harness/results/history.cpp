#include "harness/results/history.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cmath>
#include <ctime>
#include <functional>
#include <map>
#include <tuple>

#include "common/input_error.hpp"

namespace allocscope {

namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta VALUES('schema', 'allocscope.history/1');
CREATE TABLE IF NOT EXISTS runs(
  id INTEGER PRIMARY KEY, label TEXT NOT NULL, added TEXT NOT NULL, date TEXT, host TEXT,
  git_revision TEXT, suite TEXT, source TEXT, fingerprint TEXT, context TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs(
  id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), job_index INTEGER,
  host TEXT, allocator TEXT NOT NULL, workload TEXT NOT NULL, params TEXT NOT NULL, threads INTEGER NOT NULL,
  rep INTEGER, round INTEGER, warmup INTEGER NOT NULL, status TEXT NOT NULL, slurm TEXT);
CREATE TABLE IF NOT EXISTS metrics(
  job_id INTEGER NOT NULL REFERENCES jobs(id), name TEXT NOT NULL, value REAL NOT NULL);
CREATE INDEX IF NOT EXISTS metrics_by_name ON metrics(name, job_id);
CREATE INDEX IF NOT EXISTS jobs_by_run ON jobs(run_id);
)sql";

// A prepared statement, finalized on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) != SQLITE_OK)
      throw std::runtime_error(fmt::format("history: {}", sqlite3_errmsg(db)));
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& bind(int i, double v) {
    sqlite3_bind_double(s_, i, v);
    return *this;
  }
  bool step() {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw std::runtime_error(fmt::format("history: {}", sqlite3_errmsg(db_)));
  }
  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  std::string text(int i) const {
    auto* t = sqlite3_column_text(s_, i);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  int64_t integer(int i) const { return sqlite3_column_int64(s_, i); }
  double real(int i) const { return sqlite3_column_double(s_, i); }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Numeric metrics of a record; nested objects of numbers (syscalls by kind)
// as "parent.key".
void flatten_metrics(const json& metrics, std::vector<std::pair<std::string, double>>& out) {
  for (const auto& [name, v] : metrics.items()) {
    if (v.is_number()) {
      double d = v.get<double>();
      if (std::isfinite(d)) out.emplace_back(name, d);
    } else if (v.is_object()) {
      for (const auto& [sub, sv] : v.items())
        if (sv.is_number() && std::isfinite(sv.get<double>())) out.emplace_back(name + "." + sub, sv.get<double>());
    }
  }
}

std::string str_or(const json& obj, const char* key) {
  return obj.is_object() && obj.contains(key) && obj[key].is_string() ? obj[key].get<std::string>() : "";
}

}  // namespace

bool SeriesKey::operator<(const SeriesKey& o) const {
  return std::tie(host, allocator, workload, params, threads) <
         std::tie(o.host, o.allocator, o.workload, o.params, o.threads);
}

bool SeriesKey::operator==(const SeriesKey& o) const {
  return std::tie(host, allocator, workload, params, threads) ==
         std::tie(o.host, o.allocator, o.workload, o.params, o.threads);
}

std::string canonical_params(const json& params) {
  if (!params.is_object()) return "{}";
  nlohmann::json sorted = nlohmann::json::parse(params.dump());  // std::map: keys sorted
  return sorted.dump();
}

History::History(const std::string& path, bool create) : path_(path) {
  int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw InputError(fmt::format("history database {}: {}", path, why));
  }
  sqlite3_busy_timeout(db_, 10000);
  try {
    exec(kSchema);
    Stmt s(db_, "SELECT value FROM meta WHERE key = 'schema'");
    if (!s.step() || s.text(0) != "allocscope.history/1")
      throw InputError(fmt::format("history database {}: unknown schema '{}'", path, s.text(0)));
  } catch (const std::runtime_error& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw InputError(fmt::format("history database {}: {}", path, e.what()));
  }
}

History::~History() {
  sqlite3_close(db_);
}

void History::exec(const char* sql) const {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "error";
    sqlite3_free(err);
    throw std::runtime_error(msg);
  }
}

AddedRun History::add(const json& doc, const std::string& label, const std::string& source, bool allow_duplicate) {
  const json ctx = doc.contains("context") && doc["context"].is_object() ? doc["context"] : json::object();
  const std::string fingerprint = fmt::format("{:016x}", std::hash<std::string>{}(doc.dump()));
  if (!allow_duplicate) {
    Stmt dup(db_, "SELECT label FROM runs WHERE fingerprint = ?");
    if (dup.bind(1, fingerprint).step())
      throw InputError(
          fmt::format("{}: these results are already in {} (label '{}'); --allow-duplicate adds them again", source,
                      path_, dup.text(0)));
  }
  exec("BEGIN IMMEDIATE");
  try {
    AddedRun added;
    Stmt run(db_,
             "INSERT INTO runs(label, added, date, host, git_revision, suite, source, fingerprint, context) "
             "VALUES(?,?,?,?,?,?,?,?,?)");
    run.bind(1, label).bind(2, now_utc()).bind(3, str_or(ctx, "date")).bind(4, str_or(ctx, "host"));
    run.bind(5, str_or(ctx, "git_revision")).bind(6, str_or(ctx, "suite")).bind(7, source).bind(8, fingerprint);
    run.bind(9, ctx.dump()).step();
    added.run_id = sqlite3_last_insert_rowid(db_);
    Stmt job(db_,
             "INSERT INTO jobs(run_id, job_index, host, allocator, workload, params, threads, rep, round, warmup, "
             "status, slurm) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
    Stmt metric(db_, "INSERT INTO metrics(job_id, name, value) VALUES(?,?,?)");
    for (const auto& r : doc["runs"]) {
      std::string host = str_or(r, "host");
      job.bind(1, added.run_id)
          .bind(2, r.value("index", int64_t{-1}))
          .bind(3, host.empty() ? str_or(ctx, "host") : host);
      job.bind(4, str_or(r, "allocator")).bind(5, str_or(r, "workload"));
      job.bind(6, canonical_params(r.value("params", json::object()))).bind(7, r.value("threads", int64_t{1}));
      job.bind(8, r.value("rep", int64_t{0})).bind(9, r.value("round", int64_t{0}));
      job.bind(10, int64_t{r.value("warmup", false) ? 1 : 0}).bind(11, str_or(r, "status"));
      job.bind(12, r.contains("slurm") ? r["slurm"].dump() : std::string());
      job.step();
      job.reset();
      const int64_t job_id = sqlite3_last_insert_rowid(db_);
      std::vector<std::pair<std::string, double>> values;
      if (r.contains("metrics") && r["metrics"].is_object()) flatten_metrics(r["metrics"], values);
      for (const auto& [name, v] : values) {
        metric.bind(1, job_id).bind(2, name).bind(3, v).step();
        metric.reset();
      }
      ++added.jobs;
      added.values += values.size();
    }
    exec("COMMIT");
    return added;
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
}

std::vector<Series> History::series(const SeriesFilter& f) const {
  Stmt s(db_,
         "SELECT r.id, r.label, r.git_revision, r.date, j.host, j.allocator, j.workload, j.params, j.threads, "
         "m.name, m.value FROM metrics m JOIN jobs j ON j.id = m.job_id JOIN runs r ON r.id = j.run_id "
         "WHERE j.status = 'ok' AND j.warmup = 0 AND (?1 = '' OR m.name = ?1) AND (?2 = '' OR j.allocator = ?2) "
         "AND (?3 = '' OR j.workload = ?3) AND (?4 = '' OR j.host = ?4) AND (?5 = '' OR j.params = ?5) "
         "AND (?6 < 0 OR j.threads = ?6) AND (?7 = 0 OR r.id < ?7) ORDER BY r.id, j.id");
  s.bind(1, f.metric).bind(2, f.allocator).bind(3, f.workload).bind(4, f.host).bind(5, f.params);
  s.bind(6, static_cast<int64_t>(f.threads.value_or(-1))).bind(7, f.before_run);
  std::map<std::pair<SeriesKey, std::string>, Series> by_key;
  while (s.step()) {
    SeriesKey key{s.text(4), s.text(5), s.text(6), s.text(7), static_cast<int>(s.integer(8))};
    std::string metric = s.text(9);
    Series& series = by_key[{key, metric}];
    if (series.points.empty()) series.key = key, series.metric = metric;
    if (series.points.empty() || series.points.back().run_id != s.integer(0))
      series.points.push_back({s.integer(0), s.text(1), s.text(2), s.text(3), {}});
    series.points.back().values.push_back(s.real(10));
  }
  std::vector<Series> out;
  for (auto& [k, v] : by_key) out.push_back(std::move(v));
  return out;
}

json History::baseline_doc(const std::string& host, int runs_per_series) const {
  Stmt jobs(db_,
            "SELECT j.id, j.run_id, j.allocator, j.workload, j.params, j.threads FROM jobs j "
            "WHERE j.host = ? AND j.status = 'ok' AND j.warmup = 0 ORDER BY j.run_id DESC, j.id");
  jobs.bind(1, host);
  std::map<SeriesKey, std::vector<int64_t>> runs_of;  // series -> run ids taken, newest first
  std::map<SeriesKey, int> rounds;
  Stmt metrics(db_, "SELECT name, value FROM metrics WHERE job_id = ?");
  json out = json::array();
  while (jobs.step()) {
    SeriesKey key{host, jobs.text(2), jobs.text(3), jobs.text(4), static_cast<int>(jobs.integer(5))};
    auto& taken = runs_of[key];
    const int64_t run = jobs.integer(1);
    if (taken.empty() || taken.back() != run) {
      if (static_cast<int>(taken.size()) == runs_per_series) continue;
      taken.push_back(run);
    }
    json m = json::object();
    metrics.bind(1, jobs.integer(0));
    while (metrics.step()) {
      std::string name = metrics.text(0);
      auto dot = name.find('.');
      if (dot == std::string::npos)
        m[name] = metrics.real(1);
      else
        m[name.substr(0, dot)][name.substr(dot + 1)] = metrics.real(1);
    }
    metrics.reset();
    out.push_back({{"allocator", key.allocator},
                   {"workload", key.workload},
                   {"params", json::parse(key.params)},
                   {"threads", key.threads},
                   {"round", rounds[key]++},
                   {"warmup", false},
                   {"status", "ok"},
                   {"history_run", run},
                   {"metrics", m}});
  }
  return json{{"schema", kResultsSchema},
              {"context", {{"host", host}, {"history", path_}, {"runs_per_series", runs_per_series}}},
              {"runs", out}};
}

size_t History::run_count() const {
  Stmt s(db_, "SELECT COUNT(*) FROM runs");
  s.step();
  return static_cast<size_t>(s.integer(0));
}

std::vector<std::string> History::metric_names() const {
  Stmt s(db_, "SELECT DISTINCT name FROM metrics ORDER BY name");
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

}  // namespace allocscope
