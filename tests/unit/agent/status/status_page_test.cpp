#include "agent/status/status_page.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <string>

#include "tests/unit/agent/status/page_fixtures.hpp"

namespace bw::agent {
namespace {

using testing::page_time;
Time at(std::string_view text) { return page_time(text); }

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + what.size())) ++n;
  return n;
}

std::string page(const StatusSnapshot& s) {
  std::string out;
  render_status_page(s, at("2026-11-22T06:00:00Z"), out);
  return out;
}

TEST(StatusPage, AlertRowsAreTheSeriesNotOkAlarmFirst) {
  const auto html = page(testing::small_snapshot());
  const auto alerts = html.substr(html.find("<section id=\"alerts\">"), html.find("<section id=\"series\">") -
                                                                          html.find("<section id=\"alerts\">"));
  EXPECT_EQ(count(alerts, "<tr data-rule="), 3u) << alerts;  // the OK series has no row
  const auto alarm = alerts.find("data-rule=\"tokens-high\" data-series=\"modelId=m3\" data-state=\"ALARM\"");
  const auto insufficient = alerts.find("data-state=\"INSUFFICIENT_DATA\"");
  const auto drained = alerts.find("data-rule=\"drain\" data-series=\"modelId=m1\" data-state=\"DRAINED\"");
  ASSERT_NE(alarm, std::string::npos) << alerts;
  ASSERT_NE(insufficient, std::string::npos);
  ASSERT_NE(drained, std::string::npos);
  EXPECT_LT(alarm, insufficient);
  EXPECT_LT(insufficient, drained);
  EXPECT_EQ(alerts.find("modelId=m2"), std::string::npos);
  // The state is written out, not only coloured; the value reads as a number people read.
  EXPECT_NE(alerts.find(">ALARM</span>"), std::string::npos);
  EXPECT_NE(alerts.find("1,250,000"), std::string::npos);
  EXPECT_NE(alerts.find("<th scope=\"col\">Reason</th>"), std::string::npos);
  EXPECT_NE(alerts.find("3h 00m ago"), std::string::npos);  // since 03:00, page at 06:00
}

TEST(StatusPage, EverySeriesWithAMetricGetsASparklineWithItsReferenceLine) {
  const auto html = page(testing::small_snapshot());
  EXPECT_EQ(count(html, "<svg class=\"sparkline\""), 3u);  // the composite has no metric
  EXPECT_NE(html.find("<svg class=\"sparkline\" data-rule=\"tokens-high\" data-series=\"modelId=m2\""),
            std::string::npos);
  // 30 periods, the first two missing: the curve starts at x = 16, then 27 steps of 8 px to x = 232.
  const std::regex path("<path class=\"sparkline\" d=\"([^\"]*)\"");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(html, m, path));
  const std::string d = m[1];
  EXPECT_EQ(d.rfind("M16 ", 0), 0u) << d;
  EXPECT_EQ(count(d, "M"), 1u) << d;
  const auto steps = d.substr(d.find('l') + 1);
  const std::regex number("-?[0-9]+");
  std::vector<int> n;
  for (auto it = std::sregex_iterator(steps.begin(), steps.end(), number); it != std::sregex_iterator(); ++it)
    n.push_back(std::stoi(it->str()));
  ASSERT_EQ(n.size(), 54u) << d;
  int rise = 0;
  for (std::size_t i = 0; i < n.size(); i += 2) {
    EXPECT_EQ(n[i], 8) << d;
    rise += n[i + 1];
  }
  EXPECT_LT(rise, -20) << d;  // a rising value is drawn upwards, over most of the height
  EXPECT_EQ(count(html, "<path d=\"M0 "), 3u);  // two thresholds and the drain's zero line
  EXPECT_NE(html.find("threshold 1,000,000 (dashed)"), std::string::npos);
  EXPECT_NE(html.find("zero 0 (dashed)"), std::string::npos);
}

