#include "app/demo_incident.h"

#include <boost/json.hpp>
#include <chrono>
#include <thread>

#include "core/encoding.h"
#include "core/time.h"
#include "core/uuid.h"
#include "http/client.h"

namespace kizuna::app {
namespace {

namespace json = boost::json;

constexpr const char* kUsGov = "identity--5b1d7c7e-1a2b-4c3d-8e9f-0a1b2c3d4e01";
constexpr const char* kJpGov = "identity--5b1d7c7e-1a2b-4c3d-8e9f-0a1b2c3d4e02";
constexpr const char* kUsIsac = "identity--5b1d7c7e-1a2b-4c3d-8e9f-0a1b2c3d4e03";
constexpr const char* kJpPower = "identity--5b1d7c7e-1a2b-4c3d-8e9f-0a1b2c3d4e07";
constexpr const char* kEnergy = "7f4e6f4c-3b0e-4a8e-9d52-1c2a3b4c5d01";  // us-jp-energy
constexpr const char* kTlpAmber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
constexpr const char* kTaxii = "application/taxii+json;version=2.1";

class Session {
 public:
  Session(const DemoHubAccess& hub, std::string user) : hub_(hub), user_(std::move(user)) {}

  // A coordination API call; the parsed answer, or the hub's refusal.
  Result<json::value> Api(const std::string& method, const std::string& path,
                          const json::value* body = nullptr) {
    return Send(method, hub_.base_url + "/coordination/v1/kizuna/" + path, "application/json",
                body ? json::serialize(*body) : "");
  }
  // A TAXII Add Objects request.
  Status Post(const std::vector<std::string>& objects) {
    std::string env = "{\"objects\":[";
    for (size_t i = 0; i < objects.size(); ++i) env += (i ? "," : "") + objects[i];
    env += "]}";
    ASSIGN_OR_RETURN(json::value status,
                     Send("POST", hub_.base_url + "/kizuna/collections/" + kEnergy + "/objects/",
                          kTaxii, env));
    const json::value* failures = status.as_object().if_contains("failure_count");
    if (failures == nullptr || !failures->is_int64() || failures->as_int64() != 0) {
      return Internal("demo objects were refused: " + json::serialize(status));
    }
    return Status::Ok();
  }

 private:
  Result<json::value> Send(const std::string& method, const std::string& url, const char* type,
                           const std::string& body) {
    auto pw = hub_.passwords.find(user_);
    if (pw == hub_.passwords.end()) return Internal("no demo account " + user_);
    std::vector<http::Header> headers = {
        {"authorization", "Basic " + Base64Encode(user_ + ":" + pw->second)}, {"accept", type}};
    if (!body.empty()) headers.push_back({"content-type", type});
    auto r = client_.Send(method, url, headers, body);
    if (!r.ok()) return r.error();
    boost::system::error_code ec;
    json::value v = json::parse(r->body, ec);
    if (ec || r->status >= 300) {
      return Internal("the demo hub answered " + std::to_string(r->status) + " to " + method + " " +
                      url + ": " + r->body);
    }
    return v;
  }

  const DemoHubAccess& hub_;
  std::string user_;
  http::Client client_;
};

std::string Id(const json::value& v) {
  const json::value* id = v.as_object().if_contains("id");
  return id && id->is_string() ? std::string(id->as_string()) : "";
}

// Waits until `user` on `hub` sees the task in the incident's show.
Status WaitForTask(Session& s, const std::string& incident, const std::string& task) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto show = s.Api("GET", "incidents/" + incident);
    if (show.ok() && json::serialize(*show).find(task) != std::string::npos) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Unavailable("task " + task + " did not reach the Japanese hub within 30 s");
}

}  // namespace

