// Objects from peers on their way into the store: loops skipped, metadata
// applied, invalid objects refused, and a peer speaks only for the
// organizations homed on a hub of the object's path.
#include <gtest/gtest.h>

#include "ingest/ingest.h"

namespace kizuna::ingest {
namespace {

constexpr const char* kAmber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
constexpr const char* kUsOrg = "identity--00000000-0000-4000-8000-000000000001";  // homed on us-hub
constexpr const char* kJpOrg = "identity--00000000-0000-4000-8000-000000000002";  // homed here (jp-hub)
constexpr const char* kKrOrg = "identity--00000000-0000-4000-8000-000000000003";  // homed on kr-hub

std::shared_ptr<const policy::TrustModel> Model() {
  std::vector<policy::Org> orgs = {
      {kUsOrg, "US Centre", "US", "government", {}, {}, "us-hub"},
      {kJpOrg, "JP Centre", "JP", "government", {}, {}, ""},
      {kKrOrg, "KR Centre", "KR", "government", {}, {}, "kr-hub"},
  };
  std::vector<policy::TrustGroup> groups = {{"energy", "Energy", {kUsOrg, kJpOrg}}};
  auto m = policy::TrustModel::Build(std::move(orgs), std::move(groups),
                                     {{1, "", stix::Tlp::kClear}, {2, "energy", stix::Tlp::kGreen}});
  return *m;
}

const policy::Producer kFromUs = policy::PeerProducer("jp-hub", "us-hub");

std::string Indicator(int n) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                R"({"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-%012d",)"
                R"("created":"2025-01-01T00:00:00.000Z","modified":"2025-01-01T00:00:00.000Z",)"
                R"("pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":"2025-01-01T00:00:00Z"})",
                n);
  return buf;
}

// One indicator with the given federation entry.
Result<Prepared> One(const std::string& entry, int64_t collection = 1) {
  std::string body = "{\"objects\":[" + Indicator(1) +
                     "],\"x_kizuna_federation\":{\"hub\":\"us-hub\",\"objects\":[" + entry + "]}}";
  return PrepareEnvelope(body, collection, *Model(), kFromUs, nullptr);
}

TEST(PeerIngestTest, SkipsLoopsAndStampsWithTheSendersMetadata) {
  std::string body = "{\"objects\":[" + Indicator(1) + "," + Indicator(2) + "," + Indicator(3) +
                     "],\"x_kizuna_federation\":{\"hub\":\"us-hub\",\"objects\":["
                     "{\"marking\":\"" + kAmber + "\",\"producer\":\"" + kUsOrg + "\","
                     "\"producer_account\":\"alice@us-hub\",\"path\":[\"us-hub\"]},"
                     "{\"path\":[\"jp-hub\",\"us-hub\"]},"
                     "{\"producer\":\"" + kKrOrg + "\",\"path\":[\"kr-hub\",\"us-hub\"]}]}}";
  auto p = PrepareEnvelope(body, 1, *Model(), kFromUs, nullptr);
  ASSERT_TRUE(p.ok()) << p.error().message();
  ASSERT_EQ(p->batch.objects.size(), 2u);  // the second has passed jp-hub already
  EXPECT_EQ(p->batch.objects[0].marking, kAmber);  // stricter than the local CLEAR default
  EXPECT_EQ(p->batch.objects[0].origin, "us-hub");
  EXPECT_EQ(p->batch.objects[0].producer, kUsOrg);
  EXPECT_NE(p->batch.objects[0].audience.find("p:alice@us-hub"), std::string::npos);
  EXPECT_EQ(p->batch.objects[1].origin, "kr-hub us-hub");
  EXPECT_EQ(p->batch.objects[1].producer, kKrOrg);  // homed on a hub of the path
  EXPECT_EQ(p->successes.size(), 3u);  // the looped one is reported as here already
  EXPECT_TRUE(p->failures.empty());
}

