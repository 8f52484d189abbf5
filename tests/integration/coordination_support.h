#pragma once
// The coordination tests' two hubs (tests/integration/coordination*_test.cc):
// a US hub and a Japanese hub peered both ways on one collection, with the
// organizations, accounts and helpers the tests share.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "federation_support.h"
#include "harness.h"

namespace kizuna::testing {

inline const char* kColl = "c0000000-0000-4000-8000-00000000c0d1";
inline const char* kUsCentre = "identity--a1000000-0000-4000-8000-0000000000c1";
inline const char* kUsIsac = "identity--a1000000-0000-4000-8000-0000000000c2";
inline const char* kJpCentre = "identity--b1000000-0000-4000-8000-0000000000c1";
inline const char* kJpPower = "identity--b1000000-0000-4000-8000-0000000000c2";
inline const char* kJpVendor = "identity--b1000000-0000-4000-8000-0000000000c3";

inline std::vector<OrgDef> Orgs() {
  return {{kUsCentre, "US Centre", "US", "us-hub"}, {kUsIsac, "US ISAC", "US", "us-hub"},
          {kJpCentre, "JP Centre", "JP", "jp-hub"}, {kJpPower, "JP Power", "JP", "jp-hub"},
          {kJpVendor, "JP Vendor", "JP", "jp-hub"}};
}

class CoordinationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    us_ = new TestHub("us-hub");
    jp_ = new TestHub("jp-hub");
    std::vector<std::string> group = {kUsCentre, kUsIsac, kJpCentre, kJpPower, kJpVendor};
    us_->Setup(Orgs(), group, {}, {kColl},
               {{"alice", "US Centre", "contributor"}, {"bob", "US ISAC", "contributor"}});
    jp_->Setup(Orgs(), group, {}, {kColl},
               {{"kenji", "JP Centre", "contributor"}, {"hana", "JP Power", "contributor"},
                {"yuki", "JP Vendor", "contributor"}, {"taro", "JP Centre", "coordinator"}});
    us_->Start();
    jp_->Start();
    us_->AddPeer(*jp_, {kColl}, "both", {}, "JP Centre");
    jp_->AddPeer(*us_, {kColl}, "both", {}, "US Centre");
  }
  static void TearDownTestSuite() {
    if (us_) us_->Stop();
    if (jp_) jp_->Stop();
    delete us_;
    delete jp_;
  }

  static HttpResponse Api(const TestHub& hub, const std::string& user, const std::string& method,
                          const std::string& path, const std::string& body = "") {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Authorization", BasicAuth(user, Password(user))}, {"Accept", "application/json"}};
    if (!body.empty()) headers.push_back({"Content-Type", "application/json"});
    return HttpRequest(hub.port(), method, "/coordination/v1/api1/" + path, headers, body);
  }
  static json::object Body(const HttpResponse& r) {
    auto v = json::parse(r.body);
    return v.is_object() ? v.as_object() : json::object();
  }
  // Opens an AMBER+STRICT incident for the US and Japanese centres and JP Power.
  static std::string Open(const std::string& name) {
    HttpResponse r = Api(*us_, "alice", "POST", "incidents",
                         json::serialize(json::object{
                             {"collection", kColl},
                             {"name", name},
                             {"criticality", 70},
                             {"determination", "confirmed"},
                             {"sectors", json::array{"energy"}},
                             {"marking", "amber+strict"},
                             {"audience", json::array{"JP Centre", kJpPower}}}));
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(Body(r)["id"].as_string());
  }
  static std::string AddTask(const std::string& incident, const std::string& assignee) {
    HttpResponse r = Api(*us_, "alice", "POST", "incidents/" + incident + "/tasks",
                         json::serialize(json::object{{"assignee", assignee},
                                                      {"name", "Block the C2 domain"},
                                                      {"priority", 80}}));
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(Body(r)["id"].as_string());
  }
  // The show of `incident` by `user` on `hub` (empty object when not 200).
  static json::object Show(const TestHub& hub, const std::string& user, const std::string& incident) {
    HttpResponse r = Api(hub, user, "GET", "incidents/" + incident);
    return r.status == 200 ? Body(r) : json::object();
  }
  static json::object TaskIn(const json::object& show, const std::string& task) {
    if (!show.contains("tasks")) return {};
    for (const auto& t : show.at("tasks").as_array()) {
      if (t.as_object().at("id").as_string() == task) return t.as_object();
    }
    return {};
  }
  static std::string Field(const json::object& o, const char* key) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr) return "";
    if (v->is_string()) return std::string(v->as_string());
    if (v->is_int64()) return std::to_string(v->as_int64());
    return json::serialize(*v);
  }

  static inline TestHub* us_ = nullptr;
  static inline TestHub* jp_ = nullptr;
};

}  // namespace kizuna::testing
