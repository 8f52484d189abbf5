// SQLite-specific behaviour of SqliteStore: the file format markers, WAL
// mode, several handles (processes) on one file, corruption detection.
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "store/sqlite/schema.h"

namespace kizuna::store {
namespace {

namespace fs = std::filesystem;

// Holds the store's WAL flushes while closed: commits made meanwhile stay
// unflushed (committed to the file, not yet acknowledged or visible).
class FlushGate {
 public:
  // The hook for SqliteOptions::before_flush_for_test.
  std::function<void()> Hook() {
    return [this] {
      std::unique_lock lock(mu_);
      held_ = hold_;
      cv_.notify_all();
      cv_.wait(lock, [&] { return !hold_; });
    };
  }
  void Close() {
    std::lock_guard lock(mu_);
    hold_ = true;
  }
  // Waits until a commit's flush is being held.
  void WaitHeld() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return held_; });
  }
  void Open() {
    {
      std::lock_guard lock(mu_);
      hold_ = false;
      held_ = false;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false, held_ = false;
};

class SqliteFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("kizuna-sqlite-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "hub.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `before_flush`: SqliteOptions::before_flush_for_test.
  std::unique_ptr<Store> Open(std::function<void()> before_flush = nullptr) {
    SqliteOptions o;
    o.path = path_;
    o.cache_mib = 8;
    o.before_flush_for_test = std::move(before_flush);
    auto s = OpenSqliteStore(o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }

  int64_t MakeCollection(Store* s) {
    EXPECT_TRUE(s->PutApiRoot(ApiRoot{"api", "API", "", 1 << 20}).ok());
    Collection c;
    c.id = "11111111-1111-4111-8111-111111111111";
    c.api_root = "api";
    auto put = s->PutCollection(c);
    EXPECT_TRUE(put.ok());
    return put.ok() ? put->key : 0;
  }

  // Runs a statement on a plain sqlite3 handle and returns the first column
  // of the first row as text.
  std::string Pragma(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK);
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }

  fs::path dir_;
  std::string path_;
};

NewObject Obj(int n, int64_t version) {
  NewObject o;
  char id[64];
  std::snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-%012d", n);
  o.id = id;
  o.type = "indicator";
  o.spec_version = "2.1";
  o.modified_us = version;
  o.raw = "{\"id\":\"" + o.id + "\",\"v\":" + std::to_string(version) + "}";
  return o;
}

WriteBatch Batch(int64_t coll, int from, int n, int64_t version = 1) {
  WriteBatch b;
  b.collection = coll;
  for (int i = from; i < from + n; ++i) b.objects.push_back(Obj(i, version));
  return b;
}

TEST_F(SqliteFileTest, MarksTheFileAndUsesWal) {
  { auto s = Open(); }
  EXPECT_EQ(Pragma("PRAGMA application_id"), std::to_string(sqlite::kApplicationId));
  EXPECT_EQ(Pragma("PRAGMA user_version"), std::to_string(SqliteSchemaVersion()));
  EXPECT_EQ(Pragma("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteFileTest, ForeignFileIsLeftUntouched) {
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  SqliteOptions o;
  o.path = path_;
  EXPECT_FALSE(OpenSqliteStore(o).ok());
  EXPECT_EQ(Pragma("PRAGMA journal_mode"), "delete") << "refused file was switched to WAL";
}

// Two handles on one file stand for two processes (a serving hub and
// `kizuna import`): each sees the other's objects by id, duplicates are
// recognised across them, and deletes on one are seen by the other.
TEST_F(SqliteFileTest, TwoHandlesOnOneFileStayConsistent) {
  auto hub = Open();
  int64_t coll = MakeCollection(hub.get());
  ASSERT_TRUE(hub->WriteSync(Batch(coll, 0, 10)).ok());
  auto import = Open();
  ASSERT_TRUE(import->WriteSync(Batch(coll, 100, 50)).ok());

  ObjectQuery q;
  q.collection = coll;
  q.ids = {Obj(120, 1).id, Obj(5, 1).id};
  auto page = hub->Query(q, std::nullopt);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->records.size(), 2u) << "the hub does not see the import's objects by id";

  // The same versions through the hub are duplicates; a new version is new.
  auto again = hub->WriteSync(Batch(coll, 100, 50));
  ASSERT_TRUE(again.ok());
  for (AddOutcome o : again->outcomes) EXPECT_EQ(o, AddOutcome::kDuplicate);
  auto newer = hub->WriteSync(Batch(coll, 100, 1, 2));
  ASSERT_TRUE(newer.ok());
  EXPECT_EQ(newer->outcomes[0], AddOutcome::kAdded);

  // date_added keeps increasing across both writers.
  auto last_import = import->WriteSync(Batch(coll, 200, 1));
  ASSERT_TRUE(last_import.ok());
  EXPECT_GT(last_import->date_added_us[0], newer->date_added_us[0]);

  // A delete through one handle is seen through the other.
  ASSERT_EQ(*import->DeleteObject(coll, Obj(5, 1).id, VersionFilter{}), 1);
  q.ids = {Obj(5, 1).id};
  EXPECT_TRUE(hub->Query(q, std::nullopt)->records.empty());
  EXPECT_EQ(hub->WriteSync(Batch(coll, 5, 1))->outcomes[0], AddOutcome::kAdded);
  EXPECT_EQ(*hub->CountObjects(coll), 10 + 50 + 1 + 1);
  EXPECT_EQ(*import->CountObjects(coll), 10 + 50 + 1 + 1);

  // Directory changes through one handle move the other's generation.
  int64_t g = *hub->DirectoryGeneration();
  ASSERT_TRUE(import->PutOrganization(Organization{"identity--x", "X", "JP", "isac", {}}).ok());
  EXPECT_GT(*hub->DirectoryGeneration(), g);
}

TEST_F(SqliteFileTest, ReopenRebuildsTheIdIndex) {
  int64_t coll;
  {
    auto s = Open();
    coll = MakeCollection(s.get());
    for (int b = 0; b < 20; ++b) ASSERT_TRUE(s->WriteSync(Batch(coll, b * 100, 100)).ok());
    ASSERT_EQ(*s->DeleteObject(coll, Obj(7, 1).id, VersionFilter{}), 1);
  }
  auto s = Open();
  auto again = s->WriteSync(Batch(coll, 0, 2000));
  ASSERT_TRUE(again.ok());
  int added = 0;
  for (AddOutcome o : again->outcomes) added += o == AddOutcome::kAdded;
  EXPECT_EQ(added, 1) << "only the deleted object is new";
  EXPECT_EQ(s->Stats().objects, 2000);
}

int Added(const Result<WriteResult>& r) {
  int n = 0;
  for (AddOutcome o : r->outcomes) n += o == AddOutcome::kAdded;
  return n;
}

// The id index is saved at close and loaded at the next open; rows added
// after the snapshot are caught up, and a snapshot made stale by a delete
// or damaged is not used.
TEST_F(SqliteFileTest, IdIndexSnapshotPaths) {
  int64_t coll;
  {
    auto s = Open();
    coll = MakeCollection(s.get());
    ASSERT_TRUE(s->WriteSync(Batch(coll, 0, 100)).ok());
  }  // snapshot written here
  EXPECT_EQ(Pragma("SELECT entries FROM id_snapshot_meta"), "100");
  {
    auto writer = Open();  // loads the snapshot
    ASSERT_TRUE(writer->WriteSync(Batch(coll, 100, 50)).ok());
    auto other = Open();  // snapshot (100) + catch-up (50)
    auto again = other->WriteSync(Batch(coll, 0, 150));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(Added(again), 0);
    // A delete makes the saved snapshot stale: the next handle rebuilds.
    ASSERT_EQ(*writer->DeleteObject(coll, Obj(3, 1).id, VersionFilter{}), 1);
    auto third = Open();
    auto after_delete = third->WriteSync(Batch(coll, 0, 150));
    ASSERT_TRUE(after_delete.ok());
    EXPECT_EQ(Added(after_delete), 1);  // only the deleted one
  }
  // Damage the snapshot: the next open must not trust it.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "UPDATE id_snapshot SET entries = substr(entries, 1, 40)", nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto s = Open();
  auto all = s->WriteSync(Batch(coll, 0, 151));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Added(all), 1);  // object 150 is new, the 150 others are known
  ObjectQuery q;
  q.collection = coll;
  q.ids = {Obj(42, 1).id, Obj(120, 1).id};
  EXPECT_EQ(s->Query(q, std::nullopt)->records.size(), 2u);
}

// Directory-only use (kizuna admin) never loads the id index, so it never
// rewrites the snapshot; warm_id_index loads it in the background while
// first requests may already run.
TEST_F(SqliteFileTest, IdIndexIsLoadedOnFirstUseOrWarmedUp) {
  int64_t coll;
  {
    auto s = Open();
    coll = MakeCollection(s.get());
    ASSERT_TRUE(s->WriteSync(Batch(coll, 0, 10)).ok());
  }
  ASSERT_EQ(Pragma("SELECT entries FROM id_snapshot_meta"), "10");
  {
    auto hub = Open();
    ASSERT_TRUE(hub->WriteSync(Batch(coll, 10, 5)).ok());
    {
      auto admin = Open();
      ASSERT_TRUE(admin->PutOrganization(Organization{"identity--a", "A", "US", "isac", {}}).ok());
    }
    EXPECT_EQ(Pragma("SELECT entries FROM id_snapshot_meta"), "10")
        << "a directory-only handle wrote an id-index snapshot";
  }
  EXPECT_EQ(Pragma("SELECT entries FROM id_snapshot_meta"), "15");
  for (int round = 0; round < 5; ++round) {
    SqliteOptions o;
    o.path = path_;
    o.warm_id_index = true;
    auto s = std::move(OpenSqliteStore(o).value());
    std::thread reader([&] {
      ObjectQuery q;
      q.collection = coll;
      q.ids = {Obj(3, 1).id, Obj(12, 1).id};
      auto p = s->Query(q, std::nullopt);
      ASSERT_TRUE(p.ok());
      EXPECT_EQ(p->records.size(), 2u);
    });
    auto again = s->WriteSync(Batch(coll, 0, 15));
    reader.join();
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(Added(again), 0);
  }
}

// Durable commits are flushed by a separate thread; until then neither
// readers nor listeners see them, and the writer is not called back.
TEST_F(SqliteFileTest, NothingIsSeenBeforeItIsFlushed) {
  FlushGate gate;
  auto s = Open(gate.Hook());
  ASSERT_NE(s, nullptr);
  int64_t coll = MakeCollection(s.get());
  ASSERT_TRUE(s->WriteSync(Batch(coll, 0, 3)).ok());
  std::atomic<int> notices{0};
  s->AddCommitListener([&](const CommitNotice&) { ++notices; });
  gate.Close();
  std::promise<Result<WriteResult>> done;
  s->Write(Batch(coll, 100, 5), [&](Result<WriteResult> r) { done.set_value(std::move(r)); });
  gate.WaitHeld();  // committed, its flush is being held
  auto future = done.get_future();
  EXPECT_EQ(future.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  EXPECT_EQ(notices.load(), 0);
  ObjectQuery q;
  q.collection = coll;
  EXPECT_EQ(s->Query(q, std::nullopt)->records.size(), 3u) << "an unflushed commit is visible";
  q.ids = {Obj(101, 1).id};
  EXPECT_TRUE(s->Query(q, std::nullopt)->records.empty());
  gate.Open();
  auto r = future.get();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(notices.load(), 1);
  EXPECT_EQ(s->Query(q, std::nullopt)->records.size(), 1u);
  q.ids.clear();
  EXPECT_EQ(s->Query(q, std::nullopt)->records.size(), 8u);
}

// A new version's commit clears the last (or first) flag of the version it
// supersedes; until the commit is flushed, readers still see that version
// as the last (first) one: an object never vanishes from a default query.
TEST_F(SqliteFileTest, ASupersededVersionStaysLastUntilItsSuccessorIsFlushed) {
  FlushGate gate;
  auto s = Open(gate.Hook());
  ASSERT_NE(s, nullptr);
  int64_t coll = MakeCollection(s.get());
  ASSERT_TRUE(s->WriteSync(Batch(coll, 0, 4, 10)).ok());
  gate.Close();
  // Objects 0 and 1 get a newer version, 2 an older one; 3 is untouched.
  WriteBatch b;
  b.collection = coll;
  b.objects = {Obj(0, 20), Obj(1, 20), Obj(2, 5)};
  std::promise<Result<WriteResult>> done;
  s->Write(std::move(b), [&](Result<WriteResult> r) { done.set_value(std::move(r)); });
  gate.WaitHeld();
  auto versions = [&](VersionFilter f, std::vector<std::string> ids = {}) {
    ObjectQuery q;
    q.collection = coll;
    q.versions = std::move(f);
    q.ids = std::move(ids);
    auto p = s->Query(q, std::nullopt);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    std::vector<std::pair<std::string, int64_t>> out;
    if (p.ok()) {
      for (const auto& r : p->records) out.emplace_back(r.id.substr(r.id.size() - 1), r.version_us);
    }
    return out;
  };
  using V = std::vector<std::pair<std::string, int64_t>>;
  const V before{{"0", 10}, {"1", 10}, {"2", 10}, {"3", 10}};
  EXPECT_EQ(versions({}), before) << "default (last) while the successors are unflushed";
  VersionFilter first;
  first.first = true;
  EXPECT_EQ(versions(first), before);
  VersionFilter all;
  all.all = true;
  EXPECT_EQ(versions(all), before);
  EXPECT_EQ(versions({}, {Obj(1, 0).id}), (V{{"1", 10}}));
  gate.Open();
  ASSERT_TRUE(done.get_future().get().ok());
  EXPECT_EQ(versions({}), (V{{"2", 10}, {"3", 10}, {"0", 20}, {"1", 20}}));
  EXPECT_EQ(versions(first), (V{{"0", 10}, {"1", 10}, {"3", 10}, {"2", 5}}));
}

TEST_F(SqliteFileTest, IntegrityCheckFindsACorruptPage) {
  int64_t coll = 0;
  {
    auto s = Open();
    coll = MakeCollection(s.get());
    for (int b = 0; b < 10; ++b) ASSERT_TRUE(s->WriteSync(Batch(coll, b * 100, 100)).ok());
    ASSERT_TRUE(s->CheckIntegrity().ok());
  }
  std::string page = Pragma("SELECT pageno FROM dbstat WHERE name='objects_" +
                            std::to_string(coll) + "' AND pagetype='leaf' LIMIT 1 OFFSET 5");
  ASSERT_FALSE(page.empty());
  std::string size = Pragma("PRAGMA page_size");
  {
    std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp((std::stoll(page) - 1) * std::stoll(size) + 8);
    std::string garbage(64, '\xff');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  SqliteOptions o;
  o.path = path_;
  auto s = OpenSqliteStore(o);
  ASSERT_TRUE(s.ok()) << "the id index is rebuilt from an index, not the damaged table";
  Status st = (*s)->CheckIntegrity();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kIoError);
}

// Objects live in one table per collection: many collections mean many
// prepared statements, which the per-connection cache evicts.
TEST_F(SqliteFileTest, ManyCollections) {
  SqliteOptions o;
  o.path = path_;
  o.durable = false;
  auto s = std::move(OpenSqliteStore(o).value());
  ASSERT_TRUE(s->PutApiRoot(ApiRoot{"api", "API", "", 1 << 20}).ok());
  std::vector<int64_t> keys;
  for (int i = 0; i < 300; ++i) {
    Collection c;
    char id[40];
    std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", i);
    c.id = id;
    c.api_root = "api";
    auto put = s->PutCollection(c);
    ASSERT_TRUE(put.ok()) << put.status().ToString();
    keys.push_back(put->key);
    ASSERT_TRUE(s->WriteSync(Batch(put->key, i, 2)).ok());
  }
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < keys.size(); ++i) {
      ObjectQuery q;
      q.collection = keys[i];
      auto all = s->Query(q, std::nullopt);
      ASSERT_TRUE(all.ok()) << all.status().ToString();
      ASSERT_EQ(all->records.size(), 2u);
      q.ids = {Obj(static_cast<int>(i), 1).id};
      ASSERT_EQ(s->Query(q, std::nullopt)->records.size(), 1u);
      q.ids.clear();
      q.types = {"indicator"};
      ASSERT_EQ(s->Query(q, std::nullopt)->records.size(), 2u);
    }
  }
  // A deleted collection reads as empty, and deletes in it remove nothing.
  ASSERT_TRUE(s->DeleteCollection(keys[7]).ok());
  ObjectQuery q;
  q.collection = keys[7];
  auto gone = s->Query(q, std::nullopt);
  ASSERT_TRUE(gone.ok()) << gone.status().ToString();
  EXPECT_TRUE(gone->records.empty());
  EXPECT_EQ(*s->DeleteObject(keys[7], Obj(7, 1).id, VersionFilter{}), 0);
  EXPECT_EQ(*s->CountObjects(std::nullopt), 598);
  EXPECT_TRUE(s->CheckIntegrity().ok());
}

TEST_F(SqliteFileTest, GroupSizesAreCounted) {
  auto s = Open();
  int64_t coll = MakeCollection(s.get());
  for (int b = 0; b < 3; ++b) ASSERT_TRUE(s->WriteSync(Batch(coll, b * 10, 10)).ok());
  StoreStats st = s->Stats();
  EXPECT_EQ(st.batches, 3);
  EXPECT_EQ(st.commits, 3);
  ASSERT_EQ(st.group_sizes_histogram.size(), 7u);
  EXPECT_EQ(st.group_sizes_histogram[0], 3);
  EXPECT_EQ(st.last_commit_batches, 1);
}

}  // namespace
}  // namespace kizuna::store
