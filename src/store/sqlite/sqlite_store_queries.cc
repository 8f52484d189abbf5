// SqliteStore's object reads and deletes: PageBuilder (the per-row
// filters, the visibility predicate and the durability bound of one page),
// the three query plans (QueryScan, QueryTypes, QueryIds), the first/last
// flags as readers may see them (VisibleFlags), Query, CountObjects and
// DeleteObject.
#include "store/sqlite/sqlite_store_internal.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "store/sqlite/id_index.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/statements.h"

namespace kizuna::store {
namespace {

using sqlite::Connection;
using sqlite::IdIndex;
using sqlite::kDeleteOne;
using sqlite::kSelectOne;
using sqlite::kSelectScan;
using sqlite::kSelectType;
using sqlite::kSelectVersion;
using sqlite::LoadState;
using sqlite::PageBuilder;
using sqlite::SecureDelete;
using sqlite::Sql;
using sqlite::StatementRef;
using sqlite::StateRow;
using sqlite::Transaction;
using enum sqlite::Col;

// More types than this in one match[type] are served by a filtered scan
// rather than a merge of one index range per type.
constexpr size_t kMaxMergedTypes = 32;

bool VersionSelected(const VersionFilter& f, int flags, int64_t version) {
  if (f.IsDefault()) return (flags & sqlite::kFlagLast) != 0;
  if (f.all) return true;
  if (f.first && (flags & sqlite::kFlagFirst) != 0) return true;
  if (f.last && (flags & sqlite::kFlagLast) != 0) return true;
  return std::find(f.versions_us.begin(), f.versions_us.end(), version) != f.versions_us.end();
}

bool Contains(const std::vector<std::string>& list, std::string_view v) {
  for (const std::string& s : list) {
    if (s == v) return true;
  }
  return false;
}

}  // namespace

namespace sqlite {

// Collects one page from rows offered in date_added order: applies the
// per-row filters and the visibility predicate, fills at most `limit`
// records, then looks for one more visible row to decide `more`.
class PageBuilder {
 public:
  // The first/last flags of the row `st` is positioned on as readers may
  // see them while rows above `upper` are hidden (see Offer()); with
  // `visible`, among the versions that predicate accepts.
  using FlagResolver = std::function<Result<int>(
      const sqlite::Statement& st, int64_t upper,
      const std::function<bool(const ObjectRecord&)>* visible)>;

  // `upper`: rows with a larger date_added are not durable yet and must
  // not be seen; it is read at the first row, once the read snapshot
  // exists (see SqliteStore::visible_upper_).
  PageBuilder(const ObjectQuery& q, ObjectPage* page, const std::atomic<int64_t>* upper,
              FlagResolver resolve)
      : q_(q), page_(page), upper_source_(upper), resolve_(std::move(resolve)) {
    page_->records.reserve(static_cast<size_t>(std::min(q.limit, 1000)));
  }

