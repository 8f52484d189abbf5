// SqliteStore's writing side: the queue and the writer thread that groups
// concurrent Write() calls into one commit (WriterLoop, RunGroup), the
// write transaction (BeginWrite, CommitWrite), object rows and their
// first/last flags (ApplyBatch, AddObject, FlushRows), write tasks
// (RunWrite, RunTask), and the syncer that flushes the WAL before commits
// are shown and acknowledged (Publish, Acknowledge, SyncLoop).
#include "store/sqlite/sqlite_store_internal.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <future>
#include <limits>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <variant>
#include <vector>

#include "store/sqlite/codec.h"
#include "store/sqlite/id_index.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/statements.h"

namespace kizuna::store {
namespace {

using sqlite::CollectionName;
using sqlite::IdIndex;
using sqlite::kInsertObject;
using sqlite::kSelectRaw;
using sqlite::kSelectVersion;
using sqlite::kUpdateFlags;
using sqlite::LoadState;
using sqlite::Sql;
using sqlite::Transaction;

// New objects are inserted this many rows per statement step.
constexpr int kRowsPerInsert = 16;

int HistogramBucket(int64_t batches) {
  int b = 0;
  while (b < 6 && (int64_t{2} << b) <= batches) ++b;
  return b;
}

}  // namespace

// ---------------------------------------------------------------------------
// Writer

Status SqliteStore::Enqueue(Item item) {
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_) return Unavailable("store is closing");
    queue_.push_back(std::move(item));
  }
  queue_cv_.notify_one();
  return Status::Ok();
}

void SqliteStore::Write(WriteBatch batch, WriteCallback done) {
  std::unique_lock lock(queue_mu_);
  if (stopping_) {
    lock.unlock();
    done(Unavailable("store is closing"));
    return;
  }
  queue_.push_back(WriteRequest{std::move(batch), std::move(done)});
  lock.unlock();
  queue_cv_.notify_one();
}

Status SqliteStore::RunWrite(std::function<Status(Txn*)> fn, bool ids) {
  std::promise<Status> promise;
  auto future = promise.get_future();
  RETURN_IF_ERROR(Enqueue(Task{std::move(fn), &promise, ids}));
  return future.get();
}

void SqliteStore::WriterLoop() {
  std::vector<WriteRequest> group;
  for (;;) {
    std::optional<Task> task;
    group.clear();
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is done
      if (auto* t = std::get_if<Task>(&queue_.front())) {
        task = std::move(*t);
        queue_.pop_front();
      } else {
        // The leader waits briefly for the writers seen in recent commits:
        // those just called back are about to send their next batch, and a
        // commit costs one fsync however many batches share it.
        size_t expected = *std::max_element(recent_group_sizes_.begin(), recent_group_sizes_.end());
        int64_t wait_us = std::min<int64_t>(options_.group_commit_wait_us, commit_us_ewma_ / 2);
        if (expected > 1 && queue_.size() < expected && wait_us > 0) {
          queue_cv_.wait_for(lock, std::chrono::microseconds(wait_us),
                             [&] { return stopping_ || queue_.size() >= expected; });
        }
        // Group commit: every object batch queued now shares one commit.
        size_t objects = 0;
        while (!queue_.empty()) {
          auto* r = std::get_if<WriteRequest>(&queue_.front());
          if (r == nullptr) break;
          size_t n = r->batch.objects.size();
          if (!group.empty() && objects + n > static_cast<size_t>(options_.max_batch_objects)) {
            break;
          }
          objects += n;
          group.push_back(std::move(*r));
          queue_.pop_front();
        }
      }
    }
    if (task) {
      RunTask(&*task);
    } else {
      auto start = std::chrono::steady_clock::now();
      RunGroup(&group);
      int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::steady_clock::now() - start)
                       .count();
      commit_us_ewma_ = (commit_us_ewma_ * 7 + us) / 8;
      recent_group_sizes_[recent_group_next_++ % recent_group_sizes_.size()] = group.size();
    }
  }
}

