// SqliteStore's directory and small records: commit listeners, cursors,
// status resources, API roots, collections (with their objects tables),
// organizations, trust groups, config records (peers, webhooks and other
// named settings), accounts, grants, tokens, and the directory and objects
// generations.
#include "store/sqlite/sqlite_store_internal.h"

#include <sqlite3.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
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
using sqlite::kSelectIdHashes;
using sqlite::LoadState;
using sqlite::SecureDelete;
using sqlite::Sql;
using sqlite::StateRow;

}  // namespace

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

Result<std::vector<RefusedMarking>> SqliteStore::FindRefusedMarkings(
    const std::vector<std::string>& ids) {
  std::vector<RefusedMarking> out;
  if (ids.empty()) return out;
  ASSIGN_OR_RETURN(ReaderLease conn, AcquireReader());
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT reason FROM refused_markings WHERE id=?1"));
    st->BindStatic(1, id);
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (row) out.push_back(RefusedMarking{id, std::string(st->Text(0))});
  }
  return out;
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

Status SqliteStore::UpdateConfigRecord(const ConfigRecord& r, const std::string& expected) {
  if (r.kind.empty() || r.name.empty()) return InvalidArgument("config record needs a kind and a name");
  // One statement in the writer's transaction (BEGIN IMMEDIATE holds the
  // database's write lock): no other writer, in any process, comes between
  // the comparison and the write.
  return RunWrite([&](Txn* t) -> Status {
    ASSIGN_OR_RETURN(auto st, writer_->Prepare("UPDATE config_records SET value=?3"
                                               " WHERE kind=?1 AND name=?2 AND value=?4"));
    st->BindStatic(1, r.kind);
    st->BindStatic(2, r.name);
    st->BindStatic(3, r.value);
    st->BindStatic(4, expected);
    RETURN_IF_ERROR(st->Run());
    if (sqlite3_changes(writer_->db()) == 1) {
      t->directory_changed = true;
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(auto exists,
                     writer_->Prepare("SELECT 1 FROM config_records WHERE kind=?1 AND name=?2"));
    exists->BindStatic(1, r.kind);
    exists->BindStatic(2, r.name);
    ASSIGN_OR_RETURN(bool row, exists->Step());
    if (!row) return NotFound("no " + r.kind + " '" + r.name + "'");
    return FailedPrecondition(r.kind + " '" + r.name + "' changed meanwhile");
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

}  // namespace kizuna::store