  // Offers the row `st` is positioned on (rows come in date_added order).
  // Returns false when the page is complete (the caller stops scanning) or
  // on an error (status()).
  bool Offer(const sqlite::Statement& st) {
    if (upper_ < 0) upper_ = upper_source_->load(std::memory_order_acquire);
    if (st.Int64(kColDateAdded) > upper_) return false;  // nothing visible follows
    int flags = static_cast<int>(st.Int64(kColFlags));
    const bool ends = UsesEnds(q_.versions) &&
                      (flags & (sqlite::kFlagFirst | sqlite::kFlagLast)) !=
                          (sqlite::kFlagFirst | sqlite::kFlagLast);
    // Versions of this row's lineage differ in what decides visibility
    // (marking, audience, origin): first and last are taken among the
    // versions the reader may see, after the visibility check below.
    const bool by_visibility = ends && q_.visible && (flags & sqlite::kFlagPolicyVaries) != 0;
    if (ends && !by_visibility && upper_ != std::numeric_limits<int64_t>::max()) {
      // The flags are those of the whole snapshot: a newer (older) version
      // still hidden may have taken this row's last (first) flag, and the
      // row is then the last (first) one readers may see.
      if (!Resolve(st, nullptr, &flags)) return false;
    }
    if (!by_visibility && !VersionSelected(q_.versions, flags, st.Int64(kColVersion))) return true;
    if (!q_.spec_versions.empty() && !Contains(q_.spec_versions, st.Text(kColSpecVersion))) {
      return true;
    }
    if (!q_.types.empty() && !Contains(q_.types, st.Text(kColType))) return true;
    bool full = page_->records.size() >= static_cast<size_t>(q_.limit);
    if (full && !q_.visible && !q_.wanted) {
      page_->more = true;
      return false;
    }
    ObjectRecord& rec = full ? probe_ : page_->records.emplace_back();
    rec.id.assign(st.Text(kColId));
    rec.type.assign(st.Text(kColType));
    rec.spec_version.assign(st.Text(kColSpecVersion));
    rec.version_us = st.Int64(kColVersion);
    rec.date_added_us = st.Int64(kColDateAdded);
    rec.marking.assign(st.Text(kColMarking));
    rec.producer.assign(st.Text(kColProducer));
    rec.audience.assign(st.Text(kColAudience));
    rec.origin.assign(st.Text(kColOrigin));
    rec.granular = (flags & sqlite::kFlagGranular) != 0;
    rec.is_first = (flags & sqlite::kFlagFirst) != 0;
    rec.is_last = (flags & sqlite::kFlagLast) != 0;
    rec.raw.clear();
    page_->scanned_us = std::max(page_->scanned_us, rec.date_added_us);
    bool keep = !q_.wanted || q_.wanted(rec);
    if (keep && q_.visible && !q_.visible(rec)) {
      keep = false;
      if (!full) ++page_->hidden;
    }
    if (keep && by_visibility) {
      if (!Resolve(st, &q_.visible, &flags)) return false;
      keep = VersionSelected(q_.versions, flags, rec.version_us);
      rec.is_first = (flags & sqlite::kFlagFirst) != 0;
      rec.is_last = (flags & sqlite::kFlagLast) != 0;
    }
    if (!keep) {
      if (!full) page_->records.pop_back();
      return true;
    }
    if (full) {
      page_->more = true;
      return false;
    }
    if (q_.with_raw) rec.raw.assign(st.Blob(kColRaw));
    return true;
  }

  const Status& status() const { return status_; }

 private:
  static bool UsesEnds(const VersionFilter& f) {
    return f.rows_us.empty() && !f.all && (f.IsDefault() || f.first || f.last);
  }

  bool Resolve(const sqlite::Statement& st,
               const std::function<bool(const ObjectRecord&)>* visible, int* flags) {
    Result<int> resolved = resolve_(st, upper_, visible);
    if (!resolved.ok()) {
      status_ = resolved.status();
      return false;
    }
    *flags = *resolved;
    return true;
  }

  const ObjectQuery& q_;
  ObjectPage* page_;
  const std::atomic<int64_t>* upper_source_;
  FlagResolver resolve_;
  int64_t upper_ = -1;  // -1: not read yet
  ObjectRecord probe_;
  Status status_;
};

}  // namespace sqlite

// ---------------------------------------------------------------------------
// Queries

Status SqliteStore::QueryScan(Connection* conn, const ObjectQuery& q, int64_t lower,
                              PageBuilder* pb) {
  ASSIGN_OR_RETURN(auto st, conn->PrepareFor(kSelectScan, q.collection, &Sql));
  st->Bind(1, lower);
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row || !pb->Offer(*st)) return Status::Ok();
  }
}

