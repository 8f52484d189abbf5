// The policy matrix, through real HTTP against the real binary: every
// principal kind x every marking x every release path, asserting exactly who
// receives what (zero leaks), that every denial is audited, that paging stays
// correct when most objects are unreadable, and that bad administrative input
// changes nothing.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <ctime>
#include <map>
#include <set>
#include <thread>

#include "harness.h"

namespace kizuna::testing {
namespace {

namespace json = boost::json;

constexpr const char* kCol = "a1a1a1a1-0000-4000-8000-000000000001";
constexpr const char* kClear = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
constexpr const char* kGreen = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
constexpr const char* kAmber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
constexpr const char* kAmberStrict = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003";
constexpr const char* kRed = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
constexpr const char* kTlp1White = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9";
constexpr const char* kTlp1Green = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
constexpr const char* kTlp1Amber = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";
constexpr const char* kAudienceExt = "extension-definition--7a79d0e5-a2c1-4b04-870f-c5d9a7fed356";
constexpr const char* kRedactionExt = "extension-definition--f7de493e-8da0-42e6-a7de-0197917d4704";

const char* kOrgA = "identity--aaaaaaaa-0000-4000-8000-000000000001";  // producer
const char* kOrgB = "identity--aaaaaaaa-0000-4000-8000-000000000002";  // recipient, in the group
const char* kOrgC = "identity--aaaaaaaa-0000-4000-8000-000000000003";  // client of B, not in the group
const char* kOrgD = "identity--aaaaaaaa-0000-4000-8000-000000000004";  // group member
const char* kOrgE = "identity--aaaaaaaa-0000-4000-8000-000000000005";  // outsider
const char* kOrgF = "identity--aaaaaaaa-0000-4000-8000-000000000006";  // homed on the peer hub

// The principals: P producer's account, S same organization, R recipient
// organization, C client of a recipient, G trust-group member, O outsider,
// H peer hub. (Anonymous readers are refused before any object: 401.)
const std::vector<std::string> kPrincipals = {"P", "S", "R", "C", "G", "O", "H"};
const std::map<std::string, std::string> kUser = {{"P", "alice"}, {"S", "alice2"}, {"R", "bob"},
                                                  {"C", "carol"}, {"G", "dave"},   {"O", "eve"},
                                                  {"H", "jp-hub"}};

struct Case {
  std::string key;
  std::vector<std::string> markings;
  std::vector<std::string> audience_orgs;
  std::vector<std::string> audience_accounts;
  std::string visible;  // which principals may receive it
};

// The expected matrix, written out by hand from the TLP 2.0 rules (not
// computed by the code under test).
const std::vector<Case> kCases = {
    {"none", {}, {}, {}, "P S R C G H"},  // the collection default, AMBER
    {"clear", {kClear}, {}, {}, "P S R C G O H"},
    {"green", {kGreen}, {}, {}, "P S R G H"},
    {"amber", {kAmber}, {}, {}, "P S R C G H"},
    {"amber-aud-b", {kAmber}, {kOrgB}, {}, "P S R C"},
    {"amberstrict-aud-b", {kAmberStrict}, {kOrgB}, {}, "P S R"},
    {"amberstrict", {kAmberStrict}, {}, {}, "P S R G H"},
    {"red-bob", {kRed}, {}, {"bob"}, "P R"},
    {"red-dave-peer", {kRed}, {}, {"dave", "kenji@jp-hub"}, "P G H"},
    {"tlp1-white", {kTlp1White}, {}, {}, "P S R C G O H"},
    {"tlp1-green", {kTlp1Green}, {}, {}, "P S R G H"},
    {"tlp1-amber", {kTlp1Amber}, {}, {}, "P S R C G H"},
    {"mixed-green-amberstrict", {kGreen, kAmberStrict}, {}, {}, "P S R G H"},
    {"mixed-clear-red", {kClear, kRed}, {}, {"carol"}, "P C"},
};

std::string UuidFor(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "bbbbbbbb-0000-4000-8000-%012d", n);
  return buf;
}

std::string IndicatorJson(const std::string& id, const std::vector<std::string>& markings,
                          const std::vector<std::string>& orgs,
                          const std::vector<std::string>& accounts, const std::string& extra = "") {
  json::object o{{"type", "indicator"},
                 {"spec_version", "2.1"},
                 {"id", id},
                 {"created", "2025-01-01T00:00:00.000Z"},
                 {"modified", "2025-01-01T00:00:00.000Z"},
                 {"name", "policy matrix"},
                 {"description", "secret notes"},
                 {"pattern", "[ipv4-addr:value = '198.51.100.1']"},
                 {"pattern_type", "stix"},
                 {"valid_from", "2025-01-01T00:00:00Z"}};
  if (!markings.empty()) {
    json::array m;
    for (const auto& x : markings) m.push_back(json::string(x));
    o["object_marking_refs"] = m;
  }
  if (!orgs.empty() || !accounts.empty()) {
    json::object ext{{"extension_type", "property-extension"}};
    json::array a, b;
    for (const auto& x : orgs) a.push_back(json::string(x));
    for (const auto& x : accounts) b.push_back(json::string(x));
    if (!a.empty()) ext["organizations"] = a;
    if (!b.empty()) ext["accounts"] = b;
    o["extensions"] = json::object{{kAudienceExt, ext}};
  }
  std::string s = json::serialize(o);
  if (!extra.empty()) s = s.substr(0, s.size() - 1) + "," + extra + "}";
  return s;
}

class PolicyTest : public ::testing::Test {
 protected:
  static void Admin(const std::vector<std::string>& args, const std::string& in = "") {
    std::vector<std::string> a = {"admin", "--config", config_};
    a.insert(a.end(), args.begin(), args.end());
    ProcessResult r = RunKizuna(a, in);
    ASSERT_EQ(r.exit_code, 0) << "kizuna admin failed: " << r.err << r.out;
  }

