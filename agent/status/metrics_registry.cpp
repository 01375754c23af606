#include "agent/status/metrics_registry.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "agent/status/exposition.hpp"

namespace bw::agent {

void MetricsRegistry::declare(const std::string& name, Type type, std::string help, std::vector<double> buckets) {
  std::lock_guard lock(mu_);
  auto& family = families_[name];
  if ((!family.series.empty() || family.table) && family.type == type) return;
  family.type = type;
  family.help = std::move(help);
  if (type == Type::Histogram) {
    std::sort(buckets.begin(), buckets.end());
    buckets.erase(std::unique(buckets.begin(), buckets.end()), buckets.end());
    buckets.erase(std::remove_if(buckets.begin(), buckets.end(), [](double b) { return !std::isfinite(b); }),
                  buckets.end());
    family.bounds = std::move(buckets);
  }
  family.series.clear();
  family.table.reset();
}

MetricsRegistry::Family* MetricsRegistry::find(std::string_view name, Type type) {
  auto it = families_.find(name);
  if (it == families_.end() || it->second.type != type) return nullptr;
  return &it->second;
}

MetricsRegistry::Series& MetricsRegistry::series_of(Family& family, const MetricLabels& labels) {
  auto it = family.series.find(labels);
  if (it == family.series.end()) {
    it = family.series.emplace(labels, Series{}).first;
    if (family.type == Type::Histogram) it->second.buckets.assign(family.bounds.size() + 1, 0);
  }
  return it->second;
}

void MetricsRegistry::add(std::string_view name, const MetricLabels& labels, double delta) {
  if (!(delta >= 0)) return;  // counters only go up (this also drops NaN)
  std::lock_guard lock(mu_);
  if (auto* family = find(name, Type::Counter)) series_of(*family, labels).value += delta;
}

void MetricsRegistry::set(std::string_view name, const MetricLabels& labels, double value) {
  std::lock_guard lock(mu_);
  if (auto* family = find(name, Type::Gauge)) series_of(*family, labels).value = value;
}

void MetricsRegistry::observe(std::string_view name, const MetricLabels& labels, double value) {
  std::lock_guard lock(mu_);
  auto* family = find(name, Type::Histogram);
  if (family == nullptr || std::isnan(value)) return;
  auto& s = series_of(*family, labels);
  const auto bucket = std::lower_bound(family->bounds.begin(), family->bounds.end(), value) - family->bounds.begin();
  ++s.buckets[static_cast<std::size_t>(bucket)];  // le is inclusive: value == bound falls in that bucket
  s.sum += value;
  ++s.count;
}

void MetricsRegistry::replace(std::string_view name, const std::vector<std::pair<MetricLabels, double>>& series) {
  std::lock_guard lock(mu_);
  auto* family = find(name, Type::Gauge);
  if (family == nullptr) return;
  family->series.clear();
  family->table.reset();
  for (const auto& [labels, value] : series) series_of(*family, labels).value = value;
}

void MetricsRegistry::replace(std::string_view name, std::shared_ptr<const SeriesTable> table) {
  std::shared_ptr<const SeriesTable> old;  // freed outside the lock
  std::lock_guard lock(mu_);
  auto* family = find(name, Type::Gauge);
  if (family == nullptr) return;
  old = std::move(family->table);
  family->table = std::move(table);
  family->series.clear();
}

double MetricsRegistry::value(std::string_view name, const MetricLabels& labels) const {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto s = it->second.series.find(labels);
  if (s == it->second.series.end()) return it->second.table ? it->second.table->value(labels) : 0;
  return it->second.type == Type::Histogram ? static_cast<double>(s->second.count) : s->second.value;
}

std::size_t MetricsRegistry::series_count(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  return it->second.series.size() + (it->second.table ? it->second.table->series_count() : 0);
}

namespace {

void append_labels(std::string& out, const MetricLabels& labels, const std::string* le) {
  if (labels.empty() && le == nullptr) return;
  out += '{';
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    out += exposition::escape_label_value(value);
    out += '"';
  }
  if (le != nullptr) {
    if (!first) out += ',';
    out += "le=\"";
    out += *le;
    out += '"';
  }
  out += '}';
}

void append_sample(std::string& out, std::string_view name, const MetricLabels& labels, double v,
                   const std::string* le = nullptr) {
  out += name;
  append_labels(out, labels, le);
  out += ' ';
  out += exposition::format_value(v);
  out += '\n';
}

constexpr std::string_view type_name(MetricsRegistry::Type t) {
  switch (t) {
    case MetricsRegistry::Type::Counter: return "counter";
    case MetricsRegistry::Type::Gauge: return "gauge";
    case MetricsRegistry::Type::Histogram: return "histogram";
  }
  return "untyped";
}

}  // namespace

std::string MetricsRegistry::render() const {
  std::string out;
  render([&out](std::string_view piece) {
    out += piece;
    return true;
  });
  return out;
}

bool MetricsRegistry::render(const MetricsWriter& write) const {
  // Under the lock: the text of the map-held series (small: counters, histograms, per-target and
  // per-series gauges) and a reference to each table. Tables are rendered after, without the lock,
  // so a slow client never delays the poll loop's updates.
  struct Piece {
    std::string text;
    std::string name;  // of the table's family
    std::shared_ptr<const SeriesTable> table;
  };
  std::vector<Piece> pieces(1);
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, family] : families_) {
      auto& out = pieces.back().text;
      out += "# HELP " + name + ' ' + exposition::escape_help(family.help) + '\n';
      out += "# TYPE " + name + ' ';
      out += type_name(family.type);
      out += '\n';
      for (const auto& [labels, s] : family.series) {
        if (family.type != Type::Histogram) {
          append_sample(out, name, labels, s.value);
          continue;
        }
        const std::string bucket = name + "_bucket";
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < s.buckets.size(); ++i) {
          cumulative += s.buckets[i];
          const std::string le = i < family.bounds.size() ? exposition::format_value(family.bounds[i]) : "+Inf";
          append_sample(out, bucket, labels, static_cast<double>(cumulative), &le);
        }
        append_sample(out, name + "_sum", labels, s.sum);
        append_sample(out, name + "_count", labels, static_cast<double>(s.count));
      }
      if (family.table) {
        pieces.back().name = name;
        pieces.back().table = family.table;
        pieces.emplace_back();
      }
    }
  }
  std::string buf;
  for (auto& piece : pieces) {
    if (!piece.text.empty() && !write(piece.text)) return false;
    std::string().swap(piece.text);
    if (!piece.table) continue;
    buf.reserve(kRenderChunk + 1024);
    if (!piece.table->render(piece.name, buf, kRenderChunk, write)) return false;
    if (!buf.empty() && !write(buf)) return false;
    buf.clear();
  }
  return true;
}

}  // namespace bw::agent
