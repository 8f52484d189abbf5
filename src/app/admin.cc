#include "app/admin.h"

#include <algorithm>

#include "core/uuid.h"
#include "ingest/ingest.h"
#include "policy/decision_point.h"
#include "policy/extensions.h"
#include "policy/model.h"
#include "policy/nations.h"
#include "policy/sectors.h"
#include "stix/incident_core.h"
#include "stix/markings.h"

namespace kizuna::app {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& e : v) s += (s.empty() ? "" : ", ") + e;
  return s;
}

}  // namespace

Status CheckUsername(const std::string& u) {
  if (u.empty() || u.size() > 64) return InvalidArgument("username must be 1 to 64 characters");
  for (char c : u) {
    // No '@': "user@hub" names an account on a partner hub (audiences).
    if (!(IsNameChar(c) || c == '.' || (c >= 'A' && c <= 'Z'))) {
      return InvalidArgument("username '" + u +
                             "' may only contain letters, digits, '.', '-' and '_'");
    }
  }
  return Status::Ok();
}

Status CheckPassword(const std::string& p) {
  if (p.size() < 12) return InvalidArgument("password must be at least 12 characters");
  if (p.size() > 1024) return InvalidArgument("password must be at most 1024 characters");
  return Status::Ok();
}

Result<store::ApiRoot> AddApiRoot(store::Store* store, const std::string& name,
                                  const std::string& title, const std::string& description,
                                  int64_t max_content_length) {
  if (name.empty() || name.size() > 64 || !std::all_of(name.begin(), name.end(), IsNameChar)) {
    return InvalidArgument("API root name '" + name +
                           "' must be 1 to 64 characters of a-z, 0-9, '-' and '_'");
  }
  if (name == "taxii2" || name == "healthz" || name == "metrics" || name == "ui" ||
      name == "api" || name == "feeds") {
    return InvalidArgument("API root name '" + name + "' is reserved");
  }
  if (max_content_length < 1024 || max_content_length > (int64_t{1} << 30)) {
    return InvalidArgument("max_content_length must be between 1 KiB and 1 GiB");
  }
  ASSIGN_OR_RETURN(auto roots, store->ListApiRoots());
  for (const auto& r : roots) {
    if (r.name == name) return AlreadyExists("API root '" + name + "' already exists");
  }
  store::ApiRoot r;
  r.name = name;
  r.title = title.empty() ? name : title;
  r.description = description;
  r.max_content_length = max_content_length;
  RETURN_IF_ERROR(store->PutApiRoot(r));
  return r;
}

Result<store::Collection> AddCollection(store::Store* store, const NewCollection& in) {
  ASSIGN_OR_RETURN(auto roots, store->ListApiRoots());
  bool root_ok = false;
  for (const auto& r : roots) root_ok = root_ok || r.name == in.api_root;
  if (!root_ok) return NotFound("no API root named '" + in.api_root + "'");
  if (in.title.empty()) return InvalidArgument("a collection needs a title");
  store::Collection c;
  c.api_root = in.api_root;
  c.title = in.title;
  c.description = in.description;
  c.id = in.id.empty() ? NewUuidV4() : in.id;
  if (!IsUuidSyntax(c.id)) return InvalidArgument("collection id '" + c.id + "' is not a UUID");
  std::transform(c.id.begin(), c.id.end(), c.id.begin(), [](char ch) {
    return (ch >= 'A' && ch <= 'F') ? static_cast<char>(ch - 'A' + 'a') : ch;
  });
  if (!in.alias.empty()) {
    if (in.alias.size() > 64 ||
        !std::all_of(in.alias.begin(), in.alias.end(), IsNameChar) || IsUuidSyntax(in.alias)) {
      return InvalidArgument("alias '" + in.alias +
                             "' must be 1 to 64 characters of a-z, 0-9, '-' and '_'");
    }
    c.alias = in.alias;
  }
  c.default_marking = in.default_marking.empty()
                          ? "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
                          : in.default_marking;
  // The default must be a TLP marking the decision point knows (TLP 2.0, or
  // a TLP 1.0 id, stored as its TLP 2.0 equivalent).
  stix::Tlp tlp = stix::TlpOfMarkingRef(c.default_marking);
  if (tlp == stix::Tlp::kNone) {
    return InvalidArgument("default marking '" + c.default_marking +
                           "' is not a TLP marking-definition id (TLP:CLEAR, GREEN, AMBER, "
                           "AMBER+STRICT or RED; see `kizuna admin collection add --help`)");
  }
  if (tlp == stix::Tlp::kRed) {
    return InvalidArgument("TLP:RED cannot be a collection default: RED needs named recipients");
  }
  c.default_marking = std::string(stix::Tlp2MarkingDefinition(tlp)->id);
  if (!in.trust_group.empty()) {
    ASSIGN_OR_RETURN(auto g, FindTrustGroup(store, in.trust_group));
    c.trust_group = g.id;
  }
  ASSIGN_OR_RETURN(auto existing, store->ListCollections(in.api_root));
  for (const auto& e : existing) {
    if (e.id == c.id) return AlreadyExists("collection " + c.id + " already exists");
    if (!c.alias.empty() && e.alias == c.alias) {
      return AlreadyExists("a collection with alias '" + c.alias + "' already exists");
    }
  }
  ASSIGN_OR_RETURN(store::Collection created, store->PutCollection(c));
  RETURN_IF_ERROR(EnsureDefinitions(store, created));
  return created;
}

