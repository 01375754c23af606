#include "agent/status/series_tables.hpp"

#include <algorithm>
#include <cstdint>
#include <set>
#include <string_view>
#include <tuple>

#include "agent/status/exposition.hpp"

namespace bw::agent {

// ---- OneLabelGaugeTable -------------------------------------------------------------------------

OneLabelGaugeTable::OneLabelGaugeTable(std::string label, const std::vector<std::pair<std::string, double>>& series)
    : label_(std::move(label)) {
  // Sorted by label value as the registry's map sorts {label: value} sets; the last of equal ones wins.
  std::vector<std::uint32_t> order(series.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return series[a].first < series[b].first; });
  offsets_.reserve(order.size() + 1);
  values_.reserve(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    const auto& [value_text, value] = series[order[k]];
    if (k + 1 < order.size() && series[order[k + 1]].first == value_text) continue;
    offsets_.push_back(static_cast<std::uint32_t>(text_.size()));
    text_ += exposition::escape_label_value(value_text);
    values_.push_back(value);
  }
  offsets_.push_back(static_cast<std::uint32_t>(text_.size()));
}

double OneLabelGaugeTable::value(const MetricLabels& labels) const {
  if (labels.size() != 1 || labels[0].first != label_) return 0;
  const auto wanted = exposition::escape_label_value(labels[0].second);
  for (std::size_t i = 0; i < values_.size(); ++i)
    if (label_value(i) == wanted) return values_[i];
  return 0;
}

bool OneLabelGaugeTable::render(std::string_view name, std::string& out, std::size_t chunk,
                                const MetricsWriter& flush) const {
  for (std::size_t i = 0; i < values_.size(); ++i) {
    out += name;
    out += '{';
    out += label_;
    out += "=\"";
    out += label_value(i);
    out += "\"} ";
    out += exposition::format_value(values_[i]);
    out += '\n';
    if (out.size() >= chunk) {
      const bool ok = flush(out);
      out.clear();
      if (!ok) return false;
    }
  }
  return true;
}

// ---- RuleStateTable -----------------------------------------------------------------------------

namespace {

// The rule states in the order their names sort, as the registry's map orders label sets.
const std::vector<std::pair<std::string_view, AlarmState>>& sorted_states() {
  static const auto states = [] {
    std::vector<std::pair<std::string_view, AlarmState>> v;
    for (auto s : {AlarmState::Ok, AlarmState::Alarm, AlarmState::InsufficientData, AlarmState::Drained})
      v.emplace_back(to_string(s), s);
    std::sort(v.begin(), v.end());
    return v;
  }();
  return states;
}

// The series labels after `rule` and `state`: names in snake_case, valid and unique (a name already
// present, such as a dimension `State` or both `modelId` and `model_id`, gets "label_" prefixed until
// it is not), values as they are.
MetricLabels extra_labels(const std::vector<Dimension>& dims) {
  MetricLabels labels;
  labels.reserve(dims.size());
  std::set<std::string> used{"rule", "state", "le"};
  for (const auto& d : dims) {
    auto name = exposition::snake_case_label_name(d.name);
    if (name.rfind("__", 0) == 0) name.insert(0, "label");  // "__" names are reserved by Prometheus
    while (used.count(name) != 0) name.insert(0, "label_");
    used.insert(name);
    labels.emplace_back(std::move(name), d.value);
  }
  return labels;
}

void append_extra(std::string& out, const MetricLabels& labels, std::size_t from) {
  for (std::size_t i = from; i < labels.size(); ++i) {
    out += ',';
    out += labels[i].first;
    out += "=\"";
    out += exposition::escape_label_value(labels[i].second);
    out += '"';
  }
}

}  // namespace

void RuleStateTable::Builder::add(const std::string& rule, const std::vector<Dimension>& labels, AlarmState state) {
  auto r = rules_.try_emplace(rule, static_cast<std::uint32_t>(rules_.size())).first->second;
  auto l = label_sets_.try_emplace(labels, static_cast<std::uint32_t>(label_sets_.size())).first->second;
  rows_.push_back({r, l, state});
}

