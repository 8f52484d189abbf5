#include "coord/service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <functional>
#include <map>
#include <set>

#include "coord/folder.h"
#include "coord/requests.h"
#include "coord/task_fold.h"
#include "coord/call.h"
#include "core/uuid.h"
#include "http/target.h"
#include "ingest/ingest.h"
#include "policy/extensions.h"
#include "policy/stamp.h"
#include "stix/incident_core.h"
#include "stix/object.h"
#include "taxii/errors.h"

namespace kizuna::coord {

namespace json = boost::json;
using SV = std::string_view;

namespace detail {


http::Response Json(int status, const boost::json::value& body) {
  http::Response r;
  r.status = status;
  r.headers.push_back({"content-type", "application/json"});
  r.headers.push_back({"cache-control", "no-store"});
  r.body = boost::json::serialize(body);
  return r;
}

// The query string's parameters (percent-decoded); repeated names keep the last.
std::map<std::string, std::string> QueryParams(std::string_view raw) {
  std::map<std::string, std::string> out;
  size_t s = 0;
  while (s <= raw.size() && !raw.empty()) {
    size_t e = raw.find('&', s);
    if (e == std::string_view::npos) e = raw.size();
    std::string_view pair = raw.substr(s, e - s);
    size_t eq = pair.find('=');
    std::string k, v;
    if (http::PercentDecode(pair.substr(0, eq), &k) &&
        (eq == std::string_view::npos || http::PercentDecode(pair.substr(eq + 1), &v))) {
      out[k] = v;
    }
    if (e == raw.size()) break;
    s = e + 1;
  }
  return out;
}

Result<int64_t> IntParam(const std::map<std::string, std::string>& params, const std::string& name,
                         int64_t fallback, int64_t min, int64_t max) {
  auto it = params.find(name);
  if (it == params.end()) return fallback;
  char* end = nullptr;
  const long long n = std::strtoll(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end != '\0' || n < min || n > max) {
    return InvalidArgument("'" + name + "' must be an integer from " + std::to_string(min) + " to " +
                           std::to_string(max));
  }
  return static_cast<int64_t>(n);
}


Status ReadByIds(policy::ReleaseScope& scope, int64_t collection, const std::vector<std::string>& ids,
                 bool with_raw, bool audit_named,
                 const std::function<void(store::ObjectRecord&)>& each,
                 const std::vector<int64_t>* after) {
  for (size_t i = 0; i < ids.size(); i += 500) {
    store::ObjectQuery q;
    q.collection = collection;
    const auto end = static_cast<ptrdiff_t>(std::min(ids.size(), i + 500));
    q.ids.assign(ids.begin() + static_cast<ptrdiff_t>(i), ids.begin() + end);
    if (after != nullptr && after->size() == ids.size()) {
      q.ids_added_after.assign(after->begin() + static_cast<ptrdiff_t>(i), after->begin() + end);
    }
    q.limit = 1000;
    q.with_raw = with_raw;
    std::optional<int64_t> cursor;
    for (;;) {
      ASSIGN_OR_RETURN(auto page, scope.Read(q, cursor, nullptr, audit_named));
      for (auto& r : page.records) each(r);
      if (!page.more || page.last_us == 0) break;
      cursor = page.last_us;
    }
  }
  return Status::Ok();
}

std::optional<Located> PickLineage(std::vector<store::ObjectRecord> records, bool creator_only) {
  // A second producer posting the same id starts a lineage of its own
  // (docs/policy.md): the object is the lineage of the organization its
  // content names as creator, never a copy someone else posted.
  for (auto& r : records) {
    auto parsed = stix::ParseJson(r.raw);
    if (!parsed.ok() || !parsed->is_object()) continue;
    const json::value* by = parsed->as_object().if_contains("created_by_ref");
    if (!by || !by->is_string() || by->get_string() != r.producer) continue;
    return Located{{}, std::move(r), std::move(parsed->as_object())};
  }
  if (creator_only) return std::nullopt;
  for (auto& r : records) {
    auto parsed = stix::ParseJson(r.raw);
    if (parsed.ok() && parsed->is_object()) {
      return Located{{}, std::move(r), std::move(parsed->as_object())};
    }
  }
  return std::nullopt;
}

}  // namespace detail

using namespace detail;

Author Service::Call::By() const {
  return Author{principal.organization,
                principal.username + "@" +
                    (svc->options_.hub_name.empty() ? "local" : svc->options_.hub_name),
                svc->clock_->NowMicros()};
}

// The collections of the API root the caller may read.
Result<std::vector<store::Collection>> Service::Call::Readable() {
  ASSIGN_OR_RETURN(auto cols, svc->store_->ListCollections(api_root));
  std::vector<store::Collection> out;
  for (auto& c : cols) {
    if (principal.Access(c.key).can_read) out.push_back(std::move(c));
  }
  return out;
}

// The latest version the caller may see of `id`, in any readable
// collection. NotFound (a 404, like a missing one) otherwise.
Result<Located> Service::Call::Find(const std::string& id, bool creator_only) {
  ASSIGN_OR_RETURN(auto cols, Readable());
  for (const auto& c : cols) {
    ASSIGN_OR_RETURN(auto scope, svc->policy_->Begin(principal, c.key, c.id,
                                                     policy::Path::kCoordination, remote));
    // From where the creator's latest version was last found (hints.h),
    // then, if nothing is there, from the start.
    const int64_t hint = creator_only ? svc->hints_.After(c.key, id) : 0;
    for (int pass = hint > 0 ? 0 : 1; pass < 2; ++pass) {
      store::ObjectQuery q;
      q.ids = {id};
      if (pass == 0) q.ids_added_after = {hint};
      q.limit = 16;
      ASSIGN_OR_RETURN(auto page, scope.Read(q, std::nullopt));
      if (auto l = PickLineage(std::move(page.records), creator_only)) {
        l->collection = c;
        if (creator_only) svc->hints_.Found(c.key, id, l->record.date_added_us);
        return std::move(*l);
      }
    }
  }
  return NotFound("no incident, task or object " + id + " you may see");
}

// Validates, stamps and writes `objects` as the caller into `c`; the
// first refusal is the answer (nothing written).
Status Service::Call::Write(const store::Collection& c, const std::vector<std::string>& objects, bool fold) {
  if (!principal.Access(c.key).can_write) {
    return PermissionDenied("you may not write to collection " + c.id);
  }
  std::vector<std::string_view> views(objects.begin(), objects.end());
  ingest::RefusedMarkings refused(svc->store_);
  ingest::Prepared p = ingest::PrepareObjects(
      views, c.key, *model, policy::ProducerFor(principal, svc->options_.hub_name), &refused);
  if (!p.failures.empty()) {
    return InvalidArgument(p.failures.front().id + ": " + p.failures.front().message);
  }
  std::shared_ptr<void> held;
  if (fold && svc->folder_ != nullptr) held = svc->folder_->FoldInto(&p.batch);
  auto w = svc->store_->WriteSync(std::move(p.batch));
  if (!w.ok()) return w.error();
  return Status::Ok();
}

// The incident, which must be the caller's organization's own.
Result<Located> Service::Call::OwnIncident(const std::string& id) {
  ASSIGN_OR_RETURN(Located l, Find(id));
  if (l.record.type != "incident") return NotFound("no incident " + id + " you may see");
  if (l.record.producer != principal.organization) {
    return PermissionDenied(
        "only the organization that owns incident " + id +
        " changes it; assignees report on their tasks with task updates");
  }
  return l;
}

// An organization (name or id) of the trust model.
Result<std::string> Service::Call::OrgId(const std::string& name_or_id) {
  if (const policy::Org* o = model->FindOrg(name_or_id)) return o->id;
  if (const policy::Org* o = model->FindOrgByName(name_or_id)) return o->id;
  return InvalidArgument("unknown organization '" + name_or_id +
                         "' (an organization's name or identity id)");
}

// An assignee: an organization (name or id), or an account "user@hub"
// ("user" alone: an account of this hub). Returns (organization, account).
Result<std::pair<std::string, std::string>> Service::Call::Assignee(
    const std::string& who, const std::vector<std::string>& audience) {
  if (auto org = OrgId(who); org.ok()) return std::make_pair(*org, std::string());
  const std::string self = svc->options_.hub_name.empty() ? "local" : svc->options_.hub_name;
  // "ORG/user@hub": the account's organization named.
  std::string account = who, named_org;
  if (size_t slash = who.rfind('/'); slash != std::string::npos) {
    ASSIGN_OR_RETURN(named_org, OrgId(who.substr(0, slash)));
    account = who.substr(slash + 1);
  }
  size_t at = account.rfind('@');
  std::string user = at == std::string::npos ? account : account.substr(0, at);
  std::string hub = at == std::string::npos ? self : account.substr(at + 1);
  if (user.empty() || hub.empty()) return InvalidArgument("unknown assignee '" + who + "'");
  if (hub == self) {
    ASSIGN_OR_RETURN(auto a, svc->store_->FindAccount(user));
    if (!a.has_value() || a->disabled || (!named_org.empty() && a->organization != named_org)) {
      return InvalidArgument("unknown assignee '" + who +
                             "': not an organization, nor an account of this hub");
    }
    return std::make_pair(a->organization, user + "@" + self);
  }
  // An account of a peer hub: its organization is one homed there, named,
  // or the only one of the incident's audience homed there.
  std::vector<std::string> candidates;
  for (const std::string& o : model->OrgsHomedOn(hub)) {
    bool fits = named_org.empty() ? (audience.empty() || std::find(audience.begin(), audience.end(), o) != audience.end())
                                  : o == named_org;
    if (fits) candidates.push_back(o);
  }
  if (candidates.size() != 1) {
    return InvalidArgument(
        "unknown assignee '" + who + "': " +
        (candidates.empty() ? "no organization of the incident's audience is homed on hub " + hub
                            : "several organizations are homed on hub " + hub +
                                  "; name it as ORG/user@hub"));
  }
  return std::make_pair(candidates.front(), user + "@" + hub);
}


Service::Service(store::Store* store, auth::Authenticator* authenticator,
                 policy::DecisionPoint* policy, ServiceOptions options, const Clock* clock)
    : store_(store),
      auth_(authenticator),
      policy_(policy),
      options_(std::move(options)),
      clock_(clock),
      notes_(MakeNoteIndex(store)),
      links_(MakeLinkIndex(store)),
      parts_(MakePartIndex(store)),
      pool_(std::make_unique<ThreadPool>(std::max<size_t>(1, options_.threads))) {}

Service::~Service() {
  {
    std::lock_guard lock(ahead_->mu);
    ahead_->alive = false;
  }
  pool_.reset();
}

void Service::ReadAhead(int64_t collection) {
  for (ForwardIndex* index : {notes_.get(), links_.get(), parts_.get()}) {
    if (Status s = index->Refresh(collection); !s.ok()) {
      spdlog::warn("coordination: the indexes of collection {} could not be read ahead: {}", collection,
                   s.message());
      return;
    }
  }
}

void Service::Warm() {
  pool_->Post([this] {
    auto roots = store_->ListApiRoots();
    if (!roots.ok()) return;
    for (const auto& root : *roots) {
      auto cols = store_->ListCollections(root.name);
      if (!cols.ok()) continue;
      for (const auto& c : *cols) ReadAhead(c.key);
    }
  });
  store_->AddCommitListener([this, ahead = ahead_](const store::CommitNotice& notice) {
    std::lock_guard lock(ahead->mu);
    if (!ahead->alive || !ahead->pending.insert(notice.collection).second) return;
    pool_->Post([this, ahead, collection = notice.collection] {
      {
        std::lock_guard lock(ahead->mu);
        ahead->pending.erase(collection);
        if (!ahead->alive) return;
      }
      ReadAhead(collection);
    });
  });
}

Result<std::vector<std::string>> Service::TaskUpdateNotes(int64_t collection, const std::string& task_id) {
  std::vector<std::string> ids;
  Status s = notes_->About(collection, {task_id}, [&](size_t, const IndexedObject& n) {
    if (n.task_ref == task_id) ids.push_back(n.meta.id);
  });
  if (!s.ok()) return s;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

std::mutex& Service::LockFor(std::string_view id) {
  return locks_[std::hash<std::string_view>{}(id) % locks_.size()];
}

void Service::Handle(http::Request request, http::Respond respond) {
  std::string remote = request.RemoteHost();
  const std::string* authz = request.FindHeader("authorization");
  auth_->Authenticate(authz, remote, [this, request = std::move(request), respond](
                                         Result<auth::PrincipalPtr> p) mutable {
    if (!p.ok()) {
      http::Response r = taxii::ErrorFor(p.error());
      r.route = "coordination";
      respond(std::move(r));
      return;
    }
    auth::PrincipalPtr principal = std::move(p).value();
    pool_->Post([this, request = std::move(request), principal, respond]() {
      http::Response r = Serve(request, *principal);
      r.route = "coordination";
      r.principal = principal->username;
      respond(std::move(r));
    });
  });
}

void Service::CheckHead(http::Request head, http::HeadVerdict verdict) {
  std::string remote = head.RemoteHost();
  const std::string* authz = head.FindHeader("authorization");
  auth_->Authenticate(authz, remote, [verdict](Result<auth::PrincipalPtr> p) {
    if (!p.ok()) {
      http::Response r = taxii::ErrorFor(p.error());
      r.route = "coordination";
      verdict(std::move(r));
      return;
    }
    verdict(std::nullopt);
  });
}

http::Response Service::Read(const http::Request& request, const auth::Principal& principal) {
  if (request.method != "GET" && request.method != "HEAD") {
    return taxii::Error(405, "Method Not Allowed", "an in-process read is a GET");
  }
  return Serve(request, principal);
}

http::Response Service::Serve(const http::Request& req, const auth::Principal& principal) {
  // coordination / v1 / api-root / ...
  std::vector<std::string> seg = http::PathSegments(req.path);
  if (seg.size() < 4) return taxii::Error(404, "Not Found", "no such coordination resource");
  auto root = store_->ListApiRoots();
  if (!root.ok()) return taxii::ErrorFor(root.error());
  bool known = std::any_of(root->begin(), root->end(),
                           [&](const store::ApiRoot& r) { return r.name == seg[2]; });
  if (!known) return taxii::Error(404, "Not Found", "no such API root");
  auto model = policy_->Model();
  if (!model.ok()) return taxii::ErrorFor(model.error());
  Call call{this, principal, seg[2], req.RemoteHost(), *model};
  const std::string& m = req.method;
  const bool get = m == "GET" || m == "HEAD";
  auto method_not_allowed = [](const char* allow) {
    http::Response r = taxii::Error(405, "Method Not Allowed", "see the Allow header");
    r.headers.push_back({"allow", allow});
    return r;
  };
  if (seg[3] == "incidents") {
    if (seg.size() == 4) {
      if (get) return call.List(req);
      if (m == "POST") return call.Open(req);
      return method_not_allowed("GET, HEAD, POST");
    }
    const std::string& id = seg[4];
    if (seg.size() == 5) {
      if (get) return call.Show(id, false, req);
      return method_not_allowed("GET, HEAD");
    }
    if (seg.size() == 6) {
      const std::string& what = seg[5];
      if (what == "bundle") return get ? call.Show(id, true, req) : method_not_allowed("GET, HEAD");
      if (m != "POST") return method_not_allowed("POST");
      if (what == "update") return call.Update(id, req);
      if (what == "tasks") return call.AddTask(id, req);
      if (what == "events") return call.AddEvent(id, req);
      if (what == "links") return call.Link(id, req);
      if (what == "notes") return call.AddNote(id, req);
      if (what == "impacts") return call.AddImpact(id, req);
      if (what == "opinions") return call.AddOpinion(id, req);
      if (what == "handover") return call.Handover(id, req);
      if (what == "accept") return call.Accept(id);
    }
  } else if (seg[3] == "tasks" && seg.size() == 6 && seg[5] == "updates") {
    if (m != "POST") return method_not_allowed("POST");
    return call.UpdateTask(seg[4], req);
  }
  return taxii::Error(404, "Not Found", "no such coordination resource");
}

http::Response Service::Call::Open(const http::Request& req) {
  auto r = ReadOpenRequest(req.body);
  if (!r.ok()) return taxii::ErrorFor(r.error());
  auto cols = svc->store_->ListCollections(api_root);
  if (!cols.ok()) return taxii::ErrorFor(cols.error());
  const store::Collection* c = nullptr;
  for (const auto& x : *cols) {
    if ((x.id == r->collection || (!x.alias.empty() && x.alias == r->collection)) &&
        principal.Access(x.key).can_read) {
      c = &x;
    }
  }
  if (c == nullptr) return taxii::Error(404, "Not Found", "no collection " + r->collection);
  Release release;
  release.marking_refs.emplace_back(MarkingIdForName(r->marking));
  for (const auto& a : r->audience) {
    auto org = OrgId(a);
    if (!org.ok()) return taxii::ErrorFor(org.error());
    if (std::find(release.audience_orgs.begin(), release.audience_orgs.end(), *org) ==
        release.audience_orgs.end()) {
      release.audience_orgs.push_back(*org);
    }
  }
  // The owner is always among the readers of its own incident.
  if (!release.audience_orgs.empty() &&
      std::find(release.audience_orgs.begin(), release.audience_orgs.end(),
                principal.organization) == release.audience_orgs.end()) {
    release.audience_orgs.push_back(principal.organization);
  }
  release.audience_accounts = r->audience_accounts;
  Author by = By();
  std::string id = "incident--" + NewUuidV4();
  Status s = Write(*c, {BuildIncident(*r, release, by, id)});
  if (!s.ok()) return taxii::ErrorFor(s);
  return Json(201, json::object{{"id", id}, {"collection", c->id}});
}

http::Response Service::Call::Update(const std::string& id, const http::Request& req) {
  auto r = ReadUpdateRequest(req.body);
  if (!r.ok()) return taxii::ErrorFor(r.error());
  std::lock_guard lock(svc->LockFor(id));
  auto l = OwnIncident(id);
  if (!l.ok()) return taxii::ErrorFor(l.error());
  if (IncidentStatus(l->object) == "closed" && r->status.value_or("closed") == "closed") {
    return taxii::ErrorFor(FailedPrecondition("incident " + id +
                                              " is closed: reopen it (status open) to change it"));
  }
  auto next = NextIncidentVersion(l->object, By(), [&](json::object& core, json::object& coord) {
    if (r->status) core["investigation_status"] = *r->status;
    if (r->determination) core["determination"] = *r->determination;
    if (r->criticality) core["criticality"] = *r->criticality;
    (void)coord;
  });
  if (!next.ok()) return taxii::ErrorFor(next.error());
  Status s = Write(l->collection, {*next});
  if (!s.ok()) return taxii::ErrorFor(s);
  return Json(200, json::object{{"id", id}, {"status", IncidentStatus(json::parse(*next).as_object())}});
}

Result<Located> Service::Call::OwnOpenIncident(const std::string& id) {
  ASSIGN_OR_RETURN(Located l, OwnIncident(id));
  if (IncidentStatus(l.object) == "closed") {
    return FailedPrecondition("incident " + id + " is closed: reopen it (status open) to change it");
  }
  return l;
}

http::Response Service::Call::AddTask(const std::string& id, const http::Request& req) {
  auto r = ReadTaskRequest(req.body);
  if (!r.ok()) return taxii::ErrorFor(r.error());
  std::lock_guard lock(svc->LockFor(id));
  auto l = OwnOpenIncident(id);
  if (!l.ok()) return taxii::ErrorFor(l.error());
  Release release = ReleaseOf(l->object);
  auto who = Assignee(r->assignee, release.audience_orgs);
  if (!who.ok()) return taxii::ErrorFor(who.error());
  if (!release.audience_orgs.empty() &&
      std::find(release.audience_orgs.begin(), release.audience_orgs.end(), who->first) ==
          release.audience_orgs.end()) {
    return taxii::ErrorFor(InvalidArgument(
        "the assignee's organization is not in the incident's audience: it could not see the task"));
  }
  Author by = By();
  std::string task_id = "task--" + NewUuidV4();
  std::string task = BuildTask(*r, release, by, task_id, id, who->first, who->second);
  auto next = NextIncidentVersion(l->object, by, [&](json::object& core, json::object&) {
    json::value& tasks = core["tasks"];
    if (!tasks.is_array()) tasks = json::array();
    tasks.as_array().push_back(json::object{{"task_ref", task_id}});
  });
  if (!next.ok()) return taxii::ErrorFor(next.error());
  Status s = Write(l->collection, {task, *next});
  if (!s.ok()) return taxii::ErrorFor(s);
  return Json(201, json::object{{"id", task_id},
                                {"incident", id},
                                {"assignee_organization", who->first},
                                {"assignee_account", who->second}});
}

http::Response Service::Call::UpdateTask(const std::string& task_id, const http::Request& req) {
  auto r = ReadTaskUpdateRequest(req.body);
  if (!r.ok()) return taxii::ErrorFor(r.error());
  auto l = Find(task_id);
  if (!l.ok()) return taxii::ErrorFor(l.error());
  if (l->record.type != "task") return taxii::Error(404, "Not Found", "no task " + task_id + " you may see");
  TaskCoordination tc = ReadTaskCoordination(l->object);
  const json::value* owner = l->object.if_contains("created_by_ref");
  const bool is_owner = owner && owner->is_string() && owner->get_string() == principal.organization;
  if (!is_owner && tc.assignee_organization != principal.organization) {
    return taxii::ErrorFor(PermissionDenied(
        "only the task's assignee or the organization that owns it reports on task " + task_id));
  }
  // The incident the task belongs to: the caller must see it too.
  if (tc.incident_ref.empty()) {
    return taxii::Error(404, "Not Found", "task " + task_id + " belongs to no incident");
  }
  auto incident = Find(tc.incident_ref);
  if (!incident.ok()) {
    return taxii::Error(404, "Not Found",
                        "task " + task_id + " belongs to no incident you may see");
  }
  if (IncidentStatus(incident->object) == "closed") {
    return taxii::ErrorFor(FailedPrecondition("incident " + tc.incident_ref + " is closed"));
  }
  const std::string& incident_id = tc.incident_ref;
  std::string note_id = "note--" + NewUuidV4();
  std::string note = BuildTaskUpdateNote(*r, ReleaseOf(l->object), By(), note_id, task_id, incident_id);
  Status s = Write(l->collection, {note}, /*fold=*/true);
  if (!s.ok()) return taxii::ErrorFor(s);
  return Json(201, json::object{{"id", note_id}, {"task", task_id}, {"incident", incident_id}});
}


http::Response Service::Call::AddEvent(const std::string& id, const http::Request& req) {
  auto r = ReadEventRequest(req.body);
  if (!r.ok()) return taxii::ErrorFor(r.error());
  std::lock_guard lock(svc->LockFor(id));
  auto l = OwnOpenIncident(id);
  if (!l.ok()) return taxii::ErrorFor(l.error());
  Author by = By();
  std::string event_id = "event--" + NewUuidV4();
  std::string event = BuildEvent(*r, ReleaseOf(l->object), by, event_id);
  auto next = NextIncidentVersion(l->object, by, [&](json::object& core, json::object&) {
    json::value& events = core["events"];
    if (!events.is_array()) events = json::array();
    events.as_array().push_back(json::object{{"event_ref", event_id}});
  });
  if (!next.ok()) return taxii::ErrorFor(next.error());
  Status s = Write(l->collection, {event, *next});
  if (!s.ok()) return taxii::ErrorFor(s);
  return Json(201, json::object{{"id", event_id}, {"incident", id}});
}

http::Response Service::Call::Link(const std::string& id, const http::Request& req) {
  auto r = ReadLinkRequest(req.body);
  if (!r.ok()) return taxii::ErrorFor(r.error());
  std::lock_guard lock(svc->LockFor(id));
  auto l = OwnOpenIncident(id);
  if (!l.ok()) return taxii::ErrorFor(l.error());
  // Only what the caller may see can be linked (a 404 otherwise, as for a
  // missing object): a link never tells anyone that an object exists.
  for (const std::string& target : r->object_refs) {
    auto t = Find(target, /*creator_only=*/false);
    if (!t.ok()) return taxii::ErrorFor(t.error());
  }
  Author by = By();
  Release release = ReleaseOf(l->object);
  std::vector<std::string> objects;
  json::array ids;
  std::vector<std::string> added;
  const std::vector<std::string> have = Strs(Ext(l->object, policy::kCoordinationExtensionId), "linked_refs");
  for (const std::string& target : r->object_refs) {
    bool known = std::find(have.begin(), have.end(), target) != have.end();
    if (known || std::find(added.begin(), added.end(), target) != added.end()) continue;
    std::string rel_id = "relationship--" + NewUuidV4();
    objects.push_back(BuildLink(release, by, rel_id, id, target));
    ids.emplace_back(rel_id);
    added.push_back(target);
  }
  if (added.empty()) return Json(200, json::object{{"incident", id}, {"relationships", json::array()}});
  auto next = NextIncidentVersion(l->object, by, [&](json::object&, json::object& coord) {
    json::value& links = coord["linked_refs"];
    if (!links.is_array()) links = json::array();
    for (const auto& t : added) links.as_array().emplace_back(t);
    json::value& rels = coord["relationship_refs"];
    if (!rels.is_array()) rels = json::array();
    for (const auto& r : ids) rels.as_array().push_back(r);
  });
  if (!next.ok()) return taxii::ErrorFor(next.error());
  objects.push_back(*next);
  Status s = Write(l->collection, objects);
  if (!s.ok()) return taxii::ErrorFor(s);
  return Json(201, json::object{{"incident", id}, {"relationships", std::move(ids)}});
}

http::Response Service::Call::AddNote(const std::string& id, const http::Request& req) {
  auto r = ReadNoteRequest(req.body);
  if (!r.ok()) return taxii::ErrorFor(r.error());
  return Comment(id, r->object_refs, "note", [&](const Release& release, const Author& by, const std::string& new_id) {
    return BuildNote(*r, release, by, new_id, id);
  });
}

http::Response Service::Call::Comment(
    const std::string& id, const std::vector<std::string>& object_refs, const std::string& type,
    const std::function<std::string(const Release&, const Author&, const std::string&)>& build) {
  auto l = Find(id);
  if (!l.ok() || l->record.type != "incident") {
    return taxii::Error(404, "Not Found", "no incident " + id + " you may see");
  }
  // Only about what the caller may see (a 404 otherwise, as for a missing object).
  for (const std::string& target : object_refs) {
    auto t = Find(target, /*creator_only=*/false);
    if (!t.ok()) return taxii::ErrorFor(t.error());
  }
  std::string new_id = type + "--" + NewUuidV4();
  Status s = Write(l->collection, {build(ReleaseOf(l->object), By(), new_id)});
  if (!s.ok()) return taxii::ErrorFor(s);
  return Json(201, json::object{{"id", new_id}, {"incident", id}});
}

}  // namespace kizuna::coord
