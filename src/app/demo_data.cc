#include "app/demo_data.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <random>

#include "core/time.h"
#include "core/uuid.h"
#include "policy/extensions.h"
#include "policy/sectors.h"
#include "stix/incident_core.h"
#include "stix/object.h"

namespace kizuna::app {
namespace {

namespace json = boost::json;

constexpr const char* kTlpClear = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
constexpr const char* kTlpGreen = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
constexpr const char* kTlpAmber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
constexpr const char* kTlpAmberStrict = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003";
constexpr const char* kTlpRed = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
// TLP 1.0 GREEN: accepted on input and handled as TLP 2.0 GREEN.
constexpr const char* kTlp1Green = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";

class Gen {
 public:
  Gen(uint64_t seed, int64_t now_us) : rng_(seed), now_us_(now_us) {}

  std::string Uuid() {
    uint64_t a = rng_(), b = rng_();
    a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
    b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx",
                  static_cast<unsigned>(a >> 32), static_cast<unsigned>((a >> 16) & 0xffff),
                  static_cast<unsigned>(a & 0xffff), static_cast<unsigned>(b >> 48),
                  static_cast<unsigned long long>(b & 0xffffffffffffULL));
    return buf;
  }
  std::string Id(const std::string& type) { return type + "--" + Uuid(); }
  // A time within the last `days` days, millisecond precision.
  int64_t PastUs(int days) {
    int64_t span = static_cast<int64_t>(days) * 86400LL * 1000000LL;
    int64_t t = now_us_ - static_cast<int64_t>(rng_() % static_cast<uint64_t>(span));
    return t - t % 1000;
  }
  static std::string Ts(int64_t us) { return FormatTimestamp(us, 3); }
  size_t Pick(size_t n) { return static_cast<size_t>(rng_() % n); }
  template <typename T>
  const T& Choice(const std::vector<T>& v) { return v[Pick(v.size())]; }
  std::string Hex(size_t digits) {
    static const char* h = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < digits; ++i) s += h[rng_() & 15];
    return s;
  }
  std::string Ipv4() {
    static const std::vector<std::string> nets = {"192.0.2.", "198.51.100.", "203.0.113."};
    return Choice(nets) + std::to_string(1 + Pick(254));
  }
  std::string Domain() {
    static const std::vector<std::string> words = {
        "update", "cdn", "telemetry", "secure", "login", "portal", "sync", "relay",
        "grid", "scada", "rail", "ticket", "mail", "cloud", "files", "static"};
    static const std::vector<std::string> tlds = {"example", "example.net", "example.org",
                                                  "example.com", "test"};
    return Choice(words) + "-" + Choice(words) + std::to_string(Pick(100)) + "." + Choice(tlds);
  }
  int64_t now_us() const { return now_us_; }

 private:
  std::mt19937_64 rng_;
  int64_t now_us_;
};

json::object Base(Gen& g, const std::string& type, const std::string& created_by, int days) {
  json::object o;
  o["type"] = type;
  o["spec_version"] = "2.1";
  o["id"] = g.Id(type);
  int64_t created = g.PastUs(days);
  o["created"] = Gen::Ts(created);
  o["modified"] = Gen::Ts(created);
  if (!created_by.empty()) o["created_by_ref"] = created_by;
  return o;
}

void Mark(json::object& o, const char* marking) {
  o["object_marking_refs"] = json::array{json::string(marking)};
}

std::string Ser(const json::object& o) { return json::serialize(o); }

json::object Relationship(Gen& g, const std::string& type, const std::string& src,
                          const std::string& dst, const std::string& by, const char* marking) {
  json::object r = Base(g, "relationship", by, 30);
  r["relationship_type"] = type;
  r["source_ref"] = src;
  r["target_ref"] = dst;
  Mark(r, marking);
  return r;
}

json::object Sco(const std::string& type, const std::string& value) {
  json::object o;
  o["type"] = type;
  o["spec_version"] = "2.1";
  o["value"] = value;
  auto id = stix::DeterministicScoId(o);
  o["id"] = id ? *id : type + "--" + NewUuidV4();
  return o;
}

