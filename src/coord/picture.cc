// Correlation (issue 11, docs/coordination.md "Correlation and priority"):
// the incidents the caller may see, the objects they link that it may see,
// and the sightings of those objects it may see, all read through the
// caller's ReleaseScopes; an incident correlates with another when both
// link one object, and with a sighting of an object it links. Counts and
// names come only from what was released to the caller, so a correlation
// never reveals an incident, a sighting or an object the caller may not see.

#include <algorithm>
#include <boost/json.hpp>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "coord/call.h"
#include "coord/forward_index.h"
#include "policy/decision_point.h"
#include "policy/extensions.h"
#include "policy/sectors.h"
#include "stix/incident_core.h"
#include "stix/object.h"

namespace kizuna::coord {

namespace json = boost::json;
using SV = std::string_view;
using namespace detail;

namespace {

std::vector<std::string> LinkedRefs(const json::object& incident) {
  return Strs(Ext(incident, policy::kCoordinationExtensionId), "linked_refs");
}

const json::object* CoreOf(const json::object& incident) {
  return Ext(incident, stix::kIncidentCoreIncidentExtension);
}

std::vector<std::string> ImpactRefs(const json::object& incident) { return Strs(CoreOf(incident), "impact_refs"); }

// The organization a sighting speaks for: its creator, else the first
// place sighted that is an organization of the trust model ("" when none).
std::string SightingOrg(const IndexedObject& sighting, const policy::TrustModel& model) {
  if (model.FindOrg(sighting.created_by) != nullptr) return sighting.created_by;
  for (const std::string& w : sighting.where_sighted) {
    if (model.FindOrg(w) != nullptr) return w;
  }
  return "";
}

// The organizations involved, in order, each once, and their sectors and
// nations.
template <class Orgs>
void Involve(const Orgs& orgs, const policy::TrustModel& model, CorrelationFacts* f) {
  std::set<std::string> sectors, nations;
  for (const auto& o : orgs) {
    const policy::Org* org = model.FindOrg(o);
    if (org == nullptr) continue;
    sectors.insert(org->sectors.begin(), org->sectors.end());
    if (!org->nation.empty()) nations.insert(org->nation);
  }
  f->organizations.assign(orgs.begin(), orgs.end());
  f->sectors.assign(sectors.begin(), sectors.end());
  f->nations.assign(nations.begin(), nations.end());
}

}  // namespace

PriorityInputs InputsOf(const IncidentFacet& f, const policy::TrustModel& model) {
  PriorityInputs in;
  in.criticality = f.criticality;
  in.determination = f.determination;
  in.recoverability = f.recoverability;
  in.sectors = f.sectors;
  if (const policy::Org* owner = model.FindOrg(f.owner)) {
    in.sectors.insert(in.sectors.end(), owner->sectors.begin(), owner->sectors.end());
  }
  return in;
}

bool SectorMatches(const std::vector<std::string>& sectors, std::string_view filter) {
  for (const std::string& code : sectors) {
    if (code == filter) return true;
    const policy::Sector* s = policy::FindSector(code);
    if (s && (s->us == filter || s->jp == filter || s->jp_ja == filter || s->name_en == filter ||
              s->name_ja == filter)) {
      return true;
    }
  }
  return false;
}

// The picture around one incident, from the link index: the incident
// first, then the other incidents the caller may see that link one of its
// objects (their records only), the sightings of those objects it may see,
// and the incident's impacts, without reading every incident and sighting of
// the API root.
Result<Picture> Service::Call::ReadPictureAround(Located incident, const std::vector<store::Collection>* readable) {
  std::vector<Located> one;
  one.push_back(std::move(incident));
  ASSIGN_OR_RETURN(auto pictures, ReadPicturesAround(std::move(one), readable));
  return std::move(pictures.front());
}

Result<std::vector<Picture>> Service::Call::ReadPicturesAround(std::vector<Located> incidents,
                                                               const std::vector<store::Collection>* readable) {
  std::vector<store::Collection> own;
  if (readable == nullptr) {
    ASSIGN_OR_RETURN(own, Readable());
    readable = &own;
  }
  const std::vector<store::Collection>& cols = *readable;
  // What the incidents link and list as impacts, read once for all of them:
  // which linked objects the caller may see (anywhere in the API root) and
  // the impacts it may see.
  std::vector<std::vector<std::string>> refs_of, impacts_of;
  std::set<std::string> all_refs, all_impacts;
  for (const Located& l : incidents) {
    refs_of.push_back(LinkedRefs(l.object));
    impacts_of.push_back(ImpactRefs(l.object));
    all_refs.insert(refs_of.back().begin(), refs_of.back().end());
    all_impacts.insert(impacts_of.back().begin(), impacts_of.back().end());
  }
  std::set<std::string> visible;
  std::map<std::string, json::object> impacts;
  // Per collection, the caller's scope and its decision per interned policy tuple.
  struct Col {
    const store::Collection* c;
    policy::ReleaseScope scope;
    std::unordered_map<const PolicyTuple*, bool> decided;
  };
  std::vector<Col> scoped;
  if (!all_refs.empty() || !all_impacts.empty()) {
    for (const auto& c : cols) {
      ASSIGN_OR_RETURN(auto scope,
                       svc->policy_->Begin(principal, c.key, c.id, policy::Path::kCoordination, remote));
      if (!all_impacts.empty()) {
        RETURN_IF_ERROR(ReadByIds(scope, c.key, {all_impacts.begin(), all_impacts.end()}, /*with_raw=*/true,
                                  /*audit_named=*/false, [&](store::ObjectRecord& r) {
                                    auto parsed = stix::ParseJson(r.raw);
                                    if (parsed.ok() && parsed->is_object()) {
                                      impacts[r.id] = std::move(parsed->as_object());
                                    }
                                  }));
      }
      if (!all_refs.empty()) {
        RETURN_IF_ERROR(ReadByIds(scope, c.key, {all_refs.begin(), all_refs.end()}, /*with_raw=*/false,
                                  /*audit_named=*/false, [&](store::ObjectRecord& r) { visible.insert(r.id); }));
      }
      scoped.push_back(Col{&c, std::move(scope), {}});
    }
  }
  // Per picture: per linked object (refs_of[i][k]), the other incidents
  // linking it (indexes into its incidents); each incident and sighting
  // entered once.
  struct Building {
    std::vector<std::vector<size_t>> linking;  // indexes into `others`
    std::unordered_map<const IndexedObject*, size_t> index_of;
    std::unordered_set<const IndexedObject*> sightings;
    std::vector<std::pair<std::string, std::string>> others;  // (id, producer), as first met
  };
  std::vector<Picture> out(incidents.size());
  std::vector<Building> building(incidents.size());
  // Every picture's linked objects in one list (one index read per collection).
  std::vector<std::string> flat;
  std::vector<std::pair<size_t, size_t>> where;  // flat index -> (picture, k)
  for (size_t i = 0; i < incidents.size(); ++i) {
    out[i].incidents.push_back(std::move(incidents[i]));
    for (const std::string& x : impacts_of[i]) {
      if (auto it = impacts.find(x); it != impacts.end()) out[i].impacts.emplace(x, it->second);
    }
    building[i].linking.resize(refs_of[i].size());
    for (size_t k = 0; k < refs_of[i].size(); ++k) {
      if (!visible.count(refs_of[i][k])) continue;
      flat.push_back(refs_of[i][k]);
      where.emplace_back(i, k);
    }
  }
  for (Col& col : scoped) {
    if (flat.empty()) break;
    RETURN_IF_ERROR(svc->links_->About(col.c->key, flat, [&](size_t f, const IndexedObject& e) {
      auto [it, fresh] = col.decided.try_emplace(e.policy, false);
      if (fresh) {
        it->second = policy::Decide(col.scope.model(), col.scope.reader(), e.policy->Meta(col.c->key),
                                    policy::Path::kCoordination)
                         .allow;
      }
      if (!it->second) return;
      const auto [i, k] = where[f];
      Picture& pic = out[i];
      Building& b = building[i];
      if (e.meta.type == "sighting") {
        if (!b.sightings.insert(&e).second) return;
        pic.sightings_by_ref[flat[f]].push_back(SightingOrg(e, *model));
        return;
      }
      // Another incident: its creator's lineage only (what correlation
      // reads of it: its id and organization).
      if (e.meta.id == pic.incidents.front().record.id || !e.creators) return;
      auto [at, added] = b.index_of.try_emplace(&e, b.others.size());
      if (added) b.others.emplace_back(e.meta.id, e.meta.producer);
      b.linking[k].push_back(at->second);
    }));
  }
  for (size_t i = 0; i < incidents.size(); ++i) {
    Picture& pic = out[i];
    Building& b = building[i];
    // The other incidents, each id once (the same id in two collections is
    // one incident): their place in the picture.
    std::vector<size_t> by_id(b.others.size());
    for (size_t j = 0; j < by_id.size(); ++j) by_id[j] = j;
    std::sort(by_id.begin(), by_id.end(), [&](size_t x, size_t y) {
      return b.others[x].first != b.others[y].first ? b.others[x].first < b.others[y].first : x < y;
    });
    std::vector<size_t> place(b.others.size());
    pic.incidents.reserve(1 + b.others.size());
    for (size_t n = 0; n < by_id.size(); ++n) {
      const size_t j = by_id[n];
      if (n > 0 && pic.incidents[place[by_id[n - 1]]].record.id == b.others[j].first) {
        place[j] = place[by_id[n - 1]];
        continue;
      }
      place[j] = pic.incidents.size();
      Located other;
      other.record.id = std::move(b.others[j].first);
      other.record.producer = std::move(b.others[j].second);
      other.record.type = "incident";
      pic.incidents.push_back(std::move(other));
    }
    const std::vector<std::string>& refs = refs_of[i];
    for (size_t k = 0; k < refs.size(); ++k) {
      if (!visible.count(refs[k])) continue;  // nor do its sightings count
      std::vector<size_t>& by = pic.incidents_by_ref[refs[k]];
      if (!by.empty()) continue;  // a ref listed twice
      by.push_back(0);
      for (size_t j : b.linking[k]) by.push_back(place[j]);
      std::sort(by.begin() + 1, by.end());
      by.erase(std::unique(by.begin() + 1, by.end()), by.end());
    }
  }
  return out;
}

Result<LinkedMap> Service::Call::ReadLinked(const std::vector<std::string>& refs,
                                            const std::vector<store::Collection>& cols) {
  LinkedMap linked;
  std::unordered_set<std::string> visible;
  for (const auto& c : cols) {
    if (refs.empty()) break;
    ASSIGN_OR_RETURN(auto scope, svc->policy_->Begin(principal, c.key, c.id, policy::Path::kCoordination, remote));
    RETURN_IF_ERROR(ReadByIds(scope, c.key, refs, /*with_raw=*/false, /*audit_named=*/false,
                              [&](store::ObjectRecord& r) { visible.insert(r.id); }));
    std::unordered_map<const PolicyTuple*, bool> decided;
    // The index calls back ref by ref, and entries of one ref share few
    // tuples: the last ref's facts, the last tuple's decision and the last
    // organization added are kept at hand.
    size_t last_k = refs.size();
    LinkedFacts* l = nullptr;
    const PolicyTuple* last_tuple = nullptr;
    bool last_allow = false;
    const PolicyTuple* last_added = nullptr;
    RETURN_IF_ERROR(svc->links_->About(c.key, refs, [&](size_t k, const IndexedObject& e) {
      if (e.policy != last_tuple) {
        auto [it, fresh] = decided.try_emplace(e.policy, false);
        if (fresh) {
          it->second =
              policy::Decide(scope.model(), scope.reader(), e.policy->Meta(c.key), policy::Path::kCoordination).allow;
        }
        last_tuple = e.policy;
        last_allow = it->second;
      }
      if (!last_allow) return;
      if (k != last_k) {
        l = &linked[refs[k]];
        last_k = k;
        last_added = nullptr;
      }
      auto add_org = [&](const std::string& org) {
        if (std::find(l->orgs.begin(), l->orgs.end(), org) == l->orgs.end()) l->orgs.push_back(org);
      };
      if (e.meta.type == "sighting") {
        ++l->sightings;
        if (std::string org = SightingOrg(e, *model); !org.empty()) add_org(org);
        return;
      }
      if (!e.creators) return;
      if (l->first_id.empty()) {
        l->first_id = e.meta.id;
      } else if (!l->several && l->first_id != e.meta.id) {
        l->several = true;
      }
      if (e.policy != last_added) {  // the tuple holds the producer
        add_org(e.meta.producer);
        last_added = e.policy;
      }
    }));
  }
  std::erase_if(linked, [&](const auto& kv) { return !visible.count(kv.first); });
  return linked;
}

int64_t ScoreOf(const IncidentFacet& f, std::string_view producer, const std::vector<std::string>& refs,
                const LinkedMap& linked, bool others, const policy::TrustModel& model) {
  PriorityInputs in = InputsOf(f, model);
  // What Correlate finds: the organizations are the incident's and those of
  // everything else involved (the incident's own is among those linking).
  std::set<std::string, std::less<>> orgs{std::string(producer)};
  for (const std::string& ref : refs) {
    auto l = linked.find(ref);
    if (l == linked.end()) continue;
    in.correlation.sightings += l->second.sightings;
    orgs.insert(l->second.orgs.begin(), l->second.orgs.end());
  }
  if (others) in.correlation.incidents = {"another"};  // what the score reads of them
  Involve(orgs, model, &in.correlation);
  return ComputePriority(in).score;
}

CorrelationFacts Correlate(const Picture& pic, size_t i, const policy::TrustModel& model) {
  CorrelationFacts f;
  // Views into the picture, sorted and made unique at the end.
  std::vector<std::string_view> orgs, incidents;
  const Located& self = pic.incidents[i];
  orgs.push_back(self.record.producer);
  for (const std::string& ref : LinkedRefs(self.object)) {
    auto in = pic.incidents_by_ref.find(ref);
    if (in == pic.incidents_by_ref.end()) continue;  // not visible to the caller
    for (size_t j : in->second) {
      if (j == i) continue;
      incidents.push_back(pic.incidents[j].record.id);
      orgs.push_back(pic.incidents[j].record.producer);
    }
    if (auto s = pic.sightings_by_ref.find(ref); s != pic.sightings_by_ref.end()) {
      f.sightings += static_cast<int64_t>(s->second.size());
      for (const std::string& o : s->second) {
        if (!o.empty()) orgs.push_back(o);
      }
    }
  }
  auto unique = [](std::vector<std::string_view>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  };
  unique(orgs);
  unique(incidents);
  f.incidents.assign(incidents.begin(), incidents.end());
  Involve(orgs, model, &f);
  return f;
}

Priority PriorityOf(const Picture& pic, size_t i, const policy::TrustModel& model,
                    CorrelationFacts* correlation) {
  const json::object& o = pic.incidents[i].object;
  const json::object* core = CoreOf(o);
  PriorityInputs in;
  if (core) {
    if (const json::value* c = core->if_contains("criticality"); c && c->is_int64()) {
      in.criticality = c->get_int64();
    }
    in.determination = Str(core, "determination");
    in.recoverability = Str(core, "recoverability");
  }
  in.sectors = Strs(Ext(o, policy::kCoordinationExtensionId), "sectors");
  if (const policy::Org* owner = model.FindOrg(pic.incidents[i].record.producer)) {
    in.sectors.insert(in.sectors.end(), owner->sectors.begin(), owner->sectors.end());
  }
  for (const std::string& ref : ImpactRefs(o)) {
    // Only the impacts nothing supersedes: a superseded one is history.
    auto it = pic.impacts.find(ref);
    if (it != pic.impacts.end() && !it->second.contains("superseded_by_ref")) {
      in.impacts.push_back(&it->second);
    }
  }
  in.correlation = Correlate(pic, i, model);
  Priority p = ComputePriority(in);
  if (correlation) *correlation = std::move(in.correlation);
  return p;
}

}  // namespace kizuna::coord
