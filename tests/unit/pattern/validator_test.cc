#include "pattern/validator.h"

#include <gtest/gtest.h>

namespace kizuna::pattern {
namespace {

CheckResult CheckIt(std::string_view text, SpecVersion v = SpecVersion::k21, bool strict = false) {
  CheckOptions o;
  o.spec_version = v;
  o.strict = strict;
  return Check(text, o);
}

// The single error of an invalid pattern.
Diagnostic ErrorOf(std::string_view text, SpecVersion v = SpecVersion::k21) {
  CheckResult r = CheckIt(text, v);
  EXPECT_FALSE(r.ok()) << text;
  if (r.ok()) return {};
  return *r.FirstError();
}

std::vector<Diagnostic> Warnings(std::string_view text, SpecVersion v = SpecVersion::k21) {
  CheckResult r = CheckIt(text, v);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.FirstError()->ToString());
  std::vector<Diagnostic> w;
  for (const Diagnostic& d : r.diagnostics) {
    if (d.severity == Severity::kWarning) w.push_back(d);
  }
  return w;
}

TEST(ValidatorTest, TypicalIndicatorsAreCleanAndWarningFree) {
  const char* ok[] = {
      "[ipv4-addr:value = '198.51.100.1/32']",
      "[file:hashes.'SHA-256' = "
      "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
      "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f' AND file:size > 1024]",
      "[domain-name:value = 'example.com'] OR [url:value LIKE 'http://example.com/%']",
      "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_port = 443]",
      "[email-message:from_ref.value MATCHES '.+@example\\\\.com$']",
      "[file:extensions.'windows-pebinary-ext'.imphash = 'abc']",
      "[x-custom-thing:x_field = 'whatever']",
      "[file:x_vendor_score > 5]",
      "[process:command_line MATCHES 'powershell'] FOLLOWEDBY [network-traffic:dst_port = 4444] "
      "WITHIN 300 SECONDS",
      "[user-account:extensions.'unix-account-ext'.gid = 0]",
  };
  for (const char* p : ok)
    EXPECT_TRUE(Warnings(p).empty()) << p << ": " << Warnings(p)[0].ToString();
}

TEST(ValidatorTest, QualifierRanges) {
  Diagnostic w = ErrorOf("[a:b = 1] WITHIN 0 SECONDS");
  EXPECT_EQ(w.column, 18u);
  EXPECT_NE(w.message.find("WITHIN needs a duration greater than zero, found 0"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[a:b = 1] WITHIN 0.0 SECONDS").message.find("greater than zero"),
            std::string::npos);
  Diagnostic r = ErrorOf("[a:b = 1] REPEATS 0 TIMES");
  EXPECT_NE(r.message.find("REPEATS needs a count of at least 1, found 0"), std::string::npos);
  EXPECT_EQ(r.column, 11u);
}

TEST(ValidatorTest, StartMustBeBeforeStop) {
  Diagnostic d = ErrorOf("[a:b = 1] START t'2016-02-01T00:00:00Z' STOP t'2016-01-01T00:00:00Z'");
  EXPECT_NE(d.message.find("must be earlier than STOP"), std::string::npos);
  EXPECT_EQ(d.column, 46u);
  ErrorOf("[a:b = 1] START t'2016-01-01T00:00:00Z' STOP t'2016-01-01T00:00:00Z'");
  EXPECT_TRUE(
      CheckIt("[a:b = 1] START t'2016-01-01T00:00:00Z' STOP t'2016-01-01T00:00:00.001Z'").ok());
  // 2.0 string form is checked too.
  Diagnostic s = ErrorOf("[a:b = 1] START '2016-02-01T00:00:00Z' STOP '2016-01-01T00:00:00Z'",
                         SpecVersion::k20);
  EXPECT_NE(s.message.find("must be earlier"), std::string::npos);
}

TEST(ValidatorTest, DuplicateQualifierOnOneObservationIn21) {
  Diagnostic d = ErrorOf("[a:b = 1] REPEATS 2 TIMES REPEATS 3 TIMES");
  EXPECT_NE(d.message.find("REPEATS is applied twice"), std::string::npos);
  EXPECT_EQ(d.column, 27u);
  EXPECT_TRUE(CheckIt("([a:b = 1] REPEATS 2 TIMES) REPEATS 3 TIMES").ok());
  EXPECT_TRUE(CheckIt("([a:b = 1]) WITHIN 5 SECONDS WITHIN 6 SECONDS").ok());
  EXPECT_TRUE(CheckIt("[a:b = 1] REPEATS 2 TIMES REPEATS 3 TIMES", SpecVersion::k20).ok());
}

TEST(ValidatorTest, MixedSetIsAnError) {
  Diagnostic d = ErrorOf("[a:b IN ('x', 1)]");
  EXPECT_NE(d.message.find("mixes string and integer"), std::string::npos);
  EXPECT_EQ(d.column, 15u);
  EXPECT_TRUE(CheckIt("[a:b IN (1, 2.5)]").ok());
}

TEST(ValidatorTest, RegexMustCompileInRe2) {
  Diagnostic d = ErrorOf("[a:b MATCHES '(?=lookahead)']");
  EXPECT_NE(d.message.find("not valid RE2 syntax"), std::string::npos);
  ErrorOf("[a:b MATCHES '(a)\\\\1']");  // backreference
  ErrorOf("[a:b MATCHES '(unclosed']");
  EXPECT_TRUE(CheckIt("[a:b MATCHES '^[a-z]+\\\\d{2,3}$']").ok());
}

TEST(ValidatorTest, SubsetOperandsMustBeAddresses) {
  Diagnostic d = ErrorOf("[ipv4-addr:value ISSUBSET '1234']");
  EXPECT_NE(d.message.find("is not an IPv4 or IPv6 address or CIDR block"), std::string::npos);
  ErrorOf("[ipv4-addr:value ISSUPERSET '10.0.0.0/33']");
  EXPECT_TRUE(CheckIt("[ipv6-addr:value ISSUBSET '2001:db8::/32']").ok());
}

TEST(ValidatorTest, HashValuesMustFitTheirAlgorithm) {
  Diagnostic d = ErrorOf("[file:hashes.'SHA-256' = 'f00']");
  EXPECT_NE(d.message.find("'f00' is not a valid SHA-256 hash: it must be 64 hexadecimal digits"),
            std::string::npos);
  ErrorOf("[file:hashes.MD5 IN ('cead3f77f6cda6ec00f57d76c9a6879f', 'zz')]");
  ErrorOf("[artifact:hashes.'SHA-1' = 'cead3f77f6cda6ec00f57d76c9a6879f']");
  // Unknown algorithms and fuzzy hashes are not checked.
  EXPECT_TRUE(CheckIt("[file:hashes.SSDEEP = '3:abc:def']").ok());
  EXPECT_TRUE(CheckIt("[file:hashes.'x-custom' = 'q']").ok());
}

TEST(ValidatorTest, UnknownTypesAndPropertiesWarn) {
  auto w = Warnings("[ipv4addr:value = '1.2.3.4']");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].message.find("'ipv4addr' is not a STIX 2.1 Cyber-observable Object type"),
            std::string::npos);
  auto p = Warnings("[file:file_name = 'x']");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].column, 7u);
  EXPECT_NE(p[0].message.find("has no property 'file_name'"), std::string::npos);
  // Renamed in 2.1: fine under 2.0, a warning under 2.1.
  EXPECT_TRUE(Warnings("[process:name = 'x']", SpecVersion::k20).empty());
  EXPECT_EQ(Warnings("[process:name = 'x']").size(), 1u);
  auto ext = Warnings("[file:extensions.'ntfs-ext'.sidd = 'x']");
  ASSERT_EQ(ext.size(), 1u);
  EXPECT_NE(ext[0].message.find("'ntfs-ext' extension has no property 'sidd'"), std::string::npos);
}

