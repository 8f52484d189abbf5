#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_set>
#include <variant>

#include "store/sqlite/codec.h"
#include "store/sqlite/id_index.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_db.h"

namespace kizuna::store {
namespace {

using sqlite::Connection;
using sqlite::IdIndex;
using sqlite::StatementRef;
using sqlite::Transaction;

// The columns every object query reads, in this order; raw stays last.
#define KIZUNA_OBJECT_COLUMNS \
  "date_added, flags, version, type, spec_version, id, marking, producer, audience, origin, raw"
enum Col : int {
  kColDateAdded = 0,
  kColFlags,
  kColVersion,
  kColType,
  kColSpecVersion,
  kColId,
  kColMarking,
  kColProducer,
  kColAudience,
  kColOrigin,
  kColRaw,
};

// Statements on a collection's objects table name it "{T}" (see Sql()).
constexpr std::string_view kSelectScan = "SELECT " KIZUNA_OBJECT_COLUMNS
                                         " FROM {T} NOT INDEXED WHERE date_added>?1"
                                         " ORDER BY date_added";
constexpr std::string_view kSelectType = "SELECT " KIZUNA_OBJECT_COLUMNS
                                         " FROM {T} INDEXED BY {T}_type"
                                         " WHERE type=?1 AND date_added>?2 ORDER BY date_added";
constexpr std::string_view kSelectOne =
    "SELECT " KIZUNA_OBJECT_COLUMNS " FROM {T} WHERE date_added=?1";
constexpr std::string_view kSelectIdHashes =
    "SELECT id_hash, date_added FROM {T} INDEXED BY {T}_type";
constexpr std::string_view kUpdateFlags = "UPDATE {T} SET flags=?2 WHERE date_added=?1";
constexpr std::string_view kSelectVersion =
    "SELECT id, version, flags, producer FROM {T} WHERE date_added=?1";
constexpr std::string_view kSelectRaw = "SELECT raw FROM {T} WHERE date_added=?1";
constexpr std::string_view kSelectIdHashesAfter =
    "SELECT id_hash, date_added FROM {T} WHERE date_added>?1";
constexpr std::string_view kDeleteOne = "DELETE FROM {T} WHERE date_added=?1";
constexpr std::string_view kInsertObject =
    "INSERT INTO {T}(date_added, id_hash, version, flags, type,"
    " spec_version, id, marking, producer, audience, origin, raw)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
constexpr const char* kSelectState =
    "SELECT last_date_added, objects_gen, objects_del_gen, directory_gen FROM state WHERE one=1";

// More types than this in one match[type] are served by a filtered scan
// rather than a merge of one index range per type.
constexpr size_t kMaxMergedTypes = 32;

// New objects are inserted this many rows per statement step.
constexpr int kRowsPerInsert = 16;

int HistogramBucket(int64_t batches) {
  int b = 0;
  while (b < 6 && (int64_t{2} << b) <= batches) ++b;
  return b;
}

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

std::string CollectionName(int64_t key) { return "collection " + std::to_string(key); }

// `tmpl` with every "{T}" replaced by collection `coll`'s objects table.
std::string Sql(std::string_view tmpl, int64_t coll) {
  const std::string table = sqlite::ObjectsTable(coll);
  std::string out;
  out.reserve(tmpl.size() + 16);
  for (size_t i = 0; i < tmpl.size();) {
    if (tmpl.compare(i, 3, "{T}") == 0) {
      out += table;
      i += 3;
    } else {
      out += tmpl[i++];
    }
  }
  return out;
}

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

// Collects one page from rows offered in date_added order: applies the
// per-row filters and the visibility predicate, fills at most `limit`
// records, then looks for one more visible row to decide `more`.
class PageBuilder {
 public:
  // The first/last flags of the row `st` is positioned on as readers may
  // see them while rows above `upper` are hidden (see Offer()).
  using FlagResolver = std::function<Result<int>(const sqlite::Statement& st, int64_t upper)>;

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
    if (upper_ != std::numeric_limits<int64_t>::max() && UsesEnds(q_.versions) &&
        (flags & (sqlite::kFlagFirst | sqlite::kFlagLast)) !=
            (sqlite::kFlagFirst | sqlite::kFlagLast)) {
      // The flags are those of the whole snapshot: a newer (older) version
      // still hidden may have taken this row's last (first) flag, and the
      // row is then the last (first) one readers may see.
      Result<int> resolved = resolve_(st, upper_);
      if (!resolved.ok()) {
        status_ = resolved.status();
        return false;
      }
      flags = *resolved;
    }
    if (!VersionSelected(q_.versions, flags, st.Int64(kColVersion))) return true;
    if (!q_.spec_versions.empty() && !Contains(q_.spec_versions, st.Text(kColSpecVersion))) {
      return true;
    }
    if (!q_.types.empty() && !Contains(q_.types, st.Text(kColType))) return true;
    bool full = page_->records.size() >= static_cast<size_t>(q_.limit);
    if (full && !q_.visible) {
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
    if (q_.visible && !q_.visible(rec)) {
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

  const ObjectQuery& q_;
  ObjectPage* page_;
  const std::atomic<int64_t>* upper_source_;
  FlagResolver resolve_;
  int64_t upper_ = -1;  // -1: not read yet
  ObjectRecord probe_;
  Status status_;
};

struct StateRow {
  int64_t last_date_added = 0;
  int64_t objects_gen = 0;
  int64_t objects_del_gen = 0;
  int64_t directory_gen = 0;
  bool operator==(const StateRow&) const = default;
};

Result<StateRow> LoadState(Connection* conn) {
  ASSIGN_OR_RETURN(auto st, conn->Prepare(kSelectState));
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return IoError("store state row is missing");
  return StateRow{st->Int64(0), st->Int64(1), st->Int64(2), st->Int64(3)};
}

void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Memory statistics take a global mutex on every allocation; readers on
    // several threads would contend on it. Fails harmlessly (SQLITE_MISUSE)
    // when SQLite was already initialised by someone else.
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  });
}

}  // namespace

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
    StateRow state;   // updated in memory, written back before COMMIT
    StateRow loaded;  // as read at BEGIN
    bool objects_added = false;
    bool objects_removed = false;
    bool directory_changed = false;
    std::vector<std::pair<uint64_t, int64_t>> adds;     // id-index entries to add after commit
    std::vector<std::pair<uint64_t, int64_t>> removes;  // ... and to remove
    IdIndex overlay;                                    // `adds`, for lookups before commit
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
  Status BeginWrite(Transaction* txn, Txn* t, bool ids);
  // Writes the state row and counts, commits, then publishes id-index
  // changes. On failure the transaction is rolled back.
  Status CommitWrite(Transaction* txn, Txn* t);
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
  Status SyncIdIndex(Connection* conn, const StateRow& snap, bool from_writer, bool load);
  // Loads the id index on a reader connection (SqliteOptions::warm_id_index).
  void WarmIdIndex();
  // REQUIRES (all three): map_mu_ held exclusively, `conn` in a transaction.
  Status RebuildIdIndexLocked(Connection* conn, const StateRow& snap);
  // Loads the snapshot written by SaveIdIndexSnapshot() and catches up;
  // false when there is none or it cannot be used.
  Result<bool> LoadIdIndexSnapshotLocked(Connection* conn, const StateRow& snap);
  // Adds the rows with date_added > map_max_da_.
  Status CatchUpLocked(Connection* conn);
  // At close: stores the id index so that the next open can skip the rebuild.
  Status SaveIdIndexSnapshot();

  // ---- readers ----
  class ReaderLease {
   public:
    ReaderLease(SqliteStore* store, std::unique_ptr<Connection> conn)
        : store_(store), conn_(std::move(conn)) {}
    ReaderLease(ReaderLease&&) = default;
    ~ReaderLease() {
      if (conn_) store_->ReturnReader(std::move(conn_));
    }
    Connection* get() const { return conn_.get(); }
    Connection* operator->() const { return conn_.get(); }

   private:
    SqliteStore* store_;
    std::unique_ptr<Connection> conn_;
  };
  Result<ReaderLease> AcquireReader();
  void ReturnReader(std::unique_ptr<Connection> conn);
  Status QueryScan(Connection* conn, const ObjectQuery& q, int64_t lower, PageBuilder* pb);
  Status QueryTypes(Connection* conn, const ObjectQuery& q, int64_t lower, PageBuilder* pb);
  Status QueryIds(Connection* conn, const ObjectQuery& q, int64_t lower, PageBuilder* pb);
  // The row's flags with first/last as of the versions of its id (and
  // producer lineage) at or below `upper` in conn's snapshot.
  // `synced`: the id index was brought up to conn's snapshot by an earlier
  // call of the same query (set by the first call).
  Result<int> VisibleFlags(Connection* conn, int64_t coll, const sqlite::Statement& row,
                           int64_t upper, bool* synced);

  // ---- checkpoints ----
  static int WalHook(void* arg, sqlite3* db, const char* name, int pages);
  void CheckpointLoop();

  Result<Collection> ReadCollection(const sqlite::Statement& st) const;
  Result<Account> ReadAccount(const sqlite::Statement& st) const;

  const SqliteOptions options_;
  std::unique_ptr<Connection> writer_;  // used by the writer thread only (and Init/close)
  std::unique_ptr<Connection> checkpointer_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Item> queue_;  // GUARDED_BY(queue_mu_)
  bool stopping_ = false;   // GUARDED_BY(queue_mu_)
  std::thread writer_thread_;
  std::vector<int64_t> scratch_;  // writer thread only
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
  IdIndex map_;                 // GUARDED_BY(map_mu_)
  bool map_loaded_ = false;     // GUARDED_BY(map_mu_)
  bool snapshot_good_ = false;  // GUARDED_BY(map_mu_): the index was loaded from the saved snapshot
  int64_t map_gen_ = -1;        // GUARDED_BY(map_mu_)
  int64_t map_del_gen_ = -1;    // GUARDED_BY(map_mu_)
  int64_t map_max_da_ = 0;      // GUARDED_BY(map_mu_)
  int64_t inflight_gen_ = 0;    // GUARDED_BY(map_mu_): objects_gen our writer is committing

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;  // GUARDED_BY(readers_mu_)

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

