// A run folder: where one run (run, micro) keeps its results.json, its
// journal of finished jobs and the arguments it was started with
// (run.json, for --resume and gate --confirm). Every command that writes or
// reads a run goes through this type; no one else spells the file names.
#pragma once

#include <string>
#include <vector>

#include "harness/results/results_io.hpp"

namespace allocscope {

// The arguments a run was started with (DIR/run.json).
struct RunArguments {
  std::vector<std::string> args;  // the options, without the subcommand
  std::vector<std::string> exec;  // the command after "--" (run --exec)
};

class RunDir {
 public:
  // `path`, created with its parents if missing. `option` names the
  // command-line option in errors (InputError).
  static RunDir create(const std::string& path, const std::string& option = "--out");
  // An existing run folder with its run.json (for --resume); InputError otherwise.
  static RunDir existing(const std::string& path, const std::string& option = "--resume");
  // The folder given with --out, or results/runs/[PREFIX-]DATE-TIME.
  static std::string default_path(const std::string& prefix = "");
  // A results file given by itself, or the results.json of a run folder.
  static std::string results_file_of(const std::string& file_or_dir);
  // The run folder holding `results_file`, when it has a run.json; "" otherwise.
  static std::string folder_of(const std::string& results_file);

  const std::string& path() const { return path_; }
  std::string results_file() const { return path_ + "/results.json"; }
  std::string journal_file() const { return path_ + "/journal.jsonl"; }
  std::string arguments_file() const { return path_ + "/run.json"; }
  // Another file of the run (e.g. micro's gbench-ALLOC.json).
  std::string file(const std::string& name) const { return path_ + "/" + name; }

  void save_results(const Results& doc) const;
  Results load_results() const;
  // The finished jobs recorded in the journal (torn lines skipped).
  std::vector<RunRecord> journal_records() const;
  // The context of the results written so far, or an empty object.
  json saved_context() const;

  void save_arguments(const RunArguments& a) const;
  RunArguments load_arguments() const;  // InputError when missing or unreadable

 private:
  explicit RunDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace allocscope
