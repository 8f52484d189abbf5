#include "store/sqlite/sqlite_store.h"

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "store/sqlite/sqlite_util.h"

namespace kizuna::store {
namespace {

namespace json = boost::json;
using sqlite::Connection;
using sqlite::Stmt;

constexpr int kSchemaVersion = 3;
constexpr int kBusyTimeoutMs = 10'000;

// Row flags of `objects`.
constexpr int64_t kFirst = 1;       // earliest version of its id in the collection
constexpr int64_t kLast = 2;        // latest version
constexpr int64_t kGranular = 4;    // carries granular_markings
constexpr int64_t kUnversioned = 8; // neither modified nor created: version is date_added

// Schema version 1. `objects` is a rowid table whose rowid IS date_added:
// appends are sequential, `added_after` paging is a range scan, and a
// (coll, date_added) index serves collection scans. Ids are indexed by a
// 64-bit hash (IdHash) instead of the text, which keeps the only
// randomly-inserted index small; the text is compared after the lookup.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO meta VALUES('generation', 1), ('last_date_added', 0), ('objects', 0);
CREATE TABLE api_roots(
  name TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL,
  max_content_length INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE collections(
  key INTEGER PRIMARY KEY, id TEXT NOT NULL, api_root TEXT NOT NULL, title TEXT NOT NULL,
  description TEXT NOT NULL, alias TEXT NOT NULL, default_marking TEXT NOT NULL,
  UNIQUE(api_root, id));
CREATE TABLE organizations(
  id TEXT PRIMARY KEY, name TEXT NOT NULL, nation TEXT NOT NULL, kind TEXT NOT NULL,
  sectors TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE accounts(
  key INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, organization TEXT NOT NULL,
  roles TEXT NOT NULL, password_hash TEXT NOT NULL, disabled INTEGER NOT NULL);
CREATE TABLE grants(
  account INTEGER NOT NULL, collection INTEGER NOT NULL, can_read INTEGER NOT NULL,
  can_write INTEGER NOT NULL, PRIMARY KEY(account, collection)) WITHOUT ROWID;
CREATE TABLE tokens(
  id TEXT PRIMARY KEY, account INTEGER NOT NULL, secret_hash TEXT NOT NULL, label TEXT NOT NULL,
  created_us INTEGER NOT NULL, expires_us INTEGER) WITHOUT ROWID;
CREATE TABLE status(
  id TEXT PRIMARY KEY, api_root TEXT NOT NULL, owner INTEGER NOT NULL, request_us INTEGER NOT NULL,
  status TEXT NOT NULL, details TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE cursors(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE objects(
  date_added INTEGER PRIMARY KEY,
  coll INTEGER NOT NULL,
  idh INTEGER NOT NULL,
  version INTEGER NOT NULL,
  flags INTEGER NOT NULL,
  type TEXT NOT NULL,
  spec TEXT NOT NULL,
  id TEXT NOT NULL,
  marking TEXT NOT NULL,
  producer TEXT NOT NULL,
  audience TEXT NOT NULL,
  origin TEXT NOT NULL,
  raw BLOB NOT NULL);
CREATE INDEX objects_coll ON objects(coll, date_added);
CREATE INDEX objects_id ON objects(coll, idh, version);
CREATE INDEX objects_type ON objects(coll, type, date_added);
)sql";

// Schema version 2: the trust model (client organizations, home hubs, trust
// groups, a collection's trust group).
constexpr const char* kSchemaV2 = R"sql(
ALTER TABLE organizations ADD COLUMN clients TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN home_hub TEXT NOT NULL DEFAULT '';
ALTER TABLE collections ADD COLUMN trust_group TEXT NOT NULL DEFAULT '';
CREATE TABLE trust_groups(
  id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL,
  members TEXT NOT NULL) WITHOUT ROWID;
)sql";

// Schema version 3 (issue 5, federation and channels): configuration
// records of peers and webhooks, one opaque value per (kind, name).
constexpr const char* kSchemaV3 = R"sql(
CREATE TABLE config_records(
  kind TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY(kind, name)) WITHOUT ROWID;
)sql";

std::string JoinList(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& e : v) {
    if (!s.empty()) s += '\x1f';
    s += e;
  }
  return s;
}

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t start = 0;
  for (;;) {
    size_t sep = s.find('\x1f', start);
    out.emplace_back(s.substr(start, sep == std::string_view::npos ? s.size() - start : sep - start));
    if (sep == std::string_view::npos) break;
    start = sep + 1;
  }
  return out;
}

std::string JsonArrayOfStrings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(json::string(s));
  return json::serialize(a);
}

std::string JsonArrayOfInts(const std::vector<int64_t>& v) {
  json::array a;
  for (int64_t x : v) a.emplace_back(x);
  return json::serialize(a);
}

std::string StatusDetailsToJson(const StatusRecord& s) {
  auto list = [](const std::vector<StatusDetail>& v) {
    json::array a;
    for (const auto& d : v) a.push_back(json::array{json::string(d.id), json::string(d.version), json::string(d.message)});
    return a;
  };
  return json::serialize(json::object{{"s", list(s.successes)}, {"f", list(s.failures)}, {"p", list(s.pendings)}});
}

void StatusDetailsFromJson(std::string_view text, StatusRecord* s) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return;
  auto load = [&](const char* key, std::vector<StatusDetail>* out) {
    auto* a = v.get_object().if_contains(key);
    if (!a || !a->is_array()) return;
    for (const auto& e : a->get_array()) {
      if (!e.is_array() || e.get_array().size() != 3) continue;
      const auto& t = e.get_array();
      out->push_back(StatusDetail{std::string(t[0].as_string()), std::string(t[1].as_string()),
                                  std::string(t[2].as_string())});
    }
  };
  load("s", &s->successes);
  load("f", &s->failures);
  load("p", &s->pendings);
}

size_t GroupBucket(int64_t batches) {
  size_t b = 0;
  for (int64_t lim = 1; lim < batches && b < 6; lim *= 2) ++b;
  return b;  // 1, 2, 4, 8, 16, 32, 64+
}

class SqliteStoreImpl final : public Store {
 public:
  explicit SqliteStoreImpl(SqliteOptions options) : options_(std::move(options)) {
    stats_histogram_.assign(7, 0);
  }
  ~SqliteStoreImpl() override { Shutdown(); }

