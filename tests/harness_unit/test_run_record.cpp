// RunRecord, Status and the metric registry: JSON round trips, and every
// committed results file still reads.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/input_error.hpp"
#include "harness/results/metrics.hpp"
#include "harness/results/record_json.hpp"
#include "harness/results/results_io.hpp"

namespace fs = std::filesystem;
using namespace allocscope;

namespace {

RunRecord sample_record() {
  RunRecord r;
  r.job.index = 17;
  r.job.allocator = "jemalloc";
  r.job.workload = "churn";
  r.job.params = {{"ops", "1000"}, {"max", "1024"}};
  r.job.threads = 2;
  r.job.rep = r.job.round = 3;
  r.job.seed = 42;
  r.status = Status::Crashed;
  r.exit = ExitInfo{-1, 11};
  r.reason = "killed by signal 11";
  r.stderr_tail = "Segmentation fault";
  r.syscall_method = "perf_event_open";
  MemLimitInfo ml;
  ml.method = "cgroup-v1";
  ml.limit_bytes = 1 << 30;
  ml.cgroup = true;
  ml.peak_bytes = 4096;
  r.mem_limit = ml;
  r.metrics.set("wall_s", 0.5);
  r.metrics.set_count("minflt", 300);
  r.metrics.set_breakdown("syscalls", {{"mmap", Number::count(12)}, {"brk", Number::count(4)}});
  r.metrics.set_foreign("frag_end_ratio", MetricValue{});  // null
  r.rss_series = {{0.0, 1200000}, {0.01, 1300000}};
  r.other["gbench"] = {{"name", "BM_x"}};
  return r;
}

}  // namespace

TEST(Status, WordsRoundTrip) {
  for (Status s : {Status::Ok, Status::Crashed, Status::Timeout, Status::Oom, Status::Failed, Status::Interrupted})
    EXPECT_EQ(parse_status(to_string(s)), s);
  EXPECT_FALSE(parse_status("exploded").has_value());
  EXPECT_STREQ(to_string(Status::Oom), "oom");
}

TEST(RunRecord, JsonRoundTripKeepsEveryField) {
  const RunRecord r = sample_record();
  const json j = to_json(r);
  const RunRecord back = record_from_json(j, "test");
  EXPECT_EQ(to_json(back), j);
  EXPECT_EQ(back.job.index, std::optional<size_t>(17));
  EXPECT_EQ(back.job.params.at("max"), "1024");
  EXPECT_EQ(back.status, Status::Crashed);
  ASSERT_TRUE(back.exit.has_value());
  EXPECT_EQ(back.exit->signal, 11);
  EXPECT_EQ(back.metrics.number("minflt"), 300.0);
  EXPECT_TRUE(back.metrics.find("minflt")->number.integral);
  EXPECT_FALSE(back.metrics.number("frag_end_ratio").has_value());  // null
  EXPECT_FALSE(back.metrics.number("syscalls").has_value());        // a breakdown
  EXPECT_EQ(back.rss_series.size(), 2u);
  EXPECT_EQ(back.other.at("gbench").at("name"), "BM_x");
  EXPECT_TRUE(j.at("metrics").at("minflt").is_number_integer());
  EXPECT_TRUE(j.at("metrics").at("wall_s").is_number_float());
}

TEST(RunRecord, FlatMetricsNameBreakdownParts) {
  const auto flat = sample_record().metrics.flat();
  std::vector<std::string> names;
  for (const auto& [n, v] : flat) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"wall_s", "minflt", "syscalls.mmap", "syscalls.brk"}));
}

TEST(RunRecord, SetAcceptsOnlyRegisteredMetrics) {
  Metrics m;
  EXPECT_NO_THROW(m.set("ops_per_s", 1.0));
  EXPECT_THROW(m.set("ops_per_sec", 1.0), std::logic_error);
  m.set("ops_per_s", 2.0);  // replaces, keeps one entry
  EXPECT_EQ(m.items().size(), 1u);
  EXPECT_EQ(m.number_or("ops_per_s", 0), 2.0);
}