Status SqliteStore::BeginWrite(Transaction* txn, Txn* t, bool ids) {
  {
    std::lock_guard lock(sync_mu_);
    if (!sync_failed_.ok()) return sync_failed_;
  }
  RETURN_IF_ERROR(txn->Begin(true));
  ASSIGN_OR_RETURN(t->loaded, LoadState(writer_.get()));
  t->state = t->loaded;
  // Also when `ids` is false, a loaded index must follow other processes'
  // changes before this transaction publishes its own.
  return SyncIdIndex(writer_.get(), t->loaded, true, ids);
}

Status SqliteStore::CommitWrite(Transaction* txn, Txn* t) {
  if (t->objects_added || t->objects_removed) ++t->state.objects_gen;
  if (t->objects_removed) ++t->state.objects_del_gen;
  if (t->directory_changed) ++t->state.directory_gen;
  if (!(t->state == t->loaded)) {
    ASSIGN_OR_RETURN(auto st,
                     writer_->Prepare("UPDATE state SET last_date_added=?1, objects_gen=?2,"
                                      " objects_del_gen=?3, directory_gen=?4 WHERE one=1"));
    st->Bind(1, t->state.last_date_added);
    st->Bind(2, t->state.objects_gen);
    st->Bind(3, t->state.objects_del_gen);
    st->Bind(4, t->state.directory_gen);
    RETURN_IF_ERROR(st->Run());
  }
  for (const auto& [coll, delta] : t->count_deltas) {
    if (delta == 0) continue;
    ASSIGN_OR_RETURN(
        auto st,
        writer_->Prepare("INSERT INTO counts(coll, objects) VALUES(?1, ?2) ON CONFLICT(coll)"
                         " DO UPDATE SET objects = objects + excluded.objects"));
    st->Bind(1, coll);
    st->Bind(2, delta);
    RETURN_IF_ERROR(st->Run());
  }
  for (int64_t coll : t->dropped_collections) {
    ASSIGN_OR_RETURN(auto st, writer_->Prepare("DELETE FROM counts WHERE coll=?1"));
    st->Bind(1, coll);
    RETURN_IF_ERROR(st->Run());
  }
  bool gen_changed = t->state.objects_gen != t->loaded.objects_gen;
  if (gen_changed) {
    std::lock_guard lock(map_mu_);
    inflight_gen_ = t->state.objects_gen;
  }
  if (wal_fd_ >= 0) {
    // Hide this commit from readers until the syncer has flushed it.
    std::lock_guard lock(sync_mu_);
    if (pending_commits_ == 0) flushed_da_ = t->loaded.last_date_added;
    ++pending_commits_;
    visible_upper_.store(flushed_da_, std::memory_order_release);
  }
  Status s = txn->Commit();
  if (!s.ok() && wal_fd_ >= 0) {
    std::lock_guard lock(sync_mu_);
    if (--pending_commits_ == 0 && sync_failed_.ok()) {
      visible_upper_.store(std::numeric_limits<int64_t>::max(), std::memory_order_release);
    }
  }
  if (gen_changed) {
    {
      std::lock_guard lock(map_mu_);
      inflight_gen_ = 0;
      if (!map_loaded_) {
        // Nothing to maintain: the first use loads the index from the file.
      } else if (!s.ok()) {
        // The outcome of a failed COMMIT is uncertain; resynchronise from
        // the file at the next transaction.
        map_gen_ = -1;
      } else if (map_gen_ < t->state.objects_gen) {
        // (A reader that saw a later generation has already resynchronised
        // from a snapshot including this commit.)
        for (const auto& [key, da] : t->adds) map_.Insert(key, da);
        for (const auto& [key, da] : t->removes) map_.Erase(key, da);
        map_gen_ = t->state.objects_gen;
        map_del_gen_ = t->state.objects_del_gen;
        map_max_da_ = std::max(map_max_da_, t->state.last_date_added);
      }
    }
    map_cv_.notify_all();
  }
  if (s.ok()) {
    int64_t delta = 0;
    for (const auto& [coll, d] : t->count_deltas) delta += d;
    objects_ += delta;
  }
  return s;
}

