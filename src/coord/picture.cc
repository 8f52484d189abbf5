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

// Every released record of `types` in the collection, page by page.
Status Scan(policy::ReleaseScope& scope, int64_t collection, std::vector<std::string> types,
            const std::function<void(store::ObjectRecord&)>& each) {
  store::ObjectQuery q;
  q.collection = collection;
  q.types = std::move(types);
  q.limit = 1000;
  std::optional<int64_t> cursor;
  for (;;) {
    ASSIGN_OR_RETURN(auto page, scope.Read(q, cursor));
    for (auto& r : page.records) each(r);
    if (!page.more || page.last_us == 0) return Status::Ok();
    cursor = page.last_us;
  }
}

const json::object* CoreOf(const json::object& incident) {
  return Ext(incident, stix::kIncidentCoreIncidentExtension);
}

std::vector<std::string> ImpactRefs(const json::object& incident) { return Strs(CoreOf(incident), "impact_refs"); }

}  // namespace

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

Result<Picture> Service::Call::ReadPicture() {
  Picture pic;
  ASSIGN_OR_RETURN(auto cols, Readable());
  std::set<std::string> wanted;  // every linked id of a visible incident
  std::set<std::string> wanted_impacts;
  std::vector<std::vector<std::string>> links;
  for (const auto& c : cols) {
    ASSIGN_OR_RETURN(auto scope, svc->policy_->Begin(principal, c.key, c.id,
                                                     policy::Path::kCoordination, remote));
    std::map<std::string, std::vector<store::ObjectRecord>> by_id;
    RETURN_IF_ERROR(Scan(scope, c.key, {"incident"},
                         [&](store::ObjectRecord& r) { by_id[r.id].push_back(std::move(r)); }));
    for (auto& [id, rs] : by_id) {
      auto l = PickLineage(std::move(rs), /*creator_only=*/true);
      if (!l) continue;
      l->collection = c;
      links.push_back(LinkedRefs(l->object));
      wanted.insert(links.back().begin(), links.back().end());
      for (std::string& x : ImpactRefs(l->object)) wanted_impacts.insert(std::move(x));
      pic.incidents.push_back(std::move(*l));
    }
  }
  // Which linked objects the caller may see (anywhere in the API root), and
  // the sightings of those it may see.
  std::set<std::string> visible;
  for (const auto& c : cols) {
    if (wanted.empty() && wanted_impacts.empty()) break;
    ASSIGN_OR_RETURN(auto scope, svc->policy_->Begin(principal, c.key, c.id,
                                                     policy::Path::kCoordination, remote));
    if (!wanted_impacts.empty()) {
      RETURN_IF_ERROR(ReadByIds(
          scope, c.key, {wanted_impacts.begin(), wanted_impacts.end()}, /*with_raw=*/true,
          /*audit_named=*/false, [&](store::ObjectRecord& r) {
            auto parsed = stix::ParseJson(r.raw);
            if (parsed.ok() && parsed->is_object()) pic.impacts[r.id] = std::move(parsed->as_object());
          }));
    }
    if (wanted.empty()) continue;
    RETURN_IF_ERROR(ReadByIds(scope, c.key, {wanted.begin(), wanted.end()}, /*with_raw=*/false,
                              /*audit_named=*/false,
                              [&](store::ObjectRecord& r) { visible.insert(r.id); }));
    RETURN_IF_ERROR(Scan(scope, c.key, {"sighting"}, [&](store::ObjectRecord& r) {
      auto parsed = stix::ParseJson(r.raw);
      if (!parsed.ok() || !parsed->is_object()) return;
      const json::object& s = parsed->as_object();
      std::string of = Str(&s, "sighting_of_ref");
      if (!wanted.count(of)) return;
      std::string org = Str(&s, "created_by_ref");
      if (model->FindOrg(org) == nullptr) {
        org.clear();
        if (const json::value* w = s.if_contains("where_sighted_refs"); w && w->is_array()) {
          for (const json::value& x : w->get_array()) {
            if (x.is_string() && model->FindOrg(x.get_string())) {
              org = std::string(x.get_string());
              break;
            }
          }
        }
      }
      pic.sightings_by_ref[of].push_back(org);
    }));
  }
  for (size_t i = 0; i < pic.incidents.size(); ++i) {
    for (const std::string& ref : links[i]) {
      if (visible.count(ref)) pic.incidents_by_ref[ref].push_back(i);
    }
  }
  // Sightings of objects the caller may not see do not count either.
  for (auto it = pic.sightings_by_ref.begin(); it != pic.sightings_by_ref.end();) {
    it = visible.count(it->first) ? std::next(it) : pic.sightings_by_ref.erase(it);
  }
  return pic;
}

