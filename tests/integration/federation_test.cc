// Federation between real hub processes on loopback (issue 5): objects flow
// both ways over channels, the trust policy holds on every hop (the policy
// matrix extended to peers, by what each hub holds and what each of its
// accounts may read), versions and revocations propagate, nothing loops or
// repeats in a ring of three hubs, a plain TAXII peer is pulled by polling,
// pushes reach a peer, a channel that cannot open falls back to polling, and
// plain TAXII 2.1 servers answering in the forms the specification leaves
// optional (the test TAXII server, tests/fixtures/taxii_server.h) are pulled
// without warnings (issue 17).
#include <set>

#include "federation_support.h"
#include "taxii_server.h"

namespace kizuna::testing {
namespace {

constexpr const char* kColl = "c0ffee00-0000-4000-8000-000000000001";

const char* kA1 = "identity--a1000000-0000-4000-8000-000000000001";  // US centre (producer)
const char* kA2 = "identity--a1000000-0000-4000-8000-000000000002";  // US ISAC, in the group
const char* kA3 = "identity--a1000000-0000-4000-8000-000000000003";  // US utility, client of A2
const char* kB1 = "identity--b1000000-0000-4000-8000-000000000001";  // JP centre, in the group
const char* kB2 = "identity--b1000000-0000-4000-8000-000000000002";  // JP vendor, outside
const char* kB3 = "identity--b1000000-0000-4000-8000-000000000003";  // JP rail, client of B1

struct Case {
  int n;
  ObjectSpec spec;
  bool crosses;           // the other hub may hold it
  std::string readers;    // accounts on the other hub that may read it
};

std::vector<OrgDef> Orgs() {
  return {{kA1, "US Centre", "US", "us-hub"}, {kA2, "US ISAC", "US", "us-hub"},
          {kA3, "US Utility", "US", "us-hub"}, {kB1, "JP Centre", "JP", "jp-hub"},
          {kB2, "JP Vendor", "JP", "jp-hub"},  {kB3, "JP Rail", "JP", "jp-hub"}};
}

bool Reads(const Case& c, const std::string& user) {
  return (" " + c.readers + " ").find(" " + user + " ") != std::string::npos;
}

// The matrix, written out by hand from the TLP 2.0 rules and the peer rule
// (a peer receives what some principal homed on it may receive).
std::vector<Case> UsCases() {
  auto id = [](int n) { return IndicatorId(1, n); };
  return {
      {1, {id(1), {kTlpClear}}, true, "kenji yuki ren"},
      {2, {id(2), {kTlpGreen}}, true, "kenji"},
      {3, {id(3), {kTlpAmber}}, true, "kenji ren"},
      {4, {id(4), {kTlpAmberStrict}}, true, "kenji"},
      {5, {id(5), {kTlpAmber}, {kA2}}, false, ""},
      {6, {id(6), {kTlpAmber}, {kB2}}, true, "yuki"},
      {7, {id(7), {kTlpRed}, {}, {"kenji@jp-hub"}}, true, "kenji"},
      {8, {id(8), {kTlpRed}, {}, {"bob"}}, false, ""},
      {9, {id(9), {kTlpAmberStrict}, {kB1}}, true, "kenji"},
      // Unmarked: the US collection's default (AMBER) travels; the Japanese
      // collection's default (CLEAR) must not loosen it.
      {11, {id(11), {}}, true, "kenji ren"},
  };
}

std::vector<Case> JpCases() {
  auto id = [](int n) { return IndicatorId(2, n); };
  return {
      {21, {id(21), {kTlpGreen}}, true, "alice bob"},
      {22, {id(22), {kTlpAmberStrict}, {kA3}}, true, "carol"},
      {23, {id(23), {kTlpRed}, {}, {"carol@us-hub"}}, true, "carol"},
      {24, {id(24), {kTlpRed}, {}, {"yuki"}}, false, ""},
      // Unmarked, CLEAR by the Japanese default: AMBER here (the stricter).
      {25, {id(25), {}}, true, "alice bob carol"},
  };
}

class FederationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    us_ = new TestHub("us-hub");
    jp_ = new TestHub("jp-hub");
    us_->Setup(Orgs(), {kA1, kA2, kB1}, {{"US ISAC", "US Utility"}, {"JP Centre", "JP Rail"}}, {kColl},
               {{"alice", "US Centre", "contributor"}, {"bob", "US ISAC", "contributor"},
                {"carol", "US Utility", "contributor"}});
    jp_->Setup(Orgs(), {kA1, kA2, kB1}, {{"US ISAC", "US Utility"}, {"JP Centre", "JP Rail"}}, {kColl},
               {{"kenji", "JP Centre", "contributor"}, {"yuki", "JP Vendor", "contributor"},
                {"ren", "JP Rail", "contributor"}},
               kTlpClear);
    us_->Start();
    jp_->Start();
    us_->AddPeer(*jp_, {kColl}, "both", {}, "JP Centre");
    jp_->AddPeer(*us_, {kColl}, "both", {}, "US Centre");

