#pragma once
// FederationService: this hub's links to its peer hubs (issue 5; peers are
// configured with `kizuna admin peer`, federation/peer.h).
//
// Inbound ("in" flows), one link per flow, pulled by this hub:
//  - from a Kizuna peer: a channel subscription (GET .../stream with
//    federation metadata, resuming after the stored cursor) for low latency;
//    when the channel is down, polling with TAXII GET (added_after, the same
//    cursor) until the channel can be opened again;
//  - from a plain TAXII 2.1 server: polling every poll_interval_ms, in
//    whatever form TAXII 2.1 allows the server to answer
//    (federation/taxii_poll.h); "nothing new" is a success.
//  Objects are loop-checked, validated and stamped (ingest::PrepareObjects
//  with the peer as producer: policy::StampFromPeer), and
//  written with the link's cursor in the same commit (WriteBatch::cursor):
//  after a crash the link resumes exactly after the last object it stored.
//  Writes are pipelined (the next page is read and validated while the
//  previous one commits) but submitted strictly in order, one at a time.
//
// Outbound pushes ("out" flows of peers with push set): a pusher per peer,
// woken by the store's commit listener, reads the objects after its cursor
// that the peer may receive (a ReleaseScope with the peer as reader:
// DecisionPoint::BeginAs(MakePeerReader(...), ..., Path::kFederation), which
// also never releases an object whose origin path names the peer), and
// POSTs them (with
// federation metadata to a Kizuna peer); the cursor moves only after the
// peer accepted them. Delivery is at least once; the receiver is idempotent
// by (id, version).
//
// Every call to a peer retries with backoff and jitter (taxii_client.h);
// links that fail back off and try again, forever, until stopped. A link
// logs a failure once (with the peer's answer), not at every retry; repeats
// go to debug, and the recovery to info.
//
// Peer records are re-read when the directory generation changes: adding,
// changing or removing a peer takes effect without a restart.
//
// Thread-safe. Start() after the store is open; Stop() before it closes.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "auth/sealed.h"
#include "core/time.h"
#include "federation/peer.h"
#include "federation/taxii_client.h"
#include "policy/decision_point.h"
#include "store/store.h"

namespace kizuna::federation {

struct FederationOptions {
  std::string self_hub;                // this hub's name (required for federation)
  TaxiiClientOptions client;
  int64_t reload_ms = 500;             // how often peer records are checked
  int64_t link_max_backoff_ms = 30'000;  // longest wait before a failed link tries again
  size_t max_batch_objects = 5000;     // inbound: objects per write
  size_t max_queue_objects = 20000;    // inbound: validated objects waiting for the writer
  int64_t channel_heartbeat_ms = 5000; // asked of the peer's channel
  int64_t channel_retry_ms = 2000;     // after a channel failure, poll; try the channel again after this
  int poll_page = 1000;
  int push_page = 500;
  size_t push_max_bytes = 4 << 20;
  // Called by an inbound link's writer with each batch of a peer's objects
  // before it is written: it may append objects derived from them to be
  // stored in the same commit (the coordination fold, issue 11). What it
  // returns is held until the write has returned (the derived objects'
  // locks). Null: nothing is derived.
  std::function<std::shared_ptr<void>(store::WriteBatch*)> before_write;
};

struct FederationStats {
  int64_t peers = 0;
  int64_t channels_open = 0;
  int64_t objects_in = 0;       // added by inbound links
  int64_t objects_out = 0;      // accepted by peers from pushes
  int64_t polls = 0;            // TAXII GET pages read
  int64_t channel_failures = 0;
  int64_t push_failures = 0;
  int64_t rejected_in = 0;      // objects from peers that failed validation or stamping
  int64_t looped = 0;           // objects skipped because they had passed this hub
};

// One peer's link as this hub sees it (for the dashboard's federation health).
struct PeerHealth {
  std::string peer;
  int64_t inbound_ok_us = 0;  // the last time a poll round or a channel event came through (0: never)
  int64_t push_ok_us = 0;     // the last push round that completed (0: never, or nothing pushed to it)
  int64_t channels_open = 0;  // inbound channels open now
  std::string error;          // the current failure ("" when the links work)
  int64_t error_since_us = 0;
};

class FederationService {
 public:
  // `store`, `policy`, `sealer` (may be null: sealed secrets cannot be
  // opened) and `clock` must outlive the service.
  FederationService(store::Store* store, policy::DecisionPoint* policy,
                    const auth::SecretSealer* sealer, FederationOptions options,
                    const Clock* clock = &SystemClock::Get());
  ~FederationService();

  // Registers the commit listener and starts the supervisor.
  void Start();
  void Stop();  // idempotent

  FederationStats Stats() const;
  // Every running peer's links, by peer name.
  std::vector<PeerHealth> Health() const;

  // The Authorization header value for a peer's stored credential.
  Result<std::string> Authorization(const PeerConfig& peer) const;

 private:
  class InboundLink;
  class Pusher;
  struct Running;
  friend class InboundLink;
  friend class Pusher;

  void Supervise();
  void Reload();
  void OnCommit(const store::CommitNotice& notice);
  // A link reports on itself ("in:<remote collection>" or "push"): it
  // worked (`error` empty) or failed with `error`; `channels` changes its
  // count of open channels.
  void NoteHealth(const std::string& peer, const std::string& link, const std::string& error, int channels = 0);

  store::Store* store_;
  policy::DecisionPoint* policy_;
  const auth::SecretSealer* sealer_;
  FederationOptions options_;
  const Clock* clock_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  bool started_ = false;   // GUARDED_BY(mu_)
  std::map<std::string, std::unique_ptr<Running>> running_;  // by peer name; supervisor thread only
  int64_t generation_ = -1;                                  // supervisor thread only
  std::thread supervisor_;

  // Pushers wait on this; the commit listener bumps it.
  std::mutex commit_mu_;
  std::condition_variable commit_cv_;
  uint64_t commits_ = 0;  // GUARDED_BY(commit_mu_)

  struct LinkHealth {
    int64_t ok_us = 0;  // its last success
    int64_t channels_open = 0;
    std::string error;
    int64_t error_since_us = 0;
  };
  mutable std::mutex health_mu_;
  std::map<std::string, std::map<std::string, LinkHealth>> health_;  // GUARDED_BY(health_mu_): peer -> link -> health

  std::atomic<int64_t> channels_open_{0}, objects_in_{0}, objects_out_{0}, polls_{0},
      channel_failures_{0}, push_failures_{0}, rejected_in_{0}, looped_{0}, peers_{0};
};

}  // namespace kizuna::federation
