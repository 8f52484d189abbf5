#include "policy/decision_point.h"

#include "stix/markings.h"
#include "store/store.h"

namespace kizuna::policy {

Result<std::shared_ptr<const TrustModel>> LoadTrustModel(store::Store* store) {
  ASSIGN_OR_RETURN(auto orgs, store->ListOrganizations());
  ASSIGN_OR_RETURN(auto groups, store->ListTrustGroups());
  ASSIGN_OR_RETURN(auto roots, store->ListApiRoots());
  std::vector<Org> o;
  o.reserve(orgs.size());
  for (auto& x : orgs) {
    o.push_back(Org{std::move(x.id), std::move(x.name), std::move(x.nation), std::move(x.kind),
                    std::move(x.sectors), std::move(x.clients), std::move(x.home_hub)});
  }
  std::vector<TrustGroup> g;
  g.reserve(groups.size());
  for (auto& x : groups) g.push_back(TrustGroup{std::move(x.id), std::move(x.name), std::move(x.members)});
  std::vector<CollectionPolicy> c;
  for (const auto& r : roots) {
    ASSIGN_OR_RETURN(auto cols, store->ListCollections(r.name));
    for (const auto& col : cols) {
      stix::Tlp t = stix::TlpOfMarkingRef(col.default_marking);
      c.push_back(CollectionPolicy{col.key, col.trust_group, t == stix::Tlp::kNone ? stix::Tlp::kAmber : t});
    }
  }
  return TrustModel::Build(std::move(o), std::move(g), std::move(c));
}

bool IsPeerPrincipal(const auth::Principal& principal) {
  return principal.kind == auth::Principal::Kind::kAccount && principal.HasRole("peer");
}

bool MaySeeStatus(const auth::Principal& principal, int64_t owner_account) {
  return principal.kind == auth::Principal::Kind::kAccount &&
         (owner_account == principal.account_key || principal.IsAdmin());
}

bool MayReadMetrics(const auth::Principal& principal) {
  return principal.kind == auth::Principal::Kind::kAccount && principal.IsAdmin();
}

namespace {
Reader RolesReaderFor(const TrustModel& model, const auth::Principal& principal) {
  if (principal.kind != auth::Principal::Kind::kAccount) return MakeAnonymousReader();
  // A peer hub's account (role "peer", named after the hub) receives on
  // behalf of the principals homed on that hub.
  if (IsPeerPrincipal(principal)) return MakePeerReader(model, principal.username);
  Reader r = MakeAccountReader(model, principal.username, principal.organization);
  r.deletes_any = principal.HasRole("coordinator") || principal.IsAdmin();
  return r;
}
}  // namespace

Reader ReaderFor(const TrustModel& model, const auth::Principal& principal) {
  Reader r = RolesReaderFor(model, principal);
  if (!principal.tlp_ceiling.empty()) {
    // An unknown name narrows to everything but CLEAR rather than widening.
    stix::Tlp c = stix::TlpOfLevelName(principal.tlp_ceiling);
    r.ceiling = c == stix::Tlp::kNone ? stix::Tlp::kClear : c;
  }
  return r;
}

DecisionPoint::DecisionPoint(store::Store* store, store::AuditLog* audit, const Clock* clock)
    : store_(store), audit_(audit), clock_(clock) {}

Result<std::shared_ptr<const TrustModel>> DecisionPoint::Model(bool force) {
  int64_t now = clock_->NowMicros();
  if (!force) {
    std::shared_lock lock(mu_);
    if (model_ && now - checked_us_ < 200'000) return model_;
  }
  std::unique_lock lock(mu_);
  if (!force && model_ && now - checked_us_ < 200'000) return model_;
  // Fail closed: a failed check or reload is an error for this request (the
  // caller answers 5xx), never a silent extension of a stale model.
  ASSIGN_OR_RETURN(int64_t gen, store_->DirectoryGeneration());
  if (model_ && gen == generation_) {
    checked_us_ = now;
    return model_;
  }
  ASSIGN_OR_RETURN(auto m, LoadTrustModel(store_));
  model_ = std::move(m);
  generation_ = gen;
  checked_us_ = now;
  return model_;
}

Result<ReleaseScope> DecisionPoint::Begin(const auth::Principal& principal, int64_t collection_key,
                                          std::string collection_id, Path path, std::string remote) {
  ASSIGN_OR_RETURN(auto model, Model());
  // A collection created since the last check: look again now (until then
  // the model has no policy for it and would deny everything in it).
  if (model->FindCollection(collection_key) == nullptr) {
    ASSIGN_OR_RETURN(model, Model(/*force=*/true));
  }
  Reader reader = ReaderFor(*model, principal);
  return ReleaseScope(this, std::move(model), std::move(reader), collection_key,
                      std::move(collection_id), path, std::move(remote));
}

Result<ReleaseScope> DecisionPoint::BeginAs(Reader reader, int64_t collection_key,
                                            std::string collection_id, Path path,
                                            std::string remote) {
  ASSIGN_OR_RETURN(auto model, Model());
  if (model->FindCollection(collection_key) == nullptr) {
    ASSIGN_OR_RETURN(model, Model(/*force=*/true));
  }
  return ReleaseScope(this, std::move(model), std::move(reader), collection_key,
                      std::move(collection_id), path, std::move(remote));
}

namespace {

uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

bool DecisionPoint::ShouldRecord(const std::string& reader_key, int64_t collection,
                                 int64_t date_added, int64_t now) {
  const uint64_t h = Mix(static_cast<uint64_t>(store::IdHash(reader_key)) ^
                         Mix(static_cast<uint64_t>(collection) * 0x9e3779b97f4a7c15ULL ^
                             static_cast<uint64_t>(date_added)));
  const size_t shard = h % kShards;
  std::lock_guard lock(remembered_mu_[shard]);
  Remembered& r = remembered_[shard];
  const size_t cap = audit_options_.max_remembered / kShards + 1;
  if (r.current.size() >= cap || now - r.rotated_us > audit_options_.rerecord_us) {
    r.previous.swap(r.current);
    r.current.clear();
    r.rotated_us = now;
  }
  for (auto* m : {&r.current, &r.previous}) {
    auto it = m->find(h);
    if (it != m->end() && now - it->second < audit_options_.rerecord_us) return false;
  }
  r.current[h] = now;
  return true;
}

int64_t DecisionPoint::AddWithheld(const std::string& key, int64_t withheld, int64_t now) {
  std::lock_guard lock(withheld_mu_);
  if (withheld_.size() > 100'000) withheld_.clear();  // bounded; the counts so far are lost only as summaries
  WithheldSummary& w = withheld_[key];
  if (w.count == 0) w.since_us = now;
  w.count += withheld;
  if (now - w.since_us < audit_options_.withheld_summary_us && w.count != withheld) return 0;
  int64_t out = w.count;
  w.count = 0;
  w.since_us = now;
  return out;
}

bool DecisionPoint::NoteReleaseFailure(int64_t collection, int64_t date_added) {
  release_failures_.fetch_add(1, std::memory_order_relaxed);
  const uint64_t h = Mix(static_cast<uint64_t>(collection) * 0x9e3779b97f4a7c15ULL ^
                         static_cast<uint64_t>(date_added));
  std::lock_guard lock(failed_mu_);
  if (failed_logged_.size() >= 100'000) failed_logged_.clear();  // bounded; may log again
  return failed_logged_.insert(h).second;
}

PolicyStats DecisionPoint::Stats() const {
  PolicyStats s;
  s.release_failures = release_failures_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace kizuna::policy
