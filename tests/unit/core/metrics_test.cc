#include "core/metrics.h"

#include <gtest/gtest.h>

#include <sstream>
#include <thread>

namespace kizuna::metrics {
namespace {

bool IsNameChar(char c, bool first, bool colon) {
  bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
  return alpha || (!first && c >= '0' && c <= '9');
}

// Consumes a metric (colon = true) or label name; false if there is none.
bool TakeName(std::string_view* s, bool colon) {
  size_t n = 0;
  while (n < s->size() && IsNameChar((*s)[n], n == 0, colon)) ++n;
  if (n == 0) return false;
  s->remove_prefix(n);
  return true;
}

bool IsValue(std::string_view v) {
  if (v == "+Inf" || v == "-Inf" || v == "NaN") return true;
  if (v.empty()) return false;
  return v.find_first_not_of("0123456789.e+-") == std::string_view::npos;
}

// A sample line: name, optional {label="value",...}, a space, a value.
bool IsSampleLine(std::string_view s) {
  if (!TakeName(&s, true)) return false;
  if (!s.empty() && s[0] == '{') {
    s.remove_prefix(1);
    for (bool first = true; !s.empty() && s[0] != '}'; first = false) {
      if (!first) {
        if (s[0] != ',') return false;
        s.remove_prefix(1);
      }
      if (!TakeName(&s, false) || s.size() < 2 || s[0] != '=' || s[1] != '"') return false;
      s.remove_prefix(2);
      while (!s.empty() && s[0] != '"') {
        if (s[0] == '\\') {
          if (s.size() < 2 || std::string_view("\\\"n").find(s[1]) == std::string_view::npos)
            return false;
          s.remove_prefix(1);
        } else if (s[0] == '\n') {
          return false;
        }
        s.remove_prefix(1);
      }
      if (s.empty()) return false;
      s.remove_prefix(1);  // closing quote
    }
    if (s.empty()) return false;
    s.remove_prefix(1);  // '}'
  }
  if (s.empty() || s[0] != ' ') return false;
  return IsValue(s.substr(1));
}

bool IsCommentLine(std::string_view s) {
  for (std::string_view kind : {"# HELP ", "# TYPE "}) {
    if (!s.starts_with(kind)) continue;
    s.remove_prefix(kind.size());
    if (!TakeName(&s, true) || s.empty() || s[0] != ' ') return false;
    if (kind == "# TYPE ") {
      std::string_view t = s.substr(1);
      return t == "counter" || t == "gauge" || t == "histogram";
    }
    return true;
  }
  return false;
}

// Every line of the text format is a comment (# HELP / # TYPE) or a sample.
void ExpectValidExposition(const std::string& text) {
  ASSERT_FALSE(text.empty());
  ASSERT_EQ(text.back(), '\n');
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    EXPECT_TRUE(IsCommentLine(line) || IsSampleLine(line)) << "bad line: " << line;
}

TEST(MetricsTest, ValidatorRejectsBadLines) {
  for (const char* bad : {"1abc 1", "a{b=\"c} 1", "a{b=\"c\"} ", "a{b=\"c\"}1", "a{=\"c\"} 1",
                          "a{b=\"\\x\"} 1", "a 1 2", "# TYPE a summary", "a{b=\"c\",} 1"})
    EXPECT_FALSE(IsCommentLine(bad) || IsSampleLine(bad)) << bad;
  for (const char* good : {"a 1", "a:b_c{d=\"e\",f=\"\\\"\\n\"} +Inf", "# HELP a x y",
                           "# TYPE a counter", "a -2.5e-07"})
    EXPECT_TRUE(IsCommentLine(good) || IsSampleLine(good)) << good;
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
  auto& h =
      r.AddHistogram("test_latency_seconds", "Latency.", {"route"}, {0.1, 1, 10}).WithLabels({"x"});
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
