#pragma once
// DecisionPoint: the hub's running policy. It keeps the current TrustModel
// (rebuilt from the store when the directory generation changes, checked at
// most every 200 ms), turns principals into Readers, answers Decide() for
// every release path, and records releases and denials in the audit log.
//
// Release paths use it like this:
//   auto scope = dp.Begin(principal, collection_key, Path::kTaxiiObjects, remote);
//   query.visible = scope.Filter();          // one decision per candidate row
//   ... run the query ...
//   scope.Released(records);                 // audit AMBER+ releases, count withheld
//   scope.Finish();                          // one audit event for the request
//
// Thread-safe. A ReleaseScope belongs to one request (one thread at a time).

#include <array>
#include <atomic>
#include <unordered_map>
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
#include "store/audit_log.h"
#include "store/store.h"

namespace kizuna::policy {

// Loads the trust model from the store (organizations, trust groups,
// collections' groups and default markings).
Result<std::shared_ptr<const TrustModel>> LoadTrustModel(store::Store* store);

class DecisionPoint;

class ReleaseScope {
 public:
  ReleaseScope(ReleaseScope&& other) noexcept;
  ReleaseScope& operator=(ReleaseScope&&) = delete;
  ~ReleaseScope();

  // The store's visibility predicate for this reader, collection and path.
  std::function<bool(const store::ObjectRecord&)> Filter();
  // One decision (for a single-object path).
  Decision DecideOne(const store::ObjectRecord& record);
  // Records what is released to the reader (the AMBER, AMBER+STRICT and RED
  // ones are listed in the audit event), and replaces raw with the redacted
  // copy where granular markings require it.
  Status Released(std::vector<store::ObjectRecord>* records);
  // Records an explicit denial (a request that named an object the reader may
  // not see), with the reason.
  void Denied(const store::ObjectRecord& record, Reason reason);
  // Writes the audit event (if anything is to be recorded). Called by the
  // destructor when not called before.
  void Finish();

  const Reader& reader() const { return reader_; }
  int64_t withheld() const { return withheld_; }
  // The model this scope decides with (its serial keys caches of filtered
  // results, with the reader).
  const TrustModel& model() const { return *model_; }
  // Counts objects a cached result withheld (as the filter would have).
  void CountWithheld(int64_t n) { withheld_ += n; }

 private:
  friend class DecisionPoint;
  ReleaseScope(DecisionPoint* dp, std::shared_ptr<const TrustModel> model, Reader reader,
               int64_t collection, std::string collection_id, Path path, std::string remote);

  DecisionPoint* dp_;
  std::shared_ptr<const TrustModel> model_;
  Reader reader_;
  int64_t collection_;
  std::string collection_id_;
  Path path_;
  std::string remote_;
  std::string ReaderKey() const;

  int64_t withheld_ = 0;
  int64_t repeats_ = 0;  // audited-level releases already recorded recently
  store::AuditEvent allowed_, denied_;
  bool finished_ = false;
};

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
  std::shared_mutex mu_;
  std::shared_ptr<const TrustModel> model_;  // GUARDED_BY(mu_)
  int64_t generation_ = -1;                  // GUARDED_BY(mu_)
  int64_t checked_us_ = 0;                   // GUARDED_BY(mu_)
};

}  // namespace kizuna::policy
