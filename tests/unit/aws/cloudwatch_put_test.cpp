// PutMetricData over AWS JSON 1.0: the request body, and that any 2xx answer (empty body too) is success.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "aws/cloudwatch.hpp"
#include "fake_transport.hpp"

namespace bw::aws {
namespace {

TEST(PutMetricDataRequest, DimensionsOnlyWhenThereAreAny) {
  const auto body = put_metric_data_request(
      "Batchwatch", {MetricDatum{"Heartbeat", {{"Replica", "a"}}, 1.0, "Count"}, MetricDatum{"Heartbeat", {}, 2.5, "None"}});
  EXPECT_EQ(body, nlohmann::json::parse(R"({"Namespace": "Batchwatch", "MetricData": [
      {"MetricName": "Heartbeat", "Dimensions": [{"Name": "Replica", "Value": "a"}], "Value": 1.0, "Unit": "Count"},
      {"MetricName": "Heartbeat", "Value": 2.5, "Unit": "None"}]})"));
}

TEST(PutMetricData, AnEmptyAnswerIsSuccessAndAnErrorIsReturned) {
  fake::Harness h;
  h.transport.respond(200, "").respond(400, R"({"__type": "InvalidParameterValue", "message": "bad namespace"})");
  auto service = h.client("monitoring");
  CloudWatchClient cw(service);
  EXPECT_TRUE(cw.put_metric_data("Batchwatch", {MetricDatum{"Heartbeat", {}, 1.0}}).ok());
  auto failed = cw.put_metric_data("Batchwatch", {MetricDatum{"Heartbeat", {}, 1.0}});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, "InvalidParameterValue");
  EXPECT_EQ(failed.error().operation, "PutMetricData");
}

}  // namespace
}  // namespace bw::aws