  static void SetUpTestSuite() {
    dir_ = new TempDir();
    config_ = WriteHubConfig(*dir_);
    struct OrgDef {
      const char* id;
      const char* name;
      const char* nation;
      const char* kind;
      const char* home;
    };
    for (const OrgDef& o : std::vector<OrgDef>{{kOrgA, "Org A", "US", "government", ""},
                                               {kOrgB, "Org B", "US", "isac", ""},
                                               {kOrgC, "Org C", "US", "operator", ""},
                                               {kOrgD, "Org D", "JP", "government", ""},
                                               {kOrgE, "Org E", "JP", "vendor", ""},
                                               {kOrgF, "Org F", "JP", "operator", "jp-hub"}}) {
      std::vector<std::string> args = {"org", "add", "--id", o.id, "--name", o.name, "--nation",
                                       o.nation, "--kind", o.kind};
      if (*o.home) {
        args.push_back("--home-hub");
        args.push_back(o.home);
      }
      Admin(args);
    }
    Admin({"org", "set-clients", "Org B", "--client", "Org C"});
    Admin({"trust-group", "add", "g1", "--name", "Group one", "--member", "Org A", "--member",
           "Org B", "--member", "Org D", "--member", "Org F"});
    Admin({"api-root", "add", "api1"});
    Admin({"collection", "add", "--api-root", "api1", "--title", "Matrix", "--id", kCol,
           "--trust-group", "g1"});
    const std::map<std::string, std::string> org_of = {
        {"alice", "Org A"}, {"alice2", "Org A"}, {"bob", "Org B"},   {"carol", "Org C"},
        {"dave", "Org D"},  {"eve", "Org E"},    {"jp-hub", "Org F"}};
    for (const auto& [user, org] : org_of) {
      std::vector<std::string> args = {"account", "add", user, "--org", org, "--password-stdin",
                                       "--role", user == "jp-hub" ? "peer" : "contributor"};
      Admin(args, user + "-password-123\n");
      Admin({"grant", user, kCol, "--read", "--write"});
    }
    std::string error;
    hub_ = KizunaProcess::Start({"serve", "--config", config_}, &error).release();
    ASSERT_NE(hub_, nullptr) << error;

    // alice posts one object per case.
    std::vector<std::string> objects;
    for (size_t i = 0; i < kCases.size(); ++i) {
      const Case& c = kCases[i];
      objects.push_back(IndicatorJson("indicator--" + UuidFor(static_cast<int>(i)), c.markings,
                                      c.audience_orgs, c.audience_accounts));
    }
    // A public object whose description only bob (and alice) may read.
    objects.push_back(IndicatorJson(
        "indicator--" + UuidFor(99), {kClear}, {}, {"bob"},
        std::string("\"granular_markings\":[{\"marking_ref\":\"") + kRed +
            "\",\"selectors\":[\"description\"]}]"));
    HttpResponse r = Post("alice", Objects(), "{\"objects\":[" + Join(objects) + "]}");
    ASSERT_EQ(r.status, 202) << r.body;
    ASSERT_NE(r.body.find("\"failure_count\":0"), std::string::npos) << r.body;
    status_id_ = std::string(json::parse(r.body).as_object()["id"].as_string());
  }

  static void TearDownTestSuite() {
    if (hub_) {
      EXPECT_EQ(hub_->Stop(), 0);
    }
    delete hub_;
    delete dir_;
    hub_ = nullptr;
    dir_ = nullptr;
  }

  static std::string Join(const std::vector<std::string>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + v[i];
    return s;
  }
  static std::string Auth(const std::string& user) {
    return BasicAuth(user, user + "-password-123");
  }
  static std::string Objects() { return std::string("/api1/collections/") + kCol + "/objects/"; }
  static HttpResponse Get(const std::string& user, const std::string& target) {
    auto session = sessions_.find(user);
    if (session != sessions_.end()) {  // a dashboard session stands in for the password
      return HttpRequest(hub_->port(), "GET", target, {{"Cookie", session->second}, {"Accept", kTaxii}});
    }
    return HttpRequest(hub_->port(), "GET", target,
                       {{"Authorization", Auth(user)}, {"Accept", kTaxii}});
  }
  // Signs `user` in to the dashboard: Get then reads with the session cookie.
  static void UseSession(const std::string& user) {
    HttpResponse r = HttpRequest(hub_->port(), "POST", "/ui/api/session", {{"Content-Type", "application/json"}},
                                 "{\"username\":\"" + user + "\",\"password\":\"" + user + "-password-123\"}");
    ASSERT_EQ(r.status, 201) << r.body;
    const std::string cookie = r.Header("set-cookie");
    sessions_[user] = cookie.substr(0, cookie.find(';'));
  }
  static HttpResponse Post(const std::string& user, const std::string& target,
                           const std::string& body) {
    return HttpRequest(hub_->port(), "POST", target,
                       {{"Authorization", Auth(user)}, {"Accept", kTaxii}, {"Content-Type", kTaxii}},
                       body);
  }
  static bool Visible(const Case& c, const std::string& principal) {
    return (" " + c.visible + " ").find(" " + principal + " ") != std::string::npos;
  }
  // Every id the listing endpoint returns to `user`, following `next`.
  static std::set<std::string> ListIds(const std::string& user, const std::string& endpoint,
                                       const std::string& collection = kCol, int limit = 5) {
    std::set<std::string> ids;
    std::string next;
    for (int guard = 0; guard < 10000; ++guard) {
      std::string target = "/api1/collections/" + collection + "/" + endpoint +
                           "/?match[type]=indicator&limit=" + std::to_string(limit);
      if (!next.empty()) target += "&next=" + next;
      HttpResponse r = Get(user, target);
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) break;
      json::object o = json::parse(r.body).as_object();
      if (o.contains("objects")) {
        size_t n = o["objects"].as_array().size();
        if (o["more"].as_bool()) {
          EXPECT_EQ(n, static_cast<size_t>(limit)) << "a short page followed by more";
        }
        for (auto& v : o["objects"].as_array()) {
          EXPECT_TRUE(ids.insert(std::string(v.as_object().at("id").as_string())).second)
              << "an object repeated across pages";
        }
      } else {
        EXPECT_FALSE(o["more"].as_bool()) << "an empty page with more=true";
      }
      if (!o["more"].as_bool()) break;
      next = std::string(o["next"].as_string());
    }
    return ids;
  }

  static TempDir* dir_;
  static std::string config_;
  static KizunaProcess* hub_;
  static std::string status_id_;
  static inline std::map<std::string, std::string> sessions_;  // user -> session cookie
};

