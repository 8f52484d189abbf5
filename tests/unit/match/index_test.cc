// ValueIndex and CidrIndex against brute force.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "match/cidr_index.h"
#include "match/normalize.h"
#include "match/value_index.h"

namespace kizuna::match {
namespace {

TEST(ValueIndexTest, FindsEveryKeyWithAllItsPayloadsAndNothingElse) {
  std::mt19937_64 rng(7);
  std::vector<KeyedPayload> entries;
  std::map<std::pair<uint64_t, uint32_t>, std::set<uint32_t>> truth;
  Seeds seeds;
  for (uint32_t i = 0; i < 20000; ++i) {
    std::string v = "value-" + std::to_string(rng() % 15000);  // duplicates on purpose
    Key k = MakeKey(seeds, 3, v);
    uint32_t payload = i % 5000 | (i % 7 == 0 ? kNeedsEval : 0);
    entries.push_back({k, payload});
    truth[{k.hi, k.lo}].insert(payload);
  }
  ValueIndex ix = ValueIndex::Build(entries);
  EXPECT_EQ(ix.keys(), truth.size());
  for (const auto& [k, payloads] : truth) {
    std::set<uint32_t> got;
    ix.Find(Key{k.first, k.second}, [&](uint32_t p) { EXPECT_TRUE(got.insert(p).second); });
    EXPECT_EQ(got, payloads);
  }
  for (int i = 0; i < 1000; ++i) {
    bool any = false;
    ix.Find(MakeKey(seeds, 3, "absent-" + std::to_string(i)), [&](uint32_t) { any = true; });
    EXPECT_FALSE(any);
  }
  // The same value in another namespace is another key.
  bool any = false;
  ix.Find(MakeKey(seeds, 4, "value-1"), [&](uint32_t) { any = true; });
  EXPECT_FALSE(any);
}

TEST(ValueIndexTest, EmptyIndexFindsNothing) {
  std::vector<KeyedPayload> none;
  ValueIndex ix = ValueIndex::Build(none);
  bool any = false;
  ix.Find(MakeKey(Seeds{}, 1, "x"), [&](uint32_t) { any = true; });
  EXPECT_FALSE(any);
}

template <typename Addr>
std::vector<uint32_t> Brute(const std::vector<typename CidrIndex<Addr>::Block>& blocks, Addr a) {
  constexpr int kBits = sizeof(Addr) * 8;
  std::vector<std::pair<int, uint32_t>> hits;
  for (const auto& b : blocks) {
    Addr mask = b.prefix == 0 ? Addr(0) : static_cast<Addr>(~Addr(0)) << (kBits - b.prefix);
    if ((a & mask) == (b.network & mask)) hits.emplace_back(-b.prefix, b.payload);
  }
  std::sort(hits.begin(), hits.end());
  std::vector<uint32_t> out;
  for (const auto& h : hits) {
    if (out.empty() || std::find(out.begin(), out.end(), h.second) == out.end()) {
      out.push_back(h.second);
    }
  }
  return out;
}

TEST(CidrIndexTest, AllMatchingLongestFirstAgreesWithBruteForceIpv4) {
  std::mt19937 rng(11);
  for (int round = 0; round < 4; ++round) {
    std::vector<CidrIndex4::Block> blocks;
    int n = round == 0 ? 10 : 800;
    for (int i = 0; i < n; ++i) {
      // Cluster addresses so that blocks nest.
      uint32_t a = (rng() % 4) << 30 | (rng() % 8) << 20 | rng() % (1 << 20);
      int prefix = static_cast<int>(rng() % 33);
      blocks.push_back({a, prefix, static_cast<uint32_t>(i)});
    }
    blocks.push_back(blocks[3]);  // an equal block twice
    blocks.back().payload = 999999;
    CidrIndex4 ix = CidrIndex4::Build(blocks);
    for (int q = 0; q < 3000; ++q) {
      uint32_t a = q < 100 ? blocks[static_cast<size_t>(q) % blocks.size()].network
                           : ((rng() % 4) << 30 | (rng() % 8) << 20 | rng() % (1 << 20));
      std::vector<std::pair<uint32_t, int>> got;
      ix.Find(a, [&](uint32_t p, int prefix) { got.emplace_back(p, prefix); });
      std::vector<uint32_t> want = Brute<uint32_t>(blocks, a);
      std::vector<uint32_t> got_payloads;
      for (size_t i = 0; i < got.size(); ++i) {
        got_payloads.push_back(got[i].first);
        if (i > 0) {
          EXPECT_LE(got[i].second, got[i - 1].second) << "not longest prefix first";
        }
      }
      // Equal blocks may list their payloads in any order.
      std::vector<uint32_t> g = got_payloads, w = want;
      std::sort(g.begin(), g.end());
      std::sort(w.begin(), w.end());
      ASSERT_EQ(g, w) << "address " << FormatIpv4(a);
    }
  }
}

TEST(CidrIndexTest, Ipv6AndEdgesOfTheAddressSpace) {
  std::vector<CidrIndex6::Block> blocks;
  Uint128 v;
  ASSERT_TRUE(ParseIpv6("2001:db8::", &v));
  blocks.push_back({v, 32, 1});
  blocks.push_back({v, 48, 2});
  ASSERT_TRUE(ParseIpv6("ffff::", &v));
  blocks.push_back({v, 16, 3});  // the top of the space
  blocks.push_back({0, 0, 4});   // ::/0 contains everything
  CidrIndex6 ix = CidrIndex6::Build(blocks);
  auto find = [&](const char* text) {
    Uint128 a;
    EXPECT_TRUE(ParseIpv6(text, &a));
    std::vector<uint32_t> got;
    ix.Find(a, [&](uint32_t p, int) { got.push_back(p); });
    return got;
  };
  EXPECT_EQ(find("2001:db8::1"), (std::vector<uint32_t>{2, 1, 4}));
  EXPECT_EQ(find("2001:db8:1::1"), (std::vector<uint32_t>{1, 4}));
  EXPECT_EQ(find("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), (std::vector<uint32_t>{3, 4}));
  EXPECT_EQ(find("::1"), (std::vector<uint32_t>{4}));
  CidrIndex4 v4 = CidrIndex4::Build({{0xffffff00u, 24, 7}, {0, 8, 8}});
  std::vector<uint32_t> got;
  v4.Find(0xffffffffu, [&](uint32_t p, int) { got.push_back(p); });
  EXPECT_EQ(got, (std::vector<uint32_t>{7}));
  got.clear();
  v4.Find(0x00ffffffu, [&](uint32_t p, int) { got.push_back(p); });
  EXPECT_EQ(got, (std::vector<uint32_t>{8}));
  got.clear();
  v4.Find(0x01000000u, [&](uint32_t p, int) { got.push_back(p); });
  EXPECT_TRUE(got.empty());
}

TEST(NormalizeTest, UrlsMeetInOneForm) {
  EXPECT_EQ(NormalizeUrl("HTTP://Evil.Example.COM:80/a%2fb?q=1#frag"),
            "http://evil.example.com/a%2Fb?q=1");
  EXPECT_EQ(NormalizeUrl("https://x.org:443"), "https://x.org/");
  EXPECT_EQ(NormalizeUrl("https://x.org:8443/p"), "https://x.org:8443/p");
  EXPECT_EQ(NormalizeUrl("evil.com/path"), "http://evil.com/path");
  EXPECT_EQ(NormalizeUrl("http://user@Host./"), "http://user@host/");
  EXPECT_EQ(NormalizeUrl("http://[2001:DB8::1]:80/x"), "http://[2001:db8::1]/x");
  EXPECT_EQ(NormalizeUrl("http:///nohost"), "");
  EXPECT_EQ(UrlHost("http://a.b:8080/x"), "a.b");
  EXPECT_EQ(UrlHost("http://[2001:db8::1]/x"), "2001:db8::1");
}

TEST(NormalizeTest, DomainsEmailsDigestsAddresses) {
  std::string buf;
  EXPECT_EQ(NormalizeDomain("WWW.Example.COM.", &buf), "www.example.com");
  EXPECT_EQ(NormalizeDomain("a..b", &buf), "");
  EXPECT_EQ(NormalizeDomain("has space.com", &buf), "");
  EXPECT_EQ(NormalizeDomain("http://x", &buf), "");
  EXPECT_EQ(LabelCount("a.b.c"), 3);
  EXPECT_EQ(NormalizeEmail(" <Alice@Example.ORG> ", &buf), "alice@example.org");
  EXPECT_EQ(NormalizeEmail("nobody", &buf), "");
  uint8_t d[20];
  EXPECT_TRUE(ParseDigest("2C:32:2A:E2:B7:FE:91:39:13:45:E0:70:B6:36:68:97:8B:B1:C9:DA", 20, d));
  EXPECT_EQ(d[0], 0x2c);
  EXPECT_FALSE(ParseDigest("2c322ae2", 20, d));
  EXPECT_FALSE(ParseDigest("zz322ae2b7fe91391345e070b63668978bb1c9da", 20, d));
  uint32_t a;
  EXPECT_TRUE(ParseIpv4("192.168.0.1", &a));
  EXPECT_EQ(a, 0xc0a80001u);
  EXPECT_FALSE(ParseIpv4("192.168.0.01", &a));
  EXPECT_FALSE(ParseIpv4("192.168.0", &a));
  EXPECT_FALSE(ParseIpv4("256.1.1.1", &a));
  EXPECT_FALSE(ParseIpv4("1.2.3.4.5", &a));
  Uint128 v6;
  EXPECT_TRUE(ParseIpv6("fe80::1%eth0", &v6));
  EXPECT_EQ(FormatIpv6(v6), "fe80::1");
  EXPECT_EQ(HashAlgoOf("sha-256"), HashAlgo::kSha256);
  EXPECT_FALSE(HashAlgoOf("SSDEEP").has_value());
}

}  // namespace
}  // namespace kizuna::match
