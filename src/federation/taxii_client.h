#pragma once
// TaxiiClient: Kizuna's TAXII 2.1 client for federation, on http::Client
// (Beast, TLS, keep-alive, timeouts). Every call that fails for a reason
// worth retrying (connection or I/O failure, timeout, 429, 500, 502, 503,
// 504) is retried with exponential backoff and full jitter up to
// max_attempts; the others are returned at once: PermissionDenied (401,
// 403), NotFound (404), InvalidArgument (other 4xx, or a malformed
// response).
//
// Responses are untrusted: envelopes are split with stix::SplitObjects (each
// object's exact bytes) and the Kizuna federation metadata is parsed with
// policy::DecodePeerMeta; anything malformed is InvalidArgument, with an
// excerpt of the peer's answer in the message.
//
// Any TAXII 2.1 server (issue 17): every member of an envelope is optional
// (TAXII 2.1 §3.7: {} is an empty page; "more" without "next", "next"
// without "more"); requests always name the versioned media type
// (application/taxii+json;version=2.1: some servers answer 406 to the bare
// one); API roots that a discovery document places on another host or port
// are taken on the configured one (credentials go nowhere else).
//
// Not thread-safe (one client per link thread), except Interrupt().

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "http/client.h"
#include "policy/federation.h"
#include "stream/sse.h"

namespace kizuna::federation {

// Exponential backoff with full jitter: the n-th delay is uniform in
// [0, min(max, initial * 2^n)] (so that many clients retrying after one
// outage spread out).
class Backoff {
 public:
  Backoff(int64_t initial_ms, int64_t max_ms);
  int64_t NextMs();
  void Reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  int64_t initial_ms_, max_ms_;
  int attempt_ = 0;
  std::mt19937_64 rng_;
};

struct TaxiiClientOptions {
  http::ClientOptions http;
  int max_attempts = 4;
  int64_t initial_backoff_ms = 100;
  int64_t max_backoff_ms = 5000;
};

struct ObjectsPage {
  std::string body;                       // owns the bytes below
  std::vector<std::string_view> objects;  // each object's exact bytes
  std::optional<policy::PeerEnvelopeMeta> meta;
  // Whether another page follows: the envelope's "more" when present, else
  // whether it has a "next" (TAXII 2.1 §3.7 makes both optional).
  bool more = false;
  std::string next;             // the envelope's "next", "" when absent
  std::string date_added_last;  // X-TAXII-Date-Added-Last, "" when absent
};

// A peer's API root as this hub uses it.
struct ApiRoot {
  std::string url;         // with a trailing '/'
  std::string advertised;  // what the discovery document said, when it named
                           // another origin (then `url` is its path on the
                           // configured origin); "" otherwise
};

struct AddResult {
  int64_t successes = 0;
  int64_t failures = 0;
  std::vector<std::string> failure_messages;  // "id: message", at most 10
};

// Splits an envelope-shaped body (TAXII envelope, channel event) into its
// objects, the federation metadata, "more" and "next". A JSON object without
// "objects" (or with "objects": null) is a page without objects. InvalidArgument when
// malformed (not a JSON object, "objects" not an array of objects, "more"
// not a boolean, "next" not a string) or when the metadata does not have one
// entry per object; the message ends with an excerpt of the body.
Status ParseEnvelope(ObjectsPage* page);

// At most `max` bytes of a peer's answer for a log line: control and
// non-ASCII bytes shown as '?', the total size when cut.
std::string AnswerExcerpt(std::string_view body, size_t max = 200);

// Where a discovery document's API root URL `advertised` (absolute or
// relative, RFC 3986) is used: resolved against the configured discovery URL
// and, when it names another scheme, host or port, its path on the
// configured origin (`*moved` set). InvalidArgument for a URL that does not
// parse. The result has a trailing '/', no query and no fragment.
Result<std::string> ApiRootOnConfiguredOrigin(std::string_view configured,
                                              std::string_view advertised, bool* moved);

class TaxiiClient {
 public:
  // `authorization`: the Authorization header value ("" = none).
  TaxiiClient(TaxiiClientOptions options, std::string authorization);

