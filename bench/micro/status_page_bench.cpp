// Rendering the status page for 1,000 series (30 periods each; one in ten firing) and 200 jobs:
// time, page size, and the memory one render holds at its peak (counted by this binary's operator
// new, only while a render runs on the counting thread).
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>

#include "agent/status/status_page.hpp"
#include "tests/unit/agent/status/page_fixtures.hpp"

namespace {

thread_local bool counting = false;
thread_local std::int64_t live = 0, peak = 0;

void* counted(std::size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (!p) throw std::bad_alloc();
  if (counting) peak = std::max(peak, live += static_cast<std::int64_t>(malloc_usable_size(p)));
  return p;
}

void uncounted(void* p) noexcept {
  if (p && counting) live -= static_cast<std::int64_t>(malloc_usable_size(p));
  std::free(p);
}

}  // namespace

void* operator new(std::size_t n) { return counted(n); }
void* operator new[](std::size_t n) { return counted(n); }
void operator delete(void* p) noexcept { uncounted(p); }
void operator delete[](void* p) noexcept { uncounted(p); }
void operator delete(void* p, std::size_t) noexcept { uncounted(p); }
void operator delete[](void* p, std::size_t) noexcept { uncounted(p); }

namespace {

using bw::agent::render_status_page;

// As the server renders it: into a fresh string per request.
void BM_RenderStatusPage(benchmark::State& state) {
  const auto snapshot = bw::agent::testing::large_snapshot(static_cast<int>(state.range(0)),
                                                           static_cast<int>(state.range(1)), 10);
  const auto now = bw::agent::testing::page_time("2026-11-22T06:00:00Z");
  std::size_t bytes = 0;
  std::int64_t worst = 0;
  for (auto _ : state) {
    live = peak = 0;
    counting = true;
    std::string page;
    render_status_page(snapshot, now, page);
    bytes = page.size();
    benchmark::DoNotOptimize(page.data());
    counting = false;  // the page itself is freed uncounted, after the peak was read
    worst = std::max(worst, peak);
  }
  state.counters["page_bytes"] = static_cast<double>(bytes);
  state.counters["peak_heap_bytes"] = static_cast<double>(worst);
}
BENCHMARK(BM_RenderStatusPage)->Args({1000, 200})->Unit(benchmark::kMillisecond);

}  // namespace
