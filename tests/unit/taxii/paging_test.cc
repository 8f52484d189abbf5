#include "taxii/paging.h"

#include <gtest/gtest.h>

namespace kizuna::taxii {
namespace {

Filters TypesFilter(std::vector<std::string> types) {
  Filters f;
  f.types = std::move(types);
  return f;
}

TEST(PagingTest, TokenRoundTrips) {
  uint64_t fp = QueryFingerprint(Endpoint::kGetObjects, 7, "", TypesFilter({"indicator"}));
  std::string token = EncodeNextToken(1700000000123456, fp);
  auto cursor = DecodeNextToken(token, fp);
  ASSERT_TRUE(cursor.ok()) << cursor.status().ToString();
  EXPECT_EQ(*cursor, 1700000000123456);
}

TEST(PagingTest, TokenIsBoundToItsQuery) {
  uint64_t a = QueryFingerprint(Endpoint::kGetObjects, 7, "", TypesFilter({"indicator"}));
  uint64_t b = QueryFingerprint(Endpoint::kGetObjects, 7, "", TypesFilter({"malware"}));
  uint64_t c = QueryFingerprint(Endpoint::kGetObjects, 8, "", TypesFilter({"indicator"}));
  uint64_t d = QueryFingerprint(Endpoint::kManifest, 7, "", TypesFilter({"indicator"}));
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, d);
  std::string token = EncodeNextToken(42, a);
  auto r = DecodeNextToken(token, b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
}

TEST(PagingTest, FingerprintIgnoresOrderAndDuplicatesInLists) {
  EXPECT_EQ(QueryFingerprint(Endpoint::kGetObjects, 1, "", TypesFilter({"a-b", "c-d"})),
            QueryFingerprint(Endpoint::kGetObjects, 1, "", TypesFilter({"c-d", "a-b", "c-d"})));
}

TEST(PagingTest, RejectsGarbageTokens) {
  uint64_t fp = QueryFingerprint(Endpoint::kGetObjects, 1, "", Filters{});
  for (const char* t : {"", "abc", "!!!!", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
    EXPECT_FALSE(DecodeNextToken(t, fp).ok()) << t;
  }
}

}  // namespace
}  // namespace kizuna::taxii
