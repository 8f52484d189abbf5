#include "policy/decide.h"

#include <gtest/gtest.h>

#include "policy/extensions.h"
#include "policy/model.h"
#include "policy/sectors.h"
#include "policy/stamp.h"
#include "stix/markings.h"

#include <boost/json.hpp>

namespace kizuna::policy {
namespace {

using stix::Tlp;

std::shared_ptr<const TrustModel> Model() {
  std::vector<Org> orgs = {{"identity--a", "A", "US", "government", {}, {}, ""},
                           {"identity--b", "B", "US", "isac", {}, {"identity--c"}, ""},
                           {"identity--c", "C", "US", "operator", {}, {}, ""},
                           {"identity--d", "D", "JP", "government", {}, {}, ""},
                           {"identity--e", "E", "JP", "vendor", {}, {}, ""},
                           {"identity--f", "F", "JP", "operator", {}, {}, "jp-hub"}};
  std::vector<TrustGroup> groups = {{"g", "G", {"identity--a", "identity--b", "identity--d", "identity--f"}}};
  std::vector<CollectionPolicy> cols = {{1, "g", Tlp::kAmber}, {2, "", Tlp::kGreen}};
  auto m = TrustModel::Build(orgs, groups, cols);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return *m;
}

bool Allowed(const TrustModel& m, const Reader& r, Tlp tlp, const std::string& audience,
             int64_t collection = 1) {
  std::string marking = tlp == Tlp::kNone ? "" : std::string(stix::Tlp2MarkingDefinition(tlp)->id);
  ObjectMeta o{marking, "identity--a", audience, collection, false};
  return Decide(m, r, o, Path::kTaxiiObjects).allow;
}

TEST(DecideTest, FollowsTlp2FromTheRecipientsSide) {
  auto m = Model();
  Reader producer = MakeAccountReader(*m, "alice", "identity--a");
  Reader recipient = MakeAccountReader(*m, "bob", "identity--b");
  Reader client = MakeAccountReader(*m, "carol", "identity--c");
  Reader member = MakeAccountReader(*m, "dave", "identity--d");
  Reader outsider = MakeAccountReader(*m, "eve", "identity--e");
  Reader peer = MakePeerReader(*m, "jp-hub");
  Reader anonymous = MakeAnonymousReader();
  const std::string aud_b = EncodeAudience({"alice", {"identity--b"}, {}});
  const std::string aud_red = EncodeAudience({"alice", {}, {"bob", "kenji@jp-hub"}});
  struct Row {
    Tlp tlp;
    std::string audience;
    // producer, recipient, client, member, outsider, peer, anonymous
    std::array<bool, 7> expect;
  };
  const std::vector<Row> rows = {
      {Tlp::kNone, "", {1, 1, 1, 1, 0, 1, 0}},  // the collection default: AMBER
      {Tlp::kClear, "", {1, 1, 1, 1, 1, 1, 1}},
      {Tlp::kGreen, "", {1, 1, 0, 1, 0, 1, 0}},
      {Tlp::kAmber, "", {1, 1, 1, 1, 0, 1, 0}},
      {Tlp::kAmber, aud_b, {1, 1, 1, 0, 0, 0, 0}},
      {Tlp::kAmberStrict, aud_b, {1, 1, 0, 0, 0, 0, 0}},
      {Tlp::kAmberStrict, "", {1, 1, 0, 1, 0, 1, 0}},
      {Tlp::kRed, EncodeAudience({"alice", {}, {}}), {1, 0, 0, 0, 0, 0, 0}},
      {Tlp::kRed, aud_red, {1, 1, 0, 0, 0, 1, 0}},
  };
  const std::vector<const Reader*> readers = {&producer, &recipient, &client, &member,
                                              &outsider, &peer, &anonymous};
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t i = 0; i < readers.size(); ++i) {
      EXPECT_EQ(Allowed(*m, *readers[i], rows[r].tlp, rows[r].audience), rows[r].expect[i])
          << "row " << r << " reader " << i;
    }
  }
}

TEST(DecideTest, SameOrganizationSeesAmberButNotRed) {
  auto m = Model();
  Reader colleague = MakeAccountReader(*m, "alice2", "identity--a");
  EXPECT_TRUE(Allowed(*m, colleague, Tlp::kAmberStrict, EncodeAudience({"alice", {"identity--b"}, {}})));
  EXPECT_FALSE(Allowed(*m, colleague, Tlp::kRed, EncodeAudience({"alice", {}, {"bob"}})));
}

