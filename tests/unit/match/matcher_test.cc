// The matcher: what each kind of indicator matches, validity, versions,
// revocation, deltas and merges, and patterns that need the evaluator.
#include <gtest/gtest.h>

#include <set>

#include "match/engine.h"
#include "pattern/parser.h"
#include "match_test_util.h"

namespace kizuna::match {
namespace {

using testing::FakeClock;
using testing::Ind;
using testing::kNow;

// One EVE line per event kind, with the values under test.
std::string Eve(const std::string& body) {
  return "{\"timestamp\":\"2025-05-31T10:00:00.000000+0000\",\"event_type\":\"x\"," + body + "}\n";
}

std::set<std::string> Ids(const std::vector<testing::Found>& f) {
  std::set<std::string> s;
  for (const auto& x : f) s.insert(x.indicator);
  return s;
}

class MatcherTest : public ::testing::Test {
 protected:
  MatcherTest() : clock_(kNow), matcher_(MatcherOptions{true, &clock_}) {}
  std::vector<testing::Found> ScanEve(const std::string& text) {
    return testing::Scan(matcher_, LogFormat::kEve, text);
  }
  FakeClock clock_;
  Matcher matcher_;
};

TEST_F(MatcherTest, EachKindOfSimpleComparison) {
  std::vector<IndicatorRecord> in = {
      Ind(1, "[ipv4-addr:value = '198.51.100.7']"),
      Ind(2, "[ipv4-addr:value = '203.0.113.0/24']"),
      Ind(3, "[ipv4-addr:value ISSUBSET '10.20.0.0/16']"),
      Ind(4, "[ipv6-addr:value = '2001:db8::1']"),
      Ind(5, "[domain-name:value = 'evil.example']"),
      Ind(6, "[url:value = 'http://bad.example/x.php?a=1']"),
      Ind(7, "[file:hashes.MD5 = '44D88612FEA8A474F97C918D4B5C4B2C']"),
      Ind(8, "[file:hashes.'SHA-256' = "
             "'275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f']"),
      Ind(9, "[email-addr:value = 'phish@bad.example']"),
      Ind(10, "[file:name = 'putty.exe']"),
      Ind(11, "[x509-certificate:hashes.'SHA-1' = '2c322ae2b7fe91391345e070b63668978bb1c9da']"),
      Ind(12, "[domain-name:value = 'a.example'] OR [domain-name:value = 'b.example']"),
      Ind(13, "[network-traffic:dst_ref.value = '192.0.2.99']"),
  };
  ApplyStats st = matcher_.Apply(in);
  EXPECT_EQ(st.added, 13);
  EXPECT_EQ(st.invalid, 0);
  auto f = ScanEve(
      Eve("\"src_ip\":\"10.0.0.1\",\"dest_ip\":\"198.51.100.7\"") +             // 1: 1
      Eve("\"src_ip\":\"203.0.113.9\",\"dest_ip\":\"10.20.3.4\"") +              // 2: 2, 3
      Eve("\"src_ip\":\"2001:0db8:0:0::1\",\"dest_ip\":\"10.0.0.2\"") +          // 3: 4
      Eve("\"dns\":{\"rrname\":\"WWW.Evil.Example\",\"rrtype\":\"A\"}") +       // 4: 5 subdomain
      Eve("\"http\":{\"hostname\":\"BAD.example\",\"url\":\"/x.php?a=1\"}") +    // 5: 6
      Eve("\"fileinfo\":{\"filename\":\"putty.exe\",\"md5\":\"44d88612fea8a474f97c918d4b5c4b2c\","
          "\"sha256\":\"275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f\"}") +
      Eve("\"smtp\":{\"mail_from\":\"<Phish@Bad.Example>\"}") +                 // 7: 9
      Eve("\"tls\":{\"fingerprint\":\"2c:32:2a:e2:b7:fe:91:39:13:45:e0:70:b6:36:68:97:8b:b1:c9:da\"}") +
      Eve("\"dns\":{\"rrname\":\"b.example\"}") +                               // 9: 12
      Eve("\"src_ip\":\"192.0.2.99\",\"dest_ip\":\"10.9.9.9\"") +                // 10: 13 is dst only
      Eve("\"src_ip\":\"10.9.9.9\",\"dest_ip\":\"192.0.2.99\"") +                // 11: 13
      Eve("\"dns\":{\"rrname\":\"notevil.example\"}") +                         // 12: none
      Eve("\"src_ip\":\"203.0.114.1\",\"dest_ip\":\"10.21.0.1\""));             // 13: none
  std::map<int64_t, std::set<std::string>> by_line;
  for (const auto& x : f) by_line[x.line].insert(x.indicator);
  using S = std::set<std::string>;
  EXPECT_EQ(by_line[1], (S{testing::IdFor(1)}));
  EXPECT_EQ(by_line[2], (S{testing::IdFor(2), testing::IdFor(3)}));
  EXPECT_EQ(by_line[3], (S{testing::IdFor(4)}));
  EXPECT_EQ(by_line[4], (S{testing::IdFor(5)}));
  EXPECT_EQ(by_line[5], (S{testing::IdFor(6)}));
  EXPECT_EQ(by_line[6], (S{testing::IdFor(7), testing::IdFor(8), testing::IdFor(10)}));
  EXPECT_EQ(by_line[7], (S{testing::IdFor(9)}));
  EXPECT_EQ(by_line[8], (S{testing::IdFor(11)}));
  EXPECT_EQ(by_line[9], (S{testing::IdFor(12)}));
  EXPECT_EQ(by_line[10], S{});
  EXPECT_EQ(by_line[11], (S{testing::IdFor(13)}));
  EXPECT_EQ(by_line.count(12), 0u);
  EXPECT_EQ(by_line.count(13), 0u);
  for (const auto& x : f) {
    if (x.line == 4) {
      EXPECT_EQ(x.how, "subdomain");
    }
    if (x.line == 2 && x.indicator == testing::IdFor(3)) {
      EXPECT_EQ(x.how, "cidr");
    }
    if (x.line == 11) {
      EXPECT_EQ(x.how, "pattern");
    }
  }
}

TEST_F(MatcherTest, SubdomainsCanBeTurnedOff) {
  Matcher exact(MatcherOptions{false, &clock_});
  exact.Apply({Ind(1, "[domain-name:value = 'evil.example']")});
  auto f = testing::Scan(exact, LogFormat::kEve,
                         Eve("\"dns\":{\"rrname\":\"www.evil.example\"}") +
                             Eve("\"dns\":{\"rrname\":\"evil.example\"}"));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].line, 2);
}