struct Technique {
  const char* id;
  const char* name;
  const char* phase;
  const char* chain;
};

const std::vector<Technique> kTechniques = {
    {"T1566.001", "Spearphishing Attachment", "initial-access", "mitre-attack"},
    {"T1190", "Exploit Public-Facing Application", "initial-access", "mitre-attack"},
    {"T1078", "Valid Accounts", "persistence", "mitre-attack"},
    {"T1071.001", "Web Protocols", "command-and-control", "mitre-attack"},
    {"T1486", "Data Encrypted for Impact", "impact", "mitre-attack"},
    {"T0855", "Unauthorized Command Message", "impair-process-control", "mitre-ics-attack"},
    {"T0886", "Remote Services", "initial-access", "mitre-ics-attack"},
    {"T0831", "Manipulation of Control", "impact", "mitre-ics-attack"},
};

}  // namespace

std::vector<DemoCollectionData> GenerateDemoData(const std::vector<DemoOrg>& orgs, uint64_t seed,
                                                 int64_t now_us) {
  Gen g(seed, now_us);
  auto org_by_kind = [&](const std::string& nation, const std::string& kind) -> std::string {
    for (const auto& o : orgs)
      if (o.nation == nation && o.kind == kind) return o.id;
    return orgs.empty() ? std::string() : orgs[0].id;
  };
  const std::string us_gov = org_by_kind("US", "government");
  const std::string jp_gov = org_by_kind("JP", "government");
  const std::string us_isac = org_by_kind("US", "isac");
  const std::string jp_rail = org_by_kind("JP", "operator");
  auto org_in_sector = [&](const std::string& nation, const std::string& sector) -> std::string {
    for (const auto& o : orgs)
      if (o.nation == nation && std::find(o.sectors.begin(), o.sectors.end(), sector) != o.sectors.end()) return o.id;
    return std::string();
  };
  const std::string us_power = org_in_sector("US", "energy-electric");
  const std::string jp_power = org_in_sector("JP", "energy-electric");

  DemoCollectionData energy{"energy", {}}, rail{"rail", {}}, alerts{"alerts", {}},
      sightings{"sightings", {}};

  // Identities of every organization, in every collection (readers resolve
  // created_by_ref locally).
  for (const auto& org : orgs) {
    json::object id;
    id["type"] = "identity";
    id["spec_version"] = "2.1";
    id["id"] = org.id;
    int64_t t = g.PastUs(400) - 400LL * 86400 * 1000000;
    id["created"] = Gen::Ts(t);
    id["modified"] = Gen::Ts(t);
    id["name"] = org.name;
    id["identity_class"] = "organization";
    // Kizuna sector codes become STIX industry-sector-ov values.
    json::array sectors;
    for (const auto& code : org.sectors) {
      if (const policy::Sector* sec = policy::FindSector(code)) {
        for (auto v : sec->stix) {
          json::string js(v);
          if (std::find(sectors.begin(), sectors.end(), json::value(js)) == sectors.end()) {
            sectors.push_back(js);
          }
        }
      }
    }
    if (!sectors.empty()) id["sectors"] = sectors;
    id["x_kizuna_nation"] = org.nation;
    Mark(id, kTlpClear);
    std::string s = Ser(id);
    for (auto* c : {&energy, &rail, &alerts, &sightings}) c->objects.push_back(s);
  }

  // Fictional adversaries.
  struct Actor {
    const char* name;
    const char* name_ja;
    const char* type;
    const char* motivation;
  };
  const std::vector<Actor> actors = {
      {"Iron Lantern", "アイアン・ランタン", "nation-state", "organizational-gain"},
      {"Silent Crane", "サイレント・クレーン", "nation-state", "ideology"},
      {"Copperhead Syndicate", "カッパーヘッド・シンジケート", "crime-syndicate", "personal-gain"},
  };
  const std::vector<std::pair<const char*, const char*>> malware_names = {
      {"GridLock Loader", "loader"},   {"RailGhost", "remote-access-trojan"},
      {"ShadowRelay", "backdoor"},     {"KiriCrypt", "ransomware"},
      {"ModSnoop", "spyware"},         {"PulseDropper", "dropper"},
  };

  std::vector<std::string> actor_ids, malware_ids, technique_ids;
  // Japanese translations made at the end (language-content): the object,
  // where it is, its marking, and its texts.
  struct ToTranslate {
    json::object object;
    std::vector<DemoCollectionData*> where;
    const char* marking;
    std::string name_ja, description_ja;
  };
  std::vector<ToTranslate> translate;
  for (const auto& a : actors) {
    json::object o = Base(g, "threat-actor", us_gov, 300);
    o["name"] = a.name;
    o["threat_actor_types"] = json::array{json::string(a.type)};
    o["primary_motivation"] = a.motivation;
    o["resource_level"] = std::string_view(a.type) == "nation-state" ? "government" : "organization";
    o["sophistication"] = "advanced";
    o["description"] = std::string("Fictional adversary for the Kizuna demo (") + a.name_ja + ").";
    Mark(o, kTlpGreen);
    translate.push_back({o, {&energy, &rail, &alerts}, kTlpGreen, a.name_ja,
                         std::string("Kizuna デモ用の架空の攻撃者（") + a.name_ja + "）。"});
    actor_ids.push_back(std::string(o["id"].get_string()));
    std::string s = Ser(o);
    energy.objects.push_back(s);
    rail.objects.push_back(s);
    alerts.objects.push_back(s);
  }
  for (const auto& [name, mtype] : malware_names) {
    json::object o = Base(g, "malware", jp_gov, 200);
    o["name"] = name;
    o["is_family"] = true;
    o["malware_types"] = json::array{json::string(mtype)};
    o["description"] = std::string(name) + ": fictional malware family for the Kizuna demo.";
    Mark(o, kTlpGreen);
    translate.push_back({o, {&energy, &rail}, kTlpGreen, "",
                         std::string(name) + "：Kizuna デモ用の架空のマルウェアファミリー。"});
    malware_ids.push_back(std::string(o["id"].get_string()));
    std::string s = Ser(o);
    energy.objects.push_back(s);
    rail.objects.push_back(s);
  }
  for (const auto& t : kTechniques) {
    json::object o = Base(g, "attack-pattern", us_gov, 365);
    o["name"] = t.name;
    json::object ref;
    ref["source_name"] = "mitre-attack";
    ref["external_id"] = t.id;
    std::string path = t.id;
    std::replace(path.begin(), path.end(), '.', '/');
    ref["url"] = "https://attack.mitre.org/techniques/" + path;
    o["external_references"] = json::array{ref};
    json::object phase;
    phase["kill_chain_name"] = t.chain;
    phase["phase_name"] = t.phase;
    o["kill_chain_phases"] = json::array{phase};
    Mark(o, kTlpClear);
    technique_ids.push_back(std::string(o["id"].get_string()));
    std::string s = Ser(o);
    energy.objects.push_back(s);
    rail.objects.push_back(s);
    alerts.objects.push_back(s);
  }
  // Campaigns, attributed to actors.
  std::vector<std::string> campaign_ids;
  const std::vector<std::pair<const char*, std::string>> campaigns = {
      {"Operation Winter Grid", "energy"}, {"Operation Last Train", "rail"},
      {"Operation Paper Lantern", "alerts"}};
  const char* const campaigns_ja[] = {"冬の送電網作戦", "最終列車作戦", "紙提灯作戦"};
  for (size_t i = 0; i < campaigns.size(); ++i) {
    json::object o = Base(g, "campaign", jp_gov, 90);
    o["name"] = campaigns[i].first;
    o["first_seen"] = Gen::Ts(g.PastUs(90));
    o["objective"] = "Pre-positioning in critical infrastructure networks";
    o["description"] = "Pre-positioning in critical infrastructure networks (demo data).";
    Mark(o, kTlpAmber);
    std::string cid(o["id"].get_string());
    campaign_ids.push_back(cid);
    auto& target = campaigns[i].second == "energy" ? energy
                   : campaigns[i].second == "rail" ? rail
                                                   : alerts;
    target.objects.push_back(Ser(o));
    translate.push_back({o, {&target}, kTlpAmber, campaigns_ja[i],
                         "重要インフラのネットワークへの事前侵入（デモデータ）。"});
    target.objects.push_back(
        Ser(Relationship(g, "attributed-to", cid, actor_ids[i % actor_ids.size()], jp_gov, kTlpAmber)));
  }
  // Actors use malware; malware uses techniques.
  for (size_t i = 0; i < malware_ids.size(); ++i) {
    std::string s1 = Ser(Relationship(g, "uses", actor_ids[i % actor_ids.size()], malware_ids[i],
                                      us_gov, kTlpGreen));
    std::string s2 = Ser(Relationship(g, "uses", malware_ids[i],
                                      technique_ids[i % technique_ids.size()], us_gov, kTlpGreen));
    for (auto* c : {&energy, &rail}) {
      c->objects.push_back(s1);
      c->objects.push_back(s2);
    }
  }

  // Indicators: addresses, domains, URLs, hashes, and ICS network patterns.
  const std::vector<const char*> markings = {kTlpClear, kTlpGreen, kTlpGreen, kTlpAmber,
                                             kTlpAmber, kTlpAmberStrict};
  std::vector<std::string> energy_indicators, rail_indicators;
  auto make_indicator = [&](DemoCollectionData& c, const std::string& by, int idx,
                            std::vector<std::string>* ids) {
    json::object o = Base(g, "indicator", by, 45);
    std::string pattern, name;
    switch (idx % 6) {
      case 0: {
        std::string ip = g.Ipv4();
        pattern = "[ipv4-addr:value = '" + ip + "']";
        name = "C2 server " + ip;
        break;
      }
      case 1: {
        std::string d = g.Domain();
        pattern = "[domain-name:value = '" + d + "']";
        name = "Phishing domain " + d;
        break;
      }
      case 2: {
        std::string u = "https://" + g.Domain() + "/" + g.Hex(8) + "/payload.bin";
        pattern = "[url:value = '" + u + "']";
        name = "Payload URL";
        break;
      }
      case 3: {
        std::string h = g.Hex(64);
        pattern = "[file:hashes.'SHA-256' = '" + h + "']";
        name = "Malware sample " + h.substr(0, 12);
        break;
      }
      case 4: {
        std::string ip = g.Ipv4();
        pattern = "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '" +
                  ip + "' AND network-traffic:dst_port = 502]";
        name = "Modbus/TCP to untrusted host " + ip;
        break;
      }
      default: {
        std::string a = g.Ipv4(), d = g.Domain();
        pattern = "[ipv4-addr:value = '" + a + "'] OR [domain-name:value = '" + d + "']";
        name = "Loader infrastructure";
        break;
      }
    }
    o["name"] = name;
    o["description"] = "Observed during " + std::string(campaigns[static_cast<size_t>(idx) % campaigns.size()].first) +
                       " (demo data).";
    o["indicator_types"] = json::array{"malicious-activity"};
    o["pattern"] = pattern;
    o["pattern_type"] = "stix";
    o["pattern_version"] = "2.1";
    auto vf = ParseTimestamp(std::string(o["created"].get_string()));
    int64_t valid_from = vf.ok() ? vf->micros : now_us;
    o["valid_from"] = Gen::Ts(valid_from);
    if (idx % 3 == 0) o["valid_until"] = Gen::Ts(valid_from + 180LL * 86400 * 1000000);
    o["confidence"] = 50 + static_cast<int>(g.Pick(50));
    o["labels"] = json::array{"demo"};
    json::object phase;
    phase["kill_chain_name"] = "mitre-attack";
    phase["phase_name"] = "command-and-control";
    o["kill_chain_phases"] = json::array{phase};
    Mark(o, markings[static_cast<size_t>(idx) % markings.size()]);
    std::string iid(o["id"].get_string());
    ids->push_back(iid);
    c.objects.push_back(Ser(o));
    c.objects.push_back(Ser(Relationship(g, "indicates", iid,
                                         malware_ids[static_cast<size_t>(idx) % malware_ids.size()],
                                         by, markings[static_cast<size_t>(idx) % markings.size()])));
  };
  for (int i = 0; i < 120; ++i) make_indicator(energy, i % 2 ? us_isac : us_gov, i, &energy_indicators);
  for (int i = 0; i < 80; ++i) make_indicator(rail, i % 2 ? jp_gov : jp_rail, i, &rail_indicators);
  std::vector<std::string> alert_indicators;
  for (int i = 0; i < 40; ++i) make_indicator(alerts, i % 2 ? us_gov : jp_gov, i, &alert_indicators);

  // Observed data and sightings from the rail operator's SOC.
  for (int i = 0; i < 30; ++i) {
    json::object ip = Sco("ipv4-addr", g.Ipv4());
    json::object dn = Sco("domain-name", g.Domain());
    json::object od = Base(g, "observed-data", jp_rail, 20);
    int64_t first = g.PastUs(20);
    od["first_observed"] = Gen::Ts(first);
    od["last_observed"] = Gen::Ts(first + static_cast<int64_t>(g.Pick(3600)) * 1000000);
    od["number_observed"] = 1 + static_cast<int>(g.Pick(20));
    od["object_refs"] = json::array{ip["id"], dn["id"]};
    Mark(od, kTlpAmber);
    json::object s = Base(g, "sighting", jp_rail, 20);
    s["sighting_of_ref"] = rail_indicators[static_cast<size_t>(i) % rail_indicators.size()];
    s["observed_data_refs"] = json::array{od["id"]};
    s["where_sighted_refs"] = json::array{json::string(jp_rail)};
    s["count"] = od["number_observed"];
    s["first_seen"] = od["first_observed"];
    s["last_seen"] = od["last_observed"];
    Mark(s, kTlpAmber);
    sightings.objects.push_back(Ser(ip));
    sightings.objects.push_back(Ser(dn));
    sightings.objects.push_back(Ser(od));
    sightings.objects.push_back(Ser(s));
  }

  // Sightings at power operators in both countries over four weeks: a few
  // energy indicators sighted again and again (the overview's top sighted,
  // its heat map by sector and day).
  for (int i = 0; i < 48 && !energy_indicators.empty(); ++i) {
    const std::string& by = i % 3 == 0 ? jp_power : us_power;
    if (by.empty()) continue;
    json::object ip = Sco("ipv4-addr", g.Ipv4());
    json::object od = Base(g, "observed-data", by, 28);
    int64_t first = g.PastUs(28);
    od["first_observed"] = Gen::Ts(first);
    od["last_observed"] = Gen::Ts(first + static_cast<int64_t>(g.Pick(7200)) * 1000000);
    od["number_observed"] = 1 + static_cast<int>(g.Pick(40));
    od["object_refs"] = json::array{ip["id"]};
    const char* marking = i % 4 == 0 ? kTlpGreen : kTlpAmber;
    Mark(od, marking);
    json::object s = Base(g, "sighting", by, 28);
    // Skewed: the first indicators are sighted most.
    const size_t pick = static_cast<size_t>(i % 7 < 4 ? i % 3 : 3 + i % 5);
    s["sighting_of_ref"] = energy_indicators[pick % energy_indicators.size()];
    s["observed_data_refs"] = json::array{od["id"]};
    s["where_sighted_refs"] = json::array{json::string(by)};
    s["count"] = od["number_observed"];
    s["first_seen"] = od["first_observed"];
    s["last_seen"] = od["last_observed"];
    Mark(s, marking);
    energy.objects.push_back(Ser(ip));
    energy.objects.push_back(Ser(od));
    energy.objects.push_back(Ser(s));
  }

  // Reports with Japanese translations (language-content).
  struct ReportText {
    const char* name;
    const char* name_ja;
    const char* desc;
    const char* desc_ja;
    DemoCollectionData* where;
    const std::vector<std::string>* refs;
    const char* marking;
  };
  const std::vector<ReportText> reports = {
      {"Joint advisory: pre-positioning in US and Japanese power grids",
       "共同注意喚起：日米の電力網における事前侵入活動",
       "The US and Japanese national centres observed the same loader infrastructure at energy "
       "operators in both countries.",
       "日米の国家センターは、両国のエネルギー事業者で同一のローダー基盤を観測した。", &energy,
       &energy_indicators, kTlpAmber},
      {"Spear-phishing against railway ticketing staff",
       "鉄道発券担当者を狙ったスピアフィッシング",
       "Emails impersonating a ticketing vendor delivered RailGhost to operator workstations.",
       "発券システムのベンダーを装ったメールにより、RailGhost が運行事業者の端末に送り込まれた。",
       &rail, &rail_indicators, kTlpAmberStrict},
      {"Weekly public alert summary", "週次公開アラートまとめ",
       "Public indicators for all critical infrastructure sectors.",
       "全重要インフラ分野向けの公開指標。", &alerts, &alert_indicators, kTlpClear},
  };
  for (const auto& r : reports) {
    json::object o = Base(g, "report", r.where == &rail ? jp_gov : us_gov, 10);
    o["name"] = r.name;
    o["description"] = r.desc;
    o["lang"] = "en";
    o["report_types"] = json::array{"threat-report"};
    o["published"] = o["created"];
    json::array refs;
    for (size_t i = 0; i < r.refs->size() && i < 20; ++i) refs.push_back(json::string((*r.refs)[i]));
    o["object_refs"] = refs;
    Mark(o, r.marking);
    json::object lc = Base(g, "language-content", std::string(o["created_by_ref"].get_string()), 10);
    lc["object_ref"] = o["id"];
    lc["object_modified"] = o["modified"];
    json::object ja;
    ja["name"] = r.name_ja;
    ja["description"] = r.desc_ja;
    json::object contents;
    contents["ja"] = ja;
    lc["contents"] = contents;
    Mark(lc, r.marking);
    r.where->objects.push_back(Ser(o));
    r.where->objects.push_back(Ser(lc));
  }

  // Japanese translations of the actors, malware and campaigns.
  for (const ToTranslate& t : translate) {
    json::object lc = Base(g, "language-content", std::string(t.object.at("created_by_ref").get_string()), 10);
    lc["object_ref"] = t.object.at("id");
    lc["object_modified"] = t.object.at("modified");
    json::object ja;
    if (!t.name_ja.empty()) ja["name"] = t.name_ja;
    if (!t.description_ja.empty()) ja["description"] = t.description_ja;
    lc["contents"] = json::object{{"ja", ja}};
    Mark(lc, t.marking);
    const std::string text = Ser(lc);
    for (DemoCollectionData* c : t.where) c->objects.push_back(text);
  }

  // A coordinated incident.
  {
    json::object inc = Base(g, "incident", jp_gov, 7);
    inc["name"] = "Signalling network intrusion at a Japanese rail operator";
    inc["description"] =
        "Coordinated response between the Japanese and US national centres (demo data).";
    // Incident Core and the coordination extension, as `kizuna incident open`
    // writes them, so that tasks and updates can be added from the API and
    // the dashboard.
    inc["extensions"] = json::object{
        {stix::kIncidentCoreIncidentExtension,
         json::object{{"extension_type", "property-extension"},
                      {"determination", "confirmed"},
                      {"investigation_status", "open"},
                      {"criticality", 70}}},
        {policy::kCoordinationExtensionId,
         json::object{{"extension_type", "property-extension"}, {"sectors", json::array{"rail"}}}}};
    Mark(inc, kTlpAmber);
    rail.objects.push_back(Ser(inc));
    rail.objects.push_back(Ser(Relationship(g, "related-to", std::string(inc["id"].get_string()),
                                            campaign_ids[1], jp_gov, kTlpAmber)));
  }
  // The policy showcase: one indicator at every TLP level, with and without
  // audiences, so that each demo account sees a different part of it.
  const std::string us_utility = org_by_kind("US", "operator");
  auto audience = [](json::object& o, std::vector<std::string> orgs, std::vector<std::string> accounts) {
    json::object ext{{"extension_type", "property-extension"}};
    json::array a, b;
    for (auto& x : orgs) a.push_back(json::string(x));
    for (auto& x : accounts) b.push_back(json::string(x));
    if (!a.empty()) ext["organizations"] = a;
    if (!b.empty()) ext["accounts"] = b;
    o["extensions"] = json::object{{policy::kAudienceExtensionId, ext}};
  };
  struct Showcase {
    const char* name;
    const char* marking;
    std::vector<std::string> orgs;
    std::vector<std::string> accounts;
    std::string by;
  };
  const std::vector<Showcase> showcase = {
      {"[TLP:CLEAR] Public scanner address", kTlpClear, {}, {}, us_gov},
      {"[TLP:GREEN] Energy community indicator", kTlpGreen, {}, {}, us_gov},
      {"[TLP:GREEN via TLP 1.0 id] Legacy feed indicator", kTlp1Green, {}, {}, us_isac},
      {"[TLP:AMBER] For the US-JP energy trust group", kTlpAmber, {}, {}, jp_gov},
      {"[TLP:AMBER, audience: Energy ISAC] Also for the ISAC's member utilities", kTlpAmber,
       {us_isac}, {}, us_gov},
      {"[TLP:AMBER+STRICT, audience: Energy ISAC] ISAC only, not its members", kTlpAmberStrict,
       {us_isac}, {}, us_gov},
      {"[TLP:RED, audience: isac-analyst, jp-analyst] Named analysts only", kTlpRed, {},
       {"isac-analyst", "jp-analyst"}, us_gov},
  };
  int k = 0;
  for (const auto& sc : showcase) {
    json::object o = Base(g, "indicator", sc.by, 5);
    o["name"] = sc.name;
    std::string ip = "203.0.113." + std::to_string(200 + k++);
    o["pattern"] = "[ipv4-addr:value = '" + ip + "']";
    o["pattern_type"] = "stix";
    o["valid_from"] = o["created"];
    o["indicator_types"] = json::array{"malicious-activity"};
    Mark(o, sc.marking);
    if (!sc.orgs.empty() || !sc.accounts.empty()) audience(o, sc.orgs, sc.accounts);
    energy.objects.push_back(Ser(o));
  }
  // Granular markings: a public alert whose analyst notes are for the two
  // national centres only; other readers get it with the notes removed.
  {
    json::object o = Base(g, "indicator", jp_gov, 3);
    o["name"] = "Exploitation of an HMI web interface";
    o["description"] =
        "Analyst notes (national centres only): the actor reused credentials from the 2026 "
        "rail intrusion.";
    o["pattern"] = "[url:value = 'http://hmi-update.example/login.cgi']";
    o["pattern_type"] = "stix";
    o["valid_from"] = o["created"];
    Mark(o, kTlpClear);
    o["granular_markings"] = json::array{
        json::object{{"marking_ref", kTlpAmberStrict}, {"selectors", json::array{"description"}}}};
    audience(o, {us_gov, jp_gov}, {});
    alerts.objects.push_back(Ser(o));
  }
  (void)us_utility;
  return {energy, rail, alerts, sightings};
}

