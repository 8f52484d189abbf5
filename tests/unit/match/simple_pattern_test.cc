// The fast path for one-equality patterns agrees with the parser, validator
// and compiler on every pattern it accepts; and the IPv6 parser agrees with
// the pattern library's.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <random>

#include "match/normalize.h"
#include "match/simple_pattern.h"
#include "pattern/ip.h"
#include "pattern/parser.h"
#include "pattern/validator.h"

namespace kizuna::match {
namespace {

// The full path's answer for a one-entry exact pattern, or nullopt.
std::optional<pattern::IndexEntry> Full(const std::string& text) {
  auto p = pattern::Parse(text);
  if (!p.ok()) return std::nullopt;
  for (const auto& d : pattern::Validate(*p)) {
    if (d.severity == pattern::Severity::kError) return std::nullopt;
  }
  pattern::CompiledPattern c = pattern::CompileForIndex(*p);
  if (!c.FullyIndexed() || c.entries.size() != 1) return std::nullopt;
  return c.entries[0];
}

void ExpectAgree(const std::string& text, int* accepted) {
  std::optional<pattern::IndexEntry> fast = FastSimpleEntry(text);
  // The reusing form, with one entry across every call: nothing of an
  // earlier pattern may survive into a later one.
  static pattern::IndexEntry reused;
  ASSERT_EQ(FastSimpleEntry(text, &reused), fast.has_value()) << text;
  if (fast) {
    EXPECT_EQ(reused.object_type, fast->object_type) << text;
    EXPECT_EQ(reused.path, fast->path) << text;
    EXPECT_EQ(reused.value, fast->value) << text;
    EXPECT_EQ(reused.kind, fast->kind) << text;
    EXPECT_EQ(reused.algorithm, fast->algorithm) << text;
  }
  if (!fast) return;
  ++*accepted;
  std::optional<pattern::IndexEntry> full = Full(text);
  ASSERT_TRUE(full.has_value()) << "the fast path accepted what the full path rejects: " << text;
  EXPECT_EQ(fast->object_type, full->object_type) << text;
  EXPECT_EQ(fast->path, full->path) << text;
  EXPECT_EQ(fast->value, full->value) << text;
  EXPECT_EQ(fast->kind, full->kind) << text;
  EXPECT_EQ(fast->algorithm, full->algorithm) << text;
}

TEST(SimplePatternTest, AgreesWithTheCompilerOnHandPickedCases) {
  int accepted = 0;
  for (const char* t : {
           "[domain-name:value = 'evil.example']", "[ipv4-addr:value = '10.1.2.3/8']",
           "[ipv6-addr:value = '2001:DB8::1']", "[ipv4-addr:value = '1.2.3']",
           "[file:hashes.MD5 = '44d88612fea8a474f97c918d4b5c4b2c']",
           "[file:hashes.'SHA-256' = '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f']",
           "[file:hashes.MD5 = 'tooshort']", "[file:hashes.'SHA-1' = 'G4d88612fea8a474f97c918d4b5c4b2c12345678']",
           "[x509-certificate:hashes.'SHA-1' = '2c322ae2b7fe91391345e070b63668978bb1c9da']",
           "[url:value == 'http://x.example/a b']", "  [ email-addr:value='a@b.example' ]  ",
           "[network-traffic:dst_ref.value = '1.2.3.4']", "[file:name = 'a\\'b']",
           "[file:name = 'caf\xc3\xa9']", "[x-custom:some_prop.'quoted key' = 'v']",
           "[domain-name:value = 'a'] OR [domain-name:value = 'b']", "[file:size = '10']",
           "[Domain-Name:value = 'x']", "[domain-name:value = 'x'] WITHIN 5 SECONDS",
           "[file:hashes.SSDEEP = '3:a:b']", "[artifact:payload_bin = 'AAAA']"}) {
    ExpectAgree(t, &accepted);
  }
  EXPECT_GE(accepted, 10);
  EXPECT_FALSE(FastSimpleEntry("[network-traffic:dst_ref.value = '1.2.3.4']"));
  EXPECT_FALSE(FastSimpleEntry("[file:hashes.MD5 = 'tooshort']"));
}

TEST(SimplePatternTest, AgreesOnTheOasisAndExamplePatterns) {
  // Every pattern of the OASIS pattern-validator cases.
  std::ifstream in(std::string(KIZUNA_SHARED_DATA) + "/patterns/stix2-pattern-validator-cases.jsonl");
  int accepted = 0, seen = 0;
  std::string line;
  while (std::getline(in, line)) {
    boost::json::error_code ec;
    boost::json::value v = boost::json::parse(line, ec);
    if (ec || !v.is_object() || !v.as_object().contains("pattern")) continue;
    const auto& p = v.as_object().at("pattern");
    if (!p.is_string()) continue;
    ++seen;
    ExpectAgree(std::string(p.as_string()), &accepted);
  }
  if (seen == 0) GTEST_SKIP() << "no validator cases file";
  EXPECT_GT(accepted, 0);
}

TEST(Ipv6ParserTest, AgreesWithThePatternLibrary) {
  std::mt19937 rng(3);
  const char* alphabet = "0123456789abcdefABCDEF:.";
  std::vector<std::string> cases = {"::", "::1", "1::", "2001:db8::1", "2001:db8:0:0:0:0:0:1",
                                    "::ffff:192.0.2.1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9",
                                    "1::2::3", ":1::", "1:", "12345::", "::1.2.3.4.5", "fe80::"};
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    int n = 2 + static_cast<int>(rng() % 30);
    for (int k = 0; k < n; ++k) s += alphabet[rng() % 24];
    cases.push_back(s);
  }
  for (const auto& c : cases) {
    Uint128 mine;
    bool ok = ParseIpv6(c, &mine);
    auto ref = pattern::ParseIpNetwork(c);
    bool ref_ok = ref && ref->v6 && c.find('/') == std::string::npos;
    ASSERT_EQ(ok, ref_ok) << c;
    if (ok) {
      Uint128 v = 0;
      for (uint8_t b : ref->bytes) v = (v << 8) | b;
      EXPECT_TRUE(v == mine) << c;
    }
  }
}

}  // namespace
}  // namespace kizuna::match