Status SqliteStore::QueryTypes(Connection* conn, const ObjectQuery& q, int64_t lower,
                               PageBuilder* pb) {
  std::vector<std::string> types = q.types;
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  if (types.size() > kMaxMergedTypes) return QueryScan(conn, q, lower, pb);
  // One index range per type, merged by date_added.
  std::vector<StatementRef> streams;
  std::vector<bool> live;
  streams.reserve(types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    ASSIGN_OR_RETURN(auto st,
                     conn->PrepareFor(kSelectType, q.collection, &Sql, static_cast<int>(i)));
    st->BindStatic(1, types[i]);
    st->Bind(2, lower);
    ASSIGN_OR_RETURN(bool row, st->Step());
    streams.push_back(std::move(st));
    live.push_back(row);
  }
  for (;;) {
    int best = -1;
    for (size_t i = 0; i < streams.size(); ++i) {
      if (live[i] &&
          (best < 0 || streams[i]->Int64(kColDateAdded) < streams[best]->Int64(kColDateAdded))) {
        best = static_cast<int>(i);
      }
    }
    if (best < 0) return Status::Ok();
    if (!pb->Offer(*streams[best])) return Status::Ok();
    ASSIGN_OR_RETURN(bool row, streams[best]->Step());
    live[best] = row;
  }
}

Status SqliteStore::QueryIds(Connection* conn, const ObjectQuery& q, int64_t lower,
                             PageBuilder* pb) {
  ASSIGN_OR_RETURN(StateRow snap, LoadState(conn));
  RETURN_IF_ERROR(SyncIdIndex(conn, snap, false, true));
  std::unordered_set<std::string_view> wanted(q.ids.begin(), q.ids.end());
  std::vector<int64_t> candidates;
  {
    std::shared_lock lock(map_mu_);
    for (size_t i = 0; i < q.ids.size(); ++i) {
      const size_t from = candidates.size();
      map_.Find(IdIndex::Key(q.collection, IdHash(q.ids[i])), &candidates);
      if (i < q.ids_added_after.size() && q.ids_added_after[i] > 0) {
        const int64_t bound = q.ids_added_after[i];
        candidates.erase(std::remove_if(candidates.begin() + static_cast<ptrdiff_t>(from), candidates.end(),
                                        [bound](int64_t da) { return da <= bound; }),
                         candidates.end());
      }
    }
  }
  std::erase_if(candidates, [lower](int64_t da) { return da <= lower; });
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  for (int64_t da : candidates) {
    ASSIGN_OR_RETURN(auto st, conn->PrepareFor(kSelectOne, q.collection, &Sql));
    st->Bind(1, da);
    ASSIGN_OR_RETURN(bool row, st->Step());
    // Absent: added after this snapshot began, or deleted since.
    if (!row) continue;
    if (!wanted.contains(st->Text(kColId))) continue;  // hash collision
    if (!pb->Offer(*st)) return Status::Ok();
  }
  return Status::Ok();
}

