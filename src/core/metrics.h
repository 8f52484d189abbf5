#pragma once
// A small Prometheus metrics registry: counters, gauges and histograms grouped
// in families with fixed label names, rendered in the Prometheus text
// exposition format (version 0.0.4).
//
// Hot paths: Counter::Inc and Histogram::Observe are lock-free and sharded
// per thread (relaxed atomics on separate cache lines), so two threads
// counting the same series never contend. Looking a series up by its label
// values (WithLabels) takes the family's mutex; hot paths look a series up
// once and keep the reference.
//
// Ownership: a Registry owns its families and their series; every reference
// it returns stays valid until the Registry is destroyed.
// Thread-safety: every method of every class here may be called from any
// thread.
//
// Programmer errors (an invalid metric or label name, a family registered
// twice with a different type, label names or buckets, a label-value count
// that does not match the family) abort with a message: they are bugs in the
// code that registers metrics, never a reaction to input.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kizuna::metrics {

inline constexpr size_t kShards = 8;

// The shard of the calling thread: threads are numbered round-robin the first
// time they touch a metric.
size_t ThisThreadShard();

// A monotonically increasing count.
class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void Inc(uint64_t n = 1) {
    shards_[ThisThreadShard()].value.fetch_add(n, std::memory_order_relaxed);
  }
  // The sum over every shard.
  uint64_t Value() const;

 private:
  struct alignas(64) Shard {
    std::atomic<uint64_t> value{0};
  };
  std::array<Shard, kShards> shards_;
};

// A value that goes up and down (open connections, queue depth). One atomic:
// gauges change far less often than counters.
class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  void Inc() { Add(1); }
  void Dec() { Add(-1); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted in fixed buckets (upper bounds, "le"), plus their sum.
class Histogram {
 public:
  // REQUIRES: bounds finite and strictly increasing (checked by the family).
  explicit Histogram(std::span<const double> bounds);
  ~Histogram();
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Observe(double value);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
    uint64_t count = 0;
  };
  // Shards are read one by one while others may write: the snapshot is
  // consistent per bucket, not across buckets (what Prometheus expects).
  Snapshot Collect() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  size_t stride_;  // atomics per shard: one per bucket incl. +Inf, padded to a cache line
  std::atomic<uint64_t>* counts_;  // kShards * stride_, 64-byte aligned
  struct alignas(64) SumShard {
    std::atomic<double> sum{0};
  };
  std::array<SumShard, kShards> sums_;
};

// Buckets for request latencies in seconds, 100 us to 10 s.
std::vector<double> LatencyBuckets();

enum class Type { kCounter, kGauge, kHistogram };

namespace internal {
// Orders label-value tuples; finds a stored tuple from string_views without
// building strings (heterogeneous lookup).
struct LabelsLess {
  using is_transparent = void;
  bool operator()(const std::vector<std::string>& a, const std::vector<std::string>& b) const;
  bool operator()(const std::vector<std::string>& a, std::span<const std::string_view> b) const;
  bool operator()(std::span<const std::string_view> a, const std::vector<std::string>& b) const;
};
}  // namespace internal

class Registry;

// The series of one metric, one per distinct tuple of label values.
template <typename T>
class Family {
 public:
  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // The series for these label values (in label_names() order), created on
  // first use. REQUIRES: values.size() == label_names().size().
  T& WithLabels(std::span<const std::string_view> values);
  T& WithLabels(std::initializer_list<std::string_view> values) {
    return WithLabels(std::span<const std::string_view>(values.begin(), values.size()));
  }
  // The series of a family without labels.
  T& Get() { return WithLabels(std::span<const std::string_view>()); }

 private:
  friend class Registry;
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> bounds)
      : name_(std::move(name)),
        help_(std::move(help)),
        label_names_(std::move(label_names)),
        bounds_(std::move(bounds)) {}

  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;  // histograms only
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>, internal::LabelsLess> series_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The process-wide registry served on /metrics.
  static Registry& Default();

  // Registers a family, or returns the one already registered under `name`
  // (which must have the same type, label names and buckets). Names follow
  // Prometheus rules: [a-zA-Z_:][a-zA-Z0-9_:]*; counters should end in
  // "_total". Label names: [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__",
  // and never "le" (reserved for histogram buckets).
  CounterFamily& AddCounter(std::string_view name, std::string_view help,
                            std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(std::string_view name, std::string_view help,
                        std::vector<std::string> label_names = {});
  HistogramFamily& AddHistogram(std::string_view name, std::string_view help,
                                std::vector<std::string> label_names, std::vector<double> bounds);

  // A gauge without labels whose value is computed at scrape time (for
  // example objects stored). `value` runs on the scraping thread, must be
  // thread-safe and must not call back into this registry.
  void AddCallbackGauge(std::string_view name, std::string_view help,
                        std::function<double()> value);

  // Every family, sorted by name, in the text exposition format.
  std::string RenderPrometheus() const;

 private:
  struct Entry;
  Entry& Find(std::string_view name, Type type, const std::vector<std::string>& label_names,
              const std::vector<double>& bounds, bool* created);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> families_;
};

// The content type of RenderPrometheus() output.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

}  // namespace kizuna::metrics
