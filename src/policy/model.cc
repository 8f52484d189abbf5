#include "policy/model.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <set>

namespace kizuna::policy {
namespace {

const std::vector<std::string>& Empty() {
  static const std::vector<std::string> empty;
  return empty;
}

// True when `from` reaches `target` through client edges.
bool Reaches(const std::map<std::string, std::vector<std::string>>& edges, const std::string& from,
             const std::string& target) {
  std::set<std::string> seen;
  std::vector<std::string> stack = {from};
  while (!stack.empty()) {
    std::string cur = stack.back();
    stack.pop_back();
    if (cur == target) return true;
    if (!seen.insert(cur).second) continue;
    auto it = edges.find(cur);
    if (it == edges.end()) continue;
    for (const auto& n : it->second) stack.push_back(n);
  }
  return false;
}

}  // namespace

Status CheckNoClientCycle(const std::vector<Org>& orgs, std::string_view org,
                          const std::vector<std::string>& clients) {
  std::map<std::string, std::vector<std::string>> edges;
  for (const auto& o : orgs) {
    if (o.id != org) edges[o.id] = o.clients;
  }
  edges[std::string(org)] = clients;
  for (const auto& c : clients) {
    if (c == org) return InvalidArgument("an organization cannot be its own client");
    if (Reaches(edges, c, std::string(org))) {
      return InvalidArgument("client organization " + c + " would make a cycle: it already has " +
                             std::string(org) + " among its clients, directly or through others");
    }
  }
  return Status::Ok();
}

uint64_t TrustModel::NextSerial() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

Result<std::shared_ptr<const TrustModel>> TrustModel::Build(
    std::vector<Org> orgs, std::vector<TrustGroup> groups,
    std::vector<CollectionPolicy> collections) {
  auto m = std::make_shared<TrustModel>();
  for (auto& o : orgs) {
    std::string id = o.id;
    m->orgs_[id] = std::move(o);
  }
  for (const auto& [id, o] : m->orgs_) {
    for (const auto& c : o.clients) {
      if (!m->orgs_.count(c)) {
        return InvalidArgument("organization " + id + " lists unknown client " + c);
      }
      m->parents_[c].push_back(id);
    }
    if (!o.home_hub.empty()) m->homed_on_[o.home_hub].push_back(id);
  }
  std::vector<Org> all;
  all.reserve(m->orgs_.size());
  for (const auto& [id, o] : m->orgs_) all.push_back(o);
  for (const auto& o : all) RETURN_IF_ERROR(CheckNoClientCycle(all, o.id, o.clients));
  for (auto& g : groups) {
    auto& members = m->group_members_[g.id];
    for (const auto& member : g.members) {
      if (!m->orgs_.count(member)) {
        return InvalidArgument("trust group " + g.name + " lists unknown organization " + member);
      }
      members.insert(member);
      m->groups_of_[member].push_back(g.id);
    }
    std::string id = g.id;
    m->groups_[id] = std::move(g);
  }
  for (auto& c : collections) {
    if (!c.trust_group.empty() && !m->groups_.count(c.trust_group)) {
      return InvalidArgument("collection " + std::to_string(c.key) + " belongs to unknown trust group " +
                             c.trust_group);
    }
    m->collections_[c.key] = std::move(c);
  }
  for (auto& [org, parents] : m->parents_) std::sort(parents.begin(), parents.end());
  return std::shared_ptr<const TrustModel>(std::move(m));
}

std::vector<const Org*> TrustModel::AllOrgs() const {
  std::vector<const Org*> out;
  out.reserve(orgs_.size());
  for (const auto& [id, org] : orgs_) out.push_back(&org);
  std::sort(out.begin(), out.end(), [](const Org* a, const Org* b) { return a->name < b->name; });
  return out;
}

const Org* TrustModel::FindOrg(std::string_view id) const {
  auto it = orgs_.find(std::string(id));
  return it == orgs_.end() ? nullptr : &it->second;
}

const Org* TrustModel::FindOrgByName(std::string_view name) const {
  const Org* found = nullptr;
  for (const auto& [id, org] : orgs_) {
    if (org.name != name) continue;
    if (found != nullptr) return nullptr;  // ambiguous: the caller asks for the id
    found = &org;
  }
  return found;
}

const TrustGroup* TrustModel::FindGroup(std::string_view id) const {
  auto it = groups_.find(std::string(id));
  return it == groups_.end() ? nullptr : &it->second;
}

const CollectionPolicy* TrustModel::FindCollection(int64_t key) const {
  auto it = collections_.find(key);
  return it == collections_.end() ? nullptr : &it->second;
}

bool TrustModel::InGroup(std::string_view group, std::string_view org) const {
  auto it = group_members_.find(std::string(group));
  return it != group_members_.end() && it->second.count(std::string(org));
}

const std::vector<std::string>& TrustModel::ParentsOf(std::string_view org) const {
  auto it = parents_.find(std::string(org));
  return it == parents_.end() ? Empty() : it->second;
}

const std::vector<std::string>& TrustModel::GroupsOf(std::string_view org) const {
  auto it = groups_of_.find(std::string(org));
  return it == groups_of_.end() ? Empty() : it->second;
}

const std::vector<std::string>& TrustModel::OrgsHomedOn(std::string_view hub) const {
  auto it = homed_on_.find(std::string(hub));
  return it == homed_on_.end() ? Empty() : it->second;
}

}  // namespace kizuna::policy