  Status Init() {
    ASSIGN_OR_RETURN(writer_, Connection::Open(options_.path, false, kBusyTimeoutMs));
    RETURN_IF_ERROR(Configure(writer_.get(), /*writer=*/true));
    RETURN_IF_ERROR(Migrate());
    {
      ASSIGN_OR_RETURN(auto st, writer_->Prepare("SELECT key, value FROM meta"));
      for (;;) {
        ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        if (st.Text(0) == "last_date_added") last_date_added_ = st.Int(1);
        if (st.Text(0) == "objects") objects_ = st.Int(1);
      }
    }
    ASSIGN_OR_RETURN(dir_conn_, Connection::Open(options_.path, false, kBusyTimeoutMs));
    RETURN_IF_ERROR(Configure(dir_conn_.get(), /*writer=*/false));
    writer_thread_ = std::thread([this] { WriterLoop(); });
    return Status::Ok();
  }

  // ---- objects ---------------------------------------------------------------

  void Write(WriteBatch batch, WriteCallback done) override {
    {
      std::lock_guard lock(queue_mu_);
      if (!stopping_) {
        queue_.push_back(Pending{std::move(batch), std::move(done)});
        queue_cv_.notify_one();
        return;
      }
    }
    done(Unavailable("the store is shutting down"));
  }

