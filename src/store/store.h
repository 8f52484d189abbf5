#pragma once
// Store: the durable home of a hub's objects, status resources and directory
// (API roots, collections, organizations, accounts, grants, tokens).
//
// Contract (every backend):
//  - Each object version is kept byte-exact as received, with indexed
//    metadata. A version is (collection, id, version) where version is the
//    object's modified time (else created, else date_added), in microseconds.
//  - date_added is server time in microseconds, strictly increasing across
//    the whole store (so strictly increasing per collection), assigned in
//    commit order: a reader never sees a later date_added before an earlier one.
//  - Re-adding an existing version is idempotent: it is reported as a
//    duplicate (with the stored copy's date_added) and changes nothing.
//    Objects with neither modified nor created (SCOs, STIX 2.1 section 6)
//    have no version of their own: re-adding the same bytes is a duplicate,
//    other bytes under the same id are a new version whose version is its
//    date_added (rather than "same id = same version": a corrected copy of
//    an observable is kept, not silently dropped).
//  - Write() calls back only after the write is durably committed (or failed
//    as a whole: nothing of a failed batch is visible). Concurrent writes are
//    grouped into shared commits.
//  - Readers see only durably committed versions, and first/last are taken
//    among the versions they see: while a new version's commit is being
//    flushed, the version it supersedes is still the last one (an object
//    never vanishes from a default query in between).
//  - Thread-safe: every method may be called from any thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace kizuna::store {

// ---- objects ---------------------------------------------------------------

struct NewObject {
  std::string id;
  std::string type;
  std::string spec_version;
  std::optional<int64_t> modified_us;  // the version when present
  std::optional<int64_t> created_us;   // else this
  std::string raw;                     // exact bytes as received
  std::string marking;                 // effective marking id ("" = collection default)
  std::string producer;                // producer organization id ("" = unknown)
  std::string audience;                // space-separated organization/account ids ("" = none)
  std::string origin;                  // name of the hub that first published it ("" = this hub)
  bool granular = false;               // carries granular_markings (readers may need a rewrite)
};

struct ObjectRecord {
  std::string id;
  std::string type;
  std::string spec_version;
  int64_t version_us = 0;
  int64_t date_added_us = 0;
  std::string marking;
  std::string producer;
  std::string audience;
  std::string origin;
  bool granular = false;
  bool is_first = false;  // the earliest stored version of its id
  bool is_last = false;   // the latest stored version of its id
  std::string raw;  // empty when the query asked for metadata only
};

// TAXII 2.1 match[version]: any combination of first, last, all and exact
// version timestamps. Empty (no flag, no timestamp) means "last".
// First and last are per lineage: the versions of an id that one producer
// (organization) posted. Another organization posting the same id (the same
// deterministic SCO id, or a copy of an object) starts a lineage of its own
// and never shadows, replaces or duplicates-away the first one's versions.
struct VersionFilter {
  bool first = false;
  bool last = false;
  bool all = false;
  std::vector<int64_t> versions_us;
  // Exact rows by date_added (DeleteObject: delete exactly what the caller
  // selected and may see). When non-empty the other fields are ignored.
  std::vector<int64_t> rows_us;
  bool IsDefault() const {
    return !first && !last && !all && versions_us.empty() && rows_us.empty();
  }
};

struct ObjectQuery {
  int64_t collection = 0;
  std::optional<int64_t> added_after_us;  // exclusive lower bound on date_added
  std::vector<std::string> ids;           // match[id]; empty = any
  // Optional, parallel to `ids`: per id, an exclusive lower bound on the
  // date_added of the versions offered (a reader that knows where an id's
  // latest version was looks only from there; 0 or absent = no bound).
  // First and last are still taken among every version of the id, so a
  // version below the bound still makes an older one not the last.
  std::vector<int64_t> ids_added_after;
  std::vector<std::string> types;         // match[type]; empty = any
  std::vector<std::string> spec_versions; // match[spec_version]; empty = any
  VersionFilter versions;
  int limit = 100;                        // REQUIRES: 1 <= limit
  bool with_raw = true;                   // false for manifests
  // Optional visibility predicate (the policy decision point), called with a
  // record whose metadata is filled and whose raw is empty, from the calling
  // thread. Records it rejects are skipped and do not count towards `limit`;
  // the store keeps scanning in the same statement (no short pages, no
  // per-object round trips). `more` means another *visible* record follows.
  // First and last (match[version] first/last, the default) are taken among
  // the versions it accepts: a version the reader may not see neither shows
  // nor hides another. It must be pure: it may be called more than once per
  // record, and for versions of an id that are not offered (to find the
  // first/last visible one).
  std::function<bool(const ObjectRecord&)> visible;
  // Optional filter of the caller's own (a subscription's markings), applied
  // before `visible` to the records offered: it narrows the page, does not
  // take part in first/last, and what it rejects is not counted as hidden.
  std::function<bool(const ObjectRecord&)> wanted;
};

