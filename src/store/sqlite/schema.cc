#include "store/sqlite/schema.h"

#include <string>
#include <vector>

#include "store/sqlite/sqlite_db.h"

namespace kizuna::store::sqlite {
namespace {

// kMigrations[i] brings a database from schema version i to i + 1. Never
// edit a released migration; append a new one.
constexpr const char* kMigrations[] = {
    // 0 -> 1: the first schema.
    R"sql(
-- One row of store-wide counters. objects_gen changes with every commit
-- that adds or removes object rows, objects_del_gen with every commit that
-- removes some (other processes' in-memory id indexes resynchronise on
-- them), directory_gen with every directory change. last_date_added is the
-- largest date_added ever assigned, so date_added never goes backwards even
-- after the newest object is deleted.
CREATE TABLE state(
  one INTEGER PRIMARY KEY CHECK (one = 1),
  last_date_added INTEGER NOT NULL,
  objects_gen INTEGER NOT NULL,
  objects_del_gen INTEGER NOT NULL,
  directory_gen INTEGER NOT NULL);
INSERT INTO state VALUES (1, 0, 0, 0, 0);

-- A copy of the in-memory id index written at clean close: (key, date_added)
-- pairs, 16 bytes each, little-endian, in parts. The next open reads it
-- sequentially instead of rebuilding the index from every collection's
-- type index, when no object was deleted since (objects_del_gen).
CREATE TABLE id_snapshot_meta(
  one INTEGER PRIMARY KEY CHECK (one = 1),
  objects_gen INTEGER NOT NULL,
  objects_del_gen INTEGER NOT NULL,
  max_date_added INTEGER NOT NULL,
  entries INTEGER NOT NULL);
CREATE TABLE id_snapshot(part INTEGER PRIMARY KEY, entries BLOB NOT NULL);

-- Objects live in one table per collection, objects_<collection key>
-- (CollectionTablesDdl): see schema.h.

CREATE TABLE counts(coll INTEGER PRIMARY KEY, objects INTEGER NOT NULL);

CREATE TABLE statuses(
  seq INTEGER PRIMARY KEY,
  api_root TEXT NOT NULL,
  id TEXT NOT NULL,
  owner INTEGER NOT NULL,
  request_timestamp INTEGER NOT NULL,
  status TEXT NOT NULL,
  details TEXT NOT NULL);
CREATE UNIQUE INDEX statuses_id ON statuses(id, api_root);

CREATE TABLE cursors(name TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE api_roots(
  name TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  max_content_length INTEGER NOT NULL);

-- AUTOINCREMENT: a deleted collection's key is never reused.
CREATE TABLE collections(
  key INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  api_root TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  alias TEXT NOT NULL,
  default_marking TEXT NOT NULL,
  trust_group TEXT NOT NULL,
  UNIQUE (api_root, id));
CREATE UNIQUE INDEX collections_alias ON collections(api_root, alias) WHERE alias <> '';

CREATE TABLE organizations(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  nation TEXT NOT NULL,
  kind TEXT NOT NULL,
  sectors TEXT NOT NULL,
  clients TEXT NOT NULL,
  home_hub TEXT NOT NULL);

-- Trust groups: named communities of organizations; members as a JSON array.
CREATE TABLE trust_groups(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  members TEXT NOT NULL);

CREATE TABLE accounts(
  key INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT NOT NULL UNIQUE,
  organization TEXT NOT NULL,
  roles TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL);

CREATE TABLE grants(
  account INTEGER NOT NULL,
  collection INTEGER NOT NULL,
  can_read INTEGER NOT NULL,
  can_write INTEGER NOT NULL,
  PRIMARY KEY (account, collection)) WITHOUT ROWID;
CREATE INDEX grants_collection ON grants(collection);

CREATE TABLE tokens(
  id TEXT PRIMARY KEY,
  account INTEGER NOT NULL,
  secret_hash TEXT NOT NULL,
  label TEXT NOT NULL,
  created INTEGER NOT NULL,
  expires INTEGER);
CREATE INDEX tokens_account ON tokens(account);
)sql",
    // 1 -> 2: configuration records of federation and channels (peer hubs,
    // webhooks), one opaque value per (kind, name).
    R"sql(
CREATE TABLE config_records(
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (kind, name)) WITHOUT ROWID;
)sql",
    // 2 -> 3: kFlagPolicyVaries on the versions of a lineage that differ in
    // marking, audience or origin (per-collection tables: see
    // MarkPolicyVaries below).
    "",
    // 3 -> 4: marking definitions refused as TLP look-alikes (lower-case
    // ids), so that later references to them are refused too.
    R"sql(
CREATE TABLE refused_markings(
  id TEXT PRIMARY KEY,
  reason TEXT NOT NULL,
  refused_at INTEGER NOT NULL) WITHOUT ROWID;
)sql",
};

