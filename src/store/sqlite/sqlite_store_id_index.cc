// SqliteStore's in-memory id index (id_index.h): loaded on first use from
// the snapshot saved at the last clean close or rebuilt from the objects
// tables, caught up with other processes' commits (SyncIdIndex), warmed
// in the background, and saved at close.
#include "store/sqlite/sqlite_store_internal.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite/id_index.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/statements.h"

namespace kizuna::store {
namespace {

using sqlite::Connection;
using sqlite::IdIndex;
using sqlite::kSelectIdHashes;
using sqlite::kSelectIdHashesAfter;
using sqlite::LoadState;
using sqlite::Sql;
using sqlite::StateRow;
using sqlite::Transaction;

Result<std::vector<int64_t>> CollectionKeys(Connection* conn) {
  ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT key FROM collections ORDER BY key"));
  std::vector<int64_t> keys;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    keys.push_back(st->Int64(0));
  }
  return keys;
}

}  // namespace

// ---------------------------------------------------------------------------
// Id index

Status SqliteStore::RebuildIdIndexLocked(Connection* conn, const StateRow& snap) {
  map_.Clear();
  ASSIGN_OR_RETURN(auto total, conn->QueryInt("SELECT sum(objects) FROM counts"));
  map_.Reserve(static_cast<size_t>(std::max<int64_t>(0, total.value_or(0))));
  ASSIGN_OR_RETURN(std::vector<int64_t> colls, CollectionKeys(conn));
  int64_t max_da = 0;
  std::vector<IdIndex::Entry> buf;
  buf.reserve(4096);
  for (int64_t coll : colls) {
    // The covering type index: a sequential read of (id_hash, date_added).
    ASSIGN_OR_RETURN(auto st, conn->PrepareFor(kSelectIdHashes, coll, &Sql));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (row) {
        int64_t da = st->Int64(1);
        buf.push_back(IdIndex::Entry{IdIndex::Key(coll, st->Int64(0)), da});
        max_da = std::max(max_da, da);
      }
      if (!row || buf.size() == buf.capacity()) {
        map_.InsertMany(buf.data(), buf.size());
        buf.clear();
      }
      if (!row) break;
    }
  }
  map_gen_ = snap.objects_gen;
  map_del_gen_ = snap.objects_del_gen;
  map_max_da_ = max_da;
  return Status::Ok();
}

Result<bool> SqliteStore::LoadIdIndexSnapshotLocked(Connection* conn, const StateRow& snap) {
  ASSIGN_OR_RETURN(auto meta, conn->Prepare("SELECT objects_gen, objects_del_gen, max_date_added,"
                                            " entries FROM id_snapshot_meta WHERE one=1"));
  ASSIGN_OR_RETURN(bool have, meta->Step());
  if (!have) return false;
  const int64_t gen = meta->Int64(0), del_gen = meta->Int64(1), max_da = meta->Int64(2),
                entries = meta->Int64(3);
  // Deletes since the snapshot make it wrong; many rows since make the
  // catch-up (which reads table rows) dearer than a rebuild.
  ASSIGN_OR_RETURN(auto total, conn->QueryInt("SELECT sum(objects) FROM counts"));
  const int64_t newer = total.value_or(0) - entries;
  if (del_gen != snap.objects_del_gen || gen > snap.objects_gen || newer < 0 ||
      newer > std::max<int64_t>(100'000, entries / 4)) {
    return false;
  }
  static_assert(std::endian::native == std::endian::little, "snapshot entries are little-endian");
  map_.Clear();
  map_.Reserve(static_cast<size_t>(total.value_or(0)));
  ASSIGN_OR_RETURN(auto parts, conn->Prepare("SELECT entries FROM id_snapshot ORDER BY part"));
  std::vector<IdIndex::Entry> buf;
  int64_t loaded = 0;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, parts->Step());
    if (!row) break;
    std::string_view bytes = parts->Blob(0);
    if (bytes.size() % sizeof(IdIndex::Entry) != 0) return false;
    buf.resize(bytes.size() / sizeof(IdIndex::Entry));
    std::memcpy(buf.data(), bytes.data(), bytes.size());
    for (const IdIndex::Entry& e : buf) {
      if (e.date_added <= 0 || e.date_added > max_da) return false;
    }
    map_.InsertMany(buf.data(), buf.size());
    loaded += static_cast<int64_t>(buf.size());
  }
  if (loaded != entries) return false;
  snapshot_good_ = true;
  // Rows added after the snapshot (a crash since the last clean close, or
  // another process): a date_added range scan of each table.
  map_max_da_ = max_da;
  RETURN_IF_ERROR(CatchUpLocked(conn));
  map_gen_ = snap.objects_gen;
  map_del_gen_ = snap.objects_del_gen;
  return true;
}

