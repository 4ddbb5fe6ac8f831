// sqlite3: the sqlite3 shell on an in-memory database (see the doc line).
#include "workloads/realistic/programs.hpp"

namespace allocscope::realistic {
namespace {

ALLOCSCOPE_WORKLOAD({
    .name = "sqlite3",
    .category = "realistic",
    .doc = "whole program: the sqlite3 shell on an in-memory database: insert rows, build "
           "indexes, group/join queries, update and delete",
    .params = {{"rows", ParamType::Int, "100000", "rows inserted", 1, 1e9}},
    .multithreaded = false,
    .make = none,
    .command = [](const Params& p, std::string* why) -> std::vector<std::string> {
      if (!have({"/usr/bin/sqlite3"}, why)) return {};
      return {"/usr/bin/sqlite3",
              ":memory:", "CREATE TABLE cfg(rows INTEGER); INSERT INTO cfg VALUES(" + p.s("rows") + ");",
              ".read " + input("sqlite_workload.sql")};
    },
});

}  // namespace
}  // namespace allocscope::realistic