  Result<ObjectPage> Query(const ObjectQuery& q, std::optional<int64_t> after_cursor) override {
    ReaderLease lease(this);
    ASSIGN_OR_RETURN(Connection * c, lease.Get());
    std::string sql =
        "SELECT date_added, version, flags, type, spec, id, marking, producer, audience, origin, "
        "raw FROM objects";
    // Pick the index: ids, then types, then the plain collection scan.
    // One type: its own ordered range in objects_type (no sort). Several
    // types: the collection scan, filtering types per row (an IN over
    // objects_type would have to sort every match before the first row).
    const bool single_type = q.ids.empty() && q.types.size() == 1;
    if (!q.ids.empty()) {
      sql += " INDEXED BY objects_id";
    } else if (single_type) {
      sql += " INDEXED BY objects_type";
    } else {
      sql += " INDEXED BY objects_coll";
    }
    sql += " WHERE coll = ?1 AND date_added > ?2";
    if (!q.ids.empty()) {
      sql += " AND idh IN (SELECT value FROM json_each(?3)) AND id IN (SELECT value FROM json_each(?4))";
    }
    if (single_type) {
      sql += " AND type = ?5";
    } else if (!q.types.empty()) {
      sql += " AND type IN (SELECT value FROM json_each(?5))";
    }
    if (!q.spec_versions.empty()) sql += " AND spec IN (SELECT value FROM json_each(?6))";
    const VersionFilter& v = q.versions;
    if (!v.all) {
      int64_t mask = 0;
      if (v.first) mask |= kFirst;
      if (v.last || v.IsDefault()) mask |= kLast;
      if (!v.versions_us.empty()) {
        sql += mask ? " AND ((flags & ?7) != 0 OR version IN (SELECT value FROM json_each(?8)))"
                    : " AND version IN (SELECT value FROM json_each(?8))";
      } else {
        sql += " AND (flags & ?7) != 0";
      }
    }
    sql += " ORDER BY date_added";
    const bool filtered = static_cast<bool>(q.visible);
    if (!filtered) sql += " LIMIT ?9";
    ASSIGN_OR_RETURN(Stmt st, c->Prepare(sql));
    st.Bind(1, q.collection);
    int64_t after = std::max(q.added_after_us.value_or(-1), after_cursor.value_or(-1));
    st.Bind(2, after);
    std::string ids_h, ids_t, types_j, spec_j, versions_j;
    if (!q.ids.empty()) {
      std::vector<int64_t> hashes;
      for (const auto& id : q.ids) hashes.push_back(IdHash(id));
      ids_h = JsonArrayOfInts(hashes);
      ids_t = JsonArrayOfStrings(q.ids);
      st.BindStatic(3, ids_h);
      st.BindStatic(4, ids_t);
    }
    if (single_type) {
      st.BindStatic(5, q.types[0]);
    } else if (!q.types.empty()) {
      types_j = JsonArrayOfStrings(q.types);
      st.BindStatic(5, types_j);
    }
    if (!q.spec_versions.empty()) {
      spec_j = JsonArrayOfStrings(q.spec_versions);
      st.BindStatic(6, spec_j);
    }
    if (!v.all) {
      int64_t mask = 0;
      if (v.first) mask |= kFirst;
      if (v.last || v.IsDefault()) mask |= kLast;
      st.Bind(7, mask);
      if (!v.versions_us.empty()) {
        versions_j = JsonArrayOfInts(v.versions_us);
        st.BindStatic(8, versions_j);
      }
    }
    if (!filtered) st.Bind(9, static_cast<int64_t>(q.limit) + 1);

    ObjectPage page;
    page.records.reserve(static_cast<size_t>(std::min(q.limit, 1000)));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      ObjectRecord r;
      r.date_added_us = st.Int(0);
      r.version_us = st.Int(1);
      int64_t flags = st.Int(2);
      r.is_first = flags & kFirst;
      r.is_last = flags & kLast;
      r.granular = flags & kGranular;
      r.type = st.Text(3);
      r.spec_version = st.Text(4);
      r.id = st.Text(5);
      r.marking = st.Text(6);
      r.producer = st.Text(7);
      r.audience = st.Text(8);
      r.origin = st.Text(9);
      if (filtered && !q.visible(r)) continue;
      if (static_cast<int>(page.records.size()) == q.limit) {
        page.more = true;
        break;
      }
      if (q.with_raw) r.raw = st.Blob(10);
      page.records.push_back(std::move(r));
    }
    return page;
  }

  Result<int64_t> DeleteObject(int64_t collection, const std::string& id,
                               const VersionFilter& versions) override {
    int64_t removed = 0;
    RETURN_IF_ERROR(RunOnWriter([&](Connection* c) -> Status {
      ASSIGN_OR_RETURN(removed, DeleteLocked(c, collection, id, versions));
      return Status::Ok();
    }));
    objects_.fetch_sub(removed);
    return removed;
  }

  Result<int64_t> CountObjects(std::optional<int64_t> collection) override {
    ReaderLease lease(this);
    ASSIGN_OR_RETURN(Connection * c, lease.Get());
    if (!collection) {
      ASSIGN_OR_RETURN(auto st, c->Prepare("SELECT value FROM meta WHERE key = 'objects'"));
      ASSIGN_OR_RETURN(bool row, st.Step());
      return row ? st.Int(0) : 0;
    }
    ASSIGN_OR_RETURN(auto st,
                     c->Prepare("SELECT count(*) FROM objects INDEXED BY objects_coll WHERE coll = ?1"));
    st.Bind(1, *collection);
    ASSIGN_OR_RETURN(bool row, st.Step());
    return row ? st.Int(0) : 0;
  }

  void AddCommitListener(CommitListener listener) override {
    std::lock_guard lock(listeners_mu_);
    listeners_.push_back(std::move(listener));
  }

  Result<std::optional<std::string>> GetCursor(const std::string& name) override {
    ReaderLease lease(this);
    ASSIGN_OR_RETURN(Connection * c, lease.Get());
    ASSIGN_OR_RETURN(auto st, c->Prepare("SELECT value FROM cursors WHERE name = ?1"));
    st.Bind(1, name);
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<std::string>();
    return std::optional<std::string>(std::string(st.Text(0)));
  }

  Status PutCursor(const CursorUpdate& cursor) override {
    return DirWrite(/*bump_generation=*/false, [&](Connection* c) -> Status {
      return UpsertCursor(c, cursor);
    });
  }

  Result<std::optional<StatusRecord>> GetStatus(const std::string& api_root,
                                                const std::string& id) override {
    ReaderLease lease(this);
    ASSIGN_OR_RETURN(Connection * c, lease.Get());
    ASSIGN_OR_RETURN(auto st, c->Prepare(
        "SELECT owner, request_us, status, details FROM status WHERE id = ?1 AND api_root = ?2"));
    st.Bind(1, id);
    st.Bind(2, api_root);
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<StatusRecord>();
    StatusRecord s;
    s.id = id;
    s.api_root = api_root;
    s.owner_account = st.Int(0);
    s.request_timestamp_us = st.Int(1);
    s.status = st.Text(2);
    StatusDetailsFromJson(st.Text(3), &s);
    return std::optional<StatusRecord>(std::move(s));
  }

  // ---- directory ---------------------------------------------------------------

  Status PutApiRoot(const ApiRoot& r) override {
    return DirWrite(true, [&](Connection* c) -> Status {
      ASSIGN_OR_RETURN(auto st, c->Prepare(
          "INSERT INTO api_roots(name, title, description, max_content_length) VALUES(?1,?2,?3,?4) "
          "ON CONFLICT(name) DO UPDATE SET title=?2, description=?3, max_content_length=?4"));
      st.Bind(1, r.name);
      st.Bind(2, r.title);
      st.Bind(3, r.description);
      st.Bind(4, r.max_content_length);
      return st.Exec();
    });
  }

  Result<std::vector<ApiRoot>> ListApiRoots() override {
    return DirRead<std::vector<ApiRoot>>([](Connection* c) -> Result<std::vector<ApiRoot>> {
      ASSIGN_OR_RETURN(auto st, c->Prepare(
          "SELECT name, title, description, max_content_length FROM api_roots ORDER BY name"));
      std::vector<ApiRoot> out;
      for (;;) {
        ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        out.push_back(ApiRoot{std::string(st.Text(0)), std::string(st.Text(1)),
                              std::string(st.Text(2)), st.Int(3)});
      }
      return out;
    });
  }

  Result<Collection> PutCollection(const Collection& in) override {
    Collection c = in;
    RETURN_IF_ERROR(DirWrite(true, [&](Connection* conn) -> Status {
      ASSIGN_OR_RETURN(auto st, conn->Prepare(
          "INSERT INTO collections(id, api_root, title, description, alias, default_marking, "
          "trust_group) VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(api_root, id) DO UPDATE SET "
          "title=?3, description=?4, alias=?5, default_marking=?6, trust_group=?7 RETURNING key"));
      st.Bind(1, c.id);
      st.Bind(2, c.api_root);
      st.Bind(3, c.title);
      st.Bind(4, c.description);
      st.Bind(5, c.alias);
      st.Bind(6, c.default_marking);
      st.Bind(7, c.trust_group);
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Internal("collection upsert returned no key");
      c.key = st.Int(0);
      return st.Exec();
    }));
    return c;
  }

  Result<std::vector<Collection>> ListCollections(const std::string& api_root) override {
    return DirRead<std::vector<Collection>>([&](Connection* c) -> Result<std::vector<Collection>> {
      ASSIGN_OR_RETURN(auto st, c->Prepare(
          "SELECT key, id, api_root, title, description, alias, default_marking, trust_group FROM collections "
          "WHERE api_root = ?1 ORDER BY key"));
      st.Bind(1, api_root);
      std::vector<Collection> out;
      for (;;) {
        ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        out.push_back(ReadCollection(st));
      }
      return out;
    });
  }

  Status DeleteCollection(int64_t key) override {
    // Through the writer: objects go with it, and the object count stays right.
    int64_t removed = 0;
    RETURN_IF_ERROR(RunOnWriter([&](Connection* c) -> Status {
      ASSIGN_OR_RETURN(auto find, c->Prepare("SELECT 1 FROM collections WHERE key = ?1"));
      find.Bind(1, key);
      ASSIGN_OR_RETURN(bool exists, find.Step());
      if (!exists) return NotFound("no collection with key " + std::to_string(key));
      RETURN_IF_ERROR(find.Exec());
      ASSIGN_OR_RETURN(auto del, c->Prepare("DELETE FROM objects WHERE coll = ?1"));
      del.Bind(1, key);
      RETURN_IF_ERROR(del.Exec());
      removed = sqlite3_changes(c->db());
      ASSIGN_OR_RETURN(auto dc, c->Prepare("DELETE FROM collections WHERE key = ?1"));
      dc.Bind(1, key);
      RETURN_IF_ERROR(dc.Exec());
      ASSIGN_OR_RETURN(auto dg, c->Prepare("DELETE FROM grants WHERE collection = ?1"));
      dg.Bind(1, key);
      RETURN_IF_ERROR(dg.Exec());
      RETURN_IF_ERROR(AddMeta(c, "objects", -removed));
      return AddMeta(c, "generation", 1);
    }));
    objects_.fetch_sub(removed);
    return Status::Ok();
  }

  Result<std::optional<Collection>> FindCollection(const std::string& api_root,
                                                   const std::string& id_or_alias) override {
    return DirRead<std::optional<Collection>>(
        [&](Connection* c) -> Result<std::optional<Collection>> {
          ASSIGN_OR_RETURN(auto st, c->Prepare(
              "SELECT key, id, api_root, title, description, alias, default_marking, trust_group "
              "FROM collections WHERE api_root = ?1 AND (id = ?2 OR (alias != '' AND alias = ?2)) "
              "ORDER BY id = ?2 DESC LIMIT 1"));
          st.Bind(1, api_root);
          st.Bind(2, id_or_alias);
          ASSIGN_OR_RETURN(bool row, st.Step());
          if (!row) return std::optional<Collection>();
          return std::optional<Collection>(ReadCollection(st));
        });
  }

  Status PutOrganization(const Organization& o) override {
    return DirWrite(true, [&](Connection* c) -> Status {
      ASSIGN_OR_RETURN(auto st, c->Prepare(
          "INSERT INTO organizations(id, name, nation, kind, sectors, clients, home_hub) "
          "VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(id) DO UPDATE SET name=?2, nation=?3, "
          "kind=?4, sectors=?5, clients=?6, home_hub=?7"));
      st.Bind(1, o.id);
      st.Bind(2, o.name);
      st.Bind(3, o.nation);
      st.Bind(4, o.kind);
      st.Bind(5, JoinList(o.sectors));
      st.Bind(6, JoinList(o.clients));
      st.Bind(7, o.home_hub);
      return st.Exec();
    });
  }

  Result<std::vector<Organization>> ListOrganizations() override {
    return DirRead<std::vector<Organization>>(
        [](Connection* c) -> Result<std::vector<Organization>> {
          ASSIGN_OR_RETURN(auto st, c->Prepare(
              "SELECT id, name, nation, kind, sectors, clients, home_hub FROM organizations "
              "ORDER BY name"));
          std::vector<Organization> out;
          for (;;) {
            ASSIGN_OR_RETURN(bool row, st.Step());
            if (!row) break;
            out.push_back(Organization{std::string(st.Text(0)), std::string(st.Text(1)),
                                       std::string(st.Text(2)), std::string(st.Text(3)),
                                       SplitList(st.Text(4)), SplitList(st.Text(5)),
                                       std::string(st.Text(6))});
          }
          return out;
        });
  }

  Status PutTrustGroup(const TrustGroup& g) override {
    return DirWrite(true, [&](Connection* c) -> Status {
      ASSIGN_OR_RETURN(auto st, c->Prepare(
          "INSERT INTO trust_groups(id, name, description, members) VALUES(?1,?2,?3,?4) "
          "ON CONFLICT(id) DO UPDATE SET name=?2, description=?3, members=?4"));
      st.Bind(1, g.id);
      st.Bind(2, g.name);
      st.Bind(3, g.description);
      st.Bind(4, JoinList(g.members));
      return st.Exec();
    });
  }

  Result<std::vector<TrustGroup>> ListTrustGroups() override {
    return DirRead<std::vector<TrustGroup>>([](Connection* c) -> Result<std::vector<TrustGroup>> {
      ASSIGN_OR_RETURN(auto st, c->Prepare(
          "SELECT id, name, description, members FROM trust_groups ORDER BY id"));
      std::vector<TrustGroup> out;
      for (;;) {
        ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        out.push_back(TrustGroup{std::string(st.Text(0)), std::string(st.Text(1)),
                                 std::string(st.Text(2)), SplitList(st.Text(3))});
      }
      return out;
    });
  }

  Status DeleteTrustGroup(const std::string& id) override {
    return DirWrite(true, [&](Connection* c) -> Status {
      ASSIGN_OR_RETURN(auto st, c->Prepare("DELETE FROM trust_groups WHERE id=?1"));
      st.Bind(1, id);
      RETURN_IF_ERROR(st.Exec());
      if (sqlite3_changes(c->db()) == 0) return NotFound("no trust group '" + id + "'");
      return Status::Ok();
    });
  }

  Result<Account> PutAccount(const Account& in) override {
    Account a = in;
    RETURN_IF_ERROR(DirWrite(true, [&](Connection* c) -> Status {
      if (a.key == 0) {
        ASSIGN_OR_RETURN(auto st, c->Prepare(
            "INSERT INTO accounts(username, organization, roles, password_hash, disabled) "
            "VALUES(?1,?2,?3,?4,?5) RETURNING key"));
        st.Bind(1, a.username);
        st.Bind(2, a.organization);
        st.Bind(3, JoinList(a.roles));
        st.Bind(4, a.password_hash);
        st.Bind(5, int64_t{a.disabled});
        auto row = st.Step();
        if (!row.ok()) {
          if (row.error().code() == StatusCode::kAlreadyExists) {
            return AlreadyExists("account '" + a.username + "' already exists");
          }
          return row.error();
        }
        a.key = st.Int(0);
        return st.Exec();
      }
      ASSIGN_OR_RETURN(auto st, c->Prepare(
          "UPDATE accounts SET username=?2, organization=?3, roles=?4, password_hash=?5, "
          "disabled=?6 WHERE key=?1"));
      st.Bind(1, a.key);
      st.Bind(2, a.username);
      st.Bind(3, a.organization);
      st.Bind(4, JoinList(a.roles));
      st.Bind(5, a.password_hash);
      st.Bind(6, int64_t{a.disabled});
      RETURN_IF_ERROR(st.Exec());
      if (sqlite3_changes(c->db()) == 0) return NotFound("no account with key " + std::to_string(a.key));
      return Status::Ok();
    }));
    return a;
  }

  Result<std::optional<Account>> FindAccount(const std::string& username) override {
    return FindAccountWhere("username = ?1", [&](Stmt& st) { st.Bind(1, username); });
  }

  Result<std::optional<Account>> FindAccountByKey(int64_t key) override {
    return FindAccountWhere("key = ?1", [&](Stmt& st) { st.Bind(1, key); });
  }

  Result<std::vector<Account>> ListAccounts() override {
    return DirRead<std::vector<Account>>([](Connection* c) -> Result<std::vector<Account>> {
      ASSIGN_OR_RETURN(auto st, c->Prepare(
          "SELECT key, username, organization, roles, password_hash, disabled FROM accounts "
          "ORDER BY username"));
      std::vector<Account> out;
      for (;;) {
        ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        out.push_back(ReadAccount(st));
      }
      return out;
    });
  }

  Status PutGrant(const Grant& g) override {
    return DirWrite(true, [&](Connection* c) -> Status {
      if (!g.can_read && !g.can_write) {
        ASSIGN_OR_RETURN(auto st, c->Prepare("DELETE FROM grants WHERE account=?1 AND collection=?2"));
        st.Bind(1, g.account);
        st.Bind(2, g.collection);
        return st.Exec();
      }
      ASSIGN_OR_RETURN(auto st, c->Prepare(
          "INSERT INTO grants(account, collection, can_read, can_write) VALUES(?1,?2,?3,?4) "
          "ON CONFLICT(account, collection) DO UPDATE SET can_read=?3, can_write=?4"));
      st.Bind(1, g.account);
      st.Bind(2, g.collection);
      st.Bind(3, int64_t{g.can_read});
      st.Bind(4, int64_t{g.can_write});
      return st.Exec();
    });
  }

  Result<std::vector<Grant>> ListGrants(std::optional<int64_t> account) override {
    return DirRead<std::vector<Grant>>([&](Connection* c) -> Result<std::vector<Grant>> {
      ASSIGN_OR_RETURN(auto st, c->Prepare(
          account ? "SELECT account, collection, can_read, can_write FROM grants WHERE account=?1"
                  : "SELECT account, collection, can_read, can_write FROM grants ORDER BY account"));
      if (account) st.Bind(1, *account);
      std::vector<Grant> out;
      for (;;) {
        ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        out.push_back(Grant{st.Int(0), st.Int(1), st.Int(2) != 0, st.Int(3) != 0});
      }
      return out;
    });
  }

  Status PutToken(const Token& t) override {
    return DirWrite(true, [&](Connection* c) -> Status {
      ASSIGN_OR_RETURN(auto st, c->Prepare(
          "INSERT INTO tokens(id, account, secret_hash, label, created_us, expires_us) "
          "VALUES(?1,?2,?3,?4,?5,?6)"));
      st.Bind(1, t.id);
      st.Bind(2, t.account);
      st.Bind(3, t.secret_hash);
      st.Bind(4, t.label);
      st.Bind(5, t.created_us);
      if (t.expires_us) {
        st.Bind(6, *t.expires_us);
      } else {
        st.BindNull(6);
      }
      return st.Exec();
    });
  }

  Result<std::optional<Token>> FindToken(const std::string& id) override {
    return DirRead<std::optional<Token>>([&](Connection* c) -> Result<std::optional<Token>> {
      ASSIGN_OR_RETURN(auto st, c->Prepare(
          "SELECT id, account, secret_hash, label, created_us, expires_us FROM tokens WHERE id=?1"));
      st.Bind(1, id);
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return std::optional<Token>();
      return std::optional<Token>(ReadToken(st));
    });
  }

  Status DeleteToken(const std::string& id) override {
    return DirWrite(true, [&](Connection* c) -> Status {
      ASSIGN_OR_RETURN(auto st, c->Prepare("DELETE FROM tokens WHERE id=?1"));
      st.Bind(1, id);
      return st.Exec();
    });
  }

  Result<std::vector<Token>> ListTokens(std::optional<int64_t> account) override {
    return DirRead<std::vector<Token>>([&](Connection* c) -> Result<std::vector<Token>> {
      ASSIGN_OR_RETURN(auto st, c->Prepare(
          account ? "SELECT id, account, secret_hash, label, created_us, expires_us FROM tokens "
                    "WHERE account=?1 ORDER BY created_us"
                  : "SELECT id, account, secret_hash, label, created_us, expires_us FROM tokens "
                    "ORDER BY created_us"));
      if (account) st.Bind(1, *account);
      std::vector<Token> out;
      for (;;) {
        ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        out.push_back(ReadToken(st));
      }
      return out;
    });
  }

  Result<int64_t> DirectoryGeneration() override {
    ReaderLease lease(this);
    ASSIGN_OR_RETURN(Connection * c, lease.Get());
    ASSIGN_OR_RETURN(auto st, c->Prepare("SELECT value FROM meta WHERE key = 'generation'"));
    ASSIGN_OR_RETURN(bool row, st.Step());
    return row ? st.Int(0) : 0;
  }

  // ---- federation and channels (issue 5) ----

  Status PutConfigRecord(const ConfigRecord& r) override {
    if (r.kind.empty() || r.name.empty()) return InvalidArgument("config record needs a kind and a name");
    return DirWrite(true, [&](Connection* c) -> Status {
      ASSIGN_OR_RETURN(auto st, c->Prepare(
          "INSERT INTO config_records(kind, name, value) VALUES(?1,?2,?3) "
          "ON CONFLICT(kind, name) DO UPDATE SET value=?3"));
      st.Bind(1, r.kind);
      st.Bind(2, r.name);
      st.Bind(3, r.value);
      return st.Exec();
    });
  }

  Result<std::vector<ConfigRecord>> ListConfigRecords(const std::string& kind) override {
    return DirRead<std::vector<ConfigRecord>>([&](Connection* c) -> Result<std::vector<ConfigRecord>> {
      ASSIGN_OR_RETURN(auto st, c->Prepare(
          "SELECT name, value FROM config_records WHERE kind = ?1 ORDER BY name"));
      st.Bind(1, kind);
      std::vector<ConfigRecord> out;
      for (;;) {
        ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        out.push_back(ConfigRecord{kind, std::string(st.Text(0)), std::string(st.Text(1))});
      }
      return out;
    });
  }

  Status DeleteConfigRecord(const std::string& kind, const std::string& name) override {
    return DirWrite(true, [&](Connection* c) -> Status {
      ASSIGN_OR_RETURN(auto st, c->Prepare("DELETE FROM config_records WHERE kind = ?1 AND name = ?2"));
      st.Bind(1, kind);
      st.Bind(2, name);
      RETURN_IF_ERROR(st.Exec());
      if (sqlite3_changes(c->db()) == 0) return NotFound("no " + kind + " '" + name + "'");
      return Status::Ok();
    });
  }

  StoreStats Stats() const override {
    StoreStats s;
    s.objects = objects_.load();
    std::lock_guard lock(stats_mu_);
    s.commits = stats_commits_;
    s.batches = stats_batches_;
    s.last_commit_batches = stats_last_;
    s.group_sizes_histogram = stats_histogram_;
    return s;
  }

  Status Ping() override {
    ReaderLease lease(this);
    ASSIGN_OR_RETURN(Connection * c, lease.Get());
    ASSIGN_OR_RETURN(auto st, c->Prepare("SELECT value FROM meta WHERE key = 'generation'"));
    return st.Step().status();
  }

  Status CheckIntegrity() override {
    ReaderLease lease(this);
    ASSIGN_OR_RETURN(Connection * c, lease.Get());
    ASSIGN_OR_RETURN(auto st, c->Prepare("PRAGMA integrity_check"));
    std::string problems;
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      if (st.Text(0) != "ok") problems += std::string(st.Text(0)) + "; ";
    }
    if (!problems.empty()) return IoError("integrity check failed: " + problems);
    return Status::Ok();
  }

 private:
  struct Pending {
    WriteBatch batch;
    WriteCallback done;
  };

  // A read connection from the pool for the duration of one call.
  class ReaderLease {
   public:
    explicit ReaderLease(SqliteStoreImpl* s) : s_(s) {}
    ~ReaderLease() {
      if (c_) {
        std::lock_guard lock(s_->readers_mu_);
        s_->readers_.push_back(std::move(c_));
      }
    }
    Result<Connection*> Get() {
      {
        std::lock_guard lock(s_->readers_mu_);
        if (!s_->readers_.empty()) {
          c_ = std::move(s_->readers_.back());
          s_->readers_.pop_back();
          return c_.get();
        }
      }
      ASSIGN_OR_RETURN(c_, Connection::Open(s_->options_.path, true, kBusyTimeoutMs));
      RETURN_IF_ERROR(s_->Configure(c_.get(), false));
      return c_.get();
    }

   private:
    SqliteStoreImpl* s_;
    std::unique_ptr<Connection> c_;
  };

  Status Configure(Connection* c, bool writer) {
    if (writer) {
      // Page size only matters before the first table exists.
      RETURN_IF_ERROR(c->Exec("PRAGMA page_size = 8192"));
      RETURN_IF_ERROR(c->Exec("PRAGMA journal_mode = WAL"));
      RETURN_IF_ERROR(c->Exec("PRAGMA wal_autocheckpoint = 4000"));
    }
    RETURN_IF_ERROR(c->Exec(options_.durable ? "PRAGMA synchronous = FULL"
                                             : "PRAGMA synchronous = NORMAL"));
    RETURN_IF_ERROR(c->Exec("PRAGMA cache_size = -" + std::to_string(options_.cache_mib * 1024)));
    RETURN_IF_ERROR(c->Exec("PRAGMA mmap_size = 4294967296"));
    RETURN_IF_ERROR(c->Exec("PRAGMA temp_store = MEMORY"));
    return Status::Ok();
  }

  Status Migrate() {
    ASSIGN_OR_RETURN(auto st, writer_->Prepare("PRAGMA user_version"));
    ASSIGN_OR_RETURN(bool row, st.Step());
    int64_t version = row ? st.Int(0) : 0;
    RETURN_IF_ERROR(st.Exec());
    if (version > kSchemaVersion) {
      return IoError(options_.path + " has schema version " + std::to_string(version) +
                     ", newer than this kizuna supports (" + std::to_string(kSchemaVersion) +
                     "); upgrade kizuna");
    }
    if (version == kSchemaVersion) return Status::Ok();
    if (version == 0) {
      ASSIGN_OR_RETURN(auto t, writer_->Prepare("SELECT count(*) FROM sqlite_master"));
      ASSIGN_OR_RETURN(bool r2, t.Step());
      if (r2 && t.Int(0) > 0) {
        return IoError(options_.path + " is not a Kizuna database (it has tables but no schema version)");
      }
    }
    // Each step runs in one transaction: a crash leaves the previous version.
    static const char* const kSteps[] = {kSchemaV1, kSchemaV2, kSchemaV3};
    for (int64_t v = version; v < kSchemaVersion; ++v) {
      RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
      Status s = writer_->Exec(kSteps[v]);
      if (s.ok()) s = writer_->Exec("PRAGMA user_version = " + std::to_string(v + 1));
      if (s.ok()) s = writer_->Exec("COMMIT");
      if (!s.ok()) {
        (void)writer_->Exec("ROLLBACK");
        return s;
      }
    }
    return Status::Ok();
  }

  static Collection ReadCollection(Stmt& st) {
    Collection c;
    c.key = st.Int(0);
    c.id = st.Text(1);
    c.api_root = st.Text(2);
    c.title = st.Text(3);
    c.description = st.Text(4);
    c.alias = st.Text(5);
    c.default_marking = st.Text(6);
    c.trust_group = st.Text(7);
    return c;
  }
  static Account ReadAccount(Stmt& st) {
    Account a;
    a.key = st.Int(0);
    a.username = st.Text(1);
    a.organization = st.Text(2);
    a.roles = SplitList(st.Text(3));
    a.password_hash = st.Text(4);
    a.disabled = st.Int(5) != 0;
    return a;
  }
  static Token ReadToken(Stmt& st) {
    Token t;
    t.id = st.Text(0);
    t.account = st.Int(1);
    t.secret_hash = st.Text(2);
    t.label = st.Text(3);
    t.created_us = st.Int(4);
    if (!st.IsNull(5)) t.expires_us = st.Int(5);
    return t;
  }

  template <typename Bind>
  Result<std::optional<Account>> FindAccountWhere(const std::string& where, Bind bind) {
    return DirRead<std::optional<Account>>([&](Connection* c) -> Result<std::optional<Account>> {
      ASSIGN_OR_RETURN(auto st, c->Prepare(
          "SELECT key, username, organization, roles, password_hash, disabled FROM accounts WHERE " +
          where));
      bind(st);
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return std::optional<Account>();
      return std::optional<Account>(ReadAccount(st));
    });
  }

  template <typename T, typename F>
  Result<T> DirRead(F f) {
    ReaderLease lease(this);
    ASSIGN_OR_RETURN(Connection * c, lease.Get());
    return f(c);
  }

  // Directory writes: their own connection and transaction (the writer
  // thread keeps the object path free of them); the generation counter moves
  // in the same transaction so every process sees the change.
  template <typename F>
  Status DirWrite(bool bump_generation, F f) {
    std::lock_guard lock(dir_mu_);
    Connection* c = dir_conn_.get();
    RETURN_IF_ERROR(c->Exec("BEGIN IMMEDIATE"));
    Status s = f(c);
    if (s.ok() && bump_generation) s = AddMeta(c, "generation", 1);
    if (s.ok()) s = c->Exec("COMMIT");
    if (!s.ok()) (void)c->Exec("ROLLBACK");
    return s;
  }

  static Status AddMeta(Connection* c, const char* key, int64_t delta) {
    ASSIGN_OR_RETURN(auto st, c->Prepare("UPDATE meta SET value = value + ?2 WHERE key = ?1"));
    st.BindStatic(1, key);
    st.Bind(2, delta);
    return st.Exec();
  }
  static Status SetMeta(Connection* c, const char* key, int64_t value) {
    ASSIGN_OR_RETURN(auto st, c->Prepare("UPDATE meta SET value = ?2 WHERE key = ?1"));
    st.BindStatic(1, key);
    st.Bind(2, value);
    return st.Exec();
  }
  static Status UpsertCursor(Connection* c, const CursorUpdate& cu) {
    ASSIGN_OR_RETURN(auto st, c->Prepare(
        "INSERT INTO cursors(name, value) VALUES(?1, ?2) ON CONFLICT(name) DO UPDATE SET value=?2"));
    st.Bind(1, cu.name);
    st.Bind(2, cu.value);
    return st.Exec();
  }

  // ---- the writer thread --------------------------------------------------------

  // Runs `f` on the writer thread inside a transaction of its own (deletes,
  // collection removal), serialized with object writes. Returns f's error,
  // or the commit's.
  Status RunOnWriter(const std::function<Status(Connection*)>& f) {
    std::promise<Status> done;
    auto fut = done.get_future();
    {
      std::lock_guard lock(queue_mu_);
      if (stopping_) return Unavailable("the store is shutting down");
      jobs_.push_back([&f, &done](Connection* c) {
        Status s = c->Exec("BEGIN IMMEDIATE");
        if (s.ok()) s = f(c);
        if (s.ok()) s = c->Exec("COMMIT");
        if (!s.ok()) (void)c->Exec("ROLLBACK");
        done.set_value(s);
      });
      queue_cv_.notify_one();
    }
    return fut.get();
  }

  struct Existing {
    int64_t date_added;
    int64_t version;
    int64_t flags;
  };

  // Adds one object inside the current transaction.
  Result<std::pair<AddOutcome, int64_t>> AddOne(Connection* c, int64_t coll, const NewObject& o) {
    const int64_t idh = IdHash(o.id);
    std::vector<Existing> existing;
    {
      ASSIGN_OR_RETURN(auto st, c->Prepare(
          "SELECT date_added, version, flags, raw FROM objects INDEXED BY objects_id "
          "WHERE coll = ?1 AND idh = ?2 AND id = ?3"));
      st.Bind(1, coll);
      st.Bind(2, idh);
      st.BindStatic(3, o.id);
      const bool unversioned = !o.modified_us && !o.created_us;
      const int64_t version = o.modified_us ? *o.modified_us : o.created_us ? *o.created_us : 0;
      for (;;) {
        ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        Existing e{st.Int(0), st.Int(1), st.Int(2)};
        if (unversioned) {
          // No version of its own: the same bytes again are the same object.
          if ((e.flags & kUnversioned) && st.Blob(3) == o.raw) {
            return std::make_pair(AddOutcome::kDuplicate, e.date_added);
          }
        } else if (!(e.flags & kUnversioned) && e.version == version) {
          return std::make_pair(AddOutcome::kDuplicate, e.date_added);
        }
        existing.push_back(e);
      }
    }
    int64_t now = options_.clock->NowMicros();
    int64_t date_added = std::max(now, last_date_added_ + 1);
    last_date_added_ = date_added;
    const bool unversioned = !o.modified_us && !o.created_us;
    const int64_t version = o.modified_us ? *o.modified_us : o.created_us ? *o.created_us : date_added;
    int64_t flags = (o.granular ? kGranular : 0) | (unversioned ? kUnversioned : 0);
    // TAXII 2.1 match[version]: first/last are the earliest/latest versions.
    const Existing* min_e = nullptr;
    const Existing* max_e = nullptr;
    for (const auto& e : existing) {
      if (!min_e || e.version < min_e->version) min_e = &e;
      if (!max_e || e.version > max_e->version) max_e = &e;
    }
    if (!min_e || version < min_e->version) {
      flags |= kFirst;
      if (min_e && (min_e->flags & kFirst)) RETURN_IF_ERROR(ClearFlag(c, min_e->date_added, kFirst));
    }
    if (!max_e || version >= max_e->version) {
      flags |= kLast;
      if (max_e && (max_e->flags & kLast)) RETURN_IF_ERROR(ClearFlag(c, max_e->date_added, kLast));
    }
    ASSIGN_OR_RETURN(auto ins, c->Prepare(
        "INSERT INTO objects(date_added, coll, idh, version, flags, type, spec, id, marking, "
        "producer, audience, origin, raw) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)"));
    ins.Bind(1, date_added);
    ins.Bind(2, coll);
    ins.Bind(3, idh);
    ins.Bind(4, version);
    ins.Bind(5, flags);
    ins.BindStatic(6, o.type);
    ins.BindStatic(7, o.spec_version);
    ins.BindStatic(8, o.id);
    ins.BindStatic(9, o.marking);
    ins.BindStatic(10, o.producer);
    ins.BindStatic(11, o.audience);
    ins.BindStatic(12, o.origin);
    ins.BindBlob(13, o.raw);
    RETURN_IF_ERROR(ins.Exec());
    return std::make_pair(AddOutcome::kAdded, date_added);
  }

  static Status ClearFlag(Connection* c, int64_t date_added, int64_t flag) {
    ASSIGN_OR_RETURN(auto st, c->Prepare("UPDATE objects SET flags = flags & ~?2 WHERE date_added = ?1"));
    st.Bind(1, date_added);
    st.Bind(2, flag);
    return st.Exec();
  }

  Result<int64_t> DeleteLocked(Connection* c, int64_t coll, const std::string& id,
                               const VersionFilter& v) {
    const int64_t idh = IdHash(id);
    std::vector<Existing> rows;
    {
      ASSIGN_OR_RETURN(auto st, c->Prepare(
          "SELECT date_added, version, flags FROM objects INDEXED BY objects_id "
          "WHERE coll = ?1 AND idh = ?2 AND id = ?3"));
      st.Bind(1, coll);
      st.Bind(2, idh);
      st.Bind(3, id);
      for (;;) {
        ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        rows.push_back(Existing{st.Int(0), st.Int(1), st.Int(2)});
      }
    }
    std::vector<int64_t> victims;
    std::vector<Existing> keep;
    for (const auto& e : rows) {
      bool match = v.all || v.IsDefault() || ((e.flags & kFirst) && v.first) ||
                   ((e.flags & kLast) && v.last) ||
                   std::find(v.versions_us.begin(), v.versions_us.end(), e.version) !=
                       v.versions_us.end();
      (match ? victims.push_back(e.date_added) : keep.push_back(e));
    }
    for (int64_t d : victims) {
      ASSIGN_OR_RETURN(auto del, c->Prepare("DELETE FROM objects WHERE date_added = ?1"));
      del.Bind(1, d);
      RETURN_IF_ERROR(del.Exec());
    }
    if (!victims.empty() && !keep.empty()) {
      // Re-derive first/last among what is left.
      const Existing* min_e = &keep[0];
      const Existing* max_e = &keep[0];
      for (const auto& e : keep) {
        if (e.version < min_e->version) min_e = &e;
        if (e.version >= max_e->version) max_e = &e;
      }
      for (const auto& e : keep) {
        int64_t want = (e.flags & ~(kFirst | kLast)) | (&e == min_e ? kFirst : 0) |
                       (&e == max_e ? kLast : 0);
        if (want != e.flags) {
          ASSIGN_OR_RETURN(auto up, c->Prepare("UPDATE objects SET flags = ?2 WHERE date_added = ?1"));
          up.Bind(1, e.date_added);
          up.Bind(2, want);
          RETURN_IF_ERROR(up.Exec());
        }
      }
    }
    if (!victims.empty()) {
      RETURN_IF_ERROR(AddMeta(c, "objects", -static_cast<int64_t>(victims.size())));
    }
    return static_cast<int64_t>(victims.size());
  }

  // Applies one batch inside the current transaction.
  Result<WriteResult> ApplyBatch(Connection* c, const WriteBatch& b, int64_t* added) {
    WriteResult r;
    r.outcomes.reserve(b.objects.size());
    r.date_added_us.reserve(b.objects.size());
    for (const auto& o : b.objects) {
      ASSIGN_OR_RETURN(auto res, AddOne(c, b.collection, o));
      r.outcomes.push_back(res.first);
      r.date_added_us.push_back(res.second);
      if (res.first == AddOutcome::kAdded) ++*added;
    }
    if (b.status) {
      ASSIGN_OR_RETURN(auto st, c->Prepare(
          "INSERT OR REPLACE INTO status(id, api_root, owner, request_us, status, details) "
          "VALUES(?1,?2,?3,?4,?5,?6)"));
      st.Bind(1, b.status->id);
      st.Bind(2, b.status->api_root);
      st.Bind(3, b.status->owner_account);
      st.Bind(4, b.status->request_timestamp_us);
      st.Bind(5, b.status->status);
      st.Bind(6, StatusDetailsToJson(*b.status));
      RETURN_IF_ERROR(st.Exec());
    }
    if (b.cursor) RETURN_IF_ERROR(UpsertCursor(c, *b.cursor));
    return r;
  }

  void WriterLoop() {
    for (;;) {
      std::vector<Pending> group;
      std::deque<std::function<void(Connection*)>> jobs;
      {
        std::unique_lock lock(queue_mu_);
        queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty() || !jobs_.empty(); });
        if (queue_.empty() && jobs_.empty() && stopping_) return;
        jobs.swap(jobs_);
        size_t objects = 0;
        while (!queue_.empty() &&
               (group.empty() || objects + queue_.front().batch.objects.size() <=
                                     static_cast<size_t>(options_.max_batch_objects))) {
          objects += queue_.front().batch.objects.size();
          group.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      for (auto& j : jobs) j(writer_.get());
      if (!group.empty()) CommitGroup(&group);
    }
  }

  void CommitGroup(std::vector<Pending>* group) {
    Connection* c = writer_.get();
    std::vector<Result<WriteResult>> results;
    results.reserve(group->size());
    const int64_t saved_last = last_date_added_;
    int64_t added_total = 0;
    std::map<int64_t, CommitNotice> notices;
    Status s = c->Exec("BEGIN IMMEDIATE");
    if (s.ok()) {
      for (auto& p : *group) {
        // A savepoint per batch: one bad batch fails alone, the others commit.
        const int64_t batch_last = last_date_added_;
        Status sp = c->Exec("SAVEPOINT b");
        if (!sp.ok()) {
          results.emplace_back(sp);
          continue;
        }
        int64_t added = 0;
        auto r = ApplyBatch(c, p.batch, &added);
        if (r.ok()) {
          (void)c->Exec("RELEASE b");
          added_total += added;
          if (added > 0) {
            CommitNotice& n = notices[p.batch.collection];
            n.collection = p.batch.collection;
            for (size_t i = 0; i < r->outcomes.size(); ++i) {
              if (r->outcomes[i] != AddOutcome::kAdded) continue;
              int64_t d = r->date_added_us[i];
              if (n.added == 0 || d < n.first_date_added_us) n.first_date_added_us = d;
              n.last_date_added_us = std::max(n.last_date_added_us, d);
              ++n.added;
            }
          }
          results.push_back(std::move(r));
        } else {
          (void)c->Exec("ROLLBACK TO b");
          (void)c->Exec("RELEASE b");
          last_date_added_ = batch_last;
          results.emplace_back(r.error());
        }
      }
      if (added_total > 0) {
        s = SetMeta(c, "last_date_added", last_date_added_);
        if (s.ok()) s = AddMeta(c, "objects", added_total);
      }
      if (s.ok()) s = c->Exec("COMMIT");
      if (!s.ok()) (void)c->Exec("ROLLBACK");
    }
    if (!s.ok()) {
      last_date_added_ = saved_last;
      for (auto& p : *group) p.done(s);
      return;
    }
    objects_.fetch_add(added_total);
    {
      std::lock_guard lock(stats_mu_);
      ++stats_commits_;
      stats_batches_ += static_cast<int64_t>(group->size());
      stats_last_ = static_cast<int64_t>(group->size());
      ++stats_histogram_[GroupBucket(static_cast<int64_t>(group->size()))];
    }
    for (size_t i = 0; i < group->size(); ++i) (*group)[i].done(std::move(results[i]));
    if (!notices.empty()) {
      std::lock_guard lock(listeners_mu_);
      for (const auto& [coll, n] : notices)
        for (const auto& l : listeners_) l(n);
    }
  }

  void Shutdown() {
    {
      std::lock_guard lock(queue_mu_);
      if (stopping_) return;
      stopping_ = true;
      queue_cv_.notify_all();
    }
    if (writer_thread_.joinable()) writer_thread_.join();
    std::lock_guard lock(readers_mu_);
    readers_.clear();
  }

  SqliteOptions options_;
  std::unique_ptr<Connection> writer_;  // writer thread only (and Init)
  int64_t last_date_added_ = 0;         // writer thread only

  std::mutex dir_mu_;
  std::unique_ptr<Connection> dir_conn_;  // GUARDED_BY(dir_mu_)

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<Connection>> readers_;  // GUARDED_BY(readers_mu_)

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;                              // GUARDED_BY(queue_mu_)
  std::deque<std::function<void(Connection*)>> jobs_;      // GUARDED_BY(queue_mu_)
  bool stopping_ = false;                                  // GUARDED_BY(queue_mu_)
  std::thread writer_thread_;

  std::mutex listeners_mu_;
  std::vector<CommitListener> listeners_;  // GUARDED_BY(listeners_mu_)

  std::atomic<int64_t> objects_{0};
  mutable std::mutex stats_mu_;
  int64_t stats_commits_ = 0, stats_batches_ = 0, stats_last_ = 0;  // GUARDED_BY(stats_mu_)
  std::vector<int64_t> stats_histogram_;                             // GUARDED_BY(stats_mu_)
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  if (options.path.empty()) return InvalidArgument("store path is empty");
  auto s = std::make_unique<SqliteStoreImpl>(options);
  RETURN_IF_ERROR(s->Init());
  return std::unique_ptr<Store>(std::move(s));
}

int SqliteSchemaVersion() { return kSchemaVersion; }

}  // namespace kizuna::store