struct ObjectPage {
  std::vector<ObjectRecord> records;  // in date_added order
  bool more = false;                  // more records match after the last one
  // Records that matched the filters but `visible` rejected.
  int64_t hidden = 0;
  // The highest date_added offered to `wanted`/`visible` (accepted or not;
  // 0 = none): a cursor may skip to it when nothing follows.
  int64_t scanned_us = 0;
};

// ---- status ----------------------------------------------------------------

struct StatusDetail {
  std::string id;
  std::string version;  // RFC 3339 text as in the object
  std::string message;  // failures only
};

struct StatusRecord {
  std::string id;        // UUIDv4
  std::string api_root;
  int64_t owner_account = 0;  // the account that made the request (0 = none)
  int64_t request_timestamp_us = 0;
  std::string status;    // "complete" or "pending"
  std::vector<StatusDetail> successes, failures, pendings;
};

// ---- directory ---------------------------------------------------------------

struct ApiRoot {
  std::string name;  // URL path segment
  std::string title;
  std::string description;
  int64_t max_content_length = 10 * 1024 * 1024;
};

struct Collection {
  int64_t key = 0;    // internal key
  std::string id;     // TAXII collection id (UUID)
  std::string api_root;
  std::string title;
  std::string description;
  std::string alias;
  std::string default_marking;  // marking-definition id
  std::string trust_group;      // TrustGroup::id; "" = none
};

struct Organization {
  std::string id;  // identity--UUID
  std::string name;
  std::string nation;  // ISO 3166 alpha-2
  std::string kind;    // government, isac, operator, vendor, academia
  std::vector<std::string> sectors;
  std::vector<std::string> clients;  // client organization ids (an ISAC's members, ...)
  std::string home_hub;              // "" = this hub; else the partner hub it is homed on
};

// A named community of organizations (on any hub); each collection belongs
// to one.
struct TrustGroup {
  std::string id;  // short name used in URLs and the CLI, e.g. "us-jp-energy"
  std::string name;
  std::string description;
  std::vector<std::string> members;  // organization ids
};

struct Account {
  int64_t key = 0;
  std::string username;
  std::string organization;  // Organization::id
  std::vector<std::string> roles;
  std::string password_hash;  // argon2id encoded string; "" = no password login
  bool disabled = false;
};

struct Grant {
  int64_t account = 0;
  int64_t collection = 0;
  bool can_read = false;
  bool can_write = false;
};

struct Token {
  std::string id;      // public part, looked up
  int64_t account = 0;
  std::string secret_hash;  // argon2id of the secret part
  std::string label;
  int64_t created_us = 0;
  std::optional<int64_t> expires_us;
};

// ---- writes ----------------------------------------------------------------

enum class AddOutcome { kAdded, kDuplicate };

// A named cursor (federation: per peer and collection) written in the same
// commit as the objects it brought, so a crash never loses or repeats work.
struct CursorUpdate {
  std::string name;
  std::string value;
};

// A marking definition the hub refused at ingest because it imitates TLP
// under a non-OASIS id (docs/policy.md): recorded so that objects that
// reference it in later requests are refused too. Store-wide, never removed.
struct RefusedMarking {
  std::string id;      // the marking-definition id, in lower case
  std::string reason;  // which TLP form it imitated, in words (no producer text)
};

