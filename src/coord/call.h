#pragma once
// Private to coord/: one coordination API request (Service::Call), shared by
// service.cc (routing and writes) and view.cc (list, show, bundle). Every
// read goes through a policy::ReleaseScope (Path::kCoordination); every
// write through ingest with the caller as producer.

#include <boost/json/fwd.hpp>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "auth/principal.h"
#include "coord/members.h"
#include "coord/priority.h"
#include "coord/requests.h"
#include "coord/service.h"
#include "core/time.h"
#include "http/message.h"
#include "http/target.h"
#include "policy/model.h"
#include "policy/release_scope.h"
#include "store/store.h"

namespace kizuna::coord {

// An object found for the caller: where, its stored record, its JSON.
struct Located {
  store::Collection collection;
  store::ObjectRecord record;
  boost::json::object object;
};

// What the caller may see across the API root, read once per request for
// lists, correlation and priority.
struct Picture {
  std::vector<Located> incidents;  // the creator's lineage, latest version
  // Linked object id -> the incidents (indexes) that link it; only objects
  // the caller may see.
  std::map<std::string, std::vector<size_t>> incidents_by_ref;
  // Linked object id -> the organization of each sighting of it the caller
  // may see ("" when the sighting names none).
  std::map<std::string, std::vector<std::string>> sightings_by_ref;
  // The impacts the incidents list (impact_refs) that the caller may see.
  std::map<std::string, boost::json::object> impacts;
};

// An incident found in the link index: where to read it, and its place in
// the list order.
struct IncidentHit {
  std::optional<Timestamp> at;  // its modified
  std::string id, producer;
  size_t collection = 0;        // index into the caller's readable collections
  int64_t date_added = 0;       // of the version the index holds
};

// What correlation reads of one linked object the caller may see: the
// incidents linking it (the first id, and whether there are several: the
// same id in two collections is one incident) and the organizations
// involved (theirs and those its sightings name, each once), and how many
// sightings it has.
struct LinkedFacts {
  std::string first_id;
  bool several = false;
  int64_t sightings = 0;
  std::vector<std::string> orgs;
};
using LinkedMap = std::unordered_map<std::string, LinkedFacts>;

// What a priority reads of an incident's own facts (its facet, its owner's
// sectors), before impacts and correlation.
PriorityInputs InputsOf(const IncidentFacet& facet, const policy::TrustModel& model);

// The priority score of an incident from the index: its facet (which lists
// no impacts), its organization, what it links, `linked` (the objects the
// caller may see; any other is not in it) and whether another incident
// links one of them: what PriorityOf gives from its picture.
int64_t ScoreOf(const IncidentFacet& facet, std::string_view producer, const std::vector<std::string>& refs,
                const LinkedMap& linked, bool others, const policy::TrustModel& model);

// The correlation facts of incident `i` of `picture` (coord/priority.h).
CorrelationFacts Correlate(const Picture& picture, size_t i, const policy::TrustModel& model);
// Whether an incident's sector list matches a filter: a Kizuna code, or a
// US or Japanese critical-infrastructure sector name (the crosswalk).
// The priority of incident `i` of `picture`, with its correlation.
Priority PriorityOf(const Picture& picture, size_t i, const policy::TrustModel& model,
                    CorrelationFacts* correlation);
bool SectorMatches(const std::vector<std::string>& sectors, std::string_view filter);

namespace detail {
http::Response Json(int status, const boost::json::value& body);
// The query string's parameters (percent-decoded); a repeated name keeps the last.
std::map<std::string, std::string> QueryParams(std::string_view raw);
// The integer parameter `name` (`fallback` when absent); InvalidArgument
// naming the range when it is not an integer from `min` to `max`.
Result<int64_t> IntParam(const std::map<std::string, std::string>& params, const std::string& name,
                         int64_t fallback, int64_t min, int64_t max);
// Reads the released versions (default: the latest per lineage) of `ids` in
// the scope's collection, 500 ids per query, page by page, calling `each`.
// `after` (optional, parallel to `ids`): per id, where to start
// (store::ObjectQuery::ids_added_after).
Status ReadByIds(policy::ReleaseScope& scope, int64_t collection, const std::vector<std::string>& ids,
                 bool with_raw, bool audit_named,
                 const std::function<void(store::ObjectRecord&)>& each,
                 const std::vector<int64_t>* after = nullptr);
// Of the latest versions of one id (one per lineage), the one whose
// producer is the creator its content names; unless `creator_only`, the
// first one when none is (objects without a creator: link targets).
std::optional<Located> PickLineage(std::vector<store::ObjectRecord> records, bool creator_only);
}  // namespace detail

// One request: the principal, its API root, and the reads and writes it
// makes, every read through a ReleaseScope.
struct Service::Call {
  Service* svc;
  const auth::Principal& principal;
  std::string api_root;
  std::string remote;
  std::shared_ptr<const policy::TrustModel> model;

