// AuditLog on SQLite: one table, events chained by SHA-256, written in
// batches by a background thread (WAL, synchronous=NORMAL: durable across a
// process crash once written; Flush() makes the batch durable on disk).
#include <openssl/sha.h>
#include <sqlite3.h>

#include <boost/json.hpp>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "core/encoding.h"
#include "store/audit_log.h"
#include "store/sqlite/sqlite_db.h"

namespace kizuna::store {
namespace {

namespace json = boost::json;
using sqlite::Connection;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS events(
  seq INTEGER PRIMARY KEY,
  time_us INTEGER NOT NULL,
  path TEXT NOT NULL,
  account TEXT NOT NULL,
  organization TEXT NOT NULL,
  collection TEXT NOT NULL,
  remote TEXT NOT NULL,
  allowed INTEGER NOT NULL,
  reason TEXT NOT NULL,
  objects TEXT NOT NULL,
  withheld INTEGER NOT NULL,
  hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_time ON events(time_us);
CREATE INDEX IF NOT EXISTS events_account ON events(account, seq);
CREATE INDEX IF NOT EXISTS events_org ON events(organization, seq);
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql";

// The released objects of an event as compact text, one per line:
// "\n<id>\t<version_us>\t<marking>" (each line starts with a newline, so
// that "\n<id>\t" matches exactly one object). Ids (validated STIX ids) and markings
// (TLP names) never contain tabs or newlines. Cheaper than JSON on the
// release path, and searchable with instr(objects, '<id>\t').
std::string ObjectsText(const std::vector<AuditObject>& objects) {
  size_t n = 0;
  for (const auto& o : objects) n += o.id.size() + o.marking.size() + 24;
  std::string out;
  out.reserve(n);
  char num[24];
  for (const auto& o : objects) {
    out += '\n';
    out += o.id;
    out += '\t';
    int len = std::snprintf(num, sizeof num, "%lld", static_cast<long long>(o.version_us));
    out.append(num, static_cast<size_t>(len));
    out += '\t';
    out += o.marking;
  }
  return out;
}

std::vector<AuditObject> ObjectsFromText(std::string_view text) {
  std::vector<AuditObject> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    start = nl + 1;
    if (line.empty()) continue;
    size_t t1 = line.find('\t');
    size_t t2 = t1 == std::string_view::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string_view::npos) continue;
    out.push_back(AuditObject{std::string(line.substr(0, t1)),
                              std::atoll(std::string(line.substr(t1 + 1, t2 - t1 - 1)).c_str()),
                              std::string(line.substr(t2 + 1))});
  }
  return out;
}

// SHA-256(prev_hash | every field) in hex.
std::string ChainHash(const std::string& prev, const AuditEvent& e, const std::string& objects) {
  std::string m = prev;
  auto add = [&](std::string_view s) {
    m += std::to_string(s.size());
    m += ':';
    m += s;
  };
  add(std::to_string(e.seq));
  add(std::to_string(e.time_us));
  add(e.path);
  add(e.account);
  add(e.organization);
  add(e.collection);
  add(e.remote);
  add(e.allowed ? "1" : "0");
  add(e.reason);
  add(objects);
  add(std::to_string(e.withheld));
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(m.data()), m.size(), d);
  return HexEncode(std::string_view(reinterpret_cast<char*>(d), sizeof d));
}

class SqliteAuditLog final : public AuditLog {
 public:
  ~SqliteAuditLog() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    room_cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  Status Init(const std::string& path) {
    sqlite::ConnectionOptions wo;
    wo.create = true;
    wo.cache_kib = 4096;
    ASSIGN_OR_RETURN(writer_, Connection::Open(path, wo));
    RETURN_IF_ERROR(writer_->Exec("PRAGMA journal_mode = WAL"));
    RETURN_IF_ERROR(writer_->Exec("PRAGMA synchronous = NORMAL"));
    RETURN_IF_ERROR(writer_->Exec(kSchema));
    sqlite::ConnectionOptions ro;
    ro.read_only = true;
    ro.cache_kib = 4096;
    ASSIGN_OR_RETURN(reader_, Connection::Open(path, ro));
    ASSIGN_OR_RETURN(auto st, writer_->Prepare("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"));
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (row) {
      last_seq_ = st->Int64(0);
      last_hash_ = std::string(st->Text(1));
    }
    thread_ = std::thread([this] { Run(); });
    return Status::Ok();
  }