struct WriteBatch {
  int64_t collection = 0;
  std::vector<NewObject> objects;
  std::optional<StatusRecord> status;  // stored in the same commit
  std::optional<CursorUpdate> cursor;  // stored in the same commit
  // Recorded in the same commit; an id already recorded keeps its first reason.
  std::vector<RefusedMarking> refused_markings;
};

// Sent to commit listeners after each durable commit that added objects.
struct CommitNotice {
  int64_t collection = 0;
  int64_t first_date_added_us = 0;  // of the objects this commit added to the collection
  int64_t last_date_added_us = 0;
  int64_t added = 0;
};
using CommitListener = std::function<void(const CommitNotice&)>;

struct WriteResult {
  std::vector<AddOutcome> outcomes;        // one per WriteBatch::objects
  std::vector<int64_t> date_added_us;      // one per object (existing one's for duplicates)
};

using WriteCallback = std::function<void(Result<WriteResult>)>;

// ---- federation and channels (issue 5) ---------------------------------------
// Named configuration records of the federation and channel subsystems (peer
// hubs, webhooks): an opaque text value (JSON, encoded and validated by its
// owner) under (kind, name). Kept apart from the directory tables so that a
// backend ports them as one small key-value table.
struct ConfigRecord {
  std::string kind;   // "peer", "webhook"
  std::string name;   // unique within the kind
  std::string value;  // the owner's encoding
};

// See Store::ObjectsVersion. Equal values: nothing a query returns changed.
struct ObjectsVersionValue {
  int64_t generation = 0;  // moves with every commit that adds or removes objects
  int64_t visible = 0;     // the durability bound on what readers see
  bool operator==(const ObjectsVersionValue&) const = default;
};

struct StoreStats {
  int64_t objects = 0;
  int64_t commits = 0;
  int64_t batches = 0;             // WriteBatches committed
  int64_t last_commit_batches = 0; // batches in the most recent group commit
  std::vector<int64_t> group_sizes_histogram;  // commits by batches-per-commit bucket: 1,2,4,8,16,32,64+
};

class Store {
 public:
  virtual ~Store() = default;

  // Objects. Write calls `done` from a store thread after the commit.
  virtual void Write(WriteBatch batch, WriteCallback done) = 0;
  // Blocking convenience over Write().
  Result<WriteResult> WriteSync(WriteBatch batch);
  // REQUIRES: query.limit >= 1. `after_cursor` continues a previous page
  // (the last record's date_added).
  virtual Result<ObjectPage> Query(const ObjectQuery& query,
                                   std::optional<int64_t> after_cursor) = 0;
  // Deletes the versions of `id` selected by `versions` (default: all, per
  // TAXII 2.1 delete semantics). Returns how many versions were removed.
  virtual Result<int64_t> DeleteObject(int64_t collection, const std::string& id,
                                       const VersionFilter& versions) = 0;
  virtual Result<int64_t> CountObjects(std::optional<int64_t> collection) = 0;
  // Called from a store thread after every durable commit that added
  // objects, one notice per collection touched, before the commit's Write
  // callbacks run; must not block, and must not wait on another store write
  // (it would wait for its own thread). Add before serving.
  virtual void AddCommitListener(CommitListener listener) = 0;
  // Cursors stored with WriteBatch::cursor (or PutCursor). nullopt if unset.
  virtual Result<std::optional<std::string>> GetCursor(const std::string& name) = 0;
  virtual Status PutCursor(const CursorUpdate& cursor) = 0;

  // The records (WriteBatch::refused_markings) of those of `ids` (lower
  // case) that were refused, in any order.
  virtual Result<std::vector<RefusedMarking>> FindRefusedMarkings(
      const std::vector<std::string>& ids) = 0;

  virtual Result<std::optional<StatusRecord>> GetStatus(const std::string& api_root,
                                                        const std::string& id) = 0;

