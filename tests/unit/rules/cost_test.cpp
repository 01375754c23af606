#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "rules/kinds.hpp"

namespace bw {
namespace {

constexpr Duration kMinute{60};
const Time kEnd = from_epoch(1'795'327'200);  // 2026-11-22T06:00:00Z

std::vector<Slot> tpm(const std::string& text) {
  std::vector<std::optional<double>> values;
  std::istringstream in(text);
  std::string token;
  while (in >> token) values.push_back(token == "-" ? std::nullopt : std::optional<double>(std::stod(token)));
  std::vector<Slot> out;
  for (std::size_t i = 0; i < values.size(); ++i)
    out.push_back({kEnd - kMinute * static_cast<int>(values.size() - i), values[i]});
  return out;
}

// Representative 2026 Amazon Nova Lite on-demand prices, batch at 50% off.
const Price kNovaLite{0.06, 0.24, 0.5};
// Round numbers that are exact in binary, for boundaries: $1 per 1M tokens either way, 50% off.
const Price kRound{1.0, 1.0, 0.5};

CostSpec budget(std::optional<double> per_hour, std::optional<double> per_day) { return CostSpec{per_hour, per_day}; }

struct Case {
  const char* name;
  CostSpec spec;
  Price price;
  const char* input;
  const char* output;
  AlarmState expected;
  const char* reason;
};

TEST(Cost, Table) {
  const Case rows[] = {
      {"Nova Lite over the daily budget", budget(std::nullopt, 20), kNovaLite, "1250000", "300000", AlarmState::Alarm,
       "Burn rate $4.41/h at batch prices (50% off; input 1.25M tok/min, output 300k tok/min), projected "
       "$105.84/day, over the budget of $20.00/day"},
      {"Nova Lite within both budgets", budget(5, 200), kNovaLite, "1250000", "300000", AlarmState::Ok,
       "projected $105.84/day, within the budgets of $5.00/h and $200.00/day"},
      {"only the hourly budget is over", budget(4, 200), kNovaLite, "1250000", "300000", AlarmState::Alarm,
       "over the budget of $4.00/h"},
      {"both over", budget(3, 20), kNovaLite, "1250000", "300000", AlarmState::Alarm,
       "over the budgets of $3.00/h and $20.00/day"},
      {"exactly the hourly budget is within it", budget(30, std::nullopt), kRound, "1000000", "0", AlarmState::Ok,
       "Burn rate $30.00/h at batch prices (50% off; input 1M tok/min, output 0 tok/min), projected "
       "$720.00/day, within the budget of $30.00/h"},
      {"a cent over the hourly budget", budget(29.99, std::nullopt), kRound, "1000000", "0", AlarmState::Alarm,
       "over the budget of $29.99/h"},
      {"exactly the daily budget is within it", budget(std::nullopt, 720), kRound, "1000000", "-", AlarmState::Ok,
       "within the budget of $720.00/day"},
      {"missing output counts as zero", budget(std::nullopt, 100), kRound, "1000000", "- -", AlarmState::Alarm,
       "output no datapoints, counted as 0), projected $720.00/day"},
      {"input is averaged over the real slots", budget(std::nullopt, 1000), kRound, "500000 - 1500000", "",
       AlarmState::Ok, "input 1M tok/min"},
      {"no input datapoint", budget(1, 1), kRound, "- - -", "300000", AlarmState::InsufficientData,
       "No input token datapoints in the last 3 periods"},
      {"on-demand pricing", budget(std::nullopt, 2000), Price{1.0, 1.0, 0.0}, "1000000", "0", AlarmState::Ok,
       "Burn rate $60.00/h at on-demand prices (input 1M tok/min"},
      {"no budget is a readout", budget(std::nullopt, std::nullopt), kNovaLite, "1250000", "300000", AlarmState::Ok,
       "projected $105.84/day; no budget set"},
      {"a trickle is not free", budget(std::nullopt, 1), kNovaLite, "100", "-", AlarmState::Ok, "Burn rate $0.0002/h"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    const auto ev = evaluate_cost(r.spec, r.price, tpm(r.input), tpm(r.output));
    EXPECT_EQ(to_string(ev.state), to_string(r.expected)) << ev.reason;
    EXPECT_NE(ev.reason.find(r.reason), std::string::npos) << ev.reason;
  }
}

TEST(Cost, ValueIsProjectedDollarsPerDay) {
  auto ev = evaluate_cost(budget(std::nullopt, 20), kNovaLite, tpm("1250000 -"), tpm("300000"));
  ASSERT_TRUE(ev.value);
  // (1.25M x 0.06 + 0.3M x 0.24) / 1M x 60 x 0.5 x 24
  EXPECT_NEAR(*ev.value, 105.84, 1e-9);
  EXPECT_EQ(ev.value_time, kEnd - 2 * kMinute);  // the newest real input slot
  ev = evaluate_cost(budget(std::nullopt, 20), kNovaLite, tpm("-"), tpm("300000"));
  EXPECT_FALSE(ev.value);
}

TEST(Cost, FlappingAroundTheBudgetFollowsEachEvaluation) {
  // $30/h at 1M tok/min; the budget is $30/h: the state follows the mean of the window each time.
  const std::pair<const char*, AlarmState> rows[] = {
      {"1000000 1000000", AlarmState::Ok},   {"1000000 1000002", AlarmState::Alarm}, {"1000002 999998", AlarmState::Ok},
      {"999000 1001100", AlarmState::Alarm}, {"1001100 998900", AlarmState::Ok},
  };
  for (const auto& [input, expected] : rows) {
    const auto ev = evaluate_cost(budget(30, std::nullopt), kRound, tpm(input), tpm(""));
    EXPECT_EQ(ev.state, expected) << input << ": " << ev.reason;
  }
}

}  // namespace
}  // namespace bw
