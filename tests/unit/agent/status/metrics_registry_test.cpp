#include "agent/status/metrics_registry.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace bw::agent {
namespace {

using Type = MetricsRegistry::Type;

TEST(MetricsRegistry, RendersExactTextWithEscapingAndSortedFamiliesAndSeries) {
  MetricsRegistry r;
  r.declare("zeta_total", Type::Counter, "Last family.\nSecond line with a \\ backslash.");
  r.declare("alpha", Type::Gauge, "First family.");
  r.add("zeta_total", {{"target", "b"}}, 2);
  r.add("zeta_total", {{"target", "a\"quoted\"\\path\nnext"}}, 1);
  r.add("zeta_total", {{"target", "b"}}, 0.5);
  r.set("alpha", {}, 0.25);

  EXPECT_EQ(r.render(),
            "# HELP alpha First family.\n"
            "# TYPE alpha gauge\n"
            "alpha 0.25\n"
            "# HELP zeta_total Last family.\\nSecond line with a \\\\ backslash.\n"
            "# TYPE zeta_total counter\n"
            "zeta_total{target=\"a\\\"quoted\\\"\\\\path\\nnext\"} 1\n"
            "zeta_total{target=\"b\"} 2.5\n");
}

TEST(MetricsRegistry, HistogramHasCumulativeBucketsInfSumAndCount) {
  MetricsRegistry r;
  r.declare("d_seconds", Type::Histogram, "Durations.", {1, 0.5});  // unsorted on purpose
  for (double v : {0.2, 0.5, 0.7, 3.0}) r.observe("d_seconds", {}, v);
  r.observe("d_seconds", {{"job", "x"}}, 0.1);

  EXPECT_EQ(r.render(),
            "# HELP d_seconds Durations.\n"
            "# TYPE d_seconds histogram\n"
            "d_seconds_bucket{le=\"0.5\"} 2\n"  // le is inclusive: 0.5 counts in the 0.5 bucket
            "d_seconds_bucket{le=\"1\"} 3\n"
            "d_seconds_bucket{le=\"+Inf\"} 4\n"
            "d_seconds_sum 4.4\n"
            "d_seconds_count 4\n"
            "d_seconds_bucket{job=\"x\",le=\"0.5\"} 1\n"
            "d_seconds_bucket{job=\"x\",le=\"1\"} 1\n"
            "d_seconds_bucket{job=\"x\",le=\"+Inf\"} 1\n"
            "d_seconds_sum{job=\"x\"} 0.1\n"
            "d_seconds_count{job=\"x\"} 1\n");
  EXPECT_EQ(r.value("d_seconds"), 4);
}

TEST(MetricsRegistry, IgnoresUnknownNamesWrongTypesAndNegativeCounterDeltas) {
  MetricsRegistry r;
  r.declare("c_total", Type::Counter, "C.");
  r.add("c_total", {}, 3);
  r.add("c_total", {}, -1);
  r.set("c_total", {}, 100);  // not a gauge
  r.add("missing_total", {}, 1);
  EXPECT_EQ(r.value("c_total"), 3);
  EXPECT_EQ(r.series_count("missing_total"), 0u);
}

TEST(MetricsRegistry, ReplaceDropsSeriesThatAreGone) {
  MetricsRegistry r;
  r.declare("g", Type::Gauge, "G.");
  r.replace("g", {{{{"s", "a"}}, 1}, {{{"s", "b"}}, 2}});
  r.replace("g", {{{{"s", "b"}}, 3}});
  EXPECT_EQ(r.render(), "# HELP g G.\n# TYPE g gauge\ng{s=\"b\"} 3\n");
}

TEST(MetricsRegistry, CountsFromManyThreads) {
  MetricsRegistry r;
  r.declare("n_total", Type::Counter, "N.");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) r.add("n_total", {{"k", "v"}});
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(r.value("n_total", {{"k", "v"}}), 4000);
}

}  // namespace
}  // namespace bw::agent
