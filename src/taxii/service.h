#pragma once
// Service: the TAXII 2.1 API (OASIS TAXII Version 2.1, §4-5) over the store:
// server discovery, API roots, status, collections, objects (get, add, get
// one, delete, versions) and manifests, with every filter and `next` paging.
//
// Transport-free: it consumes http::Request values and produces
// http::Response values (no Beast), so it is tested without sockets as well
// as through the real server.
//
// Access: every endpoint needs credentials (401 otherwise); a collection is
// visible only to accounts with a grant on it, and one you cannot see answers
// 404 exactly like one that does not exist (no existence leaks); reading
// needs can_read and writing can_write (403). Within a collection, every
// object released (objects, object, versions, manifest) is decided by the
// policy through a policy::ReleaseScope (the only way objects are read for
// release), and an object the reader may not see is indistinguishable from
// a missing one. Posts are prepared by ingest/ with the producer the policy
// derives from the principal.
//
// Thread-safe: Handle() may be called concurrently from any thread.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authenticator.h"
#include "core/time.h"
#include "http/message.h"
#include "ingest/ingest.h"
#include "policy/decision_point.h"
#include "store/store.h"
#include "taxii/errors.h"

namespace kizuna::taxii {

struct ServiceOptions {
  std::string title = "Kizuna TAXII 2.1 hub";
  std::string description;
  std::string contact;
  std::string default_api_root;  // API root name; "" = no default
  // Base of the absolute URLs in discovery ("https://hub.example.org"); ""
  // derives it from the request's scheme and Host header.
  std::string public_base_url;
  int64_t default_page = 100;
  int64_t max_page = 1000;
  // The largest envelope accepted when an API root does not say otherwise.
  int64_t default_max_content_length = 10 * 1024 * 1024;
  // Bound of the cache of policy-filtered GET responses (taxii/response_cache.h);
  // 0 turns it off.
  size_t response_cache_bytes = 64u << 20;

  // ---- federation (issue 5) ----
  // This hub's name: a peer hub's account (role "peer") that sends
  // "X-Kizuna-Federation: 1" gets the federation metadata
  // (policy/federation.h) beside the objects of GET objects / get object,
  // and its posts are stamped as its hub's (policy::ProducerFor).
  // "" = federation off. A peer never gets objects whose origin path names it.
  std::string hub_name;
};

// Metrics the service keeps (read by /metrics).
struct ServiceCounters {
  std::atomic<int64_t> objects_accepted{0};
  std::atomic<int64_t> objects_rejected{0};
  std::atomic<int64_t> objects_duplicate{0};
  std::atomic<int64_t> objects_served{0};
  std::atomic<int64_t> response_cache_hits{0};
  std::atomic<int64_t> response_cache_misses{0};
};

class ResponseCache;

class Service {
 public:
  // `store`, `authenticator`, `policy` and `clock` must outlive the service.
  Service(store::Store* store, auth::Authenticator* authenticator, policy::DecisionPoint* policy,
          ServiceOptions options, const Clock* clock = &SystemClock::Get());
  ~Service();

  // The http::Handler for every TAXII path.
  void Handle(http::Request request, http::Respond respond);

  // The http::BodyLimit: the API root's max_content_length for POSTs to its
  // objects endpoint, a small limit for everything else.
  int64_t BodyLimit(const http::Request& head);

  // The http::HeadCheck: decides a request that carries a body from its
  // head, before the body is read, answering exactly what the full request
  // would. A path that is no TAXII resource: 404. Otherwise credentials
  // first (401, or 429 after repeated failures). For POST to an objects
  // endpoint, then: 406, 404 for an unknown API root or a collection the
  // principal may not see (as for a missing one), 415 for a wrong
  // Content-Type, 403 without can_write, 400 for a query parameter. Anything
  // else passes (nullopt): no other TAXII endpoint reads a body, which is
  // held to 64 KiB by BodyLimit and answered by Handle as before.
  void CheckHead(http::Request head, http::HeadVerdict verdict);

  const ServiceCounters& counters() const { return counters_; }

 private:
  struct Route;
  class Directory;

  void Dispatch(const Route& route, http::Request request, auth::PrincipalPtr principal,
                http::Respond respond);
  // What refuses a POST to an objects endpoint before its body is read
  // (406, 404 root or collection, 415, 403, 400), in that order; nullopt
  // when it may proceed. Used by CheckHead and by Dispatch.
  std::optional<http::Response> RefusePost(const Route& route, const http::Request& head,
                                           const auth::Principal& principal);

  http::Response Discovery(const http::Request& request, const auth::Principal& principal);
  http::Response ApiRootInfo(const store::ApiRoot& root);
  http::Response GetStatus(const Route& route, const auth::Principal& principal);
  http::Response ListCollections(const Route& route, const auth::Principal& principal);
  http::Response GetCollection(const store::Collection& c, const auth::Principal& principal);
  http::Response GetObjects(const Route& route, const store::Collection& c,
                            const http::Request& request, const auth::Principal& principal,
                            bool manifest);
  http::Response GetObject(const Route& route, const store::Collection& c,
                           const http::Request& request, const auth::Principal& principal,
                           bool versions_only);
  http::Response DeleteObject(const Route& route, const store::Collection& c,
                              const http::Request& request, const auth::Principal& principal);
  void AddObjects(const Route& route, const store::Collection& c, http::Request request,
                  const auth::Principal& principal, http::Respond respond);

  // The response cache: the key of this request's response ("" = not
  // cacheable), a cached response after the release step (nullopt on a
  // miss), and keeping a freshly built one (its records lose their raw).
  std::string CacheKey(const policy::ReleaseScope& scope, int64_t collection, char endpoint,
                       std::string_view object_id, const http::Request& request, bool federation);
  std::optional<http::Response> ServeCached(const std::string& key, policy::ReleaseScope* scope,
                                            bool count_served);
  void KeepCached(const std::string& key, const http::Response& response,
                  std::vector<store::ObjectRecord>* records, int64_t withheld);

  store::Store* store_;
  auth::Authenticator* auth_;
  policy::DecisionPoint* policy_;
  ServiceOptions options_;
  const Clock* clock_;
  std::unique_ptr<Directory> directory_;
  ServiceCounters counters_;
  std::unique_ptr<ResponseCache> cache_;
};

}  // namespace kizuna::taxii