    std::vector<std::string> mine;
    for (const auto& c : UsCases()) mine.push_back(IndicatorJson(c.spec));
    // A granular marking: the description is for bob only.
    ObjectSpec g{IndicatorId(1, 10), {kTlpClear}, {}, {"bob"}};
    g.extra = std::string(",\"granular_markings\":[{\"marking_ref\":\"") + kTlpRed +
              "\",\"selectors\":[\"description\"]}]";
    mine.push_back(IndicatorJson(g));
    HttpResponse r = us_->Post("alice", kColl, mine);
    ASSERT_EQ(r.status, 202) << r.body;
    ASSERT_NE(r.body.find("\"failure_count\":0"), std::string::npos) << r.body;
    std::vector<std::string> theirs;
    for (const auto& c : JpCases()) theirs.push_back(IndicatorJson(c.spec));
    r = jp_->Post("kenji", kColl, theirs);
    ASSERT_EQ(r.status, 202) << r.body;
    ASSERT_NE(r.body.find("\"failure_count\":0"), std::string::npos) << r.body;
  }
  static void TearDownTestSuite() {
    if (us_) us_->Stop();
    if (jp_) jp_->Stop();
    delete us_;
    delete jp_;
  }

  static size_t Crossing(const std::vector<Case>& cases) {
    size_t n = 0;
    for (const auto& c : cases) n += c.crosses;
    return n;
  }

  static TestHub* us_;
  static TestHub* jp_;
};
TestHub* FederationTest::us_ = nullptr;
TestHub* FederationTest::jp_ = nullptr;

TEST_F(FederationTest, ObjectsFlowBothWaysAndTheOtherHubHoldsExactlyWhatThePolicyAllows) {
  const size_t us_own = UsCases().size() + 1, jp_own = JpCases().size();
  // The Japanese hub: its own objects, and the US objects it may hold (the
  // granular-marked one included, redacted).
  ASSERT_TRUE(WaitUntil([&] { return jp_->HeldIds(kColl).size() >= jp_own + Crossing(UsCases()) + 1; }))
      << jp_->HeldIds(kColl).size();
  ASSERT_TRUE(WaitUntil([&] { return us_->HeldIds(kColl).size() >= us_own + Crossing(JpCases()); }))
      << us_->HeldIds(kColl).size();
  // Let anything that should not come have a chance to (it must not).
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  std::multiset<std::string> jp_held = jp_->HeldIds(kColl);
  for (const auto& c : UsCases()) {
    EXPECT_EQ(jp_held.count(c.spec.id), c.crosses ? 1u : 0u) << "US case " << c.n << " on jp-hub";
  }
  EXPECT_EQ(jp_held.count(IndicatorId(1, 10)), 1u);
  for (const auto& c : JpCases()) EXPECT_EQ(jp_held.count(c.spec.id), 1u) << "own case " << c.n;
  EXPECT_EQ(jp_held.size(), jp_own + Crossing(UsCases()) + 1);
  std::multiset<std::string> us_held = us_->HeldIds(kColl);
  for (const auto& c : JpCases()) {
    EXPECT_EQ(us_held.count(c.spec.id), c.crosses ? 1u : 0u) << "JP case " << c.n << " on us-hub";
  }
  for (const auto& c : UsCases()) EXPECT_EQ(us_held.count(c.spec.id), 1u) << "own case " << c.n;
  EXPECT_EQ(us_held.size(), us_own + Crossing(JpCases()));
}