// ---------------------------------------------------------------------------
// Open and close

Status SqliteStore::Init() {
  ConfigureSqliteOnce();
  sqlite::ConnectionOptions co;
  co.create = true;
  co.cache_kib = options_.cache_mib * 1024;
  co.mmap_bytes = options_.mmap_mib * 1024 * 1024;
  ASSIGN_OR_RETURN(writer_, Connection::Open(options_.path, co));
  // Refuse a foreign or newer file before changing anything in it.
  RETURN_IF_ERROR(sqlite::CheckSchema(writer_.get()));
  // page_size only takes effect on a new file, and must precede WAL mode.
  RETURN_IF_ERROR(writer_->Exec("PRAGMA page_size=" + std::to_string(options_.page_size)));
  {
    ASSIGN_OR_RETURN(auto st, writer_->Prepare("PRAGMA journal_mode=WAL"));
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row || st->Text(0) != "wal") {
      return IoError("'" + options_.path + "': cannot switch to WAL mode");
    }
  }
  RETURN_IF_ERROR(sqlite::Migrate(writer_.get()));
  // Inserts skip zeroing freed space (8% of the insert cost); deletes turn
  // it back on (SecureDelete), so a deleted object's bytes do not linger
  // in free pages of the file.
  RETURN_IF_ERROR(writer_->Exec("PRAGMA secure_delete=OFF"));
  // NORMAL: commits do not flush; when durable, the syncer thread flushes
  // the WAL before any commit is acknowledged or shown (see Unflushed).
  RETURN_IF_ERROR(writer_->Exec("PRAGMA synchronous=NORMAL"));
  if (options_.durable) {
    wal_fd_ = open((options_.path + "-wal").c_str(), O_RDWR | O_CLOEXEC);
    if (wal_fd_ < 0 || fdatasync(wal_fd_) != 0) {
      return IoError("'" + options_.path + "-wal': " + std::strerror(errno));
    }
  }
  ASSIGN_OR_RETURN(auto page_size, writer_->QueryInt("PRAGMA page_size"));
  wal_checkpoint_pages_ = static_cast<int>(
      std::max<int64_t>(64, options_.checkpoint_mib * 1024 * 1024 / page_size.value_or(4096)));
  // Checkpoints run on their own thread; the writer only reports WAL growth.
  RETURN_IF_ERROR(writer_->Exec("PRAGMA journal_size_limit=" +
                                std::to_string(options_.checkpoint_mib * 2 * 1024 * 1024)));
  sqlite3_wal_hook(writer_->db(), &SqliteStore::WalHook, this);

  {
    Transaction txn(writer_.get());
    RETURN_IF_ERROR(txn.Begin(false));
    RETURN_IF_ERROR(LoadState(writer_.get()).status());
    ASSIGN_OR_RETURN(auto total, writer_->QueryInt("SELECT sum(objects) FROM counts"));
    objects_ = total.value_or(0);
    RETURN_IF_ERROR(txn.Commit());
  }

  sqlite::ConnectionOptions cko;
  cko.cache_kib = 2048;
  ASSIGN_OR_RETURN(checkpointer_, Connection::Open(options_.path, cko));
  RETURN_IF_ERROR(checkpointer_->Exec(std::string("PRAGMA synchronous=") +
                                      (options_.durable ? "FULL" : "NORMAL")));
  stats_.group_sizes_histogram.assign(7, 0);
  writer_thread_ = std::thread([this] { WriterLoop(); });
  if (wal_fd_ >= 0) {
    sync_thread_ = std::thread([this] { SyncLoop(); });
    pthread_setname_np(sync_thread_.native_handle(), "kizuna-sync");
  }
  ckpt_thread_ = std::thread([this] { CheckpointLoop(); });
  // Names show in top, perf and gdb.
  pthread_setname_np(writer_thread_.native_handle(), "kizuna-writer");
  pthread_setname_np(ckpt_thread_.native_handle(), "kizuna-ckpt");
  initialized_ = true;
  if (options_.warm_id_index) warm_thread_ = std::thread([this] { WarmIdIndex(); });
  return Status::Ok();
}