TEST(RunRecord, BadRecordsNameTheProblem) {
  json j = to_json(sample_record());
  j.erase("status");
  try {
    record_from_json(j, "f.json: runs[3]");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "f.json: runs[3]: expected string field \"status\"");
  }
  j["status"] = "exploded";
  EXPECT_THROW(record_from_json(j, "x"), InputError);
  j["status"] = "ok";
  j["metrics"]["wall_s"] = "fast";
  EXPECT_THROW(record_from_json(j, "x"), InputError);
}

// Numbers out of the range of the field they are read into are errors (a
// float cast to an integer type out of range is undefined), and counts a
// double cannot hold exactly are written back as doubles, not cast.
TEST(RunRecord, OutOfRangeNumbersAreRejectedOrKeptAsDoubles) {
  const json base = {{"allocator", "glibc"}, {"workload", "churn"}, {"status", "ok"}, {"metrics", json::object()}};
  for (const auto& [field, value] : std::vector<std::pair<std::string, json>>{
           {"threads", 1e300}, {"rep", 3000000000.0}, {"round", -1e12}, {"seed", -1.0}, {"seed", -1}}) {
    json j = base;
    j[field] = value;
    try {
      record_from_json(j, "f.json: runs[0]");
      ADD_FAILURE() << field << " = " << value.dump() << " accepted";
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("f.json: runs[0]: field \"" + field + "\": ", 0), 0u) << e.what();
    }
  }
  json j = base;
  j["rss_series"] = json::array({json::array({0.5, 1e30})});
  EXPECT_THROW(record_from_json(j, "x"), InputError);
  j = base;
  j["exit"] = {{"code", 1e10}, {"signal", 0}};
  EXPECT_THROW(record_from_json(j, "x"), InputError);
  j = base;
  j["threads"] = 4.0;  // a float that fits is read as before
  EXPECT_EQ(record_from_json(j, "x").job.threads, 4);
  j = base;
  j["metrics"]["big"] = json::parse("18446744073709551615");  // 2^64 - 1: 2^64 as a double
  const json written = to_json(record_from_json(j, "x"));
  EXPECT_TRUE(written["metrics"]["big"].is_number_float()) << written.dump();
  EXPECT_EQ(to_json(record_from_json(written, "x")), written);
}

TEST(Metrics, RegistryNamesAreUnique) {
  std::set<std::string> seen;
  for (const auto& d : metric_defs()) EXPECT_TRUE(seen.insert(d.name).second) << d.name;
}

// The text of a committed results file (.json, or .json.gz unpacked by gzip).
std::string results_text(const fs::path& p) {
  std::string text;
  if (p.extension() == ".gz") {
    FILE* f = ::popen(("gzip -dc '" + p.string() + "'").c_str(), "r");
    if (!f) return text;
    char buf[65536];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
    ::pclose(f);
    return text;
  }
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Every results file committed under results/ reads, and writing what was
// read gives back the same records.
TEST(Results, EveryCommittedResultsFileReads) {
  size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(ALLOCSCOPE_SOURCE_DIR) / "results")) {
    const std::string name = e.path().filename().string();
    const bool gz = name.size() > 8 && name.substr(name.size() - 8) == ".json.gz";
    if (!e.is_regular_file() || (e.path().extension() != ".json" && !gz)) continue;
    json raw = json::parse(results_text(e.path()), nullptr, false);
    if (!raw.is_object() || raw.value("schema", "") != kResultsSchema) continue;
    ++files;
    SCOPED_TRACE(e.path().string());
    Results doc;
    ASSERT_NO_THROW(doc = results_from_json(raw, e.path().string()));
    ASSERT_EQ(doc.runs.size(), raw["runs"].size());
    for (size_t i = 0; i < doc.runs.size(); ++i)  // compared as sets of keys: field order may differ
      EXPECT_EQ(nlohmann::json::parse(to_json(doc.runs[i]).dump()), nlohmann::json::parse(raw["runs"][i].dump()))
          << "runs[" << i << "]";
    if (!gz) {
      EXPECT_EQ(load_results(e.path().string()).runs.size(), doc.runs.size());
    }
  }
  EXPECT_GE(files, 6u);
}