TEST_F(FederationTest, EveryReaderOnTheReceivingHubSeesExactlyTheMatrix) {
  ASSERT_TRUE(WaitUntil([&] { return jp_->HeldIds(kColl).size() >= JpCases().size() + Crossing(UsCases()) + 1; }));
  ASSERT_TRUE(WaitUntil([&] { return us_->HeldIds(kColl).size() >= UsCases().size() + 1 + Crossing(JpCases()); }));
  for (const std::string user : {"kenji", "yuki", "ren"}) {
    std::multiset<std::string> seen = jp_->Visible(user, kColl);
    for (const auto& c : UsCases()) {
      bool visible = seen.count(c.spec.id + "|" + c.spec.modified) > 0;
      EXPECT_EQ(visible, Reads(c, user)) << user << " on jp-hub, US case " << c.n;
    }
  }
  for (const std::string user : {"alice", "bob", "carol"}) {
    std::multiset<std::string> seen = us_->Visible(user, kColl);
    for (const auto& c : JpCases()) {
      bool visible = seen.count(c.spec.id + "|" + c.spec.modified) > 0;
      EXPECT_EQ(visible, Reads(c, user)) << user << " on us-hub, JP case " << c.n;
    }
  }
}

TEST_F(FederationTest, TheReceivingHubRecordsOriginMarkingAndLocalizedAccounts) {
  ASSERT_TRUE(WaitUntil([&] { return jp_->HeldIds(kColl).count(IndicatorId(1, 11)) == 1; }));
  ASSERT_TRUE(WaitUntil([&] { return jp_->HeldIds(kColl).count(IndicatorId(1, 7)) == 1; }));
  for (const auto& s : jp_->Holdings(kColl)) {
    if (s.id.rfind(IndicatorId(1, 0).substr(0, 20), 0) == 0) {
      EXPECT_EQ(s.origin, "us-hub") << s.id;
    } else {
      EXPECT_EQ(s.origin, "") << s.id;
    }
    if (s.id == IndicatorId(1, 11)) {
      EXPECT_EQ(s.marking, kTlpAmber) << "the stricter default travels";
    }
    if (s.id == IndicatorId(1, 7)) {
      // "kenji@jp-hub" is a local account here; alice is the US producer.
      EXPECT_NE((" " + s.audience + " ").find(" a:kenji "), std::string::npos) << s.audience;
      EXPECT_NE(s.audience.find("p:alice@us-hub"), std::string::npos) << s.audience;
    }
  }
  for (const auto& s : us_->Holdings(kColl)) {
    if (s.id == IndicatorId(2, 25)) {
      EXPECT_EQ(s.marking, kTlpAmber);
    }
    if (s.id == IndicatorId(2, 23)) {
      EXPECT_NE((" " + s.audience + " ").find(" a:carol "), std::string::npos) << s.audience;
    }
  }
}