SqliteStore::~SqliteStore() {
  if (warm_thread_.joinable()) warm_thread_.join();
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
  {
    std::lock_guard lock(sync_mu_);
    sync_stop_ = true;
  }
  sync_cv_.notify_all();
  if (sync_thread_.joinable()) sync_thread_.join();
  {
    std::lock_guard lock(ckpt_mu_);
    ckpt_stop_ = true;
  }
  ckpt_cv_.notify_all();
  if (ckpt_thread_.joinable()) ckpt_thread_.join();
  {
    std::lock_guard lock(readers_mu_);
    idle_readers_.clear();
  }
  checkpointer_.reset();
  if (initialized_) {
    sqlite3_wal_hook(writer_->db(), nullptr, nullptr);
    // Best effort: without it the next open rebuilds the index.
    Status saved = SaveIdIndexSnapshot();
    (void)saved;
    // Leave a small WAL behind so the next open is quick; fails harmlessly
    // (SQLITE_BUSY) while another process reads.
    sqlite3_wal_checkpoint_v2(writer_->db(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  }
  if (wal_fd_ >= 0) close(wal_fd_);
}

int SqliteStore::WalHook(void* arg, sqlite3* db, const char* name, int pages) {
  auto* self = static_cast<SqliteStore*>(arg);
  if (pages >= self->wal_checkpoint_pages_ * 4) {
    // The background checkpointer is not keeping up (or readers pinned old
    // snapshots): the writer helps, which also slows ingest down to what the
    // disk sustains.
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (pages >= self->wal_checkpoint_pages_) {
    {
      std::lock_guard lock(self->ckpt_mu_);
      self->ckpt_wanted_ = true;
    }
    self->ckpt_cv_.notify_one();
  }
  return SQLITE_OK;
}

void SqliteStore::CheckpointLoop() {
  std::unique_lock lock(ckpt_mu_);
  for (;;) {
    ckpt_cv_.wait(lock, [this] { return ckpt_wanted_ || ckpt_stop_; });
    if (ckpt_stop_) return;
    ckpt_wanted_ = false;
    lock.unlock();
    sqlite3_wal_checkpoint_v2(checkpointer_->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                              nullptr);
    lock.lock();
  }
}

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
  int first_flags = 0, last_flags = 0;
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
    if (!any || v < min_v) min_v = v, first_da = da, first_flags = flags;
    if (!any || v > max_v) max_v = v, last_da = da, last_flags = flags;
    any = true;
  }
  // A versionless object's version is the date_added it is about to get;
  // it takes part in first/last like any other version.
  if (versionless) version = std::max(options_.clock->NowMicros(), t->state.last_date_added + 1);

  int flags = 0;
  if (!any || version < min_v) flags |= sqlite::kFlagFirst;
  if (!any || version > max_v) flags |= sqlite::kFlagLast;
  if (any && (flags & sqlite::kFlagFirst)) {
    RETURN_IF_ERROR(SetFlags(coll, first_da, first_flags & ~sqlite::kFlagFirst));
    if (first_da == last_da) last_flags &= ~sqlite::kFlagFirst;
  }
  if (any && (flags & sqlite::kFlagLast)) {
    RETURN_IF_ERROR(SetFlags(coll, last_da, last_flags & ~sqlite::kFlagLast));
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

// ---------------------------------------------------------------------------
// Readers

Result<SqliteStore::ReaderLease> SqliteStore::AcquireReader() {
  {
    std::lock_guard lock(readers_mu_);
    if (!idle_readers_.empty()) {
      auto conn = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReaderLease(this, std::move(conn));
    }
  }
  sqlite::ConnectionOptions co;
  co.read_only = true;
  co.cache_kib = options_.reader_cache_mib * 1024;
  co.mmap_bytes = options_.mmap_mib * 1024 * 1024;
  ASSIGN_OR_RETURN(auto conn, Connection::Open(options_.path, co));
  return ReaderLease(this, std::move(conn));
}

void SqliteStore::ReturnReader(std::unique_ptr<Connection> conn) {
  if (conn->InTransaction()) return;  // never reuse a connection left mid-transaction
  std::lock_guard lock(readers_mu_);
  if (idle_readers_.size() < static_cast<size_t>(options_.max_idle_readers)) {
    idle_readers_.push_back(std::move(conn));
  }
}

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
    for (std::string_view id : wanted) {
      map_.Find(IdIndex::Key(q.collection, IdHash(id)), &candidates);
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
                                      const sqlite::Statement& row, int64_t upper, bool* synced) {
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
  // with no hidden version of this id, the snapshot's flags are the answer.
  if (std::none_of(candidates.begin(), candidates.end(),
                   [upper](int64_t other) { return other > upper; })) {
    return flags;
  }
  bool newer = false, older = false;
  for (int64_t other : candidates) {
    if (other == da || other > upper) continue;
    ASSIGN_OR_RETURN(auto st, conn->PrepareFor(kSelectVersion, coll, &Sql));
    st->Bind(1, other);
    ASSIGN_OR_RETURN(bool found, st->Step());
    // Absent: not in this snapshot. Another id (hash collision) or another
    // organization's lineage: not a version of this one (see AddObject).
    if (!found || st->Text(0) != id || st->Text(3) != producer) continue;
    newer |= st->Int64(1) > version;
    older |= st->Int64(1) < version;
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
                     const sqlite::Statement& row, int64_t upper) mutable {
                   return VisibleFlags(c, coll, row, upper, &synced);
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

// ---------------------------------------------------------------------------
// Listeners, cursors, statuses

void SqliteStore::AddCommitListener(CommitListener listener) {
  std::lock_guard lock(listeners_mu_);
  listeners_.push_back(std::move(listener));
}

Result<std::optional<std::string>> SqliteStore::GetCursor(const std::string& name) {
  ASSIGN_OR_RETURN(ReaderLease conn, AcquireReader());
  ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT value FROM cursors WHERE name=?1"));
  st->BindStatic(1, name);
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(st->Text(0)));
}

Status SqliteStore::PutCursor(const CursorUpdate& cursor) {
  return RunWrite([&](Txn*) -> Status {
    ASSIGN_OR_RETURN(auto st,
                     writer_->Prepare("INSERT INTO cursors(name, value) VALUES(?1, ?2)"
                                      " ON CONFLICT(name) DO UPDATE SET value=excluded.value"));
    st->BindStatic(1, cursor.name);
    st->BindStatic(2, cursor.value);
    return st->Run();
  });
}

Result<std::optional<StatusRecord>> SqliteStore::GetStatus(const std::string& api_root,
                                                           const std::string& id) {
  ASSIGN_OR_RETURN(ReaderLease conn, AcquireReader());
  ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT owner, request_timestamp, status, details"
                                          " FROM statuses WHERE id=?1 AND api_root=?2"));
  st->BindStatic(1, id);
  st->BindStatic(2, api_root);
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<StatusRecord>();
  StatusRecord r;
  r.id = id;
  r.api_root = api_root;
  r.owner_account = st->Int64(0);
  r.request_timestamp_us = st->Int64(1);
  r.status.assign(st->Text(2));
  RETURN_IF_ERROR(sqlite::DecodeStatusDetails(st->Text(3), &r));
  return std::optional<StatusRecord>(std::move(r));
}

// ---------------------------------------------------------------------------
// Directory

Status SqliteStore::PutApiRoot(const ApiRoot& root) {
  if (root.name.empty()) return InvalidArgument("API root without a name");
  return RunWrite([&](Txn* t) -> Status {
    ASSIGN_OR_RETURN(
        auto st,
        writer_->Prepare("INSERT INTO api_roots(name, title, description, max_content_length)"
                         " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(name) DO UPDATE SET"
                         " title=excluded.title, description=excluded.description,"
                         " max_content_length=excluded.max_content_length"));
    st->BindStatic(1, root.name);
    st->BindStatic(2, root.title);
    st->BindStatic(3, root.description);
    st->Bind(4, root.max_content_length);
    RETURN_IF_ERROR(st->Run());
    t->directory_changed = true;
    return Status::Ok();
  });
}

Result<std::vector<ApiRoot>> SqliteStore::ListApiRoots() {
  ASSIGN_OR_RETURN(ReaderLease conn, AcquireReader());
  ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT name, title, description, max_content_length"
                                          " FROM api_roots ORDER BY name"));
  std::vector<ApiRoot> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ApiRoot{std::string(st->Text(0)), std::string(st->Text(1)),
                          std::string(st->Text(2)), st->Int64(3)});
  }
  return out;
}

