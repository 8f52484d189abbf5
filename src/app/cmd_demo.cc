// `kizuna demo --data-dir DIR --listen ADDR`: creates a demo hub the first
// time (organizations of both nations, an API root, collections, accounts
// with random passwords, generated STIX content), then serves it. Writes
// DIR/demo-credentials.json with the discovery URL and every account.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "app/admin.h"
#include "app/commands.h"
#include "app/demo_data.h"
#include "app/demo_seed.h"
#include "app/hub.h"
#include "app/store_flags.h"
#include "ingest/ingest.h"
#include "policy/decision_point.h"
#include "policy/extensions.h"
#include "policy/stamp.h"
#include "stix/object.h"
#include "store/sqlite/sqlite_store.h"

namespace kizuna::app {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

struct DemoCollection {
  std::string key;  // matches DemoCollectionData::key
  std::string id;
  std::string alias;
  std::string title;
  std::string description;
  std::string trust_group;
};

const std::vector<DemoCollection> kCollections = {
    {"energy", "7f4e6f4c-3b0e-4a8e-9d52-1c2a3b4c5d01", "us-jp-energy",
     "US-JP Energy Sector Sharing", "Joint energy-sector threat intelligence (US-JP energy trust group)",
     "us-jp-energy"},
    {"rail", "7f4e6f4c-3b0e-4a8e-9d52-1c2a3b4c5d02", "jp-rail", "Japan Rail Sector",
     "Railway operators and the national centres", "jp-rail"},
    {"alerts", "7f4e6f4c-3b0e-4a8e-9d52-1c2a3b4c5d03", "national-alerts",
     "National Alerts (US and Japan)", "Alerts from both national centres for all sectors",
     "us-jp-all"},
    {"sightings", "7f4e6f4c-3b0e-4a8e-9d52-1c2a3b4c5d04", "sightings",
     "Frontline Sightings", "Sightings reported back by operators' sensors", "us-jp-all"},
};

struct DemoAccount {
  std::string username;
  std::string org_name;
  std::vector<std::string> roles;
  // collection key -> (read, write)
  std::map<std::string, std::pair<bool, bool>> grants;
};

constexpr const char* kUsGov = "identity--5b1d7c7e-1a2b-4c3d-8e9f-0a1b2c3d4e01";
constexpr const char* kJpGov = "identity--5b1d7c7e-1a2b-4c3d-8e9f-0a1b2c3d4e02";
constexpr const char* kUsIsac = "identity--5b1d7c7e-1a2b-4c3d-8e9f-0a1b2c3d4e03";
constexpr const char* kUsUtility = "identity--5b1d7c7e-1a2b-4c3d-8e9f-0a1b2c3d4e04";
constexpr const char* kJpRail = "identity--5b1d7c7e-1a2b-4c3d-8e9f-0a1b2c3d4e05";
constexpr const char* kJpUniversity = "identity--5b1d7c7e-1a2b-4c3d-8e9f-0a1b2c3d4e06";
constexpr const char* kJpPower = "identity--5b1d7c7e-1a2b-4c3d-8e9f-0a1b2c3d4e07";

std::vector<DemoOrg> DemoOrgs() {
  return {
      {kUsGov, "US National Cyber Operations Center", "米国国家サイバー運用センター", "US",
       "government", {"government"}},
      {kJpGov, "Japan National Cyber Operations Center", "日本国家サイバー運用センター", "JP",
       "government", {"government"}},
      {kUsIsac, "Energy ISAC (US)", "エネルギーISAC（米国）", "US", "isac",
       {"energy-electric", "energy-gas", "energy-oil"}},
      {kUsUtility, "Midwest Power Cooperative", "ミッドウェスト電力協同組合", "US", "operator",
       {"energy-electric"}},
      {kJpRail, "Kanto Railway Company", "関東鉄道株式会社", "JP", "operator", {"rail"}},
      {kJpUniversity, "Tohoku Institute of Technology", "東北工科大学", "JP", "academia",
       {"education"}},
      {kJpPower, "Chubu Power Grid", "中部送配電", "JP", "operator", {"energy-electric"}},
  };
}

struct DemoGroup {
  std::string id, name, description;
  std::vector<std::string> members;
};

std::vector<DemoGroup> DemoGroups() {
  return {
      {"us-jp-energy", "US-JP energy", "The national centres, the US energy ISAC and Japanese power operators",
       {kUsGov, kJpGov, kUsIsac, kJpPower}},
      {"jp-rail", "Japan rail", "Japanese railway operators with both national centres",
       {kUsGov, kJpGov, kJpRail}},
      {"us-jp-all", "US-JP all sectors", "Every organization of the demo",
       {kUsGov, kJpGov, kUsIsac, kUsUtility, kJpRail, kJpUniversity, kJpPower}},
  };
}

std::vector<DemoAccount> DemoAccounts() {
  const std::map<std::string, std::pair<bool, bool>> all_rw = {
      {"energy", {true, true}}, {"rail", {true, true}}, {"alerts", {true, true}}, {"sightings", {true, true}}};
  return {
      {"us-analyst", "US National Cyber Operations Center", {"contributor", "coordinator"}, all_rw},
      {"jp-analyst", "Japan National Cyber Operations Center", {"contributor", "coordinator"}, all_rw},
      {"isac-analyst", "Energy ISAC (US)", {"contributor"},
       {{"energy", {true, true}}, {"alerts", {true, false}}, {"sightings", {true, true}}}},
      {"utility-soc", "Midwest Power Cooperative", {"reader"},
       {{"energy", {true, false}}, {"alerts", {true, false}}, {"sightings", {false, true}}}},
      {"jp-power-soc", "Chubu Power Grid", {"contributor"},
       {{"energy", {true, true}}, {"alerts", {true, false}}, {"sightings", {true, true}}}},
      {"rail-soc", "Kanto Railway Company", {"contributor"},
       {{"rail", {true, true}}, {"alerts", {true, false}}, {"sightings", {true, true}}}},
      {"researcher", "Tohoku Institute of Technology", {"reader"}, {{"alerts", {true, false}}}},
      {"hub-admin", "US National Cyber Operations Center", {"admin"}, all_rw},
  };
}

// The account that posts an organization's demo objects.
std::string PosterOf(const std::string& org) {
  static const std::map<std::string, std::string> m = {
      {kUsGov, "us-analyst"},     {kJpGov, "jp-analyst"},  {kUsIsac, "isac-analyst"},
      {kUsUtility, "utility-soc"}, {kJpRail, "rail-soc"},   {kJpUniversity, "researcher"},
      {kJpPower, "jp-power-soc"}};
  auto it = m.find(org);
  return it == m.end() ? std::string() : it->second;
}

// The created_by_ref of a demo object ("" when it has none).
std::string CreatorOf(const std::string& raw) {
  auto v = stix::ParseJson(raw);
  if (!v.ok() || !v->is_object()) return {};
  const json::value* by = v->get_object().if_contains("created_by_ref");
  return by && by->is_string() ? std::string(by->get_string()) : std::string();
}

std::string ConfigText(const std::string& listen) {
  return "# Kizuna demo hub (generated by `kizuna demo`).\n"
         "[server]\n"
         "listen = \"" + listen + "\"\n"
         "access_log = \"access.log\"\n"
         "\n[store]\n"
         "path = \"kizuna.db\"\n"
         "\n[taxii]\n"
         "title = \"Kizuna demo hub (US-JP)\"\n"
         "description = \"Demo hub with generated data; not real intelligence.\"\n"
         "default_api_root = \"kizuna\"\n"
         "\n[metrics]\n"
         "public = false   # /metrics needs an admin account (hub-admin)\n";
}

// Rewrites the audience accounts of a demo object for a federated hub:
// accounts of organizations homed on the peer become "user@peer".
std::string QualifyAudience(const std::string& raw, const DemoSeedOptions& o,
                            const std::map<std::string, std::string>& nation_of_account) {
  if (raw.find("\"accounts\"") == std::string::npos) return raw;
  json::value v = json::parse(raw);
  auto* exts = v.as_object().if_contains("extensions");
  if (!exts || !exts->is_object()) return raw;
  auto* ext = exts->as_object().if_contains(policy::kAudienceExtensionId);
  if (!ext || !ext->is_object()) return raw;
  auto* accounts = ext->as_object().if_contains("accounts");
  if (!accounts || !accounts->is_array()) return raw;
  for (auto& a : accounts->as_array()) {
    auto it = nation_of_account.find(std::string(a.as_string()));
    if (it != nation_of_account.end() && it->second != o.nation) {
      a = json::string(std::string(a.as_string()) + "@" + o.peer_hub);
    }
  }
  return json::serialize(v);
}

}  // namespace

