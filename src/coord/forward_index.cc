#include "coord/forward_index.h"

#include <algorithm>
#include <boost/json.hpp>

#include "coord/members.h"
#include "coord/requests.h"
#include "coord/task_fold.h"
#include "policy/extensions.h"
#include "stix/incident_core.h"
#include "stix/object.h"

namespace kizuna::coord {

namespace json = boost::json;

Status ForwardIndex::About(int64_t collection, const std::vector<std::string>& refs,
                           const std::function<void(size_t i, const IndexedObject&)>& each) {
  std::lock_guard lock(mu_);
  Collection& c = collections_[collection];
  RETURN_IF_ERROR(CatchUp(collection, &c));
  for (size_t i = 0; i < refs.size(); ++i) {
    auto it = c.by_ref.find(refs[i]);
    if (it == c.by_ref.end()) continue;
    for (const auto& n : it->second) each(i, *n);
  }
  return Status::Ok();
}

Status ForwardIndex::Incidents(
    int64_t collection,
    const std::function<void(const PolicyTuple& policy, const IncidentFacet& facet, const Group& group)>& group,
    const std::function<bool(const IndexedObject&)>& each) {
  std::lock_guard lock(mu_);
  Collection& c = collections_[collection];
  RETURN_IF_ERROR(CatchUp(collection, &c));
  for (const auto& [key, g] : c.groups) group(*key.first, *key.second, g);
  for (const auto& [key, e] : c.ordered) {
    if (!each(*e)) break;
  }
  return Status::Ok();
}

Status ForwardIndex::Groups(int64_t collection, const std::vector<GroupKey>& keys,
                           const std::function<void(const GroupKey& key, const Group& group)>& each) {
  std::lock_guard lock(mu_);
  Collection& c = collections_[collection];
  RETURN_IF_ERROR(CatchUp(collection, &c));
  for (const GroupKey& k : keys) {
    if (auto it = c.groups.find(k); it != c.groups.end()) each(k, it->second);
  }
  return Status::Ok();
}

bool IncidentOrder::operator<(const IncidentOrder& o) const {
  if (at.has_value() != o.at.has_value()) return at.has_value();  // timestamps first
  if (at && *at != *o.at) return *at > *o.at;                      // latest first
  if (id != o.id) return id < o.id;
  return producer < o.producer;
}

IncidentOrder ForwardIndex::KeyOf(const IndexedObject& e) {
  return IncidentOrder{e.incident->modified_at, e.meta.id, e.meta.producer};
}

void ForwardIndex::Enlist(Collection* c, IndexedObject* e) {
  if (!e->incident || !e->creators) return;
  e->facet = &*c->facets.insert(e->incident->facet).first;
  e->refs_list = &*c->ref_lists.insert(e->refs).first;
  Group& g = c->groups[{e->policy, e->facet}];
  if (g.by_list[e->refs_list].insert(e).second) ++g.size;
  c->ordered.emplace(KeyOf(*e), e);
}

void ForwardIndex::Unlist(Collection* c, const IndexedObject& e) {
  if (e.facet == nullptr) return;
  auto it = c->groups.find({e.policy, e.facet});
  if (it == c->groups.end()) return;
  Group& g = it->second;
  auto in = g.by_list.find(e.refs_list);
  if (in == g.by_list.end() || in->second.erase(&e) == 0) return;
  if (in->second.empty()) g.by_list.erase(in);
  if (--g.size == 0) c->groups.erase(it);
  c->ordered.erase(KeyOf(e));
}

Status ForwardIndex::Refresh(int64_t collection) {
  std::lock_guard lock(mu_);
  return CatchUp(collection, &collections_[collection]);
}

Status ForwardIndex::CatchUp(int64_t collection, Collection* c) {
  store::ObjectQuery q;
  q.collection = collection;
  q.types = types_;
  q.versions.all = true;
  q.limit = 1000;
  for (;;) {
    ASSIGN_OR_RETURN(auto page, store_->Query(q, c->cursor > 0 ? std::optional<int64_t>(c->cursor)
                                                               : std::nullopt));
    for (auto& r : page.records) {
      c->cursor = std::max(c->cursor, r.date_added_us);
      Add(c, std::move(r));
    }
    if (!page.more || page.records.empty()) return Status::Ok();
  }
}

void ForwardIndex::Add(Collection* c, store::ObjectRecord&& r) {
  auto& slot = c->by_lineage[r.id + "|" + r.producer];
  if (slot && slot->meta.version_us > r.version_us) return;  // an older version arriving late
  // Read in a buffer of its own: only copies of members are kept.
  alignas(16) unsigned char buffer[16384];
  json::monotonic_resource mr(buffer, sizeof buffer);
  auto parsed = stix::ParseJson(r.raw, &mr);
  if (!parsed.ok() || !parsed->is_object()) return;
  const json::object& o = parsed->as_object();
  auto n = std::make_shared<IndexedObject>();
  n->created = detail::Str(&o, "created");
  n->created_by = detail::Str(&o, "created_by_ref");
  read_(o, r, n.get());
  n->creators = !n->created_by.empty() && n->created_by == r.producer;
  n->policy = &*c->policies.insert(PolicyTuple{r.marking, r.audience, r.producer, r.origin, r.granular}).first;
  r.raw.clear();
  r.raw.shrink_to_fit();
  n->meta = std::move(r);
  // Each entry is listed once under each object it is about (the lists
  // follow its versions: no reader needs to check them).
  auto list_under = [&](const std::vector<std::string>& refs, const std::vector<std::string>& already) {
    for (size_t i = 0; i < refs.size(); ++i) {
      const std::string& ref = refs[i];
      if (std::find(refs.begin(), refs.begin() + static_cast<ptrdiff_t>(i), ref) != refs.begin() + static_cast<ptrdiff_t>(i)) {
        continue;  // named twice
      }
      if (std::find(already.begin(), already.end(), ref) == already.end()) c->by_ref[ref].push_back(slot);
    }
  };
  if (!slot) {
    slot = std::move(n);
    list_under(slot->refs, {});
    Enlist(c, slot.get());
    return;
  }
  // A new version: every list that holds the lineage sees it; the objects
  // it is newly about list it too, those it is no longer about drop it.
  Unlist(c, *slot);
  std::vector<std::string> before = std::move(slot->refs);
  *slot = std::move(*n);
  Enlist(c, slot.get());
  list_under(slot->refs, before);
  for (const std::string& ref : before) {
    if (std::find(slot->refs.begin(), slot->refs.end(), ref) != slot->refs.end()) continue;
    auto it = c->by_ref.find(ref);
    if (it == c->by_ref.end()) continue;
    std::erase(it->second, slot);
    if (it->second.empty()) c->by_ref.erase(it);
  }
}

std::unique_ptr<ForwardIndex> MakeNoteIndex(store::Store* store) {
  return std::make_unique<ForwardIndex>(
      store, std::vector<std::string>{"note", "opinion"},
      [](const json::object& o, const store::ObjectRecord& r, IndexedObject* e) {
        e->refs = detail::Strs(&o, "object_refs");
        if (r.type != "note") return;
        if (auto u = ReadTaskUpdate(o); u.ok()) {
          e->task_ref = u->task_ref;
          e->update_organization = u->organization;
        }
      });
}

std::unique_ptr<ForwardIndex> MakeLinkIndex(store::Store* store) {
  return std::make_unique<ForwardIndex>(
      store, std::vector<std::string>{"incident", "sighting"},
      [](const json::object& o, const store::ObjectRecord& r, IndexedObject* e) {
        if (r.type == "sighting") {
          std::string of = detail::Str(&o, "sighting_of_ref");
          if (!of.empty()) e->refs.push_back(std::move(of));
          e->where_sighted = detail::Strs(&o, "where_sighted_refs");
          return;
        }
        const json::object* coord = detail::Ext(o, policy::kCoordinationExtensionId);
        auto facts = std::make_shared<IncidentFacts>();
        e->refs = detail::Strs(coord, "linked_refs");
        facts->modified = detail::Str(&o, "modified");
        if (auto at = ParseTimestamp(facts->modified); at.ok()) facts->modified_at = *at;
        IncidentFacet& f = facts->facet;
        f.status = IncidentStatus(o);
        f.owner = detail::Str(&o, "created_by_ref");
        f.sectors = detail::Strs(coord, "sectors");
        if (const json::object* core = detail::Ext(o, stix::kIncidentCoreIncidentExtension)) {
          if (const json::value* c = core->if_contains("criticality"); c && c->is_int64()) {
            f.criticality = c->get_int64();
          }
          f.determination = detail::Str(core, "determination");
          f.recoverability = detail::Str(core, "recoverability");
          f.impacts = !detail::Strs(core, "impact_refs").empty();
        }
        e->incident = std::move(facts);
      });
}

std::unique_ptr<ForwardIndex> MakePartIndex(store::Store* store) {
  return std::make_unique<ForwardIndex>(
      store, std::vector<std::string>{"event", "task", "impact"},
      [](const json::object&, const store::ObjectRecord& r, IndexedObject* e) { e->refs.push_back(r.id); });
}

}  // namespace kizuna::coord
