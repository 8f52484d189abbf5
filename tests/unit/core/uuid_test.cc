#include "core/uuid.h"

#include <gtest/gtest.h>

#include <set>

#include "core/encoding.h"
#include "core/result.h"

namespace kizuna {
namespace {

TEST(UuidTest, V4IsRandomAndWellFormed) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string u = NewUuidV4();
    ASSERT_TRUE(IsUuidSyntax(u)) << u;
    EXPECT_EQ(UuidVersion(u), 4);
    EXPECT_TRUE(IsRfc4122Variant(u));
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(UuidTest, V5MatchesReferenceImplementation) {
  // STIX 2.1 section 2.9: the name is the canonical JSON of the
  // ID-contributing properties; expected value from Python's uuid.uuid5.
  EXPECT_EQ(UuidV5(kStixScoNamespace, "{\"value\":\"1.2.3.4\"}"),
            "0198f97b-e65d-5025-87e5-58bc39d4bdb4");
}

TEST(UuidTest, ParseAndFormatRoundTrip) {
  UuidBytes b;
  ASSERT_TRUE(ParseUuid("00abedb4-aa42-466c-9c01-fed23315a9b7", &b));
  EXPECT_EQ(b, kStixScoNamespace);
  EXPECT_EQ(FormatUuid(b), "00abedb4-aa42-466c-9c01-fed23315a9b7");
  EXPECT_FALSE(ParseUuid("00abedb4-aa42-466c-9c01-fed23315a9b", &b));
  EXPECT_FALSE(ParseUuid("00abedb4aaa42-466c-9c01-fed23315a9b7", &b));
}

TEST(EncodingTest, Base64RoundTripsAllLengths) {
  std::string data;
  for (int i = 0; i < 300; ++i) {
    data += static_cast<char>(i * 37);
    auto enc = Base64Encode(data);
    auto dec = Base64Decode(enc);
    ASSERT_TRUE(dec.has_value());
    EXPECT_EQ(*dec, data);
    auto url = Base64Decode(Base64Encode(data, true, false));
    ASSERT_TRUE(url.has_value());
    EXPECT_EQ(*url, data);
  }
  EXPECT_FALSE(Base64Decode("a").has_value());
  EXPECT_FALSE(Base64Decode("ab!c").has_value());
}

TEST(EncodingTest, Hex) {
  EXPECT_EQ(HexEncode("\x01\xab"), "01ab");
  EXPECT_EQ(*HexDecode("01AB"), "\x01\xab");
  EXPECT_FALSE(HexDecode("0").has_value());
  EXPECT_FALSE(HexDecode("zz").has_value());
}

TEST(StatusTest, OkAllocatesNothingAndErrorsCarryContext) {
  Status ok;
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.ToString(), "OK");
  Status bad = InvalidArgument("x").WithContext("indicator--1");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.message(), "indicator--1: x");
  Result<int> r = NotFound("gone");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace kizuna