TEST(ValidatorTest, ConstantTypeAgreementWarns) {
  auto w = Warnings("[file:size = '371712']");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].message.find("file:size is an integer, so comparing it with the string '371712' "
                              "can never match"),
            std::string::npos);
  EXPECT_EQ(Warnings("[process:is_hidden = 1]").size(), 1u);
  EXPECT_EQ(Warnings("[domain-name:value = 5]").size(), 1u);
  EXPECT_EQ(Warnings("[process:is_hidden > 1]").size(), 2u);  // type, and no order
  EXPECT_EQ(Warnings("[file:size LIKE '1%']").size(), 1u);
  EXPECT_TRUE(Warnings("[file:ctime > t'2016-01-01T00:00:00Z']").empty());
  EXPECT_TRUE(Warnings("[file:magic_number_hex = h'ffd8']").empty());
}

TEST(ValidatorTest, AndAcrossObjectTypesWarns) {
  auto w = Warnings("[file:name = 'a' AND ipv4-addr:value = '1.2.3.4']");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].message.find("can never match"), std::string::npos);
  EXPECT_TRUE(
      Warnings("[file:name = 'a' AND (file:size = 1 OR ipv4-addr:value = '1.2.3.4')]").empty());
}

TEST(ValidatorTest, EmptySetWarns) { EXPECT_EQ(Warnings("[file:name IN ()]").size(), 1u); }

TEST(ValidatorTest, StrictTurnsWarningsIntoErrors) {
  EXPECT_TRUE(CheckIt("[foo:bar = 1]").ok());
  CheckResult r = CheckIt("[foo:bar = 1]", SpecVersion::k21, true);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.FirstError()->message.find("'foo' is not a STIX 2.1"), std::string::npos);
}

TEST(ValidatorTest, ParseErrorsComeThroughCheck) {
  CheckResult r = CheckIt("[file:size = ]");
  EXPECT_FALSE(r.pattern.has_value());
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].ToString(),
            "1:14: expected a constant (string, number, boolean, timestamp, binary or hex) after "
            "'=', found ']'");
}

TEST(ValidatorTest, DiagnosticsAreOrderedByPosition) {
  CheckResult r = CheckIt("[foo:a = 1] AND [file:size = 'x'] AND [bar:b = 2]");
  ASSERT_EQ(r.diagnostics.size(), 3u);
  EXPECT_LT(r.diagnostics[0].offset, r.diagnostics[1].offset);
  EXPECT_LT(r.diagnostics[1].offset, r.diagnostics[2].offset);
}

}  // namespace
}  // namespace kizuna::pattern
