#pragma once
// The SQL statements the SqliteStore files share: those on a collection's
// objects table, which name it "{T}" (Sql() expands it), with the columns
// every object query reads, and the read of the state row.
//
// Internal to src/store/sqlite/sqlite_store*.cc.

#include <cstdint>
#include <string>
#include <string_view>

#include "store/sqlite/schema.h"

namespace kizuna::store::sqlite {

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
inline constexpr std::string_view kSelectScan = "SELECT " KIZUNA_OBJECT_COLUMNS
                                                " FROM {T} NOT INDEXED WHERE date_added>?1"
                                                " ORDER BY date_added";
inline constexpr std::string_view kSelectType =
    "SELECT " KIZUNA_OBJECT_COLUMNS
    " FROM {T} INDEXED BY {T}_type"
    " WHERE type=?1 AND date_added>?2 ORDER BY date_added";
inline constexpr std::string_view kSelectOne =
    "SELECT " KIZUNA_OBJECT_COLUMNS " FROM {T} WHERE date_added=?1";
inline constexpr std::string_view kSelectIdHashes =
    "SELECT id_hash, date_added FROM {T} INDEXED BY {T}_type";
inline constexpr std::string_view kUpdateFlags = "UPDATE {T} SET flags=?2 WHERE date_added=?1";
inline constexpr std::string_view kSelectVersion =
    "SELECT id, version, flags, producer, marking, audience, origin, type, spec_version FROM {T} "
    "WHERE date_added=?1";
inline constexpr std::string_view kSelectRaw = "SELECT raw FROM {T} WHERE date_added=?1";
inline constexpr std::string_view kSelectIdHashesAfter =
    "SELECT id_hash, date_added FROM {T} WHERE date_added>?1";
inline constexpr std::string_view kDeleteOne = "DELETE FROM {T} WHERE date_added=?1";
inline constexpr std::string_view kInsertObject =
    "INSERT INTO {T}(date_added, id_hash, version, flags, type,"
    " spec_version, id, marking, producer, audience, origin, raw)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
inline constexpr const char* kSelectState =
    "SELECT last_date_added, objects_gen, objects_del_gen, directory_gen FROM state WHERE one=1";

// `tmpl` with every "{T}" replaced by collection `coll`'s objects table.
inline std::string Sql(std::string_view tmpl, int64_t coll) {
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

}  // namespace kizuna::store::sqlite
