// RunDir: a run folder's files round trip (results, journal, arguments), a
// torn journal line is skipped, and folders that are not run folders are
// refused with a message naming the option.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "common/input_error.hpp"
#include "harness/results/results_io.hpp"
#include "harness/results/run_dir.hpp"

namespace fs = std::filesystem;
using namespace allocscope;

namespace {

struct TempFolder {
  std::string path;
  TempFolder() {
    std::string tmpl = (fs::temp_directory_path() / "allocscope-rundir-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempFolder() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

RunRecord record(size_t index, const std::string& allocator, double ops_per_s) {
  RunRecord r;
  r.job.index = index;
  r.job.allocator = allocator;
  r.job.workload = "churn";
  r.job.params = {{"ops", "1000"}};
  r.job.threads = 1;
  r.job.rep = r.job.round = 1;
  r.job.seed = 7;
  r.status = Status::Ok;
  r.exit = ExitInfo{0, 0};
  r.metrics.set("ops_per_s", ops_per_s);
  r.metrics.set_count("peak_rss_bytes", 4096 * (index + 1));
  return r;
}

}  // namespace

TEST(RunDir, CreateMakesTheFolderWithItsParents) {
  TempFolder t;
  const std::string p = t.path + "/a/b/run";
  RunDir d = RunDir::create(p);
  EXPECT_TRUE(fs::is_directory(p));
  EXPECT_EQ(d.path(), p);
  EXPECT_EQ(d.results_file(), p + "/results.json");
  EXPECT_EQ(d.journal_file(), p + "/journal.jsonl");
  EXPECT_EQ(d.arguments_file(), p + "/run.json");
  EXPECT_EQ(d.file("gbench-glibc.json"), p + "/gbench-glibc.json");
}

TEST(RunDir, CreateUnderAFileNamesTheOption) {
  TempFolder t;
  std::ofstream(t.path + "/file") << "x";
  try {
    RunDir::create(t.path + "/file/run", "--out");
    FAIL() << "a folder under a file was created";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--out"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("cannot create"), std::string::npos) << e.what();
  }
}

TEST(RunDir, ResultsRoundTrip) {
  TempFolder t;
  RunDir d = RunDir::create(t.path + "/run");
  Results doc;
  doc.context["host"] = "test-host";
  doc.context["allocators"] = {"glibc", "jemalloc"};
  doc.runs = {record(0, "glibc", 1.5e6), record(1, "jemalloc", 2.5e6)};
  d.save_results(doc);
  Results back = d.load_results();
  EXPECT_EQ(back.context["host"], "test-host");
  ASSERT_EQ(back.runs.size(), 2u);
  for (size_t i = 0; i < 2; ++i)
    EXPECT_EQ(nlohmann::json::parse(to_json(back.runs[i]).dump()), nlohmann::json::parse(to_json(doc.runs[i]).dump()));
  EXPECT_EQ(d.saved_context()["host"], "test-host");
  // What the file says is what load_results read: the schema is kept.
  std::ifstream in(d.results_file());
  auto raw = nlohmann::json::parse(in);
  EXPECT_EQ(raw["schema"], "allocscope.results/1");
}

TEST(RunDir, SavedContextOfAFolderWithoutResultsIsEmpty) {
  TempFolder t;
  RunDir d = RunDir::create(t.path + "/run");
  EXPECT_TRUE(d.saved_context().empty());
}

TEST(RunDir, JournalRecordsSkipATornLine) {
  TempFolder t;
  RunDir d = RunDir::create(t.path + "/run");
  {
    Journal j(d.journal_file());
    j.append(record(0, "glibc", 1.0e6));
    j.append(record(3, "glibc", 2.0e6));
  }
  // A crash in the middle of the next append leaves half a line.
  std::ofstream(d.journal_file(), std::ios::app) << "{\"index\": 4, \"allocator\": \"gli";
  auto recs = d.journal_records();
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].job.index.value_or(99), 0u);
  EXPECT_EQ(recs[1].job.index.value_or(99), 3u);
  EXPECT_EQ(recs[1].metrics.number_or("ops_per_s", 0), 2.0e6);
}

TEST(RunDir, ArgumentsRoundTripAndResume) {
  TempFolder t;
  RunDir d = RunDir::create(t.path + "/run");
  // Not a run folder until its arguments are saved.
  EXPECT_THROW(RunDir::existing(d.path()), InputError);
  d.save_arguments({{"-w", "churn", "--reps", "2"}, {"python3", "-c", "pass"}});
  RunDir again = RunDir::existing(d.path());
  RunArguments a = again.load_arguments();
  EXPECT_EQ(a.args, (std::vector<std::string>{"-w", "churn", "--reps", "2"}));
  EXPECT_EQ(a.exec, (std::vector<std::string>{"python3", "-c", "pass"}));
}

TEST(RunDir, ExistingNamesTheOptionAndACorruptRunJsonIsRefused) {
  TempFolder t;
  try {
    RunDir::existing(t.path + "/missing", "--resume");
    FAIL() << "a missing folder was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--resume"), std::string::npos) << e.what();
  }
  RunDir d = RunDir::create(t.path + "/run");
  std::ofstream(d.arguments_file()) << "{ not json";
  EXPECT_THROW(RunDir::existing(d.path()).load_arguments(), InputError);
}

TEST(RunDir, ResultsFileOfAndFolderOf) {
  TempFolder t;
  RunDir d = RunDir::create(t.path + "/run");
  EXPECT_EQ(RunDir::results_file_of(d.path()), d.results_file());
  EXPECT_EQ(RunDir::results_file_of(t.path + "/other.json"), t.path + "/other.json");
  // A results file belongs to a run folder only when run.json is beside it.
  EXPECT_EQ(RunDir::folder_of(d.results_file()), "");
  d.save_arguments({{"-w", "churn"}, {}});
  EXPECT_EQ(RunDir::folder_of(d.results_file()), d.path());
}

TEST(RunDir, DefaultPathIsUnderResultsRunsWithTheDate) {
  EXPECT_TRUE(std::regex_match(RunDir::default_path(), std::regex(R"(results/runs/\d{8}-\d{6})")))
      << RunDir::default_path();
  EXPECT_TRUE(std::regex_match(RunDir::default_path("micro"), std::regex(R"(results/runs/micro-\d{8}-\d{6})")))
      << RunDir::default_path("micro");
}