#define KIZUNA_COLLECTION_COLUMNS \
  "key, id, api_root, title, description, alias, default_marking, trust_group"

Result<Collection> SqliteStore::ReadCollection(const sqlite::Statement& st) const {
  Collection c;
  c.key = st.Int64(0);
  c.id.assign(st.Text(1));
  c.api_root.assign(st.Text(2));
  c.title.assign(st.Text(3));
  c.description.assign(st.Text(4));
  c.alias.assign(st.Text(5));
  c.default_marking.assign(st.Text(6));
  c.trust_group.assign(st.Text(7));
  return c;
}

Result<Collection> SqliteStore::PutCollection(const Collection& c) {
  if (c.id.empty()) return InvalidArgument("collection without an id");
  Collection stored = c;
  Status s = RunWrite([&](Txn* t) -> Status {
    {
      ASSIGN_OR_RETURN(auto st, writer_->Prepare("SELECT 1 FROM api_roots WHERE name=?1"));
      st->BindStatic(1, c.api_root);
      ASSIGN_OR_RETURN(bool found, st->Step());
      if (!found) return NotFound("API root '" + c.api_root + "' does not exist");
    }
    if (c.key == 0) {
      ASSIGN_OR_RETURN(
          auto st,
          writer_->Prepare("INSERT INTO collections(id, api_root, title, description, alias,"
                           " default_marking, trust_group) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
      st->BindStatic(1, c.id);
      st->BindStatic(2, c.api_root);
      st->BindStatic(3, c.title);
      st->BindStatic(4, c.description);
      st->BindStatic(5, c.alias);
      st->BindStatic(6, c.default_marking);
      st->BindStatic(7, c.trust_group);
      Status r = st->Run();
      if (r.code() == StatusCode::kAlreadyExists) {
        return AlreadyExists("collection '" + c.id + "' or its alias already exists in '" +
                             c.api_root + "'");
      }
      RETURN_IF_ERROR(r);
      stored.key = sqlite3_last_insert_rowid(writer_->db());
      RETURN_IF_ERROR(writer_->Exec(sqlite::CollectionTablesDdl(stored.key)));
    } else {
      ASSIGN_OR_RETURN(auto st,
                       writer_->Prepare("UPDATE collections SET id=?2, api_root=?3, title=?4,"
                                        " description=?5, alias=?6, default_marking=?7,"
                                        " trust_group=?8 WHERE key=?1"));
      st->Bind(1, c.key);
      st->BindStatic(2, c.id);
      st->BindStatic(3, c.api_root);
      st->BindStatic(4, c.title);
      st->BindStatic(5, c.description);
      st->BindStatic(6, c.alias);
      st->BindStatic(7, c.default_marking);
      st->BindStatic(8, c.trust_group);
      Status r = st->Run();
      if (r.code() == StatusCode::kAlreadyExists) {
        return AlreadyExists("collection '" + c.id + "' or its alias already exists in '" +
                             c.api_root + "'");
      }
      RETURN_IF_ERROR(r);
      if (sqlite3_changes(writer_->db()) == 0)
        return NotFound(CollectionName(c.key) + " does not exist");
    }
    t->directory_changed = true;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return stored;
}

Result<std::vector<Collection>> SqliteStore::ListCollections(const std::string& api_root) {
  ASSIGN_OR_RETURN(ReaderLease conn, AcquireReader());
  ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT " KIZUNA_COLLECTION_COLUMNS
                                          " FROM collections WHERE api_root=?1 ORDER BY key"));
  st->BindStatic(1, api_root);
  std::vector<Collection> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    ASSIGN_OR_RETURN(Collection c, ReadCollection(*st));
    out.push_back(std::move(c));
  }
  return out;
}

Status SqliteStore::DeleteCollection(int64_t key) {
  return RunWrite([&](Txn* t) -> Status {
    SecureDelete secure(writer_.get());
    {
      ASSIGN_OR_RETURN(auto st, writer_->Prepare("SELECT 1 FROM collections WHERE key=?1"));
      st->Bind(1, key);
      ASSIGN_OR_RETURN(bool found, st->Step());
      if (!found) return NotFound(CollectionName(key) + " does not exist");
    }
    {
      ASSIGN_OR_RETURN(auto st, writer_->PrepareFor(kSelectIdHashes, key, &Sql));
      for (;;) {
        ASSIGN_OR_RETURN(bool row, st->Step());
        if (!row) break;
        t->removes.emplace_back(IdIndex::Key(key, st->Int64(0)), st->Int64(1));
      }
    }
    RETURN_IF_ERROR(writer_->Exec("DROP TABLE " + sqlite::ObjectsTable(key)));
    for (const char* sql :
         {"DELETE FROM grants WHERE collection=?1", "DELETE FROM collections WHERE key=?1"}) {
      ASSIGN_OR_RETURN(auto st, writer_->Prepare(sql));
      st->Bind(1, key);
      RETURN_IF_ERROR(st->Run());
    }
    if (!t->removes.empty()) {
      t->objects_removed = true;
      t->count_deltas[key] -= static_cast<int64_t>(t->removes.size());
    }
    t->dropped_collections.push_back(key);
    t->directory_changed = true;
    return Status::Ok();
  });
}

Result<std::optional<Collection>> SqliteStore::FindCollection(const std::string& api_root,
                                                              const std::string& id_or_alias) {
  ASSIGN_OR_RETURN(ReaderLease conn, AcquireReader());
  // An id match wins over an alias match.
  ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT " KIZUNA_COLLECTION_COLUMNS
                                          " FROM collections WHERE api_root=?1 AND"
                                          " (id=?2 OR (alias=?2 AND alias<>''))"
                                          " ORDER BY id=?2 DESC LIMIT 1"));
  st->BindStatic(1, api_root);
  st->BindStatic(2, id_or_alias);
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<Collection>();
  ASSIGN_OR_RETURN(Collection c, ReadCollection(*st));
  return std::optional<Collection>(std::move(c));
}

