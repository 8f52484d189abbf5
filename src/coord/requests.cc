#include "coord/requests.h"

#include <algorithm>
#include <boost/json.hpp>

#include "coord/members.h"
#include "core/time.h"
#include "policy/extensions.h"
#include "stix/incident_core.h"
#include "stix/markings.h"
#include "stix/object.h"

namespace kizuna::coord {
namespace {

namespace json = boost::json;
using SV = std::string_view;

constexpr size_t kMaxText = 64 * 1024;  // one name, description or note
constexpr size_t kMaxList = 1000;       // one list member

// The members a request may have; anything else is refused by name.
Result<json::object> ReadBody(SV body, std::initializer_list<SV> known) {
  auto v = stix::ParseJson(body);
  if (!v.ok()) return InvalidArgument("the request body: " + v.error().message());
  if (!v->is_object()) return InvalidArgument("the request body must be a JSON object");
  json::object o = std::move(v->as_object());
  for (const auto& kv : o) {
    if (std::find(known.begin(), known.end(), SV(kv.key())) == known.end()) {
      return InvalidArgument("'" + std::string(kv.key()) + "': not a member of this request");
    }
  }
  return o;
}

Status Text(const json::object& o, SV key, std::string* out, bool required) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) {
    return required ? InvalidArgument("'" + std::string(key) + "' is required") : Status::Ok();
  }
  if (!v->is_string()) return InvalidArgument("'" + std::string(key) + "' must be a string");
  if (v->get_string().size() > kMaxText) {
    return InvalidArgument("'" + std::string(key) + "' is longer than 65,536 bytes");
  }
  if (required && v->get_string().empty()) {
    return InvalidArgument("'" + std::string(key) + "' must not be empty");
  }
  *out = v->get_string();
  return Status::Ok();
}

Status OptText(const json::object& o, SV key, std::optional<std::string>* out) {
  if (!o.contains(key)) return Status::Ok();
  std::string s;
  RETURN_IF_ERROR(Text(o, key, &s, false));
  *out = std::move(s);
  return Status::Ok();
}

Status Percent(const json::object& o, SV key, std::optional<int64_t>* out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return Status::Ok();
  if (!v->is_int64() || v->get_int64() < 0 || v->get_int64() > 100) {
    return InvalidArgument("'" + std::string(key) + "' must be an integer from 0 to 100");
  }
  *out = v->get_int64();
  return Status::Ok();
}

Status List(const json::object& o, SV key, std::vector<std::string>* out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return Status::Ok();
  if (!v->is_array()) return InvalidArgument("'" + std::string(key) + "' must be a list of strings");
  if (v->get_array().size() > kMaxList) {
    return InvalidArgument("'" + std::string(key) + "' has more than 1,000 entries");
  }
  for (const json::value& e : v->get_array()) {
    if (!e.is_string() || e.get_string().empty() || e.get_string().size() > 1024) {
      return InvalidArgument("'" + std::string(key) + "' must be a list of non-empty strings");
    }
    out->emplace_back(e.get_string());
  }
  return Status::Ok();
}

bool InVocab(SV vocab, SV value) {
  auto values = stix::IncidentCoreEnum(vocab);
  return std::find(values.begin(), values.end(), value) != values.end();
}

Status Vocab(SV key, SV vocab, SV value) {
  if (InVocab(vocab, value)) return Status::Ok();
  std::string list;
  for (SV v : stix::IncidentCoreEnum(vocab)) list += (list.empty() ? "" : ", ") + std::string(v);
  return InvalidArgument("'" + std::string(key) + "': '" + std::string(value) +
                         "' is not a value of " + std::string(vocab) + " (" + list + ")");
}

Status Timestamp(SV key, const std::optional<std::string>& v) {
  if (!v) return Status::Ok();
  auto t = ParseTimestamp(*v);
  if (!t.ok()) return InvalidArgument("'" + std::string(key) + "': " + t.error().message());
  return Status::Ok();
}

