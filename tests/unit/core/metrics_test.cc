#include "core/metrics.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <thread>

namespace kizuna::metrics {
namespace {

// Every line of the text format is a comment (# HELP / # TYPE) or a sample:
// name, optional {label="value",...}, a space, a value.
void ExpectValidExposition(const std::string& text) {
  static const std::regex kHelp(R"(^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$)");
  static const std::regex kType(R"(^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram)$)");
  static const std::regex kSample(
      R"re(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*")*)?\})? (-?[0-9.e+-]+|\+Inf|-Inf|NaN)$)re");
  ASSERT_FALSE(text.empty());
  ASSERT_EQ(text.back(), '\n');
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    bool ok = std::regex_match(line, kHelp) || std::regex_match(line, kType) ||
              std::regex_match(line, kSample);
    EXPECT_TRUE(ok) << "bad line: " << line;
  }
}

TEST(MetricsTest, CountersAndGaugesRender) {
  Registry r;
  auto& requests = r.AddCounter("test_requests_total", "Requests.", {"route", "code"});
  requests.WithLabels({"objects", "200"}).Inc();
  requests.WithLabels({"objects", "200"}).Inc(2);
  requests.WithLabels({"discovery", "404"}).Inc();
  auto& open = r.AddGauge("test_open", "Open things.").Get();
  open.Inc();
  open.Inc();
  open.Dec();
  open.Add(0.5);
  EXPECT_EQ(r.RenderPrometheus(),
            "# HELP test_open Open things.\n"
            "# TYPE test_open gauge\n"
            "test_open 1.5\n"
            "# HELP test_requests_total Requests.\n"
            "# TYPE test_requests_total counter\n"
            "test_requests_total{route=\"discovery\",code=\"404\"} 1\n"
            "test_requests_total{route=\"objects\",code=\"200\"} 3\n");
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Registry r;
  auto& h = r.AddHistogram("test_latency_seconds", "Latency.", {"route"}, {0.1, 1, 10})
                .WithLabels({"x"});
  for (double v : {0.05, 0.1, 0.5, 2.0, 100.0}) h.Observe(v);
  EXPECT_EQ(r.RenderPrometheus(),
            "# HELP test_latency_seconds Latency.\n"
            "# TYPE test_latency_seconds histogram\n"
            "test_latency_seconds_bucket{route=\"x\",le=\"0.1\"} 2\n"
            "test_latency_seconds_bucket{route=\"x\",le=\"1\"} 3\n"
            "test_latency_seconds_bucket{route=\"x\",le=\"10\"} 4\n"
            "test_latency_seconds_bucket{route=\"x\",le=\"+Inf\"} 5\n"
            "test_latency_seconds_sum{route=\"x\"} 102.65\n"
            "test_latency_seconds_count{route=\"x\"} 5\n");
  auto snap = h.Collect();
  EXPECT_EQ(snap.count, 5u);
  EXPECT_EQ(snap.cumulative, (std::vector<uint64_t>{2, 3, 4, 5}));
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  Registry r;
  r.AddCounter("test_total", "Help with \\ and\nnewline.", {"v"})
      .WithLabels({"quote\" back\\ nl\n"})
      .Inc();
  std::string text = r.RenderPrometheus();
  EXPECT_NE(text.find("# HELP test_total Help with \\\\ and\\nnewline.\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("test_total{v=\"quote\\\" back\\\\ nl\\n\"} 1\n"), std::string::npos) << text;
  ExpectValidExposition(text);
}

TEST(MetricsTest, SpecialGaugeValues) {
  Registry r;
  r.AddGauge("test_inf", "x").Get().Set(std::numeric_limits<double>::infinity());
  r.AddGauge("test_nan", "x").Get().Set(std::numeric_limits<double>::quiet_NaN());
  r.AddGauge("test_neg", "x").Get().Set(-2.5);
  std::string text = r.RenderPrometheus();
  EXPECT_NE(text.find("test_inf +Inf\n"), std::string::npos);
  EXPECT_NE(text.find("test_nan NaN\n"), std::string::npos);
  EXPECT_NE(text.find("test_neg -2.5\n"), std::string::npos);
  ExpectValidExposition(text);
}

TEST(MetricsTest, RegisteringTwiceReturnsTheSameFamily) {
  Registry r;
  auto& a = r.AddCounter("test_total", "x", {"l"});
  auto& b = r.AddCounter("test_total", "x", {"l"});
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(&a.WithLabels({"v"}), &b.WithLabels({"v"}));
}

TEST(MetricsTest, ShapeMismatchIsAProgrammerError) {
  Registry r;
  r.AddCounter("test_total", "x", {"l"});
  EXPECT_DEATH(r.AddGauge("test_total", "x", {"l"}), "different shapes");
  EXPECT_DEATH(r.AddCounter("test_total", "x", {"other"}), "different shapes");
  EXPECT_DEATH(r.AddCounter("bad-name", "x"), "invalid metric name");
  EXPECT_DEATH(r.AddCounter("test2_total", "x", {"le"}), "invalid label name");
  EXPECT_DEATH(r.AddCounter("test_total", "x", {"l"}).WithLabels({"a", "b"}), "label values");
  EXPECT_DEATH(r.AddHistogram("test_h", "x", {}, {1, 1}), "increasing");
}

TEST(MetricsTest, ConcurrentIncrementsAreNotLost) {
  Registry r;
  auto& c = r.AddCounter("test_total", "x").Get();
  auto& h = r.AddHistogram("test_h", "x", {}, {1}).Get();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 100000; ++i) {
        c.Inc();
        h.Observe(0.5);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.Value(), 800000u);
  auto snap = h.Collect();
  EXPECT_EQ(snap.count, 800000u);
  EXPECT_DOUBLE_EQ(snap.sum, 400000.0);
}

TEST(MetricsTest, CallbackGaugeIsReadAtScrapeTime) {
  Registry r;
  double value = 1;
  r.AddCallbackGauge("test_objects", "Objects stored.", [&] { return value; });
  EXPECT_NE(r.RenderPrometheus().find("test_objects 1\n"), std::string::npos);
  value = 42;
  EXPECT_NE(r.RenderPrometheus().find("test_objects 42\n"), std::string::npos);
  ExpectValidExposition(r.RenderPrometheus());
}

TEST(MetricsTest, FullRegistryIsValidExposition) {
  Registry r;
  r.AddCounter("a_total", "A.", {"x", "y"}).WithLabels({"1", "2"}).Inc();
  r.AddGauge("b", "B.").Get().Set(3);
  r.AddHistogram("c_seconds", "C.", {"route"}, LatencyBuckets()).WithLabels({"r"}).Observe(0.003);
  r.AddCounter("d_total", "Unused family renders only its header.");
  ExpectValidExposition(r.RenderPrometheus());
}

}  // namespace
}  // namespace kizuna::metrics