void SqliteStore::FindVersions(Txn* t, uint64_t key, std::vector<int64_t>* out) {
  {
    std::shared_lock lock(map_mu_);
    map_.Find(key, out);
  }
  t->overlay.Find(key, out);
  if (!t->removes.empty()) {
    // Only tasks remove entries, and they look up before removing; keep the
    // view exact anyway.
    std::erase_if(*out, [&](int64_t da) {
      return std::find(t->removes.begin(), t->removes.end(), std::make_pair(key, da)) !=
             t->removes.end();
    });
  }
}

Status SqliteStore::SetFlags(int64_t coll, int64_t date_added, int flags) {
  ASSIGN_OR_RETURN(auto st, writer_->PrepareFor(kUpdateFlags, coll, &Sql));
  st->Bind(1, date_added);
  st->Bind(2, flags);
  return st->Run();
}

Status SqliteStore::AddObject(Txn* t, int64_t coll, const NewObject& obj, AddOutcome* outcome,
                              int64_t* date_added) {
  if (obj.id.empty()) return InvalidArgument("object without an id");
  if (obj.type.empty()) return InvalidArgument(obj.id + ": object without a type");
  if (obj.raw.empty()) return InvalidArgument(obj.id + ": empty object text");
  const int64_t id_hash = IdHash(obj.id);
  const uint64_t key = IdIndex::Key(coll, id_hash);
  const bool versionless = !obj.modified_us && !obj.created_us;
  int64_t version = obj.modified_us ? *obj.modified_us : obj.created_us.value_or(0);

  scratch_.clear();
  FindVersions(t, key, &scratch_);
  // Existing versions may still sit in rows_ (same id twice in a batch).
  if (!scratch_.empty()) RETURN_IF_ERROR(FlushRows(coll));
  // The existing versions of (coll, id): the earliest and the latest, with
  // their flags, so the new version can take over first/last.
  bool any = false;
  int64_t min_v = 0, max_v = 0, first_da = 0, last_da = 0;
  // The lineage's rows: date_added, flags as stored, flags to store.
  lineage_.clear();
  bool policy_varies = false;
  for (int64_t da : scratch_) {
    ASSIGN_OR_RETURN(auto st, writer_->PrepareFor(kSelectVersion, coll, &Sql));
    st->Bind(1, da);
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row || st->Text(0) != obj.id) continue;  // hash collision
    // Another organization's lineage: never a duplicate of, and never
    // first/last together with, this producer's versions.
    if (st->Text(3) != obj.producer) continue;
    int64_t v = st->Int64(1);
    int flags = static_cast<int>(st->Int64(2));
    const bool row_versionless = (flags & sqlite::kFlagVersionless) != 0;
    if (versionless && row_versionless) {
      // Objects without modified or created (SCOs) carry no version of
      // their own: the same bytes again are the same object; other bytes
      // are a new version (whose version is its date_added).
      ASSIGN_OR_RETURN(auto raw, writer_->PrepareFor(kSelectRaw, coll, &Sql));
      raw->Bind(1, da);
      ASSIGN_OR_RETURN(bool raw_row, raw->Step());
      if (raw_row && raw->Blob(0) == obj.raw) {
        *outcome = AddOutcome::kDuplicate;
        *date_added = da;
        return Status::Ok();
      }
    } else if (!versionless && !row_versionless && v == version) {
      *outcome = AddOutcome::kDuplicate;
      *date_added = da;
      return Status::Ok();
    }
    LineageRow lr{da, flags, flags};
    // Versions that differ in what decides who may see them: readers take
    // first/last among the versions they may see (kFlagPolicyVaries).
    if (st->Text(4) != obj.marking || st->Text(5) != obj.audience || st->Text(6) != obj.origin) {
      policy_varies = true;
      lr.updated |= sqlite::kFlagPolicyVaries;
    }
    lineage_.push_back(lr);
    if (!any || v < min_v) min_v = v, first_da = da;
    if (!any || v > max_v) max_v = v, last_da = da;
    any = true;
  }
  // A versionless object's version is the date_added it is about to get;
  // it takes part in first/last like any other version.
  if (versionless) version = std::max(options_.clock->NowMicros(), t->state.last_date_added + 1);

  int flags = 0;
  if (!any || version < min_v) flags |= sqlite::kFlagFirst;
  if (!any || version > max_v) flags |= sqlite::kFlagLast;
  if (policy_varies) flags |= sqlite::kFlagPolicyVaries;
  // The previous first (last) gives its flag to the new version; one update
  // per row that changes.
  for (LineageRow& lr : lineage_) {
    if ((flags & sqlite::kFlagFirst) && lr.date_added == first_da) lr.updated &= ~sqlite::kFlagFirst;
    if ((flags & sqlite::kFlagLast) && lr.date_added == last_da) lr.updated &= ~sqlite::kFlagLast;
    if (lr.updated != lr.stored) RETURN_IF_ERROR(SetFlags(coll, lr.date_added, lr.updated));
  }

  // date_added: server time, strictly increasing, assigned inside the one
  // write transaction so commit order and date_added order agree.
  const int64_t da =
      versionless ? version : std::max(options_.clock->NowMicros(), t->state.last_date_added + 1);
  t->state.last_date_added = da;
  if (versionless) flags |= sqlite::kFlagVersionless;
  if (obj.granular) flags |= sqlite::kFlagGranular;

  // Inserted in groups by FlushRows(): one statement step per kRowsPerInsert
  // rows costs about 30% less than one per row.
  rows_.push_back(PendingRow{da, id_hash, version, flags, &obj});
  t->overlay.Insert(key, da);
  t->adds.emplace_back(key, da);
  *outcome = AddOutcome::kAdded;
  *date_added = da;
  return Status::Ok();
}

