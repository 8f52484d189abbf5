// Objects from peers on their way into the store: loops skipped, metadata
// applied, invalid objects refused.
#include "federation/peer_ingest.h"

#include <gtest/gtest.h>

namespace kizuna::federation {
namespace {

constexpr const char* kAmber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";

std::shared_ptr<const policy::TrustModel> Model() {
  auto m = policy::TrustModel::Build({}, {}, {{1, "", stix::Tlp::kClear}});
  return *m;
}

std::string Indicator(int n) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                R"({"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-%012d",)"
                R"("created":"2025-01-01T00:00:00.000Z","modified":"2025-01-01T00:00:00.000Z",)"
                R"("pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":"2025-01-01T00:00:00Z"})",
                n);
  return buf;
}

TEST(PeerIngestTest, SkipsLoopsAndStampsWithTheSendersMetadata) {
  auto m = Model();
  std::string body = "{\"objects\":[" + Indicator(1) + "," + Indicator(2) + "," + Indicator(3) +
                     "],\"x_kizuna_federation\":{\"hub\":\"us-hub\",\"objects\":["
                     "{\"marking\":\"" + kAmber + "\",\"producer\":\"identity--00000000-0000-4000-8000-000000000001\","
                     "\"producer_account\":\"alice@us-hub\",\"path\":[\"us-hub\"]},"
                     "{\"path\":[\"jp-hub\",\"us-hub\"]},"
                     "{\"path\":[\"kr-hub\",\"us-hub\"]}]}}";
  auto p = PreparePeerEnvelope(body, 1, *m, policy::PeerSender{"jp-hub", "us-hub"});
  ASSERT_TRUE(p.ok()) << p.error().message();
  ASSERT_EQ(p->batch.objects.size(), 2u);  // the second has passed jp-hub already
  EXPECT_EQ(p->batch.objects[0].marking, kAmber);  // stricter than the local CLEAR default
  EXPECT_EQ(p->batch.objects[0].origin, "us-hub");
  EXPECT_EQ(p->batch.objects[0].producer, "identity--00000000-0000-4000-8000-000000000001");
  EXPECT_NE(p->batch.objects[0].audience.find("p:alice@us-hub"), std::string::npos);
  EXPECT_EQ(p->batch.objects[1].origin, "kr-hub us-hub");
  EXPECT_EQ(p->successes.size(), 3u);  // the looped one is reported as here already
  EXPECT_TRUE(p->failures.empty());
}

TEST(PeerIngestTest, RefusesMetadataFromAnotherHubOrOfTheWrongLength) {
  auto m = Model();
  std::string one = "{\"objects\":[" + Indicator(1) + "],\"x_kizuna_federation\":";
  EXPECT_FALSE(PreparePeerEnvelope(one + "{\"hub\":\"kr-hub\",\"objects\":[{}]}}", 1, *m, {"jp-hub", "us-hub"}).ok());
  EXPECT_FALSE(PreparePeerEnvelope(one + "{\"hub\":\"us-hub\",\"objects\":[]}}", 1, *m, {"jp-hub", "us-hub"}).ok());
  EXPECT_FALSE(PreparePeerEnvelope(one + "{\"hub\":\"us-hub\",\"objects\":[{\"marking\":\"nope\"}]}}", 1, *m,
                                   {"jp-hub", "us-hub"})
                   .ok());
  // Without metadata (a plain TAXII peer): accepted, origin = the sender.
  auto plain = PreparePeerEnvelope("{\"objects\":[" + Indicator(1) + "]}", 1, *m, {"jp-hub", "us-hub"});
  ASSERT_TRUE(plain.ok());
  ASSERT_EQ(plain->batch.objects.size(), 1u);
  EXPECT_EQ(plain->batch.objects[0].origin, "us-hub");
  EXPECT_EQ(plain->batch.objects[0].producer, "");
}

TEST(PeerIngestTest, InvalidObjectsFromPeersAreFailures) {
  auto m = Model();
  std::vector<std::string_view> objs = {R"({"type":"garbage"})"};
  PeerPrepared p = PreparePeerObjects(objs, nullptr, 1, *m, {"jp-hub", "us-hub"});
  EXPECT_TRUE(p.prepared.batch.objects.empty());
  EXPECT_EQ(p.prepared.failures.size(), 1u);
}

}  // namespace
}  // namespace kizuna::federation
