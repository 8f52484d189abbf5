#pragma once
// ChannelService: real-time channels (issue 5; protocol in docs/channels.md),
// a TAXII 2.1 extension:
//
//   GET {api-root}/collections/{id}/stream
//
// as Server-Sent Events, or as WebSocket text messages when the request is a
// WebSocket upgrade. Each event carries the newly committed object versions
// the subscriber may see (the policy decision point, Path::kStream), in
// date_added order, filtered by type (match[type]) and marking
// (match[marking]); its id is the date_added of the last object it covers
// (the cursor). A subscriber resumes with Last-Event-ID (or added_after):
// nothing is skipped or repeated. Heartbeat events carry the cursor too, so
// a subscriber that sees little still resumes from near the head.
//
// Delivery. A dispatcher thread is woken by the store's commit listener,
// reads each collection's new records once (kept in a bounded per-collection
// ring) and hands them to every live subscriber of the collection; formatted
// events are shared between subscribers that receive the same ones. A
// subscriber resuming from an older cursor, or one that cannot take the next
// event (its unsent bytes would pass max_pending_bytes), is served by a
// catch-up thread that reads the store page by page as fast as the
// subscriber reads, then rejoins live delivery from the ring. Memory per
// subscriber is bounded by max_pending_bytes; a subscriber whose connection
// makes no progress for stall_timeout_ms is dropped (it resumes with its
// cursor).
//
// Peers: a peer hub's account (role "peer") that sends
// "X-Kizuna-Federation: 1" gets the federation metadata
// (policy/federation.h) with each event, and never gets objects whose origin
// path names it.
//
// Credentials: a stream is re-checked against the credential that opened
// it (auth::Authenticator::Revalidate) whenever the directory changes, and
// ends at the credential's expiry even when nothing else changes; a token
// revoked or expired, a password changed, an account disabled or removed,
// or the read grant removed ends it with an `end` event naming the reason,
// and the connection closes.
//
// Thread-safe. Start() before the server starts; Stop() before it stops.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "auth/authenticator.h"
#include "core/time.h"
#include "http/message.h"
#include "policy/decision_point.h"
#include "stix/markings.h"
#include "store/store.h"

namespace kizuna::stream {

struct ChannelOptions {
  std::string self_hub;              // this hub's name, for federation metadata ("" = none)
  int64_t heartbeat_ms = 15'000;
  size_t max_pending_bytes = 1 << 20;  // must equal the server's max_stream_pending_bytes
  size_t max_event_bytes = 256 * 1024; // objects per event, in bytes (one larger object goes alone)
  int max_event_objects = 500;
  size_t max_subscribers = 10'000;
  int64_t audit_period_ms = 1'000;     // one audit event per subscriber and period
  // Batching of live delivery: 40 us per live subscriber, at most this (one
  // write per subscriber per round; fewer, larger writes under many).
  int64_t max_coalesce_us = 40'000;
  int64_t stall_timeout_ms = 30'000;
  int64_t poll_ms = 1'000;             // also look for objects written by other processes
  size_t ring_records = 8192;          // per collection with live subscribers
  size_t ring_bytes = 16 << 20;
};

// Channel parameters (TAXII-style names; anything else is InvalidArgument).
struct ChannelQuery {
  std::vector<std::string> types;    // match[type]
  std::vector<stix::Tlp> markings;   // match[marking]: TLP names or TLP marking-definition ids
  std::optional<int64_t> added_after_us;   // added_after
  std::optional<int64_t> last_event_id_us; // last_event_id (for WebSocket clients)
  std::optional<int64_t> heartbeat_ms;     // heartbeat (1000-300000)
};
Result<ChannelQuery> ParseChannelQuery(std::string_view raw_query);

struct ChannelStats {
  int64_t subscribers = 0;
  int64_t live = 0;
  int64_t catching_up = 0;
  int64_t events = 0;
  int64_t objects = 0;
  int64_t dropped = 0;   // stalled subscribers dropped
  int64_t demoted = 0;   // live subscribers moved to catch-up
};

class ChannelService {
 public:
  // `store`, `auth`, `policy` and `clock` must outlive the service.
  ChannelService(store::Store* store, auth::Authenticator* auth, policy::DecisionPoint* policy,
                 ChannelOptions options, const Clock* clock = &SystemClock::Get());
  ~ChannelService();