namespace {

void BindRow(sqlite::Statement* st, int base, int64_t da, int64_t id_hash, int64_t version,
             int flags, const NewObject& obj) {
  st->Bind(base + 1, da);
  st->Bind(base + 2, id_hash);
  st->Bind(base + 3, version);
  st->Bind(base + 4, flags);
  st->BindStatic(base + 5, obj.type);
  st->BindStatic(base + 6, obj.spec_version);
  st->BindStatic(base + 7, obj.id);
  st->BindStatic(base + 8, obj.marking);
  st->BindStatic(base + 9, obj.producer);
  st->BindStatic(base + 10, obj.audience);
  st->BindStatic(base + 11, obj.origin);
  st->BindBlobStatic(base + 12, obj.raw);
}

}  // namespace

Status SqliteStore::FlushRows(int64_t coll) {
  static const std::string kInsertMany = [] {
    std::string sql(kInsertObject.substr(0, kInsertObject.find(" VALUES")));
    sql += " VALUES ";
    for (int r = 0; r < kRowsPerInsert; ++r) {
      sql += r == 0 ? "" : ",";
      sql += "(?,?,?,?,?,?,?,?,?,?,?,?)";
    }
    return sql;
  }();
  size_t i = 0;
  Status s;
  for (; s.ok() && rows_.size() - i >= static_cast<size_t>(kRowsPerInsert); i += kRowsPerInsert) {
    auto st = writer_->PrepareFor(kInsertMany, coll, &Sql);
    if (!st.ok()) {
      s = st.status();
      break;
    }
    for (int r = 0; r < kRowsPerInsert; ++r) {
      const PendingRow& row = rows_[i + static_cast<size_t>(r)];
      BindRow(&**st, r * 12, row.date_added, row.id_hash, row.version, row.flags, *row.obj);
    }
    s = (*st)->Run();
  }
  for (; s.ok() && i < rows_.size(); ++i) {
    auto st = writer_->PrepareFor(kInsertObject, coll, &Sql);
    if (!st.ok()) {
      s = st.status();
      break;
    }
    const PendingRow& row = rows_[i];
    BindRow(&**st, 0, row.date_added, row.id_hash, row.version, row.flags, *row.obj);
    s = (*st)->Run();
  }
  rows_.clear();
  return s;
}

Status SqliteStore::ApplyBatch(Txn* t, const WriteBatch& batch, WriteResult* result) {
  // rows_ belongs to this batch only: whatever happens, it is empty after.
  Status s = ApplyBatchRows(t, batch, result);
  rows_.clear();
  return s;
}

