// Indicators added, revoked and expired while a scan is running take effect
// without restarting it: a follow-mode scan reads a FIFO while the test
// updates the matcher between batches of lines.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "match_test_util.h"

namespace kizuna::match {
namespace {

using testing::FakeClock;
using testing::IdFor;
using testing::Ind;
using testing::kNow;

// Collects matches; lets the test wait for the marker of each batch.
class WaitingSink final : public MatchSink {
 public:
  explicit WaitingSink(const Matcher& m) : m_(m) {}
  void OnMatch(const MatchRecord& r) override {
    std::lock_guard lock(mu_);
    std::string id = m_.IndicatorId(r.ordinal);
    if (id == IdFor(0)) {
      ++markers_;
    } else {
      seen_.push_back(std::string(r.value) + " " + id);
    }
    cv_.notify_all();
  }
  // Waits for the n-th marker; returns the matches seen since the last call.
  std::vector<std::string> WaitForMarker(int n) {
    std::unique_lock lock(mu_);
    bool ok = cv_.wait_for(lock, std::chrono::seconds(60), [&] { return markers_ >= n; });
    EXPECT_TRUE(ok) << "marker " << n << " never arrived";
    std::vector<std::string> out = std::move(seen_);
    seen_.clear();
    return out;
  }

 private:
  const Matcher& m_;
  std::mutex mu_;
  std::condition_variable cv_;
  int markers_ = 0;
  std::vector<std::string> seen_;
};

TEST(IncrementalTest, AddedRevokedAndExpiredDuringAScan) {
  FakeClock clock(kNow);
  Matcher matcher(MatcherOptions{true, &clock});
  // Indicator 0 is the batch marker; 1 is there from the start.
  matcher.Apply({Ind(0, "[domain-name:value = 'marker.example']"),
                 Ind(1, "[domain-name:value = 'a.example']")});
  const char* tmp = std::getenv("TMPDIR");
  std::string fifo = std::string(tmp ? tmp : "/tmp") + "/kizuna-fifo-" + std::to_string(getpid());
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);

  ScanOptions o;
  o.format = LogFormat::kLines;
  o.threads = 2;
  o.follow = true;
  o.poll_ms = 20;
  Scanner scanner(&matcher, o);
  WaitingSink sink(matcher);
  Result<ScanStats> result = Internal("not run");
  std::thread scan([&] { result = scanner.Scan({fifo}, &sink); });
  int fd = ::open(fifo.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  int batch = 0;
  auto write_batch = [&](const std::string& lines) {
    std::string text = lines + "marker.example\n";
    ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    ++batch;
  };
  using V = std::vector<std::string>;

  write_batch("a.example\nb.example\n");
  EXPECT_EQ(sink.WaitForMarker(batch), (V{"a.example " + IdFor(1)}));

  // Added while scanning.
  auto b = Ind(2, "[domain-name:value = 'b.example']");
  b.valid_until_us = kNow + 60LL * 1000000;
  ApplyStats st = matcher.Apply({b});
  EXPECT_EQ(st.added, 1);
  write_batch("b.example\n");
  EXPECT_EQ(sink.WaitForMarker(batch), (V{"b.example " + IdFor(2)}));

  // Revoked while scanning.
  auto a_revoked = Ind(1, "[domain-name:value = 'a.example']");
  a_revoked.revoked = true;
  a_revoked.modified_us += 1000;
  st = matcher.Apply({a_revoked});
  EXPECT_EQ(st.revoked, 1);
  write_batch("a.example\nb.example\n");
  EXPECT_EQ(sink.WaitForMarker(batch), (V{"b.example " + IdFor(2)}));

  // Expired: valid_until passes; no update is applied.
  clock.Set(kNow + 61LL * 1000000);
  write_batch("b.example\n");
  EXPECT_EQ(sink.WaitForMarker(batch), V{});

  // Many more indicators arrive (enough to merge the delta into the base).
  std::vector<IndicatorRecord> many;
  for (int i = 100; i < 70100; ++i) {
    many.push_back(Ind(i, "[ipv4-addr:value = '10." + std::to_string(i / 65536) + "." +
                              std::to_string((i / 256) % 256) + "." + std::to_string(i % 256) +
                              "']"));
    many.back().valid_until_us = kNow + 3600LL * 1000000;
  }
  st = matcher.Apply(std::move(many));
  EXPECT_EQ(st.added, 70000);
  write_batch("10.0.0.100\n10.1.17.111\n10.9.9.9\n");
  EXPECT_EQ(sink.WaitForMarker(batch),
            (V{"10.0.0.100 " + IdFor(100), "10.1.17.111 " + IdFor(65536 + 17 * 256 + 111)}));

  ::close(fd);
  scanner.Stop();
  scan.join();
  ::unlink(fifo.c_str());
  ASSERT_TRUE(result.ok()) << result.error().ToString();
  EXPECT_EQ(result->matches, 5 + batch);  // a, b, b, two addresses, and the markers
}

}  // namespace
}  // namespace kizuna::match
