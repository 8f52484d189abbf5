#pragma once
// DecisionPoint: the hub's running policy. It keeps the current TrustModel
// (rebuilt from the store when the directory generation changes, checked at
// most every 200 ms), turns principals into Readers (the role decisions:
// a `peer` account reads for the principals homed on its hub, coordinators
// and admins may delete any visible version), and opens the ReleaseScope
// through which every release path reads (release_scope.h); it records
// releases and denials in the audit log.
//
// Thread-safe. A ReleaseScope belongs to one request (one thread at a time).

#include <array>
#include <atomic>
#include <unordered_map>
#include <unordered_set>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "auth/principal.h"
#include "core/result.h"
#include "core/time.h"
#include "policy/decide.h"
#include "policy/model.h"
#include "policy/release_scope.h"
#include "store/audit_log.h"
#include "store/store.h"

namespace kizuna::policy {

// The reader a principal reads as (the role decisions live here).
Reader ReaderFor(const TrustModel& model, const auth::Principal& principal);
// True when the principal is a peer hub's account (it reads for the
// principals homed on that hub, and may ask for federation metadata).
bool IsPeerPrincipal(const auth::Principal& principal);

// A status resource lists object ids: only the account that made the
// request, or an admin, may see it (others get the 404 of a missing one).
bool MaySeeStatus(const auth::Principal& principal, int64_t owner_account);
// The hub's metrics, when they are not public: admins only.
bool MayReadMetrics(const auth::Principal& principal);

// Counters for /metrics.
struct PolicyStats {
  int64_t release_failures = 0;  // object versions withheld because their release step failed
};

// Loads the trust model from the store (organizations, trust groups,
// collections' groups and default markings).
Result<std::shared_ptr<const TrustModel>> LoadTrustModel(store::Store* store);

class DecisionPoint {
 public:
  // `store`, `audit` (may be null: no audit) and `clock` must outlive it.
  DecisionPoint(store::Store* store, store::AuditLog* audit, const Clock* clock = &SystemClock::Get());

  // The current model (reloading it when the directory changed). `force`
  // checks the directory generation now instead of at most every 200 ms.
  Result<std::shared_ptr<const TrustModel>> Model(bool force = false);

  Result<ReleaseScope> Begin(const auth::Principal& principal, int64_t collection_key,
                             std::string collection_id, Path path, std::string remote);
  // For peers and anonymous readers (federation, feeds).
  Result<ReleaseScope> BeginAs(Reader reader, int64_t collection_key, std::string collection_id,
                               Path path, std::string remote);

  store::AuditLog* audit() { return audit_; }
  store::Store* store() { return store_; }
  PolicyStats Stats() const;

  // Audit volume control (see docs/policy.md, "Audit"): a release of an
  // object version to a reader is recorded the first time and again once
  // `rerecord_us` has passed; repeats in between are not listed again.
  // Scans that withheld objects are summarized per reader, collection and
  // path at most once per `withheld_summary_us`. Denials of named objects and
  // deletions are always recorded.
  struct AuditOptions {
    int64_t rerecord_us = 3600LL * 1'000'000;
    int64_t withheld_summary_us = 60LL * 1'000'000;
    size_t max_remembered = 4'000'000;  // releases remembered (bounded memory)
  };
  void SetAuditOptions(AuditOptions o) { audit_options_ = o; }

 private:
  friend class ReleaseScope;
  // True when this (reader, object version) release must be listed now.
  bool ShouldRecord(const std::string& reader_key, int64_t collection, int64_t date_added,
                    int64_t now);
  // Adds `withheld` to the reader's summary; returns the count to record now
  // (0 while the summary window is open).
  int64_t AddWithheld(const std::string& key, int64_t withheld, int64_t now);
  // Counts a failed release step; true the first time for this version
  // (the caller logs it then: once per object version, bounded memory).
  bool NoteReleaseFailure(int64_t collection, int64_t date_added);

  store::Store* store_;
  store::AuditLog* audit_;
  const Clock* clock_;
  AuditOptions audit_options_;
  // Two generations of remembered releases (hash -> time recorded): the
  // current one and the previous; rotated when the current is full or old.
  struct Remembered {
    std::unordered_map<uint64_t, int64_t> current, previous;
    int64_t rotated_us = 0;
  };
  static constexpr size_t kShards = 16;
  std::array<std::mutex, kShards> remembered_mu_;
  std::array<Remembered, kShards> remembered_;  // GUARDED_BY(remembered_mu_[i])
  std::mutex withheld_mu_;
  struct WithheldSummary {
    int64_t since_us = 0;
    int64_t count = 0;
  };
  std::unordered_map<std::string, WithheldSummary> withheld_;  // GUARDED_BY(withheld_mu_)
  std::atomic<int64_t> release_failures_{0};
  std::mutex failed_mu_;
  std::unordered_set<uint64_t> failed_logged_;  // GUARDED_BY(failed_mu_)
  std::shared_mutex mu_;
  std::shared_ptr<const TrustModel> model_;  // GUARDED_BY(mu_)
  int64_t generation_ = -1;                  // GUARDED_BY(mu_)
  int64_t checked_us_ = 0;                   // GUARDED_BY(mu_)
};

}  // namespace kizuna::policy