Status SqliteStore::CatchUpLocked(Connection* conn) {
  ASSIGN_OR_RETURN(std::vector<int64_t> colls, CollectionKeys(conn));
  int64_t max_da = map_max_da_;
  for (int64_t coll : colls) {
    ASSIGN_OR_RETURN(auto st, conn->PrepareFor(kSelectIdHashesAfter, coll, &Sql));
    st->Bind(1, map_max_da_);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      int64_t da = st->Int64(1);
      map_.Insert(IdIndex::Key(coll, st->Int64(0)), da);
      max_da = std::max(max_da, da);
    }
  }
  map_max_da_ = max_da;
  return Status::Ok();
}

void SqliteStore::WarmIdIndex() {
  // Best effort: on failure the first use loads the index instead.
  auto conn = AcquireReader();
  if (!conn.ok()) return;
  Transaction txn(conn->get());
  if (!txn.Begin(false).ok()) return;
  auto snap = LoadState(conn->get());
  if (!snap.ok()) return;
  Status s = SyncIdIndex(conn->get(), *snap, false, true);
  (void)s;
  s = txn.Commit();
  (void)s;
}

Status SqliteStore::SaveIdIndexSnapshot() {
  Transaction txn(writer_.get());
  RETURN_IF_ERROR(txn.Begin(true));
  ASSIGN_OR_RETURN(StateRow snap, LoadState(writer_.get()));
  {
    std::shared_lock lock(map_mu_);
    if (!map_loaded_) return txn.Commit();  // nothing to save
  }
  RETURN_IF_ERROR(SyncIdIndex(writer_.get(), snap, true, false));
  ASSIGN_OR_RETURN(auto saved, writer_->QueryInt("SELECT objects_gen FROM id_snapshot_meta"));
  {
    std::shared_lock lock(map_mu_);
    // Still current: the index came from this very snapshot, unchanged.
    if (saved && *saved == snap.objects_gen && snapshot_good_) return txn.Commit();
  }
  RETURN_IF_ERROR(writer_->Exec("DELETE FROM id_snapshot; DELETE FROM id_snapshot_meta"));
  std::shared_lock lock(map_mu_);
  constexpr size_t kPartEntries = 1 << 16;  // 1 MiB per part
  std::vector<IdIndex::Entry> part;
  part.reserve(kPartEntries);
  int64_t parts = 0, entries = 0;
  auto flush = [&]() -> Status {
    ASSIGN_OR_RETURN(auto st,
                     writer_->Prepare("INSERT INTO id_snapshot(part, entries) VALUES(?1, ?2)"));
    st->Bind(1, parts++);
    st->BindBlobStatic(2, std::string_view(reinterpret_cast<const char*>(part.data()),
                                           part.size() * sizeof(IdIndex::Entry)));
    entries += static_cast<int64_t>(part.size());
    part.clear();
    return st->Run();
  };
  Status s;
  map_.ForEach([&](uint64_t key, int64_t da) {
    if (!s.ok()) return;
    part.push_back(IdIndex::Entry{key, da});
    if (part.size() == kPartEntries) s = flush();
  });
  RETURN_IF_ERROR(s);
  if (!part.empty()) RETURN_IF_ERROR(flush());
  ASSIGN_OR_RETURN(
      auto st, writer_->Prepare("INSERT INTO id_snapshot_meta(one, objects_gen, objects_del_gen,"
                                " max_date_added, entries) VALUES(1, ?1, ?2, ?3, ?4)"));
  st->Bind(1, snap.objects_gen);
  st->Bind(2, snap.objects_del_gen);
  st->Bind(3, map_max_da_);
  st->Bind(4, entries);
  RETURN_IF_ERROR(st->Run());
  lock.unlock();
  return txn.Commit();
}

Status SqliteStore::SyncIdIndex(Connection* conn, const StateRow& snap, bool from_writer,
                                bool load) {
  {
    std::shared_lock lock(map_mu_);
    if (map_loaded_ ? map_gen_ >= snap.objects_gen : !load) return Status::Ok();
  }
  std::unique_lock lock(map_mu_);
  if (!map_loaded_) {
    if (!load) return Status::Ok();
    // First use: the snapshot saved at the last clean close, else a rebuild.
    ASSIGN_OR_RETURN(bool loaded, LoadIdIndexSnapshotLocked(conn, snap));
    if (!loaded) RETURN_IF_ERROR(RebuildIdIndexLocked(conn, snap));
    map_loaded_ = true;
    return Status::Ok();
  }
  if (!from_writer) {
    // Our own writer may have committed this generation and be about to
    // publish it: wait for that rather than rescanning.
    map_cv_.wait(lock,
                 [&] { return map_gen_ >= snap.objects_gen || inflight_gen_ < snap.objects_gen; });
  }
  if (map_gen_ >= snap.objects_gen) return Status::Ok();
  // Another process changed objects.
  if (map_gen_ < 0 || snap.objects_del_gen != map_del_gen_) {
    return RebuildIdIndexLocked(conn, snap);
  }
  RETURN_IF_ERROR(CatchUpLocked(conn));
  map_gen_ = snap.objects_gen;
  return Status::Ok();
}

}  // namespace kizuna::store
