// Peer records and flow specs.
#include "federation/peer.h"

#include <gtest/gtest.h>

namespace kizuna::federation {
namespace {

constexpr const char* kC1 = "7f4e6f4c-3b0e-4a8e-9d52-1c2a3b4c5d01";
constexpr const char* kC2 = "7f4e6f4c-3b0e-4a8e-9d52-1c2a3b4c5d02";

PeerConfig Valid() {
  PeerConfig p;
  p.name = "jp-hub";
  p.url = "https://jp.example.org/taxii2/";
  p.api_root = "kizuna";
  p.secret = "sealed:v1:xyz";
  p.flows = {{kC1, kC1, true, true}, {kC2, kC1, false, true}};
  return p;
}

TEST(PeerConfigTest, RoundTrips) {
  PeerConfig p = Valid();
  p.push = true;
  p.kind = "taxii";
  p.poll_interval_ms = 250;
  auto back = DecodePeerConfig(EncodePeerConfig(p));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->name, "jp-hub");
  EXPECT_EQ(back->kind, "taxii");
  EXPECT_TRUE(back->push);
  EXPECT_EQ(back->poll_interval_ms, 250);
  ASSERT_EQ(back->flows.size(), 2u);
  EXPECT_EQ(back->flows[1].local_collection, kC2);
  EXPECT_EQ(back->flows[1].remote_collection, kC1);
  EXPECT_FALSE(back->flows[1].in);
  EXPECT_TRUE(back->flows[1].out);
}

TEST(PeerConfigTest, ValidatesEveryField) {
  auto with = [](auto change) {
    PeerConfig p = Valid();
    change(p);
    return ValidatePeerConfig(p).ok();
  };
  EXPECT_TRUE(with([](PeerConfig&) {}));
  EXPECT_FALSE(with([](PeerConfig& p) { p.name = "JP hub"; }));
  EXPECT_FALSE(with([](PeerConfig& p) { p.name = "-jp"; }));
  EXPECT_FALSE(with([](PeerConfig& p) { p.url = "ftp://jp.example.org/"; }));
  EXPECT_FALSE(with([](PeerConfig& p) { p.url = "https://u:p@jp.example.org/"; }));
  EXPECT_FALSE(with([](PeerConfig& p) { p.kind = "misp"; }));
  EXPECT_FALSE(with([](PeerConfig& p) { p.scheme = "digest"; }));
  EXPECT_FALSE(with([](PeerConfig& p) { p.flows.clear(); }));
  EXPECT_FALSE(with([](PeerConfig& p) { p.flows[0].in = p.flows[0].out = false; }));
  EXPECT_FALSE(with([](PeerConfig& p) { p.flows[0].local_collection = "energy"; }));
  EXPECT_FALSE(with([](PeerConfig& p) { p.poll_interval_ms = 1; }));
  EXPECT_FALSE(with([](PeerConfig& p) { p.remote_user = "a:b"; }));
}

TEST(PeerConfigTest, RefusesMalformedRecords) {
  for (const char* bad : {"", "null", "[]", "{}", "{\"name\":\"x\"}",
                          "{\"name\":\"jp-hub\",\"url\":\"https://h/\",\"api_root\":\"k\",\"flows\":[1]}",
                          "{\"name\":\"jp-hub\",\"url\":\"https://h/\",\"api_root\":\"k\",\"flows\":[],\"extra\":1}",
                          "{\"name\":\"jp-hub\",\"url\":\"https://h/\",\"api_root\":\"k\",\"push\":\"yes\",\"flows\":[]}"}) {
    EXPECT_FALSE(DecodePeerConfig(bad).ok()) << bad;
  }
}

TEST(FlowSpecTest, ParsesDirectionsAndRemoteIds) {
  auto a = ParseFlowSpec("energy:both");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->local_collection, "energy");
  EXPECT_TRUE(a->remote_collection.empty());
  EXPECT_TRUE(a->in && a->out);
  auto b = ParseFlowSpec(std::string(kC1) + "=" + kC2 + ":in");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->remote_collection, kC2);
  EXPECT_TRUE(b->in && !b->out);
  EXPECT_FALSE(ParseFlowSpec("energy").ok());
  EXPECT_FALSE(ParseFlowSpec("energy:sideways").ok());
  EXPECT_FALSE(ParseFlowSpec(":in").ok());
}

TEST(CursorNamesTest, AreDistinctPerPeerCollectionAndDirection) {
  EXPECT_NE(InboundCursorName("a", 1, kC1), InboundCursorName("b", 1, kC1));
  EXPECT_NE(InboundCursorName("a", 1, kC1), InboundCursorName("a", 2, kC1));
  EXPECT_NE(InboundCursorName("a", 1, kC1), InboundCursorName("a", 1, kC2));
  EXPECT_NE(InboundCursorName("a", 1, kC1), OutboundCursorName("a", 1));
}

}  // namespace
}  // namespace kizuna::federation