Status SqliteStore::ApplyBatchRows(Txn* t, const WriteBatch& batch, WriteResult* result) {
  if (!batch.objects.empty()) {
    ASSIGN_OR_RETURN(auto st, writer_->Prepare("SELECT 1 FROM collections WHERE key=?1"));
    st->Bind(1, batch.collection);
    ASSIGN_OR_RETURN(bool found, st->Step());
    if (!found) return NotFound(CollectionName(batch.collection) + " does not exist");
  }
  result->outcomes.resize(batch.objects.size());
  result->date_added_us.resize(batch.objects.size());
  int64_t added = 0, first = 0, last = 0;
  for (size_t i = 0; i < batch.objects.size(); ++i) {
    Status s = AddObject(t, batch.collection, batch.objects[i], &result->outcomes[i],
                         &result->date_added_us[i]);
    if (!s.ok()) return s.WithContext("object " + std::to_string(i));
    if (result->outcomes[i] == AddOutcome::kAdded) {
      if (added == 0) first = result->date_added_us[i];
      last = result->date_added_us[i];
      ++added;
    }
  }
  RETURN_IF_ERROR(FlushRows(batch.collection));
  if (batch.status) {
    const StatusRecord& sr = *batch.status;
    ASSIGN_OR_RETURN(
        auto st,
        writer_->Prepare("INSERT INTO statuses(api_root, id, owner, request_timestamp, status,"
                         " details) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"));
    std::string details = sqlite::EncodeStatusDetails(sr);
    st->BindStatic(1, sr.api_root);
    st->BindStatic(2, sr.id);
    st->Bind(3, sr.owner_account);
    st->Bind(4, sr.request_timestamp_us);
    st->BindStatic(5, sr.status);
    st->BindStatic(6, details);
    RETURN_IF_ERROR(st->Run());
  }
  if (batch.cursor) {
    ASSIGN_OR_RETURN(auto st,
                     writer_->Prepare("INSERT INTO cursors(name, value) VALUES(?1, ?2)"
                                      " ON CONFLICT(name) DO UPDATE SET value=excluded.value"));
    st->BindStatic(1, batch.cursor->name);
    st->BindStatic(2, batch.cursor->value);
    RETURN_IF_ERROR(st->Run());
  }
  for (const RefusedMarking& m : batch.refused_markings) {
    ASSIGN_OR_RETURN(auto st,
                     writer_->Prepare("INSERT INTO refused_markings(id, reason, refused_at)"
                                      " VALUES(?1, ?2, ?3) ON CONFLICT(id) DO NOTHING"));
    st->BindStatic(1, m.id);
    st->BindStatic(2, m.reason);
    st->Bind(3, options_.clock->NowMicros());
    RETURN_IF_ERROR(st->Run());
  }
  if (added > 0) {
    t->objects_added = true;
    t->count_deltas[batch.collection] += added;
    CommitNotice& n = t->notices[batch.collection];
    if (n.added == 0) n.first_date_added_us = first;
    n.collection = batch.collection;
    n.last_date_added_us = last;
    n.added += added;
  }
  return Status::Ok();
}

void SqliteStore::RunGroup(std::vector<WriteRequest>* group) {
  std::vector<Result<WriteResult>> results;
  results.reserve(group->size());
  Txn t;
  Transaction txn(writer_.get());
  Status s = BeginWrite(&txn, &t, true);
  int64_t committed_batches = 0;
  if (s.ok()) {
    for (WriteRequest& req : *group) {
      // A savepoint per batch: a failing batch is undone alone, the others
      // in the group still commit.
      s = writer_->Exec("SAVEPOINT batch");
      if (!s.ok()) break;
      size_t adds_mark = t.adds.size();
      auto notices = t.notices;
      auto deltas = t.count_deltas;
      bool added_before = t.objects_added;
      WriteResult wr;
      Status bs = ApplyBatch(&t, req.batch, &wr);
      if (bs.ok()) {
        s = writer_->Exec("RELEASE batch");
        if (!s.ok()) break;
        results.emplace_back(std::move(wr));
        ++committed_batches;
        continue;
      }
      s = writer_->Exec("ROLLBACK TO batch; RELEASE batch");
      if (!s.ok()) break;
      for (size_t i = adds_mark; i < t.adds.size(); ++i) {
        t.overlay.Erase(t.adds[i].first, t.adds[i].second);
      }
      t.adds.resize(adds_mark);
      t.notices = std::move(notices);
      t.count_deltas = std::move(deltas);
      t.objects_added = added_before;
      results.emplace_back(std::move(bs));
    }
  }
  if (s.ok()) s = CommitWrite(&txn, &t);
  if (!s.ok()) {
    txn.Rollback();
    for (size_t i = 0; i < group->size(); ++i) {
      if (i >= results.size() || results[i].ok()) {
        if (i >= results.size())
          results.emplace_back(s);
        else
          results[i] = s;
      }
    }
    committed_batches = 0;
    t.notices.clear();
  }
  {
    std::lock_guard lock(stats_mu_);
    if (committed_batches > 0 || s.ok()) {
      ++stats_.commits;
      stats_.batches += committed_batches;
      stats_.last_commit_batches = committed_batches;
      if (committed_batches > 0) ++stats_.group_sizes_histogram[HistogramBucket(committed_batches)];
    }
  }
  Unflushed u;
  u.last_date_added = t.state.last_date_added;
  for (auto& [coll, notice] : t.notices) u.notices.push_back(notice);
  for (size_t i = 0; i < group->size(); ++i) {
    u.callbacks.emplace_back(std::move((*group)[i].done), std::move(results[i]));
  }
  Publish(std::move(u), s.ok());
}