Result<store::Collection> FindCollection(store::Store* store, const std::string& api_root,
                                         const std::string& id_or_alias) {
  std::vector<store::Collection> found;
  ASSIGN_OR_RETURN(auto roots, store->ListApiRoots());
  for (const auto& r : roots) {
    if (!api_root.empty() && r.name != api_root) continue;
    ASSIGN_OR_RETURN(auto c, store->FindCollection(r.name, id_or_alias));
    if (c) found.push_back(*c);
  }
  if (found.empty()) {
    return NotFound("no collection '" + id_or_alias + "'" +
                    (api_root.empty() ? "" : " in API root '" + api_root + "'"));
  }
  if (found.size() > 1) {
    return InvalidArgument("collection '" + id_or_alias +
                           "' exists in several API roots; give --api-root");
  }
  return found[0];
}

Result<store::Organization> AddOrganization(store::Store* store, store::Organization org) {
  if (org.name.empty() || org.name.size() > 256) {
    return InvalidArgument("organization name must be 1 to 256 characters");
  }
  if (!policy::IsIso3166Alpha2(org.nation)) {
    return InvalidArgument("nation '" + org.nation +
                           "' is not an ISO 3166-1 alpha-2 code (for example US, JP)");
  }
  if (!Contains(kOrgKinds, org.kind)) {
    return InvalidArgument("organization kind '" + org.kind + "' is not one of " +
                           Join(kOrgKinds));
  }
  for (const auto& s : org.sectors) {
    if (policy::FindSector(s) == nullptr) {
      return InvalidArgument("sector '" + s + "' is not a Kizuna sector code (see `kizuna sectors`)");
    }
  }
  if (org.id.empty()) org.id = "identity--" + NewUuidV4();
  if (org.id.rfind("identity--", 0) != 0 || !IsUuidSyntax(std::string_view(org.id).substr(10))) {
    return InvalidArgument("organization id '" + org.id + "' is not an identity--UUID");
  }
  ASSIGN_OR_RETURN(auto orgs, store->ListOrganizations());
  for (const auto& o : orgs) {
    if (o.id == org.id) return AlreadyExists("organization " + org.id + " already exists");
    if (o.name == org.name) {
      return AlreadyExists("an organization named '" + org.name + "' already exists");
    }
  }
  // Client organizations must exist, and the relation must stay acyclic.
  std::vector<std::string> clients;
  for (const auto& c : org.clients) {
    bool found = false;
    for (const auto& o : orgs) {
      if (o.id == c || o.name == c) {
        clients.push_back(o.id);
        found = true;
      }
    }
    if (!found) return NotFound("no organization '" + c + "' (client of " + org.name + ")");
  }
  org.clients = clients;
  std::vector<policy::Org> model;
  for (const auto& o : orgs) model.push_back(policy::Org{o.id, o.name, o.nation, o.kind, o.sectors, o.clients, o.home_hub});
  RETURN_IF_ERROR(policy::CheckNoClientCycle(model, org.id, org.clients));
  RETURN_IF_ERROR(store->PutOrganization(org));
  return org;
}