// Creates the directory content of a new demo hub. Returns the accounts with
// their passwords as JSON (without URLs).
Result<json::array> SeedDemoHub(store::Store* st, const DemoSeedOptions& fed) {
  const bool federated = !fed.nation.empty();
  std::map<std::string, std::string> nation_of_org, nation_of_account;
  for (const auto& o : DemoOrgs()) {
    store::Organization org;
    org.id = o.id;
    org.name = o.name;
    org.nation = o.nation;
    org.kind = o.kind;
    org.sectors = o.sectors;
    nation_of_org[o.id] = o.nation;
    RETURN_IF_ERROR(AddOrganization(st, org).status());
  }
  // The energy ISAC's members are its client organizations.
  RETURN_IF_ERROR(SetClients(st, kUsIsac, {kUsUtility}));
  for (const auto& g : DemoGroups()) {
    RETURN_IF_ERROR(AddTrustGroup(st, store::TrustGroup{g.id, g.name, g.description, g.members}).status());
  }
  RETURN_IF_ERROR(AddApiRoot(st, "kizuna", "Kizuna demo API root",
                             "US-JP cooperation demo", 32 * 1024 * 1024)
                      .status());
  std::map<std::string, store::Collection> cols;
  for (const auto& c : kCollections) {
    NewCollection nc;
    nc.api_root = "kizuna";
    nc.id = c.id;
    nc.alias = c.alias;
    nc.title = c.title;
    nc.description = c.description;
    nc.trust_group = c.trust_group;
    ASSIGN_OR_RETURN(cols[c.key], AddCollection(st, nc));
  }
  json::array accounts;
  std::map<std::string, std::string> nation_of_org_name;
  for (const auto& o : DemoOrgs()) nation_of_org_name[o.name] = o.nation;
  for (auto a : DemoAccounts()) {
    nation_of_account[a.username] = nation_of_org_name[a.org_name];
    if (federated) {
      // Each hub has the accounts of its own nation's organizations (and an
      // administrator in its national centre).
      if (a.username == "hub-admin") {
        a.org_name = fed.nation == "US" ? "US National Cyber Operations Center"
                                        : "Japan National Cyber Operations Center";
      } else if (nation_of_org_name[a.org_name] != fed.nation) {
        continue;
      }
    }
    NewAccount na;
    na.username = a.username;
    na.organization = a.org_name;
    na.roles = a.roles;
    ASSIGN_OR_RETURN(auto created, AddAccount(st, na));
    json::object grants;
    for (const auto& [key, rw] : a.grants) {
      RETURN_IF_ERROR(SetGrant(st, a.username, "kizuna", cols[key].id, rw.first, rw.second));
      grants[cols[key].id] = json::object{
          {"title", cols[key].title}, {"can_read", rw.first}, {"can_write", rw.second}};
    }
    accounts.push_back(json::object{{"username", a.username},
                                    {"password", created.password},
                                    {"organization", a.org_name},
                                    {"collections", grants}});
  }
  // Content, posted as each object's creator would post it: the policy
  // stamps markings, the producer and the audience exactly as on a TAXII POST.
  ASSIGN_OR_RETURN(auto model, policy::LoadTrustModel(st));
  auto data = GenerateDemoData(DemoOrgs(), /*seed=*/20261126, SystemClock::Get().NowMicros());
  for (const auto& d : data) {
    store::Collection col;
    for (const auto& c : kCollections)
      if (c.key == d.key) col = cols[c.key];
    // A federated hub publishes its own nation's objects (the peer brings
    // the others), with audience accounts qualified by their home hub.
    std::vector<std::string> mine;
    for (const auto& raw : d.objects) {
      if (!federated) {
        mine.push_back(raw);
        continue;
      }
      json::value v = json::parse(raw);
      auto* by = v.as_object().if_contains("created_by_ref");
      if (by && by->is_string() && nation_of_org[std::string(by->as_string())] != fed.nation) continue;
      mine.push_back(QualifyAudience(raw, fed, nation_of_account));
    }
    // Each run of objects by one creator is imported as that creator's.
    store::WriteBatch batch;
    batch.collection = col.key;
    for (size_t i = 0; i < mine.size();) {
      const std::string by = CreatorOf(mine[i]);
      std::vector<std::string_view> views;
      for (; i < mine.size() && CreatorOf(mine[i]) == by; ++i) views.push_back(mine[i]);
      ingest::Prepared p = ingest::PrepareObjects(
          views, col.key, *model, policy::ImportProducer(by, PosterOf(by)), nullptr);
      if (!p.failures.empty()) {
        return Internal("demo data failed validation: " + p.failures[0].id + ": " +
                        p.failures[0].message);
      }
      for (auto& o : p.batch.objects) batch.objects.push_back(std::move(o));
    }
    RETURN_IF_ERROR(st->WriteSync(std::move(batch)).status());
  }
  return accounts;
}

