// The TAXII response cache (taxii/response_cache.h) against the real hub:
// a repeated GET is served from the cache, yet every response stays exactly
// what the store and the policy say at that moment: new commits, another
// reader, and a change of the trust model are never answered from an entry
// made before them.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace kizuna::testing {
namespace {

namespace json = boost::json;

constexpr const char* kCol = "5d0c3a11-9f3e-4e52-8c7e-0b6f2f1c0a01";
constexpr const char* kClear = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
constexpr const char* kAmber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";

std::string Id(int n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "indicator--00000000-0000-4000-8000-%012d", n);
  return buf;
}

std::string Indicator(int n, const char* marking) {
  return R"({"type":"indicator","spec_version":"2.1","id":")" + Id(n) +
         R"(","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"cache test","pattern":"[ipv4-addr:value = '203.0.113.9']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z","object_marking_refs":[")" +
         marking + R"("]})";
}

class ResponseCacheTest : public ::testing::Test {
 protected:
  void Admin(const std::vector<std::string>& args, const std::string& in = "") {
    std::vector<std::string> a = {"admin", "--config", config_};
    a.insert(a.end(), args.begin(), args.end());
    ProcessResult r = RunKizuna(a, in);
    ASSERT_EQ(r.exit_code, 0) << "kizuna admin failed: " << r.err << r.out;
  }

  void SetUp() override {
    config_ = WriteHubConfig(dir_);
    Admin({"api-root", "add", "api1"});
    Admin({"org", "add", "--name", "US Center", "--nation", "US", "--kind", "government"});
    Admin({"org", "add", "--name", "JP Rail", "--nation", "JP", "--kind", "operator"});
    // JP Rail reads the collection but is not (yet) in its trust group.
    Admin({"trust-group", "add", "tg", "--name", "US-JP", "--member", "US Center"});
    Admin({"collection", "add", "--api-root", "api1", "--title", "Cache", "--id", kCol,
           "--trust-group", "tg"});
    Admin({"account", "add", "alice", "--org", "US Center", "--role", "contributor",
           "--password-stdin"},
          "alice-password-123\n");
    Admin({"account", "add", "bob", "--org", "JP Rail", "--password-stdin"}, "bob-password-1234\n");
    Admin({"account", "add", "root", "--org", "US Center", "--role", "admin", "--password-stdin"},
          "root-password-1234\n");
    Admin({"grant", "alice", kCol, "--read", "--write"});
    Admin({"grant", "bob", kCol, "--read"});
    std::string error;
    hub_ = KizunaProcess::Start({"serve", "--config", config_}, &error);
    ASSERT_NE(hub_, nullptr) << error;
  }
  void TearDown() override {
    if (hub_) {
      EXPECT_EQ(hub_->Stop(), 0);
    }
  }

  HttpResponse Get(const std::string& target, const std::string& auth) {
    return HttpRequest(hub_->port(), "GET", target,
                       {{"Authorization", auth}, {"Accept", kTaxii}});
  }
  void Post(const std::vector<std::string>& objects) {
    std::string body = R"({"objects":[)";
    for (size_t i = 0; i < objects.size(); ++i) body += (i ? "," : "") + objects[i];
    body += "]}";
    HttpResponse r = HttpRequest(hub_->port(), "POST", Objects(),
                                 {{"Authorization", Alice()},
                                  {"Accept", kTaxii},
                                  {"Content-Type", kTaxii}},
                                 body);
    ASSERT_EQ(r.status, 202) << r.body;
    ASSERT_NE(r.body.find("\"failure_count\":0"), std::string::npos) << r.body;
  }
  static std::string Objects() { return std::string("/api1/collections/") + kCol + "/objects/"; }
  static std::string Alice() { return BasicAuth("alice", "alice-password-123"); }
  static std::string Bob() { return BasicAuth("bob", "bob-password-1234"); }
  static std::string Root() { return BasicAuth("root", "root-password-1234"); }