  // The author of what this call writes: the caller's organization and
  // "user@hub", now.
  Author By() const;
  // The collections of the API root the caller may read.
  Result<std::vector<store::Collection>> Readable();
  // The latest version the caller may see of `id`, in any readable
  // collection. NotFound (a 404, like a missing one) otherwise.
  // `creator_only`: only the lineage of the creator the content names (an
  // incident, a task: never a copy another party posted).
  Result<Located> Find(const std::string& id, bool creator_only = true);
  // Validates, stamps and writes `objects` as the caller into `c`; the first
  // refusal is the answer (nothing written). `fold`: the task updates among
  // them are folded in the same commit (Service::FoldWith); only for a
  // caller that holds no lock (the fold takes the tasks').
  Status Write(const store::Collection& c, const std::vector<std::string>& objects, bool fold = false);
  // The incident, which must be the caller's organization's own
  // (PermissionDenied otherwise; NotFound when the caller cannot see it).
  Result<Located> OwnIncident(const std::string& id);
  // OwnIncident, and still open (FailedPrecondition, a 422, when closed).
  Result<Located> OwnOpenIncident(const std::string& id);
  // An organization of the trust model by name or identity id.
  Result<std::string> OrgId(const std::string& name_or_id);
  // An assignee: an organization (name or id), or an account "user@hub"
  // ("user" alone: an account of this hub; "ORG/user@hub" names the
  // organization of a peer hub's account, else it is the one organization
  // of `audience` homed on that hub). (organization, "user@hub" or "").
  Result<std::pair<std::string, std::string>> Assignee(const std::string& who,
                                                       const std::vector<std::string>& audience);

  // service.cc: the writes.
  http::Response Open(const http::Request& req);
  http::Response Update(const std::string& id, const http::Request& req);
  http::Response AddTask(const std::string& id, const http::Request& req);
  http::Response UpdateTask(const std::string& task_id, const http::Request& req);
  http::Response AddEvent(const std::string& id, const http::Request& req);
  http::Response Link(const std::string& id, const http::Request& req);
  http::Response AddNote(const std::string& id, const http::Request& req);
  // A note or an opinion (`type`) on the incident by anyone who may see it,
  // about objects of it the caller may see: `build(release, author, new id)`.
  http::Response Comment(const std::string& id, const std::vector<std::string>& object_refs,
                         const std::string& type,
                         const std::function<std::string(const Release&, const Author&, const std::string&)>& build);
  // impacts.cc: impacts (superseded over time) and opinions.
  http::Response AddImpact(const std::string& id, const http::Request& req);
  http::Response AddOpinion(const std::string& id, const http::Request& req);
  // handover.cc: ownership handover.
  http::Response Handover(const std::string& id, const http::Request& req);
  http::Response Accept(const std::string& id);
  // view.cc: the reads.
  http::Response List(const http::Request& req);
  // The list, from the link index (`min_priority` -1: no priority filter).
  http::Response ListIndexed(const std::string& status, const std::string& sector, const std::string& nation,
                             const std::string& organization, const std::optional<Timestamp>& since,
                             int64_t limit, int64_t min_priority);
  // Incidents found in the link index, read through the caller's scopes
  // (one read per collection), each at the version the index holds;
  // nullopt where it was deleted or changed since.
  Result<std::vector<std::optional<Located>>> ReadHits(const std::vector<IncidentHit>& hits,
                                                       const std::vector<store::Collection>& cols);
  // `notes=N` (0-10000, default 100): the show lists the N latest notes and
  // opinions (the bundle has them all).
  http::Response Show(const std::string& id, bool bundle, const http::Request& req);
  // picture.cc: what correlates incidents (the linked objects the caller
  // may see, the other incidents linking them, their sightings).
  // The picture around one incident (the first of `incidents`): what
  // correlates it, from the link index (forward_index.h).
  // `readable` (optional): the caller's readable collections, when known.
  Result<Picture> ReadPictureAround(Located incident, const std::vector<store::Collection>* readable = nullptr);
  // The pictures around several incidents (a list's page), with what they
  // share read once: the caller's scopes and decisions, which linked
  // objects and impacts it may see. The other incidents of a picture carry
  // their record's id, producer and type only (what correlation reads).
  // What correlation reads of `refs` (linked objects) from the link index,
  // for the caller: those it may see, with the incidents and sightings of
  // them it may see, as ReadPicturesAround finds them.
  Result<LinkedMap> ReadLinked(const std::vector<std::string>& refs, const std::vector<store::Collection>& cols);
  // Each incident is moved into its picture (the first of its incidents).
  Result<std::vector<Picture>> ReadPicturesAround(std::vector<Located> incidents,
                                                  const std::vector<store::Collection>* readable = nullptr);
};

}  // namespace kizuna::coord