Status SetClients(store::Store* store, const std::string& org_ref,
                  const std::vector<std::string>& client_refs) {
  ASSIGN_OR_RETURN(auto org, FindOrganization(store, org_ref));
  ASSIGN_OR_RETURN(auto orgs, store->ListOrganizations());
  std::vector<std::string> clients;
  for (const auto& c : client_refs) {
    ASSIGN_OR_RETURN(auto co, FindOrganization(store, c));
    clients.push_back(co.id);
  }
  std::vector<policy::Org> model;
  for (const auto& o : orgs) model.push_back(policy::Org{o.id, o.name, o.nation, o.kind, o.sectors, o.clients, o.home_hub});
  RETURN_IF_ERROR(policy::CheckNoClientCycle(model, org.id, clients));
  org.clients = clients;
  return store->PutOrganization(org);
}

Result<store::TrustGroup> AddTrustGroup(store::Store* store, store::TrustGroup g) {
  if (g.id.empty() || g.id.size() > 64 || !std::all_of(g.id.begin(), g.id.end(), IsNameChar)) {
    return InvalidArgument("trust group id '" + g.id +
                           "' must be 1 to 64 characters of a-z, 0-9, '-' and '_'");
  }
  if (g.name.empty()) g.name = g.id;
  ASSIGN_OR_RETURN(auto groups, store->ListTrustGroups());
  for (const auto& e : groups) {
    if (e.id == g.id) return AlreadyExists("trust group '" + g.id + "' already exists");
  }
  std::vector<std::string> members;
  for (const auto& m : g.members) {
    ASSIGN_OR_RETURN(auto o, FindOrganization(store, m));
    if (std::find(members.begin(), members.end(), o.id) == members.end()) members.push_back(o.id);
  }
  g.members = members;
  RETURN_IF_ERROR(store->PutTrustGroup(g));
  return g;
}

Result<store::TrustGroup> FindTrustGroup(store::Store* store, const std::string& id) {
  ASSIGN_OR_RETURN(auto groups, store->ListTrustGroups());
  for (const auto& g : groups) {
    if (g.id == id || g.name == id) return g;
  }
  return NotFound("no trust group '" + id + "'");
}

Status AddTrustGroupMember(store::Store* store, const std::string& group, const std::string& org) {
  ASSIGN_OR_RETURN(auto g, FindTrustGroup(store, group));
  ASSIGN_OR_RETURN(auto o, FindOrganization(store, org));
  if (std::find(g.members.begin(), g.members.end(), o.id) != g.members.end()) {
    return AlreadyExists(o.name + " is already a member of " + g.id);
  }
  g.members.push_back(o.id);
  return store->PutTrustGroup(g);
}

Status RemoveTrustGroupMember(store::Store* store, const std::string& group, const std::string& org) {
  ASSIGN_OR_RETURN(auto g, FindTrustGroup(store, group));
  ASSIGN_OR_RETURN(auto o, FindOrganization(store, org));
  auto it = std::find(g.members.begin(), g.members.end(), o.id);
  if (it == g.members.end()) return NotFound(o.name + " is not a member of " + g.id);
  g.members.erase(it);
  return store->PutTrustGroup(g);
}

Status SetCollectionTrustGroup(store::Store* store, const std::string& api_root,
                               const std::string& collection, const std::string& group) {
  ASSIGN_OR_RETURN(auto c, FindCollection(store, api_root, collection));
  if (group.empty()) {
    c.trust_group.clear();
  } else {
    ASSIGN_OR_RETURN(auto g, FindTrustGroup(store, group));
    c.trust_group = g.id;
  }
  return store->PutCollection(c).status();
}

