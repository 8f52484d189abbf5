#pragma once
// A thin RAII layer over the SQLite C API: a Connection owns one sqlite3
// handle and a cache of prepared statements; every call that can fail
// returns a Status built by one checker (Connection::Error), so no sqlite3
// return code is ever ignored.
//
// Thread-compatibility: a Connection (and its statements) is used by one
// thread at a time; connections are opened with SQLITE_OPEN_NOMUTEX.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace kizuna::store::sqlite {

class Connection;

// A prepared statement owned by a Connection's cache. Borrow it with
// Connection::Prepare(); the StatementRef resets it and clears its bindings
// when it goes out of scope, so a borrowed statement never holds a read
// snapshot open by accident.
class Statement {
 public:
  Statement(Connection* conn, sqlite3_stmt* stmt) : conn_(conn), stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite.
  void Bind(int i, int64_t v);
  void Bind(int i, std::string_view text);        // copied (SQLITE_TRANSIENT)
  void BindStatic(int i, std::string_view text);  // REQUIRES: text outlives the step
  void BindBlob(int i, std::string_view bytes);   // copied
  void BindBlobStatic(int i, std::string_view bytes);
  void BindNull(int i);

  // True when a row is available, false when done; an error otherwise.
  Result<bool> Step();
  // Steps a statement that returns no rows (or whose rows are ignored).
  Status Run();

  // Columns are 0-based. Views are valid until the next Step/Reset.
  int64_t Int64(int col) const;
  bool IsNull(int col) const;
  std::string_view Text(int col) const;
  std::string_view Blob(int col) const;

  void Reset();
  sqlite3_stmt* raw() const { return stmt_; }

 private:
  friend class StatementRef;
  friend class Connection;
  Connection* conn_;
  sqlite3_stmt* stmt_;
  int borrowed_ = 0;  // live StatementRefs; a borrowed statement is never evicted
};

class StatementRef {
 public:
  explicit StatementRef(Statement* s) : s_(s) { ++s_->borrowed_; }
  ~StatementRef() {
    if (s_ != nullptr) {
      s_->Reset();
      --s_->borrowed_;
    }
  }
  StatementRef(StatementRef&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  StatementRef(const StatementRef&) = delete;
  StatementRef& operator=(const StatementRef&) = delete;
  Statement* operator->() const { return s_; }
  Statement& operator*() const { return *s_; }

 private:
  Statement* s_;
};

struct ConnectionOptions {
  bool read_only = false;  // PRAGMA query_only; the handle itself is read-write (WAL needs -shm)
  bool create = false;     // create the file if absent
  int busy_timeout_ms = 10000;
  int64_t cache_kib = 64 * 1024;
  int64_t mmap_bytes = 0;
};

class Connection {
 public:
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Opens `path`. IoError when the file cannot be opened.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path,
                                                  const ConnectionOptions& options);

  // Runs one or more statements that return no rows.
  Status Exec(std::string_view sql);
  // A cached prepared statement for `sql` (prepared on first use). `slot`
  // distinguishes several simultaneously active copies of the same SQL.
  // The cache holds at most kMaxCachedStatements statements that are not
  // borrowed (statements are per collection table).
  Result<StatementRef> Prepare(std::string_view sql, int slot = 0);
  // The same for SQL made from a template and a table number (a statement
  // per table): cached under (tmpl's address, table, slot), so a cache hit
  // builds no string. REQUIRES: tmpl has static storage (a literal);
  // expand(tmpl, table) returns the SQL text.
  using Expander = std::string (*)(std::string_view tmpl, int64_t table);
  Result<StatementRef> PrepareFor(std::string_view tmpl, int64_t table, Expander expand,
                                  int slot = 0);
  // Runs `sql` and returns the first column of its first row (nullopt when
  // there is no row).
  Result<std::optional<int64_t>> QueryInt(std::string_view sql);

  // A Status for SQLite result code `rc` ("context: sqlite message").
  // SQLITE_BUSY/LOCKED map to Unavailable, CONSTRAINT to AlreadyExists,
  // CORRUPT/NOTADB/IOERR/FULL/CANTOPEN to IoError, others to Internal.
  Status Error(int rc, std::string_view context) const;

  bool InTransaction() const;
  sqlite3* db() const { return db_; }
  const std::string& path() const { return path_; }

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  std::string path_;
  // Plain SQL is keyed by its text (tmpl == nullptr), templated SQL by the
  // template's address and the table.
  struct Key {
    std::string sql;
    const char* tmpl;
    int64_t table;
    int slot;
    bool operator==(const Key& o) const {
      return slot == o.slot && tmpl == o.tmpl && table == o.table && sql == o.sql;
    }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      size_t h = k.tmpl != nullptr ? std::hash<const void*>()(k.tmpl) ^
                                         static_cast<size_t>(k.table) * 0xc2b2ae3d27d4eb4fULL
                                   : std::hash<std::string>()(k.sql);
      return h ^ static_cast<size_t>(k.slot) * 0x9e3779b97f4a7c15ULL;
    }
  };
  Result<StatementRef> Lookup(Key key, std::string_view sql);
  static constexpr size_t kMaxCachedStatements = 512;
  std::unordered_map<Key, std::unique_ptr<Statement>, KeyHash> cache_;
};

// RAII transaction: Begin() starts it, Commit() ends it; the destructor
// rolls back a transaction that was neither committed nor rolled back.
class Transaction {
 public:
  explicit Transaction(Connection* conn) : conn_(conn) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // `immediate` takes the write lock at once (BEGIN IMMEDIATE).
  Status Begin(bool immediate);
  Status Commit();
  void Rollback();

 private:
  Connection* conn_;
  bool open_ = false;
};

}  // namespace kizuna::store::sqlite
