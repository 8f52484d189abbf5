// The coordination API's reads: incident list, show and bundle, every object
// released through the caller's ReleaseScope (Path::kCoordination).

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "coord/call.h"
#include "coord/forward_index.h"
#include "coord/task_fold.h"
#include "core/time.h"
#include "core/uuid.h"
#include "policy/decision_point.h"
#include "policy/extensions.h"
#include "stix/incident_core.h"
#include "stix/markings.h"
#include "stix/object.h"
#include "taxii/errors.h"

namespace kizuna::coord {

namespace json = boost::json;
using SV = std::string_view;
using namespace detail;

namespace {

json::array Array(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

// The Kizuna sectors of an incident: its own list, else its owner's.
std::vector<std::string> SectorsOf(const json::object& incident, const policy::TrustModel& model) {
  auto sectors = Strs(Ext(incident, policy::kCoordinationExtensionId), "sectors");
  if (sectors.empty()) {
    if (const policy::Org* o = model.FindOrg(Str(&incident, "created_by_ref"))) sectors = o->sectors;
  }
  return sectors;
}

json::object OrgJson(const policy::TrustModel& model, const std::string& id) {
  json::object o{{"id", id}};
  if (const policy::Org* org = model.FindOrg(id)) {
    o["name"] = org->name;
    if (!org->nation.empty()) o["nation"] = org->nation;
    if (!org->home_hub.empty()) o["hub"] = org->home_hub;
  }
  return o;
}

json::object CorrelationJson(const CorrelationFacts& c, const policy::TrustModel& model) {
  json::array orgs;
  for (const auto& o : c.organizations) orgs.push_back(OrgJson(model, o));
  return json::object{{"incidents", Array(c.incidents)},
                      {"sightings", c.sightings},
                      {"organizations", std::move(orgs)},
                      {"organization_count", static_cast<int64_t>(c.organizations.size())},
                      {"sectors", Array(c.sectors)},
                      {"nations", Array(c.nations)}};
}

json::object PriorityJson(const Priority& p) {
  return json::object{{"score", p.score},
                      {"level", p.level},
                      {"factors", json::object{{"functional", p.functional},
                                               {"information", p.information},
                                               {"recoverability", p.recoverability},
                                               {"cross_sector", p.cross_sector},
                                               {"potential", p.potential},
                                               {"raised_by_correlation", p.raised}}}};
}

json::object Summary(const Located& l, const policy::TrustModel& model, const Priority& priority,
                     const CorrelationFacts& correlation) {
  const json::object& o = l.object;
  const json::object* core = Ext(o, stix::kIncidentCoreIncidentExtension);
  json::object s{{"id", Str(&o, "id")},
                 {"name", Str(&o, "name")},
                 {"collection", l.collection.id},
                 {"status", IncidentStatus(o)},
                 {"owner", OrgJson(model, Str(&o, "created_by_ref"))},
                 {"created", Str(&o, "created")},
                 {"modified", Str(&o, "modified")},
                 {"sectors", Array(SectorsOf(o, model))}};
  // The effective TLP (the strictest marking; the collection's default when none).
  stix::Tlp tlp = stix::TlpOfMarkingRef(l.record.marking);
  if (tlp == stix::Tlp::kNone) {
    const policy::CollectionPolicy* cp = model.FindCollection(l.collection.key);
    tlp = cp ? cp->default_tlp : stix::Tlp::kAmber;
  }
  s["tlp"] = stix::TlpName(tlp);
  if (std::string d = Str(core, "determination"); !d.empty()) s["determination"] = d;
  if (core) {
    if (const json::value* c = core->if_contains("criticality"); c && c->is_int64()) {
      s["criticality"] = c->get_int64();
    }
  }
  s["incident_types"] = Array(Strs(core, "incident_types"));
  s["tasks"] = static_cast<int64_t>(Strs(core, "tasks", "task_ref").size());
  s["events"] = static_cast<int64_t>(Strs(core, "events", "event_ref").size());
  if (const json::object* coord = Ext(o, policy::kCoordinationExtensionId)) {
    if (std::string t = Str(coord, "handover_to"); !t.empty()) s["handover_to"] = OrgJson(model, t);
    if (const json::value* h = coord->if_contains("handed_to")) s["handed_to"] = *h;
    if (std::string d = Str(coord, "derived_from_ref"); !d.empty()) s["derived_from"] = d;
  }
  s["priority"] = PriorityJson(priority);
  s["correlation"] = CorrelationJson(correlation, model);
  return s;
}

// Whether a part is its creator's own lineage (not a copy another party posted).
bool IsCreators(const Located& l) {
  const json::value* by = l.object.if_contains("created_by_ref");
  return by && by->is_string() && by->get_string() == l.record.producer;
}

}  // namespace

http::Response Service::Call::List(const http::Request& req) {
  auto params = QueryParams(req.raw_query);
  static const std::set<std::string> kKnown = {"status", "sector", "nation", "organization",
                                               "since",  "limit",  "priority"};
  for (const auto& [k, v] : params) {
    if (!kKnown.count(k)) {
      return taxii::ErrorFor(InvalidArgument("'" + k + "': not a filter of the incident list (" +
                                             "status, sector, nation, organization, since, priority, limit)"));
    }
  }
  auto limit = IntParam(params, "limit", 100, 1, 10000);
  if (!limit.ok()) return taxii::ErrorFor(limit.error());
  std::optional<Timestamp> since;
  if (auto it = params.find("since"); it != params.end()) {
    auto t = ParseTimestamp(it->second);
    if (!t.ok()) return taxii::ErrorFor(InvalidArgument("'since': " + t.error().message()));
    since = *t;
  }
  std::string organization;
  if (auto it = params.find("organization"); it != params.end()) {
    auto org = OrgId(it->second);
    if (!org.ok()) return taxii::ErrorFor(org.error());
    organization = *org;
  }
  // priority: a level (that level or above) or a minimum score.
  int64_t min_priority = -1;
  if (auto it = params.find("priority"); it != params.end()) {
    static const int64_t kLevelFloor[] = {0, 15, 35, 55, 75, 90};
    int rank = PriorityLevelRank(it->second);
    char* end = nullptr;
    long long n = std::strtoll(it->second.c_str(), &end, 10);
    if (rank >= 0) {
      min_priority = kLevelFloor[rank];
    } else if (!it->second.empty() && *end == '\0' && n >= 0 && n <= 100) {
      min_priority = n;
    } else {
      return taxii::ErrorFor(InvalidArgument(
          "'priority' is a level (baseline, low, medium, high, severe, emergency) or a score 0-100"));
    }
  }
  auto param = [&](const char* k) {
    auto it = params.find(k);
    return it == params.end() ? std::string() : it->second;
  };
  const std::string status = param("status"), sector = param("sector"), nation = param("nation");

  return ListIndexed(status, sector, nation, organization, since, *limit, min_priority);
}

Result<std::vector<std::optional<Located>>> Service::Call::ReadHits(const std::vector<IncidentHit>& hits,
                                                                    const std::vector<store::Collection>& cols) {
  std::vector<std::optional<Located>> read(hits.size());
  for (size_t ci = 0; ci < cols.size(); ++ci) {
    std::vector<std::string> ids;
    std::vector<int64_t> after;
    std::unordered_map<std::string, size_t> slot;
    for (size_t i = 0; i < hits.size(); ++i) {
      if (hits[i].collection != ci) continue;
      ids.push_back(hits[i].id);
      after.push_back(hits[i].date_added - 1);
      slot.emplace(hits[i].id, i);
    }
    if (ids.empty()) continue;
    const store::Collection& c = cols[ci];
    ASSIGN_OR_RETURN(auto scope, svc->policy_->Begin(principal, c.key, c.id, policy::Path::kCoordination, remote));
    RETURN_IF_ERROR(ReadByIds(scope, c.key, ids, /*with_raw=*/true, /*audit_named=*/false,
                              [&](store::ObjectRecord& r) {
                                auto it = slot.find(r.id);
                                if (it == slot.end()) return;
                                std::optional<Located>& l = read[it->second];
                                if (r.producer != hits[it->second].producer || l) return;
                                auto parsed = stix::ParseJson(r.raw);
                                if (!parsed.ok() || !parsed->is_object()) return;
                                l = Located{c, std::move(r), std::move(parsed->as_object())};
                              },
                              &after));
  }
  return read;
}

// The list from the link index (forward_index.h), per collection: the
// total from the counts per (policy tuple, facet), each decided once for
// the caller; the page by walking the incidents in list order until it is
// full (or, with `since`, until the incidents are older: the total is
// counted on the way). Only the page is read through the scope and
// correlated (as its show would be). A priority filter settles a group on
// the incidents' own facts when the score's bounds (PriorityBounds) fall on
// one side of it; the groups left open are scored from the index (once per
// linked list: ReadLinked, ScoreOf), and incidents listing impacts are read
// and correlated one by one (which impacts the caller may see counts).
http::Response Service::Call::ListIndexed(const std::string& status, const std::string& sector,
                                          const std::string& nation, const std::string& organization,
                                          const std::optional<Timestamp>& since, int64_t limit,
                                          int64_t min_priority) {
  auto cols = Readable();
  if (!cols.ok()) return taxii::ErrorFor(cols.error());
  using Hit = IncidentHit;
  std::vector<Hit> hits;
  const size_t page_size = static_cast<size_t>(limit);
  int64_t total = 0;
  // Whether a facet passes the filters, once per facet.
  auto facet_passes = [&](const IncidentFacet& f) {
    if (!status.empty() && f.status != status) return false;
    if (!organization.empty() && f.owner != organization) return false;
    if (nation.empty() && sector.empty()) return true;
    const policy::Org* owner = model->FindOrg(f.owner);
    if (!nation.empty() && (owner == nullptr || owner->nation != nation)) return false;
    if (sector.empty()) return true;
    return SectorMatches(f.sectors.empty() && owner != nullptr ? owner->sectors : f.sectors, sector);
  };
  // What the priority filter says of a facet's incidents.
  enum class Verdict { kOut, kIn, kUnsure };
  auto priority_verdict = [&](const IncidentFacet& f) {
    if (min_priority < 0) return Verdict::kIn;
    if (f.impacts) return Verdict::kUnsure;  // which impacts the caller may see counts
    auto [low, high] = PriorityBounds(InputsOf(f, *model));
    return low >= min_priority ? Verdict::kIn : high < min_priority ? Verdict::kOut : Verdict::kUnsure;
  };
  // Changed before `since`: not listed.
  auto too_old = [&](const IndexedObject& e) {
    const std::optional<Timestamp>& at = e.incident->modified_at;
    return since && (!at || *at < *since);
  };
  auto hit_of = [](const IndexedObject& e, size_t ci) {
    return Hit{e.incident->modified_at, e.meta.id, e.meta.producer, ci, e.meta.date_added_us};
  };
  std::vector<Hit> unsure;  // decided one by one below, read (their impacts count)
  // The groups decided one by one below from the index, per collection, and
  // what their incidents link.
  std::vector<std::vector<ForwardIndex::GroupKey>> open_groups(cols->size());
  std::unordered_set<const std::vector<std::string>*> open_lists;  // interned: read after the lock too
  for (size_t ci = 0; ci < cols->size(); ++ci) {
    const store::Collection& c = (*cols)[ci];
    auto scope = svc->policy_->Begin(principal, c.key, c.id, policy::Path::kCoordination, remote);
    if (!scope.ok()) return taxii::ErrorFor(scope.error());
    std::unordered_map<const PolicyTuple*, bool> decided;  // per interned policy tuple
    std::unordered_map<const IncidentFacet*, Verdict> verdicts;
    // The facet passes the filters, and the caller may see the tuple.
    auto listed = [&](const PolicyTuple& tuple, const IncidentFacet& facet) {
      auto [v, fresh_v] = verdicts.try_emplace(&facet, Verdict::kOut);
      if (fresh_v && facet_passes(facet)) v->second = priority_verdict(facet);
      if (v->second == Verdict::kOut) return Verdict::kOut;
      auto [d, fresh_d] = decided.try_emplace(&tuple, false);
      if (fresh_d) {
        d->second = policy::Decide(scope->model(), scope->reader(), tuple.Meta(c.key), policy::Path::kCoordination)
                        .allow;
      }
      return d->second ? v->second : Verdict::kOut;
    };
    int64_t matches = 0;  // without `since`: from the groups
    size_t found = 0;
    Status walked = svc->links_->Incidents(
        c.key,
        [&](const PolicyTuple& tuple, const IncidentFacet& facet, const ForwardIndex::Group& group) {
          const Verdict v = listed(tuple, facet);
          if (!since && v == Verdict::kIn) matches += group.size;
          if (v != Verdict::kUnsure) return;
          // Decided below (the walk passes them by).
          if (!facet.impacts) {
            open_groups[ci].emplace_back(&tuple, &facet);
            for (const auto& [list, members] : group.by_list) open_lists.insert(list);
            return;
          }
          for (const auto& [list, members] : group.by_list) {
            for (const IndexedObject* e : members) {
              if (!too_old(*e)) unsure.push_back(hit_of(*e, ci));
            }
          }
        },
        [&](const IndexedObject& e) {
          if (too_old(e)) return false;  // the rest are older
          if (!since && found >= std::min(page_size, static_cast<size_t>(matches))) return false;
          if (listed(*e.policy, *e.facet) != Verdict::kIn) return true;
          if (since) ++total;
          if (found < page_size) {
            hits.push_back(hit_of(e, ci));
            ++found;
          }
          return true;
        });
    if (!walked.ok()) return taxii::ErrorFor(walked);
    if (!since) total += matches;
  }
  // The incidents the priority filter could not settle on their facets:
  // scored from the index, or (those with impacts) read, correlated and
  // scored, a thousand at a time.
  if (!open_lists.empty()) {
    std::set<std::string> refs;
    for (const std::vector<std::string>* list : open_lists) refs.insert(list->begin(), list->end());
    auto linked = ReadLinked({refs.begin(), refs.end()}, *cols);
    if (!linked.ok()) return taxii::ErrorFor(linked.error());
    // Per linked list: the incidents linking its objects (the first id, and
    // whether there are several), read once.
    struct Ids {
      std::string first;
      bool several = false;
    };
    std::unordered_map<const std::vector<std::string>*, Ids> ids_of;
    for (const std::vector<std::string>* list : open_lists) {
      Ids& ids = ids_of[list];
      for (const std::string& ref : *list) {
        auto l = linked->find(ref);
        if (l == linked->end() || l->second.first_id.empty()) continue;
        ids.several |= l->second.several || (!ids.first.empty() && ids.first != l->second.first_id);
        if (ids.first.empty()) ids.first = l->second.first_id;
      }
    }
    // Per group and linked list: a score for the incidents another incident
    // correlates with, and one for an incident alone on its list; the
    // members passing are counted and listed.
    for (size_t ci = 0; ci < cols->size(); ++ci) {
      if (open_groups[ci].empty()) continue;
      Status each = svc->links_->Groups(
          (*cols)[ci].key, open_groups[ci], [&](const ForwardIndex::GroupKey& key, const ForwardIndex::Group& group) {
            const IncidentFacet& facet = *key.second;
            for (const auto& [list, members] : group.by_list) {
              auto ids = ids_of.find(list);
              if (ids == ids_of.end()) continue;  // new since the first pass: the next list has it
              const Ids& x = ids->second;
              // The producer is the group's: its facet's owner.
              const std::string& producer = (*members.begin())->meta.producer;
              const int64_t alone = x.several ? -1 : ScoreOf(facet, producer, *list, *linked, false, *model);
              const int64_t with = x.first.empty() ? -1 : ScoreOf(facet, producer, *list, *linked, true, *model);
              if (with < min_priority && alone < min_priority) continue;
              for (const IndexedObject* e : members) {
                const bool others = x.several || (!x.first.empty() && x.first != e->meta.id);
                if ((others ? with : alone) < min_priority || too_old(*e)) continue;
                ++total;
                hits.push_back(hit_of(*e, ci));
              }
            }
          });
      if (!each.ok()) return taxii::ErrorFor(each);
    }
  }
  for (size_t from = 0; from < unsure.size(); from += 1000) {
    std::vector<Hit> chunk(unsure.begin() + static_cast<ptrdiff_t>(from),
                           unsure.begin() + static_cast<ptrdiff_t>(std::min(unsure.size(), from + 1000)));
    auto located = ReadHits(chunk, *cols);
    if (!located.ok()) return taxii::ErrorFor(located.error());
    std::vector<Located> read;
    std::vector<size_t> which;
    for (size_t i = 0; i < chunk.size(); ++i) {
      if (!(*located)[i]) continue;
      read.push_back(std::move(*(*located)[i]));
      which.push_back(i);
    }
    auto pictures = ReadPicturesAround(std::move(read), &*cols);
    if (!pictures.ok()) return taxii::ErrorFor(pictures.error());
    for (size_t k = 0; k < which.size(); ++k) {
      if (PriorityOf((*pictures)[k], 0, *model, nullptr).score < min_priority) continue;
      ++total;
      hits.push_back(std::move(chunk[which[k]]));
    }
  }
  // The collections' pages merged, in list order.
  const size_t listed_here = std::min(hits.size(), page_size);
  std::partial_sort(hits.begin(), hits.begin() + static_cast<ptrdiff_t>(listed_here), hits.end(),
                    [](const Hit& a, const Hit& b) {
                      return IncidentOrder{a.at, a.id, a.producer} < IncidentOrder{b.at, b.id, b.producer};
                    });
  hits.resize(listed_here);
  // The page, read through the caller's scopes, each incident at the
  // version the index holds.
  auto read = ReadHits(hits, *cols);
  if (!read.ok()) return taxii::ErrorFor(read.error());
  // Deleted or changed since the index read it: not listed.
  std::vector<Located> page;
  for (auto& l : *read) {
    if (l) page.push_back(std::move(*l));
  }
  auto pictures = ReadPicturesAround(std::move(page), &*cols);
  if (!pictures.ok()) return taxii::ErrorFor(pictures.error());
  json::array items;
  for (const Picture& pic : *pictures) {
    CorrelationFacts facts;
    Priority p = PriorityOf(pic, 0, *model, &facts);
    items.push_back(Summary(pic.incidents.front(), *model, p, facts));
  }
  return Json(200, json::object{{"total", total}, {"incidents", std::move(items)}});
}

http::Response Service::Call::Show(const std::string& id, bool bundle, const http::Request& req) {
  auto params = QueryParams(req.raw_query);
  for (const auto& [k, v] : params) {
    if (k != "notes" && k != "events") {
      return taxii::ErrorFor(InvalidArgument("'" + k + "': not a parameter of an incident's show (notes, events)"));
    }
  }
  auto notes_page = IntParam(params, "notes", 100, 0, 10000);
  if (!notes_page.ok()) return taxii::ErrorFor(notes_page.error());
  auto events_page = IntParam(params, "events", 100, 0, 10000);
  if (!events_page.ok()) return taxii::ErrorFor(events_page.error());
  const int64_t notes_limit = *notes_page, events_limit = *events_page;
  auto l = Find(id);
  if (!l.ok() || l->record.type != "incident") {
    return taxii::Error(404, "Not Found", "no incident " + id + " you may see");
  }
  const json::object& incident = l->object;
  const json::object* core = Ext(incident, stix::kIncidentCoreIncidentExtension);
  const json::object* coord = Ext(incident, policy::kCoordinationExtensionId);
  auto scope = svc->policy_->Begin(principal, l->collection.key, l->collection.id,
                                   policy::Path::kCoordination, remote);
  if (!scope.ok()) return taxii::ErrorFor(scope.error());

  std::vector<std::string> task_ids = Strs(core, "tasks", "task_ref");
  std::vector<std::string> event_ids = Strs(core, "events", "event_ref");
  std::vector<std::string> impact_ids = Strs(core, "impact_refs");
  std::vector<std::string> rel_ids = bundle ? Strs(coord, "relationship_refs") : std::vector<std::string>{};
  std::vector<std::string> ids = task_ids;
  ids.insert(ids.end(), impact_ids.begin(), impact_ids.end());
  ids.insert(ids.end(), rel_ids.begin(), rel_ids.end());
  const size_t events_at = ids.size();
  ids.insert(ids.end(), event_ids.begin(), event_ids.end());
  const int64_t key = l->collection.key;
  // Which parts the caller may see, decided on the part index's metadata
  // (once per policy tuple): a part whose creator's latest version the
  // caller may see is read, when shown, at that version only. Any other
  // part is read from the store, where each version is decided (a caller
  // who may see only an older version, or another organization's copy).
  std::vector<int64_t> known(ids.size(), 0);  // date_added of that version; 0: not known
  {
    std::unordered_map<const PolicyTuple*, bool> decided;
    Status looked = svc->parts_->About(key, ids, [&](size_t i, const IndexedObject& e) {
      if (!e.creators) return;
      auto [it, fresh] = decided.try_emplace(e.policy, false);
      if (fresh) {
        it->second = policy::Decide(scope->model(), scope->reader(), e.policy->Meta(key),
                                    policy::Path::kCoordination)
                         .allow;
      }
      if (it->second) known[i] = e.meta.date_added_us;
    });
    if (!looked.ok()) return taxii::ErrorFor(looked);
  }
  // Parts with one lineage (events, impacts, relationships: the owner's;
  // tasks read at the version decided on) are passed on as released,
  // unparsed; other tasks, and any id with several lineages, are read (the
  // creator's lineage is the part).
  const std::set<std::string> task_set(task_ids.begin(), task_ids.end());
  std::map<std::string, Located> parts;
  std::unordered_map<std::string, std::string> raw_parts;
  auto take = [&](std::vector<store::ObjectRecord>& records, bool decided) {
    std::unordered_map<std::string, std::vector<store::ObjectRecord>> by_id;
    for (auto& r : records) by_id[r.id].push_back(std::move(r));
    for (auto& [pid, rs] : by_id) {
      if (rs.size() == 1 && (decided || !task_set.count(pid))) {
        raw_parts.insert_or_assign(pid, std::move(rs.front().raw));
        continue;
      }
      if (auto p = PickLineage(std::move(rs), /*creator_only=*/false)) {
        p->collection = l->collection;
        raw_parts.erase(pid);
        parts.insert_or_assign(pid, std::move(*p));
      }
    }
  };
  // The ids come from the incident the caller may see, not from the caller:
  // a part it may not see is withheld (counted), not audited as a probe.
  auto read = [&](const std::vector<std::string>& which, const std::vector<int64_t>* after,
                  bool decided) -> Status {
    if (which.empty()) return Status::Ok();
    std::vector<store::ObjectRecord> records;
    RETURN_IF_ERROR(ReadByIds(*scope, key, which, /*with_raw=*/true, /*audit_named=*/false,
                              [&](store::ObjectRecord& r) { records.push_back(std::move(r)); }, after));
    take(records, decided);
    return Status::Ok();
  };
  // The parts not known, each from where its creator's latest version was
  // last found (hints.h); those not found there, again from the start.
  {
    std::vector<std::string> unknown;
    std::vector<int64_t> after;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (known[i] != 0) continue;
      unknown.push_back(ids[i]);
      after.push_back(svc->hints_.After(key, ids[i]));
    }
    if (Status s = read(unknown, &after, false); !s.ok()) return taxii::ErrorFor(s);
    std::vector<std::string> again;
    for (size_t i = 0; i < unknown.size(); ++i) {
      auto it = parts.find(unknown[i]);
      if (after[i] > 0 && !raw_parts.count(unknown[i]) && (it == parts.end() || !IsCreators(it->second))) {
        again.push_back(unknown[i]);
      }
    }
    if (Status s = read(again, nullptr, false); !s.ok()) return taxii::ErrorFor(s);
    for (const auto& [pid, p] : parts) {
      if (IsCreators(p)) svc->hints_.Found(key, pid, p.record.date_added_us);
    }
  }
  // The events the caller may see, in the incident's order; a show lists
  // the latest `events` of them (the bundle, every one).
  std::vector<std::string> shown_events;
  for (size_t i = events_at; i < ids.size(); ++i) {
    if (known[i] != 0 || raw_parts.count(ids[i]) || parts.count(ids[i])) shown_events.push_back(ids[i]);
  }
  const int64_t events_total = static_cast<int64_t>(shown_events.size());
  if (!bundle && shown_events.size() > static_cast<size_t>(events_limit)) {
    shown_events.erase(shown_events.begin(),
                       shown_events.end() - static_cast<ptrdiff_t>(events_limit));
  }
  // The known parts shown, read at the version decided on.
  {
    const std::unordered_set<std::string_view> wanted(shown_events.begin(), shown_events.end());
    std::vector<std::string> which;
    std::vector<int64_t> after;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (known[i] == 0 || (i >= events_at && !wanted.count(ids[i]))) continue;
      which.push_back(ids[i]);
      after.push_back(known[i] - 1);
    }
    if (Status s = read(which, &after, true); !s.ok()) return taxii::ErrorFor(s);
  }

