// The one place where run records become JSON and back: results.json, the
// journal and the worker's pipe all go through these functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "harness/results/run_record.hpp"

namespace allocscope {

using json = nlohmann::ordered_json;

inline constexpr const char* kResultsSchema = "allocscope.results/1";

json to_json(const Number& n);
json to_json(const Metrics& m);
json to_json(const RunRecord& r);
json to_json(const Results& doc);  // {"schema", "context", "runs"}

// Each throws InputError naming `where` (file, runs[i]) and what was expected.
Metrics metrics_from_json(const json& j, const std::string& where);
RunRecord record_from_json(const json& j, const std::string& where);
Results results_from_json(const json& j, const std::string& where);

}  // namespace allocscope
