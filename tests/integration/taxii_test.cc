// The TAXII 2.1 API of the real `kizuna serve` binary, over real HTTP on
// loopback: every endpoint, every filter, every error code, concurrent
// writers. The hub is set up with the real `kizuna admin` CLI.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <set>
#include <thread>

#include "harness.h"

namespace kizuna::testing {
namespace {

namespace json = boost::json;

constexpr const char* kCol = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";      // alias "ind"
constexpr const char* kColRo = "52892447-4d7e-4f70-b94d-d7f22742ff63";    // alias "ro"
constexpr const char* kColHidden = "64993447-4d7e-4f70-b94d-d7f22742ff63";
constexpr const char* kColSmall = "74993447-4d7e-4f70-b94d-d7f22742ff63";  // in api "small"

std::string Indicator(const std::string& uuid, const std::string& modified,
                      const std::string& extra = "") {
  return R"({"type":"indicator","spec_version":"2.1","id":"indicator--)" + uuid +
         R"(","created":"2024-01-01T00:00:00.000Z","modified":")" + modified +
         R"(","name":"test","pattern":"[ipv4-addr:value = '203.0.113.1']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z")" +
         extra + "}";
}

std::string Envelope(const std::vector<std::string>& objects) {
  std::string s = R"({"objects":[)";
  for (size_t i = 0; i < objects.size(); ++i) s += (i ? "," : "") + objects[i];
  return s + "]}";
}

std::string Uuid(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", n);
  return buf;
}

class TaxiiTest : public ::testing::Test {
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
    Admin({"api-root", "add", "api1", "--title", "API one"});
    Admin({"api-root", "add", "small", "--max-content-length", "2048"});
    Admin({"collection", "add", "--api-root", "api1", "--title", "Indicators", "--alias", "ind",
           "--id", kCol});
    Admin({"collection", "add", "--api-root", "api1", "--title", "Read only", "--alias", "ro",
           "--id", kColRo});
    Admin({"collection", "add", "--api-root", "api1", "--title", "Hidden", "--id", kColHidden});
    Admin({"collection", "add", "--api-root", "small", "--title", "Small", "--id", kColSmall});
    Admin({"org", "add", "--name", "US Center", "--nation", "US", "--kind", "government"});
    Admin({"org", "add", "--name", "JP Rail", "--nation", "JP", "--kind", "operator"});
    Admin({"account", "add", "alice", "--org", "US Center", "--role", "contributor",
           "--password-stdin"},
          "alice-password-123\n");
    Admin({"account", "add", "bob", "--org", "JP Rail", "--password-stdin"}, "bob-password-1234\n");
    Admin({"account", "add", "root", "--org", "US Center", "--role", "admin", "--password-stdin"},
          "root-password-1234\n");
    Admin({"grant", "alice", "ind", "--read", "--write"});
    Admin({"grant", "alice", "ro", "--read"});
    Admin({"grant", "alice", kColSmall, "--read", "--write"});
    Admin({"grant", "bob", "ind", "--read"});
    std::string error;
    hub_ = KizunaProcess::Start({"serve", "--config", config_}, &error).release();
    ASSERT_NE(hub_, nullptr) << error;
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

  static HttpResponse Get(const std::string& target, const std::string& auth = Alice(),
                          const std::string& accept = kTaxii) {
    std::vector<std::pair<std::string, std::string>> h;
    if (!auth.empty()) h.push_back({"Authorization", auth});
    if (!accept.empty()) h.push_back({"Accept", accept});
    return HttpRequest(hub_->port(), "GET", target, h);
  }
  static HttpResponse Post(const std::string& target, const std::string& body,
                           const std::string& auth = Alice(),
                           const std::string& content_type = kTaxii) {
    std::vector<std::pair<std::string, std::string>> h = {{"Accept", kTaxii}};
    if (!auth.empty()) h.push_back({"Authorization", auth});
    if (!content_type.empty()) h.push_back({"Content-Type", content_type});
    return HttpRequest(hub_->port(), "POST", target, h, body);
  }
  static HttpResponse Delete(const std::string& target, const std::string& auth = Alice()) {
    return HttpRequest(hub_->port(), "DELETE", target,
                       {{"Authorization", auth}, {"Accept", kTaxii}});
  }
  static std::string Alice() { return BasicAuth("alice", "alice-password-123"); }
  static std::string Bob() { return BasicAuth("bob", "bob-password-1234"); }
  static std::string Root() { return BasicAuth("root", "root-password-1234"); }

