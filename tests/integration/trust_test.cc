// Trust by construction (issue 10): what a peer hub may claim, one object
// that cannot be read back never takes a collection down, the trust group of
// partners' objects, and a hidden newer version never shows through. Each
// case runs the real binary on port 0 with a real SQLite file; each failed
// on the build before the fix (KIZUNA_TEST_BINARY=<old kizuna> shows it).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "federation_support.h"

namespace kizuna::testing {
namespace {

constexpr const char* kUs = "identity--0000aaaa-0000-4000-8000-000000000001";       // homed here
constexpr const char* kJp = "identity--0000aaaa-0000-4000-8000-000000000002";       // homed on jp-hub
constexpr const char* kKr = "identity--0000aaaa-0000-4000-8000-000000000003";       // here, not in g1
constexpr const char* kUtility = "identity--0000aaaa-0000-4000-8000-000000000004";  // here, in g1
constexpr const char* kC1 = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";

class TrustTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hub_.Setup({{kUs, "US National Centre", "US", ""},
                {kJp, "Japan National Centre", "JP", "jp-hub"},
                {kKr, "Korea Partner", "KR", ""},
                {kUtility, "US Utility", "US", ""}},
               {kUs, kJp, kUtility}, {}, {kC1},
               {{"us-analyst", kUs, "contributor"},
                {"us-colleague", kUs, "contributor"},
                {"util-reader", kUtility, "reader"},
                {"kr-reader", kKr, "reader"},
                {"jp-hub", kJp, "peer"}});
    hub_.Start();
  }

  // A POST by the peer account with federation metadata (one entry per object).
  json::object PeerPost(const std::vector<std::string>& objects, const std::string& meta_entries) {
    std::string body = Envelope(objects);
    body.pop_back();
    body += ",\"x_kizuna_federation\":{\"hub\":\"jp-hub\",\"objects\":[" + meta_entries + "]}}";
    HttpResponse r = HttpRequest(hub_.port(), "POST", std::string("/api1/collections/") + kC1 + "/objects/",
                                 {{"Authorization", BasicAuth("jp-hub", Password("jp-hub"))},
                                  {"Accept", kTaxii},
                                  {"Content-Type", kTaxii}},
                                 body);
    EXPECT_EQ(r.status, 202) << r.body;
    return r.status == 202 ? json::parse(r.body).as_object() : json::object{};
  }
  json::object Post(const std::string& user, const std::vector<std::string>& objects) {
    HttpResponse r = hub_.Post(user, kC1, objects);
    EXPECT_EQ(r.status, 202) << r.body;
    return r.status == 202 ? json::parse(r.body).as_object() : json::object{};
  }
  // GET one object (default: its last version) as `user`.
  HttpResponse GetObject(const std::string& user, const std::string& id, const std::string& query = "") {
    return hub_.Get(user, std::string("/api1/collections/") + kC1 + "/objects/" + id + "/" + query);
  }
  static std::vector<std::string> Modified(const HttpResponse& r) {
    std::vector<std::string> out;
    if (r.status != 200) return out;
    json::object o = json::parse(r.body).as_object();
    if (!o.contains("objects")) return out;
    for (auto& v : o["objects"].as_array()) out.emplace_back(v.as_object()["modified"].as_string());
    return out;
  }

  TestHub hub_{"us-hub"};
};