Result<int> SqliteStore::VisibleFlags(Connection* conn, int64_t coll,
                                      const sqlite::Statement& row, int64_t upper, bool* synced,
                                      const std::function<bool(const ObjectRecord&)>* visible) {
  int flags = static_cast<int>(row.Int64(kColFlags));
  const int64_t da = row.Int64(kColDateAdded);
  const int64_t version = row.Int64(kColVersion);
  // Copies: the statements below may share row's connection.
  const std::string id(row.Text(kColId));
  const std::string producer(row.Text(kColProducer));
  if (!*synced) {
    ASSIGN_OR_RETURN(StateRow snap, LoadState(conn));
    RETURN_IF_ERROR(SyncIdIndex(conn, snap, false, true));
    *synced = true;
  }
  std::vector<int64_t> candidates;
  {
    std::shared_lock lock(map_mu_);
    map_.Find(IdIndex::Key(coll, IdHash(id)), &candidates);
  }
  // Flags change only when a version is added (deletions are never hidden):
  // with no hidden version of this id, the snapshot's flags are the answer
  // (unless visibility decides).
  if (visible == nullptr && std::none_of(candidates.begin(), candidates.end(),
                                         [upper](int64_t other) { return other > upper; })) {
    return flags;
  }
  bool newer = false, older = false;
  // The stored flags are those of the whole snapshot: a version that is the
  // last (first) of every version is the last (first) of any subset, so
  // only the other neighbour needs looking for.
  const bool no_newer = (flags & sqlite::kFlagLast) != 0;
  const bool no_older = (flags & sqlite::kFlagFirst) != 0;
  ObjectRecord other_rec;
  // Versions usually arrive in version order, so the newest date_added is
  // the likeliest newer version and the oldest the likeliest older one:
  // look from both ends inward and stop once both are known (a lineage
  // with many versions costs a few lookups per row, not one per version).
  std::sort(candidates.begin(), candidates.end());
  size_t lo = 0, hi = candidates.size();
  for (size_t step = 0; lo < hi && !((newer || no_newer) && (older || no_older)); ++step) {
    const int64_t other = (step % 2 == 0) ? candidates[--hi] : candidates[lo++];
    if (other == da || other > upper) continue;
    ASSIGN_OR_RETURN(auto st, conn->PrepareFor(kSelectVersion, coll, &Sql));
    st->Bind(1, other);
    ASSIGN_OR_RETURN(bool found, st->Step());
    // Absent: not in this snapshot. Another id (hash collision) or another
    // organization's lineage: not a version of this one (see AddObject).
    if (!found || st->Text(0) != id || st->Text(3) != producer) continue;
    const int64_t v = st->Int64(1);
    if (v > version ? newer : v < version ? older : true) continue;  // already known
    if (visible != nullptr) {
      other_rec.id = id;
      other_rec.producer = producer;
      other_rec.version_us = v;
      other_rec.date_added_us = other;
      other_rec.marking.assign(st->Text(4));
      other_rec.audience.assign(st->Text(5));
      other_rec.origin.assign(st->Text(6));
      other_rec.type.assign(st->Text(7));
      other_rec.spec_version.assign(st->Text(8));
      other_rec.granular = (st->Int64(2) & sqlite::kFlagGranular) != 0;
      if (!(*visible)(other_rec)) continue;  // the reader may not see it: not a neighbour
    }
    newer |= v > version;
    older |= v < version;
  }
  flags &= ~(sqlite::kFlagFirst | sqlite::kFlagLast);
  if (!older) flags |= sqlite::kFlagFirst;
  if (!newer) flags |= sqlite::kFlagLast;
  return flags;
}

Result<ObjectPage> SqliteStore::Query(const ObjectQuery& q, std::optional<int64_t> after_cursor) {
  if (q.limit < 1) return InvalidArgument("query limit must be at least 1");
  int64_t lower = std::numeric_limits<int64_t>::min();
  if (q.added_after_us) lower = std::max(lower, *q.added_after_us);
  if (after_cursor) lower = std::max(lower, *after_cursor);
  ASSIGN_OR_RETURN(ReaderLease conn, AcquireReader());
  Transaction txn(conn.get());
  RETURN_IF_ERROR(txn.Begin(false));
  ObjectPage page;
  PageBuilder pb(q, &page, &visible_upper_,
                 [this, c = conn.get(), coll = q.collection, synced = false](
                     const sqlite::Statement& row, int64_t upper,
                     const std::function<bool(const ObjectRecord&)>* visible) mutable {
                   return VisibleFlags(c, coll, row, upper, &synced, visible);
                 });
  Status s;
  if (!q.ids.empty()) {
    s = QueryIds(conn.get(), q, lower, &pb);
  } else if (!q.types.empty()) {
    s = QueryTypes(conn.get(), q, lower, &pb);
  } else {
    s = QueryScan(conn.get(), q, lower, &pb);
  }
  if (s.ok()) s = pb.status();
  if (!s.ok()) {
    // A collection that does not exist (any more) has no table: no objects.
    ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT 1 FROM collections WHERE key=?1"));
    st->Bind(1, q.collection);
    ASSIGN_OR_RETURN(bool exists, st->Step());
    if (exists) return s;
    return ObjectPage{};
  }
  RETURN_IF_ERROR(txn.Commit());
  return page;
}