Status WriteFileAtomically(const fs::path& path, const std::string& content) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return IoError("cannot write " + tmp.string());
    out << content;
    if (!out) return IoError("cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return IoError("cannot rename " + tmp.string() + ": " + ec.message());
  return Status::Ok();
}

void AddDemoCommand(CLI::App& root, int* exit_code) {
  auto* cmd = root.add_subcommand("demo", "create (the first time) and serve a demo hub");
  auto dir = std::make_shared<std::string>("var/demo");
  auto listen = std::make_shared<std::string>("127.0.0.1:8080");
  cmd->add_option("--data-dir", *dir, "where the demo hub keeps its files");
  cmd->add_option("--listen", *listen, "host:port to serve on (port 0: any free port)");
  cmd->callback([=] {
    fs::path d(*dir);
    std::error_code ec;
    fs::create_directories(d, ec);
    if (ec) {
      *exit_code = Fail(IoError("cannot create " + d.string() + ": " + ec.message()));
      return;
    }
    const fs::path marker = d / ".demo-seeded";
    const fs::path creds_path = d / "demo-credentials.json";
    const fs::path db = d / "kizuna.db";
    json::array accounts;
    if (!fs::exists(marker) || !fs::exists(creds_path)) {
      // A half-made demo (interrupted seeding) is started again from scratch.
      for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(d / ("kizuna.db" + std::string(suffix)), ec);
      fs::remove(creds_path, ec);
      std::fprintf(stderr, "kizuna: creating the demo hub in %s ...\n", d.string().c_str());
      store::SqliteOptions so;
      so.path = db.string();
      auto st = store::OpenSqliteStore(so);
      if (!st.ok()) {
        *exit_code = Fail(st.error());
        return;
      }
      auto seeded = SeedDemoHub(st->get(), DemoSeedOptions{});
      if (!seeded.ok()) {
        *exit_code = Fail(seeded.error());
        return;
      }
      accounts = std::move(*seeded);
      Status w = WriteFileAtomically(creds_path, json::serialize(json::object{{"accounts", accounts}}));
      if (w.ok()) {
        std::ofstream(marker) << "seeded\n";
      } else {
        *exit_code = Fail(w);
        return;
      }
    } else {
      std::ifstream in(creds_path);
      std::stringstream ss;
      ss << in.rdbuf();
      boost::system::error_code jec;
      auto v = json::parse(ss.str(), jec);
      if (jec || !v.is_object() || !v.get_object().contains("accounts")) {
        *exit_code = Fail(IoError(creds_path.string() + " is damaged; delete " + d.string() +
                                  " to create a new demo hub"));
        return;
      }
      accounts = v.get_object()["accounts"].as_array();
    }
    Status w = WriteFileAtomically(d / "kizuna.toml", ConfigText(*listen));
    if (!w.ok()) {
      *exit_code = Fail(w);
      return;
    }
    auto cfg = LoadConfig((d / "kizuna.toml").string());
    if (!cfg.ok()) {
      *exit_code = Fail(cfg.error());
      return;
    }
    BlockTerminationSignals();
    auto hub = Hub::Open(*cfg);
    if (!hub.ok()) {
      *exit_code = Fail(hub.error());
      return;
    }
    Status s = (*hub)->Start();
    if (!s.ok()) {
      *exit_code = Fail(s);
      return;
    }
    std::string base = (*hub)->BaseUrl();
    json::object creds{{"discovery", base + "/taxii2/"},
                       {"api_root", base + "/kizuna/"},
                       {"accounts", accounts}};
    w = WriteFileAtomically(creds_path, json::serialize(creds));
    if (!w.ok()) {
      *exit_code = Fail(w);
      return;
    }
    std::printf("kizuna: listening on %s\n", base.c_str());
    std::printf("kizuna: demo hub ready\n  discovery:   %s/taxii2/\n  credentials: %s\n",
                base.c_str(), fs::absolute(creds_path).string().c_str());
    std::printf("  try: curl -u us-analyst:PASSWORD -H 'Accept: application/taxii+json;version=2.1' %s/taxii2/\n",
                base.c_str());
    std::fflush(stdout);
    WaitForTerminationSignal();
    (*hub)->Stop();
  });
}

}  // namespace kizuna::app