  // Directory.
  virtual Status PutApiRoot(const ApiRoot& root) = 0;  // insert or replace by name
  virtual Result<std::vector<ApiRoot>> ListApiRoots() = 0;
  // Inserts (key == 0) or updates by key; returns the stored collection
  // with its key. NotFound if the API root (or, on update, the key) does not
  // exist; AlreadyExists if the id or alias is taken in the API root.
  virtual Result<Collection> PutCollection(const Collection& c) = 0;
  virtual Result<std::vector<Collection>> ListCollections(const std::string& api_root) = 0;
  // Removes the collection, its objects and its grants. NotFound if absent.
  virtual Status DeleteCollection(int64_t key) = 0;
  virtual Result<std::optional<Collection>> FindCollection(const std::string& api_root,
                                                           const std::string& id_or_alias) = 0;
  virtual Status PutOrganization(const Organization& org) = 0;  // insert or replace by id
  virtual Result<std::vector<Organization>> ListOrganizations() = 0;
  virtual Status PutTrustGroup(const TrustGroup& group) = 0;  // insert or replace by id
  virtual Result<std::vector<TrustGroup>> ListTrustGroups() = 0;
  virtual Status DeleteTrustGroup(const std::string& id) = 0;  // NotFound if absent
  // Inserts (key == 0; AlreadyExists if the username is taken) or updates by
  // key. Returns the stored account with its key.
  virtual Result<Account> PutAccount(const Account& account) = 0;
  virtual Result<std::optional<Account>> FindAccount(const std::string& username) = 0;
  virtual Result<std::optional<Account>> FindAccountByKey(int64_t key) = 0;
  virtual Result<std::vector<Account>> ListAccounts() = 0;
  // Both false removes it. NotFound if the account or collection does not exist.
  virtual Status PutGrant(const Grant& grant) = 0;
  virtual Result<std::vector<Grant>> ListGrants(std::optional<int64_t> account) = 0;
  // Insert or replace by id. NotFound if the account does not exist.
  virtual Status PutToken(const Token& token) = 0;
  virtual Result<std::optional<Token>> FindToken(const std::string& id) = 0;
  virtual Status DeleteToken(const std::string& id) = 0;  // NotFound if absent
  virtual Result<std::vector<Token>> ListTokens(std::optional<int64_t> account) = 0;
  // A counter that changes whenever the directory changes (any process), so
  // caches of accounts and grants can tell when to reload.
  virtual Result<int64_t> DirectoryGeneration() = 0;
  // An opaque value that changes whenever what a query could return changes
  // (objects added or removed by any process, or commits becoming durable
  // and so visible), for caches of query results: a result computed after
  // reading version V is at least as new as any state that still reads V.
  // FailedPrecondition when the backend cannot tell (callers do not cache).
  virtual Result<ObjectsVersionValue> ObjectsVersion() {
    return FailedPrecondition("this store does not report an objects version");
  }

  // ---- federation and channels (issue 5) ----
  // Inserts or replaces the record (kind, name). Moves the directory
  // generation, so running hubs notice the change.
  virtual Status PutConfigRecord(const ConfigRecord& record) = 0;
  // Replaces the value of the existing record (record.kind, record.name) with
  // record.value only if its value is `expected` now: a compare-and-swap,
  // atomic with respect to every writer of the store (in this process or
  // another). It never creates a record, so a read-modify-write (a webhook
  // suspending itself, `webhook resume`) cannot put back a record that was
  // removed meanwhile, nor overwrite a change it did not see. NotFound when
  // there is no such record; FailedPrecondition when its value differs
  // (nothing is written in either case). Moves the directory generation when
  // it writes.
  virtual Status UpdateConfigRecord(const ConfigRecord& record, const std::string& expected) = 0;
  // Every record of `kind`, ordered by name.
  virtual Result<std::vector<ConfigRecord>> ListConfigRecords(const std::string& kind) = 0;
  // Removes the record; NotFound if absent. Moves the directory generation.
  virtual Status DeleteConfigRecord(const std::string& kind, const std::string& name) = 0;

  virtual StoreStats Stats() const = 0;
  // Liveness of the backend: OK when a trivial read succeeds.
  virtual Status Ping() = 0;
  // Runs the backend's integrity check (PRAGMA integrity_check for SQLite).
  virtual Status CheckIntegrity() = 0;
};

// 64-bit hash of an object id, used by backends for compact indexes.
int64_t IdHash(std::string_view id);

}  // namespace kizuna::store