TEST(DecideTest, CollectionWithoutTrustGroupTreatsItsReadersAsTheCommunity) {
  auto m = Model();
  Reader outsider = MakeAccountReader(*m, "eve", "identity--e");
  EXPECT_TRUE(Allowed(*m, outsider, Tlp::kNone, "", 2));  // default GREEN
  EXPECT_TRUE(Allowed(*m, outsider, Tlp::kAmber, "", 2));
  EXPECT_FALSE(Allowed(*m, outsider, Tlp::kAmber, EncodeAudience({"alice", {"identity--b"}, {}}), 2));
}

// A reader's own TLP ceiling (a briefing capped at a level): nothing above
// it, whatever the reader's rights, the collection default included; at or
// below it, exactly the reader's rights.
TEST(DecideTest, ACeilingWithholdsEverythingAboveItAndNothingElse) {
  auto m = Model();
  const std::string aud_red = EncodeAudience({"alice", {}, {"bob", "kenji@jp-hub"}});
  for (Reader r : {MakeAccountReader(*m, "alice", "identity--a"), MakeAccountReader(*m, "bob", "identity--b"),
                   MakePeerReader(*m, "jp-hub")}) {
    for (Tlp ceiling : {Tlp::kClear, Tlp::kGreen, Tlp::kAmber, Tlp::kAmberStrict, Tlp::kRed}) {
      Reader capped = r;
      capped.ceiling = ceiling;
      for (Tlp level : {Tlp::kNone, Tlp::kClear, Tlp::kGreen, Tlp::kAmber, Tlp::kAmberStrict, Tlp::kRed}) {
        const Tlp effective = level == Tlp::kNone ? Tlp::kAmber : level;  // collection 1's default
        const bool uncapped = Allowed(*m, r, level, aud_red);
        EXPECT_EQ(Allowed(*m, capped, level, aud_red), uncapped && effective <= ceiling)
            << "reader " << r.account << r.hub << " ceiling " << stix::TlpName(ceiling) << " level "
            << stix::TlpName(effective);
      }
    }
  }
  // A granular marking above the ceiling is redacted like one the reader may not see.
  Reader capped = MakeAccountReader(*m, "alice", "identity--a");
  capped.ceiling = Tlp::kGreen;
  ObjectMeta o{stix::Tlp2MarkingDefinition(Tlp::kClear)->id, "identity--a", aud_red, 1, true};
  const std::string raw = std::string(R"({"type":"indicator","id":"indicator--1","description":"amber words",)") +
                          R"("granular_markings":[{"marking_ref":")" +
                          std::string(stix::Tlp2MarkingDefinition(Tlp::kAmber)->id) +
                          R"(","selectors":["description"]}]})";
  auto red = Redact(*m, capped, o, raw);
  ASSERT_TRUE(red.ok());
  EXPECT_EQ(red->find("amber words"), std::string::npos) << *red;
  auto full = Redact(*m, MakeAccountReader(*m, "alice", "identity--a"), o, raw);
  ASSERT_TRUE(full.ok());
  EXPECT_NE(full->find("amber words"), std::string::npos) << *full;
}

TEST(DecideTest, UnknownCollectionIsDenied) {
  auto m = Model();
  Reader r = MakeAccountReader(*m, "alice", "identity--a");
  EXPECT_FALSE(Allowed(*m, r, Tlp::kClear, "", 99));
}

TEST(ModelTest, RejectsCyclesAndUnknownOrganizations) {
  std::vector<Org> orgs = {{"identity--a", "A", "US", "isac", {}, {"identity--b"}, ""},
                           {"identity--b", "B", "US", "isac", {}, {"identity--a"}, ""}};
  EXPECT_FALSE(TrustModel::Build(orgs, {}, {}).ok());
  std::vector<Org> ok = {{"identity--a", "A", "US", "isac", {}, {}, ""}};
  EXPECT_FALSE(TrustModel::Build(ok, {{"g", "G", {"identity--zzz"}}}, {}).ok());
  EXPECT_FALSE(TrustModel::Build(ok, {}, {{1, "nope", Tlp::kAmber}}).ok());
  EXPECT_FALSE(CheckNoClientCycle(ok, "identity--a", {"identity--a"}).ok());
}

