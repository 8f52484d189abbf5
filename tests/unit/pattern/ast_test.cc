// Printer and round-trip: parse, print, parse gives the same AST.
#include "pattern/ast.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "pattern/parser.h"

namespace kizuna::pattern {
namespace {

Pattern MustParse(std::string_view text, SpecVersion v = SpecVersion::k21) {
  ParseOptions o;
  o.spec_version = v;
  Result<Pattern> p = Parse(text, o);
  EXPECT_TRUE(p.ok()) << text << ": " << p.status().ToString();
  if (!p.ok()) std::abort();
  return std::move(p).value();
}

void ExpectRoundTrip(std::string_view text, SpecVersion v = SpecVersion::k21) {
  Pattern a = MustParse(text, v);
  std::string printed = ToString(a);
  ParseOptions o;
  o.spec_version = v;
  Result<Pattern> b = Parse(printed, o);
  ASSERT_TRUE(b.ok()) << text << " printed as " << printed << ": " << b.status().ToString();
  EXPECT_TRUE(Equal(a.root(), b->root()))
      << text << " printed as " << printed << " reparsed as " << ToString(*b);
  // Printing is a fixed point after one round.
  EXPECT_EQ(ToString(*b), printed);
}

TEST(AstTest, CanonicalPrinting) {
  EXPECT_EQ(ToString(MustParse("[file:size==1280]")), "[file:size = 1280]");
  EXPECT_EQ(ToString(MustParse("[a:b <> 'x' AND a:c NOT LIKE 'y%']")),
            "[a:b != 'x' AND a:c NOT LIKE 'y%']");
  EXPECT_EQ(ToString(MustParse("[a:b IN ( 1,2 , 3 )]")), "[a:b IN (1, 2, 3)]");
  EXPECT_EQ(ToString(MustParse("[file:hashes.'MD5' = 'x']")), "[file:hashes.MD5 = 'x']");
  EXPECT_EQ(ToString(MustParse("[file:hashes.'SHA-256' = 'x']")), "[file:hashes.'SHA-256' = 'x']");
  EXPECT_EQ(ToString(MustParse("[x:'AND' = 1]")), "[x:'AND' = 1]");
  EXPECT_EQ(ToString(MustParse("[a:b = 'it\\'s \\\\']")), "[a:b = 'it\\'s \\\\']");
  EXPECT_EQ(ToString(MustParse("[a:b = +5] WITHIN +2.50 SECONDS")), "[a:b = 5] WITHIN 2.5 SECONDS");
  EXPECT_EQ(ToString(MustParse("[a:b = h'00FF' OR a:b = b'AAE=']")),
            "[a:b = h'00ff' OR a:b = b'AAE=']");
  EXPECT_EQ(ToString(MustParse("[(a:x = 1 OR a:y = 2) AND a:z = 3]")),
            "[(a:x = 1 OR a:y = 2) AND a:z = 3]");
  EXPECT_EQ(ToString(MustParse("([a:x = 1] OR [a:y = 2]) AND [a:z = 3]")),
            "([a:x = 1] OR [a:y = 2]) AND [a:z = 3]");
  EXPECT_EQ(ToString(MustParse("([a:x = 1] AND [a:y = 2]) WITHIN 5 SECONDS")),
            "([a:x = 1] AND [a:y = 2]) WITHIN 5 SECONDS");
  EXPECT_EQ(ToString(MustParse("([a:x = 1] REPEATS 2 TIMES) REPEATS 3 TIMES")),
            "([a:x = 1] REPEATS 2 TIMES) REPEATS 3 TIMES");
  EXPECT_EQ(ToString(MustParse("[NOT EXISTS a:b]")), "[NOT EXISTS a:b]");
  EXPECT_EQ(ToString(MustParse("[a:b[*].c[2] = 1.0]")), "[a:b[*].c[2] = 1.0]");
}

TEST(AstTest, RoundTripHandWritten) {
  const char* cases[] = {
      "[file:size = 1280]",
      "[a:b = 1] AND [a:c = 2] OR [a:d = 3] FOLLOWEDBY [a:e = 4]",
      "([a:b = 1] FOLLOWEDBY [a:c = 2]) AND ([a:d = 3] OR [a:e = 4])",
      "(([a:b = 1] AND [a:c = 2]) WITHIN 5 SECONDS AND [a:d = 3]) REPEATS 2 TIMES",
      "([a:b = 1] WITHIN 5 SECONDS) WITHIN 6 SECONDS",
      "([a:b = 1]) WITHIN 5 SECONDS WITHIN 6 SECONDS",
      "[a:b = 1] START t'2016-06-01T00:00:00.123Z' STOP t'2016-07-01T00:00:00Z'",
      "[a:b = -0.000001]",
      "[a:b = 123456789012.5 AND a:c = 0.1 AND a:d = -9223372036854775808]",
      "[x-y:'key with space'.'k\\'q'[*][0] NOT MATCHES '^a\\\\d$']",
      "[a:b IN ()]",
      "[a:b NOT IN (t'2016-01-01T00:00:00Z', t'2017-01-01T00:00:00Z')]",
      "[EXISTS a:b.c AND NOT EXISTS a:d]",
      "[a:b = true AND (a:c = false OR a:d ISSUBSET '10.0.0.0/8')]",
  };
  for (const char* c : cases) ExpectRoundTrip(c);
  ExpectRoundTrip("[a:b = 1] START '2016-06-01T00:00:00Z' STOP '2016-07-01T00:00:00Z'",
                  SpecVersion::k20);
}

TEST(AstTest, EqualIgnoresSpellingButNotMeaning) {
  EXPECT_TRUE(Equal(MustParse("[a:b = 1]").root(), MustParse("[ a:b==1 ]").root()));
  EXPECT_TRUE(Equal(MustParse("[a:'b' = 1]").root(), MustParse("[a:b = 1]").root()));
  EXPECT_FALSE(Equal(MustParse("[a:b = 1]").root(), MustParse("[a:b = 1.0]").root()));
  EXPECT_FALSE(Equal(MustParse("[a:b = 1]").root(), MustParse("[a:b != 1]").root()));
  EXPECT_FALSE(Equal(MustParse("[a:b = 1]").root(), MustParse("[a:b NOT = 1]").root()));
  EXPECT_FALSE(Equal(MustParse("[a:b = 'x']").root(), MustParse("[a:b = 'X']").root()));
  EXPECT_FALSE(Equal(MustParse("[a:b = 1] WITHIN 1 SECONDS").root(),
                     MustParse("[a:b = 1] WITHIN 2 SECONDS").root()));
  EXPECT_FALSE(Equal(MustParse("[a:b[0] = 1]").root(), MustParse("[a:b[*] = 1]").root()));
}

// Every pattern of the OASIS test data and the example indicators round-trips.
TEST(AstTest, RoundTripEveryOasisPattern) {
  int n = 0;
  for (const char* file : {"stix2-matcher-cases.jsonl", "stix2-pattern-validator-cases.jsonl"}) {
    std::ifstream in(std::string(KIZUNA_SHARED_DATA) + "/patterns/" + file);
    std::string line;
    while (std::getline(in, line)) {
      boost::json::object c = boost::json::parse(line).as_object();
      std::string text(c.at("pattern").as_string());
      SpecVersion v =
          c.at("stix_version").as_string() == "2.0" ? SpecVersion::k20 : SpecVersion::k21;
      ParseOptions o;
      o.spec_version = v;
      Result<Pattern> p = Parse(text, o);
      if (!p.ok()) continue;  // the invalid ones are the parser tests' business
      ExpectRoundTrip(text, v);
      ++n;
    }
  }
  EXPECT_GT(n, 600);
}

TEST(AstTest, Names) {
  EXPECT_EQ(SpecVersionName(SpecVersion::k20), "2.0");
  EXPECT_EQ(ConstantTypeName(ConstantType::kTimestamp), "timestamp");
  EXPECT_EQ(OperatorText(Operator::kIsSuperset), "ISSUPERSET");
}

}  // namespace
}  // namespace kizuna::pattern