Status SqliteStore::PutOrganization(const Organization& org) {
  if (org.id.empty()) return InvalidArgument("organization without an id");
  std::string sectors = sqlite::EncodeStringList(org.sectors);
  std::string clients = sqlite::EncodeStringList(org.clients);
  return RunWrite([&](Txn* t) -> Status {
    ASSIGN_OR_RETURN(
        auto st,
        writer_->Prepare("INSERT INTO organizations(id, name, nation, kind, sectors, clients,"
                         " home_hub) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(id) DO UPDATE"
                         " SET name=excluded.name, nation=excluded.nation, kind=excluded.kind,"
                         " sectors=excluded.sectors, clients=excluded.clients,"
                         " home_hub=excluded.home_hub"));
    st->BindStatic(1, org.id);
    st->BindStatic(2, org.name);
    st->BindStatic(3, org.nation);
    st->BindStatic(4, org.kind);
    st->BindStatic(5, sectors);
    st->BindStatic(6, clients);
    st->BindStatic(7, org.home_hub);
    RETURN_IF_ERROR(st->Run());
    t->directory_changed = true;
    return Status::Ok();
  });
}

Result<std::vector<Organization>> SqliteStore::ListOrganizations() {
  ASSIGN_OR_RETURN(ReaderLease conn, AcquireReader());
  ASSIGN_OR_RETURN(auto st,
                   conn->Prepare("SELECT id, name, nation, kind, sectors, clients, home_hub"
                                 " FROM organizations ORDER BY name, id"));
  std::vector<Organization> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    Organization o;
    o.id.assign(st->Text(0));
    o.name.assign(st->Text(1));
    o.nation.assign(st->Text(2));
    o.kind.assign(st->Text(3));
    ASSIGN_OR_RETURN(o.sectors, sqlite::DecodeStringList(st->Text(4)));
    ASSIGN_OR_RETURN(o.clients, sqlite::DecodeStringList(st->Text(5)));
    o.home_hub.assign(st->Text(6));
    out.push_back(std::move(o));
  }
  return out;
}