  static json::object Json(const HttpResponse& r) {
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    EXPECT_FALSE(ec) << "not JSON: " << r.body;
    if (ec || !v.is_object()) return {};
    return v.get_object();
  }
  static void ExpectTaxiiError(const HttpResponse& r, int status) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.Header("content-type"), kTaxii);
    json::object o = Json(r);
    EXPECT_TRUE(o.contains("title")) << r.body;
    EXPECT_EQ(o["http_status"], json::value(std::to_string(status))) << r.body;
  }
  static std::string Objects(const std::string& col = kCol) {
    return "/api1/collections/" + std::string(col) + "/objects/";
  }
  // Posts and checks that every object succeeded.
  static json::object PostOk(const std::vector<std::string>& objects, const std::string& col = kCol) {
    HttpResponse r = Post(Objects(col), Envelope(objects));
    EXPECT_EQ(r.status, 202) << r.body;
    json::object s = Json(r);
    EXPECT_EQ(s["success_count"], json::value(static_cast<int64_t>(objects.size()))) << r.body;
    return s;
  }
  // Every id of every page of a GET objects query, following `next`.
  static std::vector<std::string> AllIds(const std::string& query, int limit, int* pages) {
    std::vector<std::string> ids;
    std::string next;
    *pages = 0;
    for (int guard = 0; guard < 10000; ++guard) {
      std::string target = Objects() + "?limit=" + std::to_string(limit) + query;
      if (!next.empty()) target += "&next=" + next;
      HttpResponse r = Get(target);
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) break;
      ++*pages;
      json::object o = Json(r);
      if (o.contains("objects")) {
        for (auto& v : o["objects"].as_array()) {
          ids.push_back(std::string(v.as_object().at("id").as_string()) + "@" +
                        std::string(v.as_object().at("modified").as_string()));
        }
        EXPECT_LE(o["objects"].as_array().size(), static_cast<size_t>(limit));
      }
      bool more = o.contains("more") && o["more"].as_bool();
      if (!more) break;
      EXPECT_TRUE(o.contains("objects")) << "more=true on an empty page";
      next = std::string(o["next"].as_string());
    }
    return ids;
  }

  static TempDir* dir_;
  static std::string config_;
  static KizunaProcess* hub_;
};

TempDir* TaxiiTest::dir_ = nullptr;
std::string TaxiiTest::config_;
KizunaProcess* TaxiiTest::hub_ = nullptr;

TEST_F(TaxiiTest, HealthNeedsNoCredentials) {
  HttpResponse r = Get("/healthz", "", "");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"ok\""), std::string::npos);
}

TEST_F(TaxiiTest, DiscoveryListsApiRoots) {
  HttpResponse r = Get("/taxii2/");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), kTaxii);
  json::object o = Json(r);
  EXPECT_TRUE(o.contains("title"));
  std::string base = hub_->base_url();
  auto roots = o["api_roots"].as_array();
  std::set<std::string> got;
  for (auto& v : roots) got.insert(std::string(v.as_string()));
  EXPECT_TRUE(got.count(base + "/api1/")) << r.body;
  EXPECT_TRUE(got.count(base + "/small/")) << r.body;
  EXPECT_EQ(o["default"], json::value(base + "/api1/"));
}

TEST_F(TaxiiTest, MissingOrWrongCredentialsAre401) {
  HttpResponse r = Get("/taxii2/", "");
  ExpectTaxiiError(r, 401);
  EXPECT_NE(r.Header("www-authenticate").find("Basic"), std::string::npos);
  ExpectTaxiiError(Get("/taxii2/", BasicAuth("alice", "wrong-password-xx")), 401);
  ExpectTaxiiError(Get("/taxii2/", BasicAuth("nobody", "whatever-password")), 401);
  ExpectTaxiiError(Get("/taxii2/", "Basic !!!notbase64"), 401);
  ExpectTaxiiError(Get("/taxii2/", "Digest foo"), 401);
  // Unauthenticated requests learn nothing about paths either.
  ExpectTaxiiError(Get(Objects(), ""), 401);
  ExpectTaxiiError(Get("/nope/", ""), 401);
}