// Finding 1: a peer hub cannot speak for an organization homed here: a
// newer version claiming the US centre as producer is refused, and what
// readers get is the centre's own version.
TEST_F(TrustTest, APeerCannotVersionOrRevokeAnObjectOfAnOrganizationHomedHere) {
  ObjectSpec v1{IndicatorId(1, 1), {kTlpClear}};
  json::object st = Post("us-analyst", {IndicatorJson(v1)});
  ASSERT_EQ(st["success_count"].as_int64(), 1);

  ObjectSpec v2 = v1;
  v2.modified = "2025-06-01T00:00:00.000Z";
  v2.extra = ",\"revoked\":true";
  std::string claim = std::string("{\"producer\":\"") + kUs + "\",\"path\":[\"jp-hub\"]}";
  st = PeerPost({IndicatorJson(v2)}, claim);
  EXPECT_EQ(st["failure_count"].as_int64(), 1) << json::serialize(st);
  EXPECT_EQ(st["success_count"].as_int64(), 0) << json::serialize(st);
  if (st.contains("failures")) {
    std::string msg(st["failures"].as_array()[0].as_object()["message"].as_string());
    EXPECT_NE(msg.find("homed on this hub"), std::string::npos) << msg;
  }
  for (const char* reader : {"us-analyst", "util-reader", "kr-reader"}) {
    HttpResponse r = GetObject(reader, v1.id);
    ASSERT_EQ(r.status, 200) << reader << " " << r.body;
    EXPECT_EQ(Modified(r), std::vector<std::string>{v1.modified}) << reader << " " << r.body;
    EXPECT_EQ(r.body.find("\"revoked\":true"), std::string::npos) << reader << " " << r.body;
  }

  // Nor may it claim the producing account of this hub (it would read the
  // object as a local account, TLP:RED included) ...
  ObjectSpec red{IndicatorId(1, 2), {kTlpRed}, {}, {"kenji@jp-hub"}};
  st = PeerPost({IndicatorJson(red)}, std::string("{\"producer\":\"") + kJp +
                                          "\",\"producer_account\":\"us-analyst@us-hub\",\"path\":[\"jp-hub\"]}");
  EXPECT_EQ(st["failure_count"].as_int64(), 1) << json::serialize(st);
  EXPECT_EQ(GetObject("us-analyst", red.id).status, 404);

  // ... and without metadata its version lives in a lineage of the peer's
  // own: the centre's version stays, unrevoked, for every reader.
  HttpResponse plain = HttpRequest(
      hub_.port(), "POST", std::string("/api1/collections/") + kC1 + "/objects/",
      {{"Authorization", BasicAuth("jp-hub", Password("jp-hub"))}, {"Accept", kTaxii}, {"Content-Type", kTaxii}},
      Envelope({IndicatorJson(v2)}));
  ASSERT_EQ(plain.status, 202) << plain.body;
  HttpResponse r = GetObject("us-analyst", v1.id, "?match[version]=first");
  ASSERT_EQ(r.status, 200) << r.body;
  std::vector<std::string> firsts = Modified(r);
  EXPECT_NE(std::find(firsts.begin(), firsts.end(), v1.modified), firsts.end()) << r.body;
  r = GetObject("us-analyst", v1.id);
  std::vector<std::string> lasts = Modified(r);
  EXPECT_NE(std::find(lasts.begin(), lasts.end(), v1.modified), lasts.end())
      << "the centre's own last version must stay: " << r.body;
}

// A peer hub never deletes here (deletions are local and do not federate):
// not what it may see (403), and not what it sent (which it never sees
// again here: 404, as for a missing object).
TEST_F(TrustTest, APeerCannotDelete) {
  ObjectSpec mine{IndicatorId(2, 1), {kTlpClear}};
  json::object st = PeerPost({IndicatorJson(mine)}, std::string("{\"producer\":\"") + kJp + "\",\"path\":[\"jp-hub\"]}");
  ASSERT_EQ(st["success_count"].as_int64(), 1) << json::serialize(st);
  ObjectSpec local{IndicatorId(2, 2), {kTlpClear}};
  Post("us-analyst", {IndicatorJson(local)});
  auto del = [&](const std::string& id) {
    return HttpRequest(hub_.port(), "DELETE", std::string("/api1/collections/") + kC1 + "/objects/" + id + "/",
                       {{"Authorization", BasicAuth("jp-hub", Password("jp-hub"))}, {"Accept", kTaxii}});
  };
  HttpResponse d = del(local.id);
  EXPECT_EQ(d.status, 403) << d.body;
  d = del(mine.id);
  EXPECT_EQ(d.status, 404) << d.body;
  EXPECT_EQ(GetObject("us-analyst", local.id).status, 200);
  EXPECT_EQ(GetObject("us-analyst", mine.id).status, 200);
}