Status SqliteStore::PutTrustGroup(const TrustGroup& group) {
  if (group.id.empty()) return InvalidArgument("trust group without an id");
  std::string members = sqlite::EncodeStringList(group.members);
  return RunWrite([&](Txn* t) -> Status {
    ASSIGN_OR_RETURN(auto st,
                     writer_->Prepare("INSERT INTO trust_groups(id, name, description, members)"
                                      " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(id) DO UPDATE SET"
                                      " name=excluded.name, description=excluded.description,"
                                      " members=excluded.members"));
    st->BindStatic(1, group.id);
    st->BindStatic(2, group.name);
    st->BindStatic(3, group.description);
    st->BindStatic(4, members);
    RETURN_IF_ERROR(st->Run());
    t->directory_changed = true;
    return Status::Ok();
  });
}

Result<std::vector<TrustGroup>> SqliteStore::ListTrustGroups() {
  ASSIGN_OR_RETURN(ReaderLease conn, AcquireReader());
  ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT id, name, description, members FROM trust_groups"
                                          " ORDER BY id"));
  std::vector<TrustGroup> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    TrustGroup g;
    g.id.assign(st->Text(0));
    g.name.assign(st->Text(1));
    g.description.assign(st->Text(2));
    ASSIGN_OR_RETURN(g.members, sqlite::DecodeStringList(st->Text(3)));
    out.push_back(std::move(g));
  }
  return out;
}

Status SqliteStore::DeleteTrustGroup(const std::string& id) {
  return RunWrite([&](Txn* t) -> Status {
    ASSIGN_OR_RETURN(auto st, writer_->Prepare("DELETE FROM trust_groups WHERE id=?1"));
    st->BindStatic(1, id);
    RETURN_IF_ERROR(st->Run());
    if (sqlite3_changes(writer_->db()) == 0) return NotFound("no trust group '" + id + "'");
    t->directory_changed = true;
    return Status::Ok();
  });
}

Status SqliteStore::PutConfigRecord(const ConfigRecord& r) {
  if (r.kind.empty() || r.name.empty()) return InvalidArgument("config record needs a kind and a name");
  return RunWrite([&](Txn* t) -> Status {
    ASSIGN_OR_RETURN(auto st,
                     writer_->Prepare("INSERT INTO config_records(kind, name, value) VALUES(?1, ?2, ?3)"
                                      " ON CONFLICT(kind, name) DO UPDATE SET value=excluded.value"));
    st->BindStatic(1, r.kind);
    st->BindStatic(2, r.name);
    st->BindStatic(3, r.value);
    RETURN_IF_ERROR(st->Run());
    t->directory_changed = true;
    return Status::Ok();
  });
}

Result<std::vector<ConfigRecord>> SqliteStore::ListConfigRecords(const std::string& kind) {
  ASSIGN_OR_RETURN(ReaderLease conn, AcquireReader());
  ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT name, value FROM config_records WHERE kind=?1"
                                          " ORDER BY name"));
  st->BindStatic(1, kind);
  std::vector<ConfigRecord> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ConfigRecord{kind, std::string(st->Text(0)), std::string(st->Text(1))});
  }
  return out;
}

Status SqliteStore::DeleteConfigRecord(const std::string& kind, const std::string& name) {
  return RunWrite([&](Txn* t) -> Status {
    ASSIGN_OR_RETURN(auto st,
                     writer_->Prepare("DELETE FROM config_records WHERE kind=?1 AND name=?2"));
    st->BindStatic(1, kind);
    st->BindStatic(2, name);
    RETURN_IF_ERROR(st->Run());
    if (sqlite3_changes(writer_->db()) == 0) return NotFound("no " + kind + " '" + name + "'");
    t->directory_changed = true;
    return Status::Ok();
  });
}

