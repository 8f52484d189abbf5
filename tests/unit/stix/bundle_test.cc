// SplitObjects: exact bytes of each element, and rejection of bad input.

#include "stix/bundle.h"

#include <gtest/gtest.h>

#include <string>

namespace kizuna::stix {
namespace {

TEST(SplitObjectsTest, ReturnsTheExactBytesOfEachElement) {
  std::string text =
      R"({"type": "bundle", "id": "bundle--44af6c39-c09b-49c5-9de2-394224b04982",
          "objects": [ {"a": 1,  "b": "x\"y"} ,{"c":[{}]}]})";
  Result<std::vector<RawObject>> r = SplitObjects(text);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].bytes, R"({"a": 1,  "b": "x\"y"})");
  EXPECT_EQ((*r)[1].bytes, R"({"c":[{}]})");
  EXPECT_EQ((*r)[0].bytes.data(), text.data() + text.find("{\"a\""));
}

TEST(SplitObjectsTest, EnvelopesAndEscapedKeys) {
  Result<std::vector<RawObject>> r =
      SplitObjects(R"({"more": true, "next": "x", "\u006fbjects": [{"k": "\ud83d\ude00"}]})");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->size(), 1u);
  Result<std::vector<RawObject>> empty = SplitObjects(R"({"objects": []})");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(SplitObjectsTest, RejectsBadContainers) {
  EXPECT_FALSE(SplitObjects(R"({"type": "bundle"})").ok());            // no objects
  EXPECT_FALSE(SplitObjects(R"({"objects": {}})").ok());              // not an array
  EXPECT_FALSE(SplitObjects(R"({"objects": [1]})").ok());             // not objects
  EXPECT_FALSE(SplitObjects(R"({"objects": [], "objects": []})").ok());
  EXPECT_FALSE(SplitObjects(R"([{"objects": []}])").ok());
  EXPECT_FALSE(SplitObjects(R"({"objects": [{}]} x)").ok());
  EXPECT_FALSE(SplitObjects("{\"objects\": [{\"a\": \"\xc3\x28\"}]}").ok());  // bad UTF-8
}

TEST(SplitObjectsTest, MalformedJsonNamesTheByte) {
  Result<std::vector<RawObject>> r = SplitObjects(R"({"objects": [{"a": tru}]})");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("at byte"), std::string::npos) << r.error().message();
}

TEST(SplitObjectsTest, RejectsUnpairedSurrogates) {
  // I-JSON (RFC 7493 section 2.1).
  EXPECT_FALSE(SplitObjects(R"({"objects": [{"a": "\ude08"}]})").ok());
  EXPECT_FALSE(SplitObjects(R"({"objects": [{"a": "\ud83d"}]})").ok());
  EXPECT_FALSE(SplitObjects(R"({"objects": [{"a": "\ud83dx"}]})").ok());
  EXPECT_FALSE(SplitObjects(R"({"objects": [{"a": "\ud83d\u0041"}]})").ok());
  EXPECT_FALSE(SplitObjects(R"({"\udc00": 1, "objects": []})").ok());
  EXPECT_TRUE(SplitObjects(R"({"objects": [{"a": "\ud83d\ude00"}]})").ok());
}

TEST(SplitObjectsTest, DepthIsBounded) {
  std::string ok = R"({"objects": [{"a": )" + std::string(60, '[') + std::string(60, ']') + "}]}";
  EXPECT_TRUE(SplitObjects(ok).ok());
  std::string deep = R"({"objects": [{"a": )" + std::string(100000, '[');
  EXPECT_FALSE(SplitObjects(deep).ok());
}

TEST(SplitObjectsTest, SkipsOtherMembersOfAnyShape) {
  // Members besides "objects" are skipped whatever they hold (strings in
  // particular, which once crashed the scanner).
  Result<std::vector<RawObject>> r = SplitObjects(
      R"({"id": "bundle--x", "n": -1.5e-3, "l": [true, false, null, "s", {"k": "v"}],
          "objects": [{"type": "x"}], "after": "y"})");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->size(), 1u);
}

}  // namespace
}  // namespace kizuna::stix