std::shared_ptr<const RuleStateTable> RuleStateTable::Builder::build() {
  auto table = std::make_shared<RuleStateTable>();
  // Rules in name order.
  std::vector<std::uint32_t> rule_rank(rules_.size());
  table->rules_.reserve(rules_.size());
  for (const auto& [name, index] : rules_) {
    rule_rank[index] = static_cast<std::uint32_t>(table->rules_.size());
    table->rules_.push_back(exposition::escape_label_value(name));
  }
  // Label sets in the order of their rendered label pairs (what the registry's map compares).
  std::vector<MetricLabels> rendered(label_sets_.size());
  for (const auto& [dims, index] : label_sets_) rendered[index] = extra_labels(dims);
  std::vector<std::uint32_t> order(rendered.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return rendered[a] < rendered[b]; });
  std::vector<std::uint32_t> label_rank(rendered.size());
  table->label_offsets_.reserve(rendered.size() + 1);
  for (std::uint32_t rank = 0; rank < order.size(); ++rank) {
    label_rank[order[rank]] = rank;
    table->label_offsets_.push_back(static_cast<std::uint32_t>(table->labels_.size()));
    append_extra(table->labels_, rendered[order[rank]], 0);
  }
  table->label_offsets_.push_back(static_cast<std::uint32_t>(table->labels_.size()));
  // Rows by (rule, labels); of duplicates the last added wins, as with a map.
  std::vector<RuleStateTable::Row> rows;
  rows.reserve(rows_.size());
  for (const auto& r : rows_) rows.push_back({rule_rank[r.rule], label_rank[r.labels], r.state});
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return std::tie(a.rule, a.labels) < std::tie(b.rule, b.labels); });
  for (const auto& r : rows) {
    if (!table->rows_.empty() && table->rows_.back().rule == r.rule && table->rows_.back().labels == r.labels)
      table->rows_.back() = r;
    else
      table->rows_.push_back(r);
  }
  table->rows_.shrink_to_fit();
  rows_.clear();
  rules_.clear();
  label_sets_.clear();
  return table;
}

std::size_t RuleStateTable::series_count() const { return rows_.size() * sorted_states().size(); }

double RuleStateTable::value(const MetricLabels& labels) const {
  if (labels.size() < 2 || labels[0].first != "rule" || labels[1].first != "state") return 0;
  const auto rule = std::lower_bound(rules_.begin(), rules_.end(), exposition::escape_label_value(labels[0].second));
  if (rule == rules_.end() || *rule != exposition::escape_label_value(labels[0].second)) return 0;
  const auto r = static_cast<std::uint32_t>(rule - rules_.begin());
  std::string extra;
  append_extra(extra, labels, 2);
  for (const auto& row : rows_) {
    if (row.rule != r) continue;
    const std::string_view text(labels_.data() + label_offsets_[row.labels],
                                label_offsets_[row.labels + 1] - label_offsets_[row.labels]);
    if (text != extra) continue;
    for (const auto& [name, state] : sorted_states())
      if (name == labels[1].second) return state == row.state ? 1 : 0;
  }
  return 0;
}

bool RuleStateTable::render(std::string_view name, std::string& out, std::size_t chunk,
                            const MetricsWriter& flush) const {
  const auto send = [&] {
    const bool ok = flush(out);
    out.clear();
    return ok;
  };
  for (std::size_t begin = 0; begin < rows_.size();) {
    std::size_t end = begin;
    while (end < rows_.size() && rows_[end].rule == rows_[begin].rule) ++end;
    const auto& rule = rules_[rows_[begin].rule];
    for (const auto& [state_name, state] : sorted_states()) {
      for (std::size_t i = begin; i < end; ++i) {
        const auto& row = rows_[i];
        out += name;
        out += "{rule=\"";
        out += rule;
        out += "\",state=\"";
        out += state_name;
        out += '"';
        out.append(labels_, label_offsets_[row.labels], label_offsets_[row.labels + 1] - label_offsets_[row.labels]);
        out += row.state == state ? "} 1\n" : "} 0\n";
        if (out.size() >= chunk && !send()) return false;
      }
    }
    begin = end;
  }
  return true;
}

}  // namespace bw::agent
