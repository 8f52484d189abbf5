#pragma once
// ReleaseScope: the whole release of objects to one reader, by one path, from
// one collection. It is the only way objects leave the hub (TAXII objects,
// object, versions, manifest and delete, channels, webhooks, federation
// pulls and pushes, feeds, `kizuna export`): a path opens a scope on the
// DecisionPoint (decision_point.h) and reads through it, so no caller can
// skip a step.
//
//   auto scope = dp.Begin(principal, collection_key, collection_id, Path::kTaxiiObjects, remote);
//   auto page = scope->Read(query, cursor);   // filtered query + release step
//   ... format page->records (already redacted where the reader needs it) ...
//   // the destructor (or Finish()) writes the request's audit event
//
// Each step, in order, for every object version:
//  1. Decide() on the stored metadata, inside the store's scan (no short
//     pages, no per-object round trips), including the rule that a peer hub
//     never receives an object whose origin path names it;
//  2. the release step: granular-marked copies are redacted for the reader;
//     every AMBER, AMBER+STRICT and RED release, and every release of
//     granular-marked content, is listed in the audit event;
//  3. an object whose release step fails (its stored bytes cannot be read
//     back or redacted) is withheld, not served: the others are still
//     released; the failure is audited, counted (DecisionPoint::Stats) and
//     logged once per object version.
// Without a working audit log, nothing that must be audited is released
// (Unavailable).
//
// Thread-compatible: a scope belongs to one request (one thread at a time).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "policy/decide.h"
#include "policy/model.h"
#include "store/audit_log.h"
#include "store/store.h"

namespace kizuna::policy {

class DecisionPoint;

// A page read through a scope.
struct ReleasedPage {
  std::vector<store::ObjectRecord> records;  // released, in date_added order; raw redacted as needed
  bool more = false;                         // more objects this reader may see follow
  // date_added of the last record the page covers, including records
  // withheld by the release step: the `next` cursor when `more` (0 = none).
  int64_t last_us = 0;
  // The highest date_added the scan looked at, visible or not (a cursor
  // that skips what this reader may never see; 0 = nothing scanned).
  int64_t scanned_us = 0;
};

// One object released from records read elsewhere (Release()).
struct Released {
  const store::ObjectRecord* record = nullptr;  // the stored record
  std::string redacted;                         // the reader's copy when `is_redacted`
  bool is_redacted = false;
  std::string_view raw() const { return is_redacted ? std::string_view(redacted) : record->raw; }
};

class ReleaseScope {
 public:
  ReleaseScope(ReleaseScope&& other) noexcept;
  ReleaseScope& operator=(ReleaseScope&&) = delete;
  ~ReleaseScope();

  // Runs `query` on the scope's collection (its `collection` and `visible`
  // are set here) after `cursor`, and releases the page. `narrow` (optional)
  // is a filter of the caller's own (a subscription's markings): it can only
  // narrow what the policy releases, and what it rejects is not counted as
  // withheld. When the query
  // names ids, the versions of those ids the reader may not see are audited
  // as denied attempts (the scan runs whether or not any was withheld, so
  // that response time does not tell a hidden object from a missing one).
  // Errors: the store's, Unavailable (audit log down).
  // `audit_named` false skips that scan (TAXII get object, which audits the
  // denials with SeesAny when nothing is released: a found object needs no
  // second look, and a hidden one takes the same path as a missing one).
  Result<ReleasedPage> Read(store::ObjectQuery query, std::optional<int64_t> cursor,
                            std::function<bool(const store::ObjectRecord&)> narrow = nullptr,
                            bool audit_named = true);

  // Whether the reader may see any version of `id` in the collection (TAXII
  // get object: an object with no such version is a 404, exactly like a
  // missing one). Versions it may not see are audited as denied attempts,
  // unless `audit_denials` is false (the caller's Read of the same id has
  // audited them already).
  Result<bool> SeesAny(std::string_view id, bool audit_denials = true);

  // The versions of `id` selected by `versions` (and `spec_versions`) that
  // this reader may see and delete (policy::MayDelete), released (audited)
  // as a deletion. First and last are taken among the versions the reader
  // may see, as Read takes them. Errors: NotFound when the filters select
  // none the reader sees (same as a missing object), PermissionDenied when
  // they select some but it may delete none of them.
  Result<std::vector<store::ObjectRecord>> SelectForDeletion(
      std::string_view id, const store::VersionFilter& versions,
      const std::vector<std::string>& spec_versions);

  // Releases records read elsewhere (a channel's live records, a cached
  // page): decides each again, keeps those the reader may receive (in
  // order) with a redacted copy where needed, withholds the rest (counted),
  // and audits. The records must outlive the result.
  Result<std::vector<Released>> Release(std::span<const store::ObjectRecord* const> candidates);

  // Counts objects a cached result withheld (as the scan would have).
  void CountWithheld(int64_t n);

  // Writes the audit event (if anything is to be recorded). Called by the
  // destructor when not called before.
  void Finish();

  const Reader& reader() const { return reader_; }
  // Candidates withheld so far (the reader may not see them, or their release failed).
  int64_t withheld() const { return withheld_; }
  // The model this scope decides with (its serial keys caches of filtered
  // results, with the reader).
  const TrustModel& model() const { return *model_; }

 private:
  friend class DecisionPoint;
  ReleaseScope(DecisionPoint* dp, std::shared_ptr<const TrustModel> model, Reader reader,
               int64_t collection, std::string collection_id, Path path, std::string remote);

  // The store's visibility predicate: pure (counts nothing), Decide() only.
  std::function<bool(const store::ObjectRecord&)> Visible() const;
  // The release step for one allowed record: redaction and audit listing.
  // False (and the failure recorded) when the record must be withheld.
  Result<bool> ReleaseOne(const store::ObjectRecord& r, const Decision& d, std::string* redacted,
                          bool* is_redacted);
  void Denied(const store::ObjectRecord& record, Reason reason);
  // Audits versions of the named ids the reader may not see.
  Status AuditNamedDenials(const store::ObjectQuery& query, std::optional<int64_t> cursor);
  std::string ReaderKey() const;

  DecisionPoint* dp_;
  std::shared_ptr<const TrustModel> model_;
  Reader reader_;
  int64_t collection_;
  std::string collection_id_;
  Path path_;
  std::string remote_;
  bool audit_ok_ = true;

  int64_t withheld_ = 0;
  int64_t repeats_ = 0;  // audited-level releases already recorded recently
  store::AuditEvent allowed_, denied_;
  bool finished_ = false;
};

}  // namespace kizuna::policy
