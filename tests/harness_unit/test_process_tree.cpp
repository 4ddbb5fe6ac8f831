// The process tree's memory from fake /proc readings: sums over the live
// processes, each process's own peak at its exit stop, huge pages and page
// tables at the peak.
#include <gtest/gtest.h>

#include <map>

#include "harness/probes/process_tree.hpp"

namespace allocscope {
namespace {

struct FakeProc {
  std::map<pid_t, uint64_t> rss, hwm, pte, huge;
  ProcReader reader() {
    return {[this](pid_t p) { return rss[p]; },
            [this](pid_t p) {
              ProcStatus s;
              s.vm_hwm_bytes = hwm[p];
              s.vm_rss_bytes = rss[p];
              s.vm_pte_bytes = pte[p];
              s.ok = true;
              return s;
            },
            [this](pid_t p) { return huge[p]; }};
  }
};

TEST(ProcessTree, SumsLiveProcessesAndKeepsEachOnesPeak) {
  FakeProc f;
  ProcessTree tree(10, f.reader());
  f.rss[10] = 100;
  EXPECT_EQ(tree.sample(), 100u);
  tree.add(11);
  f.rss[11] = 50;
  f.pte[10] = 4;
  f.pte[11] = 6;
  EXPECT_EQ(tree.sample(), 150u);
  EXPECT_EQ(tree.memory().peak_rss_bytes, 150u);
  EXPECT_EQ(tree.memory().page_tables_peak_bytes, 10u);
  // The child peaked at 400 between two samples: its VmHWM at the exit stop counts.
  f.hwm[11] = 400;
  tree.exiting(11);
  EXPECT_FALSE(tree.contains(11));
  EXPECT_EQ(tree.memory().peak_rss_bytes, 400u);
  EXPECT_EQ(tree.sample(), 100u);  // the exited child is no longer summed
  f.hwm[10] = 120;
  tree.exiting(10);
  EXPECT_EQ(tree.memory().top_peak_rss_bytes, 120u);
  EXPECT_EQ(tree.memory().processes, 2u);
  EXPECT_EQ(tree.sample(), 0u);
}

TEST(ProcessTree, HugePagesAtThePeakObservation) {
  FakeProc f;
  ProcessTree tree(10, f.reader());
  f.rss[10] = 1000;
  f.huge[10] = 0;
  tree.sample();
  f.rss[10] = 4000;
  f.huge[10] = 2048;
  tree.sample();
  EXPECT_EQ(tree.memory().thp_peak_bytes, 2048u);
  EXPECT_EQ(tree.memory().rss_at_thp_peak_bytes, 4000u);
  f.rss[10] = 2000;  // lower than the peak: not read again
  f.huge[10] = 0;
  tree.sample();
  EXPECT_EQ(tree.memory().thp_peak_bytes, 2048u);
}

}  // namespace
}  // namespace allocscope
