// Parsing one ListModelInvocationJobs page of 1,000 jobs (Bedrock's largest page): the job watch parses every
// page of every list pass, and the target is 2 ms a page.
#include <benchmark/benchmark.h>

#include <string>

#include <nlohmann/json.hpp>

#include "aws/bedrock.hpp"
#include "tests/support/bedrock_pages.hpp"

namespace {

void BM_ParseBedrockJobPage1000(benchmark::State& state) {
  const std::string body = bw::test::bedrock_job_page_json(0, 1000, "next-page-token");
  for (auto _ : state) {
    auto page = bw::aws::parse_model_invocation_job_page(body);
    if (!page || page->jobs.size() != 1000) state.SkipWithError("the page did not parse");
    benchmark::DoNotOptimize(page);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(body.size()));
  state.counters["page_bytes"] = static_cast<double>(body.size());
}
BENCHMARK(BM_ParseBedrockJobPage1000)->Unit(benchmark::kMicrosecond);

// The general parser on the same page (tree only, no field extraction), for comparison.
void BM_ParseBedrockJobPage1000Dom(benchmark::State& state) {
  const std::string body = bw::test::bedrock_job_page_json(0, 1000, "next-page-token");
  for (auto _ : state) {
    auto tree = nlohmann::json::parse(body);
    benchmark::DoNotOptimize(tree);
  }
}
BENCHMARK(BM_ParseBedrockJobPage1000Dom)->Unit(benchmark::kMicrosecond);

}  // namespace