// 2 -> 3, per collection table: the rows of ids with several versions are
// copied to a temporary table with an index on id_hash, and every row with
// another version of its lineage (same id and producer) that differs in
// marking, audience or origin gets kFlagPolicyVaries.
Status MarkPolicyVaries(Connection* conn) {
  std::vector<int64_t> keys;
  {
    ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT key FROM collections"));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      keys.push_back(st->Int64(0));
    }
  }
  for (int64_t key : keys) {
    const std::string t = ObjectsTable(key);
    RETURN_IF_ERROR(conn->Exec(
        "CREATE TEMP TABLE kz_mv AS SELECT date_added, id_hash, id, producer, marking, audience, "
        "origin FROM " + t + " WHERE id_hash IN (SELECT id_hash FROM " + t +
        " GROUP BY id_hash HAVING count(*) > 1);"
        "CREATE INDEX temp.kz_mv_hash ON kz_mv(id_hash);"
        "UPDATE " + t + " SET flags = flags | " + std::to_string(kFlagPolicyVaries) +
        " WHERE date_added IN (SELECT a.date_added FROM kz_mv a JOIN kz_mv b"
        " ON a.id_hash = b.id_hash AND a.id = b.id AND a.producer = b.producer"
        " AND a.date_added != b.date_added"
        " AND (a.marking != b.marking OR a.audience != b.audience OR a.origin != b.origin));"
        "DROP TABLE temp.kz_mv;"));
  }
  return Status::Ok();
}

static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kSchemaVersion,
              "one migration per schema version");

Result<int64_t> CheckedVersion(Connection* conn) {
  ASSIGN_OR_RETURN(auto app_id, conn->QueryInt("PRAGMA application_id"));
  ASSIGN_OR_RETURN(auto version, conn->QueryInt("PRAGMA user_version"));
  ASSIGN_OR_RETURN(auto tables, conn->QueryInt("SELECT count(*) FROM sqlite_schema"));
  int64_t v = version.value_or(0);
  if (app_id.value_or(0) != kApplicationId &&
      (app_id.value_or(0) != 0 || tables.value_or(0) != 0)) {
    return IoError("'" + conn->path() + "' is not a Kizuna database");
  }
  if (v > kSchemaVersion) {
    return IoError("'" + conn->path() + "' has store schema version " + std::to_string(v) +
                   ", newer than this build supports (" + std::to_string(kSchemaVersion) +
                   "); use a newer Kizuna");
  }
  return v;
}

}  // namespace

std::string ObjectsTable(int64_t collection) { return "objects_" + std::to_string(collection); }

std::string CollectionTablesDdl(int64_t collection) {
  const std::string t = ObjectsTable(collection);
  // The rowid IS date_added (microseconds, strictly increasing across the
  // store), so inserts append and added_after paging is a rowid range scan
  // of this collection alone. raw is last: reading metadata never touches
  // its overflow pages. The one index serves match[type] (one date_added
  // ordered range per type) and, covering (date_added, id_hash), the
  // rebuild of the in-memory id index at open; it grows at the end of each
  // type's range.
  return "CREATE TABLE " + t +
         "(\n"
         "  date_added INTEGER PRIMARY KEY,\n"
         "  id_hash INTEGER NOT NULL,\n"
         "  version INTEGER NOT NULL,\n"
         "  flags INTEGER NOT NULL,\n"
         "  type TEXT NOT NULL,\n"
         "  spec_version TEXT NOT NULL,\n"
         "  id TEXT NOT NULL,\n"
         "  marking TEXT NOT NULL,\n"
         "  producer TEXT NOT NULL,\n"
         "  audience TEXT NOT NULL,\n"
         "  origin TEXT NOT NULL,\n"
         "  raw BLOB NOT NULL);\n"
         "CREATE INDEX " +
         t + "_type ON " + t + "(type, date_added, id_hash);\n";
}

Status CheckSchema(Connection* conn) { return CheckedVersion(conn).status(); }

Status Migrate(Connection* conn) {
  Transaction txn(conn);
  // IMMEDIATE: two processes opening a new file must not both create it.
  RETURN_IF_ERROR(txn.Begin(true));
  ASSIGN_OR_RETURN(int64_t v, CheckedVersion(conn));
  if (v == kSchemaVersion) return txn.Commit();
  for (int64_t i = v; i < kSchemaVersion; ++i) {
    Status s = conn->Exec(kMigrations[i]);
    if (s.ok() && i == 2) s = MarkPolicyVaries(conn);
    if (!s.ok()) return s.WithContext("store schema migration " + std::to_string(i + 1));
  }
  RETURN_IF_ERROR(conn->Exec("PRAGMA application_id=" + std::to_string(kApplicationId) +
                             ";PRAGMA user_version=" + std::to_string(kSchemaVersion)));
  return txn.Commit();
}

}  // namespace kizuna::store::sqlite
