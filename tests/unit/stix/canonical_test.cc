// CanonicalJson (RFC 8785) and DeterministicScoId (STIX 2.1 section 2.9).

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <string>

#include "stix/object.h"

namespace kizuna::stix {
namespace {

namespace json = boost::json;

// Parsed with ParseJson, whose numbers are correctly rounded.
std::string Canon(std::string_view text) { return CanonicalJson(ParseJson(text).value()); }

TEST(CanonicalJsonTest, SortsMembersAndDropsWhitespace) {
  EXPECT_EQ(Canon(R"({ "b": [1, 2, {"z": null, "a": true}], "a": "x" })"),
            R"({"a":"x","b":[1,2,{"a":true,"z":null}]})");
}

TEST(CanonicalJsonTest, SortsByUtf16CodeUnits) {
  // RFC 8785 section 3.2.3: the example's names sort as shown there.
  std::string in =
      "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew Letter Dalet "
      "With Dagesh\",\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":"
      "\"Control\",\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}";
  std::string out = CanonicalJson(json::parse(in));
  std::string expected =
      "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\",\"\xc3\xb6\":\"Latin "
      "Small Letter O With Diaeresis\",\"\xe2\x82\xac\":\"Euro Sign\",\"\xf0\x9f\x98\x80\":"
      "\"Emoji: Grinning Face\",\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}";
  EXPECT_EQ(out, expected);
}

TEST(CanonicalJsonTest, EscapesOnlyWhatRfc8785Requires) {
  // Section 3.2.2.2: ", \, and control characters; "/" and non-ASCII stay.
  EXPECT_EQ(Canon(R"(["\u0001\b\f\n\r\t\"\\\/\u00e9\u001f"])"),
            "[\"\\u0001\\b\\f\\n\\r\\t\\\"\\\\/\xc3\xa9\\u001f\"]");
}

TEST(CanonicalJsonTest, FormatsNumbersLikeEcmaScript) {
  // RFC 8785 section 3.2.2.3 and Appendix B.
  EXPECT_EQ(Canon("[333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001]"),
            "[333333333.3333333,1e+30,4.5,0.002,1e-27]");
  EXPECT_EQ(Canon("[-0, 0, 1e21, 1e20, 100, -1.5, 123456789012]"),
            "[0,0,1e+21,100000000000000000000,100,-1.5,123456789012]");
  EXPECT_EQ(Canon("[0.000001, 0.0000001, 5e-324, 1.7976931348623157e308]"),
            "[0.000001,1e-7,5e-324,1.7976931348623157e+308]");
  EXPECT_EQ(Canon("[9007199254740993]"), "[9007199254740992]");  // nearest double
}

TEST(CanonicalJsonTest, KeepsLiterals) {
  EXPECT_EQ(Canon(R"({"t":true,"f":false,"n":null,"e":{},"l":[]})"),
            R"({"e":{},"f":false,"l":[],"n":null,"t":true})");
}

// Vectors computed by the OASIS reference library (tests/data/stix/sco-id-vectors.jsonl).
TEST(DeterministicScoIdTest, MatchesTheReferenceLibrary) {
  std::ifstream in(std::string(KIZUNA_SOURCE_DIR) + "/tests/data/stix/sco-id-vectors.jsonl");
  ASSERT_TRUE(in.good());
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    json::object o = json::parse(line).as_object();
    std::optional<std::string> id = DeterministicScoId(o);
    ASSERT_TRUE(id.has_value()) << line;
    EXPECT_EQ(*id, std::string(o.at("id").as_string())) << line;
    // And each validates without the deterministic-id warning.
    std::vector<Diagnostic> diags;
    EXPECT_TRUE(ValidateObject(o, ValidateOptions(), &diags).ok()) << line;
    for (const Diagnostic& d : diags) EXPECT_NE(d.rule, "sco-id") << d.ToString();
    ++checked;
  }
  EXPECT_EQ(checked, 19);
}

TEST(DeterministicScoIdTest, SameObservableSameIdWhateverTheOrderAndExtras) {
  json::object a = json::parse(
                       R"({"type":"file","id":"file--00000000-0000-4000-8000-000000000000",
        "name":"a.exe","hashes":{"SHA-256":"aa","MD5":"bb"},"size":10})")
                       .as_object();
  json::object b = json::parse(
                       R"({"size":99,"hashes":{"MD5":"bb","SHA-1":"cc"},"name":"a.exe",
        "type":"file","spec_version":"2.1"})")
                       .as_object();
  // Only MD5 (first in the preference order) and name contribute.
  EXPECT_EQ(DeterministicScoId(a), DeterministicScoId(b));
}

TEST(DeterministicScoIdTest, HashPreferenceOrder) {
  auto id = [](std::string_view hashes) {
    return DeterministicScoId(
        json::parse(std::string(R"({"type":"artifact","hashes":)") + std::string(hashes) + "}")
            .as_object());
  };
  // SHA-1 beats SHA-256 and SHA-512; SHA-256 beats SHA-512.
  EXPECT_EQ(id(R"({"SHA-512":"x","SHA-1":"y","SHA-256":"z"})"), id(R"({"SHA-1":"y"})"));
  EXPECT_EQ(id(R"({"SHA-512":"x","SHA-256":"z"})"), id(R"({"SHA-256":"z"})"));
  // None preferred: the first name in canonical order.
  EXPECT_EQ(id(R"({"x_b":"1","TLSH":"2","SSDEEP":"3"})"), id(R"({"SSDEEP":"3"})"));
  EXPECT_NE(id(R"({"SHA-1":"y"})"), id(R"({"SHA-256":"y"})"));
}

TEST(DeterministicScoIdTest, NoIdWithoutContributingProperties) {
  EXPECT_FALSE(DeterministicScoId(json::parse(R"({"type":"process","pid":4})").as_object()));
  EXPECT_FALSE(DeterministicScoId(
      json::parse(R"({"type":"email-message","is_multipart":false})").as_object()));
  EXPECT_FALSE(DeterministicScoId(json::parse(R"({"type":"indicator"})").as_object()));
  EXPECT_FALSE(DeterministicScoId(json::parse(R"({"type":"x-custom","value":"a"})").as_object()));
}

}  // namespace
}  // namespace kizuna::stix
