// Ownership handover (issue 11, TheHive #2067; docs/coordination.md,
// "Ownership handover"). A lineage never changes producer, so a handover is
// objects of both organizations, each written by its own hub: the owner
// offers the incident (its next version names `handover_to`); the new owner
// accepts on its own hub by opening its own incident, derived from the old
// one, with copies of the open tasks; the old owner's hub, seeing that
// incident, closes the old one with `handed_to` (coord/folder.cc). Nobody
// writes anyone else's objects.

#include <boost/json.hpp>

#include "coord/call.h"
#include "coord/task_fold.h"
#include "core/uuid.h"
#include "policy/extensions.h"
#include "stix/incident_core.h"
#include "taxii/errors.h"

namespace kizuna::coord {

namespace json = boost::json;
using namespace detail;

namespace {

std::string CoordStr(const json::object& o, std::string_view key) {
  return Str(Ext(o, policy::kCoordinationExtensionId), key);
}

}  // namespace

http::Response Service::Call::Handover(const std::string& id, const http::Request& req) {
  auto r = ReadHandoverRequest(req.body);
  if (!r.ok()) return taxii::ErrorFor(r.error());
  auto to = OrgId(r->to);
  if (!to.ok()) return taxii::ErrorFor(to.error());
  if (*to == principal.organization) {
    return taxii::ErrorFor(InvalidArgument("'to': the incident is already your organization's"));
  }
  std::lock_guard lock(svc->LockFor(id));
  auto l = OwnIncident(id);
  if (!l.ok()) return taxii::ErrorFor(l.error());
  if (IncidentStatus(l->object) == "closed") {
    return taxii::ErrorFor(FailedPrecondition("incident " + id + " is closed: reopen it (status open) to change it"));
  }
  Release release = ReleaseOf(l->object);
  if (!release.audience_orgs.empty() &&
      std::find(release.audience_orgs.begin(), release.audience_orgs.end(), *to) ==
          release.audience_orgs.end()) {
    return taxii::ErrorFor(InvalidArgument(
        "'to': the organization is not in the incident's audience: it could not see the incident"));
  }
  auto next = NextIncidentVersion(l->object, By(), [&](json::object&, json::object& coord) {
    coord["handover_to"] = *to;
  });
  if (!next.ok()) return taxii::ErrorFor(next.error());
  Status s = Write(l->collection, {*next});
  if (!s.ok()) return taxii::ErrorFor(s);
  return Json(200, json::object{{"id", id}, {"handover_to", *to}});
}

http::Response Service::Call::Accept(const std::string& id) {
  auto l = Find(id);
  if (!l.ok() || l->record.type != "incident") {
    return taxii::Error(404, "Not Found", "no incident " + id + " you may see");
  }
  if (CoordStr(l->object, "handover_to") != principal.organization) {
    return taxii::ErrorFor(PermissionDenied("incident " + id + " is not being handed to your organization"));
  }
  if (!CoordStr(l->object, "handed_to").empty() || IncidentStatus(l->object) == "closed") {
    return taxii::ErrorFor(FailedPrecondition("incident " + id + " is closed or already handed over"));
  }
  // Once per incident on this hub: the new incident's id is derived from the
  // old one and the new owner, so a second accept finds it.
  const std::string new_id = "incident--" + UuidV5(kStixScoNamespace, id + "|" + principal.organization);
  std::lock_guard lock(svc->LockFor(new_id));
  if (Find(new_id).ok()) {
    return taxii::ErrorFor(AlreadyExists("incident " + id + " was accepted already as " + new_id));
  }
  Author by = By();
  Release release = ReleaseOf(l->object);
  const json::object* core = Ext(l->object, stix::kIncidentCoreIncidentExtension);
  std::vector<std::string> objects, task_refs;
  if (core) {
    if (const json::value* ts = core->if_contains("tasks"); ts && ts->is_array()) {
      for (const json::value& entry : ts->get_array()) {
        if (!entry.is_object() || !entry.get_object().contains("task_ref")) continue;
        const json::value& ref = entry.get_object().at("task_ref");
        if (!ref.is_string()) continue;
        auto t = Find(std::string(ref.get_string()));
        if (!t.ok() || t->record.type != "task") continue;
        const json::value* outcome = t->object.if_contains("outcome");
        std::string o = outcome && outcome->is_string() ? std::string(outcome->get_string()) : "";
        if (o == "successful" || o == "failed" || o == "cancelled") {
          task_refs.emplace_back(ref.get_string());  // done: kept as history
          continue;
        }
        std::string copy_id = "task--" + NewUuidV4();
        objects.push_back(BuildCopiedTask(t->object, by, copy_id, new_id));
        task_refs.push_back(copy_id);
      }
    }
  }
  objects.push_back(BuildAcceptedIncident(l->object, by, new_id, task_refs));
  objects.push_back(BuildDerivedFrom(release, by, "relationship--" + NewUuidV4(), new_id, id));
  Status s = Write(l->collection, objects);
  if (!s.ok()) return taxii::ErrorFor(s);
  return Json(201, json::object{{"id", new_id}, {"derived_from", id}});
}

}  // namespace kizuna::coord