TEST_F(TaxiiTest, NotAcceptableWithoutTaxiiMediaType) {
  ExpectTaxiiError(Get("/taxii2/", Alice(), "application/json"), 406);
  ExpectTaxiiError(Get("/taxii2/", Alice(), "application/taxii+json;version=2.0"), 406);
  EXPECT_EQ(Get("/taxii2/", Alice(), "application/taxii+json").status, 200);
  EXPECT_EQ(Get("/taxii2/", Alice(), "text/html, */*;q=0.1").status, 200);
}

TEST_F(TaxiiTest, ApiRootInformation) {
  HttpResponse r = Get("/api1/");
  ASSERT_EQ(r.status, 200) << r.body;
  json::object o = Json(r);
  EXPECT_EQ(o["title"], json::value("API one"));
  EXPECT_EQ(o["versions"].as_array()[0], json::value(kTaxii));
  EXPECT_EQ(o["max_content_length"], json::value(10 * 1024 * 1024));
  ExpectTaxiiError(Get("/nope/"), 404);
  ExpectTaxiiError(Get("/api1/?limit=3"), 400);
}

TEST_F(TaxiiTest, CollectionsShowOnlyGrantedOnes) {
  json::object o = Json(Get("/api1/collections/"));
  std::map<std::string, json::object> seen;
  for (auto& v : o["collections"].as_array()) {
    seen[std::string(v.as_object().at("id").as_string())] = v.as_object();
  }
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[kCol]["can_write"], json::value(true));
  EXPECT_EQ(seen[kCol]["alias"], json::value("ind"));
  EXPECT_EQ(seen[kColRo]["can_read"], json::value(true));
  EXPECT_EQ(seen[kColRo]["can_write"], json::value(false));
  EXPECT_FALSE(seen.count(kColHidden));
  json::object bob = Json(Get("/api1/collections/", Bob()));
  ASSERT_EQ(bob["collections"].as_array().size(), 1u);
  EXPECT_EQ(bob["collections"].as_array()[0].as_object().at("can_write"), json::value(false));
}

TEST_F(TaxiiTest, InvisibleCollectionIsIndistinguishableFromMissing) {
  HttpResponse hidden = Get("/api1/collections/" + std::string(kColHidden) + "/");
  HttpResponse missing = Get("/api1/collections/00000000-0000-4000-8000-000000000000/");
  ExpectTaxiiError(hidden, 404);
  ExpectTaxiiError(missing, 404);
  EXPECT_EQ(hidden.body, missing.body);
  ExpectTaxiiError(Get(Objects(kColHidden)), 404);
  ExpectTaxiiError(Post(Objects(kColHidden), Envelope({Indicator(Uuid(1), "2024-01-01T00:00:00.000Z")})), 404);
  // By alias too.
  EXPECT_EQ(Get("/api1/collections/ind/").status, 200);
}

TEST_F(TaxiiTest, WritePermissionsAre403ForReadableCollections) {
  ExpectTaxiiError(Post(Objects(kColRo), Envelope({Indicator(Uuid(2), "2024-01-01T00:00:00.000Z")})), 403);
  ExpectTaxiiError(Post(Objects(), Envelope({Indicator(Uuid(3), "2024-01-01T00:00:00.000Z")}), Bob()), 403);
  ExpectTaxiiError(Delete(Objects() + "indicator--" + Uuid(3) + "/", Bob()), 403);
}

TEST_F(TaxiiTest, AddObjectsNeedsTaxiiContentType) {
  std::string body = Envelope({Indicator(Uuid(4), "2024-01-01T00:00:00.000Z")});
  ExpectTaxiiError(Post(Objects(), body, Alice(), "application/json"), 415);
  ExpectTaxiiError(Post(Objects(), body, Alice(), ""), 415);
  ExpectTaxiiError(Post(Objects(), body, Alice(), "application/taxii+json;version=2.0"), 415);
  EXPECT_EQ(Post(Objects(), body, Alice(), "application/taxii+json").status, 202);
}

