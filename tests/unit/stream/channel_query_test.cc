// Channel parameters and the path check.
#include <gtest/gtest.h>

#include "stream/channel_service.h"

namespace kizuna::stream {
namespace {

TEST(ChannelQueryTest, ParsesFiltersAndCursors) {
  auto q = ParseChannelQuery(
      "match%5Btype%5D=indicator,malware&match[marking]=TLP:GREEN,amber%2Bstrict,"
      "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1&added_after=2026-01-01T00:00:00Z&heartbeat=5000");
  ASSERT_TRUE(q.ok()) << q.error().message();
  EXPECT_EQ(q->types, (std::vector<std::string>{"indicator", "malware"}));
  EXPECT_EQ(q->markings, (std::vector<stix::Tlp>{stix::Tlp::kGreen, stix::Tlp::kAmberStrict, stix::Tlp::kRed}));
  ASSERT_TRUE(q->added_after_us.has_value());
  EXPECT_EQ(*q->heartbeat_ms, 5000);
  auto ws = ParseChannelQuery("last_event_id=2026-01-01T00:00:00.000001Z");
  ASSERT_TRUE(ws.ok());
  EXPECT_EQ(*ws->last_event_id_us % 1000000, 1);
  EXPECT_TRUE(ParseChannelQuery("").ok());
}

TEST(ChannelQueryTest, RefusesWhatItDoesNotKnow) {
  for (const char* bad : {"limit=10", "match[id]=x", "match[marking]=purple", "match[type]=",
                          "added_after=yesterday", "added_after=2026-01-01T00:00:00Z&added_after=2026-01-02T00:00:00Z",
                          "heartbeat=10", "heartbeat=abc", "match[type]=%zz"}) {
    EXPECT_FALSE(ParseChannelQuery(bad).ok()) << bad;
  }
}

TEST(ChannelQueryTest, RecognisesChannelPaths) {
  EXPECT_TRUE(ChannelService::IsChannelPath("/api1/collections/abc/stream"));
  EXPECT_TRUE(ChannelService::IsChannelPath("/api1/collections/abc/stream/"));
  EXPECT_FALSE(ChannelService::IsChannelPath("/api1/collections/abc/objects/"));
  EXPECT_FALSE(ChannelService::IsChannelPath("/api1/collections//stream"));
  EXPECT_FALSE(ChannelService::IsChannelPath("/collections/abc/stream"));
  EXPECT_FALSE(ChannelService::IsChannelPath("/a/b/api1/collections/abc/stream"));
  EXPECT_FALSE(ChannelService::IsChannelPath(""));
}

}  // namespace
}  // namespace kizuna::stream