TEST(StatusPage, AMissingPeriodLiftsThePenInsteadOfDrawingZero) {
  StatusSnapshot gap;
  gap.alerts.push_back({"r", "threshold", {}, AlarmState::Ok, 1.0, "", at("2026-11-22T00:00:00Z")});
  std::vector<Datapoint> points;
  for (int i = 0; i < SeriesTrails::kTrailPeriods; ++i)
    if (i != 10 && i != 20) points.push_back({at("2026-11-22T00:00:00Z") + Duration{60 * i}, 5.0 + i});
  points.push_back({at("2026-11-22T00:00:00Z") + Duration{60 * 20 + 7}, 99.0});  // off the period grid: ignored
  gap.trails.add_instance(gap.trails.add_series(points, at("2026-11-22T00:30:00Z"), Duration{60}), {});
  const auto html = page(gap);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(html, m, std::regex("<path class=\"sparkline\" d=\"([^\"]*)\"")));
  EXPECT_EQ(count(m[1], "M"), 3u) << m[1];
  EXPECT_EQ(html.find("<path d="), std::string::npos);  // no reference line for this rule
}

TEST(StatusPage, CurveStepsAreSeparatedWhateverTheirSign) {
  StatusSnapshot s;
  s.alerts.push_back({"r", "threshold", {}, AlarmState::Ok, 1.0, "", at("2026-11-22T00:00:00Z")});
  const Time end = at("2026-11-22T00:30:00Z");
  std::vector<Datapoint> points;
  for (const auto& [minute, value] : {std::pair{26, 1.0}, {27, 1.0}, {28, 2.0}, {29, 1.0}})
    points.push_back({end - Duration{60 * (30 - minute)}, value});
  s.trails.add_instance(s.trails.add_series(points, end, Duration{60}), {});
  const auto html = page(s);
  // Flat, up to the top, down to the bottom: x 208..232, y 37 (lowest value) and 3 (highest).
  EXPECT_NE(html.find("d=\"M208 37l8 0 8-34 8 34\""), std::string::npos) << html.substr(html.find("<path"), 80);
}

TEST(StatusPage, JobsShowProgressOfProcessedOverTotal) {
  const auto html = page(testing::small_snapshot());
  EXPECT_NE(html.find("<tr data-job=\"night-1\" data-status=\"InProgress\">"), std::string::npos) << html;
  EXPECT_NE(html.find("<progress value=\"1200\" max=\"5000\">"), std::string::npos);
  EXPECT_NE(html.find("ETA <time datetime=\"2026-11-22T08:30:00Z\">"), std::string::npos);
  EXPECT_NE(html.find("(in 2h 30m)"), std::string::npos);
  EXPECT_NE(html.find("s3://out/night-1/"), std::string::npos);
  EXPECT_NE(html.find("<tr data-job=\"night-0\" data-status=\"Completed\">"), std::string::npos);
  EXPECT_NE(html.find("ended <time datetime=\"2026-11-22T04:00:00Z\">"), std::string::npos);
}