Result<int64_t> SqliteStore::CountObjects(std::optional<int64_t> collection) {
  ASSIGN_OR_RETURN(ReaderLease conn, AcquireReader());
  if (!collection) {
    ASSIGN_OR_RETURN(auto n, conn->QueryInt("SELECT sum(objects) FROM counts"));
    return n.value_or(0);
  }
  ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT objects FROM counts WHERE coll=?1"));
  st->Bind(1, *collection);
  ASSIGN_OR_RETURN(bool row, st->Step());
  return row ? st->Int64(0) : int64_t{0};
}

// ---------------------------------------------------------------------------
// Deletes

Result<int64_t> SqliteStore::DeleteObject(int64_t collection, const std::string& id,
                                          const VersionFilter& versions) {
  int64_t removed = 0;
  Status s = RunWrite([&](Txn* t) -> Status {
    SecureDelete secure(writer_.get());
    {
      ASSIGN_OR_RETURN(auto st, writer_->Prepare("SELECT 1 FROM collections WHERE key=?1"));
      st->Bind(1, collection);
      ASSIGN_OR_RETURN(bool exists, st->Step());
      if (!exists) return Status::Ok();
    }
    const uint64_t key = IdIndex::Key(collection, IdHash(id));
    std::vector<int64_t> das;
    FindVersions(t, key, &das);
    struct Row {
      int64_t da, version;
      int flags;
      std::string producer;
    };
    std::vector<Row> keep, drop;
    for (int64_t da : das) {
      ASSIGN_OR_RETURN(auto st, writer_->PrepareFor(kSelectVersion, collection, &Sql));
      st->Bind(1, da);
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row || st->Text(0) != id) continue;
      Row r{da, st->Int64(1), static_cast<int>(st->Int64(2)), std::string(st->Text(3))};
      // TAXII 2.1 delete: without match[version] every version goes.
      bool selected =
          !versions.rows_us.empty()
              ? std::find(versions.rows_us.begin(), versions.rows_us.end(), da) != versions.rows_us.end()
              : versions.IsDefault() || VersionSelected(versions, r.flags, r.version);
      (selected ? drop : keep).push_back(std::move(r));
    }
    for (const Row& r : drop) {
      ASSIGN_OR_RETURN(auto st, writer_->PrepareFor(kDeleteOne, collection, &Sql));
      st->Bind(1, r.da);
      RETURN_IF_ERROR(st->Run());
      t->removes.emplace_back(key, r.da);
    }
    // The survivors' first/last flags, per lineage (producer).
    if (!drop.empty() && !keep.empty()) {
      std::map<std::string, std::pair<const Row*, const Row*>> ends;
      for (const Row& r : keep) {
        auto [it, fresh] = ends.try_emplace(r.producer, &r, &r);
        if (fresh) continue;
        if (r.version < it->second.first->version) it->second.first = &r;
        if (r.version > it->second.second->version) it->second.second = &r;
      }
      for (const Row& r : keep) {
        const auto& [lo, hi] = ends[r.producer];
        int flags = r.flags & ~(sqlite::kFlagFirst | sqlite::kFlagLast);
        if (&r == lo) flags |= sqlite::kFlagFirst;
        if (&r == hi) flags |= sqlite::kFlagLast;
        if (flags != r.flags) RETURN_IF_ERROR(SetFlags(collection, r.da, flags));
      }
    }
    removed = static_cast<int64_t>(drop.size());
    if (removed > 0) {
      t->objects_removed = true;
      t->count_deltas[collection] -= removed;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return removed;
}

}  // namespace kizuna::store
