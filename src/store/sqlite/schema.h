#pragma once
// The SQLite store's schema and its versioned migrations.
//
// The schema version lives in PRAGMA user_version and the file is marked as
// a Kizuna store by PRAGMA application_id. Migrate() upgrades an older
// schema in one transaction and refuses a newer one, so an old binary never
// writes a database it does not understand.

#include <cstdint>
#include <string>

#include "core/status.h"

namespace kizuna::store::sqlite {

class Connection;

// The schema version this build writes.
inline constexpr int kSchemaVersion = 4;
// PRAGMA application_id of a Kizuna store: "KZNA".
inline constexpr int kApplicationId = 0x4B5A4E41;

// Flags of an object row.
inline constexpr int kFlagFirst = 1;        // earliest stored version of its id
inline constexpr int kFlagLast = 2;         // latest stored version of its id
inline constexpr int kFlagGranular = 4;     // carries granular_markings
inline constexpr int kFlagVersionless = 8;  // neither modified nor created: version is date_added
// Another version of the row's lineage differs in what decides who may see
// it (marking, audience or origin path): readers then take first/last among
// the versions they may see. Never cleared (a stale bit costs a lookup).
inline constexpr int kFlagPolicyVaries = 16;

// Objects are kept in one table per collection, so that paging a
// collection is a rowid (date_added) range scan touching only its rows and
// dropping a collection is a DROP TABLE. The name of collection `key`'s
// table, and the statements that create it and its index.
std::string ObjectsTable(int64_t collection);
std::string CollectionTablesDdl(int64_t collection);

// IoError when the file is not a Kizuna store (another application's
// database) or has a schema newer than kSchemaVersion. Reads only.
Status CheckSchema(Connection* conn);

// Creates or upgrades the schema of the database `conn` is open on.
// Objects are kept in one table per collection, so that paging a
// collection is a rowid (date_added) range scan touching only its rows and
// dropping a collection is a DROP TABLE. The name of collection `key`'s
// table, and the statements that create it and its index.
std::string ObjectsTable(int64_t collection);
std::string CollectionTablesDdl(int64_t collection);

// IoError when the file is not a Kizuna store or its schema version is newer
// than kSchemaVersion; the database is left untouched then.
// REQUIRES: no transaction is open on `conn`.
Status Migrate(Connection* conn);

}  // namespace kizuna::store::sqlite