#define KIZUNA_ACCOUNT_COLUMNS "key, username, organization, roles, password_hash, disabled"

Result<Account> SqliteStore::ReadAccount(const sqlite::Statement& st) const {
  Account a;
  a.key = st.Int64(0);
  a.username.assign(st.Text(1));
  a.organization.assign(st.Text(2));
  ASSIGN_OR_RETURN(a.roles, sqlite::DecodeStringList(st.Text(3)));
  a.password_hash.assign(st.Text(4));
  a.disabled = st.Int64(5) != 0;
  return a;
}

Result<Account> SqliteStore::PutAccount(const Account& account) {
  if (account.username.empty()) return InvalidArgument("account without a username");
  Account stored = account;
  std::string roles = sqlite::EncodeStringList(account.roles);
  Status s = RunWrite([&](Txn* t) -> Status {
    auto bind = [&](sqlite::Statement& st) {
      st.BindStatic(2, account.username);
      st.BindStatic(3, account.organization);
      st.BindStatic(4, roles);
      st.BindStatic(5, account.password_hash);
      st.Bind(6, account.disabled ? 1 : 0);
    };
    Status r;
    if (account.key == 0) {
      ASSIGN_OR_RETURN(auto st,
                       writer_->Prepare("INSERT INTO accounts(username, organization, roles,"
                                        " password_hash, disabled) VALUES(?2, ?3, ?4, ?5, ?6)"));
      bind(*st);
      r = st->Run();
    } else {
      ASSIGN_OR_RETURN(
          auto st, writer_->Prepare("UPDATE accounts SET username=?2, organization=?3, roles=?4,"
                                    " password_hash=?5, disabled=?6 WHERE key=?1"));
      st->Bind(1, account.key);
      bind(*st);
      r = st->Run();
    }
    if (r.code() == StatusCode::kAlreadyExists) {
      return AlreadyExists("username '" + account.username + "' is taken");
    }
    RETURN_IF_ERROR(r);
    if (account.key == 0) {
      stored.key = sqlite3_last_insert_rowid(writer_->db());
    } else if (sqlite3_changes(writer_->db()) == 0) {
      return NotFound("account " + std::to_string(account.key) + " does not exist");
    }
    t->directory_changed = true;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return stored;
}

Result<std::optional<Account>> SqliteStore::FindAccount(const std::string& username) {
  ASSIGN_OR_RETURN(ReaderLease conn, AcquireReader());
  ASSIGN_OR_RETURN(
      auto st, conn->Prepare("SELECT " KIZUNA_ACCOUNT_COLUMNS " FROM accounts WHERE username=?1"));
  st->BindStatic(1, username);
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<Account>();
  ASSIGN_OR_RETURN(Account a, ReadAccount(*st));
  return std::optional<Account>(std::move(a));
}

Result<std::optional<Account>> SqliteStore::FindAccountByKey(int64_t key) {
  ASSIGN_OR_RETURN(ReaderLease conn, AcquireReader());
  ASSIGN_OR_RETURN(auto st,
                   conn->Prepare("SELECT " KIZUNA_ACCOUNT_COLUMNS " FROM accounts WHERE key=?1"));
  st->Bind(1, key);
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<Account>();
  ASSIGN_OR_RETURN(Account a, ReadAccount(*st));
  return std::optional<Account>(std::move(a));
}

Result<std::vector<Account>> SqliteStore::ListAccounts() {
  ASSIGN_OR_RETURN(ReaderLease conn, AcquireReader());
  ASSIGN_OR_RETURN(
      auto st, conn->Prepare("SELECT " KIZUNA_ACCOUNT_COLUMNS " FROM accounts ORDER BY username"));
  std::vector<Account> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    ASSIGN_OR_RETURN(Account a, ReadAccount(*st));
    out.push_back(std::move(a));
  }
  return out;
}

Status SqliteStore::PutGrant(const Grant& grant) {
  return RunWrite([&](Txn* t) -> Status {
    if (!grant.can_read && !grant.can_write) {
      ASSIGN_OR_RETURN(auto st,
                       writer_->Prepare("DELETE FROM grants WHERE account=?1 AND collection=?2"));
      st->Bind(1, grant.account);
      st->Bind(2, grant.collection);
      RETURN_IF_ERROR(st->Run());
      t->directory_changed = true;
      return Status::Ok();
    }
    {
      ASSIGN_OR_RETURN(auto st, writer_->Prepare("SELECT 1 FROM accounts WHERE key=?1"));
      st->Bind(1, grant.account);
      ASSIGN_OR_RETURN(bool found, st->Step());
      if (!found) return NotFound("account " + std::to_string(grant.account) + " does not exist");
    }
    {
      ASSIGN_OR_RETURN(auto st, writer_->Prepare("SELECT 1 FROM collections WHERE key=?1"));
      st->Bind(1, grant.collection);
      ASSIGN_OR_RETURN(bool found, st->Step());
      if (!found) return NotFound(CollectionName(grant.collection) + " does not exist");
    }
    ASSIGN_OR_RETURN(
        auto st,
        writer_->Prepare("INSERT INTO grants(account, collection, can_read, can_write)"
                         " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(account, collection) DO UPDATE"
                         " SET can_read=excluded.can_read, can_write=excluded.can_write"));
    st->Bind(1, grant.account);
    st->Bind(2, grant.collection);
    st->Bind(3, grant.can_read ? 1 : 0);
    st->Bind(4, grant.can_write ? 1 : 0);
    RETURN_IF_ERROR(st->Run());
    t->directory_changed = true;
    return Status::Ok();
  });
}

Result<std::vector<Grant>> SqliteStore::ListGrants(std::optional<int64_t> account) {
  ASSIGN_OR_RETURN(ReaderLease conn, AcquireReader());
  ASSIGN_OR_RETURN(auto st,
                   conn->Prepare("SELECT account, collection, can_read, can_write FROM grants"
                                 " WHERE ?1 IS NULL OR account=?1"
                                 " ORDER BY account, collection"));
  if (account) st->Bind(1, *account);
  std::vector<Grant> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(Grant{st->Int64(0), st->Int64(1), st->Int64(2) != 0, st->Int64(3) != 0});
  }
  return out;
}

