#pragma once
// The coordination API's requests (docs/coordination.md, docs/coordination.yaml):
// the JSON bodies of POSTs under /coordination/v1/{api_root}/ read into
// typed requests, and the STIX objects each request writes, built as the
// owner's (or the assignee's) next versions. Untrusted input: every reader
// here refuses, with InvalidArgument naming the member and the rule, any
// body that is not one JSON object (I-JSON, no duplicate members, bounded
// nesting: stix::ParseJson), has a member it does not know, a member of the
// wrong type or a value outside its vocabulary. Fuzzed (tests/fuzz).
//
// The builders are pure: the caller passes the principal's organization,
// its "user@hub" author name, the time and fresh ids, and gets compact JSON
// the ingest path validates and stamps like any posted object.
//
// Thread-safe: pure functions.

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace kizuna::coord {

// marking names of the API and the CLI: clear, green, amber, amber+strict, red.
// The marking-definition id, or empty for an unknown name.
std::string_view MarkingIdForName(std::string_view name);

struct OpenRequest {
  std::string collection;
  std::string name;
  std::string description;
  std::optional<int64_t> criticality;      // 0-100
  std::string determination = "suspected";  // incident-determination-enum
  std::vector<std::string> incident_types;
  std::vector<std::string> sectors;         // Kizuna sector codes
  std::string marking = "amber";            // a name of MarkingIdForName
  std::vector<std::string> audience;        // organization names or identity ids
  std::vector<std::string> audience_accounts;  // "user" or "user@hub" (TLP:RED needs one)
};
Result<OpenRequest> ReadOpenRequest(std::string_view body);

// status: "open" or "closed" (incident-investigation-ov's, the API's
// "new" kept as the vocabulary has it).
struct UpdateRequest {
  std::optional<std::string> status;
  std::optional<std::string> determination;
  std::optional<int64_t> criticality;
  std::optional<std::string> handed_to;  // reserved for the handover (not accepted yet)
};
Result<UpdateRequest> ReadUpdateRequest(std::string_view body);

struct TaskRequest {
  std::string assignee;  // organization name or id, or "user@hub"
  std::string name;
  std::string description;
  std::optional<int64_t> priority;  // 0-100
  std::optional<std::string> due;   // RFC 3339: the task's end_time
};
Result<TaskRequest> ReadTaskRequest(std::string_view body);

struct TaskUpdateRequest {
  std::optional<std::string> outcome;  // task-outcome-enum
  std::optional<int64_t> progress;     // 0-100
  std::string note;
};
Result<TaskUpdateRequest> ReadTaskUpdateRequest(std::string_view body);

struct EventRequest {
  std::string name;
  std::string description;
  std::string status = "occurred";     // event-status-enum
  std::vector<std::string> event_types;
  std::optional<std::string> start_time;
  std::optional<std::string> end_time;
  std::vector<std::string> sighting_refs;
};
Result<EventRequest> ReadEventRequest(std::string_view body);

struct LinkRequest {
  std::vector<std::string> object_refs;  // STIX identifiers
};
Result<LinkRequest> ReadLinkRequest(std::string_view body);

struct NoteRequest {
  std::string content;
  std::string abstract;
  std::vector<std::string> object_refs;  // objects of the incident the note is about
};
Result<NoteRequest> ReadNoteRequest(std::string_view body);

// An impact of the incident (Incident Core impact): its category names the
// category extension, whose members come as `details` (checked by the
// validator on the way in, like every posted object). `supersedes` names an
// impact of the incident that this one replaces (its next version gets
// `superseded_by_ref` and an end time).
struct ImpactRequest {
  std::string category;                       // impact-category
  std::string description;
  std::optional<int64_t> criticality;         // 0-100
  std::optional<std::string> recoverability;  // recoverability-enum
  std::optional<std::string> start_time;
  std::optional<std::string> end_time;
  std::vector<std::string> impacted_refs;
  std::string details = "{}";                 // the category extension's members, compact JSON
  std::optional<std::string> supersedes;      // an impact id
};
Result<ImpactRequest> ReadImpactRequest(std::string_view body);

// An opinion on the incident or objects of it (STIX opinion).
struct OpinionRequest {
  std::string opinion;      // opinion-enum: strongly-disagree ... strongly-agree
  std::string explanation;
  std::vector<std::string> object_refs;
};
Result<OpinionRequest> ReadOpinionRequest(std::string_view body);

// Ownership handover: the owner offers the incident to another organization
// (`to`: name or identity id); that organization accepts it from its own hub.
struct HandoverRequest {
  std::string to;
};
Result<HandoverRequest> ReadHandoverRequest(std::string_view body);

// Who writes, and when.
struct Author {
  std::string organization;  // identity--...
  std::string account;       // "user@hub"
  int64_t now_us = 0;
};

// What a new object copies from the incident it belongs to: markings and
// the audience extension (organizations, accounts), so that nothing of an
// incident is released to anyone the incident is not.
struct Release {
  std::vector<std::string> marking_refs;
  std::vector<std::string> audience_orgs;
  std::vector<std::string> audience_accounts;
};
// The release of an existing object (its markings and audience extension).
Release ReleaseOf(const boost::json::object& object);

// The incident a new OpenRequest describes (id given), with `release`.
std::string BuildIncident(const OpenRequest& r, const Release& release, const Author& by,
                          const std::string& id);

// The incident's next version: `edit` applied to a copy of `incident`, its
// modified the later of now and the previous plus 1 ms. InvalidArgument when
// the incident cannot be read (no modified).
Result<std::string> NextIncidentVersion(const boost::json::object& incident, const Author& by,
                                        const std::function<void(boost::json::object& core,
                                                                 boost::json::object& coord)>& edit);

// A task of the incident, assigned to an organization (and an account).
std::string BuildTask(const TaskRequest& r, const Release& release, const Author& by,
                      const std::string& id, const std::string& incident_id,
                      const std::string& assignee_org, const std::string& assignee_account);

// An assignee's (or the owner's) update of a task: a note of the author's
// own organization naming the task and the incident.
std::string BuildTaskUpdateNote(const TaskUpdateRequest& r, const Release& release,
                                const Author& by, const std::string& id,
                                const std::string& task_id, const std::string& incident_id);

std::string BuildEvent(const EventRequest& r, const Release& release, const Author& by,
                       const std::string& id);

// incident related-to object.
std::string BuildLink(const Release& release, const Author& by, const std::string& id,
                      const std::string& incident_id, const std::string& target_id);

std::string BuildNote(const NoteRequest& r, const Release& release, const Author& by,
                      const std::string& id, const std::string& incident_id);

std::string BuildImpact(const ImpactRequest& r, const Release& release, const Author& by,
                        const std::string& id);
// The next version of `old` (an impact) superseded by `new_id`: its end
// time kept, or set to `end_time` (the new impact's start, or now) when it
// has none. InvalidArgument when the impact cannot be read.
Result<std::string> BuildSupersededImpact(const boost::json::object& old, const Author& by,
                                          const std::string& new_id, const std::string& end_time);

std::string BuildOpinion(const OpinionRequest& r, const Release& release, const Author& by,
                         const std::string& id, const std::string& incident_id);

// The incident the new owner writes when it accepts a handover: a copy of
// `old` under a new id, created by `by`, with `derived_from_ref` naming the
// old incident and `tasks` replaced by `task_refs` (in order). Links, events
// and impacts are kept as references.
std::string BuildAcceptedIncident(const boost::json::object& old, const Author& by,
                                  const std::string& id, const std::vector<std::string>& task_refs);
// An open task of the old incident, copied for the new owner: a new id,
// created by `by`, in `incident_id`, same assignee, its outcome carried over,
// `copied_from_ref` naming the old task.
std::string BuildCopiedTask(const boost::json::object& old_task, const Author& by,
                            const std::string& id, const std::string& incident_id);
// A relationship `source` derived-from `target`.
std::string BuildDerivedFrom(const Release& release, const Author& by, const std::string& id,
                             const std::string& source, const std::string& target);

// The incident's state, read from its Incident Core extension ("open" when
// absent), and whether it is closed.
std::string IncidentStatus(const boost::json::object& incident);

}  // namespace kizuna::coord
