#pragma once
// The trust model as the decision point sees it: organizations (with their
// client organizations and home hub), trust groups, and the trust group and
// default marking of every collection. An immutable snapshot, rebuilt when
// the hub's directory changes, shared between requests.
//
// Thread-safe: const after Build().

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/result.h"
#include "stix/markings.h"

namespace kizuna::policy {

struct Org {
  std::string id;  // identity--...
  std::string name;
  std::string nation;
  std::string kind;
  std::vector<std::string> sectors;
  std::vector<std::string> clients;  // client organizations (an ISAC's members, ...)
  std::string home_hub;              // "" = this hub; else the peer hub's name
};

struct TrustGroup {
  std::string id;
  std::string name;
  std::vector<std::string> members;  // organization ids, on any hub
};

struct CollectionPolicy {
  int64_t key = 0;
  std::string trust_group;  // "" = none: the collection's readers are its community
  stix::Tlp default_tlp = stix::Tlp::kAmber;
};

class TrustModel {
 public:
  // Validates the model: unknown organizations in client lists or groups,
  // cycles of client organizations. InvalidArgument naming the problem.
  static Result<std::shared_ptr<const TrustModel>> Build(std::vector<Org> orgs,
                                                         std::vector<TrustGroup> groups,
                                                         std::vector<CollectionPolicy> collections);

  const Org* FindOrg(std::string_view id) const;
  // Every organization, by name.
  std::vector<const Org*> AllOrgs() const;
  // By exact name; null when no organization, or more than one, has it.
  const Org* FindOrgByName(std::string_view name) const;
  const TrustGroup* FindGroup(std::string_view id) const;
  const CollectionPolicy* FindCollection(int64_t key) const;
  bool InGroup(std::string_view group, std::string_view org) const;
  // Organizations that list `org` among their clients.
  const std::vector<std::string>& ParentsOf(std::string_view org) const;
  // Trust groups `org` belongs to.
  const std::vector<std::string>& GroupsOf(std::string_view org) const;
  // Organizations homed on a peer hub.
  const std::vector<std::string>& OrgsHomedOn(std::string_view hub) const;

  // Unique to this model object for the life of the process (never reused,
  // unlike its address): caches of policy-filtered results key on it.
  uint64_t serial() const { return serial_; }

 private:
  uint64_t serial_ = NextSerial();
  static uint64_t NextSerial();
  std::unordered_map<std::string, Org> orgs_;
  std::unordered_map<std::string, TrustGroup> groups_;
  std::unordered_map<std::string, std::unordered_set<std::string>> group_members_;
  std::unordered_map<int64_t, CollectionPolicy> collections_;
  std::unordered_map<std::string, std::vector<std::string>> parents_;
  std::unordered_map<std::string, std::vector<std::string>> groups_of_;
  std::unordered_map<std::string, std::vector<std::string>> homed_on_;
};

// Checks that adding `clients` to `org` keeps the client relation acyclic
// (an organization cannot be, directly or through others, its own client).
Status CheckNoClientCycle(const std::vector<Org>& orgs, std::string_view org,
                          const std::vector<std::string>& clients);

}  // namespace kizuna::policy
