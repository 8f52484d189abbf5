// SplitObjects: exact bytes of each element, and rejection of bad input.

#include "stix/bundle.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "stix/object.h"

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

TEST(SplitObjectsTest, CapturesANamedMemberBesideObjects) {
  std::string_view meta;
  std::string text = R"({"x_meta": {"a": [1, "}"]} , "objects": [{"k": 1}], "more": false})";
  auto r = SplitObjects(text, "x_meta", &meta);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->size(), 1u);
  EXPECT_EQ(meta, R"({"a": [1, "}"]})");
  // After "objects" too, and absent.
  r = SplitObjects(R"({"objects": [], "x_meta": 7})", "x_meta", &meta);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(meta, "7");
  r = SplitObjects(R"({"objects": []})", "x_meta", &meta);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(meta.empty());
  // Repeated: refused; malformed inside: refused.
  EXPECT_FALSE(SplitObjects(R"({"objects": [], "x_meta": 1, "x_meta": 2})", "x_meta", &meta).ok());
  EXPECT_FALSE(SplitObjects(R"({"objects": [], "x_meta": [1,})", "x_meta", &meta).ok());
}

TEST(SplitObjectsTest, RejectsBadContainers) {
  EXPECT_FALSE(SplitObjects(R"({"type": "bundle"})").ok());  // no objects
  EXPECT_FALSE(SplitObjects(R"({"objects": {}})").ok());     // not an array
  EXPECT_FALSE(SplitObjects(R"({"objects": [1]})").ok());    // not objects
  EXPECT_FALSE(SplitObjects(R"({"objects": [], "objects": []})").ok());
  EXPECT_FALSE(SplitObjects(R"([{"objects": []}])").ok());
  EXPECT_FALSE(SplitObjects(R"({"objects": [{}]} x)").ok());
  EXPECT_FALSE(SplitObjects("{\"objects\": [{\"a\": \"\xc3\x28\"}]}").ok());  // bad UTF-8
}

// What `kizuna validate` and `kizuna import` read from a file: also a
// single object and an array of objects, with each object's exact bytes.
TEST(SplitDocumentTest, BundlesEnvelopesArraysAndSingleObjects) {
  std::string_view one = R"({"type": "task", "id": "task--1", "objects": {"0": {}}})";
  const std::string file = std::string(one) + "\n\n";
  auto single = SplitDocument(file);
  ASSERT_TRUE(single.ok()) << single.error().message();
  ASSERT_EQ(single->size(), 1u);
  EXPECT_EQ((*single)[0].bytes, one);  // observed-data's "objects" dictionary is no bundle
  auto array = SplitDocument(R"( [ {"type": "a"} , {"type": "b"} ] )");
  ASSERT_TRUE(array.ok()) << array.error().message();
  ASSERT_EQ(array->size(), 2u);
  EXPECT_EQ((*array)[1].bytes, R"({"type": "b"})");
  auto bundle = SplitDocument(R"({"type": "bundle", "objects": [{"type": "c"}]})");
  ASSERT_TRUE(bundle.ok());
  ASSERT_EQ(bundle->size(), 1u);
  EXPECT_EQ((*bundle)[0].bytes, R"({"type": "c"})");
  auto empty = SplitDocument(R"({"type": "bundle", "id": "bundle--1"})");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());  // a bundle without objects is no object
  // Neither an object nor a container: named as such, not as malformed JSON.
  auto fragment = SplitDocument(R"({"event_ref": "event--1"})");
  ASSERT_FALSE(fragment.ok());
  EXPECT_EQ(fragment.error().message().rfind("not STIX", 0), 0u) << fragment.error().message();
  // JSON lines are not one document: malformed, so the caller splits lines.
  auto lines = SplitDocument("{\"type\": \"a\"}\n{\"type\": \"b\"}\n");
  ASSERT_FALSE(lines.ok());
  EXPECT_EQ(lines.error().message().rfind("malformed JSON", 0), 0u) << lines.error().message();
  EXPECT_FALSE(SplitDocument("[1]").ok());
  EXPECT_FALSE(SplitDocument("[{}] x").ok());
  // SplitObjects keeps its container-only contract.
  EXPECT_FALSE(SplitObjects(one).ok());
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

TEST(WriteBundleTest, RoundTripsThroughSplitObjectsAndValidates) {
  std::string_view objs[] = {
      R"({"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4","value":"198.51.100.3"})",
      R"({ "type" : "mutex", "id": "mutex--f93fe911-e545-5239-b9b0-597840d0c871", "name": "__CLEANSWEEP__" })"};
  std::string id = NewBundleId();
  EXPECT_EQ(id.rfind("bundle--", 0), 0u);
  EXPECT_NE(id, NewBundleId());
  std::string bundle = WriteBundle(id, objs);
  Result<std::vector<RawObject>> split = SplitObjects(bundle);
  ASSERT_TRUE(split.ok()) << split.error().message();
  ASSERT_EQ(split->size(), 2u);
  EXPECT_EQ((*split)[0].bytes, objs[0]);
  EXPECT_EQ((*split)[1].bytes, objs[1]);  // verbatim, spaces included
  Result<boost::json::value> doc = ParseJson(bundle);
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(ValidateBundle(doc->as_object(), ValidateOptions(), nullptr).ok());
  std::string empty = WriteBundle(id, {});
  EXPECT_EQ(empty, R"({"type":"bundle","id":")" + id + R"("})");
  EXPECT_TRUE(ValidateBundle(ParseJson(empty)->as_object(), ValidateOptions(), nullptr).ok());
}

}  // namespace
}  // namespace kizuna::stix
