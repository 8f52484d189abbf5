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
  // A peer hub's account (role "peer", named after the hub) receives on
  // behalf of the principals homed on that hub.
  Reader reader = principal.kind != auth::Principal::Kind::kAccount ? MakeAnonymousReader()
                  : principal.HasRole("peer")
                      ? MakePeerReader(*model, principal.username)
                      : MakeAccountReader(*model, principal.username, principal.organization);
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

ReleaseScope::ReleaseScope(DecisionPoint* dp, std::shared_ptr<const TrustModel> model,
                           Reader reader, int64_t collection, std::string collection_id, Path path,
                           std::string remote)
    : dp_(dp),
      model_(std::move(model)),
      reader_(std::move(reader)),
      collection_(collection),
      collection_id_(std::move(collection_id)),
      path_(path),
      remote_(std::move(remote)) {}

ReleaseScope::ReleaseScope(ReleaseScope&& o) noexcept
    : dp_(o.dp_),
      model_(std::move(o.model_)),
      reader_(std::move(o.reader_)),
      collection_(o.collection_),
      collection_id_(std::move(o.collection_id_)),
      path_(o.path_),
      remote_(std::move(o.remote_)),
      withheld_(o.withheld_),
      repeats_(o.repeats_),
      allowed_(std::move(o.allowed_)),
      denied_(std::move(o.denied_)),
      finished_(o.finished_) {
  o.dp_ = nullptr;
}

ReleaseScope::~ReleaseScope() {
  if (dp_) Finish();
}

std::function<bool(const store::ObjectRecord&)> ReleaseScope::Filter() {
  return [this](const store::ObjectRecord& r) {
    bool ok = Decide(*model_, reader_, MetaOf(r, collection_), path_).allow;
    if (!ok) ++withheld_;
    return ok;
  };
}

std::string ReleaseScope::ReaderKey() const {
  return reader_.kind == Reader::Kind::kPeer ? "peer:" + reader_.hub : reader_.account;
}

Decision ReleaseScope::DecideOne(const store::ObjectRecord& r) {
  return Decide(*model_, reader_, MetaOf(r, collection_), path_);
}

Status ReleaseScope::Released(std::vector<store::ObjectRecord>* records) {
  // Without a working audit log nothing that must be audited is released.
  const bool audit_ok = dp_->audit_ == nullptr || dp_->audit_->Healthy();
  for (auto& r : *records) {
    ObjectMeta meta = MetaOf(r, collection_);
    Decision d = Decide(*model_, reader_, meta, path_);
    if (!d.allow) {
      // The scan's filter should have removed it; never release by mistake.
      return Internal("a record the policy denies reached the release step");
    }
    std::string marking(stix::TlpName(d.tlp));
    if (d.redact && !r.raw.empty()) {
      ASSIGN_OR_RETURN(std::string redacted, Redact(*model_, reader_, meta, r.raw));
      marking += redacted.size() != r.raw.size() || redacted != r.raw ? " +granular (redacted)"
                                                                       : " +granular";
      r.raw = std::move(redacted);
    } else if (r.granular) {
      marking += " +granular";
    }
    // Every AMBER+ release, and every release of granular-marked content
    // (whose parts may be stricter than the object), is audited: listed the
    // first time this reader receives the version, and again after the
    // re-record interval. Deletions are always listed.
    if (d.tlp >= stix::Tlp::kAmber || r.granular || path_ == Path::kTaxiiDelete) {
      if (!audit_ok) {
        return Unavailable("the audit log cannot be written; releases that must be audited are withheld");
      }
      if (path_ == Path::kTaxiiDelete ||
          dp_->ShouldRecord(ReaderKey(), collection_, r.date_added_us, dp_->clock_->NowMicros())) {
        allowed_.objects.push_back(store::AuditObject{r.id, r.version_us, std::move(marking)});
      } else {
        ++repeats_;
      }
    }
  }
  return Status::Ok();
}

void ReleaseScope::Denied(const store::ObjectRecord& r, Reason reason) {
  Decision d = Decide(*model_, reader_, MetaOf(r, collection_), path_);
  denied_.objects.push_back(store::AuditObject{r.id, r.version_us, std::string(stix::TlpName(d.tlp))});
  if (denied_.reason.empty()) denied_.reason = std::string(ReasonText(reason));
}

void ReleaseScope::Finish() {
  if (finished_ || dp_ == nullptr) return;
  finished_ = true;
  store::AuditLog* log = dp_->audit_;
  if (log == nullptr) return;
  const int64_t now = dp_->clock_->NowMicros();
  auto fill = [&](store::AuditEvent& e, bool allowed) {
    e.time_us = now;
    e.path = std::string(PathName(path_));
    e.account = reader_.kind == Reader::Kind::kPeer ? "peer:" + reader_.hub : reader_.account;
    e.organization = reader_.org;
    e.collection = collection_id_;
    e.remote = remote_;
    e.allowed = allowed;
  };
  // Withheld counts are summarized per reader, collection and path.
  const int64_t withheld =
      withheld_ > 0 ? dp_->AddWithheld(ReaderKey() + "|" + collection_id_ + "|" +
                                           std::string(PathName(path_)),
                                       withheld_, now)
                    : 0;
  if (!allowed_.objects.empty() || withheld > 0) {
    fill(allowed_, true);
    allowed_.withheld = withheld;
    log->Append(std::move(allowed_));
  }
  if (!denied_.objects.empty()) {
    fill(denied_, false);
    log->Append(std::move(denied_));
  }
}

}  // namespace kizuna::policy