void SqliteStore::Publish(Unflushed u, bool committed) {
  if (wal_fd_ < 0 || !committed) {
    Acknowledge(&u, Status::Ok());
    return;
  }
  {
    std::lock_guard lock(sync_mu_);
    unflushed_.push_back(std::move(u));
  }
  sync_cv_.notify_one();
}

void SqliteStore::Acknowledge(Unflushed* u, const Status& flush) {
  if (flush.ok() && !u->notices.empty()) {
    std::lock_guard lock(listeners_mu_);
    for (const CommitNotice& n : u->notices) {
      for (const CommitListener& l : listeners_) l(n);
    }
  }
  for (auto& [done, result] : u->callbacks) {
    if (!flush.ok() && result.ok()) {
      done(flush);
    } else {
      done(std::move(result));
    }
  }
  if (u->task != nullptr) u->task->set_value(flush.ok() ? u->task_status : flush);
}

void SqliteStore::SyncLoop() {
  for (;;) {
    std::deque<Unflushed> batch;
    {
      std::unique_lock lock(sync_mu_);
      sync_cv_.wait(lock, [this] { return sync_stop_ || !unflushed_.empty(); });
      if (unflushed_.empty()) return;  // stopping, everything flushed
      batch.swap(unflushed_);
    }
    // One flush covers every commit written before it started: WAL frames
    // reach the kernel during COMMIT, and fdatasync works on the file, not
    // on a descriptor.
    Status s;
    if (options_.before_flush_for_test) options_.before_flush_for_test();
    if (fdatasync(wal_fd_) != 0) {
      s = IoError(std::string("flushing the write-ahead log failed: ") + std::strerror(errno) +
                  "; the store refuses writes until it is reopened");
    }
    {
      std::lock_guard lock(sync_mu_);
      pending_commits_ -= static_cast<int64_t>(batch.size());
      if (s.ok()) {
        for (const Unflushed& u : batch) flushed_da_ = std::max(flushed_da_, u.last_date_added);
      } else {
        sync_failed_ = s;  // those commits stay hidden
      }
      visible_upper_.store(pending_commits_ == 0 && sync_failed_.ok()
                               ? std::numeric_limits<int64_t>::max()
                               : flushed_da_,
                           std::memory_order_release);
    }
    for (Unflushed& u : batch) Acknowledge(&u, s);
  }
}

void SqliteStore::RunTask(Task* task) {
  Txn t;
  Transaction txn(writer_.get());
  Status s = BeginWrite(&txn, &t, task->ids);
  if (s.ok()) s = task->fn(&t);
  if (s.ok()) s = CommitWrite(&txn, &t);
  if (!s.ok()) txn.Rollback();
  Unflushed u;
  u.last_date_added = t.state.last_date_added;
  u.task = task->done;
  u.task_status = s;
  Publish(std::move(u), s.ok());
}

}  // namespace kizuna::store