TEST(AudienceTest, RoundTrips) {
  Audience a{"alice", {"identity--x", "identity--y"}, {"bob", "kenji@jp-hub"}};
  Audience b = DecodeAudience(EncodeAudience(a));
  EXPECT_EQ(b.producer_account, "alice");
  EXPECT_EQ(b.organizations, a.organizations);
  EXPECT_EQ(b.accounts, a.accounts);
}

TEST(RedactTest, RemovesWhatTheReaderMayNotSeeAndSaysSo) {
  auto m = Model();
  Reader outsider = MakeAccountReader(*m, "eve", "identity--e");
  Reader member = MakeAccountReader(*m, "dave", "identity--d");
  std::string raw = std::string(R"({"type":"indicator","id":"indicator--1","description":"notes",)") +
                    R"("labels":["a","b","c"],"external_references":[{"source_name":"x","url":"u"}],)" +
                    R"("granular_markings":[{"marking_ref":")" + std::string(stix::kTlpGreenId) +
                    R"(","selectors":["description","labels.[0]","labels.[2]","external_references.[0].url"]}]})";
  ObjectMeta o{stix::kTlpClearId, "identity--a", "", 1, true};
  auto out = Redact(*m, outsider, o, raw);
  ASSERT_TRUE(out.ok());
  auto v = boost::json::parse(*out).as_object();
  EXPECT_FALSE(v.contains("description"));
  ASSERT_EQ(v["labels"].as_array().size(), 1u);
  EXPECT_EQ(v["labels"].as_array()[0], boost::json::value("b"));
  EXPECT_FALSE(v["external_references"].as_array()[0].as_object().contains("url"));
  auto paths = v["extensions"].as_object()[kRedactionExtensionId].as_object()["redacted_paths"].as_array();
  EXPECT_EQ(paths.size(), 4u);
  auto same = Redact(*m, member, o, raw);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, raw);  // a group member sees GREEN: nothing removed
  // The copy stays valid STIX: no selector names a removed property.
  EXPECT_FALSE(v.contains("granular_markings"));
}

TEST(RedactTest, KeepsOtherMarkingsSelectorsValidAfterRemovals) {
  auto m = Model();
  Reader outsider = MakeAccountReader(*m, "eve", "identity--e");
  std::string raw = std::string(R"({"type":"indicator","id":"indicator--1","name":"n","description":"notes",)") +
                    R"("labels":["a","b","c"],"granular_markings":[)" +
                    R"({"marking_ref":")" + std::string(stix::kTlpGreenId) +
                    R"(","selectors":["description","labels.[0]"]},)" +
                    R"({"marking_ref":")" + std::string(stix::kTlpClearId) +
                    R"(","selectors":["name","labels.[2]"]}]})";
  ObjectMeta o{stix::kTlpClearId, "identity--a", "", 1, true};
  auto out = Redact(*m, outsider, o, raw);
  ASSERT_TRUE(out.ok());
  auto v = boost::json::parse(*out).as_object();
  ASSERT_EQ(v["labels"].as_array().size(), 2u);
  auto gm = v["granular_markings"].as_array();
  ASSERT_EQ(gm.size(), 1u);  // the GREEN entry selected only removed content
  auto sels = gm[0].as_object()["selectors"].as_array();
  ASSERT_EQ(sels.size(), 2u);
  EXPECT_EQ(sels[0], boost::json::value("name"));
  EXPECT_EQ(sels[1], boost::json::value("labels.[1]"));  // "c" moved down
  EXPECT_EQ(v["labels"].as_array()[1], boost::json::value("c"));
}