  // The notes and opinions on the incident or its tasks that the caller may
  // see: task updates (folded or still pending), discussion, assessments.
  // Found in the note index (not by reading every note of the collection),
  // chosen on their metadata by the decision point, in (created, id) order;
  // those shown are released through the scope.
  std::vector<std::string> about = task_ids;
  about.push_back(id);
  // What is kept of each (copied under the index's lock): its order key
  // (created, id, producer, each ended by a NUL: one comparison orders them
  // as the tuple), where the id and producer are in it, and whether it is
  // an update of one of the incident's tasks (the fold's rule: only from the
  // organization that wrote the note).
  struct NoteHit {
    std::string key;
    uint32_t id_at = 0, id_len = 0;
    bool opinion = false;
    const std::string* task = nullptr;  // in task_ids, when an update of it
    int64_t date_added = 0;
    std::string_view Id() const { return std::string_view(key).substr(id_at, id_len); }
    std::string_view Producer() const {
      return std::string_view(key).substr(id_at + id_len + 1, key.size() - id_at - id_len - 2);
    }
  };
  std::unordered_map<std::string_view, const std::string*> task_of;
  for (const std::string& t : task_ids) task_of.emplace(t, &t);
  std::vector<NoteHit> hits;
  {
    std::unordered_set<const IndexedObject*> seen;  // a note about the incident and a task: once
    std::unordered_map<const PolicyTuple*, bool> decided;
    Status looked = svc->notes_->About(key, about, [&](size_t, const IndexedObject& n) {
      if (!seen.insert(&n).second) return;
      auto [it, fresh] = decided.try_emplace(n.policy, false);
      if (fresh) {
        it->second = policy::Decide(scope->model(), scope->reader(), n.policy->Meta(key), policy::Path::kCoordination)
                         .allow;
      }
      if (!it->second) return;
      NoteHit h;
      h.key.reserve(n.created.size() + n.meta.id.size() + n.meta.producer.size() + 3);
      h.key.append(n.created).push_back('\0');
      h.id_at = static_cast<uint32_t>(h.key.size());
      h.id_len = static_cast<uint32_t>(n.meta.id.size());
      h.key.append(n.meta.id).push_back('\0');
      h.key.append(n.meta.producer).push_back('\0');
      h.opinion = n.meta.type == "opinion";
      if (!n.task_ref.empty() && n.update_organization == n.meta.producer) {
        if (auto t = task_of.find(n.task_ref); t != task_of.end()) h.task = t->second;
      }
      h.date_added = n.meta.date_added_us;
      hits.push_back(std::move(h));
    });
    if (!looked.ok()) return taxii::ErrorFor(looked);
  }
  std::sort(hits.begin(), hits.end(), [](const NoteHit& a, const NoteHit& b) { return a.key < b.key; });
  int64_t notes_total = 0, opinions_total = 0;
  for (const NoteHit& n : hits) ++(n.opinion ? opinions_total : notes_total);
  // The task updates among them: task -> note ids, in order.
  std::unordered_map<const std::string*, std::vector<std::string_view>> updates_of;
  for (const NoteHit& n : hits) {
    if (n.task != nullptr) updates_of[n.task].push_back(n.Id());
  }
  // Released: every one for the bundle, else the latest `notes`.
  const size_t from = bundle || hits.size() <= static_cast<size_t>(notes_limit)
                          ? 0
                          : hits.size() - static_cast<size_t>(notes_limit);
  std::vector<store::ObjectRecord> notes;  // as released (their bytes)
  {
    std::vector<std::string> note_ids;
    std::vector<int64_t> note_after;
    for (size_t i = from; i < hits.size(); ++i) {
      note_ids.emplace_back(hits[i].Id());
      note_after.push_back(hits[i].date_added - 1);
    }
    std::map<std::string, store::ObjectRecord, std::less<>> released;  // id '|' producer
    Status got = ReadByIds(*scope, key, note_ids, /*with_raw=*/true, /*audit_named=*/false,
                           [&](store::ObjectRecord& r) {
                             std::string k = r.id + "|" + r.producer;
                             released.insert_or_assign(std::move(k), std::move(r));
                           },
                           &note_after);
    if (!got.ok()) return taxii::ErrorFor(got);
    std::string k;
    for (size_t i = from; i < hits.size(); ++i) {
      k.assign(hits[i].Id()).append("|").append(hits[i].Producer());
      auto it = released.find(k);
      if (it != released.end() && !it->second.raw.empty()) notes.push_back(std::move(it->second));
    }
  }
  // Linked objects, wherever the caller may see them.
  std::vector<Located> linked;
  for (const std::string& target : Strs(coord, "linked_refs")) {
    auto t = Find(target, /*creator_only=*/false);
    if (t.ok()) linked.push_back(std::move(*t));
  }