TEST_F(MatcherTest, ValidityWindowAndExpiryWithoutAnUpdate) {
  auto future = Ind(1, "[domain-name:value = 'later.example']");
  future.valid_from_us = kNow + 3600LL * 1000000;
  auto expiring = Ind(2, "[domain-name:value = 'soon.example']");
  expiring.valid_until_us = kNow + 60LL * 1000000;
  matcher_.Apply({future, expiring});
  std::string log = Eve("\"dns\":{\"rrname\":\"later.example\"}") +
                    Eve("\"dns\":{\"rrname\":\"soon.example\"}");
  EXPECT_EQ(Ids(ScanEve(log)), (std::set<std::string>{testing::IdFor(2)}));
  clock_.Set(kNow + 2 * 3600LL * 1000000);  // the first is valid, the second expired
  EXPECT_EQ(Ids(ScanEve(log)), (std::set<std::string>{testing::IdFor(1)}));
}

// A memo of values that found nothing must change no result: not when an
// indicator becomes valid a second later, not when a new snapshot adds one,
// not for the same text in a field of another kind.
TEST_F(MatcherTest, TheMemoOfValuesThatFoundNothingChangesNoResult) {
  auto later = Ind(1, "[domain-name:value = 'later.example']");
  later.valid_from_us = kNow + 10LL * 1000000;
  matcher_.Apply({later, Ind(2, "[ipv4-addr:value = '198.51.100.7']")});
  Event ev;
  ev.Add(FieldKind::kDomain, "query", "later.example");
  ev.Add(FieldKind::kDomain, "query", "198.51.100.7");  // no domain: nothing
  ev.Add(FieldKind::kIp, "id.resp_h", "198.51.100.7");
  ev.Add(FieldKind::kHost, "answers", "new.example");
  MatchMemo memo;
  const uint32_t now_s = static_cast<uint32_t>(kNow / 1000000);
  auto hits = [&](uint32_t at, MatchMemo* m) {
    std::vector<Hit> out;
    matcher_.snapshot()->Match(ev, at, &out, m);
    std::vector<std::pair<uint16_t, uint32_t>> got;
    for (const Hit& h : out) got.emplace_back(h.field, h.ordinal);
    return got;
  };
  const auto first = hits(now_s, &memo);
  ASSERT_EQ(first.size(), 1u) << "the address only";
  EXPECT_EQ(first[0].first, 2);
  EXPECT_EQ(hits(now_s, &memo), first) << "again, from the memo";
  EXPECT_EQ(hits(now_s, &memo), hits(now_s, nullptr));
  const auto valid = hits(now_s + 10, &memo);
  EXPECT_EQ(valid.size(), 2u) << "later.example is valid now, though remembered as nothing";
  EXPECT_EQ(valid, hits(now_s + 10, nullptr));
  matcher_.Apply({Ind(3, "[domain-name:value = 'new.example']")});
  const auto added = hits(now_s + 10, &memo);
  EXPECT_EQ(added.size(), 3u) << "new.example, remembered as nothing before the update";
  EXPECT_EQ(added, hits(now_s + 10, nullptr));
}