// The picture around one incident, from the link index: the incident
// first, then the other incidents the caller may see that link one of its
// objects (their records only), the sightings of those objects it may see,
// and the incident's impacts. The same facts as ReadPicture() gives for that
// incident, without reading every incident and sighting of the API root.
Result<Picture> Service::Call::ReadPictureAround(const Located& incident,
                                                 const std::vector<store::Collection>* readable) {
  Picture pic;
  pic.incidents.push_back(incident);
  const std::vector<std::string> refs = LinkedRefs(incident.object);
  const std::vector<std::string> impact_refs = ImpactRefs(incident.object);
  std::vector<store::Collection> own;
  if (readable == nullptr) {
    ASSIGN_OR_RETURN(own, Readable());
    readable = &own;
  }
  const std::vector<store::Collection>& cols = *readable;
  std::set<std::string> visible;
  std::map<std::string, std::vector<std::string>> links_of;  // other incident id -> its refs
  std::set<std::string> others;
  for (const auto& c : cols) {
    if (refs.empty() && impact_refs.empty()) break;
    ASSIGN_OR_RETURN(auto scope, svc->policy_->Begin(principal, c.key, c.id, policy::Path::kCoordination, remote));
    if (!impact_refs.empty()) {
      RETURN_IF_ERROR(ReadByIds(scope, c.key, impact_refs, /*with_raw=*/true, /*audit_named=*/false,
                                [&](store::ObjectRecord& r) {
                                  auto parsed = stix::ParseJson(r.raw);
                                  if (parsed.ok() && parsed->is_object()) {
                                    pic.impacts[r.id] = std::move(parsed->as_object());
                                  }
                                }));
    }
    if (refs.empty()) continue;
    RETURN_IF_ERROR(ReadByIds(scope, c.key, refs, /*with_raw=*/false, /*audit_named=*/false,
                              [&](store::ObjectRecord& r) { visible.insert(r.id); }));
    ASSIGN_OR_RETURN(auto found, svc->links_->About(c.key, refs));
    for (IndexedObject& e : found) {
      if (!policy::Decide(scope.model(), scope.reader(), policy::MetaOf(e.meta, c.key),
                          policy::Path::kCoordination)
               .allow) {
        continue;
      }
      if (e.meta.type == "sighting") {
        std::string org = e.created_by;
        if (model->FindOrg(org) == nullptr) {
          org.clear();
          for (const std::string& w : e.where_sighted) {
            if (model->FindOrg(w)) {
              org = w;
              break;
            }
          }
        }
        pic.sightings_by_ref[e.refs.front()].push_back(std::move(org));
        continue;
      }
      // Another incident: its creator's lineage only, each once.
      if (e.meta.id == incident.record.id || e.created_by != e.meta.producer) continue;
      if (!others.insert(e.meta.id).second) continue;
      links_of[e.meta.id] = e.refs;
      Located other;
      other.collection = c;
      other.record = std::move(e.meta);
      pic.incidents.push_back(std::move(other));
    }
  }
  for (const std::string& ref : refs) {
    if (!visible.count(ref)) continue;
    pic.incidents_by_ref[ref].push_back(0);
    for (size_t j = 1; j < pic.incidents.size(); ++j) {
      const auto& l = links_of[pic.incidents[j].record.id];
      if (std::find(l.begin(), l.end(), ref) != l.end()) pic.incidents_by_ref[ref].push_back(j);
    }
  }
  // Sightings of objects the caller may not see do not count either.
  for (auto it = pic.sightings_by_ref.begin(); it != pic.sightings_by_ref.end();) {
    it = visible.count(it->first) ? std::next(it) : pic.sightings_by_ref.erase(it);
  }
  return pic;
}

CorrelationFacts Correlate(const Picture& pic, size_t i, const policy::TrustModel& model) {
  CorrelationFacts f;
  std::set<std::string> orgs, incidents;
  const Located& self = pic.incidents[i];
  orgs.insert(self.record.producer);
  for (const std::string& ref : LinkedRefs(self.object)) {
    auto in = pic.incidents_by_ref.find(ref);
    if (in == pic.incidents_by_ref.end()) continue;  // not visible to the caller
    for (size_t j : in->second) {
      if (j == i) continue;
      incidents.insert(pic.incidents[j].record.id);
      orgs.insert(pic.incidents[j].record.producer);
    }
    if (auto s = pic.sightings_by_ref.find(ref); s != pic.sightings_by_ref.end()) {
      f.sightings += static_cast<int64_t>(s->second.size());
      for (const std::string& o : s->second) {
        if (!o.empty()) orgs.insert(o);
      }
    }
  }
  std::set<std::string> sectors, nations;
  for (const std::string& o : orgs) {
    const policy::Org* org = model.FindOrg(o);
    if (org == nullptr) continue;
    sectors.insert(org->sectors.begin(), org->sectors.end());
    if (!org->nation.empty()) nations.insert(org->nation);
  }
  f.incidents.assign(incidents.begin(), incidents.end());
  f.organizations.assign(orgs.begin(), orgs.end());
  f.sectors.assign(sectors.begin(), sectors.end());
  f.nations.assign(nations.begin(), nations.end());
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