Status EnsureDefinitions(store::Store* store, const store::Collection& c) {
  std::vector<std::string> objects;
  for (const auto& d : stix::Tlp2MarkingDefinitions()) objects.emplace_back(d.json);
  for (const auto& d : policy::KizunaDefinitionObjects()) objects.push_back(d);
  // The Incident Core suite's extension definitions (issue 11): a reader of
  // an incident, event, task or impact can resolve its extensions here.
  for (auto& d : stix::IncidentCoreDefinitions(policy::kKizunaIdentityId)) {
    objects.push_back(std::move(d));
  }
  std::vector<std::string_view> views(objects.begin(), objects.end());
  // Definitions are public: TLP:CLEAR whatever the collection's default
  // (the built-in producer).
  ASSIGN_OR_RETURN(auto model, policy::LoadTrustModel(store));
  ingest::Prepared p =
      ingest::PrepareObjects(views, c.key, *model, policy::BuiltinProducer(), nullptr);
  if (!p.failures.empty()) {
    return Internal("built-in definition failed validation: " + p.failures[0].id + ": " +
                    p.failures[0].message);
  }
  return store->WriteSync(std::move(p.batch)).status();
}

Status EnsureDefinitions(store::Store* store) {
  ASSIGN_OR_RETURN(auto roots, store->ListApiRoots());
  for (const auto& r : roots) {
    ASSIGN_OR_RETURN(auto cols, store->ListCollections(r.name));
    for (const auto& c : cols) RETURN_IF_ERROR(EnsureDefinitions(store, c));
  }
  return Status::Ok();
}

Result<store::Organization> FindOrganization(store::Store* store, const std::string& id_or_name) {
  ASSIGN_OR_RETURN(auto orgs, store->ListOrganizations());
  for (const auto& o : orgs) {
    if (o.id == id_or_name || o.name == id_or_name) return o;
  }
  return NotFound("no organization '" + id_or_name + "'");
}

Result<CreatedAccount> AddAccount(store::Store* store, const NewAccount& a, auth::HashCost cost) {
  RETURN_IF_ERROR(CheckUsername(a.username));
  ASSIGN_OR_RETURN(auto org, FindOrganization(store, a.organization));
  if (a.roles.empty()) return InvalidArgument("an account needs at least one role");
  for (const auto& r : a.roles) {
    if (!Contains(kRoles, r)) {
      return InvalidArgument("role '" + r + "' is not one of " + Join(kRoles));
    }
  }
  CreatedAccount out;
  out.password = a.password.empty() ? auth::RandomSecret(18) : a.password;
  RETURN_IF_ERROR(CheckPassword(out.password));
  ASSIGN_OR_RETURN(auto existing, store->FindAccount(a.username));
  if (existing) return AlreadyExists("account '" + a.username + "' already exists");
  store::Account acc;
  acc.username = a.username;
  acc.organization = org.id;
  acc.roles = a.roles;
  ASSIGN_OR_RETURN(acc.password_hash, auth::HashSecret(out.password, cost));
  ASSIGN_OR_RETURN(out.account, store->PutAccount(acc));
  return out;
}

Result<store::Account> FindAccount(store::Store* store, const std::string& username) {
  ASSIGN_OR_RETURN(auto a, store->FindAccount(username));
  if (!a) return NotFound("no account '" + username + "'");
  return *a;
}

Status SetAccountDisabled(store::Store* store, const std::string& username, bool disabled) {
  ASSIGN_OR_RETURN(auto a, FindAccount(store, username));
  a.disabled = disabled;
  return store->PutAccount(a).status();
}

Result<std::string> SetPassword(store::Store* store, const std::string& username,
                                const std::string& password, auth::HashCost cost) {
  ASSIGN_OR_RETURN(auto a, FindAccount(store, username));
  std::string p = password.empty() ? auth::RandomSecret(18) : password;
  RETURN_IF_ERROR(CheckPassword(p));
  ASSIGN_OR_RETURN(a.password_hash, auth::HashSecret(p, cost));
  RETURN_IF_ERROR(store->PutAccount(a).status());
  return p;
}

Status SetGrant(store::Store* store, const std::string& username, const std::string& api_root,
                const std::string& collection, bool can_read, bool can_write) {
  ASSIGN_OR_RETURN(auto a, FindAccount(store, username));
  ASSIGN_OR_RETURN(auto c, FindCollection(store, api_root, collection));
  store::Grant g;
  g.account = a.key;
  g.collection = c.key;
  g.can_read = can_read;
  g.can_write = can_write;
  return store->PutGrant(g);
}

}  // namespace kizuna::app