TEST_F(TaxiiTest, AddObjectsReportsSuccessesAndFailuresAndKeepsStatus) {
  std::string good = Indicator(Uuid(10), "2024-02-01T00:00:00.000Z");
  std::string bad_pattern_type =  // indicator without pattern_type
      R"({"type":"indicator","spec_version":"2.1","id":"indicator--)" + Uuid(11) +
      R"(","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '1.2.3.4']","valid_from":"2024-01-01T00:00:00Z"})";
  std::string garbage = R"({"type":"garbage","id":"nonsense"})";
  HttpResponse r = Post(Objects(), Envelope({good, bad_pattern_type, garbage}));
  ASSERT_EQ(r.status, 202) << r.body;
  json::object s = Json(r);
  EXPECT_EQ(s["status"], json::value("complete"));
  EXPECT_EQ(s["total_count"], json::value(3));
  EXPECT_EQ(s["success_count"], json::value(1));
  EXPECT_EQ(s["failure_count"], json::value(2));
  EXPECT_EQ(s["pending_count"], json::value(0));
  auto failures = s["failures"].as_array();
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_EQ(failures[0].as_object().at("id"), json::value("indicator--" + Uuid(11)));
  std::string msg(failures[0].as_object().at("message").as_string());
  EXPECT_NE(msg.find("pattern_type"), std::string::npos) << msg;
  // The status resource is kept and readable by its owner only.
  std::string sid(s["id"].as_string());
  HttpResponse again = Get("/api1/status/" + sid + "/");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Json(again)["success_count"], json::value(1));
  ExpectTaxiiError(Get("/api1/status/" + sid + "/", Bob()), 404);
  EXPECT_EQ(Get("/api1/status/" + sid + "/", Root()).status, 200);
  ExpectTaxiiError(Get("/api1/status/00000000-0000-4000-8000-000000000000/"), 404);
  // The valid object is stored byte-exact.
  HttpResponse obj = Get(Objects() + "indicator--" + Uuid(10) + "/");
  ASSERT_EQ(obj.status, 200);
  EXPECT_NE(obj.body.find(good), std::string::npos) << obj.body;
  ExpectTaxiiError(Get(Objects() + "indicator--" + Uuid(11) + "/"), 404);
}

TEST_F(TaxiiTest, RepostingAVersionIsIdempotent) {
  std::string o = Indicator(Uuid(20), "2024-03-01T00:00:00.000Z");
  PostOk({o});
  PostOk({o});
  PostOk({o, o});
  json::object versions = Json(Get(Objects() + "indicator--" + Uuid(20) + "/versions/"));
  EXPECT_EQ(versions["versions"].as_array().size(), 1u);
}

TEST_F(TaxiiTest, VersionsAndVersionFilters) {
  const std::string id = "indicator--" + Uuid(30);
  PostOk({Indicator(Uuid(30), "2024-04-01T00:00:00.000Z"),
          Indicator(Uuid(30), "2024-04-03T00:00:00.000Z"),
          Indicator(Uuid(30), "2024-04-02T00:00:00.123456Z")});
  json::object v = Json(Get(Objects() + id + "/versions/"));
  auto list = v["versions"].as_array();
  ASSERT_EQ(list.size(), 3u);
  std::set<std::string> got;
  for (auto& x : list) got.insert(std::string(x.as_string()));
  EXPECT_TRUE(got.count("2024-04-01T00:00:00.000Z"));
  EXPECT_TRUE(got.count("2024-04-02T00:00:00.123456Z"));
  EXPECT_TRUE(got.count("2024-04-03T00:00:00.000Z"));
  auto modified_of = [&](const std::string& q) {
    json::object o = Json(Get(Objects() + id + "/" + q));
    std::vector<std::string> m;
    if (o.contains("objects"))
      for (auto& x : o["objects"].as_array()) m.push_back(std::string(x.as_object().at("modified").as_string()));
    std::sort(m.begin(), m.end());
    return m;
  };
  EXPECT_EQ(modified_of(""), std::vector<std::string>{"2024-04-03T00:00:00.000Z"});
  EXPECT_EQ(modified_of("?match[version]=last"), std::vector<std::string>{"2024-04-03T00:00:00.000Z"});
  EXPECT_EQ(modified_of("?match[version]=first"), std::vector<std::string>{"2024-04-01T00:00:00.000Z"});
  EXPECT_EQ(modified_of("?match[version]=all").size(), 3u);
  EXPECT_EQ(modified_of("?match[version]=first,last").size(), 2u);
  EXPECT_EQ(modified_of("?match[version]=2024-04-02T00:00:00.123456Z"),
            std::vector<std::string>{"2024-04-02T00:00:00.123456Z"});
  EXPECT_TRUE(modified_of("?match[version]=2020-01-01T00:00:00Z").empty());
  // The same filters on the collection-wide endpoint.
  json::object all = Json(Get(Objects() + "?match[id]=" + id + "&match[version]=all"));
  EXPECT_EQ(all["objects"].as_array().size(), 3u);
  json::object manifest = Json(Get("/api1/collections/" + std::string(kCol) + "/manifest/?match[id]=" + id + "&match[version]=all"));
  auto entries = manifest["objects"].as_array();
  ASSERT_EQ(entries.size(), 3u);
  for (auto& e : entries) {
    EXPECT_EQ(e.as_object().at("id"), json::value(id));
    EXPECT_EQ(e.as_object().at("media_type"), json::value("application/stix+json;version=2.1"));
    EXPECT_TRUE(e.as_object().contains("date_added"));
    EXPECT_TRUE(e.as_object().contains("version"));
  }
}