// Finding 2: an object whose release step once failed (a custom property
// nested deeper than the release path could re-read, on a granular-marked
// object) never makes the collection unreadable: one nesting limit holds at
// ingest and on every release path.
TEST_F(TrustTest, ADeeplyNestedObjectIsServedAndNeverTakesTheCollectionDown) {
  std::string deep = "1";
  for (int i = 0; i < 40; ++i) deep = "[" + deep + "]";
  ObjectSpec o{IndicatorId(3, 1), {kTlpClear}};
  o.extra = ",\"x_deep\":" + deep +
            ",\"granular_markings\":[{\"marking_ref\":\"" + kTlpGreen + "\",\"selectors\":[\"description\"]}]";
  ObjectSpec plain{IndicatorId(3, 2), {kTlpClear}};
  json::object st = Post("us-analyst", {IndicatorJson(o), IndicatorJson(plain)});
  ASSERT_EQ(st["success_count"].as_int64(), 2) << json::serialize(st);
  for (const char* reader : {"us-analyst", "kr-reader"}) {
    HttpResponse page = hub_.Get(reader, std::string("/api1/collections/") + kC1 + "/objects/");
    ASSERT_EQ(page.status, 200) << reader << " " << page.body;
    EXPECT_NE(page.body.find(plain.id), std::string::npos) << reader;
    EXPECT_NE(page.body.find(o.id), std::string::npos) << reader;
    HttpResponse one = GetObject(reader, o.id);
    EXPECT_EQ(one.status, 200) << reader << " " << one.body;
  }
  // kr-reader is outside the trust group: its copy lost the GREEN description.
  HttpResponse kr = GetObject("kr-reader", o.id);
  EXPECT_EQ(kr.body.find("\"description\":"), std::string::npos) << kr.body;
  EXPECT_NE(kr.body.find("\"redacted_paths\":[\"description\"]"), std::string::npos) << kr.body;
  // Deeper than the one limit: refused at ingest, with the reason.
  std::string deeper = "1";
  for (int i = 0; i < 70; ++i) deeper = "[" + deeper + "]";
  ObjectSpec too{IndicatorId(3, 3), {kTlpClear}};
  too.extra = ",\"x_deep\":" + deeper;
  HttpResponse r = hub_.Post("us-analyst", kC1, {IndicatorJson(too)});
  EXPECT_TRUE(r.status == 400 || (r.status == 202 && r.body.find("\"failure_count\":1") != std::string::npos))
      << r.status << " " << r.body;
  EXPECT_EQ(hub_.Metric("kizuna_policy_release_failures_total"), "0");
}

// Finding 5: objects from peers are stamped with the collection's trust group
// when they arrive, like local posts: moving the collection to a wider group
// later does not widen who receives them.
TEST_F(TrustTest, PeerObjectsKeepTheTrustGroupTheyArrivedUnder) {
  ObjectSpec o{IndicatorId(4, 1), {kTlpGreen}};
  json::object st = PeerPost({IndicatorJson(o)}, std::string("{\"producer\":\"") + kJp + "\",\"path\":[\"jp-hub\"]}");
  ASSERT_EQ(st["success_count"].as_int64(), 1) << json::serialize(st);
  ObjectSpec local{IndicatorId(4, 2), {kTlpGreen}};
  Post("us-analyst", {IndicatorJson(local)});
  EXPECT_EQ(GetObject("util-reader", o.id).status, 200);
  EXPECT_EQ(GetObject("kr-reader", o.id).status, 404);
  hub_.Admin({"trust-group", "add", "g2", "--name", "Wider", "--member", kUs, "--member", kJp,
              "--member", kKr, "--member", kUtility});
  hub_.Admin({"collection", "set-group", kC1, "g2", "--api-root", "api1"});
  // The hub notices directory changes within a second; look for a while.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(GetObject("kr-reader", local.id).status, 404) << "a local object widened";
  EXPECT_EQ(GetObject("kr-reader", o.id).status, 404) << "a partner's object widened";
  // New objects take the new group.
  ObjectSpec later{IndicatorId(4, 3), {kTlpGreen}};
  st = PeerPost({IndicatorJson(later)}, std::string("{\"producer\":\"") + kJp + "\",\"path\":[\"jp-hub\"]}");
  ASSERT_EQ(st["success_count"].as_int64(), 1);
  EXPECT_TRUE(WaitUntil([&] { return GetObject("kr-reader", later.id).status == 200; }, 10));
}

