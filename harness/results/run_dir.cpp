#include "harness/results/run_dir.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>

#include "common/input_error.hpp"
#include "harness/probes/proc.hpp"

namespace fs = std::filesystem;

namespace allocscope {

RunDir RunDir::create(const std::string& path, const std::string& option) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) throw InputError(fmt::format("{} {}: cannot create the folder: {}", option, path, ec.message()));
  return RunDir(path);
}

RunDir RunDir::existing(const std::string& path, const std::string& option) {
  RunDir d(path);
  if (::access(d.arguments_file().c_str(), R_OK) != 0)
    throw InputError(fmt::format("{} {}: no readable run.json (not an allocscope run folder?)", option, path));
  return d;
}

std::string RunDir::default_path(const std::string& prefix) {
  return fmt::format("results/runs/{}{:%Y%m%d-%H%M%S}", prefix.empty() ? "" : prefix + "-",
                     fmt::localtime(std::time(nullptr)));
}

std::string RunDir::results_file_of(const std::string& p) {
  std::error_code ec;
  if (fs::is_directory(p, ec)) return RunDir(p).results_file();
  return p;
}

std::string RunDir::folder_of(const std::string& results_file) {
  std::string dir = fs::path(results_file).parent_path().string();
  if (dir.empty()) dir = ".";
  return ::access(RunDir(dir).arguments_file().c_str(), R_OK) == 0 ? dir : std::string();
}

void RunDir::save_results(const Results& doc) const {
  allocscope::save_results(results_file(), doc);
}

Results RunDir::load_results() const {
  return allocscope::load_results(results_file());
}

std::vector<RunRecord> RunDir::journal_records() const {
  return read_journal(journal_file());
}

json RunDir::saved_context() const {
  json old = json::parse(read_text_file(results_file()), nullptr, false);
  if (old.is_object() && old.contains("context") && old["context"].is_object()) return old["context"];
  return json::object();
}

void RunDir::save_arguments(const RunArguments& a) const {
  json saved{{"args", a.args}, {"exec", a.exec}};
  write_file_atomic(arguments_file(), saved.dump(1) + "\n");
}

RunArguments RunDir::load_arguments() const {
  try {
    json saved = json::parse(read_text_file(arguments_file()));
    RunArguments a;
    a.args = saved.at("args").get<std::vector<std::string>>();
    a.exec = saved.value("exec", std::vector<std::string>{});
    return a;
  } catch (const json::exception&) {
    throw InputError(fmt::format("{}: no readable run.json (not an allocscope run folder?)", path_));
  }
}

}  // namespace allocscope