TempDir* PolicyTest::dir_ = nullptr;
std::string PolicyTest::config_;
KizunaProcess* PolicyTest::hub_ = nullptr;
std::string PolicyTest::status_id_;

TEST_F(PolicyTest, GetObjectsReleasesExactlyTheMatrix) {
  for (const auto& p : kPrincipals) {
    std::set<std::string> got = ListIds(kUser.at(p), "objects");
    for (size_t i = 0; i < kCases.size(); ++i) {
      std::string id = "indicator--" + UuidFor(static_cast<int>(i));
      EXPECT_EQ(got.count(id) > 0, Visible(kCases[i], p))
          << "principal " << p << " (" << kUser.at(p) << "), case " << kCases[i].key;
    }
  }
}

// Issue 13: the dashboard's session is the account, on the same decision
// point: every principal's session lists exactly its matrix row.
TEST_F(PolicyTest, ADashboardSessionReleasesExactlyTheMatrix) {
  for (const auto& p : kPrincipals) UseSession(kUser.at(p));
  for (const auto& p : kPrincipals) {
    std::set<std::string> got = ListIds(kUser.at(p), "objects");
    for (size_t i = 0; i < kCases.size(); ++i) {
      std::string id = "indicator--" + UuidFor(static_cast<int>(i));
      EXPECT_EQ(got.count(id) > 0, Visible(kCases[i], p))
          << "principal " << p << " (" << kUser.at(p) << ") in a session, case " << kCases[i].key;
    }
  }
  sessions_.clear();
}

// Issue 13: the dashboard's overview counts exactly the versions each
// principal gets over TAXII, type by type (before any deletion in this file:
// a deleted version stays counted until a restart).
TEST_F(PolicyTest, TheOverviewCountsExactlyWhatTaxiiReleases) {
  for (const auto& p : kPrincipals) {
    const std::string& user = kUser.at(p);
    std::map<std::string, int64_t> taxii;
    std::string next;
    for (int guard = 0; guard < 1000; ++guard) {
      HttpResponse r = Get(user, Objects() + "?match[version]=all&limit=1000" + (next.empty() ? "" : "&next=" + next));
      ASSERT_EQ(r.status, 200) << r.body;
      json::object o = json::parse(r.body).as_object();
      if (o.contains("objects")) {
        for (auto& v : o["objects"].as_array()) ++taxii[std::string(v.as_object().at("type").as_string())];
      }
      if (!o["more"].as_bool()) break;
      next = std::string(o["next"].as_string());
    }
    // Ten years: every version of this file's (their `modified` is in the past).
    HttpResponse r = HttpRequest(hub_->port(), "GET", "/ui/api/overview?days=3660", {{"Authorization", Auth(user)}});
    ASSERT_EQ(r.status, 200) << r.body;
    std::map<std::string, int64_t> overview;
    const json::value body = json::parse(r.body);
    for (auto& v : body.as_object().at("by_type").as_array()) {
      overview[std::string(v.as_object().at("type").as_string())] = v.as_object().at("count").as_int64();
    }
    EXPECT_EQ(overview, taxii) << "principal " << p << " (" << user << ")";
  }
  EXPECT_EQ(HttpRequest(hub_->port(), "GET", "/ui/api/overview", {}).status, 401);
}

// Issue 13: a briefing capped at a TLP level holds, for every principal,
// exactly the guidance it may read at or below that level: counted,
// listed and charted; nothing above the cap anywhere on the page (a label,
// an id, a count), and nothing it may not read at all.
TEST_F(PolicyTest, ABriefingHoldsExactlyWhatThePrincipalMayReadUpToItsCap) {
  // The effective level of each case (the collection's default is AMBER;
  // the strictest marking wins), written out by hand: 0 CLEAR ... 4 RED.
  const std::map<std::string, int> level = {
      {"none", 2},         {"clear", 0},         {"green", 1},
      {"amber", 2},        {"amber-aud-b", 2},   {"amberstrict-aud-b", 3},
      {"amberstrict", 3},  {"red-bob", 4},       {"red-dave-peer", 4},
      {"tlp1-white", 0},   {"tlp1-green", 1},    {"tlp1-amber", 2},
      {"mixed-green-amberstrict", 3},            {"mixed-clear-red", 4}};
  ASSERT_EQ(level.size(), kCases.size());
  // A course of action per case, made now (the briefing's period).
  const std::time_t t = std::time(nullptr);
  char now[32];
  std::strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%S.000Z", std::gmtime(&t));
  std::vector<std::string> objects;
  auto coa = [](size_t i) { return "course-of-action--" + UuidFor(300 + static_cast<int>(i)); };
  for (size_t i = 0; i < kCases.size(); ++i) {
    std::string o = IndicatorJson(coa(i), kCases[i].markings, kCases[i].audience_orgs, kCases[i].audience_accounts);
    json::object v = json::parse(o).as_object();
    v["type"] = "course-of-action";
    v["name"] = "Guidance case " + kCases[i].key;
    v["created"] = now;
    v["modified"] = now;
    for (const char* k : {"pattern", "pattern_type", "valid_from"}) v.erase(k);
    objects.push_back(json::serialize(v));
  }
  HttpResponse posted = Post("alice", Objects(), "{\"objects\":[" + Join(objects) + "]}");
  ASSERT_EQ(posted.status, 202) << posted.body;
  ASSERT_NE(posted.body.find("\"failure_count\":0"), std::string::npos) << posted.body;

  const std::vector<std::pair<std::string, int>> caps = {{"clear", 0}, {"green", 1}, {"amber", 2},
                                                          {"amber%2Bstrict", 3}, {"red", 4}};
  const std::vector<std::string> labels = {"TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"};
  for (const auto& p : kPrincipals) {
    const std::string& user = kUser.at(p);
    for (const auto& [cap, rank] : caps) {
      for (const char* lang : {"en", "ja"}) {
        const std::string where = "principal " + p + " (" + user + ") max_tlp=" + cap + " lang=" + lang;
        HttpResponse r = HttpRequest(hub_->port(), "GET",
                                     "/ui/api/briefing?since=1d&lang=" + std::string(lang) + "&max_tlp=" + cap,
                                     {{"Authorization", Auth(user)}});
        ASSERT_EQ(r.status, 200) << where << ": " << r.body;
        EXPECT_NE(r.body.find("<html lang=\"" + std::string(lang) + "\""), std::string::npos) << where;
        int64_t expected = 0;
        for (size_t i = 0; i < kCases.size(); ++i) {
          const bool in = Visible(kCases[i], p) && level.at(kCases[i].key) <= rank;
          expected += in;
          // Listed only when in; never named when out (not even its id).
          if (!in) {
            EXPECT_EQ(r.body.find(coa(i)), std::string::npos) << where << ", case " << kCases[i].key;
          }
        }
        // Listed ids are all "in" (the page lists the newest few).
        size_t listed = 0;
        for (size_t at = r.body.find("data-guidance=\""); at != std::string::npos;
             at = r.body.find("data-guidance=\"", at + 1)) {
          ++listed;
        }
        EXPECT_EQ(static_cast<int64_t>(listed), std::min<int64_t>(expected, 8)) << where;
        EXPECT_NE(r.body.find("data-figure=\"guidance\"><b>" + std::to_string(expected) + "<"), std::string::npos)
            << where << ": expected " << expected << " guidance items";
        // The per-type count of the charts: the same number (none when none).
        const std::string row = "<code>course-of-action</code></td><td class=\"n\">";
        if (expected > 0) {
          EXPECT_NE(r.body.find(row + std::to_string(expected) + "<"), std::string::npos) << where;
        } else {
          EXPECT_EQ(r.body.find(row), std::string::npos) << where;
        }
        // No label above the cap anywhere (the banner names the cap itself).
        for (int above = rank + 1; above < 5; ++above) {
          EXPECT_EQ(r.body.find("data-tlp=\"" + labels[static_cast<size_t>(above)] + "\""), std::string::npos)
              << where << " shows " << labels[static_cast<size_t>(above)];
        }
      }
    }
  }
  // Every principal's request needs credentials; a bad cap is a 400.
  EXPECT_EQ(HttpRequest(hub_->port(), "GET", "/ui/api/briefing", {}).status, 401);
  EXPECT_EQ(HttpRequest(hub_->port(), "GET", "/ui/api/briefing?max_tlp=purple", {{"Authorization", Auth("alice")}})
                .status,
            400);
}