TEST_F(FederationTest, GranularMarkedContentTheReceiverMayNotSeeNeverCrosses) {
  const std::string id = IndicatorId(1, 10);
  ASSERT_TRUE(WaitUntil([&] { return jp_->HeldIds(kColl).count(id) == 1; }));
  HttpResponse r;
  // Served once its commit is flushed.
  ASSERT_TRUE(WaitUntil([&] {
    r = jp_->Get("kenji", std::string("/api1/collections/") + kColl + "/objects/" + id + "/");
    return r.status == 200;
  })) << r.status << " " << r.body;
  EXPECT_EQ(r.body.find("\"description\":"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("notes"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("redacted_paths"), std::string::npos) << r.body;
  // The US copy keeps it for bob.
  HttpResponse b = us_->Get("bob", std::string("/api1/collections/") + kColl + "/objects/" + id + "/");
  EXPECT_NE(b.body.find("\"description\":\"notes\""), std::string::npos) << b.body;
}

TEST_F(FederationTest, NewVersionsAndRevocationsPropagate) {
  ObjectSpec v2{IndicatorId(1, 1), {kTlpClear}};
  v2.modified = "2025-06-01T00:00:00.000Z";
  v2.extra = ",\"revoked\":true";
  ASSERT_EQ(us_->Post("alice", kColl, {IndicatorJson(v2)}).status, 202);
  ASSERT_TRUE(WaitUntil([&] { return jp_->HeldIds(kColl).count(IndicatorId(1, 1)) == 2; }));
  // The file holds the new version as soon as it is committed; the hub
  // serves it once the commit is flushed, and until then the old version
  // (never nothing: the object does not vanish in between).
  const std::string path = std::string("/api1/collections/") + kColl + "/objects/" + IndicatorId(1, 1) + "/";
  HttpResponse r;
  ASSERT_TRUE(WaitUntil([&] {
    r = jp_->Get("yuki", path);
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find(IndicatorId(1, 1)), std::string::npos) << r.body;
    return r.body.find("\"revoked\":true") != std::string::npos;
  })) << r.body;
  // Re-posting a version is idempotent across hubs too.
  ASSERT_EQ(us_->Post("alice", kColl, {IndicatorJson(v2)}).status, 202);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(jp_->HeldIds(kColl).count(IndicatorId(1, 1)), 2u);
  EXPECT_EQ(us_->HeldIds(kColl).count(IndicatorId(1, 1)), 2u);
}

TEST_F(FederationTest, ChannelsAreOpenBothWays) {
  ASSERT_TRUE(WaitUntil([&] { return us_->Metric("kizuna_federation_channels_open") == "1"; }));
  ASSERT_TRUE(WaitUntil([&] { return jp_->Metric("kizuna_federation_channels_open") == "1"; }));
  EXPECT_EQ(us_->Metric("kizuna_federation_rejected_total"), "0");
  EXPECT_EQ(jp_->Metric("kizuna_federation_rejected_total"), "0");
}

// ---- three hubs in a ring -----------------------------------------------------------

const char* kR1 = "identity--c1000000-0000-4000-8000-000000000001";  // homed on hub-a
const char* kR2 = "identity--c1000000-0000-4000-8000-000000000002";  // homed on hub-b
const char* kR3 = "identity--c1000000-0000-4000-8000-000000000003";  // homed on hub-c
constexpr const char* kRingColl = "c0ffee00-0000-4000-8000-000000000002";

TEST(FederationRingTest, ThreeHubsConvergeWithoutLoopsDuplicatesOrLeaks) {
  std::vector<std::unique_ptr<TestHub>> hubs;
  const std::vector<std::string> names = {"hub-a", "hub-b", "hub-c"};
  const std::vector<std::string> orgs = {kR1, kR2, kR3};
  const std::vector<std::string> org_names = {"Org A", "Org B", "Org C"};
  std::vector<OrgDef> defs;
  for (int i = 0; i < 3; ++i) defs.push_back({orgs[i], org_names[i], "US", names[i]});
  for (int i = 0; i < 3; ++i) {
    hubs.push_back(std::make_unique<TestHub>(names[i]));
    hubs[i]->Setup(defs, {kR1, kR2, kR3}, {}, {kRingColl},
                   {{"user-" + names[i].substr(4), org_names[i], "contributor"}});
    hubs[i]->Start();
  }
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      if (i == j) continue;
      hubs[i]->AddPeer(*hubs[j], {kRingColl}, "both", {}, org_names[j]);
    }
  }
  // Each hub publishes: GREEN (everyone), AMBER for the next hub's org only,
  // RED for an account on the hub after next, AMBER for its own org only.
  struct Published {
    std::string id;
    std::set<int> holders;  // hubs that may hold it
  };
  std::vector<Published> all;
  for (int i = 0; i < 3; ++i) {
    const int next = (i + 1) % 3, after = (i + 2) % 3;
    std::string user = "user-" + names[i].substr(4);
    std::vector<std::string> objs;
    auto add = [&](int n, ObjectSpec s, std::set<int> holders) {
      s.id = IndicatorId(10 + i, n);
      objs.push_back(IndicatorJson(s));
      all.push_back({s.id, holders});
    };
    add(1, {"", {kTlpGreen}}, {0, 1, 2});
    add(2, {"", {kTlpAmber}, {orgs[next]}}, {i, next});
    add(3, {"", {kTlpRed}, {}, {"user-" + names[after].substr(4) + "@" + names[after]}}, {i, after});
    add(4, {"", {kTlpAmberStrict}, {orgs[i]}}, {i});
    ASSERT_EQ(hubs[i]->Post(user, kRingColl, objs).status, 202);
  }
  auto expected_count = [&](int h) {
    size_t n = 0;
    for (const auto& p : all) n += p.holders.count(h);
    return n;
  };
  for (int h = 0; h < 3; ++h) {
    ASSERT_TRUE(WaitUntil([&] { return hubs[h]->HeldIds(kRingColl).size() >= expected_count(h); }))
        << names[h] << " holds " << hubs[h]->HeldIds(kRingColl).size() << " of " << expected_count(h);
  }
  // Relays have had their chance; nothing more may arrive, nothing repeats.
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  for (int h = 0; h < 3; ++h) {
    std::multiset<std::string> held = hubs[h]->HeldIds(kRingColl);
    EXPECT_EQ(held.size(), expected_count(h)) << names[h];
    for (const auto& p : all) {
      EXPECT_EQ(held.count(p.id), p.holders.count(h) ? 1u : 0u) << p.id << " on " << names[h];
    }
    for (const auto& s : hubs[h]->Holdings(kRingColl)) {
      // The origin path starts at the publishing hub and never names the holder.
      int publisher = std::stoi(s.id.substr(17, 2), nullptr, 16) - 10;
      if (publisher == h) {
        EXPECT_EQ(s.origin, "") << s.id << " on " << names[h];
      } else {
        EXPECT_EQ(s.origin.rfind(names[publisher], 0), 0u) << s.id << " origin " << s.origin;
        EXPECT_EQ(s.origin.find(names[h]), std::string::npos) << s.id << " origin " << s.origin;
      }
    }
  }
  for (auto& h : hubs) h->Stop();
}

