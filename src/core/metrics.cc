#include "core/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <variant>

namespace kizuna::metrics {

namespace {

[[noreturn]] void Die(std::string_view what) {
  std::fprintf(stderr, "metrics: programmer error: %.*s\n", static_cast<int>(what.size()),
               what.data());
  std::abort();
}

bool IsMetricName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    bool digit = c >= '0' && c <= '9';
    if (!(alpha || (i > 0 && digit))) return false;
  }
  return true;
}

bool IsLabelName(std::string_view s) {
  if (s.empty() || s.starts_with("__") || s == "le") return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    if (!(alpha || (i > 0 && digit))) return false;
  }
  return true;
}

// Text format: label values escape backslash, double quote and line feed.
void AppendLabelValue(std::string* out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '"':
        out->append("\\\"");
        break;
      case '\n':
        out->append("\\n");
        break;
      default:
        out->push_back(c);
    }
  }
}

// Text format: HELP text escapes backslash and line feed.
void AppendHelp(std::string* out, std::string_view v) {
  for (char c : v) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      default:
        out->push_back(c);
    }
  }
}

// Go's ParseFloat spellings for the special values.
void AppendDouble(std::string* out, double v) {
  if (std::isnan(v)) {
    out->append("NaN");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
  } else {
    fmt::format_to(std::back_inserter(*out), "{}", v);
  }
}

void AppendLabels(std::string* out, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, std::string_view extra_name = {},
                  std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return;
  out->push_back('{');
  bool first = true;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!first) out->push_back(',');
    first = false;
    out->append(names[i]);
    out->append("=\"");
    AppendLabelValue(out, values[i]);
    out->push_back('"');
  }
  if (!extra_name.empty()) {
    if (!first) out->push_back(',');
    out->append(extra_name);
    out->append("=\"");
    out->append(extra_value);
    out->push_back('"');
  }
  out->push_back('}');
}

void AppendHeader(std::string* out, std::string_view name, std::string_view help,
                  std::string_view type) {
  out->append("# HELP ");
  out->append(name);
  out->push_back(' ');
  AppendHelp(out, help);
  out->append("\n# TYPE ");
  out->append(name);
  out->push_back(' ');
  out->append(type);
  out->push_back('\n');
}

std::atomic<size_t> next_shard{0};

}  // namespace

size_t ThisThreadShard() {
  thread_local const size_t shard = next_shard.fetch_add(1, std::memory_order_relaxed) % kShards;
  return shard;
}

uint64_t Counter::Value() const {
  uint64_t total = 0;
  for (const auto& s : shards_) total += s.value.load(std::memory_order_relaxed);
  return total;
}

Histogram::Histogram(std::span<const double> bounds) : bounds_(bounds.begin(), bounds.end()) {
  constexpr size_t kPerLine = 64 / sizeof(std::atomic<uint64_t>);
  stride_ = (bounds_.size() + 1 + kPerLine - 1) / kPerLine * kPerLine;
  size_t n = stride_ * kShards;
  void* mem = ::operator new(n * sizeof(std::atomic<uint64_t>), std::align_val_t(64));
  counts_ = static_cast<std::atomic<uint64_t>*>(mem);
  for (size_t i = 0; i < n; ++i) new (&counts_[i]) std::atomic<uint64_t>(0);
}

Histogram::~Histogram() { ::operator delete(static_cast<void*>(counts_), std::align_val_t(64)); }

void Histogram::Observe(double value) {
  // "le": the first bucket whose upper bound is >= value; NaN goes to +Inf.
  size_t bucket = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                      bounds_.begin());
  size_t shard = ThisThreadShard();
  counts_[shard * stride_ + bucket].fetch_add(1, std::memory_order_relaxed);
  sums_[shard].sum.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Collect() const {
  Snapshot snap;
  std::vector<uint64_t> per_bucket(bounds_.size() + 1, 0);
  for (size_t s = 0; s < kShards; ++s) {
    for (size_t b = 0; b <= bounds_.size(); ++b)
      per_bucket[b] += counts_[s * stride_ + b].load(std::memory_order_relaxed);
    snap.sum += sums_[s].sum.load(std::memory_order_relaxed);
  }
  snap.cumulative.resize(per_bucket.size());
  uint64_t running = 0;
  for (size_t b = 0; b < per_bucket.size(); ++b) {
    running += per_bucket[b];
    snap.cumulative[b] = running;
  }
  snap.count = running;
  return snap;
}

