#pragma once
// Administration of a hub's directory: API roots, collections,
// organizations, accounts, grants and API tokens. The `kizuna admin` CLI and
// `kizuna demo` call these; each validates its input completely before it
// writes, so a bad call changes nothing.
//
// Thread-compatible (the store is thread-safe; these are plain functions).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/secret.h"
#include "core/result.h"
#include "store/store.h"

namespace kizuna::app {

// "peer": the account a partner hub uses here; its username is the hub's name
// and it receives objects on behalf of the organizations homed on that hub.
inline const std::vector<std::string> kRoles = {"reader", "contributor", "coordinator", "admin",
                                                "peer"};
inline const std::vector<std::string> kOrgKinds = {"government", "isac", "operator", "vendor",
                                                   "academia"};

Result<store::ApiRoot> AddApiRoot(store::Store* store, const std::string& name,
                                  const std::string& title, const std::string& description,
                                  int64_t max_content_length);

struct NewCollection {
  std::string api_root;
  std::string title;
  std::string id;  // "" = a new UUIDv4
  std::string alias;
  std::string description;
  std::string default_marking;  // marking-definition id; "" = TLP:AMBER
  std::string trust_group;      // trust group id; "" = none
};
Result<store::Collection> AddCollection(store::Store* store, const NewCollection& c);
// Finds by id or alias; in `api_root` if given, else in every API root
// (InvalidArgument when ambiguous).
Result<store::Collection> FindCollection(store::Store* store, const std::string& api_root,
                                         const std::string& id_or_alias);

// `org.id` "" = a new identity--UUIDv4. Validates nation (ISO 3166-1
// alpha-2), kind and the id's syntax.
Result<store::Organization> AddOrganization(store::Store* store, store::Organization org);
// By id or by exact name.
Result<store::Organization> FindOrganization(store::Store* store, const std::string& id_or_name);

struct NewAccount {
  std::string username;
  std::string organization;  // id or name
  std::vector<std::string> roles = {"reader"};
  std::string password;  // "" = generate one
};
struct CreatedAccount {
  store::Account account;
  std::string password;  // the password set (generated or given); shown once
};
Result<CreatedAccount> AddAccount(store::Store* store, const NewAccount& a,
                                  auth::HashCost cost = auth::HashCost::kInteractive);
Result<store::Account> FindAccount(store::Store* store, const std::string& username);
Status SetAccountDisabled(store::Store* store, const std::string& username, bool disabled);
// Returns the new password ("" given = generated).
Result<std::string> SetPassword(store::Store* store, const std::string& username,
                                const std::string& password,
                                auth::HashCost cost = auth::HashCost::kInteractive);

Status SetGrant(store::Store* store, const std::string& username, const std::string& api_root,
                const std::string& collection, bool can_read, bool can_write);

// Adds the objects every collection serves (the TLP 2.0 marking definitions,
// Kizuna's extension definitions and the identity that defines them, all
// TLP:CLEAR) to every collection that lacks them. Idempotent.
Status EnsureDefinitions(store::Store* store);
Status EnsureDefinitions(store::Store* store, const store::Collection& collection);

// Trust groups.
Result<store::TrustGroup> AddTrustGroup(store::Store* store, store::TrustGroup group);
Result<store::TrustGroup> FindTrustGroup(store::Store* store, const std::string& id);
Status AddTrustGroupMember(store::Store* store, const std::string& group, const std::string& org);
Status RemoveTrustGroupMember(store::Store* store, const std::string& group, const std::string& org);
Status SetCollectionTrustGroup(store::Store* store, const std::string& api_root,
                               const std::string& collection, const std::string& group);
// Client organizations of `org` (ids or names); rejects cycles and unknown ones.
Status SetClients(store::Store* store, const std::string& org, const std::vector<std::string>& clients);

// Username and password rules, shared by the CLI and the demo.
Status CheckUsername(const std::string& username);
Status CheckPassword(const std::string& password);

}  // namespace kizuna::app