TEST_F(TaxiiTest, TypeIdAndSpecVersionFilters) {
  std::string malware = R"({"type":"malware","spec_version":"2.1","id":"malware--)" + Uuid(40) +
                        R"(","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"x","is_family":true})";
  PostOk({malware, Indicator(Uuid(41), "2024-01-01T00:00:00.000Z")});
  json::object m = Json(Get(Objects() + "?match[type]=malware"));
  ASSERT_TRUE(m.contains("objects"));
  for (auto& o : m["objects"].as_array()) EXPECT_EQ(o.as_object().at("type"), json::value("malware"));
  json::object byid = Json(Get(Objects() + "?match[id]=malware--" + Uuid(40) + ",indicator--" + Uuid(41)));
  EXPECT_EQ(byid["objects"].as_array().size(), 2u);
  json::object none = Json(Get(Objects() + "?match[spec_version]=2.0&match[id]=malware--" + Uuid(40)));
  EXPECT_FALSE(none.contains("objects"));
  EXPECT_EQ(none["more"], json::value(false));
  json::object one = Json(Get(Objects() + "?match[spec_version]=2.1&match[id]=malware--" + Uuid(40)));
  EXPECT_EQ(one["objects"].as_array().size(), 1u);
}

TEST_F(TaxiiTest, PagingWithNextNeverSkipsOrRepeats) {
  std::vector<std::string> batch;
  for (int i = 0; i < 95; ++i) batch.push_back(Indicator(Uuid(1000 + i), "2024-05-01T00:00:00.000Z"));
  PostOk(batch);
  int pages = 0;
  std::vector<std::string> ids = AllIds("&match[type]=indicator", 10, &pages);
  std::set<std::string> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), ids.size()) << "a page repeated an object";
  for (int i = 0; i < 95; ++i) {
    EXPECT_TRUE(unique.count("indicator--" + Uuid(1000 + i) + "@2024-05-01T00:00:00.000Z")) << i;
  }
  EXPECT_GE(pages, 10);
  // A token used with other filters is rejected.
  json::object first = Json(Get(Objects() + "?limit=5&match[type]=indicator"));
  ASSERT_EQ(first["more"], json::value(true));
  std::string next(first["next"].as_string());
  ExpectTaxiiError(Get(Objects() + "?limit=5&match[type]=malware&next=" + next), 400);
  ExpectTaxiiError(Get(Objects() + "?next=garbage"), 400);
  EXPECT_EQ(Get(Objects() + "?limit=7&match[type]=indicator&next=" + next).status, 200);
}

TEST_F(TaxiiTest, AddedAfterAndDateAddedHeaders) {
  PostOk({Indicator(Uuid(50), "2024-06-01T00:00:00.000Z")});
  HttpResponse r = Get(Objects() + "?match[id]=indicator--" + Uuid(50));
  ASSERT_EQ(r.status, 200);
  std::string first = r.Header("x-taxii-date-added-first");
  std::string last = r.Header("x-taxii-date-added-last");
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first, last);
  PostOk({Indicator(Uuid(51), "2024-06-01T00:00:00.000Z")});
  json::object after = Json(Get(Objects() + "?added_after=" + last));
  ASSERT_TRUE(after.contains("objects"));
  std::set<std::string> ids;
  for (auto& o : after["objects"].as_array()) ids.insert(std::string(o.as_object().at("id").as_string()));
  EXPECT_FALSE(ids.count("indicator--" + Uuid(50)));
  EXPECT_TRUE(ids.count("indicator--" + Uuid(51)));
  json::object m = Json(Get("/api1/collections/" + std::string(kCol) + "/manifest/?added_after=" + last));
  EXPECT_EQ(m["objects"].as_array().size(), ids.size());
}