std::vector<double> LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

namespace internal {

bool LabelsLess::operator()(const std::vector<std::string>& a,
                            const std::vector<std::string>& b) const {
  return a < b;
}

bool LabelsLess::operator()(const std::vector<std::string>& a,
                            std::span<const std::string_view> b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](std::string_view x, std::string_view y) { return x < y; });
}

bool LabelsLess::operator()(std::span<const std::string_view> a,
                            const std::vector<std::string>& b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](std::string_view x, std::string_view y) { return x < y; });
}

}  // namespace internal

template <typename T>
T& Family<T>::WithLabels(std::span<const std::string_view> values) {
  if (values.size() != label_names_.size())
    Die(fmt::format("{}: {} label values for {} labels", name_, values.size(),
                    label_names_.size()));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = series_.find(values);
  if (it != series_.end()) return *it->second;
  std::vector<std::string> key(values.begin(), values.end());
  std::unique_ptr<T> series;
  if constexpr (std::is_same_v<T, Histogram>) {
    series = std::make_unique<T>(bounds_);
  } else {
    series = std::make_unique<T>();
  }
  T& ref = *series;
  series_.emplace(std::move(key), std::move(series));
  return ref;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

struct Registry::Entry {
  Type type;
  std::unique_ptr<CounterFamily> counters;
  std::unique_ptr<GaugeFamily> gauges;
  std::unique_ptr<HistogramFamily> histograms;
  // Callback gauges.
  std::string help;
  std::function<double()> callback;
  const std::vector<std::string>& label_names() const {
    static const std::vector<std::string> kNone;
    if (counters) return counters->label_names();
    if (gauges) return gauges->label_names();
    if (histograms) return histograms->label_names();
    return kNone;
  }
};

Registry::Registry() = default;
Registry::~Registry() = default;

Registry& Registry::Default() {
  static Registry* registry = new Registry();  // never destroyed: used until exit
  return *registry;
}

Registry::Entry& Registry::Find(std::string_view name, Type type,
                                const std::vector<std::string>& label_names,
                                const std::vector<double>& bounds, bool* created) {
  if (!IsMetricName(name)) Die(fmt::format("invalid metric name '{}'", name));
  for (size_t i = 0; i < label_names.size(); ++i) {
    if (!IsLabelName(label_names[i]))
      Die(fmt::format("{}: invalid label name '{}'", name, label_names[i]));
    for (size_t j = 0; j < i; ++j)
      if (label_names[i] == label_names[j])
        Die(fmt::format("{}: duplicate label '{}'", name, label_names[i]));
  }
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1]))
      Die(fmt::format("{}: buckets must be finite and increasing", name));
  }
  auto it = families_.find(name);
  if (it != families_.end()) {
    Entry& e = *it->second;
    bool same = e.type == type && !e.callback && e.label_names() == label_names &&
                (type != Type::kHistogram || e.histograms->bounds_ == bounds);
    if (!same) Die(fmt::format("{}: registered twice with different shapes", name));
    *created = false;
    return e;
  }
  auto entry = std::make_unique<Entry>();
  entry->type = type;
  Entry& ref = *entry;
  families_.emplace(std::string(name), std::move(entry));
  *created = true;
  return ref;
}

CounterFamily& Registry::AddCounter(std::string_view name, std::string_view help,
                                    std::vector<std::string> label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  bool created = false;
  Entry& e = Find(name, Type::kCounter, label_names, {}, &created);
  if (created)
    e.counters.reset(
        new CounterFamily(std::string(name), std::string(help), std::move(label_names), {}));
  return *e.counters;
}