// Issue 13: the overview's top sighted objects count only the sightings the
// principal may see, and name only objects it may see: a sighting per case
// of the CLEAR indicator (everyone sees it: counted per visible sighting),
// and a CLEAR sighting of the RED indicator only bob and alice may see.
TEST_F(PolicyTest, TopSightedCountsVisibleSightingsAndNamesOnlyVisibleObjects) {
  const std::time_t t = std::time(nullptr);
  char now[32];
  std::strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%S.000Z", std::gmtime(&t));
  const std::string clear_indicator = "indicator--" + UuidFor(1);  // case "clear"
  const std::string red_indicator = "indicator--" + UuidFor(7);    // case "red-bob"
  ASSERT_EQ(kCases[1].key, "clear");
  ASSERT_EQ(kCases[7].key, "red-bob");
  auto sighting = [&](const std::string& id, const std::string& of, const Case& c) {
    json::object v = json::parse(IndicatorJson(id, c.markings, c.audience_orgs, c.audience_accounts)).as_object();
    v["type"] = "sighting";
    v["sighting_of_ref"] = of;
    v["created"] = now;
    v["modified"] = now;
    for (const char* k : {"pattern", "pattern_type", "valid_from", "name"}) v.erase(k);
    return json::serialize(v);
  };
  std::vector<std::string> objects;
  for (size_t i = 0; i < kCases.size(); ++i) {
    objects.push_back(sighting("sighting--" + UuidFor(400 + static_cast<int>(i)), clear_indicator, kCases[i]));
  }
  objects.push_back(sighting("sighting--" + UuidFor(499), red_indicator, kCases[1]));  // a CLEAR sighting
  // A CLEAR sighting whose sighting_of_ref is RED for bob: what it sights is
  // hidden from everyone else's copy, so it is counted for nobody's top list.
  {
    json::object g = json::parse(sighting("sighting--" + UuidFor(498), clear_indicator, kCases[1])).as_object();
    g["granular_markings"] = json::array{json::object{{"marking_ref", kRed}, {"selectors", json::array{"sighting_of_ref"}}}};
    g["extensions"] = json::object{{kAudienceExt, json::object{{"extension_type", "property-extension"},
                                                                {"accounts", json::array{"bob"}}}}};
    objects.push_back(json::serialize(g));
  }
  HttpResponse posted = Post("alice", Objects(), "{\"objects\":[" + Join(objects) + "]}");
  ASSERT_EQ(posted.status, 202) << posted.body;
  ASSERT_NE(posted.body.find("\"failure_count\":0"), std::string::npos) << posted.body;

  for (const auto& p : kPrincipals) {
    const std::string& user = kUser.at(p);
    HttpResponse r = HttpRequest(hub_->port(), "GET", "/ui/api/overview?days=2", {{"Authorization", Auth(user)}});
    ASSERT_EQ(r.status, 200) << r.body;
    const json::value body = json::parse(r.body);
    std::map<std::string, int64_t> top;
    for (const auto& v : body.as_object().at("top_sighted").as_array()) {
      top[std::string(v.as_object().at("id").as_string())] = v.as_object().at("sightings").as_int64();
    }
    int64_t visible = 0;
    for (const Case& c : kCases) visible += Visible(c, p);
    std::map<std::string, int64_t> expected = {{clear_indicator, visible}};
    if (Visible(kCases[7], p)) expected[red_indicator] = 1;
    EXPECT_EQ(top, expected) << "principal " << p << " (" << user << ")";
    int64_t sightings = 0;
    for (const auto& v : body.as_object().at("sightings_by_sector").as_array()) {
      for (const auto& n : v.as_object().at("counts").as_array()) sightings += n.as_int64();
    }
    EXPECT_EQ(sightings, visible + 2) << "principal " << p << ": sightings by sector and day (the granular one included)";
  }
}

