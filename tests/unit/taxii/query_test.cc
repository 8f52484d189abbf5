#include "taxii/query.h"

#include <gtest/gtest.h>

namespace kizuna::taxii {
namespace {

TEST(QueryTest, EmptyQueryHasNoFilters) {
  auto f = ParseQuery("", Endpoint::kGetObjects);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->added_after_us);
  EXPECT_FALSE(f->limit);
  EXPECT_TRUE(f->ids.empty());
  EXPECT_FALSE(f->has_version_filter);
}

TEST(QueryTest, ParsesEveryObjectsFilter) {
  auto f = ParseQuery(
      "added_after=2016-01-01T01:01:01.000Z&limit=50&match%5Bid%5D=indicator--a,malware--b"
      "&match[type]=indicator,malware&match[version]=first,last,2016-01-01T01:01:01.123456Z"
      "&match[spec_version]=2.0,2.1",
      Endpoint::kGetObjects);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(*f->added_after_us, 1451610061000000);
  EXPECT_EQ(*f->limit, 50);
  EXPECT_EQ(f->ids, (std::vector<std::string>{"indicator--a", "malware--b"}));
  EXPECT_EQ(f->types, (std::vector<std::string>{"indicator", "malware"}));
  EXPECT_TRUE(f->versions.first);
  EXPECT_TRUE(f->versions.last);
  EXPECT_FALSE(f->versions.all);
  ASSERT_EQ(f->versions.versions_us.size(), 1u);
  EXPECT_EQ(f->versions.versions_us[0], 1451610061123456);
  EXPECT_EQ(f->spec_versions, (std::vector<std::string>{"2.0", "2.1"}));
}

TEST(QueryTest, RepeatedMatchParametersAccumulate) {
  auto f = ParseQuery("match[type]=indicator&match[type]=malware", Endpoint::kGetObjects);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->types.size(), 2u);
}

TEST(QueryTest, RejectsUnknownParameters) {
  auto f = ParseQuery("match[color]=red", Endpoint::kGetObjects);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(f.error().message().find("match[color]"), std::string::npos);
  EXPECT_FALSE(ParseQuery("foo=1", Endpoint::kGetObjects).ok());
}

TEST(QueryTest, EachEndpointAcceptsOnlyItsParameters) {
  // TAXII 2.1 §5.6-5.8: get object has no match[id]/match[type]; delete has
  // no paging; versions has no match[version].
  EXPECT_FALSE(ParseQuery("match[id]=x--y", Endpoint::kGetObject).ok());
  EXPECT_FALSE(ParseQuery("match[type]=indicator", Endpoint::kGetObject).ok());
  EXPECT_TRUE(ParseQuery("match[version]=all&limit=2", Endpoint::kGetObject).ok());
  EXPECT_FALSE(ParseQuery("limit=5", Endpoint::kDeleteObject).ok());
  EXPECT_TRUE(ParseQuery("match[version]=last", Endpoint::kDeleteObject).ok());
  EXPECT_FALSE(ParseQuery("match[version]=last", Endpoint::kVersions).ok());
  EXPECT_TRUE(ParseQuery("match[spec_version]=2.1", Endpoint::kVersions).ok());
  EXPECT_FALSE(ParseQuery("limit=1", Endpoint::kNoFilters).ok());
}

TEST(QueryTest, RejectsMalformedValues) {
  for (const char* q : {"limit=0", "limit=-1", "limit=abc", "limit=", "limit=9999999999",
                        "added_after=yesterday", "added_after=2016-01-01", "match[version]=newest",
                        "match[spec_version]=3.0", "match[type]=Indicator", "match[id]=nodashes",
                        "match[type]=a,,b", "limit=1&limit=2", "match%5Bid=x", "%zz=1",
                        "added_after=2016-13-01T00:00:00Z"}) {
    EXPECT_FALSE(ParseQuery(q, Endpoint::kGetObjects).ok()) << q;
  }
}

TEST(QueryTest, DecodesPercentAndPlus) {
  EXPECT_EQ(*DecodeQueryComponent("a%20b+c%2B"), "a b c+");
  EXPECT_FALSE(DecodeQueryComponent("%2"));
  EXPECT_FALSE(DecodeQueryComponent("%"));
  EXPECT_FALSE(DecodeQueryComponent("%g0"));
}

}  // namespace
}  // namespace kizuna::taxii