GaugeFamily& Registry::AddGauge(std::string_view name, std::string_view help,
                                std::vector<std::string> label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  bool created = false;
  Entry& e = Find(name, Type::kGauge, label_names, {}, &created);
  if (created)
    e.gauges.reset(
        new GaugeFamily(std::string(name), std::string(help), std::move(label_names), {}));
  return *e.gauges;
}

HistogramFamily& Registry::AddHistogram(std::string_view name, std::string_view help,
                                        std::vector<std::string> label_names,
                                        std::vector<double> bounds) {
  std::lock_guard<std::mutex> lock(mu_);
  bool created = false;
  Entry& e = Find(name, Type::kHistogram, label_names, bounds, &created);
  if (created)
    e.histograms.reset(new HistogramFamily(std::string(name), std::string(help),
                                           std::move(label_names), std::move(bounds)));
  return *e.histograms;
}

void Registry::AddCallbackGauge(std::string_view name, std::string_view help,
                                std::function<double()> value) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!IsMetricName(name)) Die(fmt::format("invalid metric name '{}'", name));
  if (families_.count(name)) Die(fmt::format("{}: registered twice", name));
  auto entry = std::make_unique<Entry>();
  entry->type = Type::kGauge;
  entry->help = std::string(help);
  entry->callback = std::move(value);
  families_.emplace(std::string(name), std::move(entry));
}

std::string Registry::RenderPrometheus() const {
  std::string out;
  out.reserve(4096);
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, entry] : families_) {
    const Entry& e = *entry;
    if (e.callback) {
      AppendHeader(&out, name, e.help, "gauge");
      out.append(name);
      out.push_back(' ');
      AppendDouble(&out, e.callback());
      out.push_back('\n');
    } else if (e.counters) {
      const CounterFamily& f = *e.counters;
      AppendHeader(&out, name, f.help_, "counter");
      std::lock_guard<std::mutex> flock(f.mu_);
      for (const auto& [values, c] : f.series_) {
        out.append(name);
        AppendLabels(&out, f.label_names_, values);
        fmt::format_to(std::back_inserter(out), " {}\n", c->Value());
      }
    } else if (e.gauges) {
      const GaugeFamily& f = *e.gauges;
      AppendHeader(&out, name, f.help_, "gauge");
      std::lock_guard<std::mutex> flock(f.mu_);
      for (const auto& [values, g] : f.series_) {
        out.append(name);
        AppendLabels(&out, f.label_names_, values);
        out.push_back(' ');
        AppendDouble(&out, g->Value());
        out.push_back('\n');
      }
    } else if (e.histograms) {
      const HistogramFamily& f = *e.histograms;
      AppendHeader(&out, name, f.help_, "histogram");
      std::lock_guard<std::mutex> flock(f.mu_);
      for (const auto& [values, h] : f.series_) {
        Histogram::Snapshot snap = h->Collect();
        std::string le;
        for (size_t b = 0; b <= f.bounds_.size(); ++b) {
          le.clear();
          if (b < f.bounds_.size()) {
            AppendDouble(&le, f.bounds_[b]);
          } else {
            le = "+Inf";
          }
          out.append(name);
          out.append("_bucket");
          AppendLabels(&out, f.label_names_, values, "le", le);
          fmt::format_to(std::back_inserter(out), " {}\n", snap.cumulative[b]);
        }
        out.append(name);
        out.append("_sum");
        AppendLabels(&out, f.label_names_, values);
        out.push_back(' ');
        AppendDouble(&out, snap.sum);
        out.push_back('\n');
        out.append(name);
        out.append("_count");
        AppendLabels(&out, f.label_names_, values);
        fmt::format_to(std::back_inserter(out), " {}\n", snap.count);
      }
    }
  }
  return out;
}

}  // namespace kizuna::metrics