TEST_F(MatcherTest, NewerVersionsReplaceOlderOnesAndRevocationRemoves) {
  auto v1 = Ind(1, "[domain-name:value = 'one.example']");
  matcher_.Apply({v1});
  std::string log = Eve("\"dns\":{\"rrname\":\"one.example\"}") +
                    Eve("\"dns\":{\"rrname\":\"two.example\"}");
  ASSERT_EQ(ScanEve(log).size(), 1u);
  auto v2 = v1;
  v2.pattern = "[domain-name:value = 'two.example']";
  v2.modified_us += 1000;
  ApplyStats st = matcher_.Apply({v2});
  EXPECT_EQ(st.replaced, 1);
  auto f = ScanEve(log);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].line, 2);
  // An older version arriving late changes nothing.
  st = matcher_.Apply({v1});
  EXPECT_EQ(st.stale, 1);
  EXPECT_EQ(ScanEve(log).size(), 1u);
  auto v3 = v2;
  v3.revoked = true;
  v3.modified_us += 1000;
  st = matcher_.Apply({v3});
  EXPECT_EQ(st.revoked, 1);
  EXPECT_TRUE(ScanEve(log).empty());
  EXPECT_EQ(matcher_.live(), 0);
}

TEST_F(MatcherTest, DeltaThenMergeGiveTheSameAnswers) {
  std::vector<IndicatorRecord> base;
  for (int i = 0; i < 200; ++i) {
    base.push_back(Ind(i, "[domain-name:value = 'd" + std::to_string(i) + ".example']"));
  }
  matcher_.Apply(base);
  std::vector<IndicatorRecord> more;
  for (int i = 200; i < 260; ++i) {
    more.push_back(Ind(i, "[ipv4-addr:value = '10.1." + std::to_string(i - 200) + ".0/24']"));
  }
  auto revoke = base[5];
  revoke.revoked = true;
  revoke.modified_us += 1;
  more.push_back(revoke);
  matcher_.Apply(more);
  std::string log;
  for (int i = 0; i < 260; ++i) {
    log += i < 200 ? Eve("\"dns\":{\"rrname\":\"d" + std::to_string(i) + ".example\"}")
                   : Eve("\"src_ip\":\"10.1." + std::to_string(i - 200) + ".77\"");
  }
  auto before = ScanEve(log);
  EXPECT_EQ(before.size(), 259u);
  matcher_.MergeForTest();
  auto after = ScanEve(log);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].line, before[i].line);
    EXPECT_EQ(after[i].indicator, before[i].indicator);
  }
  for (const auto& x : after) EXPECT_NE(x.indicator, testing::IdFor(5));
}