// Finding 6: when the newest version is hidden from a reader but an older
// one is visible, the reader gets the newest version it may see, everywhere
// (object, objects, versions, manifest): the answer never tells a hidden
// version from a missing one.
TEST_F(TrustTest, AHiddenNewerVersionNeverShowsThrough) {
  ObjectSpec v1{IndicatorId(5, 1), {kTlpGreen}};
  Post("us-analyst", {IndicatorJson(v1)});
  ObjectSpec v2 = v1;
  v2.modified = "2025-03-01T00:00:00.000Z";
  v2.markings = {kTlpRed};
  v2.audience_accounts = {"us-analyst"};
  Post("us-analyst", {IndicatorJson(v2)});

  EXPECT_EQ(Modified(GetObject("us-analyst", v1.id)), std::vector<std::string>{v2.modified});
  HttpResponse r = GetObject("util-reader", v1.id);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Modified(r), std::vector<std::string>{v1.modified}) << r.body;
  r = GetObject("util-reader", v1.id, "versions/");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).as_object()["versions"].as_array().size(), 1u) << r.body;
  r = hub_.Get("util-reader", std::string("/api1/collections/") + kC1 + "/objects/?match[id]=" + v1.id);
  EXPECT_EQ(Modified(r), std::vector<std::string>{v1.modified}) << r.body;
  r = hub_.Get("util-reader", std::string("/api1/collections/") + kC1 + "/manifest/?match[id]=" + v1.id);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(v1.id), std::string::npos) << r.body;
  // A reader who sees no version at all: the same 404 as a missing object.
  HttpResponse hidden = GetObject("kr-reader", v1.id);
  HttpResponse missing = GetObject("kr-reader", IndicatorId(5, 99));
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(hidden.body, missing.body);
}

// The same for a deletion: first and last are taken among the versions the
// deleting account may see. A colleague of the producer who sees v1 but not
// the RED v2 deletes v1 with match[version]=last, exactly as if v2 did not
// exist (a 404 would tell that a hidden newer version exists), and v2 stays.
TEST_F(TrustTest, AHiddenNewerVersionDoesNotDecideADeletion) {
  ObjectSpec v1{IndicatorId(6, 1), {kTlpGreen}};
  Post("us-analyst", {IndicatorJson(v1)});
  ObjectSpec v2 = v1;
  v2.modified = "2025-03-01T00:00:00.000Z";
  v2.markings = {kTlpRed};
  v2.audience_accounts = {"us-analyst"};
  Post("us-analyst", {IndicatorJson(v2)});
  ASSERT_EQ(Modified(GetObject("us-colleague", v1.id)), std::vector<std::string>{v1.modified});

  HttpResponse d = HttpRequest(
      hub_.port(), "DELETE",
      std::string("/api1/collections/") + kC1 + "/objects/" + v1.id + "/?match[version]=last",
      {{"Authorization", BasicAuth("us-colleague", Password("us-colleague"))}, {"Accept", kTaxii}});
  EXPECT_EQ(d.status, 200) << d.body;
  // v1 is gone (a group member who never saw v2 now finds nothing); v2 stays.
  EXPECT_EQ(GetObject("util-reader", v1.id).status, 404);
  EXPECT_EQ(Modified(GetObject("us-analyst", v1.id)), std::vector<std::string>{v2.modified});
}

}  // namespace
}  // namespace kizuna::testing
