#include "taxii/response_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace kizuna::taxii {
namespace {

std::shared_ptr<const CachedResponse> Entry(size_t body_bytes, char fill = 'x') {
  auto e = std::make_shared<CachedResponse>();
  e->body.assign(body_bytes, fill);
  e->headers.push_back({"content-type", "application/taxii+json;version=2.1"});
  store::ObjectRecord r;
  r.id = "indicator--00000000-0000-4000-8000-000000000001";
  e->released.push_back(r);
  return e;
}

TEST(ResponseCacheTest, FindsWhatWasPutAndCountsHitsAndMisses) {
  ResponseCache cache(8 << 20);
  EXPECT_TRUE(cache.enabled());
  EXPECT_EQ(cache.Find("a"), nullptr);
  cache.Put("a", Entry(100, 'a'));
  auto hit = cache.Find("a");
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->body, std::string(100, 'a'));
  EXPECT_EQ(hit->released.size(), 1u);
  EXPECT_EQ(cache.hits(), 1);
  EXPECT_EQ(cache.misses(), 1);
  // Replacing keeps one entry with the new value.
  cache.Put("a", Entry(10, 'b'));
  EXPECT_EQ(cache.Find("a")->body, std::string(10, 'b'));
  EXPECT_GT(cache.bytes(), 10u);
}

TEST(ResponseCacheTest, StaysWithinItsBoundAndEvictsTheLeastRecentlyUsed) {
  const size_t max = 8 * 64 * 1024;  // 64 KiB per shard
  ResponseCache cache(max);
  for (int i = 0; i < 2000; ++i) cache.Put("key" + std::to_string(i), Entry(4000));
  EXPECT_LE(cache.bytes(), max);
  // The most recent entries are there, the oldest are gone.
  EXPECT_NE(cache.Find("key1999"), nullptr);
  EXPECT_EQ(cache.Find("key0"), nullptr);
  // An entry larger than a shard's share is not kept at all.
  cache.Put("huge", Entry(100 * 1024));
  EXPECT_EQ(cache.Find("huge"), nullptr);
  EXPECT_LE(cache.bytes(), max);
}

TEST(ResponseCacheTest, ARecentlyReadEntrySurvivesEviction) {
  const size_t max = 8 * 64 * 1024;
  ResponseCache cache(max);
  // Fill each shard, touching "keep" after every insert.
  cache.Put("keep", Entry(1000));
  for (int i = 0; i < 1000; ++i) {
    cache.Put("k" + std::to_string(i), Entry(4000));
    ASSERT_NE(cache.Find("keep"), nullptr) << "evicted after " << i << " inserts";
  }
}

TEST(ResponseCacheTest, ZeroBytesTurnsItOff) {
  ResponseCache cache(0);
  EXPECT_FALSE(cache.enabled());
  cache.Put("a", Entry(10));
  EXPECT_EQ(cache.Find("a"), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);
}

}  // namespace
}  // namespace kizuna::taxii
