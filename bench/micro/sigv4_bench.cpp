// Signing cost per CloudWatch call: the daemon signs every GetMetricData page, so this sits on the hot path.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <optional>
#include <string>

#include "aws/sigv4.hpp"
#include "rules/time.hpp"

namespace {

using bw::aws::Credentials;
using bw::aws::HttpRequest;
namespace sigv4 = bw::aws::sigv4;

// A realistic GetMetricData body (~2 KB): seven queries over three instances, one expression.
std::string get_metric_data_body() {
  std::string queries;
  const char* metrics[] = {"CPUUtilization", "NetworkIn", "NetworkOut", "DiskReadOps"};
  int id = 0;
  for (const char* instance : {"i-0123456789abcdef0", "i-0fedcba9876543210", "i-0a1b2c3d4e5f60718"}) {
    for (int m = 0; m < 2; ++m, ++id) {
      if (!queries.empty()) queries += ',';
      queries += R"j({"Id":"m)j" + std::to_string(id) +
                 R"j(","MetricStat":{"Metric":{"Namespace":"AWS/EC2","MetricName":")j" + metrics[id % 4] +
                 R"j(","Dimensions":[{"Name":"InstanceId","Value":")j" + instance +
                 R"j("},{"Name":"AutoScalingGroupName","Value":"web-production-asg-blue"}]},)j"
                 R"j("Period":60,"Stat":"Average","Unit":"Percent"},"Label":"web )j" + instance +
                 R"j(","ReturnData":true})j";
    }
  }
  queries += R"j(,{"Id":"e0","Expression":"AVG(METRICS())","Label":"fleet average","ReturnData":true})j";
  return R"j({"MetricDataQueries":[)j" + queries +
         R"j(],"StartTime":1764000000,"EndTime":1764003600,"ScanBy":"TimestampAscending","MaxDatapoints":100800,)j"
         R"j("LabelOptions":{"Timezone":"+0000"}})j";
}

void BM_SignGetMetricData(benchmark::State& state) {
  HttpRequest base;
  base.method = "POST";
  base.url = "https://monitoring.us-east-1.amazonaws.com/";
  base.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                  {"X-Amz-Target", "GraniteServiceVersion20100801.GetMetricData"}};
  base.body = get_metric_data_body();
  const Credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                          "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENFORBENCHMARKINGONLY", std::nullopt};
  sigv4::SigningParams params;
  params.region = "us-east-1";
  params.service = "monitoring";
  params.time = bw::from_epoch(1764003600);

  for (auto _ : state) {
    // A fresh copy each time, as the service client does per attempt; its cost is part of what a call pays.
    HttpRequest request = base;
    sigv4::sign(request, creds, params);
    benchmark::DoNotOptimize(request.headers.back().second.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(base.body.size()));
  state.counters["body_bytes"] = static_cast<double>(base.body.size());
}
BENCHMARK(BM_SignGetMetricData);

}  // namespace