  // The ids of a GET objects response (fails the test on anything else).
  std::set<std::string> Ids(const HttpResponse& r) {
    std::set<std::string> ids;
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return ids;
    json::object o = json::parse(r.body).as_object();
    if (const auto* objs = o.if_contains("objects")) {
      for (const auto& v : objs->as_array()) ids.insert(std::string(v.as_object().at("id").as_string()));
    }
    return ids;
  }
  int64_t Metric(const std::string& name) {
    HttpResponse r = Get("/metrics", Root());
    EXPECT_EQ(r.status, 200);
    size_t at = r.body.find("\n" + name + " ");
    if (at == std::string::npos) {
      ADD_FAILURE() << "no metric " << name;
      return -1;
    }
    return std::stoll(r.body.substr(at + name.size() + 2));
  }

  TempDir dir_;
  std::string config_;
  std::unique_ptr<KizunaProcess> hub_;
};

TEST_F(ResponseCacheTest, RepeatedGetsAreHitsThatFollowCommitsReadersAndPolicy) {
  Post({Indicator(1, kClear), Indicator(2, kAmber)});
  const std::string page = Objects() + "?match[type]=indicator&limit=50";

  // The second identical GET by the same reader is a hit, byte for byte.
  int64_t hits0 = Metric("kizuna_taxii_response_cache_hits_total");
  HttpResponse first = Get(page, Alice());
  HttpResponse second = Get(page, Alice());
  EXPECT_EQ(Metric("kizuna_taxii_response_cache_hits_total"), hits0 + 1);
  EXPECT_EQ(first.body, second.body);
  EXPECT_EQ(Ids(second), (std::set<std::string>{Id(1), Id(2)}));
  EXPECT_EQ(first.Header("x-taxii-date-added-last"), second.Header("x-taxii-date-added-last"));

  // Another reader with the same query gets its own view: AMBER stays in the
  // trust group, which JP Rail is not in.
  EXPECT_EQ(Ids(Get(page, Bob())), std::set<std::string>{Id(1)});
  EXPECT_EQ(Ids(Get(page, Bob())), std::set<std::string>{Id(1)});

  // A commit: the next GET is not served from the entry made before it.
  Post({Indicator(3, kClear)});
  EXPECT_EQ(Ids(Get(page, Alice())), (std::set<std::string>{Id(1), Id(2), Id(3)}));
  EXPECT_EQ(Ids(Get(page, Bob())), (std::set<std::string>{Id(1), Id(3)}));

  // A change of the trust model: JP Rail joins the trust group, so AMBER
  // reaches it. The hub reloads its model within 200 ms; from then on no
  // cached page of the old model is served.
  Admin({"trust-group", "add-member", "tg", "JP Rail"});
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    seen = Ids(Get(page, Bob()));
    if (seen.count(Id(2))) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(seen, (std::set<std::string>{Id(1), Id(2), Id(3)}));
  // And back out of the group: AMBER is withheld from JP Rail again.
  Admin({"trust-group", "remove-member", "tg", "JP Rail"});
  for (int i = 0; i < 100; ++i) {
    seen = Ids(Get(page, Bob()));
    if (!seen.count(Id(2))) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(seen, (std::set<std::string>{Id(1), Id(3)}));
  EXPECT_EQ(Ids(Get(page, Bob())), (std::set<std::string>{Id(1), Id(3)}));
}

TEST_F(ResponseCacheTest, GetOneObjectHitsAndHiddenObjectsStay404) {
  Post({Indicator(7, kAmber)});
  const std::string one = Objects() + Id(7) + "/";
  int64_t hits0 = Metric("kizuna_taxii_response_cache_hits_total");
  EXPECT_EQ(Ids(Get(one, Alice())), std::set<std::string>{Id(7)});
  EXPECT_EQ(Ids(Get(one, Alice())), std::set<std::string>{Id(7)});
  EXPECT_EQ(Metric("kizuna_taxii_response_cache_hits_total"), hits0 + 1);
  // Bob may not see it, before and after Alice's cached reads.
  EXPECT_EQ(Get(one, Bob()).status, 404);
  EXPECT_EQ(Get(one, Bob()).status, 404);
}

}  // namespace
}  // namespace kizuna::testing
