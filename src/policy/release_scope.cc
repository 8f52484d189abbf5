#include "policy/release_scope.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "policy/decision_point.h"
#include "stix/markings.h"

namespace kizuna::policy {

ReleaseScope::ReleaseScope(DecisionPoint* dp, std::shared_ptr<const TrustModel> model,
                           Reader reader, int64_t collection, std::string collection_id, Path path,
                           std::string remote)
    : dp_(dp),
      model_(std::move(model)),
      reader_(std::move(reader)),
      collection_(collection),
      collection_id_(std::move(collection_id)),
      path_(path),
      remote_(std::move(remote)),
      audit_ok_(dp_->audit_ == nullptr || dp_->audit_->Healthy()) {}

ReleaseScope::ReleaseScope(ReleaseScope&& o) noexcept
    : dp_(o.dp_),
      model_(std::move(o.model_)),
      reader_(std::move(o.reader_)),
      collection_(o.collection_),
      collection_id_(std::move(o.collection_id_)),
      path_(o.path_),
      remote_(std::move(o.remote_)),
      audit_ok_(o.audit_ok_),
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

std::function<bool(const store::ObjectRecord&)> ReleaseScope::Visible() const {
  return [model = model_.get(), reader = &reader_, collection = collection_,
          path = path_](const store::ObjectRecord& r) {
    return Decide(*model, *reader, MetaOf(r, collection), path).allow;
  };
}

std::string ReleaseScope::ReaderKey() const {
  return reader_.kind == Reader::Kind::kPeer ? "peer:" + reader_.hub : reader_.account;
}

Result<bool> ReleaseScope::ReleaseOne(const store::ObjectRecord& r, const Decision& d,
                                      std::string* redacted, bool* is_redacted) {
  *is_redacted = false;
  std::string marking(stix::TlpName(d.tlp));
  if (d.redact && !r.raw.empty()) {
    Result<std::string> copy = Redact(*model_, reader_, MetaOf(r, collection_), r.raw);
    if (!copy.ok()) {
      // This object cannot be released; the others still are.
      ++withheld_;
      denied_.objects.push_back(store::AuditObject{r.id, r.version_us, std::move(marking)});
      if (denied_.reason.empty()) denied_.reason = std::string(ReasonText(Reason::kReleaseFailed));
      if (dp_->NoteReleaseFailure(collection_, r.date_added_us)) {
        spdlog::error("policy: {} version {} in collection {} withheld: its release step failed: {}",
                      r.id, r.version_us, collection_id_, copy.error().message());
      }
      return false;
    }
    if (*copy != r.raw) {
      marking += " +granular (redacted)";
      *redacted = std::move(copy).value();
      *is_redacted = true;
    } else {
      marking += " +granular";
    }
  } else if (r.granular) {
    marking += " +granular";
  }
  // Every AMBER+ release, and every release of granular-marked content
  // (whose parts may be stricter than the object), is audited: listed the
  // first time this reader receives the version, and again after the
  // re-record interval. Deletions are always listed.
  if (d.tlp >= stix::Tlp::kAmber || r.granular || path_ == Path::kTaxiiDelete) {
    if (!audit_ok_) {
      return Unavailable(
          "the audit log cannot be written; releases that must be audited are withheld");
    }
    if (path_ == Path::kTaxiiDelete ||
        dp_->ShouldRecord(ReaderKey(), collection_, r.date_added_us, dp_->clock_->NowMicros())) {
      allowed_.objects.push_back(store::AuditObject{r.id, r.version_us, std::move(marking)});
    } else {
      ++repeats_;
    }
  }
  return true;
}

Result<std::vector<Released>> ReleaseScope::Release(
    std::span<const store::ObjectRecord* const> candidates) {
  std::vector<Released> out;
  out.reserve(candidates.size());
  for (const store::ObjectRecord* r : candidates) {
    Decision d = Decide(*model_, reader_, MetaOf(*r, collection_), path_);
    if (!d.allow) {
      ++withheld_;
      continue;
    }
    Released rel;
    rel.record = r;
    ASSIGN_OR_RETURN(bool ok, ReleaseOne(*r, d, &rel.redacted, &rel.is_redacted));
    if (ok) out.push_back(std::move(rel));
  }
  return out;
}

Result<ReleasedPage> ReleaseScope::Read(store::ObjectQuery query, std::optional<int64_t> cursor,
                                        std::function<bool(const store::ObjectRecord&)> narrow,
                                        bool audit_named) {
  query.collection = collection_;
  query.visible = Visible();
  query.wanted = std::move(narrow);
  ASSIGN_OR_RETURN(store::ObjectPage page, dp_->store_->Query(query, cursor));
  withheld_ += page.hidden;
  if (audit_named && !query.ids.empty()) RETURN_IF_ERROR(AuditNamedDenials(query, cursor));
  ReleasedPage out;
  out.more = page.more;
  out.scanned_us = page.scanned_us;
  if (!page.records.empty()) out.last_us = page.records.back().date_added_us;
  out.records.reserve(page.records.size());
  for (store::ObjectRecord& r : page.records) {
    Decision d = Decide(*model_, reader_, MetaOf(r, collection_), path_);
    if (!d.allow) {
      // The scan's predicate decided the same way; never release by mistake.
      return Internal("a record the policy denies reached the release step");
    }
    std::string redacted;
    bool is_redacted = false;
    ASSIGN_OR_RETURN(bool ok, ReleaseOne(r, d, &redacted, &is_redacted));
    if (!ok) continue;
    if (is_redacted) r.raw = std::move(redacted);
    out.records.push_back(std::move(r));
  }
  return out;
}

Status ReleaseScope::AuditNamedDenials(const store::ObjectQuery& query,
                                       std::optional<int64_t> cursor) {
  // Every version of the named ids the filters select (not only the
  // first/last ones: which those are depends on what the reader may see).
  store::ObjectQuery named = query;
  named.limit = 1000;
  named.with_raw = false;
  named.visible = nullptr;
  named.wanted = [&](const store::ObjectRecord& r) {
    Decision d = Decide(*model_, reader_, MetaOf(r, collection_), path_);
    if (!d.allow) Denied(r, d.reason);
    return false;
  };
  named.versions.all = named.versions.rows_us.empty() && named.versions.versions_us.empty();
  return dp_->store_->Query(named, cursor).status();
}

Result<bool> ReleaseScope::SeesAny(std::string_view id, bool audit_denials) {
  store::ObjectQuery any;
  any.collection = collection_;
  any.ids = {std::string(id)};
  any.versions.all = true;
  any.limit = 1;
  any.with_raw = false;
  bool visible_any = false;
  any.wanted = [&](const store::ObjectRecord& r) {
    Decision d = Decide(*model_, reader_, MetaOf(r, collection_), path_);
    if (d.allow) {
      visible_any = true;
    } else if (audit_denials) {
      Denied(r, d.reason);
    }
    return d.allow;
  };
  RETURN_IF_ERROR(dp_->store_->Query(any, std::nullopt).status());
  return visible_any;
}

Result<std::vector<store::ObjectRecord>> ReleaseScope::SelectForDeletion(
    std::string_view id, const store::VersionFilter& versions,
    const std::vector<std::string>& spec_versions) {
  store::ObjectQuery q;
  q.collection = collection_;
  q.ids = {std::string(id)};
  q.spec_versions = spec_versions;
  q.versions = versions;
  q.limit = 100000;
  q.with_raw = false;
  // First and last are taken among the versions the reader may see, as a
  // read takes them: a hidden version neither hides one that is selected nor
  // tells that it exists. The delete right is decided on what is selected.
  q.visible = Visible();
  ASSIGN_OR_RETURN(store::ObjectPage page, dp_->store_->Query(q, std::nullopt));
  if (page.records.empty()) return NotFound("no such object in this collection");
  bool peer = false;
  std::erase_if(page.records, [&](const store::ObjectRecord& r) {
    const DeleteRight right = MayDelete(reader_, MetaOf(r, collection_));
    peer = peer || right == DeleteRight::kPeer;
    return right != DeleteRight::kAllowed;
  });
  if (page.records.empty()) {
    if (peer) {
      return PermissionDenied(
          "a peer hub does not delete objects here (deletions are local and do not federate)");
    }
    return PermissionDenied(
        "these versions were produced by another organization (deleting them needs the "
        "coordinator role)");
  }
  for (const store::ObjectRecord& r : page.records) {
    Decision d = Decide(*model_, reader_, MetaOf(r, collection_), path_);
    std::string unused;
    bool is_redacted = false;
    ASSIGN_OR_RETURN(bool ok, ReleaseOne(r, d, &unused, &is_redacted));
    (void)ok;  // metadata only (no raw): nothing to redact, nothing can fail
  }
  return std::move(page.records);
}

void ReleaseScope::Denied(const store::ObjectRecord& r, Reason reason) {
  Decision d = Decide(*model_, reader_, MetaOf(r, collection_), path_);
  denied_.objects.push_back(
      store::AuditObject{r.id, r.version_us, std::string(stix::TlpName(d.tlp))});
  if (denied_.reason.empty()) denied_.reason = std::string(ReasonText(reason));
}

void ReleaseScope::CountWithheld(int64_t n) { withheld_ += n; }

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
