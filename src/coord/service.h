#pragma once
// The coordination API (issue 11, docs/coordination.md; OpenAPI description
// in docs/coordination.yaml): incidents worked across hubs, as JSON under
//
//   /coordination/v1/{api-root}/incidents                 GET list, POST open
//   /coordination/v1/{api-root}/incidents/{id}            GET show
//   /coordination/v1/{api-root}/incidents/{id}/bundle     GET the incident's graph (STIX bundle)
//   /coordination/v1/{api-root}/incidents/{id}/update     POST status, determination, criticality
//   /coordination/v1/{api-root}/incidents/{id}/tasks      POST a task for an organization or account
//   /coordination/v1/{api-root}/incidents/{id}/events     POST an event (the timeline)
//   /coordination/v1/{api-root}/incidents/{id}/links      POST links to other objects
//   /coordination/v1/{api-root}/incidents/{id}/notes      POST a note on the incident or its objects
//   /coordination/v1/{api-root}/tasks/{id}/updates        POST a task update (outcome, progress, note)
//
// Credentials as for TAXII (the same accounts and grants). Every object
// read is released through the decision point (Path::kCoordination): an
// incident, or a collection, the caller may not see is a 404 exactly like a
// missing one, and a show lists only the tasks, events, impacts, notes and
// linked objects the caller may see. Every write is ordinary STIX objects
// through ingest (validation, the policy's stamping with the caller as
// producer) into the store, so channels, webhooks, federation and the audit
// trail see them like any TAXII POST; a request answered 2xx is durable.
//
// An organization writes only its own objects: only the owning
// organization updates the incident and adds tasks, events and links; the
// assignee of a task (on any hub) writes update notes of its own, which the
// owner's hub folds into the task (coord/folder.h). Writes to one incident
// are serialized on this hub, so concurrent requests never lose a change.
//
// Requests run on the service's own worker threads. Thread-safe.

#include <array>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "auth/authenticator.h"
#include "coord/hints.h"
#include "coord/forward_index.h"
#include "core/thread_pool.h"
#include "core/time.h"
#include "http/message.h"
#include "policy/decision_point.h"
#include "store/store.h"

namespace kizuna::coord {

inline constexpr std::string_view kCoordinationPrefix = "/coordination/v1/";
// The largest request body the API reads.
inline constexpr int64_t kMaxRequestBody = 1 << 20;

struct ServiceOptions {
  std::string hub_name;  // this hub's federation name ("" = "local"): authors are user@hub
  size_t threads = 2;
};

class Folder;

class Service {
 public:
  // `store`, `authenticator`, `policy` and `clock` must outlive the service.
  Service(store::Store* store, auth::Authenticator* authenticator, policy::DecisionPoint* policy,
          ServiceOptions options, const Clock* clock = &SystemClock::Get());
  ~Service();

  static bool IsCoordinationPath(std::string_view path) {
    return path.substr(0, kCoordinationPrefix.size()) == kCoordinationPrefix;
  }
  // The http::Handler for paths under /coordination/v1/.
  void Handle(http::Request request, http::Respond respond);
  // The head check of a request with a body (http::HeadCheck): the caller's
  // credentials are checked before any body byte is read (401 otherwise).
  void CheckHead(http::Request head, http::HeadVerdict verdict);

  // Reads every collection into the in-memory indexes (forward_index.h) on
  // a worker, and from then on reads ahead after each commit, so that lists
  // and shows find them current. Call once, before serving.
  void Warm();

  // The lock serializing writes to one incident or task on this hub (the
  // API and the fold share it).
  std::mutex& LockFor(std::string_view id);

  // The ids of every update note of `task_id` in `collection` the note
  // index holds (whoever may see them: for the fold, which decides).
  Result<std::vector<std::string>> TaskUpdateNotes(int64_t collection, const std::string& task_id);

  // Task updates written through the API are folded by `folder` in the
  // commit that stores them (Folder::FoldInto), when the task is owned here.
  // Call before serving; `folder` must outlive the service's requests.
  void FoldWith(Folder* folder) { folder_ = folder; }

  // A read of the API (GET) as `principal`, in process and on the caller's
  // thread: for a reader the hub serves itself (a briefing lists the
  // incidents as its reader would, with its TLP ceiling). Anything but GET
  // or HEAD is a 405.
  http::Response Read(const http::Request& request, const auth::Principal& principal);

 private:
  struct Call;
  http::Response Serve(const http::Request& request, const auth::Principal& principal);

  store::Store* store_;
  auth::Authenticator* auth_;
  policy::DecisionPoint* policy_;
  ServiceOptions options_;
  const Clock* clock_;
  std::array<std::mutex, 64> locks_;
  Folder* folder_ = nullptr;
  LatestHints hints_;  // reads by id of incidents, tasks and their parts
  std::unique_ptr<ForwardIndex> notes_;  // notes and opinions by what they are about
  std::unique_ptr<ForwardIndex> links_;  // incidents by what they link, sightings by what they sight
  std::unique_ptr<ForwardIndex> parts_;  // events, tasks and impacts by id
  // Read-ahead after commits: collections with a catch-up queued; `alive`
  // false once the service is going (the store's listener outlives it).
  struct Ahead {
    std::mutex mu;
    bool alive = true;
    std::set<int64_t> pending;
  };
  std::shared_ptr<Ahead> ahead_ = std::make_shared<Ahead>();
  void ReadAhead(int64_t collection);
  std::unique_ptr<ThreadPool> pool_;  // last: joined first
};

}  // namespace kizuna::coord
