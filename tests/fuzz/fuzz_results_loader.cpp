// Fuzzes the loaders of run results as read back from disk: load_results
// (results.json) and read_journal (journal.jsonl). load_results must load a
// file or reject it with an InputError naming the file; what it loads must
// survive the writer: written the way save_results writes it and loaded
// again, it gives the same JSON. read_journal never throws (torn or foreign
// lines are skipped) and every record it returns has an index and survives
// the same round trip.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/input_error.hpp"
#include "harness/results/record_json.hpp"
#include "harness/results/results_io.hpp"
#include "tests/fuzz/fuzz_file.hpp"

using allocscope::fuzz::broken;
using allocscope::fuzz::MemFile;

namespace {

void check_results(const MemFile& file) {
  allocscope::Results doc;
  try {
    doc = allocscope::load_results(file.path());
  } catch (const allocscope::InputError& e) {
    if (!allocscope::fuzz::starts_with(e.what(), file.path() + ": ")) broken("an error that does not name the file");
    return;
  }
  const allocscope::json written = allocscope::to_json(doc);
  // What save_results writes (write_file_atomic of this text).
  const MemFile saved(written.dump(1) + "\n");
  allocscope::Results again;
  try {
    again = allocscope::load_results(saved.path());
  } catch (const allocscope::InputError&) {
    broken("results written by the writer are rejected");
  }
  if (allocscope::to_json(again) != written) broken("results change on a write and load");
}

void check_journal(const MemFile& file) {
  for (const allocscope::RunRecord& r : allocscope::read_journal(file.path())) {
    if (!r.job.index) broken("a journal record without an index");
    const allocscope::json j = allocscope::to_json(r);
    allocscope::RunRecord again;
    try {
      again = allocscope::record_from_json(allocscope::json::parse(j.dump()), "journal");
    } catch (const allocscope::InputError&) {
      broken("a journal record written by the writer is rejected");
    }
    if (allocscope::to_json(again) != j) broken("a journal record changes on a write and read");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16384) return -1;
  const MemFile file(data, size);
  check_results(file);
  check_journal(file);
  return 0;
}
