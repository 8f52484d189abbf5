// Durability under SIGKILL: clients post while the real hub is killed at
// random moments, over and over. After each restart, every object whose
// status resource said "success" is readable, nothing is duplicated, and the
// database passes PRAGMA integrity_check. (Slow: labelled "slow".)
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "harness.h"

namespace kizuna::testing {
namespace {

namespace json = boost::json;

constexpr const char* kCol = "1d0f3a8e-52a1-4c7b-9a56-0d5e8e2f7c11";

std::string Indicator(int64_t n) {
  char uuid[40];
  std::snprintf(uuid, sizeof uuid, "00000000-0000-4000-8000-%012lld", static_cast<long long>(n));
  return std::string(R"({"type":"indicator","spec_version":"2.1","id":"indicator--)") + uuid +
         R"(","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z"})";
}

TEST(CrashTest, AcknowledgedObjectsSurviveSigkill) {
  TempDir dir;
  std::string config = WriteHubConfig(dir);
  auto admin = [&](std::vector<std::string> args, const std::string& in = "") {
    args.insert(args.begin(), {"admin", "--config", config});
    ProcessResult r = RunKizuna(args, in);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  };
  admin({"api-root", "add", "api1"});
  admin({"collection", "add", "--api-root", "api1", "--title", "c", "--id", kCol});
  admin({"org", "add", "--name", "Org", "--nation", "JP", "--kind", "operator"});
  admin({"account", "add", "w", "--org", "Org", "--role", "contributor", "--password-stdin"},
        "writer-password-123\n");
  admin({"grant", "w", kCol, "--read", "--write"});
  const std::string auth = BasicAuth("w", "writer-password-123");
  const std::string objects = std::string("/api1/collections/") + kCol + "/objects/";

  std::mutex mu;
  std::set<int64_t> acknowledged;
  std::atomic<int64_t> next_id{1};
  std::mt19937 rng(12345);
  // Everything acknowledged so far is readable, exactly once.
  auto verify = [&](int port, int round) {
      std::set<int64_t> expected;
      {
        std::lock_guard lock(mu);
        expected = acknowledged;
      }
      std::set<std::string> seen;
      std::string next;
      HttpConnection c(port);
      for (int guard = 0; guard < 100000; ++guard) {
        std::string target = "/api1/collections/" + std::string(kCol) + "/manifest/?limit=1000";
        if (!next.empty()) target += "&next=" + next;
        HttpResponse r = c.Request("GET", target, {{"Authorization", auth}, {"Accept", kTaxii}});
        ASSERT_EQ(r.status, 200) << r.body;
        json::object o = json::parse(r.body).as_object();
        if (o.contains("objects")) {
          for (auto& e : o["objects"].as_array()) {
            std::string id(e.as_object().at("id").as_string());
            EXPECT_TRUE(seen.insert(id).second) << "duplicate " << id;
          }
        }
        if (!o["more"].as_bool()) break;
        next = std::string(o["next"].as_string());
      }
      for (int64_t n : expected) {
        std::string id = json::parse(Indicator(n)).as_object()["id"].as_string().c_str();
        ASSERT_TRUE(seen.count(id)) << "round " << round << ": acknowledged " << id << " is lost";
      }
    };
  constexpr int kRounds = 12;
  for (int round = 0; round < kRounds; ++round) {
    std::string error;
    auto hub = KizunaProcess::Start({"serve", "--config", config}, &error);
    ASSERT_NE(hub, nullptr) << error;
    int port = hub->port();

    verify(port, round);

    // Writers post until the hub dies under them.
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
      writers.emplace_back([&, port] {
        HttpConnection c(port);
        while (!stop.load()) {
          std::vector<int64_t> ids;
          std::string body = "{\"objects\":[";
          for (int k = 0; k < 25; ++k) {
            int64_t n = next_id.fetch_add(1);
            ids.push_back(n);
            body += (k ? "," : "") + Indicator(n);
          }
          body += "]}";
          HttpResponse r = c.Request("POST", objects,
                                     {{"Authorization", auth}, {"Accept", kTaxii}, {"Content-Type", kTaxii}},
                                     body);
          if (r.status == 0) return;  // the hub is gone
          if (r.status == 202 && r.body.find("\"success_count\":25") != std::string::npos) {
            std::lock_guard lock(mu);
            acknowledged.insert(ids.begin(), ids.end());
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + rng() % 900));
    hub->Kill();
    stop = true;
    for (auto& w : writers) w.join();
    ProcessResult check = RunKizuna({"admin", "--config", config, "check"});
    ASSERT_EQ(check.exit_code, 0) << "round " << round << ": " << check.err << check.out;
  }
  std::string error;
  auto hub = KizunaProcess::Start({"serve", "--config", config}, &error);
  ASSERT_NE(hub, nullptr) << error;
  verify(hub->port(), kRounds);
  EXPECT_EQ(hub->Stop(), 0);
  std::lock_guard lock(mu);
  EXPECT_GT(acknowledged.size(), 100u) << "the writers barely ran; the test proves little";
}

}  // namespace
}  // namespace kizuna::testing
