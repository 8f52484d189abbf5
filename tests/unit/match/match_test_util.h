#pragma once
// Helpers for the matcher tests: indicators, a settable clock, and a scan of
// text through the real Scanner.

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "core/time.h"
#include "core/uuid.h"
#include "match/indicator.h"
#include "match/matcher.h"
#include "match/scanner.h"

namespace kizuna::match::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t now_us) : now_(now_us) {}
  int64_t NowMicros() const override { return now_.load(); }
  void Set(int64_t us) { now_.store(us); }

 private:
  std::atomic<int64_t> now_;
};

// 2025-06-01T00:00:00Z
inline constexpr int64_t kNow = 1748736000LL * 1000000;

inline std::string IdFor(int n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "indicator--00000000-0000-4000-8000-%012d", n);
  return buf;
}

inline IndicatorRecord Ind(int n, std::string pattern, std::string name = "") {
  IndicatorRecord r;
  r.id = IdFor(n);
  r.spec_version = "2.1";
  r.name = name.empty() ? "indicator " + std::to_string(n) : name;
  r.pattern = std::move(pattern);
  r.modified_us = kNow - 3600LL * 1000000;
  r.valid_from_us = kNow - 86400LL * 1000000;
  return r;
}

struct Found {
  std::string file;
  int64_t line;
  std::string value;
  std::string indicator;
  std::string how;
  std::string field;
  bool operator<(const Found& o) const {
    return std::tie(file, line, indicator, value) < std::tie(o.file, o.line, o.indicator, o.value);
  }
};

class CollectSink final : public MatchSink {
 public:
  explicit CollectSink(const Matcher& m) : m_(m) {}
  void OnMatch(const MatchRecord& r) override {
    found.push_back({std::string(r.file), r.line, std::string(r.value), m_.IndicatorId(r.ordinal),
                     std::string(HowName(r.how)), std::string(r.field)});
  }
  void OnMalformed(std::string_view file, int64_t line, std::string_view reason) override {
    malformed.push_back(std::string(file) + ":" + std::to_string(line) + ": " +
                        std::string(reason));
  }
  std::vector<Found> found;
  std::vector<std::string> malformed;

 private:
  const Matcher& m_;
};

// A file in $TMPDIR removed on destruction.
class TempFile {
 public:
  explicit TempFile(const std::string& content, const std::string& suffix = ".log") {
    const char* tmp = std::getenv("TMPDIR");
    path_ = std::string(tmp ? tmp : "/tmp") + "/kizuna-match-" + std::to_string(getpid()) + "-" +
            std::to_string(counter_++) + suffix;
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

inline std::vector<Found> Scan(Matcher& m, LogFormat format, const std::string& text,
                               std::vector<std::string>* malformed = nullptr, int threads = 1,
                               size_t chunk = 1 << 20) {
  TempFile f(text);
  ScanOptions o;
  o.format = format;
  o.threads = threads;
  o.chunk_bytes = chunk;
  Scanner s(&m, o);
  CollectSink sink(m);
  auto st = s.Scan({f.path()}, &sink);
  if (!st.ok()) ADD_FAILURE() << st.error().ToString();
  if (malformed) *malformed = sink.malformed;
  return sink.found;
}

}  // namespace kizuna::match::testing