TEST_F(TaxiiTest, DeleteObjectVersions) {
  const std::string id = "indicator--" + Uuid(60);
  PostOk({Indicator(Uuid(60), "2024-07-01T00:00:00.000Z"), Indicator(Uuid(60), "2024-07-02T00:00:00.000Z"),
          Indicator(Uuid(60), "2024-07-03T00:00:00.000Z")});
  EXPECT_EQ(Delete(Objects() + id + "/?match[version]=first").status, 200);
  json::object v = Json(Get(Objects() + id + "/versions/"));
  EXPECT_EQ(v["versions"].as_array().size(), 2u);
  // The earliest remaining version is now "first".
  json::object f = Json(Get(Objects() + id + "/?match[version]=first"));
  EXPECT_EQ(f["objects"].as_array()[0].as_object().at("modified"), json::value("2024-07-02T00:00:00.000Z"));
  EXPECT_EQ(Delete(Objects() + id + "/").status, 200);  // every version
  ExpectTaxiiError(Get(Objects() + id + "/"), 404);
  ExpectTaxiiError(Delete(Objects() + id + "/"), 404);
  ExpectTaxiiError(Delete(Objects() + id + "/?limit=3"), 400);
}

TEST_F(TaxiiTest, BadInputGetsTaxiiErrorsAndWritesNothing) {
  ExpectTaxiiError(Post(Objects(), "{\"objects\": [ {\"type\": "), 400);
  ExpectTaxiiError(Post(Objects(), "not json at all"), 400);
  ExpectTaxiiError(Post(Objects(), "{\"objects\": 5}"), 400);
  ExpectTaxiiError(Post(Objects(), "[1,2,3]"), 400);
  std::string deep = "{\"objects\":[" + std::string(5000, '[') + std::string(5000, ']') + "]}";
  ExpectTaxiiError(Post(Objects(), deep), 400);
  std::string deep_obj = "{\"objects\":[{\"a\":" + std::string(3000, '[') + std::string(3000, ']') + "}]}";
  ExpectTaxiiError(Post(Objects(), deep_obj), 400);
  // A malformed envelope writes nothing, not even its valid objects.
  std::string half = "{\"objects\":[" + Indicator(Uuid(70), "2024-01-01T00:00:00.000Z") + ",{]}";
  ExpectTaxiiError(Post(Objects(), half), 400);
  ExpectTaxiiError(Get(Objects() + "indicator--" + Uuid(70) + "/"), 404);
  for (const char* q : {"?limit=0", "?limit=x", "?added_after=notatime", "?match[version]=bogus",
                        "?match[spec_version]=9.9", "?match[unknown]=1", "?frobnicate=1",
                        "?match[type]=BAD%20TYPE"}) {
    ExpectTaxiiError(Get(Objects() + q), 400);
  }
  ExpectTaxiiError(Get("/api1/collections/" + std::string(kCol) + "/objects/x/y/z/"), 404);
  HttpResponse m = HttpRequest(hub_->port(), "PUT", Objects(), {{"Authorization", Alice()}, {"Accept", kTaxii}}, "{}");
  ExpectTaxiiError(m, 405);
}

TEST_F(TaxiiTest, BodyOverMaxContentLengthIs413BeforeReading) {
  std::string big = Envelope({Indicator(Uuid(80), "2024-01-01T00:00:00.000Z", ",\"description\":\"" + std::string(4000, 'x') + "\"")});
  ExpectTaxiiError(Post("/small/collections/" + std::string(kColSmall) + "/objects/", big), 413);
  // The server answers 413 from the headers alone: announce a huge body and send none.
  HttpConnection c(hub_->port());
  ASSERT_TRUE(c.SendRaw("POST /api1/collections/" + std::string(kCol) + "/objects/ HTTP/1.1\r\nHost: x\r\nAuthorization: " +
                        Alice() + "\r\nContent-Type: " + kTaxii + "\r\nContent-Length: 100000000000\r\n\r\n"));
  HttpResponse r = c.ReadResponse(10000);
  EXPECT_EQ(r.status, 413) << r.body;
}

