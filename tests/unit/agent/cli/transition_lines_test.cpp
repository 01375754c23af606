#include "agent/cli/transition_lines.hpp"

#include <gtest/gtest.h>

namespace bw::agent {
namespace {

TEST(LabelsOf, StoredSeriesTextBackToLabels) {
  EXPECT_EQ(labels_of(""), (std::vector<Dimension>{}));
  EXPECT_EQ(labels_of("modelId=m1"), (std::vector<Dimension>{{"modelId", "m1"}}));
  EXPECT_EQ(labels_of("account=prod,modelId=m1"), (std::vector<Dimension>{{"account", "prod"}, {"modelId", "m1"}}));
  // A comma inside a value stays in the value; an '=' inside one does too.
  EXPECT_EQ(labels_of("jobName=a,b,modelId=x=y"), (std::vector<Dimension>{{"jobName", "a,b"}, {"modelId", "x=y"}}));
  for (const auto& series : {"modelId=m1", "account=prod,modelId=m1", "jobName=a,b,modelId=x=y"})
    EXPECT_EQ(labels_text(labels_of(series)), series);
}

}  // namespace
}  // namespace bw::agent