TEST(StampTest, EffectiveMarkingAudienceAndRedRule) {
  auto m = Model();
  store::NewObject o;
  auto obj = boost::json::parse(std::string(R"({"type":"indicator","object_marking_refs":[")") +
                                std::string(stix::kTlp1WhiteId) + R"("]})")
                 .as_object();
  ASSERT_TRUE(Stamp(*m, 1, Poster{"alice", "identity--a"}, obj, &o).ok());
  EXPECT_EQ(o.marking, stix::kTlpClearId);  // TLP 1.0 WHITE is stored as 2.0 CLEAR
  EXPECT_EQ(o.producer, "identity--a");
  store::NewObject unmarked;
  auto bare = boost::json::parse(R"({"type":"indicator"})").as_object();
  ASSERT_TRUE(Stamp(*m, 2, Poster{"alice", "identity--a"}, bare, &unmarked).ok());
  EXPECT_EQ(unmarked.marking, stix::kTlpGreenId);  // collection 2 defaults to GREEN
  auto red = boost::json::parse(std::string(R"({"type":"indicator","object_marking_refs":[")") +
                                std::string(stix::kTlpRedId) + R"("]})")
                 .as_object();
  store::NewObject r;
  Status s = Stamp(*m, 1, Poster{"alice", "identity--a"}, red, &r);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  red["extensions"] = boost::json::object{
      {kAudienceExtensionId,
       boost::json::object{{"extension_type", "property-extension"},
                           {"accounts", boost::json::array{"bob"}}}}};
  ASSERT_TRUE(Stamp(*m, 1, Poster{"alice", "identity--a"}, red, &r).ok());
  EXPECT_EQ(DecodeAudience(r.audience).accounts, std::vector<std::string>{"bob"});
  EXPECT_EQ(DecodeAudience(r.audience).producer_account, "alice");
  red["extensions"].as_object()[kAudienceExtensionId].as_object()["accounts"] =
      boost::json::array{"not valid!"};
  EXPECT_FALSE(Stamp(*m, 1, Poster{"alice", "identity--a"}, red, &r).ok());
}

TEST(StampTest, ContributorsPostAsThemselves) {
  auto m = Model();
  auto obj = boost::json::parse(R"({"type":"indicator","created_by_ref":"identity--d"})").as_object();
  store::NewObject o;
  Status s = Stamp(*m, 1, Poster{"alice", "identity--a", true}, obj, &o);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("created_by_ref"), std::string::npos);
  EXPECT_TRUE(Stamp(*m, 1, Poster{"alice", "identity--a", false}, obj, &o).ok());  // a relay
}

TEST(StampTest, GranularMarkingsMayNotCoverIdentifyingProperties) {
  auto m = Model();
  for (const char* sel : {"id", "object_marking_refs", "granular_markings", "extensions.x"}) {
    auto obj = boost::json::parse(std::string(R"({"type":"indicator","granular_markings":[{"marking_ref":")") +
                                  std::string(stix::kTlpRedId) + R"(","selectors":[")" + sel + R"("]}]})")
                   .as_object();
    store::NewObject o;
    EXPECT_FALSE(Stamp(*m, 1, Poster{"alice", "identity--a"}, obj, &o).ok()) << sel;
  }
}

TEST(StampTest, TheTrustGroupIsStampedSoMovingTheCollectionNeverWidens) {
  auto m = Model();
  auto obj = boost::json::parse(std::string(R"({"type":"indicator","object_marking_refs":[")") +
                                std::string(stix::kTlpGreenId) + R"("]})")
                 .as_object();
  store::NewObject o;
  ASSERT_TRUE(Stamp(*m, 1, Poster{"alice", "identity--a"}, obj, &o).ok());
  EXPECT_EQ(DecodeAudience(o.audience).trust_group, "g");
  // Read back in collection 2 (no group: all readers) it still follows "g".
  Reader outsider = MakeAccountReader(*m, "eve", "identity--e");
  ObjectMeta meta{o.marking, o.producer, o.audience, 2, false};
  EXPECT_FALSE(Decide(*m, outsider, meta, Path::kTaxiiObjects).allow);
}

TEST(SectorsTest, CrosswalkCoversBothNationsSectorLists) {
  for (auto us : UsCriticalInfrastructureSectors()) {
    bool found = false;
    for (const auto& s : Sectors()) found = found || s.us == us;
    EXPECT_TRUE(found) << "US sector without a Kizuna code: " << us;
  }
  for (const auto& jp : JpCriticalInfrastructureSectors()) {
    bool found = false;
    for (const auto& s : Sectors()) found = found || (s.jp == jp.en && s.jp_ja == jp.ja);
    EXPECT_TRUE(found) << "Japanese sector without a Kizuna code: " << jp.en;
  }
  EXPECT_EQ(UsCriticalInfrastructureSectors().size(), 16u);
  EXPECT_EQ(JpCriticalInfrastructureSectors().size(), 15u);
  EXPECT_NE(FindSector("rail"), nullptr);
}

}  // namespace
}  // namespace kizuna::policy
