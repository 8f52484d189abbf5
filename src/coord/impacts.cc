// Impacts and opinions (issue 11, docs/coordination.md "Impacts" and
// "Notes and opinions"). An impact belongs to the incident's owner like its
// events: the owner adds one, and records a change of an impact (worse,
// better, contained) as a new impact that supersedes the old one: the old
// one's next version names it in `superseded_by_ref` and gets an end time,
// and the incident lists both (the history stays). Priority reads only the
// impacts nothing supersedes. Opinions, like notes, may be written by anyone
// who may see the incident, about the incident or objects of it it may see.

#include <algorithm>
#include <boost/json.hpp>

#include "coord/call.h"
#include "core/time.h"
#include "core/uuid.h"
#include "stix/incident_core.h"
#include "taxii/errors.h"

namespace kizuna::coord {

namespace json = boost::json;
using namespace detail;

namespace {

bool ListsImpact(const json::object& incident, const std::string& impact_id) {
  auto refs = Strs(Ext(incident, stix::kIncidentCoreIncidentExtension), "impact_refs");
  return std::find(refs.begin(), refs.end(), impact_id) != refs.end();
}

}  // namespace

http::Response Service::Call::AddImpact(const std::string& id, const http::Request& req) {
  auto r = ReadImpactRequest(req.body);
  if (!r.ok()) return taxii::ErrorFor(r.error());
  std::lock_guard lock(svc->LockFor(id));
  auto l = OwnOpenIncident(id);
  if (!l.ok()) return taxii::ErrorFor(l.error());
  Author by = By();
  std::string impact_id = "impact--" + NewUuidV4();
  std::vector<std::string> objects{BuildImpact(*r, ReleaseOf(l->object), by, impact_id)};
  if (r->supersedes) {
    // Only an impact of this incident, and only one nothing supersedes yet
    // (the history is a chain, never a fork).
    if (!ListsImpact(l->object, *r->supersedes)) {
      return taxii::Error(404, "Not Found", "incident " + id + " has no impact " + *r->supersedes);
    }
    auto old = Find(*r->supersedes);
    if (!old.ok()) return taxii::ErrorFor(old.error());
    if (const json::value* s = old->object.if_contains("superseded_by_ref"); s && s->is_string()) {
      return taxii::ErrorFor(FailedPrecondition("impact " + *r->supersedes + " is already superseded by " +
                                                std::string(s->get_string()) +
                                                ": supersede that one"));
    }
    std::string end = r->start_time ? *r->start_time : FormatTimestamp(by.now_us - by.now_us % 1000, 3);
    auto next = BuildSupersededImpact(old->object, by, impact_id, end);
    if (!next.ok()) return taxii::ErrorFor(next.error());
    objects.push_back(std::move(*next));
  }
  auto next = NextIncidentVersion(l->object, by, [&](json::object& core, json::object&) {
    json::value& refs = core["impact_refs"];
    if (!refs.is_array()) refs = json::array();
    refs.as_array().emplace_back(impact_id);
  });
  if (!next.ok()) return taxii::ErrorFor(next.error());
  objects.push_back(std::move(*next));
  Status s = Write(l->collection, objects);
  if (!s.ok()) return taxii::ErrorFor(s);
  json::object out{{"id", impact_id}, {"incident", id}};
  if (r->supersedes) out["supersedes"] = *r->supersedes;
  return Json(201, out);
}

http::Response Service::Call::AddOpinion(const std::string& id, const http::Request& req) {
  auto r = ReadOpinionRequest(req.body);
  if (!r.ok()) return taxii::ErrorFor(r.error());
  return Comment(id, r->object_refs, "opinion", [&](const Release& release, const Author& by, const std::string& new_id) {
    return BuildOpinion(*r, release, by, new_id, id);
  });
}

}  // namespace kizuna::coord