Status SeedDemoIncident(const DemoHubAccess& us, const DemoHubAccess& jp) {
  Session us_centre(us, "us-analyst"), us_isac(us, "isac-analyst"), jp_power(jp, "jp-power-soc");
  const std::string now = FormatTimestamp(SystemClock::Get().NowMicros(), 3);
  // The command-and-control address both victims saw, published by the US centre.
  const std::string indicator = "indicator--" + NewUuidV4();
  json::object ind{{"type", "indicator"},
                   {"spec_version", "2.1"},
                   {"id", indicator},
                   {"created", now},
                   {"modified", now},
                   {"created_by_ref", kUsGov},
                   {"name", "Winter Grid command-and-control server / 冬の送電網作戦のC2サーバ"},
                   {"indicator_types", json::array{"malicious-activity"}},
                   {"pattern", "[ipv4-addr:value = '203.0.113.66']"},
                   {"pattern_type", "stix"},
                   {"valid_from", now},
                   {"object_marking_refs", json::array{kTlpAmber}}};
  RETURN_IF_ERROR(us_centre.Post({json::serialize(ind)}));

  json::value open = json::object{
      {"collection", "us-jp-energy"},
      {"name", "Operation Winter Grid: intrusions at a US utility and a Japanese power company"},
      {"description",
       "Spear-phishing against control-room staff followed by remote access to engineering "
       "workstations at Midwest Power Cooperative (US) and Chubu Power Grid (JP). / "
       "制御室職員を狙ったスピアフィッシングの後、ミッドウェスト電力協同組合（米国）と中部送配電"
       "（日本）のエンジニアリング端末への遠隔アクセスが確認された。"},
      {"criticality", 80},
      {"determination", "confirmed"},
      {"incident_types", json::array{"dissemination-phishing-emails"}},
      {"sectors", json::array{"energy-electric"}},
      {"marking", "amber"},
      {"audience", json::array{kUsGov, kJpGov, kUsIsac, kJpPower}}};
  ASSIGN_OR_RETURN(json::value opened, us_centre.Api("POST", "incidents", &open));
  const std::string incident = Id(opened);
  json::value link = json::object{{"object_refs", json::array{json::string(indicator)}}};
  RETURN_IF_ERROR(us_centre.Api("POST", "incidents/" + incident + "/links", &link).status());
  json::value event = json::object{
      {"name", "Spear-phishing wave against control-room staff / 制御室職員へのスピアフィッシング"},
      {"status", "occurred"},
      {"event_types", json::array{"dissemination-phishing-emails"}}};
  RETURN_IF_ERROR(us_centre.Api("POST", "incidents/" + incident + "/events", &event).status());
  // The impact as first assessed, then superseded when it grew.
  json::value first_impact = json::object{
      {"category", "availability"},
      {"criticality", 50},
      {"recoverability", "regular"},
      {"description", "Engineering workstations of one US substation offline / "
                      "米国の変電所1か所のエンジニアリング端末が停止"},
      {"details", json::object{{"availability_impact", 30}}}};
  ASSIGN_OR_RETURN(json::value impact, us_centre.Api("POST", "incidents/" + incident + "/impacts", &first_impact));
  json::value grown = json::object{
      {"category", "availability"},
      {"criticality", 70},
      {"recoverability", "supplemented"},
      {"description", "Engineering workstations offline at three substations in two countries / "
                      "2か国・3か所の変電所でエンジニアリング端末が停止"},
      {"details", json::object{{"availability_impact", 60}}},
      {"supersedes", Id(impact)}};
  RETURN_IF_ERROR(us_centre.Api("POST", "incidents/" + incident + "/impacts", &grown).status());
  auto task = [&](const char* assignee, const char* name, int priority) -> Result<std::string> {
    json::value t = json::object{{"assignee", assignee}, {"name", name}, {"priority", priority}};
    ASSIGN_OR_RETURN(json::value added, us_centre.Api("POST", "incidents/" + incident + "/tasks", &t));
    return Id(added);
  };
  ASSIGN_OR_RETURN(std::string hunt, task(kJpPower,
                                          "Hunt for the C2 address in substation logs / "
                                          "変電所のログでC2アドレスを探索する",
                                          90));
  ASSIGN_OR_RETURN(std::string notify, task(kUsIsac,
                                            "Notify member utilities and share the indicator / "
                                            "会員電力会社へ通知し指標を共有する",
                                            70));
  RETURN_IF_ERROR(task(kJpGov,
                       "Coordinate the Japanese response with the national CSIRT / "
                       "国内CSIRTと日本側の対応を調整する",
                       60)
                      .status());
  // The Japanese power company reports from its own hub; the ISAC from the US hub.
  RETURN_IF_ERROR(WaitForTask(jp_power, incident, hunt));
  json::value done = json::object{
      {"outcome", "successful"},
      {"progress", 100},
      {"note", "Found in two substations' firewall logs; hosts isolated. / "
               "2か所の変電所のファイアウォールログで検出し、端末を隔離した。"}};
  RETURN_IF_ERROR(jp_power.Api("POST", "tasks/" + hunt + "/updates", &done).status());
  json::value opinion = json::object{
      {"opinion", "strongly-agree"},
      {"explanation", "Same loader and C2 address seen at our substations. / "
                      "当社の変電所でも同じローダーとC2アドレスを確認。"}};
  RETURN_IF_ERROR(jp_power.Api("POST", "incidents/" + incident + "/opinions", &opinion).status());
  json::value ongoing = json::object{{"outcome", "ongoing"}, {"progress", 50},
                                     {"note", "12 of 24 member utilities notified. / 24社中12社に通知済み。"}};
  RETURN_IF_ERROR(us_isac.Api("POST", "tasks/" + notify + "/updates", &ongoing).status());
  // The sighting on the Japanese hub that correlates the incident.
  const std::string seen = FormatTimestamp(SystemClock::Get().NowMicros(), 3);
  json::object sighting{{"type", "sighting"},
                        {"spec_version", "2.1"},
                        {"id", "sighting--" + NewUuidV4()},
                        {"created", seen},
                        {"modified", seen},
                        {"created_by_ref", kJpPower},
                        {"sighting_of_ref", indicator},
                        {"count", 3},
                        {"first_seen", seen},
                        {"last_seen", seen},
                        {"where_sighted_refs", json::array{kJpPower}},
                        {"object_marking_refs", json::array{kTlpAmber}}};
  return jp_power.Post({json::serialize(sighting)});
}

}  // namespace kizuna::app