  void Append(AuditEvent event) override {
    {
      std::unique_lock lock(mu_);
      // Bounded memory: past kMaxQueued unwritten events the log reports
      // itself unhealthy (so releases that need auditing are withheld) and
      // appenders wait for the writer (back-pressure, never a dropped event).
      if (queue_.size() >= kMaxQueued) {
        healthy_ = false;
        // Bounded wait: if the disk is failing, keep serving (releases stay
        // withheld while unhealthy) rather than hang every request.
        room_cv_.wait_for(lock, std::chrono::seconds(2),
                          [&] { return queue_.size() < kMaxQueued / 2 || stopping_; });
      }
      queue_.push_back(std::move(event));
      ++appended_;
    }
    cv_.notify_one();
  }

  Status Flush() override {
    std::unique_lock lock(mu_);
    int64_t target = appended_;
    cv_.notify_one();
    done_cv_.wait(lock, [&] { return written_ >= target || stopping_; });
    if (!last_error_.ok()) return last_error_;
    return Status::Ok();
  }

  Result<std::vector<AuditEvent>> Query(const AuditQuery& q) override {
    std::lock_guard lock(reader_mu_);
    std::string sql =
        "SELECT seq, time_us, path, account, organization, collection, remote, allowed, reason, "
        "objects, withheld FROM events WHERE seq > ?1";
    if (!q.account.empty()) sql += " AND account = ?2";
    if (!q.organization.empty()) sql += " AND organization = ?3";
    if (q.from_us) sql += " AND time_us >= ?4";
    if (q.to_us) sql += " AND time_us <= ?5";
    if (q.allowed) sql += " AND allowed = ?6";
    if (!q.object_id.empty()) sql += " AND instr(objects, ?7) > 0";
    sql += " ORDER BY seq LIMIT ?8";
    ASSIGN_OR_RETURN(auto st, reader_->Prepare(sql));
    st->Bind(1, q.after_seq);
    if (!q.account.empty()) st->Bind(2, q.account);
    if (!q.organization.empty()) st->Bind(3, q.organization);
    if (q.from_us) st->Bind(4, *q.from_us);
    if (q.to_us) st->Bind(5, *q.to_us);
    if (q.allowed) st->Bind(6, int64_t{*q.allowed});
    std::string quoted = "\n" + q.object_id + "\t";
    if (!q.object_id.empty()) st->Bind(7, quoted);
    st->Bind(8, q.limit);
    std::vector<AuditEvent> out;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      AuditEvent e;
      e.seq = st->Int64(0);
      e.time_us = st->Int64(1);
      e.path = st->Text(2);
      e.account = st->Text(3);
      e.organization = st->Text(4);
      e.collection = st->Text(5);
      e.remote = st->Text(6);
      e.allowed = st->Int64(7) != 0;
      e.reason = st->Text(8);
      e.objects = ObjectsFromText(st->Text(9));
      e.withheld = st->Int64(10);
      out.push_back(std::move(e));
    }
    return out;
  }

  Status Verify() override {
    std::lock_guard lock(reader_mu_);
    ASSIGN_OR_RETURN(auto st, reader_->Prepare(
        "SELECT seq, time_us, path, account, organization, collection, remote, allowed, reason, "
        "objects, withheld, hash FROM events ORDER BY seq"));
    std::string prev;
    int64_t expect_seq = 1;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      AuditEvent e;
      e.seq = st->Int64(0);
      e.time_us = st->Int64(1);
      e.path = st->Text(2);
      e.account = st->Text(3);
      e.organization = st->Text(4);
      e.collection = st->Text(5);
      e.remote = st->Text(6);
      e.allowed = st->Int64(7) != 0;
      e.reason = st->Text(8);
      std::string objects(st->Text(9));
      e.withheld = st->Int64(10);
      if (e.seq != expect_seq) {
        return IoError("audit log: event " + std::to_string(expect_seq) + " is missing");
      }
      std::string h = ChainHash(prev, e, objects);
      if (h != st->Text(11)) {
        return IoError("audit log: event " + std::to_string(e.seq) + " was altered");
      }
      prev = h;
      ++expect_seq;
    }
    return Status::Ok();
  }

  bool Healthy() const override {
    std::lock_guard lock(mu_);
    return healthy_;
  }

  int64_t Appended() const override {
    std::lock_guard lock(mu_);
    return appended_;
  }

 private:
  void Run() {
    for (;;) {
      std::deque<AuditEvent> batch;
      {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, std::chrono::milliseconds(50), [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) {
          if (stopping_) return;
          continue;
        }
        batch.swap(queue_);
        room_cv_.notify_all();
      }
      // A failed batch is retried, never dropped: events stay queued (with
      // their order) until they are written. While writes fail the log is
      // unhealthy, and the decision point withholds AMBER and stricter
      // releases rather than release them unaudited.
      Status s = WriteBatch(&batch);
      for (int attempt = 1; !s.ok() && attempt < 5; ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20 << attempt));
        s = WriteBatch(&batch);
      }
      std::lock_guard lock(mu_);
      if (!s.ok()) {
        last_error_ = s;
        healthy_ = false;
        for (auto it = batch.rbegin(); it != batch.rend(); ++it) queue_.push_front(std::move(*it));
        if (stopping_) {
          written_ += static_cast<int64_t>(queue_.size());
          done_cv_.notify_all();
          return;
        }
        continue;
      }
      healthy_ = true;
      last_error_ = Status::Ok();
      written_ += static_cast<int64_t>(batch.size());
      done_cv_.notify_all();
    }
  }

  Status WriteBatch(std::deque<AuditEvent>* batch) {
    RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
    // The chain continues from the last event in the file, read inside this
    // write transaction: another process (kizuna export) may have appended.
    int64_t seq = 0;
    std::string hash;
    {
      auto last = writer_->Prepare("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1");
      if (!last.ok()) {
        (void)writer_->Exec("ROLLBACK");
        return last.error();
      }
      auto row = (*last)->Step();
      if (!row.ok()) {
        (void)writer_->Exec("ROLLBACK");
        return row.error();
      }
      if (*row) {
        seq = (*last)->Int64(0);
        hash = std::string((*last)->Text(1));
      }
    }
    Status s;
    for (auto& e : *batch) {
      e.seq = ++seq;
      std::string objects = ObjectsText(e.objects);
      std::string h = ChainHash(hash, e, objects);
      auto st = writer_->Prepare(
          "INSERT INTO events(seq, time_us, path, account, organization, collection, remote, "
          "allowed, reason, objects, withheld, hash) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)");
      if (!st.ok()) {
        s = st.error();
        break;
      }
      sqlite::Statement& ins = **st;
      ins.Bind(1, e.seq);
      ins.Bind(2, e.time_us);
      ins.Bind(3, e.path);
      ins.Bind(4, e.account);
      ins.Bind(5, e.organization);
      ins.Bind(6, e.collection);
      ins.Bind(7, e.remote);
      ins.Bind(8, int64_t{e.allowed});
      ins.Bind(9, e.reason);
      ins.Bind(10, objects);
      ins.Bind(11, e.withheld);
      ins.Bind(12, h);
      s = ins.Run();
      if (!s.ok()) break;
      hash = h;
    }
    if (s.ok()) s = writer_->Exec("COMMIT");
    if (!s.ok()) {
      (void)writer_->Exec("ROLLBACK");
      return s;
    }
    last_seq_ = seq;
    last_hash_ = hash;
    return Status::Ok();
  }

  std::unique_ptr<Connection> writer_;  // the writer thread only
  int64_t last_seq_ = 0;
  std::string last_hash_;
  std::mutex reader_mu_;
  std::unique_ptr<Connection> reader_;  // GUARDED_BY(reader_mu_)

  mutable std::mutex mu_;
  std::condition_variable cv_, done_cv_, room_cv_;
  static constexpr size_t kMaxQueued = 100'000;
  std::deque<AuditEvent> queue_;  // GUARDED_BY(mu_)
  int64_t appended_ = 0, written_ = 0;
  bool healthy_ = true;
  bool stopping_ = false;
  Status last_error_;
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<AuditLog>> OpenSqliteAuditLog(const std::string& path) {
  auto log = std::make_unique<SqliteAuditLog>();
  RETURN_IF_ERROR(log->Init(path));
  return std::unique_ptr<AuditLog>(std::move(log));
}

std::string AuditPathFor(const std::string& db_path) { return db_path + ".audit"; }

}  // namespace kizuna::store