// Issue 13: the object explorer finds, opens and relates exactly what each
// principal may read: search lists the matrix row; an object it may not see
// is the 404 of a missing one; a relation or a translation is shown only
// when the principal may see it and the object it leads to.
TEST_F(PolicyTest, TheExplorerFindsOpensAndRelatesExactlyTheMatrix) {
  const std::string clear_indicator = "indicator--" + UuidFor(1);  // case "clear": everyone
  const std::string red_indicator = "indicator--" + UuidFor(7);    // case "red-bob": alice and bob
  json::object rel{{"type", "relationship"},
                   {"spec_version", "2.1"},
                   {"id", "relationship--" + UuidFor(500)},
                   {"created", "2025-01-01T00:00:00.000Z"},
                   {"modified", "2025-01-01T00:00:00.000Z"},
                   {"relationship_type", "related-to"},
                   {"source_ref", clear_indicator},
                   {"target_ref", red_indicator},
                   {"object_marking_refs", json::array{kClear}}};
  json::object lc{{"type", "language-content"},
                  {"spec_version", "2.1"},
                  {"id", "language-content--" + UuidFor(501)},
                  {"created", "2025-01-01T00:00:00.000Z"},
                  {"modified", "2025-01-01T00:00:00.000Z"},
                  {"object_ref", clear_indicator},
                  {"object_modified", "2025-01-01T00:00:00.000Z"},
                  {"contents", json::object{{"ja", json::object{{"name", "秘密の翻訳"}}}}},
                  {"object_marking_refs", json::array{kRed}},
                  {"extensions", json::object{{kAudienceExt, json::object{{"extension_type", "property-extension"},
                                                                          {"accounts", json::array{"bob"}}}}}}};
  HttpResponse posted =
      Post("alice", Objects(), "{\"objects\":[" + json::serialize(rel) + "," + json::serialize(lc) + "]}");
  ASSERT_EQ(posted.status, 202) << posted.body;
  ASSERT_NE(posted.body.find("\"failure_count\":0"), std::string::npos) << posted.body;

  const HttpResponse missing =
      HttpRequest(hub_->port(), "GET", "/ui/api/object?id=indicator--" + UuidFor(9999),
                  {{"Authorization", Auth("alice")}});
  ASSERT_EQ(missing.status, 404);
  for (const auto& p : kPrincipals) {
    const std::string& user = kUser.at(p);
    const std::string where = "principal " + p + " (" + user + ")";
    HttpResponse r = HttpRequest(hub_->port(), "GET", "/ui/api/search?q=policy%20matrix&type=indicator&days=3660&limit=500",
                                 {{"Authorization", Auth(user)}});
    ASSERT_EQ(r.status, 200) << where << ": " << r.body;
    const json::value found = json::parse(r.body);
    std::set<std::string> ids;
    for (const auto& v : found.as_object().at("results").as_array()) ids.insert(std::string(v.as_object().at("id").as_string()));
    for (size_t i = 0; i < kCases.size(); ++i) {
      const std::string id = "indicator--" + UuidFor(static_cast<int>(i));
      EXPECT_EQ(ids.count(id) > 0, Visible(kCases[i], p)) << where << ", search, case " << kCases[i].key;
      HttpResponse o = HttpRequest(hub_->port(), "GET", "/ui/api/object?id=" + id, {{"Authorization", Auth(user)}});
      if (Visible(kCases[i], p)) {
        EXPECT_EQ(o.status, 200) << where << ", object, case " << kCases[i].key;
      } else {
        EXPECT_EQ(o.status, 404) << where << ", object, case " << kCases[i].key;
        EXPECT_EQ(o.body, missing.body) << where << ": a hidden object answers as a missing one";
      }
    }
    HttpResponse o = HttpRequest(hub_->port(), "GET", "/ui/api/object?id=" + clear_indicator, {{"Authorization", Auth(user)}});
    ASSERT_EQ(o.status, 200) << where;
    const bool sees_red = Visible(kCases[7], p);
    EXPECT_EQ(o.body.find(red_indicator) != std::string::npos, sees_red) << where << ": the relation to the RED object";
    EXPECT_EQ(o.body.find("秘密の翻訳") != std::string::npos, p == "P" || p == "R")
        << where << ": the RED translation for bob";
  }
  EXPECT_EQ(HttpRequest(hub_->port(), "GET", "/ui/api/search?q=x", {}).status, 401);
  EXPECT_EQ(HttpRequest(hub_->port(), "GET", "/ui/api/object?id=" + clear_indicator, {}).status, 401);
  EXPECT_EQ(HttpRequest(hub_->port(), "GET", "/ui/api/search?days=0", {{"Authorization", Auth("alice")}}).status, 400);
}

TEST_F(PolicyTest, ManifestRevealsOnlyReadableIds) {
  for (const auto& p : kPrincipals) {
    std::set<std::string> got = ListIds(kUser.at(p), "manifest");
    for (size_t i = 0; i < kCases.size(); ++i) {
      std::string id = "indicator--" + UuidFor(static_cast<int>(i));
      EXPECT_EQ(got.count(id) > 0, Visible(kCases[i], p))
          << "principal " << p << ", case " << kCases[i].key;
    }
  }
}

TEST_F(PolicyTest, GetObjectAndVersionsAre404WhenDenied) {
  for (const auto& p : kPrincipals) {
    for (size_t i = 0; i < kCases.size(); ++i) {
      std::string id = "indicator--" + UuidFor(static_cast<int>(i));
      HttpResponse one = Get(kUser.at(p), Objects() + id + "/");
      HttpResponse versions = Get(kUser.at(p), Objects() + id + "/versions/");
      HttpResponse by_filter = Get(kUser.at(p), Objects() + "?match[id]=" + id);
      if (Visible(kCases[i], p)) {
        EXPECT_EQ(one.status, 200) << p << " " << kCases[i].key;
        EXPECT_NE(one.body.find(id), std::string::npos);
        EXPECT_EQ(versions.status, 200) << p << " " << kCases[i].key;
        EXPECT_NE(by_filter.body.find(id), std::string::npos) << p << " " << kCases[i].key;
      } else {
        // Indistinguishable from an object that does not exist.
        HttpResponse missing = Get(kUser.at(p), Objects() + "indicator--" + UuidFor(12345) + "/");
        EXPECT_EQ(one.status, 404) << p << " " << kCases[i].key << ": " << one.body;
        EXPECT_EQ(one.body, missing.body);
        EXPECT_EQ(versions.status, 404) << p << " " << kCases[i].key;
        EXPECT_EQ(by_filter.status, 200);
        EXPECT_EQ(by_filter.body.find(id), std::string::npos) << p << " " << kCases[i].key;
        EXPECT_EQ(one.body.find("secret"), std::string::npos);
      }
    }
  }
}