  // A discovery URL (path ending in "/taxii2/") resolves to its default API
  // root, or to its only one (placed on the configured origin:
  // ApiRootOnConfiguredOrigin); any other URL is taken as an API root.
  Result<ApiRoot> ResolveApiRoot(const std::string& url);

  // GET {api_root}collections/{id}/objects/ with match[version]=all, in
  // date_added order; `added_after` and `next` ("" = none) as given (a
  // continuation repeats the filters of the request that gave its token).
  // `federation`: ask a Kizuna peer for the metadata.
  Result<ObjectsPage> GetObjects(const std::string& api_root, const std::string& collection,
                                 const std::string& added_after, int limit, bool federation,
                                 const std::string& next = "");

  // For servers that send no X-TAXII-Date-Added-Last: the greatest date_added
  // of the page's objects by the collection's manifest (TAXII 2.1 §5.3: GET
  // .../manifest/ with match[id] of the page's ids, added after
  // `added_after`; an object is matched by id and version, its "modified",
  // else "created", else by id alone). InvalidArgument when the manifest does
  // not list one of them; the errors of a call otherwise.
  Result<std::string> LastDateAddedFromManifest(const std::string& api_root,
                                                const std::string& collection,
                                                const std::string& added_after,
                                                const ObjectsPage& page);
  // GET .../objects/{id}/?match[version]=<version> (for objects a channel
  // left out as too large).
  Result<ObjectsPage> GetObjectVersion(const std::string& api_root, const std::string& collection,
                                       const std::string& id, const std::string& version,
                                       bool federation);
  // POST an envelope body to .../objects/; reads the status resource.
  Result<AddResult> AddObjects(const std::string& api_root, const std::string& collection,
                               const std::string& envelope);

  // Opens the channel GET .../stream (Server-Sent Events) resuming after
  // `last_event_id` ("" = from now) and calls on_event for every event until
  // it returns false (then OK) or the stream ends or fails (Unavailable, or
  // the error the peer answered). The first event of a Kizuna channel is
  // "open". No retries here: the caller decides (it polls meanwhile).
  // `heartbeat_ms` (0 = the peer's default) asks for heartbeats that often.
  Status Subscribe(const std::string& api_root, const std::string& collection,
                   const std::string& last_event_id, bool federation, int64_t heartbeat_ms,
                   std::chrono::milliseconds idle_timeout,
                   const std::function<bool(stream::SseEvent&&)>& on_event);

  // Thread-safe: makes the call in progress fail soon and every later one
  // fail at once (stopping the link that owns the client).
  void Interrupt();
  bool interrupted() const { return interrupted_.load(); }

  // The number of attempts the last call made (for tests and metrics).
  int last_attempts() const { return last_attempts_; }
  // The HTTP status of the last response (0: none, the connection failed).
  int last_http_status() const { return last_http_status_; }

 private:
  Result<http::ClientResponse> SendWithRetries(std::string_view method, const std::string& url,
                                               const std::vector<http::Header>& headers,
                                               std::string_view body);
  std::vector<http::Header> Headers(bool federation, bool post) const;
  void Sleep(int64_t ms);

  TaxiiClientOptions options_;
  std::string authorization_;
  http::Client client_;
  Backoff backoff_;
  std::atomic<bool> interrupted_{false};
  int last_attempts_ = 0;
  int last_http_status_ = 0;
  std::mutex stream_mu_;
  http::Client* stream_client_ = nullptr;  // GUARDED_BY(stream_mu_): the open channel's client
};

// Maps an HTTP status of a TAXII response to a Status (OK for 2xx).
Status StatusForHttp(int http_status, std::string_view body);
bool IsRetryable(const Status& status);

// "Basic base64(user:password)" or "Bearer token".
std::string AuthorizationHeader(std::string_view scheme, std::string_view user,
                                std::string_view secret);

}  // namespace kizuna::federation
