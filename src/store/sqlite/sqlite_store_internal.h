#pragma once
// Internal to the SQLite store: the SqliteStore class (sqlite_store.h only
// names it) and the helpers its files share. The class is implemented
// along its seams in:
//   sqlite_store.cc            open and close, checkpoints, the reader pool, health
//   sqlite_store_writer.cc     the writer thread and group commit, the syncer (WAL flush)
//   sqlite_store_id_index.cc   the in-memory id index: load, rebuild, catch-up, snapshot
//   sqlite_store_queries.cc    object queries and counts, object deletes
//   sqlite_store_directory.cc  the directory, cursors, statuses, commit listeners
// The SQL they share is in statements.h. What the store does and its
// thread safety: sqlite_store.h.
//
// Include only from src/store/sqlite/sqlite_store*.cc.

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "store/sqlite/id_index.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace kizuna::store {
namespace sqlite {

struct StateRow {
  int64_t last_date_added = 0;
  int64_t objects_gen = 0;
  int64_t objects_del_gen = 0;
  int64_t directory_gen = 0;
  bool operator==(const StateRow&) const = default;
};

// The state row as `conn` reads it. IoError when it is missing.
Result<StateRow> LoadState(Connection* conn);

// "collection <key>", for messages.
std::string CollectionName(int64_t key);

// Turns PRAGMA secure_delete on for the life of the object (a delete task).
class SecureDelete {
 public:
  explicit SecureDelete(Connection* conn) : conn_(conn) {
    Status s = conn_->Exec("PRAGMA secure_delete=ON");
    (void)s;  // best effort: a failure only leaves freed bytes unzeroed
  }
  ~SecureDelete() {
    Status s = conn_->Exec("PRAGMA secure_delete=OFF");
    (void)s;
  }
  SecureDelete(const SecureDelete&) = delete;
  SecureDelete& operator=(const SecureDelete&) = delete;

