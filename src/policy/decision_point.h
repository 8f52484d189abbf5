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

#include <atomic>
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
  int64_t withheld_ = 0;
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

 private:
  friend class ReleaseScope;
  store::Store* store_;
  store::AuditLog* audit_;
  const Clock* clock_;
  std::shared_mutex mu_;
  std::shared_ptr<const TrustModel> model_;  // GUARDED_BY(mu_)
  int64_t generation_ = -1;                  // GUARDED_BY(mu_)
  int64_t checked_us_ = 0;                   // GUARDED_BY(mu_)
};

}  // namespace kizuna::policy
