// Federation metadata, origin paths, account names and stamping of objects
// from peers.
#include "policy/federation.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "policy/decide.h"
#include "stix/markings.h"

namespace kizuna::policy {
namespace {

TEST(FederationNamesTest, HubNamesAndAccounts) {
  EXPECT_TRUE(IsValidHubName("us-hub"));
  EXPECT_TRUE(IsValidHubName("hub.jp-2"));
  EXPECT_FALSE(IsValidHubName(""));
  EXPECT_FALSE(IsValidHubName("US"));
  EXPECT_FALSE(IsValidHubName("-x"));
  EXPECT_FALSE(IsValidHubName("a b"));
  EXPECT_FALSE(IsValidHubName(std::string(64, 'a')));
  EXPECT_EQ(LocalizeAccount("bob", "us-hub", "jp-hub"), "bob@us-hub");
  EXPECT_EQ(LocalizeAccount("kenji@jp-hub", "us-hub", "jp-hub"), "kenji");
  EXPECT_EQ(LocalizeAccount("mia@kr-hub", "us-hub", "jp-hub"), "mia@kr-hub");
  EXPECT_EQ(LocalizeAccount("bob", "", "jp-hub"), "bob");
}

TEST(FederationNamesTest, OriginPaths) {
  EXPECT_TRUE(SplitOriginPath("").empty());
  EXPECT_EQ(SplitOriginPath("a b  c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(JoinOriginPath({"a", "b"}), "a b");
  EXPECT_TRUE(OriginPathContains("us-hub jp-hub", "jp-hub"));
  EXPECT_FALSE(OriginPathContains("us-hub jp-hub2", "jp-hub"));
  EXPECT_FALSE(OriginPathContains("", "jp-hub"));
}

TEST(FederationMetaTest, EncodesWhatItDecodes) {
  store::ObjectRecord r;
  r.marking = std::string(stix::kTlpAmberId);
  r.producer = "identity--00000000-0000-4000-8000-000000000001";
  r.audience = EncodeAudience(Audience{"alice", {}, {"kenji@jp-hub"}});
  r.origin = "kr-hub";
  PeerObjectMeta m = MetaForPeer(r, "us-hub");
  EXPECT_EQ(m.producer_account, "alice@us-hub");
  EXPECT_EQ(m.path, (std::vector<std::string>{"kr-hub", "us-hub"}));
  std::string json;
  AppendPeerMetaJson(&json, "us-hub", {m, PeerObjectMeta{}});
  auto back = DecodePeerMeta(json);
  ASSERT_TRUE(back.ok()) << back.error().message() << " " << json;
  EXPECT_EQ(back->hub, "us-hub");
  ASSERT_EQ(back->objects.size(), 2u);
  EXPECT_EQ(back->objects[0].marking, r.marking);
  EXPECT_EQ(back->objects[0].producer, r.producer);
  EXPECT_EQ(back->objects[0].producer_account, "alice@us-hub");
  EXPECT_EQ(back->objects[0].path, m.path);
  EXPECT_TRUE(back->objects[1].path.empty());
}

TEST(FederationMetaTest, RefusesWhatAPeerMustNotSend) {
  for (const char* bad : {"", "[]", "{\"hub\":\"us-hub\"}", "{\"hub\":\"US\",\"objects\":[]}",
                          "{\"hub\":\"us-hub\",\"objects\":[1]}",
                          "{\"hub\":\"us-hub\",\"objects\":[{\"marking\":\"marking-definition--x\"}]}",
                          "{\"hub\":\"us-hub\",\"objects\":[{\"producer\":\"organization--1\"}]}",
                          "{\"hub\":\"us-hub\",\"objects\":[{\"producer_account\":\"a b\"}]}",
                          "{\"hub\":\"us-hub\",\"objects\":[{\"path\":[\"ok\",\"NOT OK\"]}]}",
                          "{\"hub\":\"us-hub\",\"objects\":[{\"path\":\"us-hub\"}]}",
                          "{\"hub\":\"us-hub\",\"objects\":[{\"marking\":7}]}"}) {
    EXPECT_FALSE(DecodePeerMeta(bad).ok()) << bad;
  }
  std::string long_path = "{\"hub\":\"us-hub\",\"objects\":[{\"path\":[";
  for (int i = 0; i < 33; ++i) long_path += std::string(i ? "," : "") + "\"h" + std::to_string(i) + "\"";
  EXPECT_FALSE(DecodePeerMeta(long_path + "]}]}").ok());
  EXPECT_FALSE(DecodePeerMeta("{\"hub\":\"us-hub\",\"objects\":[{},{}]}", 1).ok());  // too many
}

std::shared_ptr<const TrustModel> Model(stix::Tlp default_tlp) {
  return *TrustModel::Build({}, {}, {{1, "", default_tlp}});
}

boost::json::object Obj(const std::string& text) { return boost::json::parse(text).as_object(); }

TEST(StampFromPeerTest, KeepsTheStricterMarking) {
  auto clear_default = Model(stix::Tlp::kClear);
  PeerObjectMeta meta;
  meta.marking = std::string(stix::kTlpAmberId);
  meta.path = {"us-hub"};
  store::NewObject o;
  ASSERT_TRUE(StampFromPeer(*clear_default, 1, {"jp-hub", "us-hub"}, &meta, Obj(R"({"type":"indicator"})"), &o).ok());
  EXPECT_EQ(o.marking, stix::kTlpAmberId);
  EXPECT_EQ(o.origin, "us-hub");
  // The object's own marking wins when it is stricter than the sender's claim.
  meta.marking = std::string(stix::kTlpClearId);
  store::NewObject red;
  std::string red_obj = std::string(R"({"type":"indicator","object_marking_refs":[")") +
                        std::string(stix::kTlpRedId) +
                        R"("],"extensions":{"extension-definition--7a79d0e5-a2c1-4b04-870f-c5d9a7fed356":)"
                        R"({"extension_type":"property-extension","accounts":["bob","kenji@jp-hub"]}}})";
  ASSERT_TRUE(StampFromPeer(*clear_default, 1, {"jp-hub", "us-hub"}, &meta, Obj(red_obj), &red).ok());
  EXPECT_EQ(red.marking, stix::kTlpRedId);
  Audience a = DecodeAudience(red.audience);
  EXPECT_EQ(a.accounts, (std::vector<std::string>{"bob@us-hub", "kenji"}));
  // A stricter local default applies to an unmarked object.
  auto amber_default = Model(stix::Tlp::kAmber);
  store::NewObject unmarked;
  ASSERT_TRUE(StampFromPeer(*amber_default, 1, {"jp-hub", "us-hub"}, &meta, Obj(R"({"type":"indicator"})"),
                            &unmarked)
                  .ok());
  EXPECT_EQ(unmarked.marking, stix::kTlpAmberId);
}

TEST(StampFromPeerTest, RefusesLoopsAndRedWithoutAccounts) {
  auto m = Model(stix::Tlp::kAmber);
  PeerObjectMeta meta;
  meta.path = {"jp-hub", "us-hub"};
  store::NewObject o;
  EXPECT_FALSE(StampFromPeer(*m, 1, {"jp-hub", "us-hub"}, &meta, Obj(R"({"type":"indicator"})"), &o).ok());
  EXPECT_TRUE(IsLoop(&meta, "jp-hub"));
  EXPECT_FALSE(IsLoop(&meta, "kr-hub"));
  EXPECT_FALSE(IsLoop(nullptr, "jp-hub"));
  std::string red = std::string(R"({"type":"indicator","object_marking_refs":[")") +
                    std::string(stix::kTlpRedId) + R"("]})";
  EXPECT_FALSE(StampFromPeer(*m, 1, {"jp-hub", "us-hub"}, nullptr, Obj(red), &o).ok());
  // Without metadata the sender is the origin.
  store::NewObject plain;
  ASSERT_TRUE(StampFromPeer(*m, 1, {"jp-hub", "us-hub"}, nullptr, Obj(R"({"type":"indicator"})"), &plain).ok());
  EXPECT_EQ(plain.origin, "us-hub");
  // A path that does not end with the sender gets it appended.
  PeerObjectMeta relayed;
  relayed.path = {"kr-hub"};
  store::NewObject r;
  ASSERT_TRUE(StampFromPeer(*m, 1, {"jp-hub", "us-hub"}, &relayed, Obj(R"({"type":"indicator"})"), &r).ok());
  EXPECT_EQ(r.origin, "kr-hub us-hub");
}

}  // namespace
}  // namespace kizuna::policy
