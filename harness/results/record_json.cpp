#include "harness/results/record_json.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "common/input_error.hpp"

namespace allocscope {

namespace {

// The fields RunRecord models; anything else is kept in RunRecord::other.
const char* const kKnownFields[] = {
    "index",   "allocator",   "workload",       "params",    "command", "threads",
    "rep",     "round",       "seed",           "warmup",    "status",  "exit",
    "reason",  "stderr_tail", "syscall_method", "mem_limit", "metrics", "instructions_error",
    "confirm", "rss_series",  "live_series"};

bool known_field(const std::string& k) {
  for (const char* f : kKnownFields)
    if (k == f) return true;
  return false;
}

// A field whose number does not fit the type it is read into (nlohmann casts
// a float to an integer type, undefined when it is out of range): thrown
// below, turned into an InputError naming the record.
struct OutOfRange : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The number `v` of field `key` as the integer type T, checked to fit.
template <typename T>
T integer(const json& v, const char* key) {
  bool fits;
  if (v.is_number_unsigned())
    fits = v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max());
  else if (v.is_number_integer())
    fits = std::numeric_limits<T>::is_signed
               ? v.get<int64_t>() >= static_cast<int64_t>(std::numeric_limits<T>::min()) &&
                     v.get<int64_t>() <= static_cast<int64_t>(std::numeric_limits<T>::max())
               : v.get<int64_t>() >= 0;
  else if (v.is_number_float()) {  // below 2^digits (the range's end, exact as a double) and at or over its start
    const double d = v.get<double>(), end = std::ldexp(1.0, std::numeric_limits<T>::digits);
    fits = d < end && d >= (std::numeric_limits<T>::is_signed ? -end : 0.0);
  } else {
    return v.get<T>();  // not a number: nlohmann's type_error
  }
  if (!fits) throw OutOfRange(fmt::format("field \"{}\": {} is out of range", key, v.dump()));
  return v.get<T>();
}

template <typename T>
T integer_or(const json& j, const char* key, T fallback) {
  return j.contains(key) ? integer<T>(j[key], key) : fallback;
}

Number number_from(const json& v) {
  return {v.get<double>(), v.is_number_integer()};
}

std::string text_of(const json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

json to_json(const MemLimitInfo& m) {
  json j{{"method", m.method}, {"limit_bytes", m.limit_bytes}};
  if (!m.note.empty()) j["note"] = m.note;
  if (m.cgroup) {
    j["peak_bytes"] = m.peak_bytes;
    j["failcnt"] = m.failcnt;
    j["oom_kills"] = m.oom_kills;
  }
  return j;
}

MemLimitInfo mem_limit_from(const json& j) {
  MemLimitInfo m;
  m.method = j.value("method", "none");
  m.limit_bytes = integer_or<uint64_t>(j, "limit_bytes", 0);
  m.note = j.value("note", "");
  m.cgroup = j.contains("peak_bytes");
  m.peak_bytes = integer_or<uint64_t>(j, "peak_bytes", 0);
  m.failcnt = integer_or<uint64_t>(j, "failcnt", 0);
  m.oom_kills = integer_or<uint64_t>(j, "oom_kills", 0);
  return m;
}

void identity_to(json& j, const JobIdentity& id) {
  if (id.index) j["index"] = *id.index;
  j["allocator"] = id.allocator;
  j["workload"] = id.workload;
  j["params"] = id.params;
  if (!id.command.empty()) j["command"] = id.command;
  j["threads"] = id.threads;
  j["rep"] = id.rep;
  j["round"] = id.round;
  j["seed"] = id.seed;
  j["warmup"] = id.warmup;
}

JobIdentity identity_from(const json& j) {
  JobIdentity id;
  if (j.contains("index") && j["index"].is_number_unsigned()) id.index = j["index"].get<size_t>();
  id.allocator = j["allocator"].get<std::string>();
  id.workload = j["workload"].get<std::string>();
  if (j.contains("params") && j["params"].is_object())
    for (const auto& [k, v] : j["params"].items()) id.params[k] = text_of(v);
  if (j.contains("command") && j["command"].is_array())
    for (const auto& a : j["command"]) id.command.push_back(text_of(a));
  id.threads = integer_or<int>(j, "threads", 1);
  id.rep = integer_or<int>(j, "rep", 0);
  id.round = integer_or<int>(j, "round", 0);
  id.seed = integer_or<uint64_t>(j, "seed", 0);
  id.warmup = j.value("warmup", false);
  return id;
}

}  // namespace

json to_json(const Number& n) {
  // An integral value outside the 64-bit integers (a file's
  // 18446744073709551615, read as a double, is 2^64) stays a double.
  constexpr double kTwo63 = 9223372036854775808.0, kTwo64 = 18446744073709551616.0;
  if (!n.integral || !(n.value >= -kTwo63 && n.value < kTwo64)) return n.value;
  if (n.value < 0) return static_cast<int64_t>(n.value);
  return static_cast<uint64_t>(n.value);
}

json to_json(const Metrics& m) {
  json j = json::object();
  for (const auto& [name, v] : m.items()) {
    if (v.kind == MetricValue::Kind::Number) {
      j[name] = to_json(v.number);
    } else if (v.kind == MetricValue::Kind::Breakdown) {
      json parts = json::object();
      for (const auto& [part, num] : v.parts) parts[part] = to_json(num);
      j[name] = parts;
    } else {
      j[name] = nullptr;
    }
  }
  return j;
}

json to_json(const RunRecord& r) {
  json j;
  identity_to(j, r.job);
  j["status"] = to_string(r.status);
  if (r.exit) j["exit"] = {{"code", r.exit->code}, {"signal", r.exit->signal}};
  if (!r.ok() || !r.reason.empty()) j["reason"] = r.reason;
  if (!r.ok()) j["stderr_tail"] = r.stderr_tail;
  if (!r.syscall_method.empty()) j["syscall_method"] = r.syscall_method;
  if (r.mem_limit) j["mem_limit"] = to_json(*r.mem_limit);
  j["metrics"] = to_json(r.metrics);
  if (!r.instructions_error.empty()) j["instructions_error"] = r.instructions_error;
  if (r.confirm) j["confirm"] = true;
  if (r.rss_sampled || !r.rss_series.empty()) {
    json series = json::array();
    for (const auto& [t, rss] : r.rss_series) series.push_back({t, rss});
    j["rss_series"] = series;
  }
  if (!r.live_series.empty()) {
    json series = json::array();
    for (const auto& [t, live] : r.live_series) series.push_back({t, live});
    j["live_series"] = series;
  }
  for (const auto& [k, v] : r.other.items()) j[k] = v;
  return j;
}

json to_json(const Results& doc) {
  json j;
  j["schema"] = kResultsSchema;
  j["context"] = doc.context;
  json runs = json::array();
  for (const auto& r : doc.runs) runs.push_back(to_json(r));
  j["runs"] = std::move(runs);
  return j;
}

Metrics metrics_from_json(const json& j, const std::string& where) {
  if (!j.is_object()) throw InputError(where + ": expected object field \"metrics\"");
  Metrics m;
  for (const auto& [k, v] : j.items()) {
    MetricValue mv;
    if (v.is_number()) {
      mv.kind = MetricValue::Kind::Number;
      mv.number = number_from(v);
    } else if (v.is_object()) {
      mv.kind = MetricValue::Kind::Breakdown;
      for (const auto& [part, pv] : v.items())
        if (pv.is_number()) mv.parts.emplace_back(part, number_from(pv));
    } else if (!v.is_null()) {
      throw InputError(fmt::format("{}: metric \"{}\" must be a number, null or an object", where, k));
    }
    m.set_foreign(k, std::move(mv));
  }
  return m;
}

RunRecord record_from_json(const json& j, const std::string& where) {
  if (!j.is_object()) throw InputError(where + ": expected an object");
  for (const char* key : {"allocator", "workload", "status"})
    if (!j.contains(key) || !j[key].is_string())
      throw InputError(fmt::format("{}: expected string field \"{}\"", where, key));
  if (!j.contains("metrics") || !j["metrics"].is_object())
    throw InputError(where + ": expected object field \"metrics\"");
  RunRecord r;
  try {
    r.job = identity_from(j);
    auto status = parse_status(j["status"].get<std::string>());
    if (!status)
      throw InputError(fmt::format("{}: unknown status \"{}\" (expected ok, crashed, timeout, oom or failed)", where,
                                   j["status"].get<std::string>()));
    r.status = *status;
    if (j.contains("exit") && j["exit"].is_object())
      r.exit = ExitInfo{integer_or<int>(j["exit"], "code", -1), integer_or<int>(j["exit"], "signal", 0)};
    r.reason = j.value("reason", "");
    r.stderr_tail = j.value("stderr_tail", "");
    r.syscall_method = j.value("syscall_method", "");
    if (j.contains("mem_limit") && j["mem_limit"].is_object()) r.mem_limit = mem_limit_from(j["mem_limit"]);
    r.metrics = metrics_from_json(j["metrics"], where);
    r.instructions_error = j.value("instructions_error", "");
    r.confirm = j.value("confirm", false);
    r.rss_sampled = j.contains("rss_series");
    if (j.contains("rss_series") && j["rss_series"].is_array())
      for (const auto& p : j["rss_series"])
        if (p.is_array() && p.size() == 2)
          r.rss_series.emplace_back(p[0].get<double>(), integer<uint64_t>(p[1], "rss_series"));
    if (j.contains("live_series") && j["live_series"].is_array())
      for (const auto& p : j["live_series"])
        if (p.is_array() && p.size() == 2)
          r.live_series.emplace_back(p[0].get<double>(), integer<uint64_t>(p[1], "live_series"));
  } catch (const json::exception& e) {
    throw InputError(fmt::format("{}: {}", where, e.what()));
  } catch (const OutOfRange& e) {
    throw InputError(fmt::format("{}: {}", where, e.what()));
  }
  for (const auto& [k, v] : j.items())
    if (!known_field(k)) r.other[k] = v;
  return r;
}

Results results_from_json(const json& doc, const std::string& where) {
  if (!doc.is_object() || !doc.contains("schema") || !doc["schema"].is_string() || doc["schema"] != kResultsSchema)
    throw InputError(fmt::format("{}: expected an object with \"schema\": \"{}\"", where, kResultsSchema));
  if (!doc.contains("runs") || !doc["runs"].is_array())
    throw InputError(fmt::format("{}: expected \"runs\" to be an array", where));
  Results out;
  if (doc.contains("context") && doc["context"].is_object()) out.context = doc["context"];
  size_t i = 0;
  for (const auto& run : doc["runs"])
    out.runs.push_back(record_from_json(run, fmt::format("{}: runs[{}]", where, i++)));
  return out;
}

}  // namespace allocscope
