#include "store/sqlite/sqlite_db.h"

#include <sqlite3.h>

#include <string>

namespace kizuna::store::sqlite {

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }

void Statement::Bind(int i, std::string_view text) {
  sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

void Statement::BindStatic(int i, std::string_view text) {
  sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

void Statement::BindBlob(int i, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
}

void Statement::BindBlobStatic(int i, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
}

void Statement::BindNull(int i) { sqlite3_bind_null(stmt_, i); }

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return conn_->Error(rc, sqlite3_sql(stmt_));
}

Status Statement::Run() {
  for (;;) {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_DONE) return Status::Ok();
    if (rc != SQLITE_ROW) return conn_->Error(rc, sqlite3_sql(stmt_));
  }
}

int64_t Statement::Int64(int col) const { return sqlite3_column_int64(stmt_, col); }

bool Statement::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

std::string_view Statement::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (p == nullptr) return {};
  return {p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

std::string_view Statement::Blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
  if (p == nullptr) return {};
  return {p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Connection::~Connection() {
  cache_.clear();  // finalize every statement before closing
  sqlite3_close_v2(db_);
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path,
                                                     const ConnectionOptions& options) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (options.create) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "cannot open database '" + path + "': ";
    msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return IoError(msg);
  }
  std::unique_ptr<Connection> conn(new Connection(db, path));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  std::string pragmas = "PRAGMA cache_size=-" + std::to_string(options.cache_kib) +
                        ";PRAGMA mmap_size=" + std::to_string(options.mmap_bytes) +
                        ";PRAGMA temp_store=MEMORY;";
  if (options.read_only) pragmas += "PRAGMA query_only=1;";
  RETURN_IF_ERROR(conn->Exec(pragmas));
  return conn;
}

Status Connection::Exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string context(sql.substr(0, 80));
  if (err != nullptr) sqlite3_free(err);
  return Error(rc, context);
}

Result<StatementRef> Connection::Prepare(std::string_view sql, int slot) {
  return Lookup(Key{std::string(sql), nullptr, 0, slot}, sql);
}

Result<StatementRef> Connection::PrepareFor(std::string_view tmpl, int64_t table, Expander expand,
                                            int slot) {
  Key key{std::string(), tmpl.data(), table, slot};
  auto it = cache_.find(key);
  if (it != cache_.end()) return StatementRef(it->second.get());
  std::string sql = expand(tmpl, table);
  return Lookup(std::move(key), sql);
}

Result<StatementRef> Connection::Lookup(Key key, std::string_view sql) {
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    if (cache_.size() >= kMaxCachedStatements) {
      // Evict about half of the idle statements; borrowed ones stay.
      size_t drop = cache_.size() / 2;
      for (auto e = cache_.begin(); e != cache_.end() && drop > 0;) {
        if (e->second->borrowed_ == 0) {
          e = cache_.erase(e);
          --drop;
        } else {
          ++e;
        }
      }
    }
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return Error(rc, sql.substr(0, 80));
    }
    it = cache_.emplace(std::move(key), std::make_unique<Statement>(this, stmt)).first;
  }
  return StatementRef(it->second.get());
}

Result<std::optional<int64_t>> Connection::QueryInt(std::string_view sql) {
  ASSIGN_OR_RETURN(auto stmt, Prepare(sql));
  ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row || stmt->IsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt->Int64(0));
}

Status Connection::Error(int rc, std::string_view context) const {
  std::string msg(context);
  msg += ": ";
  msg += sqlite3_errmsg(db_);
  if (sqlite3_errcode(db_) != rc) {
    msg += " (";
    msg += sqlite3_errstr(rc);
    msg += ")";
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable(msg);
    case SQLITE_CONSTRAINT:
      return AlreadyExists(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
      return IoError(msg);
    default:
      return Internal(msg);
  }
}

bool Connection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

Transaction::~Transaction() { Rollback(); }

Status Transaction::Begin(bool immediate) {
  // Cached statements: BEGIN/COMMIT run for every query, and sqlite3_exec
  // would parse them each time.
  ASSIGN_OR_RETURN(auto st, conn_->Prepare(immediate ? "BEGIN IMMEDIATE" : "BEGIN"));
  RETURN_IF_ERROR(st->Run());
  open_ = true;
  return Status::Ok();
}

Status Transaction::Commit() {
  Status s;
  {
    auto st = conn_->Prepare("COMMIT");
    s = st.ok() ? (*st)->Run() : st.status();
  }
  if (s.ok()) {
    open_ = false;
    return s;
  }
  Rollback();
  return s;
}

void Transaction::Rollback() {
  if (!open_) return;
  open_ = false;
  // A failed COMMIT may already have rolled back; only roll back what is open.
  if (conn_->InTransaction()) {
    auto st = conn_->Prepare("ROLLBACK");
    if (st.ok()) {
      Status ignored = (*st)->Run();
      (void)ignored;
    }
  }
}

}  // namespace kizuna::store::sqlite