// ---- pushes, plain TAXII peers, polling fallback ----------------------------------

constexpr const char* kPushColl = "c0ffee00-0000-4000-8000-000000000003";
const char* kP1 = "identity--d1000000-0000-4000-8000-000000000001";
const char* kP2 = "identity--d1000000-0000-4000-8000-000000000002";
const char* kP3 = "identity--d1000000-0000-4000-8000-000000000003";
const char* kP4 = "identity--d1000000-0000-4000-8000-000000000004";

TEST(FederationModesTest, PushPlainTaxiiPollingAndChannelFallback) {
  // hub-p pushes to hub-q (hub-q does not pull from hub-p); hub-r pulls from
  // hub-p as from a plain TAXII server (polling, no metadata); hub-s pulls
  // from hub-p whose channels are full, so it polls.
  TestHub p("hub-p", "[channels]\nmax_subscribers = 1\n");
  TestHub q("hub-q"), r("hub-r"), s("hub-s");
  std::vector<OrgDef> defs = {{kP1, "Org P", "US", "hub-p"},
                              {kP2, "Org Q", "JP", "hub-q"},
                              {kP3, "Org R", "JP", "hub-r"},
                              {kP4, "Org S", "JP", "hub-s"}};
  const std::vector<std::string> group = {kP1, kP2, kP3, kP4};
  p.Setup(defs, group, {}, {kPushColl}, {{"pat", "Org P", "contributor"}});
  q.Setup(defs, group, {}, {kPushColl}, {{"quinn", "Org Q", "contributor"}});
  r.Setup(defs, group, {}, {kPushColl}, {{"rio", "Org R", "contributor"}});
  s.Setup(defs, group, {}, {kPushColl}, {{"sam", "Org S", "contributor"}});
  for (TestHub* h : {&p, &q, &r, &s}) h->Start();
  // hub-q: only an account for hub-p that may write (no peer record, no pull).
  q.Admin({"account", "add", "hub-p", "--org", "Org P", "--password-stdin", "--role", "peer"},
          Password("hub-p@hub-q") + "\n");
  q.Admin({"grant", "hub-p", kPushColl, "--write"});
  p.AddPeer(q, {kPushColl}, "out", {}, "Org Q", /*push=*/true);
  // Occupy hub-p's only channel slot before anyone else subscribes.
  StreamReader hold;
  ASSERT_TRUE(hold.Open(p.port(), std::string("/api1/collections/") + kPushColl + "/stream",
                        {{"Authorization", BasicAuth("pat", Password("pat"))}}));
  ASSERT_EQ(hold.status(), 200);
  // hub-r: a plain TAXII peer.
  p.AddPeer(r, {kPushColl}, "out", {}, "Org R");
  r.Admin({"peer", "add", "hub-p", "--url", p.discovery(), "--kind", "taxii", "--flow",
           std::string(kPushColl) + ":in", "--poll-interval-ms", "100", "--remote-password-stdin",
           "--account-password-stdin", "--account-org", "Org P"},
          Password("hub-r@hub-p") + "\n" + Password("hub-p@hub-r") + "\n");
  // hub-s: a Kizuna peer whose channel cannot open.
  p.AddPeer(s, {kPushColl}, "out", {}, "Org S");
  s.AddPeer(p, {kPushColl}, "in", {}, "Org P");

  std::vector<std::string> objs;
  for (int i = 0; i < 30; ++i) objs.push_back(IndicatorJson({IndicatorId(20, i), {kTlpGreen}}));
  objs.push_back(IndicatorJson({IndicatorId(20, 99), {kTlpAmberStrict}, {kP1}}));  // stays on hub-p
  ASSERT_EQ(p.Post("pat", kPushColl, objs).status, 202);
  for (TestHub* h : {&q, &r, &s}) {
    ASSERT_TRUE(WaitUntil([&] { return h->HeldIds(kPushColl).size() >= 30; }))
        << h->name() << " holds " << h->HeldIds(kPushColl).size();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  for (TestHub* h : {&q, &r, &s}) {
    std::multiset<std::string> held = h->HeldIds(kPushColl);
    EXPECT_EQ(held.size(), 30u) << h->name();
    EXPECT_EQ(held.count(IndicatorId(20, 99)), 0u) << h->name();
    for (int i = 0; i < 30; ++i) EXPECT_EQ(held.count(IndicatorId(20, i)), 1u) << h->name();
  }
  // The plain TAXII pull carried no metadata: origin is the peer; marking
  // from the object itself.
  for (const auto& st : r.Holdings(kPushColl)) {
    EXPECT_EQ(st.origin, "hub-p");
    EXPECT_EQ(st.marking, kTlpGreen);
  }
  EXPECT_NE(p.Metric("kizuna_federation_objects_out_total"), "0");
  EXPECT_NE(s.Metric("kizuna_federation_polls_total"), "0");
  EXPECT_NE(s.Metric("kizuna_federation_channel_failures_total"), "0");
  for (TestHub* h : {&p, &q, &r, &s}) h->Stop();
}

// ---- plain TAXII 2.1 servers as they are in the field (issue 17) ---------------------

constexpr const char* kFieldColl = "c0ffee00-0000-4000-8000-000000000004";
constexpr const char* kBareColl = "c0ffee00-0000-4000-8000-000000000005";
constexpr const char* kRemoteColl = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";
const char* kT1 = "identity--e1000000-0000-4000-8000-000000000001";
const char* kT2 = "identity--e1000000-0000-4000-8000-000000000002";

// The log lines of `level` ("warning", "info", ...) that contain `text`.
int CountLines(const std::string& log, const std::string& level, const std::string& text) {
  int n = 0;
  size_t pos = 0;
  while (pos < log.size()) {
    size_t end = log.find('\n', pos);
    if (end == std::string::npos) end = log.size();
    std::string_view line(log.data() + pos, end - pos);
    if (line.find("[" + level + "]") != std::string_view::npos && line.find(text) != std::string_view::npos) ++n;
    pos = end + 1;
  }
  return n;
}

TEST(FederationPlainTaxiiTest, FieldServersArePulledWithoutWarningsAndMalformedPagesReportedOnce) {
  // "field": like medallion: {} when nothing is new, limit capped at 100, a
  // token refused (expired) once, a discovery document naming another
  // host:port (here a decoy that must never be contacted), Basic auth, 406
  // for the bare media type. "bare": no X-TAXII-Date-Added-* headers (the
  // cursor from the manifest), "next" without "more", "objects": [] when
  // empty, limit capped at 7, reached by its API root URL.
  TestTaxiiServer field, bare, decoy;
  ASSERT_TRUE(field.Start());
  ASSERT_TRUE(bare.Start());
  ASSERT_TRUE(decoy.Start());
  TestTaxiiServer::Behaviour fb;
  fb.user = "admin";
  fb.password = "Password0";
  fb.api_root = "trustgroup1";
  fb.collection = kRemoteColl;
  fb.advertised_root = decoy.origin() + "/trustgroup1/";
  fb.max_page = 100;
  fb.refuse_tokens = 1;
  field.SetBehaviour(fb);
  TestTaxiiServer::Behaviour bb;
  bb.user = "reader";
  bb.password = "Password1";
  bb.collection = kRemoteColl;
  bb.max_page = 7;
  bb.date_headers = false;
  bb.send_more = false;
  bb.empty_as_braces = false;
  bb.empty_objects_list = true;
  bare.SetBehaviour(bb);
  std::vector<std::string> objs;
  for (int i = 0; i < 250; ++i) objs.push_back(IndicatorJson({IndicatorId(30, i), {kTlpGreen}}));
  field.Add(objs);  // one POST: one date_added for all 250
  for (int i = 0; i < 20; ++i) bare.Add({IndicatorJson({IndicatorId(31, i), {kTlpGreen}})});

  TestHub hub("us-hub", "", "info");
  hub.Setup({{kT1, "Org T", "US", ""}, {kT2, "Org Field", "JP", "field"}}, {kT1, kT2}, {},
            {kFieldColl, kBareColl}, {{"tess", "Org T", "contributor"}});
  hub.Start();
  hub.Admin({"peer", "add", "field", "--url", field.discovery_url(), "--kind", "taxii", "--flow",
             std::string(kFieldColl) + "=" + kRemoteColl + ":in", "--remote-user", "admin",
             "--remote-password-stdin", "--account-org", "Org Field", "--poll-interval-ms", "100"},
            "Password0\n");
  hub.Admin({"peer", "add", "bare", "--url", bare.api_root_url(), "--kind", "taxii", "--flow",
             std::string(kBareColl) + "=" + kRemoteColl + ":in", "--remote-user", "reader",
             "--remote-password-stdin", "--account-org", "Org Field", "--poll-interval-ms", "100"},
            "Password1\n");
  // The discovery document names the decoy's host:port: the hub must take the
  // path on the configured host, never send the credentials there.
  ASSERT_TRUE(WaitUntil([&] { return field.ObjectPageRequests() > 0 || !decoy.Requests().empty(); }));
  for (const auto& r : decoy.Requests()) {
    ADD_FAILURE() << "the decoy got " << r.method << " " << r.target << " with Authorization: "
                  << (r.headers.count("authorization") ? r.headers.at("authorization") : "(none)");
  }
  ASSERT_TRUE(WaitUntil([&] { return hub.HeldIds(kFieldColl).size() >= 250; }))
      << hub.HeldIds(kFieldColl).size() << "\n" << hub.Output();
  ASSERT_TRUE(WaitUntil([&] { return hub.HeldIds(kBareColl).size() >= 20; }))
      << hub.HeldIds(kBareColl).size() << "\n" << hub.Output();
  // Later objects arrive too, once each.
  field.Add({IndicatorJson({IndicatorId(30, 250), {kTlpGreen}})});
  bare.Add({IndicatorJson({IndicatorId(31, 20), {kTlpGreen}})});
  ASSERT_TRUE(WaitUntil([&] { return hub.HeldIds(kFieldColl).size() >= 251; }));
  ASSERT_TRUE(WaitUntil([&] { return hub.HeldIds(kBareColl).size() >= 21; }));
  // Nothing new for a while: many polls, and not one warning.
  const int before = field.ObjectPageRequests() + bare.ObjectPageRequests();
  ASSERT_TRUE(WaitUntil([&] { return field.ObjectPageRequests() + bare.ObjectPageRequests() >= before + 30; }));
  std::multiset<std::string> held = hub.HeldIds(kFieldColl);
  EXPECT_EQ(held.size(), 251u);
  for (int i = 0; i <= 250; ++i) EXPECT_EQ(held.count(IndicatorId(30, i)), 1u) << i;
  held = hub.HeldIds(kBareColl);
  EXPECT_EQ(held.size(), 21u);
  std::string log = hub.Output();
  EXPECT_EQ(CountLines(log, "warning", ""), 0) << log;
  EXPECT_EQ(CountLines(log, "error", ""), 0) << log;
  EXPECT_EQ(CountLines(log, "info", "discovery names the API root " + decoy.origin()), 1) << log;
  EXPECT_TRUE(decoy.Requests().empty()) << "credentials went to the host the discovery named";
  for (const auto& r : field.Requests()) EXPECT_EQ(r.headers.at("accept"), kTaxii) << r.target;

  // A malformed page: one warning quoting it, however many polls fail.
  fb.refuse_tokens = 0;
  fb.malformed_body = R"({"objects": "not a list"})";
  field.SetBehaviour(fb);
  const int failing_from = field.ObjectPageRequests();
  ASSERT_TRUE(WaitUntil([&] { return field.ObjectPageRequests() >= failing_from + 4; }));
  log = hub.Output();
  EXPECT_EQ(CountLines(log, "warning", "field: polling failed"), 1) << log;
  EXPECT_EQ(CountLines(log, "warning", R"(the peer answered: {"objects": "not a list"})"), 1) << log;
  // Fixed: the link recovers (said once) and goes on.
  fb.malformed_body.clear();
  field.SetBehaviour(fb);
  field.Add({IndicatorJson({IndicatorId(30, 251), {kTlpGreen}})});
  ASSERT_TRUE(WaitUntil([&] { return hub.HeldIds(kFieldColl).size() >= 252; }));
  ASSERT_TRUE(WaitUntil([&] { return CountLines(hub.Output(), "info", "field: polling works again") == 1; }))
      << hub.Output();
  log = hub.Output();
  EXPECT_EQ(CountLines(log, "warning", ""), 1) << log;
  EXPECT_TRUE(decoy.Requests().empty());
  hub.Stop();
}

}  // namespace
}  // namespace kizuna::testing