 private:
  Connection* conn_;
};

// Collects one page of a query (sqlite_store_queries.cc).
class PageBuilder;

}  // namespace sqlite

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const SqliteOptions& options) : options_(options) {}
  ~SqliteStore() override;

  Status Init();

  void Write(WriteBatch batch, WriteCallback done) override;
  Result<ObjectPage> Query(const ObjectQuery& query, std::optional<int64_t> after_cursor) override;
  Result<int64_t> DeleteObject(int64_t collection, const std::string& id,
                               const VersionFilter& versions) override;
  Result<int64_t> CountObjects(std::optional<int64_t> collection) override;
  void AddCommitListener(CommitListener listener) override;
  Result<std::optional<std::string>> GetCursor(const std::string& name) override;
  Status PutCursor(const CursorUpdate& cursor) override;
  Result<std::vector<RefusedMarking>> FindRefusedMarkings(
      const std::vector<std::string>& ids) override;
  Result<std::optional<StatusRecord>> GetStatus(const std::string& api_root,
                                                const std::string& id) override;

  Status PutApiRoot(const ApiRoot& root) override;
  Result<std::vector<ApiRoot>> ListApiRoots() override;
  Result<Collection> PutCollection(const Collection& c) override;
  Result<std::vector<Collection>> ListCollections(const std::string& api_root) override;
  Status DeleteCollection(int64_t key) override;
  Result<std::optional<Collection>> FindCollection(const std::string& api_root,
                                                   const std::string& id_or_alias) override;
  Status PutOrganization(const Organization& org) override;
  Result<std::vector<Organization>> ListOrganizations() override;
  Status PutTrustGroup(const TrustGroup& group) override;
  Result<std::vector<TrustGroup>> ListTrustGroups() override;
  Status DeleteTrustGroup(const std::string& id) override;
  Status PutConfigRecord(const ConfigRecord& record) override;
  Status UpdateConfigRecord(const ConfigRecord& record, const std::string& expected) override;
  Result<std::vector<ConfigRecord>> ListConfigRecords(const std::string& kind) override;
  Status DeleteConfigRecord(const std::string& kind, const std::string& name) override;
  Result<Account> PutAccount(const Account& account) override;
  Result<std::optional<Account>> FindAccount(const std::string& username) override;
  Result<std::optional<Account>> FindAccountByKey(int64_t key) override;
  Result<std::vector<Account>> ListAccounts() override;
  Status PutGrant(const Grant& grant) override;
  Result<std::vector<Grant>> ListGrants(std::optional<int64_t> account) override;
  Status PutToken(const Token& token) override;
  Result<std::optional<Token>> FindToken(const std::string& id) override;
  Status DeleteToken(const std::string& id) override;
  Result<std::vector<Token>> ListTokens(std::optional<int64_t> account) override;
  Result<int64_t> DirectoryGeneration() override;
  Result<ObjectsVersionValue> ObjectsVersion() override;

  StoreStats Stats() const override;
  Status Ping() override;
  Status CheckIntegrity() override;

 private:
  // ---- writer side ----
  // State of one write transaction on the writer connection.
  struct Txn {
    sqlite::StateRow state;   // updated in memory, written back before COMMIT
    sqlite::StateRow loaded;  // as read at BEGIN
    bool objects_added = false;
    bool objects_removed = false;
    bool directory_changed = false;
    std::vector<std::pair<uint64_t, int64_t>> adds;     // id-index entries to add after commit
    std::vector<std::pair<uint64_t, int64_t>> removes;  // ... and to remove
    sqlite::IdIndex overlay;                            // `adds`, for lookups before commit
    std::map<int64_t, CommitNotice> notices;            // per collection
    std::map<int64_t, int64_t> count_deltas;            // per collection
    std::vector<int64_t> dropped_collections;           // their counts rows go
    int64_t batches = 0;
  };
  struct WriteRequest {
    WriteBatch batch;
    WriteCallback done;
  };
  struct Task {
    std::function<Status(Txn*)> fn;
    std::promise<Status>* done;
    bool ids;  // looks objects up by id
  };
  using Item = std::variant<WriteRequest, Task>;

  void WriterLoop();
  void RunGroup(std::vector<WriteRequest>* group);
  void RunTask(Task* task);
  // BEGIN IMMEDIATE, state load, id-index sync.
  // `ids`: the transaction looks objects up by id (loads the id index).
  Status BeginWrite(sqlite::Transaction* txn, Txn* t, bool ids);
  // Writes the state row and counts, commits, then publishes id-index
  // changes. On failure the transaction is rolled back.
  Status CommitWrite(sqlite::Transaction* txn, Txn* t);
  Status ApplyBatch(Txn* t, const WriteBatch& batch, WriteResult* result);
  Status ApplyBatchRows(Txn* t, const WriteBatch& batch, WriteResult* result);
  // Inserts rows_ into `coll`'s table and empties it.
  Status FlushRows(int64_t coll);
  Status AddObject(Txn* t, int64_t coll, const NewObject& obj, AddOutcome* outcome,
                   int64_t* date_added);
  // Runs `fn` in its own write transaction on the writer thread and waits.
  Status RunWrite(std::function<Status(Txn*)> fn, bool ids = false);
  Status Enqueue(Item item);
  // Candidate date_added values of (coll, id) as the writer sees them.
  void FindVersions(Txn* t, uint64_t key, std::vector<int64_t>* out);
  Status SetFlags(int64_t coll, int64_t date_added, int flags);

  // ---- id index ----
  // Brings the id index up to the snapshot `conn` reads (inside a
  // transaction) when another process changed objects. `snap` is the state
  // row of that snapshot.
  // The index is loaded on first use (`load`): directory-only processes
  // (kizuna admin) never pay for it; without `load` an unloaded index is
  // left alone.
  Status SyncIdIndex(sqlite::Connection* conn, const sqlite::StateRow& snap, bool from_writer,
                     bool load);
  // Loads the id index on a reader connection (SqliteOptions::warm_id_index).
  void WarmIdIndex();
  // REQUIRES (all three): map_mu_ held exclusively, `conn` in a transaction.
  Status RebuildIdIndexLocked(sqlite::Connection* conn, const sqlite::StateRow& snap);
  // Loads the snapshot written by SaveIdIndexSnapshot() and catches up;
  // false when there is none or it cannot be used.
  Result<bool> LoadIdIndexSnapshotLocked(sqlite::Connection* conn, const sqlite::StateRow& snap);
  // Adds the rows with date_added > map_max_da_.
  Status CatchUpLocked(sqlite::Connection* conn);
  // At close: stores the id index so that the next open can skip the rebuild.
  Status SaveIdIndexSnapshot();

  // ---- readers ----
  class ReaderLease {
   public:
    ReaderLease(SqliteStore* store, std::unique_ptr<sqlite::Connection> conn)
        : store_(store), conn_(std::move(conn)) {}
    ReaderLease(ReaderLease&&) = default;
    ~ReaderLease() {
      if (conn_) store_->ReturnReader(std::move(conn_));
    }
    sqlite::Connection* get() const { return conn_.get(); }
    sqlite::Connection* operator->() const { return conn_.get(); }

   private:
    SqliteStore* store_;
    std::unique_ptr<sqlite::Connection> conn_;
  };
  Result<ReaderLease> AcquireReader();
  void ReturnReader(std::unique_ptr<sqlite::Connection> conn);
  Status QueryScan(sqlite::Connection* conn, const ObjectQuery& q, int64_t lower,
                   sqlite::PageBuilder* pb);
  Status QueryTypes(sqlite::Connection* conn, const ObjectQuery& q, int64_t lower,
                    sqlite::PageBuilder* pb);
  Status QueryIds(sqlite::Connection* conn, const ObjectQuery& q, int64_t lower,
                  sqlite::PageBuilder* pb);
  // The row's flags with first/last as of the versions of its id (and
  // producer lineage) at or below `upper` in conn's snapshot, and, with
  // `visible`, among the versions that predicate accepts.
  // `synced`: the id index was brought up to conn's snapshot by an earlier
  // call of the same query (set by the first call).
  Result<int> VisibleFlags(sqlite::Connection* conn, int64_t coll, const sqlite::Statement& row,
                           int64_t upper, bool* synced,
                           const std::function<bool(const ObjectRecord&)>* visible);

  // ---- checkpoints ----
  static int WalHook(void* arg, sqlite3* db, const char* name, int pages);
  void CheckpointLoop();

  Result<Collection> ReadCollection(const sqlite::Statement& st) const;
  Result<Account> ReadAccount(const sqlite::Statement& st) const;

  const SqliteOptions options_;
  std::unique_ptr<sqlite::Connection> writer_;  // used by the writer thread only (and Init/close)
  std::unique_ptr<sqlite::Connection> checkpointer_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Item> queue_;  // GUARDED_BY(queue_mu_)
  bool stopping_ = false;   // GUARDED_BY(queue_mu_)
  std::thread writer_thread_;
  std::vector<int64_t> scratch_;  // writer thread only
  struct LineageRow {
    int64_t date_added = 0;
    int stored = 0;   // flags as stored
    int updated = 0;  // flags to store
  };
  std::vector<LineageRow> lineage_;  // writer thread only (AddObject)
  // New rows of the batch being applied, not yet inserted (writer thread).
  struct PendingRow {
    int64_t date_added, id_hash, version;
    int flags;
    const NewObject* obj;
  };
  std::vector<PendingRow> rows_;
  // Group-commit pacing, writer thread only: batches per recent commit and
  // a moving average of a commit's duration.
  std::array<size_t, 8> recent_group_sizes_{};
  size_t recent_group_next_ = 0;
  int64_t commit_us_ewma_ = 0;

  // The id index: its content reflects objects_gen `map_gen_` of the file.
  mutable std::shared_mutex map_mu_;
  std::condition_variable_any map_cv_;
  sqlite::IdIndex map_;         // GUARDED_BY(map_mu_)
  bool map_loaded_ = false;     // GUARDED_BY(map_mu_)
  bool snapshot_good_ = false;  // GUARDED_BY(map_mu_): the index was loaded from the saved snapshot
  int64_t map_gen_ = -1;        // GUARDED_BY(map_mu_)
  int64_t map_del_gen_ = -1;    // GUARDED_BY(map_mu_)
  int64_t map_max_da_ = 0;      // GUARDED_BY(map_mu_)
  int64_t inflight_gen_ = 0;    // GUARDED_BY(map_mu_): objects_gen our writer is committing

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<sqlite::Connection>> idle_readers_;  // GUARDED_BY(readers_mu_)

  std::mutex listeners_mu_;
  std::vector<CommitListener> listeners_;  // GUARDED_BY(listeners_mu_)

  std::mutex ckpt_mu_;
  std::condition_variable ckpt_cv_;
  bool ckpt_wanted_ = false;  // GUARDED_BY(ckpt_mu_)
  bool ckpt_stop_ = false;    // GUARDED_BY(ckpt_mu_)
  std::thread ckpt_thread_;
  int wal_checkpoint_pages_ = 0;

  // ---- durability ----
  // Durable commits are made with synchronous=NORMAL and flushed by the
  // syncer thread (fdatasync of the WAL), which acknowledges them only
  // then, so the writer prepares the next group while the disk flushes.
  // Readers must not see a commit before its flush: before each commit
  // the writer lowers visible_upper_ to the last flushed date_added, and
  // the syncer raises it (to "everything") when no commit is unflushed.
  struct Unflushed {
    int64_t last_date_added = 0;
    std::vector<std::pair<WriteCallback, Result<WriteResult>>> callbacks;
    std::vector<CommitNotice> notices;
    std::promise<Status>* task = nullptr;
    Status task_status;
  };
  // Publishes a commit: at once (not durable, or nothing to wait for) or
  // after its flush.
  void Publish(Unflushed u, bool committed);
  // Runs the listeners and callbacks of a commit whose flush returned `flush`.
  void Acknowledge(Unflushed* u, const Status& flush);
  void SyncLoop();
  int wal_fd_ = -1;
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::deque<Unflushed> unflushed_;  // GUARDED_BY(sync_mu_)
  int64_t pending_commits_ = 0;      // GUARDED_BY(sync_mu_): committed, not flushed
  int64_t flushed_da_ = 0;           // GUARDED_BY(sync_mu_)
  bool sync_stop_ = false;           // GUARDED_BY(sync_mu_)
  Status sync_failed_;               // GUARDED_BY(sync_mu_)
  std::thread sync_thread_;
  std::atomic<int64_t> visible_upper_{std::numeric_limits<int64_t>::max()};

  mutable std::mutex stats_mu_;
  StoreStats stats_;  // GUARDED_BY(stats_mu_); objects is read from counts
  std::atomic<int64_t> objects_{0};
  bool initialized_ = false;
  std::thread warm_thread_;
};

}  // namespace kizuna::store