  // Registers the commit listener and starts the threads.
  void Start();
  // Ends every stream (each gets a clean end) and joins the threads. Idempotent.
  void Stop();

  // "/{api-root}/collections/{id}/stream" (with or without a trailing '/').
  static bool IsChannelPath(std::string_view path);
  void Handle(http::Request request, http::Respond respond);

  ChannelStats Stats() const;

 private:
  struct Subscriber;
  struct CollectionState;
  struct Record;
  using RecordPtr = std::shared_ptr<const store::ObjectRecord>;

  void Dispatch(http::Request request, auth::PrincipalPtr principal, http::Respond respond);
  void OnCommit(const store::CommitNotice& notice);
  void DispatcherLoop();
  void CatchUpLoop();
  void Round(int64_t collection);
  void CatchUpOne(const std::shared_ptr<Subscriber>& sub, bool* progressed);
  // Sends what `sub` may see of `records` (date_added order) after its
  // cursor. Returns false when an event did not fit (the cursor stays before
  // it).
  // Formatted events of one delivery round, shared between subscribers.
  using EventCache = std::unordered_map<std::string, std::shared_ptr<const std::string>>;
  bool Send(Subscriber& sub, const std::vector<RecordPtr>& records, int64_t scanned_upto,
            EventCache* cache = nullptr);
  // Writes released objects as events (same return as Send).
  bool Deliver(Subscriber& sub, const std::vector<policy::Released>& released,
               int64_t scanned_upto, EventCache* cache = nullptr);
  // The subscriber's own filters (match[type], markings): never the policy's.
  static bool Wants(const Subscriber& sub, const store::ObjectRecord& r);
  // Ends `sub` (false) when the credential that opened it has expired or,
  // after a directory change, no longer holds or no longer grants read
  // access; else refreshes its principal.
  bool RecheckCredential(Subscriber& sub, int64_t now_us);
  bool RenewScope(Subscriber& sub, int64_t now_us);
  static std::string Frame(const Subscriber& sub, std::string_view event, int64_t id_us,
                           std::string_view json);
  bool WriteEvent(Subscriber& sub, std::string_view event, int64_t id_us, std::string_view json);
  bool WriteChunk(Subscriber& sub, std::string chunk);
  bool WriteChunk(Subscriber& sub, std::shared_ptr<const std::string> chunk);
  void Heartbeat(Subscriber& sub, int64_t now_us);
  void EndSubscriber(Subscriber& sub, std::string_view reason);
  void Remove(const std::shared_ptr<Subscriber>& sub);

  store::Store* store_;
  auth::Authenticator* auth_;
  policy::DecisionPoint* policy_;
  ChannelOptions options_;
  const Clock* clock_;

  mutable std::mutex mu_;
  std::condition_variable dispatch_cv_;
  std::condition_variable catchup_cv_;
  std::map<int64_t, std::unique_ptr<CollectionState>> collections_;  // GUARDED_BY(mu_)
  std::set<int64_t> dirty_;                                         // GUARDED_BY(mu_)
  std::vector<std::shared_ptr<Subscriber>> catching_up_;            // GUARDED_BY(mu_)
  bool stopping_ = false;                                           // GUARDED_BY(mu_)
  bool started_ = false;                                            // GUARDED_BY(mu_)
  int64_t latest_commit_us_ = 0;                                    // GUARDED_BY(mu_)

  std::atomic<int64_t> subscribers_{0};
  std::atomic<uint64_t> next_serial_{1};
  std::atomic<int64_t> directory_generation_{-1};
  std::atomic<int64_t> generation_checked_us_{0};
  std::atomic<int64_t> events_{0}, objects_{0}, dropped_{0}, demoted_{0};
  std::thread dispatcher_, catchup_;
};

}  // namespace kizuna::stream