TEST_F(MatcherTest, PatternsThatNeedTheEvaluator) {
  std::vector<IndicatorRecord> in = {
      // AND inside one observation: both must hold for the same file.
      Ind(1, "[file:name = 'a.exe' AND file:hashes.MD5 = '44d88612fea8a474f97c918d4b5c4b2c']"),
      // No index entry at all: evaluated on every event.
      Ind(2, "[domain-name:value LIKE '%.badtld']"),
      // Two observations in order within a window.
      Ind(3, "([domain-name:value = 'stage1.example'] FOLLOWEDBY "
             "[domain-name:value = 'stage2.example']) WITHIN 300 SECONDS"),
      Ind(4, "[ipv4-addr:value = '198.51.100.1' AND ipv4-addr:value != '198.51.100.2']"),
  };
  ApplyStats st = matcher_.Apply(in);
  EXPECT_EQ(st.complex, 4);
  auto at = [](int sec, const std::string& body) {
    return "{\"timestamp\":\"2025-05-31T10:00:" + std::string(sec < 10 ? "0" : "") +
           std::to_string(sec) + ".000000+0000\"," + body + "}\n";
  };
  std::string log =
      at(1, "\"fileinfo\":{\"filename\":\"a.exe\",\"md5\":\"44d88612fea8a474f97c918d4b5c4b2c\"}") +
      at(2, "\"fileinfo\":{\"filename\":\"b.exe\",\"md5\":\"44d88612fea8a474f97c918d4b5c4b2c\"}") +
      at(3, "\"dns\":{\"rrname\":\"x.badtld\"}") +
      at(4, "\"dns\":{\"rrname\":\"stage2.example\"}") +  // before stage1: no match yet
      at(5, "\"dns\":{\"rrname\":\"stage1.example\"}") +
      at(6, "\"dns\":{\"rrname\":\"unrelated.example\"}") +
      at(7, "\"dns\":{\"rrname\":\"stage2.example\"}") +  // completes 3
      at(8, "\"src_ip\":\"198.51.100.1\"");
  auto f = ScanEve(log);
  std::map<int64_t, std::set<std::string>> by_line;
  for (const auto& x : f) by_line[x.line].insert(x.indicator);
  using S = std::set<std::string>;
  EXPECT_EQ(by_line[1], (S{testing::IdFor(1)}));
  EXPECT_EQ(by_line.count(2), 0u);
  EXPECT_EQ(by_line[3], (S{testing::IdFor(2)}));
  EXPECT_EQ(by_line.count(4), 0u);
  EXPECT_EQ(by_line.count(5), 0u);
  EXPECT_EQ(by_line[7], (S{testing::IdFor(3)}));
  EXPECT_EQ(by_line[8], (S{testing::IdFor(4)}));
  EXPECT_EQ(f.size(), 4u);
}

TEST_F(MatcherTest, WindowsStayBounded) {
  PatternEngine::Options o;
  o.max_events = 8;
  PatternEngine engine(o);
  auto p = pattern::Parse("[domain-name:value = 'x.example'] FOLLOWEDBY [domain-name:value = 'never.example']");
  ASSERT_TRUE(p.ok());
  engine.Add(1, std::make_shared<pattern::Pattern>(std::move(*p)), true);
  Event e;
  e.Add(FieldKind::kDomain, "q", "x.example");
  for (int i = 0; i < 1000; ++i) {
    e.time_us = kNow + i;
    EXPECT_FALSE(engine.Evaluate(1, e, kNow));
  }
  EXPECT_EQ(engine.evaluations(), 1000);
}

TEST_F(MatcherTest, RejectsWhatItCannotUse) {
  auto bad = Ind(1, "[file:hashes.MD5 = 'nothex']");
  auto sigma = Ind(2, "title: x");
  sigma.pattern_type = "sigma";
  auto syntax = Ind(3, "[domain-name:value = ");
  IndicatorRecord noid = Ind(4, "[domain-name:value = 'x.example']");
  noid.id = "malware--00000000-0000-4000-8000-000000000004";
  ApplyStats st = matcher_.Apply({bad, sigma, syntax, noid});
  EXPECT_EQ(st.invalid, 3);
  EXPECT_EQ(st.unsupported, 1);
  EXPECT_EQ(st.added, 0);
  EXPECT_FALSE(st.errors.empty());
}

TEST_F(MatcherTest, MemoryStaysSmallPerIndicator) {
  std::vector<IndicatorRecord> in;
  for (int i = 0; i < 100000; ++i) {
    in.push_back(Ind(i, "[domain-name:value = 'host" + std::to_string(i) + ".example.org']",
                     "feed " + std::to_string(i % 10)));
  }
  matcher_.Apply(in);
  double per = static_cast<double>(matcher_.MemoryBytes()) / 100000.0;
  EXPECT_LT(per, 100.0) << per << " bytes per indicator";
}

}  // namespace
}  // namespace kizuna::match
