#pragma once
// Metrics of several AWS accounts and regions behind one MetricSource (aws.accounts).
//
// Every rule's metric carries the wildcard dimensions `account` and `region` (config::add_account_dimensions);
// this source strips them before asking the CloudWatch of that account and region, and adds them back to
// what it discovers, so the engine sees one series per (account, region, other dimensions).
#include <memory>
#include <string>
#include <vector>

#include "agent/cycle/metric_source.hpp"

namespace bw::agent {

class AccountsSource final : public MetricSource {
 public:
  struct Member {
    std::string account;  // the `account` dimension's value (config::Account::name)
    std::string region;   // the `region` dimension's value
    std::unique_ptr<MetricSource> source;  // that account's CloudWatch in that region
  };
  explicit AccountsSource(std::vector<Member> members) : members_(std::move(members)) {}

  // Asks every member, in order; the account/region dimensions of `metric` are stripped first (and
  // filter the members when not "*"). Fixed dimensions (no other wildcard) are returned as they are,
  // without a ListMetrics call.
  aws::Result<std::vector<std::vector<Dimension>>> discover(const config::MetricSpec& metric) override;
  // Keys grouped by their account/region values, one fetch per member, results in the caller's order.
  // A key naming no member (or lacking the dimensions) gets no datapoints.
  aws::Result<std::vector<std::vector<Datapoint>>> fetch(const std::vector<SeriesKey>& keys, Time start,
                                                    Time end) override;

  const std::vector<Member>& members() const { return members_; }

 private:
  std::vector<Member> members_;
};

}  // namespace bw::agent
