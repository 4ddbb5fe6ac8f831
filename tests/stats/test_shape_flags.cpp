// The outputs flag rows whose rounds do not cluster around one value: the
// run's summary table, `compare` (text and Markdown) and the report. The
// rounds are made up so that one side is in two modes 20x apart (as
// xmalloc t=2 is on two shared cores) or has one outlying round.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "harness/report/compare_markdown.hpp"
#include "harness/report/compare_text.hpp"
#include "harness/report/report_model.hpp"
#include "harness/report/summary_table.hpp"
#include "harness/stats/comparison.hpp"
#include "harness/stats/modes.hpp"
#include "round_record.hpp"

using namespace allocscope;

namespace {

const std::vector<double> kSteady{100e6, 102e6, 98e6, 101e6, 99e6, 100e6};
const std::vector<double> kTwoModes{5.0e6, 111e6, 6.0e6, 112e6, 5.5e6, 113e6};
const std::vector<double> kOneOutlier{100e6, 101e6, 99e6, 100e6, 102e6, 30e6};

void add_rounds(Results& doc, const std::string& alloc, const std::vector<double>& rates) {
  for (size_t i = 0; i < rates.size(); ++i) {
    RunRecord r = round_record(alloc, "xmalloc", 2, static_cast<int>(i));
    r.metrics.set("ops_per_s", rates[i]);
    r.metrics.set("wall_s", 0.5);
    doc.runs.push_back(r);
  }
}

Results doc_of(const std::vector<double>& glibc, const std::vector<double>& binmalloc) {
  Results doc;
  add_rounds(doc, "glibc", glibc);
  add_rounds(doc, "binmalloc", binmalloc);
  return doc;
}

stats::Comparison compare_in(const Results& doc) {
  stats::CompareInput in;
  in.base_doc = in.cand_doc = doc;
  in.base_alloc = in.base_name = "glibc";
  in.cand_alloc = in.cand_name = "binmalloc";
  in.metrics = {"ops_per_s"};
  return stats::compare(in);
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST(RoundShape, TwoModesSayTheirCentersAndHideTheOutliersTheyImply) {
  auto s = stats::round_shape(kTwoModes);
  EXPECT_TRUE(s.two_modes());
  EXPECT_EQ(s.outliers, 0u);  // the small cluster alone would read as three outliers
  EXPECT_EQ(stats::describe(s, [](double v) { return std::to_string(std::lround(v / 1e6)); }),
            "two modes: 3 rounds near 5, 3 near 112");
  auto o = stats::round_shape(kOneOutlier);
  EXPECT_FALSE(o.two_modes());
  EXPECT_EQ(o.outliers, 1u);
  EXPECT_FALSE(stats::round_shape(kSteady).flagged());
}

TEST(ShapeFlags, SummaryTableShowsTheTwoCentersInsteadOfARatio) {
  std::string t = summary_table(doc_of(kSteady, kTwoModes).runs);
  EXPECT_TRUE(has(t, "MODES 5.50M/s|112.00M/s")) << t;
  EXPECT_FALSE(has(t, "113.00M/s")) << t;  // not the best round
  EXPECT_FALSE(has(t, "1.11x")) << t;      // nor its ratio to glibc
  EXPECT_TRUE(has(t, "the rounds fall in two clusters")) << t;

  std::string o = summary_table(doc_of(kSteady, kOneOutlier).runs);
  EXPECT_TRUE(has(o, "1.00x !1")) << o;
  EXPECT_TRUE(has(o, "!N: N outlying rounds")) << o;
  EXPECT_FALSE(has(o, "MODES")) << o;

  std::string plain = summary_table(doc_of(kSteady, kSteady).runs);
  EXPECT_FALSE(has(plain, "MODES") || has(plain, "!1") || has(plain, "outlying")) << plain;
}

TEST(ShapeFlags, CompareNamesTheSideAndTheClusters) {
  auto c = compare_in(doc_of(kSteady, kTwoModes));
  ASSERT_EQ(c.jobs.size(), 1u);
  EXPECT_EQ(c.count_flagged(), 1u);
  std::string text = CompareText::render(c, /*all_rows=*/false);
  EXPECT_TRUE(has(text, "flagged rows")) << text;
  EXPECT_TRUE(has(text,
                  "[1] xmalloc/threads:2 ops_per_s: TWO MODES in the candidate: 3 rounds near 5.500 M/s, "
                  "3 near 112.000 M/s"))
      << text;
  std::string md = CompareMarkdown::render(c, "t");
  EXPECT_TRUE(has(md, "TWO MODES in the candidate")) << md;
  EXPECT_TRUE(has(md, "1 row(s) flagged")) << md;

  auto o = compare_in(doc_of(kOneOutlier, kSteady));
  EXPECT_TRUE(has(CompareText::render(o), "1 outlying round in the baseline")) << CompareText::render(o);

  auto plain = compare_in(doc_of(kSteady, kSteady));
  EXPECT_EQ(plain.count_flagged(), 0u);
  EXPECT_FALSE(has(CompareText::render(plain), "flagged"));
}

TEST(ShapeFlags, ReportCellsAndSummaryCountFlaggedRows) {
  ReportModel m = build_report_model(doc_of(kSteady, kTwoModes), "glibc", nullptr);
  ASSERT_FALSE(m.sections.empty());
  const ReportTable& summary = m.sections[0].tables.at(0);
  ASSERT_EQ(summary.header.back(), "flagged");
  ASSERT_EQ(summary.rows.size(), 1u);
  EXPECT_EQ(summary.rows[0].back(), "1");
  const ReportSection* throughput = nullptr;
  for (const auto& s : m.sections)
    if (s.title == "Throughput (best round)") throughput = &s;
  ASSERT_NE(throughput, nullptr);
  const auto& row = throughput->tables.at(0).rows.at(0);  // job, glibc, binmalloc
  ASSERT_EQ(row.size(), 3u);
  EXPECT_FALSE(has(row[1], "MODES")) << row[1];
  EXPECT_TRUE(has(row[2], "TWO MODES: 3 rounds near 5.500 M/s, 3 near 112.000 M/s")) << row[2];
  EXPECT_FALSE(has(row[2], "(x")) << row[2];  // no single ratio

  // A reference in two modes is flagged too, and its candidates give no ratio.
  ReportModel r = build_report_model(doc_of(kTwoModes, kSteady), "glibc", nullptr);
  for (const auto& s : r.sections)
    if (s.title == "Throughput (best round)") {
      const auto& rr = s.tables.at(0).rows.at(0);
      EXPECT_TRUE(has(rr[1], "TWO MODES: 3 rounds")) << rr[1];
      EXPECT_TRUE(has(rr[2], "TWO MODES in the reference")) << rr[2];
    }
}