Status SqliteStore::PutToken(const Token& token) {
  if (token.id.empty()) return InvalidArgument("token without an id");
  return RunWrite([&](Txn* t) -> Status {
    {
      ASSIGN_OR_RETURN(auto st, writer_->Prepare("SELECT 1 FROM accounts WHERE key=?1"));
      st->Bind(1, token.account);
      ASSIGN_OR_RETURN(bool found, st->Step());
      if (!found) return NotFound("account " + std::to_string(token.account) + " does not exist");
    }
    ASSIGN_OR_RETURN(
        auto st,
        writer_->Prepare("INSERT INTO tokens(id, account, secret_hash, label, created, expires)"
                         " VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET"
                         " account=excluded.account, secret_hash=excluded.secret_hash,"
                         " label=excluded.label, created=excluded.created,"
                         " expires=excluded.expires"));
    st->BindStatic(1, token.id);
    st->Bind(2, token.account);
    st->BindStatic(3, token.secret_hash);
    st->BindStatic(4, token.label);
    st->Bind(5, token.created_us);
    if (token.expires_us) st->Bind(6, *token.expires_us);
    RETURN_IF_ERROR(st->Run());
    t->directory_changed = true;
    return Status::Ok();
  });
}

namespace {

Token ReadToken(const sqlite::Statement& st) {
  Token k;
  k.id.assign(st.Text(0));
  k.account = st.Int64(1);
  k.secret_hash.assign(st.Text(2));
  k.label.assign(st.Text(3));
  k.created_us = st.Int64(4);
  if (!st.IsNull(5)) k.expires_us = st.Int64(5);
  return k;
}

}  // namespace

Result<std::optional<Token>> SqliteStore::FindToken(const std::string& id) {
  ASSIGN_OR_RETURN(ReaderLease conn, AcquireReader());
  ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT id, account, secret_hash, label, created, expires"
                                          " FROM tokens WHERE id=?1"));
  st->BindStatic(1, id);
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<Token>();
  return std::optional<Token>(ReadToken(*st));
}

Status SqliteStore::DeleteToken(const std::string& id) {
  return RunWrite([&](Txn* t) -> Status {
    ASSIGN_OR_RETURN(auto st, writer_->Prepare("DELETE FROM tokens WHERE id=?1"));
    st->BindStatic(1, id);
    RETURN_IF_ERROR(st->Run());
    if (sqlite3_changes(writer_->db()) == 0) return NotFound("token does not exist");
    t->directory_changed = true;
    return Status::Ok();
  });
}

Result<std::vector<Token>> SqliteStore::ListTokens(std::optional<int64_t> account) {
  ASSIGN_OR_RETURN(ReaderLease conn, AcquireReader());
  ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT id, account, secret_hash, label, created, expires"
                                          " FROM tokens WHERE ?1 IS NULL OR account=?1"
                                          " ORDER BY created, id"));
  if (account) st->Bind(1, *account);
  std::vector<Token> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadToken(*st));
  }
  return out;
}

Result<int64_t> SqliteStore::DirectoryGeneration() {
  ASSIGN_OR_RETURN(ReaderLease conn, AcquireReader());
  ASSIGN_OR_RETURN(StateRow s, LoadState(conn.get()));
  return s.directory_gen;
}

Result<ObjectsVersionValue> SqliteStore::ObjectsVersion() {
  // The durability bound first: rows become visible when it rises, and a
  // commit lowers it before objects_gen moves, so no state is missed between
  // the two reads.
  const int64_t upper = visible_upper_.load(std::memory_order_acquire);
  ASSIGN_OR_RETURN(ReaderLease conn, AcquireReader());
  ASSIGN_OR_RETURN(StateRow s, LoadState(conn.get()));
  return ObjectsVersionValue{s.objects_gen, upper};
}

// ---------------------------------------------------------------------------
// Health

StoreStats SqliteStore::Stats() const {
  std::lock_guard lock(stats_mu_);
  StoreStats s = stats_;
  s.objects = objects_.load();
  return s;
}

Status SqliteStore::Ping() {
  ASSIGN_OR_RETURN(ReaderLease conn, AcquireReader());
  return LoadState(conn.get()).status();
}

Status SqliteStore::CheckIntegrity() {
  ASSIGN_OR_RETURN(ReaderLease conn, AcquireReader());
  ASSIGN_OR_RETURN(auto st, conn->Prepare("PRAGMA integrity_check(20)"));
  std::string problems;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    if (st->Text(0) == "ok") continue;
    if (!problems.empty()) problems += "; ";
    problems.append(st->Text(0));
  }
  if (!problems.empty()) return IoError("integrity check failed: " + problems);
  return Status::Ok();
}

// ---------------------------------------------------------------------------

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  if (options.path.empty()) return InvalidArgument("store path is empty");
  if (options.clock == nullptr) return InvalidArgument("store clock is null");
  auto store = std::make_unique<SqliteStore>(options);
  Status s = store->Init();
  if (!s.ok()) return s;
  return std::unique_ptr<Store>(std::move(store));
}

int SqliteSchemaVersion() { return sqlite::kSchemaVersion; }

}  // namespace kizuna::store