// type--uuid (STIX 2.1 section 2.9), with the type's characters.
bool IsIdentifier(SV id, SV* type) {
  size_t sep = id.find("--");
  if (sep == SV::npos || sep == 0 || id.size() - sep - 2 != 36) return false;
  for (char c : id.substr(0, sep)) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  SV uuid = id.substr(sep + 2);
  for (size_t i = 0; i < uuid.size(); ++i) {
    char c = uuid[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  *type = id.substr(0, sep);
  return true;
}

Status Identifiers(SV key, const std::vector<std::string>& ids, SV only_type = {}) {
  for (const std::string& id : ids) {
    SV type;
    if (!IsIdentifier(id, &type) ||
        (!only_type.empty() && type != only_type)) {
      return InvalidArgument("'" + std::string(key) + "': '" + id + "' is not a STIX identifier" +
                             (only_type.empty() ? "" : " of a " + std::string(only_type)));
    }
  }
  return Status::Ok();
}

// Optional start_time and end_time (RFC 3339), the end not before the start.
Status TimeRange(const json::object& o, std::optional<std::string>* start, std::optional<std::string>* end) {
  RETURN_IF_ERROR(OptText(o, "start_time", start));
  RETURN_IF_ERROR(Timestamp("start_time", *start));
  RETURN_IF_ERROR(OptText(o, "end_time", end));
  RETURN_IF_ERROR(Timestamp("end_time", *end));
  if (*start && *end && *ParseTimestamp(**end) < *ParseTimestamp(**start)) {
    return InvalidArgument("'end_time' must not be before 'start_time'");
  }
  return Status::Ok();
}

std::string Now(int64_t us) { return FormatTimestamp(us - us % 1000, 3); }

std::string Str(const json::object& o, SV key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

// The common members of every object an author writes, with its release.
json::object Common(SV type, const std::string& id, const Author& by, const Release& release) {
  json::object o;
  o["type"] = type;
  o["spec_version"] = "2.1";
  o["id"] = id;
  o["created"] = Now(by.now_us);
  o["modified"] = Now(by.now_us);
  o["created_by_ref"] = by.organization;
  if (!release.marking_refs.empty()) o["object_marking_refs"] = Strings(release.marking_refs);
  if (!release.audience_orgs.empty() || !release.audience_accounts.empty()) {
    json::object a{{"extension_type", "property-extension"}};
    if (!release.audience_orgs.empty()) a["organizations"] = Strings(release.audience_orgs);
    if (!release.audience_accounts.empty()) a["accounts"] = Strings(release.audience_accounts);
    o["extensions"].emplace_object()[policy::kAudienceExtensionId] = std::move(a);
  }
  return o;
}

json::object& Extensions(json::object& o) {
  json::value& e = o["extensions"];
  if (!e.is_object()) e = json::object();
  return e.as_object();
}

json::object& Extension(json::object& o, SV id, SV type) {
  json::value& e = Extensions(o)[id];
  if (!e.is_object()) e = json::object{{"extension_type", type}};
  return e.as_object();
}

// A note's or an opinion's end: about the incident first, then `refs`;
// the incident and the author in the coordination extension.
std::string AboutIncident(json::object o, const std::vector<std::string>& refs_in,
                          const std::string& incident_id, const Author& by) {
  json::array refs{json::string(incident_id)};
  for (const auto& x : refs_in) {
    if (x != incident_id) refs.emplace_back(x);
  }
  o["object_refs"] = std::move(refs);
  json::object& coord = Extension(o, policy::kCoordinationExtensionId, "property-extension");
  coord["incident_ref"] = incident_id;
  coord["author"] = by.account;
  return json::serialize(o);
}

}  // namespace

std::string_view MarkingIdForName(std::string_view name) {
  if (name == "clear") return stix::kTlpClearId;
  if (name == "green") return stix::kTlpGreenId;
  if (name == "amber") return stix::kTlpAmberId;
  if (name == "amber+strict") return stix::kTlpAmberStrictId;
  if (name == "red") return stix::kTlpRedId;
  return {};
}

Result<OpenRequest> ReadOpenRequest(std::string_view body) {
  ASSIGN_OR_RETURN(json::object o,
                   ReadBody(body, {"collection", "name", "description", "criticality",
                                   "determination", "incident_types", "sectors", "marking",
                                   "audience", "audience_accounts"}));
  OpenRequest r;
  RETURN_IF_ERROR(Text(o, "collection", &r.collection, true));
  RETURN_IF_ERROR(Text(o, "name", &r.name, true));
  RETURN_IF_ERROR(Text(o, "description", &r.description, false));
  RETURN_IF_ERROR(Percent(o, "criticality", &r.criticality));
  RETURN_IF_ERROR(Text(o, "determination", &r.determination, false));
  RETURN_IF_ERROR(Vocab("determination", "incident-determination-enum", r.determination));
  RETURN_IF_ERROR(List(o, "incident_types", &r.incident_types));
  RETURN_IF_ERROR(List(o, "sectors", &r.sectors));
  RETURN_IF_ERROR(Text(o, "marking", &r.marking, false));
  if (MarkingIdForName(r.marking).empty()) {
    return InvalidArgument("'marking': '" + r.marking +
                           "' is not one of clear, green, amber, amber+strict, red");
  }
  RETURN_IF_ERROR(List(o, "audience", &r.audience));
  RETURN_IF_ERROR(List(o, "audience_accounts", &r.audience_accounts));
  if (r.marking == "red" && r.audience_accounts.empty()) {
    return InvalidArgument("'marking': a TLP:RED incident names its readers in 'audience_accounts'");
  }
  return r;
}

Result<UpdateRequest> ReadUpdateRequest(std::string_view body) {
  ASSIGN_OR_RETURN(json::object o, ReadBody(body, {"status", "determination", "criticality"}));
  UpdateRequest r;
  RETURN_IF_ERROR(OptText(o, "status", &r.status));
  if (r.status) RETURN_IF_ERROR(Vocab("status", "incident-investigation-ov", *r.status));
  RETURN_IF_ERROR(OptText(o, "determination", &r.determination));
  if (r.determination) {
    RETURN_IF_ERROR(Vocab("determination", "incident-determination-enum", *r.determination));
  }
  RETURN_IF_ERROR(Percent(o, "criticality", &r.criticality));
  if (!r.status && !r.determination && !r.criticality) {
    return InvalidArgument("an update names at least one of status, determination, criticality");
  }
  return r;
}

Result<TaskRequest> ReadTaskRequest(std::string_view body) {
  ASSIGN_OR_RETURN(json::object o,
                   ReadBody(body, {"assignee", "name", "description", "priority", "due"}));
  TaskRequest r;
  RETURN_IF_ERROR(Text(o, "assignee", &r.assignee, true));
  RETURN_IF_ERROR(Text(o, "name", &r.name, true));
  RETURN_IF_ERROR(Text(o, "description", &r.description, false));
  RETURN_IF_ERROR(Percent(o, "priority", &r.priority));
  RETURN_IF_ERROR(OptText(o, "due", &r.due));
  RETURN_IF_ERROR(Timestamp("due", r.due));
  return r;
}

Result<TaskUpdateRequest> ReadTaskUpdateRequest(std::string_view body) {
  ASSIGN_OR_RETURN(json::object o, ReadBody(body, {"outcome", "progress", "note"}));
  TaskUpdateRequest r;
  RETURN_IF_ERROR(OptText(o, "outcome", &r.outcome));
  if (r.outcome) RETURN_IF_ERROR(Vocab("outcome", "task-outcome-enum", *r.outcome));
  RETURN_IF_ERROR(Percent(o, "progress", &r.progress));
  RETURN_IF_ERROR(Text(o, "note", &r.note, false));
  if (!r.outcome && !r.progress && r.note.empty()) {
    return InvalidArgument("a task update names at least one of outcome, progress, note");
  }
  return r;
}

Result<EventRequest> ReadEventRequest(std::string_view body) {
  ASSIGN_OR_RETURN(json::object o, ReadBody(body, {"name", "description", "status", "event_types",
                                                   "start_time", "end_time", "sighting_refs"}));
  EventRequest r;
  RETURN_IF_ERROR(Text(o, "name", &r.name, false));
  RETURN_IF_ERROR(Text(o, "description", &r.description, false));
  if (r.name.empty() && r.description.empty()) {
    return InvalidArgument("an event has a name or a description");
  }
  RETURN_IF_ERROR(Text(o, "status", &r.status, false));
  RETURN_IF_ERROR(Vocab("status", "event-status-enum", r.status));
  RETURN_IF_ERROR(List(o, "event_types", &r.event_types));
  RETURN_IF_ERROR(TimeRange(o, &r.start_time, &r.end_time));
  RETURN_IF_ERROR(List(o, "sighting_refs", &r.sighting_refs));
  RETURN_IF_ERROR(Identifiers("sighting_refs", r.sighting_refs, "sighting"));
  return r;
}

Result<LinkRequest> ReadLinkRequest(std::string_view body) {
  ASSIGN_OR_RETURN(json::object o, ReadBody(body, {"object_refs"}));
  LinkRequest r;
  RETURN_IF_ERROR(List(o, "object_refs", &r.object_refs));
  if (r.object_refs.empty()) return InvalidArgument("'object_refs' names at least one object");
  RETURN_IF_ERROR(Identifiers("object_refs", r.object_refs));
  return r;
}

Result<NoteRequest> ReadNoteRequest(std::string_view body) {
  ASSIGN_OR_RETURN(json::object o, ReadBody(body, {"content", "abstract", "object_refs"}));
  NoteRequest r;
  RETURN_IF_ERROR(Text(o, "content", &r.content, true));
  RETURN_IF_ERROR(Text(o, "abstract", &r.abstract, false));
  RETURN_IF_ERROR(List(o, "object_refs", &r.object_refs));
  RETURN_IF_ERROR(Identifiers("object_refs", r.object_refs));
  return r;
}

Result<ImpactRequest> ReadImpactRequest(std::string_view body) {
  ASSIGN_OR_RETURN(json::object o,
                   ReadBody(body, {"category", "description", "criticality", "recoverability",
                                   "start_time", "end_time", "impacted_refs", "details",
                                   "supersedes"}));
  ImpactRequest r;
  RETURN_IF_ERROR(Text(o, "category", &r.category, true));
  RETURN_IF_ERROR(Vocab("category", "impact-category", r.category));
  RETURN_IF_ERROR(Text(o, "description", &r.description, false));
  RETURN_IF_ERROR(Percent(o, "criticality", &r.criticality));
  RETURN_IF_ERROR(OptText(o, "recoverability", &r.recoverability));
  if (r.recoverability) RETURN_IF_ERROR(Vocab("recoverability", "recoverability-enum", *r.recoverability));
  RETURN_IF_ERROR(TimeRange(o, &r.start_time, &r.end_time));
  RETURN_IF_ERROR(List(o, "impacted_refs", &r.impacted_refs));
  RETURN_IF_ERROR(Identifiers("impacted_refs", r.impacted_refs));
  if (const json::value* d = o.if_contains("details")) {
    if (!d->is_object()) {
      return InvalidArgument("'details' must be an object: the members of the '" + r.category +
                             "' impact extension");
    }
    if (d->get_object().contains("extension_type")) {
      return InvalidArgument("'details': 'extension_type' is set by the hub");
    }
    r.details = json::serialize(*d);
  }
  std::optional<std::string> sup;
  RETURN_IF_ERROR(OptText(o, "supersedes", &sup));
  if (sup) {
    RETURN_IF_ERROR(Identifiers("supersedes", {*sup}, "impact"));
    r.supersedes = std::move(sup);
  }
  return r;
}

Result<OpinionRequest> ReadOpinionRequest(std::string_view body) {
  ASSIGN_OR_RETURN(json::object o, ReadBody(body, {"opinion", "explanation", "object_refs"}));
  OpinionRequest r;
  RETURN_IF_ERROR(Text(o, "opinion", &r.opinion, true));
  static constexpr SV kOpinions[] = {"strongly-disagree", "disagree", "neutral", "agree",
                                     "strongly-agree"};
  if (std::find(std::begin(kOpinions), std::end(kOpinions), SV(r.opinion)) == std::end(kOpinions)) {
    return InvalidArgument("'opinion': '" + r.opinion +
                           "' is not a value of opinion-enum (strongly-disagree, disagree, "
                           "neutral, agree, strongly-agree)");
  }
  RETURN_IF_ERROR(Text(o, "explanation", &r.explanation, false));
  RETURN_IF_ERROR(List(o, "object_refs", &r.object_refs));
  RETURN_IF_ERROR(Identifiers("object_refs", r.object_refs));
  return r;
}

Result<HandoverRequest> ReadHandoverRequest(std::string_view body) {
  ASSIGN_OR_RETURN(json::object o, ReadBody(body, {"to"}));
  HandoverRequest r;
  RETURN_IF_ERROR(Text(o, "to", &r.to, true));
  return r;
}

Release ReleaseOf(const json::object& object) {
  Release r;
  r.marking_refs = stix::ObjectMarkingRefs(object);
  const json::object* audience = detail::Ext(object, policy::kAudienceExtensionId);
  r.audience_orgs = detail::Strs(audience, "organizations");
  r.audience_accounts = detail::Strs(audience, "accounts");
  return r;
}

std::string BuildIncident(const OpenRequest& r, const Release& release, const Author& by,
                          const std::string& id) {
  json::object o = Common("incident", id, by, release);
  o["name"] = r.name;
  if (!r.description.empty()) o["description"] = r.description;
  json::object& core = Extension(o, stix::kIncidentCoreIncidentExtension, "property-extension");
  core["determination"] = r.determination;
  core["investigation_status"] = "open";
  if (r.criticality) core["criticality"] = *r.criticality;
  if (!r.incident_types.empty()) core["incident_types"] = Strings(r.incident_types);
  json::object& coord = Extension(o, policy::kCoordinationExtensionId, "property-extension");
  if (!r.sectors.empty()) coord["sectors"] = Strings(r.sectors);
  coord["opened_by"] = by.account;
  return json::serialize(o);
}

Result<std::string> NextIncidentVersion(
    const json::object& incident, const Author& by,
    const std::function<void(json::object& core, json::object& coord)>& edit) {
  const json::value* m = incident.if_contains("modified");
  if (!m || !m->is_string()) return InvalidArgument("the incident has no modified");
  auto prev = ParseTimestamp(m->get_string());
  if (!prev.ok()) return InvalidArgument("the incident's modified: " + prev.error().message());
  json::object next = incident;
  int64_t at = std::max(by.now_us, prev->micros + 1000);
  next["modified"] = Now(at);
  // Both extensions exist before either is referenced: adding one may move
  // the other (an incident posted without them, through TAXII).
  Extension(next, stix::kIncidentCoreIncidentExtension, "property-extension");
  Extension(next, policy::kCoordinationExtensionId, "property-extension");
  json::object& core = Extension(next, stix::kIncidentCoreIncidentExtension, "property-extension");
  json::object& coord = Extension(next, policy::kCoordinationExtensionId, "property-extension");
  edit(core, coord);
  coord["last_change"] = json::object{{"author", by.account},
                                      {"organization", by.organization},
                                      {"at", Now(at)}};
  return json::serialize(next);
}

std::string BuildTask(const TaskRequest& r, const Release& release, const Author& by,
                      const std::string& id, const std::string& incident_id,
                      const std::string& assignee_org, const std::string& assignee_account) {
  json::object o = Common("task", id, by, release);
  o["name"] = r.name;
  if (!r.description.empty()) o["description"] = r.description;
  o["outcome"] = "pending";
  if (r.priority) o["priority"] = *r.priority;
  o["start_time"] = Now(by.now_us);
  if (r.due) o["end_time"] = *r.due;
  Extension(o, stix::kIncidentCoreTaskExtension, "new-sdo");
  json::object& coord = Extension(o, policy::kCoordinationExtensionId, "property-extension");
  coord["incident_ref"] = incident_id;
  coord["assignee_organization"] = assignee_org;
  if (!assignee_account.empty()) coord["assignee_account"] = assignee_account;
  coord["initial_outcome"] = "pending";
  return json::serialize(o);
}

std::string BuildTaskUpdateNote(const TaskUpdateRequest& r, const Release& release,
                                const Author& by, const std::string& id,
                                const std::string& task_id, const std::string& incident_id) {
  json::object o = Common("note", id, by, release);
  std::string content = r.note;
  if (content.empty()) {
    content = "task update";
    if (r.outcome) content += ": " + *r.outcome;
    if (r.progress) content += " (" + std::to_string(*r.progress) + "%)";
  }
  o["content"] = content;
  o["object_refs"] = json::array{json::string(task_id), json::string(incident_id)};
  json::object& coord = Extension(o, policy::kCoordinationExtensionId, "property-extension");
  coord["task_ref"] = task_id;
  coord["incident_ref"] = incident_id;
  coord["author"] = by.account;
  if (r.outcome) coord["outcome"] = *r.outcome;
  if (r.progress) coord["progress"] = *r.progress;
  return json::serialize(o);
}

std::string BuildEvent(const EventRequest& r, const Release& release, const Author& by,
                       const std::string& id) {
  json::object o = Common("event", id, by, release);
  if (!r.name.empty()) o["name"] = r.name;
  if (!r.description.empty()) o["description"] = r.description;
  o["status"] = r.status;
  if (!r.event_types.empty()) o["event_types"] = Strings(r.event_types);
  if (r.start_time) o["start_time"] = *r.start_time;
  if (r.end_time) o["end_time"] = *r.end_time;
  if (!r.sighting_refs.empty()) o["sighting_refs"] = Strings(r.sighting_refs);
  Extension(o, stix::kIncidentCoreEventExtension, "new-sdo");
  return json::serialize(o);
}

std::string BuildImpact(const ImpactRequest& r, const Release& release, const Author& by,
                        const std::string& id) {
  json::object o = Common("impact", id, by, release);
  o["impact_category"] = r.category;
  if (!r.description.empty()) o["description"] = r.description;
  if (r.criticality) o["criticality"] = *r.criticality;
  if (r.recoverability) o["recoverability"] = *r.recoverability;
  o["start_time"] = r.start_time ? *r.start_time : Now(by.now_us);
  if (r.end_time) o["end_time"] = *r.end_time;
  if (!r.impacted_refs.empty()) o["impacted_refs"] = Strings(r.impacted_refs);
  Extension(o, stix::kIncidentCoreImpactExtension, "new-sdo");
  // The category extension: its members as given (the reader checked they
  // form an object), validated on the way in.
  json::object details;
  if (auto d = stix::ParseJson(r.details); d.ok() && d->is_object()) details = std::move(d->as_object());
  Extensions(o)[r.category] = std::move(details);
  return json::serialize(o);
}

Result<std::string> BuildSupersededImpact(const json::object& old, const Author& by,
                                          const std::string& new_id, const std::string& end_time) {
  const json::value* m = old.if_contains("modified");
  if (!m || !m->is_string()) return InvalidArgument("the impact has no modified");
  auto prev = ParseTimestamp(m->get_string());
  if (!prev.ok()) return InvalidArgument("the impact's modified: " + prev.error().message());
  json::object next = old;
  next["modified"] = Now(std::max(by.now_us, prev->micros + 1000));
  next["superseded_by_ref"] = new_id;
  if (!next.contains("end_time")) {
    std::string end = end_time;
    // Never before the impact's own start.
    if (const json::value* st = next.if_contains("start_time"); st && st->is_string()) {
      auto s = ParseTimestamp(st->get_string());
      auto e = ParseTimestamp(end);
      if (s.ok() && e.ok() && e->micros < s->micros) end = std::string(st->get_string());
    }
    next["end_time"] = end;
  }
  return json::serialize(next);
}

std::string BuildOpinion(const OpinionRequest& r, const Release& release, const Author& by,
                         const std::string& id, const std::string& incident_id) {
  json::object o = Common("opinion", id, by, release);
  o["opinion"] = r.opinion;
  if (!r.explanation.empty()) o["explanation"] = r.explanation;
  return AboutIncident(std::move(o), r.object_refs, incident_id, by);
}

std::string BuildLink(const Release& release, const Author& by, const std::string& id,
                      const std::string& incident_id, const std::string& target_id) {
  json::object o = Common("relationship", id, by, release);
  o["relationship_type"] = "related-to";
  o["source_ref"] = incident_id;
  o["target_ref"] = target_id;
  return json::serialize(o);
}

std::string BuildNote(const NoteRequest& r, const Release& release, const Author& by,
                      const std::string& id, const std::string& incident_id) {
  json::object o = Common("note", id, by, release);
  if (!r.abstract.empty()) o["abstract"] = r.abstract;
  o["content"] = r.content;
  return AboutIncident(std::move(o), r.object_refs, incident_id, by);
}

std::string BuildAcceptedIncident(const json::object& old, const Author& by, const std::string& id,
                                  const std::vector<std::string>& task_refs) {
  json::object o = old;
  o["id"] = id;
  o["created"] = Now(by.now_us);
  o["modified"] = Now(by.now_us);
  o["created_by_ref"] = by.organization;
  json::object& core = Extension(o, stix::kIncidentCoreIncidentExtension, "property-extension");
  json::array tasks;
  for (const auto& t : task_refs) tasks.push_back(json::object{{"task_ref", t}});
  if (tasks.empty()) {
    core.erase("tasks");
  } else {
    core["tasks"] = std::move(tasks);
  }
  json::object& coord = Extension(o, policy::kCoordinationExtensionId, "property-extension");
  for (const char* k : {"last_change", "handover_to", "handed_to", "relationship_refs"}) coord.erase(k);
  coord["derived_from_ref"] = Str(old, "id");
  coord["opened_by"] = by.account;
  return json::serialize(o);
}

std::string BuildCopiedTask(const json::object& old_task, const Author& by, const std::string& id,
                            const std::string& incident_id) {
  json::object o = old_task;
  o["id"] = id;
  o["created"] = Now(by.now_us);
  o["modified"] = Now(by.now_us);
  o["created_by_ref"] = by.organization;
  json::object& coord = Extension(o, policy::kCoordinationExtensionId, "property-extension");
  for (const char* k : {"applied_updates", "applied_count", "progress", "last_change"}) coord.erase(k);
  coord["incident_ref"] = incident_id;
  coord["initial_outcome"] = Str(old_task, "outcome").empty() ? "pending" : Str(old_task, "outcome");
  coord["copied_from_ref"] = Str(old_task, "id");
  return json::serialize(o);
}

std::string BuildDerivedFrom(const Release& release, const Author& by, const std::string& id,
                             const std::string& source, const std::string& target) {
  json::object o = Common("relationship", id, by, release);
  o["relationship_type"] = "derived-from";
  o["source_ref"] = source;
  o["target_ref"] = target;
  return json::serialize(o);
}

std::string IncidentStatus(const json::object& incident) {
  std::string s = detail::Str(detail::Ext(incident, stix::kIncidentCoreIncidentExtension), "investigation_status");
  return s.empty() ? "open" : s;
}

}  // namespace kizuna::coord