TEST(StatusPage, TextFromRulesLabelsReasonsAndBedrockIsEscaped) {
  auto s = testing::small_snapshot();
  s.alerts.push_back({"x<script>alert(1)</script>", "threshold", {{"modelId", "\"><img src=x onerror=alert(2)>"}},
                      AlarmState::Alarm, 1.0, "reason <script>alert(3)</script> & more", at("2026-11-22T05:00:00Z")});
  s.trails.add_instance(s.trails.add_series({}, at("2026-11-22T06:00:00Z"), Duration{60}), {});
  JobSnapshot job;
  job.name = "<script>alert(4)</script>";
  job.status = "Failed";
  job.message = "bad input <script>alert(5)</script>";
  job.output_s3_uri = "s3://b/'onmouseover='alert(6)";
  s.jobs.push_back({job, std::nullopt});
  s.silences.push_back({"<b>r</b>", "a=<i>", at("2026-11-22T05:00:00Z"), at("2026-11-22T09:00:00Z"), "<u>why</u>"});
  s.last_error = "<script>alert(7)</script>";
  const auto html = page(s);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>r</b>"), std::string::npos);
  EXPECT_EQ(html.find("'onmouseover"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(4)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("data-job=\"&lt;script&gt;alert(4)&lt;/script&gt;\""), std::string::npos);
  EXPECT_NE(html.find("modelId=&quot;&gt;&lt;img"), std::string::npos);
  EXPECT_NE(html.find("reason &lt;script&gt;alert(3)&lt;/script&gt; &amp; more"), std::string::npos);
}

TEST(StatusPage, IsSelfContainedAndRefreshesItself) {
  const auto html = page(testing::small_snapshot());
  EXPECT_NE(html.find("<meta http-equiv=\"refresh\" content=\"30\">"), std::string::npos);
  EXPECT_NE(html.find("<meta name=\"viewport\""), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  for (const char* id : {"alerts", "series", "jobs", "deliveries", "silences"})
    EXPECT_NE(html.find(std::string("<section id=\"") + id + "\">"), std::string::npos) << id;
  EXPECT_NE(html.find("@media (max-width:640px)"), std::string::npos);
}

TEST(StatusPage, DeliveriesAndSilencesAreListed) {
  const auto html = page(testing::small_snapshot());
  EXPECT_NE(html.find("data-target=\"ops\" data-pending=\"2\" data-dead=\"1\""), std::string::npos);
  EXPECT_NE(html.find("1h 15m old"), std::string::npos);
  EXPECT_NE(html.find(">1 dead</span>"), std::string::npos);
  EXPECT_NE(html.find("<time datetime=\"2026-11-22T09:00:00Z\">"), std::string::npos);
  EXPECT_NE(html.find("maintenance"), std::string::npos);
}

TEST(StatusPage, EmptySnapshotSaysSoInEverySection) {
  StatusSnapshot s;
  const auto html = page(s);
  EXPECT_NE(html.find("NOT READY"), std::string::npos);
  EXPECT_NE(html.find("Every series is OK."), std::string::npos);
  EXPECT_NE(html.find("No jobs tracked."), std::string::npos);
  EXPECT_NE(html.find("Nothing owed"), std::string::npos);
}

// 1,000 series (one in ten firing, reasons of CloudWatch length) and 200 jobs stay under 500 KB.
TEST(StatusPage, AThousandSeriesAndTwoHundredJobsFitIn500KB) {
  const auto s = testing::large_snapshot(1000, 200, 10);
  const auto html = page(s);
  EXPECT_LE(html.size(), 500'000u) << html.size();
  EXPECT_EQ(count(html, "<svg class=\"sparkline\""), 1000u);
  EXPECT_EQ(count(html, "<tr data-job="), 200u);
}

TEST(StatusPage, NumbersAndAgesReadAsPeopleWriteThem) {
  EXPECT_EQ(readable_number(1250000), "1,250,000");
  EXPECT_EQ(readable_number(-45600000.0), "-45,600,000");
  EXPECT_EQ(readable_number(35073.4), "35,073");
  EXPECT_EQ(readable_number(12.5), "12.5");
  EXPECT_EQ(readable_number(123.456), "123.5");
  EXPECT_EQ(readable_number(0.25), "0.25");
  EXPECT_EQ(readable_number(0), "0");
  EXPECT_EQ(readable_number(0.000012), "1.2e-05");
  EXPECT_EQ(readable_age(Duration{45}), "45s");
  EXPECT_EQ(readable_age(Duration{720}), "12m");
  EXPECT_EQ(readable_age(Duration{3 * 3600 + 300}), "3h 05m");
  EXPECT_EQ(readable_age(Duration{2 * 86400 + 4 * 3600}), "2d 4h");
}

}  // namespace
}  // namespace bw::agent