TEST_F(PolicyTest, StatusResourceOnlyForItsPoster) {
  EXPECT_EQ(Get("alice", "/api1/status/" + status_id_ + "/").status, 200);
  for (const auto& p : kPrincipals) {
    if (p == "P") continue;
    EXPECT_EQ(Get(kUser.at(p), "/api1/status/" + status_id_ + "/").status, 404) << p;
  }
}

TEST_F(PolicyTest, ExportReleasesExactlyTheMatrix) {
  for (const auto& p : kPrincipals) {
    ProcessResult r = RunKizuna({"export", "--config", config_, "--collection", kCol, "--as",
                                 kUser.at(p), "--type", "indicator"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::set<std::string> got;
    json::value bundle = json::parse(r.out);
    for (auto& v : bundle.as_object()["objects"].as_array()) {
      got.insert(std::string(v.as_object().at("id").as_string()));
    }
    for (size_t i = 0; i < kCases.size(); ++i) {
      std::string id = "indicator--" + UuidFor(static_cast<int>(i));
      EXPECT_EQ(got.count(id) > 0, Visible(kCases[i], p)) << "export as " << p << ", " << kCases[i].key;
    }
  }
}

// The coordination API (issue 11) releases incidents, and the objects an
// incident links, by the same matrix: one incident per case (posted over
// TAXII with the case's markings and audience), and one TLP:CLEAR incident
// linking every case's indicator, whose show lists exactly the indicators
// the reader may see.
TEST_F(PolicyTest, CoordinationReleasesExactlyTheMatrix) {
  auto incident_json = [](const std::string& id, const Case& c, const std::string& extra_ext) {
    std::string core = std::string("\"extension-definition--ef765651-680c-498d-9894-99799f2fa126\":") +
                       "{\"extension_type\":\"property-extension\",\"determination\":\"confirmed\","
                       "\"investigation_status\":\"open\"}";
    json::object o{{"type", "incident"},
                   {"spec_version", "2.1"},
                   {"id", id},
                   {"created", "2025-01-01T00:00:00.000Z"},
                   {"modified", "2025-01-01T00:00:00.000Z"},
                   {"created_by_ref", kOrgA},
                   {"name", "matrix incident " + c.key}};
    if (!c.markings.empty()) {
      json::array m;
      for (const auto& x : c.markings) m.push_back(json::string(x));
      o["object_marking_refs"] = m;
    }
    std::string exts = core + extra_ext;
    if (!c.audience_orgs.empty() || !c.audience_accounts.empty()) {
      json::object ext{{"extension_type", "property-extension"}};
      json::array a, b;
      for (const auto& x : c.audience_orgs) a.push_back(json::string(x));
      for (const auto& x : c.audience_accounts) b.push_back(json::string(x));
      if (!a.empty()) ext["organizations"] = a;
      if (!b.empty()) ext["accounts"] = b;
      exts += ",\"" + std::string(kAudienceExt) + "\":" + json::serialize(ext);
    }
    std::string text = json::serialize(o);
    return text.substr(0, text.size() - 1) + ",\"extensions\":{" + exts + "}}";
  };
  auto incident_id = [](int n) { return "incident--" + UuidFor(500 + n); };
  std::vector<std::string> objects;
  std::string linked = ",\"extension-definition--2a5e6e5a-a061-424b-9e90-d6394f58d6e6\":"
                       "{\"extension_type\":\"property-extension\",\"linked_refs\":[";
  for (size_t i = 0; i < kCases.size(); ++i) {
    objects.push_back(incident_json(incident_id(static_cast<int>(i)), kCases[i], ""));
    linked += std::string(i ? "," : "") + "\"indicator--" + UuidFor(static_cast<int>(i)) + "\"";
  }
  linked += "]}";
  const std::string hub_of_links = incident_id(99);
  objects.push_back(incident_json(hub_of_links, Case{"links", {kClear}, {}, {}, ""}, linked));
  HttpResponse posted = Post("alice", Objects(), "{\"objects\":[" + Join(objects) + "]}");
  ASSERT_EQ(posted.status, 202) << posted.body;
  ASSERT_NE(posted.body.find("\"failure_count\":0"), std::string::npos) << posted.body;

  auto api = [](const std::string& user, const std::string& path) {
    return HttpRequest(hub_->port(), "GET", "/coordination/v1/api1/" + path,
                       {{"Authorization", Auth(user)}, {"Accept", "application/json"}});
  };
  for (const auto& p : kPrincipals) {
    const std::string& user = kUser.at(p);
    HttpResponse list = api(user, "incidents?limit=10000");
    ASSERT_EQ(list.status, 200) << list.body;
    HttpResponse missing = api(user, "incidents/" + incident_id(12345));
    for (size_t i = 0; i < kCases.size(); ++i) {
      const std::string id = incident_id(static_cast<int>(i));
      HttpResponse show = api(user, "incidents/" + id);
      HttpResponse bundle = api(user, "incidents/" + id + "/bundle");
      if (Visible(kCases[i], p)) {
        EXPECT_EQ(show.status, 200) << p << " " << kCases[i].key << ": " << show.body;
        EXPECT_EQ(bundle.status, 200) << p << " " << kCases[i].key;
        EXPECT_NE(list.body.find(id), std::string::npos) << p << " " << kCases[i].key;
      } else {
        EXPECT_EQ(show.status, 404) << p << " " << kCases[i].key;
        std::string expected = missing.body;
        expected.replace(expected.find(incident_id(12345)), id.size(), id);
        EXPECT_EQ(show.body, expected) << "a hidden incident answers unlike a missing one";
        EXPECT_EQ(bundle.status, 404) << p << " " << kCases[i].key;
        EXPECT_EQ(list.body.find(id), std::string::npos) << p << " " << kCases[i].key;
      }
    }
    // The links of a public incident: exactly the indicators this reader may see.
    HttpResponse show = api(user, "incidents/" + hub_of_links);
    ASSERT_EQ(show.status, 200) << p << ": " << show.body;
    for (size_t i = 0; i < kCases.size(); ++i) {
      const std::string ind = "indicator--" + UuidFor(static_cast<int>(i));
      const bool shown = show.body.find("\"id\":\"" + ind + "\"") != std::string::npos;
      EXPECT_EQ(shown, Visible(kCases[i], p)) << "linked indicator, " << p << ", " << kCases[i].key;
    }
    // The count is of what the reader may see.
    size_t expected = 1;  // the public incident
    for (const auto& c : kCases) expected += Visible(c, p);
    EXPECT_EQ(json::parse(list.body).as_object()["total"].as_int64(), static_cast<int64_t>(expected)) << p;
  }
}

TEST_F(PolicyTest, GranularMarkingsAreRedactedVisibly) {
  const std::string id = "indicator--" + UuidFor(99);
  for (const auto& p : kPrincipals) {
    HttpResponse r = Get(kUser.at(p), Objects() + id + "/");
    ASSERT_EQ(r.status, 200) << p;
    json::object o = json::parse(r.body).as_object()["objects"].as_array()[0].as_object();
    bool may_read = p == "P" || p == "R";
    EXPECT_EQ(o.contains("description"), may_read) << p;
    bool marked = o.contains("extensions") &&
                  o["extensions"].as_object().contains(kRedactionExt);
    EXPECT_EQ(marked, !may_read) << p;
    if (marked) {
      auto paths = o["extensions"].as_object()[kRedactionExt].as_object()["redacted_paths"].as_array();
      ASSERT_EQ(paths.size(), 1u);
      EXPECT_EQ(paths[0], json::value("description"));
    }
  }
}

TEST_F(PolicyTest, UnauthenticatedReadersGetNothing) {
  HttpResponse r = HttpRequest(hub_->port(), "GET", Objects(), {{"Accept", kTaxii}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body.find("indicator--"), std::string::npos);
}

TEST_F(PolicyTest, RedWithoutAudienceIsRejected) {
  HttpResponse r = Post("alice", Objects(),
                        "{\"objects\":[" + IndicatorJson("indicator--" + UuidFor(500), {kRed}, {}, {}) + "]}");
  ASSERT_EQ(r.status, 202);
  json::object s = json::parse(r.body).as_object();
  EXPECT_EQ(s["failure_count"], json::value(1));
  std::string msg(s["failures"].as_array()[0].as_object().at("message").as_string());
  EXPECT_NE(msg.find("TLP:RED"), std::string::npos) << msg;
  EXPECT_NE(msg.find("audience"), std::string::npos) << msg;
  EXPECT_EQ(Get("alice", Objects() + "indicator--" + UuidFor(500) + "/").status, 404);
}

TEST_F(PolicyTest, PagingStaysCorrectWhenMostObjectsAreUnreadable) {
  // bob reads objects addressed to Org B; the rest go to Org D only.
  int n = 0;
  for (int unreadable_pct : {1, 50, 99}) {
    std::string col = "c0c0c0c0-0000-4000-8000-00000000000" + std::to_string(unreadable_pct % 10);
    Admin({"collection", "add", "--api-root", "api1", "--title", "ratio", "--id", col,
           "--trust-group", "g1"});
    Admin({"grant", "alice", col, "--read", "--write"});
    Admin({"grant", "bob", col, "--read"});
    std::set<std::string> readable;
    std::vector<std::string> objects;
    for (int i = 0; i < 200; ++i) {
      std::string id = "indicator--" + UuidFor(100000 + n++);
      bool hidden = (i * 100 / 200) < unreadable_pct;
      if (!hidden) readable.insert(id);
      objects.push_back(IndicatorJson(id, {kAmberStrict}, {hidden ? kOrgD : kOrgB}, {}));
    }
    // The hub notices the new collection and grants within 200 ms.
    for (int wait = 0; wait < 100 && Get("alice", "/api1/collections/" + col + "/").status != 200; ++wait) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    HttpResponse r = Post("alice", "/api1/collections/" + col + "/objects/",
                          "{\"objects\":[" + Join(objects) + "]}");
    ASSERT_EQ(r.status, 202) << r.body;
    std::set<std::string> got = ListIds("bob", "objects", col, 7);
    EXPECT_EQ(got, readable) << unreadable_pct << "% unreadable";
    EXPECT_EQ(ListIds("bob", "manifest", col, 7), readable) << unreadable_pct << "% unreadable";
  }
}

TEST_F(PolicyTest, BadAdministrativeInputChangesNothing) {
  auto fails = [&](std::vector<std::string> args, const std::string& expect_in_message) {
    args.insert(args.begin(), {"admin", "--config", config_});
    ProcessResult r = RunKizuna(args);
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_NE(r.err.find(expect_in_message), std::string::npos) << r.err;
  };
  auto snapshot = [&]() {
    std::string s;
    for (auto what : {"org", "trust-group", "collection", "account"}) {
      s += RunKizuna({"admin", "--config", config_, "--json", what, "list"}).out;
    }
    return s;
  };
  std::string before = snapshot();
  fails({"account", "add", "zed", "--org", "No Such Org", "--password-stdin"}, "no organization");
  fails({"org", "set-clients", "Org C", "--client", "Org B"}, "cycle");
  fails({"org", "add", "--name", "Bad", "--nation", "XX", "--kind", "operator"}, "ISO 3166");
  fails({"org", "add", "--name", "Bad", "--nation", "US", "--kind", "spy"}, "kind");
  fails({"org", "add", "--name", "Bad", "--nation", "US", "--kind", "operator", "--sector", "moon"},
        "sector");
  fails({"org", "add", "--name", "Bad", "--nation", "US", "--kind", "operator", "--client", "Nobody"},
        "no organization");
  fails({"collection", "add", "--api-root", "api1", "--title", "x", "--default-marking",
         "marking-definition--00000000-0000-4000-8000-000000000000"},
        "not a TLP marking");
  fails({"collection", "add", "--api-root", "api1", "--title", "x", "--trust-group", "nope"},
        "no trust group");
  fails({"trust-group", "add", "g2", "--member", "Nobody"}, "no organization");
  fails({"trust-group", "add", "g1"}, "already exists");
  EXPECT_EQ(snapshot(), before);
}

TEST_F(PolicyTest, OnlyTheProducingOrganizationDeletesAndContributorsPostAsThemselves) {
  // bob (Org B) can see the CLEAR object alice posted, but may not delete it.
  const std::string id = "indicator--" + UuidFor(1);
  HttpResponse del = HttpRequest(hub_->port(), "DELETE", Objects() + id + "/",
                                 {{"Authorization", Auth("bob")}, {"Accept", kTaxii}});
  EXPECT_EQ(del.status, 403) << del.body;
  EXPECT_EQ(Get("bob", Objects() + id + "/").status, 200);
  // Nor post a version of someone else's object in alice's name.
  json::object o = json::parse(IndicatorJson("indicator--" + UuidFor(600), {kClear}, {}, {})).as_object();
  o["created_by_ref"] = kOrgA;
  HttpResponse r = Post("bob", Objects(), "{\"objects\":[" + json::serialize(o) + "]}");
  ASSERT_EQ(r.status, 202);
  EXPECT_NE(r.body.find("\"failure_count\":1"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("created_by_ref"), std::string::npos) << r.body;
}

TEST_F(PolicyTest, AnotherOrganizationsHiddenVersionsNeitherShadowNorLeak) {
  // The same observable (a deterministic SCO id anyone can compute), posted
  // RED by alice for bob only, then CLEAR by eve.
  const std::string sco_id = "ipv4-addr--" + UuidFor(700);
  auto sco = [&](const std::vector<std::string>& markings, const std::vector<std::string>& accounts) {
    json::object o{{"type", "ipv4-addr"}, {"spec_version", "2.1"}, {"id", sco_id},
                   {"value", "198.51.100.77"}};
    json::array m;
    for (const auto& x : markings) m.push_back(json::string(x));
    o["object_marking_refs"] = m;
    if (!accounts.empty()) {
      json::array a;
      for (const auto& x : accounts) a.push_back(json::string(x));
      o["extensions"] = json::object{
          {kAudienceExt, json::object{{"extension_type", "property-extension"}, {"accounts", a}}}};
    }
    return json::serialize(o);
  };
  ASSERT_EQ(Post("alice", Objects(), "{\"objects\":[" + sco({kRed}, {"bob"}) + "]}").status, 202);
  HttpResponse mine = Post("eve", Objects(), "{\"objects\":[" + sco({kClear}, {}) + "]}");
  ASSERT_EQ(mine.status, 202);
  ASSERT_NE(mine.body.find("\"success_count\":1"), std::string::npos) << mine.body;
  for (const char* q : {"", "?match[version]=first", "?match[version]=last", "?match[version]=all"}) {
    HttpResponse r = Get("eve", Objects() + sco_id + "/" + q);
    ASSERT_EQ(r.status, 200) << q << r.body;
    json::object env = json::parse(r.body).as_object();
    ASSERT_TRUE(env.contains("objects")) << q << ": eve's own version was shadowed: " << r.body;
    ASSERT_EQ(env["objects"].as_array().size(), 1u) << q;
    EXPECT_EQ(r.body.find(kRed), std::string::npos) << q;
  }
  // bob sees both lineages; carol (not named) only eve's CLEAR copy.
  json::object bob = json::parse(Get("bob", Objects() + sco_id + "/").body).as_object();
  EXPECT_EQ(bob["objects"].as_array().size(), 2u);
  HttpResponse carol = Get("carol", Objects() + sco_id + "/?match[version]=all");
  EXPECT_EQ(carol.body.find(kRed), std::string::npos);
  // eve deleting "her" object removes only her lineage.
  HttpResponse del = HttpRequest(hub_->port(), "DELETE", Objects() + sco_id + "/",
                                 {{"Authorization", Auth("eve")}, {"Accept", kTaxii}});
  EXPECT_EQ(del.status, 200) << del.body;
  EXPECT_EQ(Get("bob", Objects() + sco_id + "/").status, 200);
  EXPECT_EQ(Get("eve", Objects() + sco_id + "/").status, 404);
}

TEST_F(PolicyTest, EveryDenialIsAudited) {
  // Ask for every object by id as the outsider; each denial must be recorded.
  std::set<std::string> denied_ids;
  for (size_t i = 0; i < kCases.size(); ++i) {
    if (Visible(kCases[i], "O")) continue;
    std::string id = "indicator--" + UuidFor(static_cast<int>(i));
    ASSERT_EQ(Get("eve", Objects() + id + "/").status, 404);
    denied_ids.insert(id);
  }
  // And alice's own read of the RED object is a recorded release.
  ASSERT_EQ(Get("alice", Objects() + "indicator--" + UuidFor(7) + "/").status, 200);
  // The audit log is written in the background; allow it a moment.
  std::set<std::string> audited;
  bool red_release = false;
  for (int wait = 0; wait < 100; ++wait) {
    ProcessResult r = RunKizuna({"admin", "--config", config_, "audit", "--account", "eve",
                                 "--denied", "--jsonl", "--limit", "100000"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    audited.clear();
    size_t start = 0;
    while (start < r.out.size()) {
      size_t nl = r.out.find('\n', start);
      json::object e = json::parse(r.out.substr(start, nl - start)).as_object();
      start = nl + 1;
      EXPECT_EQ(e["decision"], json::value("denied"));
      for (auto& o : e["objects"].as_array()) audited.insert(std::string(o.as_object().at("id").as_string()));
    }
    ProcessResult rel = RunKizuna({"admin", "--config", config_, "audit", "--object",
                                   "indicator--" + UuidFor(7), "--account", "alice", "--jsonl"});
    red_release = rel.out.find("\"TLP:RED\"") != std::string::npos &&
                  rel.out.find("\"released\"") != std::string::npos;
    bool all = true;
    for (const auto& id : denied_ids) all = all && audited.count(id);
    if (all && red_release) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (const auto& id : denied_ids) EXPECT_TRUE(audited.count(id)) << "denial of " << id << " not audited";
  EXPECT_TRUE(red_release);
  ProcessResult v = RunKizuna({"admin", "--config", config_, "audit", "--verify"});
  EXPECT_EQ(v.exit_code, 0) << v.err;
}

}  // namespace
}  // namespace kizuna::testing