  // A JSON array of parts (released bytes as they are, read ones serialized).
  auto array_of = [&](const std::vector<std::string>& list, std::string* out) {
    out->push_back('[');
    bool first = true;
    for (const std::string& x : list) {
      auto raw = raw_parts.find(x);
      auto read = raw == raw_parts.end() ? parts.find(x) : parts.end();
      if (raw == raw_parts.end() && read == parts.end()) continue;
      if (!first) out->push_back(',');
      first = false;
      if (raw != raw_parts.end()) {
        out->append(raw->second);
      } else {
        out->append(json::serialize(read->second.object));
      }
    }
    out->push_back(']');
  };
  // `object` serialized with `arrays` (name, JSON text) appended as members.
  auto with_arrays = [](const json::object& object, const std::vector<std::pair<const char*, std::string>>& arrays) {
    std::string body = json::serialize(object);
    body.pop_back();  // the closing brace
    for (const auto& [name, text] : arrays) {
      if (body.size() > 1) body.push_back(',');
      body += '"';
      body += name;
      body += "\":";
      body += text;
    }
    body.push_back('}');
    return body;
  };

  if (bundle) {
    std::vector<std::string> all_ids;
    for (const auto& [pid, p] : parts) all_ids.push_back(pid);
    for (const auto& [pid, raw] : raw_parts) all_ids.push_back(pid);
    std::sort(all_ids.begin(), all_ids.end());
    json::array head;
    head.push_back(incident);
    for (auto& t : linked) head.push_back(t.object);
    std::string objects = json::serialize(head);
    objects.pop_back();
    for (const auto& n : notes) {
      objects.push_back(',');
      objects += n.raw;
    }
    objects.push_back(']');
    std::string rest;
    array_of(all_ids, &rest);
    if (rest.size() > 2) {
      objects.pop_back();
      objects.push_back(',');
      objects.append(rest, 1, std::string::npos);
    }
    http::Response r = Json(200, json::object{});
    r.body = with_arrays(json::object{{"type", "bundle"}, {"id", "bundle--" + NewUuidV4()}}, {{"objects", objects}});
    r.headers[0].value = taxii::kStixMediaType21;
    return r;
  }