std::vector<std::string> GenerateIndicators(size_t n, uint64_t seed, int64_t now_us,
                                            const std::string& created_by_ref) {
  Gen g(seed, now_us);
  const std::vector<const char*> markings = {kTlpClear, kTlpGreen, kTlpAmber, kTlpAmber,
                                             kTlpAmberStrict};
  std::vector<std::string> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    json::object o = Base(g, "indicator", created_by_ref, 365);
    std::string pattern;
    switch (i % 4) {
      case 0: pattern = "[ipv4-addr:value = '" + g.Ipv4() + "']"; break;
      case 1: pattern = "[domain-name:value = '" + g.Domain() + "']"; break;
      case 2: pattern = "[url:value = 'https://" + g.Domain() + "/" + g.Hex(10) + "']"; break;
      default: pattern = "[file:hashes.'SHA-256' = '" + g.Hex(64) + "']"; break;
    }
    o["name"] = "Generated indicator " + std::to_string(i);
    o["description"] = "Load-test indicator generated by Kizuna (not real intelligence).";
    o["indicator_types"] = json::array{"malicious-activity"};
    o["pattern"] = pattern;
    o["pattern_type"] = "stix";
    o["valid_from"] = o["created"];
    o["confidence"] = 50 + static_cast<int>(g.Pick(50));
    Mark(o, markings[i % markings.size()]);
    out.push_back(Ser(o));
  }
  return out;
}

}  // namespace kizuna::app