TEST_F(TaxiiTest, ConcurrentWritersAllLandInOrder) {
  constexpr int kThreads = 8, kPerThread = 10, kPerPost = 20;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &failures] {
      HttpConnection c(hub_->port());
      for (int p = 0; p < kPerThread; ++p) {
        std::vector<std::string> objs;
        for (int k = 0; k < kPerPost; ++k) {
          objs.push_back(Indicator(Uuid(100000 + t * 10000 + p * 100 + k), "2024-08-01T00:00:00.000Z"));
        }
        HttpResponse r = c.Request("POST", Objects(), {{"Authorization", Alice()}, {"Accept", kTaxii}, {"Content-Type", kTaxii}},
                                   Envelope(objs));
        if (r.status != 202 || r.body.find("\"success_count\":20") == std::string::npos) failures++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  // Every object is there exactly once, and date_added strictly increases.
  std::string last_added;
  std::set<std::string> ids;
  std::string next;
  for (int guard = 0; guard < 1000; ++guard) {
    std::string target = "/api1/collections/" + std::string(kCol) + "/manifest/?limit=97";
    if (!next.empty()) target += "&next=" + next;
    json::object o = Json(Get(target));
    if (o.contains("objects")) {
      for (auto& e : o["objects"].as_array()) {
        std::string added(e.as_object().at("date_added").as_string());
        EXPECT_LT(last_added, added);
        last_added = added;
        ids.insert(std::string(e.as_object().at("id").as_string()));
      }
    }
    if (!o["more"].as_bool()) break;
    next = std::string(o["next"].as_string());
  }
  for (int t = 0; t < kThreads; ++t)
    for (int p = 0; p < kPerThread; ++p)
      for (int k = 0; k < kPerPost; ++k)
        ASSERT_TRUE(ids.count("indicator--" + Uuid(100000 + t * 10000 + p * 100 + k)));
}

TEST_F(TaxiiTest, BearerTokensAuthenticateUntilRevoked) {
  ProcessResult r = RunKizuna({"admin", "--config", config_, "--json", "token", "create", "bob", "--label", "ci"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::object t = json::parse(r.out).as_object();
  std::string token(t["token"].as_string());
  std::string id(t["id"].as_string());
  EXPECT_EQ(Get("/api1/collections/", "Bearer " + token).status, 200);
  ExpectTaxiiError(Get("/api1/collections/", "Bearer " + token + "x"), 401);
  ExpectTaxiiError(Get("/api1/collections/", "Bearer kz1.nope.nope"), 401);
  ASSERT_EQ(RunKizuna({"admin", "--config", config_, "token", "revoke", id}).exit_code, 0);
  // The hub notices directory changes within a fraction of a second.
  int status = 200;
  for (int i = 0; i < 100 && status == 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    status = Get("/api1/collections/", "Bearer " + token).status;
  }
  EXPECT_EQ(status, 401);
}

TEST_F(TaxiiTest, DisabledAccountLosesAccess) {
  Admin({"account", "add", "dave", "--org", "JP Rail", "--password-stdin"}, "dave-password-1234\n");
  Admin({"grant", "dave", "ind", "--read"});
  std::string dave = BasicAuth("dave", "dave-password-1234");
  int status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) {
    status = Get(Objects() + "?limit=1", dave).status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(status, 200);
  Admin({"account", "disable", "dave"});
  for (int i = 0; i < 100 && status == 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    status = Get(Objects() + "?limit=1", dave).status;
  }
  EXPECT_EQ(status, 401);
}

TEST_F(TaxiiTest, MetricsNeedTheAdminRole) {
  ExpectTaxiiError(Get("/metrics", "", ""), 401);
  ExpectTaxiiError(Get("/metrics", Bob(), ""), 403);
  HttpResponse r = Get("/metrics", Root(), "");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("kizuna_http_requests_total"), std::string::npos);
  EXPECT_NE(r.body.find("kizuna_store_objects"), std::string::npos);
  EXPECT_NE(r.body.find("kizuna_store_group_commit_batches_bucket"), std::string::npos);
}

}  // namespace
}  // namespace kizuna::testing
