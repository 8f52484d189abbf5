// SqliteStore (see sqlite_store_internal.h for the other files): open and
// close, the WAL checkpointer, the pool of read connections, health checks,
// the shared helpers and the factory.
#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store_internal.h"
#include "store/sqlite/statements.h"

namespace kizuna::store {
namespace sqlite {

std::string CollectionName(int64_t key) { return "collection " + std::to_string(key); }

Result<StateRow> LoadState(Connection* conn) {
  ASSIGN_OR_RETURN(auto st, conn->Prepare(kSelectState));
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return IoError("store state row is missing");
  return StateRow{st->Int64(0), st->Int64(1), st->Int64(2), st->Int64(3)};
}

}  // namespace sqlite

namespace {

using sqlite::Connection;
using sqlite::LoadState;
using sqlite::Transaction;

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
