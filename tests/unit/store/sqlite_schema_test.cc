// The SQLite backend's schema versions: a newer schema and a foreign
// database are refused; migrations bring older stores up to date.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <filesystem>
#include <set>
#include <string>

#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace kizuna::store {
namespace {

namespace fs = std::filesystem;

std::string Id(int n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "indicator--00000000-0000-4000-8000-%012d", n);
  return buf;
}

NewObject Obj(const std::string& id, int64_t modified) {
  NewObject o;
  o.id = id;
  o.type = "indicator";
  o.spec_version = "2.1";
  o.modified_us = modified;
  o.created_us = 1'000;
  o.raw = "{\"id\":\"" + id + "\",\"modified\":" + std::to_string(modified) + "}";
  o.marking = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
  o.producer = "identity--p";
  return o;
}

TEST(SqliteSchemaTest, RefusesANewerSchema) {
  fs::path dir = fs::temp_directory_path() / ("kizuna-schema-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  SqliteOptions o;
  o.path = (dir / "s.db").string();
  {
    auto s = OpenSqliteStore(o);
    ASSERT_TRUE(s.ok());
  }
  {
    sqlite3* db;
    ASSERT_EQ(sqlite3_open(o.path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto s = OpenSqliteStore(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), StatusCode::kIoError);
  EXPECT_NE(s.error().message().find("newer"), std::string::npos);
  fs::remove_all(dir);
}

// Schema 2 -> 3 marks the versions whose policy metadata differs, so that
// stores written before keep first/last among what each reader may see.
TEST(SqliteSchemaTest, MigrationMarksVersionsWhosePolicyDiffers) {
  fs::path dir = fs::temp_directory_path() / ("kizuna-migrate-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  SqliteOptions o;
  o.path = (dir / "s.db").string();
  const std::string kRed = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
  int64_t coll = 0;
  {
    auto s = OpenSqliteStore(o);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->PutApiRoot(ApiRoot{"api1", "API", "", 1 << 20}).ok());
    Collection c;
    c.id = "11111111-1111-4111-8111-111111111111";
    c.api_root = "api1";
    auto put = (*s)->PutCollection(c);
    ASSERT_TRUE(put.ok());
    coll = put->key;
    WriteBatch b;
    b.collection = coll;
    b.objects = {Obj(Id(1), 100), Obj(Id(1), 200), Obj(Id(2), 100), Obj(Id(2), 200)};
    b.objects[1].marking = kRed;
    ASSERT_TRUE((*s)->WriteSync(std::move(b)).ok());
  }
  {
    // As a schema 2 store left it: no bit, no record of refused markings.
    sqlite3* db;
    ASSERT_EQ(sqlite3_open(o.path.c_str(), &db), SQLITE_OK);
    const std::string sql = "UPDATE objects_" + std::to_string(coll) +
                            " SET flags = flags & ~16; DROP TABLE refused_markings;"
                            " PRAGMA user_version = 2";
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto s = OpenSqliteStore(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ObjectQuery q;
  q.collection = coll;
  q.visible = [&](const ObjectRecord& r) { return r.marking != kRed; };
  auto page = (*s)->Query(q, std::nullopt);
  ASSERT_TRUE(page.ok());
  std::set<std::string> got;
  for (const auto& r : page->records) got.insert(r.id + "@" + std::to_string(r.version_us));
  EXPECT_EQ(got, (std::set<std::string>{Id(1) + "@100", Id(2) + "@200"}));
  // Schema 4's record of refused marking definitions is there too.
  EXPECT_TRUE((*s)->FindRefusedMarkings({"marking-definition--x"}).ok());
  s->reset();
  fs::remove_all(dir);
}

TEST(SqliteSchemaTest, RefusesAForeignDatabase) {
  fs::path dir = fs::temp_directory_path() / ("kizuna-foreign-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "f.db").string();
  sqlite3* db;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  SqliteOptions o;
  o.path = path;
  auto s = OpenSqliteStore(o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("not a Kizuna database"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kizuna::store