  // Each task once: what the coordination says of it (its fold, the
  // updates still pending), then the task as released (its bytes).
  std::string tasks = "[";
  for (const std::string& tid : task_ids) {
    std::string text;
    if (auto raw = raw_parts.find(tid); raw != raw_parts.end()) {
      text = std::move(raw->second);
      raw_parts.erase(raw);
    } else if (auto node = parts.extract(tid); !node.empty()) {
      text = node.mapped().record.raw.empty() ? json::serialize(node.mapped().object)
                                              : std::move(node.mapped().record.raw);
    } else {
      continue;
    }
    // Read in a buffer of its own (a task's DOM is a few KB).
    alignas(16) unsigned char buffer[16384];
    json::monotonic_resource mr(buffer, sizeof buffer);
    auto parsed = stix::ParseJson(text, &mr);
    if (!parsed.ok() || !parsed->is_object()) continue;
    const json::object& t = parsed->get_object();
    TaskCoordination tc = ReadTaskCoordination(t);
    // Pending: the updates the task's version has not folded. It names the
    // last ones it folded (all of them when few): an update it does not
    // name is pending when it comes after the first one it names (in the
    // fold's order), or when the version names every update it folded.
    json::array pending;
    if (auto t = task_of.find(tid); t != task_of.end()) {
      if (auto up = updates_of.find(t->second); up != updates_of.end()) {
        const std::unordered_set<std::string_view> applied(tc.applied_updates.begin(),
                                                           tc.applied_updates.end());
        const bool all_named = tc.applied_count <= static_cast<int64_t>(tc.applied_updates.size());
        bool after_first_named = false;
        for (std::string_view note_id : up->second) {
          if (applied.count(note_id)) {
            after_first_named = true;
          } else if (all_named || after_first_named) {
            pending.emplace_back(note_id);
          }
        }
      }
    }
    json::object e{{"id", tid},
                   {"name", Str(&t, "name")},
                   {"outcome", Str(&t, "outcome")},
                   {"assignee", OrgJson(*model, tc.assignee_organization)},
                   {"updates_applied", tc.applied_count},
                   {"updates_pending", std::move(pending)}};
    if (!tc.assignee_account.empty()) e["assignee_account"] = tc.assignee_account;
    if (tc.progress) e["progress"] = *tc.progress;
    if (const json::object* tcx = Ext(t, policy::kCoordinationExtensionId)) {
      if (const json::value* lc = tcx->if_contains("last_change")) e["last_change"] = json::value(*lc, {});
    }
    if (tasks.size() > 1) tasks.push_back(',');
    tasks += with_arrays(e, {{"task", std::move(text)}});
  }
  tasks.push_back(']');
  json::array links;
  for (auto& t : linked) links.push_back(t.object);
  // The latest `notes` notes and opinions, oldest first; the totals say how
  // many the caller may see.
  std::string note_text = "[", opinion_text = "[";
  for (auto& n : notes) {
    std::string& to = n.type == "opinion" ? opinion_text : note_text;
    if (to.size() > 1) to.push_back(',');
    to += n.raw;
  }
  note_text.push_back(']');
  opinion_text.push_back(']');
  // The incident as released (its bytes), moved into its picture last.
  std::string incident_text = std::move(l->record.raw);
  if (incident_text.empty()) incident_text = json::serialize(incident);
  std::string last_change = coord && coord->contains("last_change") ? json::serialize(coord->at("last_change")) : "";
  auto pic = ReadPictureAround(std::move(*l));
  if (!pic.ok()) return taxii::ErrorFor(pic.error());
  CorrelationFacts facts;
  Priority priority = PriorityOf(*pic, 0, *model, &facts);
  json::object out = Summary(pic->incidents.front(), *model, priority, facts);
  out["links"] = std::move(links);
  out["notes_total"] = notes_total;
  out["opinions_total"] = opinions_total;
  out["events_total"] = events_total;
  std::string events, impacts;
  array_of(shown_events, &events);
  array_of(impact_ids, &impacts);
  std::vector<std::pair<const char*, std::string>> members = {
      {"incident", std::move(incident_text)},
      {"tasks", std::move(tasks)},
      {"events", std::move(events)},
      {"impacts", std::move(impacts)},
      {"notes", std::move(note_text)},
      {"opinions", std::move(opinion_text)}};
  if (!last_change.empty()) members.emplace_back("last_change", std::move(last_change));
  http::Response r = Json(200, json::object{});
  r.body = with_arrays(out, members);
  return r;
}

}  // namespace kizuna::coord
