#include "harness/cli/probe_matrix.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "common/input_error.hpp"
#include "harness/conform/misuse_matrix.hpp"
#include "harness/results/results_io.hpp"

namespace allocscope {

namespace {

std::vector<std::string> split(const std::string& csv) {
  std::vector<std::string> out;
  std::istringstream ss(csv);
  for (std::string s; std::getline(ss, s, ',');)
    if (!s.empty()) out.push_back(s);
  return out;
}

// Cases named, or all of a group ("double free" or "double_free" style).
std::vector<conform::MisuseCase> pick_cases(const std::vector<conform::MisuseCase>& all, const std::string& csv) {
  if (csv == "all") return all;
  std::vector<conform::MisuseCase> out;
  for (const auto& want : split(csv)) {
    size_t before = out.size();
    for (const auto& c : all) {
      std::string group = c.group;
      for (char& ch : group)
        if (ch == ' ' || ch == '/') ch = '_';
      if (c.name == want || group == want) out.push_back(c);
    }
    if (out.size() == before) throw InputError("--cases: unknown case or group '" + want + "' (see --help)");
  }
  return out;
}

std::vector<std::string> pick_sizes(const std::string& csv) {
  const std::vector<std::string> all{"small", "page", "large"};
  if (csv == "all") return all;
  auto out = split(csv);
  for (const auto& s : out)
    if (std::find(all.begin(), all.end(), s) == all.end())
      throw InputError("--sizes: unknown size '" + s + "'; valid sizes: small, page, large");
  return out;
}

}  // namespace

int run_probe_matrix(const MatrixOptions& opt, const std::vector<const Adapter*>& allocators) {
  conform::MisuseMatrix m;
  m.cases = pick_cases(conform::list_misuse_cases(opt.program), opt.cases);
  m.sizes = pick_sizes(opt.sizes);
  for (const Adapter* a : allocators) m.allocators.push_back({a->name, a->version, a->preload});
  std::error_code ec;
  std::filesystem::create_directories(opt.out_dir, ec);
  if (ec) throw InputError(fmt::format("--out {}: cannot create the folder: {}", opt.out_dir, ec.message()));
  conform::MisuseRunSetup setup{opt.program, opt.timeout_s, opt.jobs,
                                [](const std::string& line) { std::fprintf(stderr, "probe: %s\n", line.c_str()); }};
  conform::run_misuse_matrix(m, setup);
  json context = collect_context(opt.command_line);
  context["timeout_s"] = opt.timeout_s;
  write_file_atomic(opt.out_dir + "/misuse.json", conform::misuse_to_json(m, context).dump(1) + "\n");
  write_file_atomic(opt.out_dir + "/misuse.md", conform::misuse_to_markdown(m));
  std::cout << conform::misuse_to_text(m);
  std::fprintf(stderr, "probe: wrote %s/misuse.json and %s/misuse.md\n", opt.out_dir.c_str(), opt.out_dir.c_str());
  return 0;
}

}  // namespace allocscope