TEST(PeerIngestTest, RefusesMetadataFromAnotherHubOrOfTheWrongLength) {
  auto m = Model();
  std::string one = "{\"objects\":[" + Indicator(1) + "],\"x_kizuna_federation\":";
  EXPECT_FALSE(
      PrepareEnvelope(one + "{\"hub\":\"kr-hub\",\"objects\":[{}]}}", 1, *m, kFromUs, nullptr)
          .ok());
  EXPECT_FALSE(
      PrepareEnvelope(one + "{\"hub\":\"us-hub\",\"objects\":[]}}", 1, *m, kFromUs, nullptr).ok());
  EXPECT_FALSE(PrepareEnvelope(one + "{\"hub\":\"us-hub\",\"objects\":[{\"marking\":\"nope\"}]}}",
                               1, *m, kFromUs, nullptr)
                   .ok());
  // Without metadata (a plain TAXII peer): accepted, origin = the sender, in
  // a lineage of the sender's own.
  auto plain = PrepareEnvelope("{\"objects\":[" + Indicator(1) + "]}", 1, *m, kFromUs, nullptr);
  ASSERT_TRUE(plain.ok());
  ASSERT_EQ(plain->batch.objects.size(), 1u);
  EXPECT_EQ(plain->batch.objects[0].origin, "us-hub");
  EXPECT_EQ(plain->batch.objects[0].producer, policy::HubProducerId("us-hub"));
}

TEST(PeerIngestTest, InvalidObjectsFromPeersAreFailures) {
  std::vector<std::string_view> objs = {R"({"type":"garbage"})"};
  Prepared p = PrepareObjects(objs, 1, *Model(), kFromUs, nullptr);
  EXPECT_TRUE(p.batch.objects.empty());
  EXPECT_EQ(p.failures.size(), 1u);
}

TEST(PeerIngestTest, APeerCannotSpeakForAnOrganizationHomedHere) {
  auto p = One(std::string("{\"producer\":\"") + kJpOrg + "\",\"path\":[\"us-hub\"]}");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->batch.objects.empty());
  ASSERT_EQ(p->failures.size(), 1u);
  EXPECT_NE(p->failures[0].message.find("homed on this hub"), std::string::npos) << p->failures[0].message;
}

TEST(PeerIngestTest, APeerCannotSpeakForAnOrganizationHomedOffThePath) {
  auto p = One(std::string("{\"producer\":\"") + kKrOrg + "\",\"path\":[\"us-hub\"]}");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->batch.objects.empty());
  ASSERT_EQ(p->failures.size(), 1u);
  EXPECT_NE(p->failures[0].message.find("not on the object's path"), std::string::npos);
}

TEST(PeerIngestTest, AnUnknownProducerGetsTheSendersLineage) {
  auto p = One("{\"producer\":\"identity--00000000-0000-4000-8000-0000000000ff\",\"path\":[\"us-hub\"]}");
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->batch.objects.size(), 1u);
  EXPECT_EQ(p->batch.objects[0].producer, policy::HubProducerId("us-hub"));
  EXPECT_NE(policy::HubProducerId("us-hub"), policy::HubProducerId("kr-hub"));
}

TEST(PeerIngestTest, TheProducingAccountMustBeOfAHubOnThePath) {
  for (const char* account : {"admin@jp-hub", "kim@kr-hub"}) {
    auto p = One(std::string("{\"producer\":\"") + kUsOrg + "\",\"producer_account\":\"" + account +
                 "\",\"path\":[\"us-hub\"]}");
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(p->batch.objects.empty()) << account;
    EXPECT_EQ(p->failures.size(), 1u) << account;
  }
  // Unqualified: the sender's account.
  auto p = One(std::string("{\"producer\":\"") + kUsOrg + "\",\"producer_account\":\"bob\",\"path\":[\"us-hub\"]}");
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->batch.objects.size(), 1u);
  EXPECT_NE(p->batch.objects[0].audience.find("p:bob@us-hub"), std::string::npos);
}

TEST(PeerIngestTest, PeerObjectsAreStampedWithTheCollectionsTrustGroup) {
  auto p = One(std::string("{\"producer\":\"") + kUsOrg + "\",\"path\":[\"us-hub\"]}", 2);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->batch.objects.size(), 1u);
  EXPECT_NE(p->batch.objects[0].audience.find("g:energy"), std::string::npos)
      << p->batch.objects[0].audience;
  auto none = One(std::string("{\"producer\":\"") + kUsOrg + "\",\"path\":[\"us-hub\"]}", 1);
  ASSERT_TRUE(none.ok());
  EXPECT_NE(none->batch.objects[0].audience.find("g:-"), std::string::npos);
}

}  // namespace
}  // namespace kizuna::ingest
