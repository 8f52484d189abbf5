// The Store contract, run against every backend (TEST_P over a factory):
// today SQLite on real files; a PostgreSQL backend joins the same suite.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace kizuna::store {
namespace {

namespace fs = std::filesystem;

class ManualClock final : public Clock {
 public:
  int64_t NowMicros() const override { return now.load(); }
  mutable std::atomic<int64_t> now{1'700'000'000'000'000};
};

struct Backend {
  std::string name;
  // Opens (or reopens) the backend's store at `dir`.
  std::function<Result<std::unique_ptr<Store>>(const fs::path& dir, const Clock* clock)> open;
};

std::vector<Backend> Backends() {
  return {{"sqlite", [](const fs::path& dir, const Clock* clock) {
             SqliteOptions o;
             o.path = (dir / "store.db").string();
             o.durable = true;
             o.cache_mib = 16;
             o.clock = clock;
             return OpenSqliteStore(o);
           }}};
}

std::string Id(int n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "indicator--00000000-0000-4000-8000-%012d", n);
  return buf;
}

NewObject Obj(const std::string& id, int64_t modified, const std::string& type = "indicator") {
  NewObject o;
  o.id = id;
  o.type = type;
  o.spec_version = "2.1";
  o.modified_us = modified;
  o.created_us = 1'000;
  o.raw = "{\"id\":\"" + id + "\",\"modified\":" + std::to_string(modified) + "}";
  o.marking = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
  o.producer = "identity--p";
  return o;
}

class StoreContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("kizuna-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Reopen();
    ASSERT_TRUE(store_->PutApiRoot(ApiRoot{"api1", "API", "", 1 << 20}).ok());
    Collection c;
    c.id = "11111111-1111-4111-8111-111111111111";
    c.api_root = "api1";
    c.title = "one";
    auto put = store_->PutCollection(c);
    ASSERT_TRUE(put.ok()) << put.status().ToString();
    coll_ = put->key;
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    auto s = GetParam().open(dir_, &clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  WriteResult Write(std::vector<NewObject> objs, int64_t coll = 0) {
    WriteBatch b;
    b.collection = coll ? coll : coll_;
    b.objects = std::move(objs);
    auto r = store_->WriteSync(std::move(b));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : WriteResult{};
  }
  ObjectPage Query(ObjectQuery q, std::optional<int64_t> cursor = std::nullopt) {
    if (q.collection == 0) q.collection = coll_;
    auto r = store_->Query(q, cursor);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ObjectPage{};
  }
  // Every record matching q, following the cursor page by page.
  std::vector<ObjectRecord> All(ObjectQuery q, int* pages = nullptr) {
    std::vector<ObjectRecord> out;
    std::optional<int64_t> cursor;
    int n = 0;
    for (;;) {
      ObjectPage p = Query(q, cursor);
      ++n;
      if (p.more) {
        EXPECT_FALSE(p.records.empty()) << "more=true on an empty page";
      }
      EXPECT_LE(static_cast<int>(p.records.size()), q.limit);
      out.insert(out.end(), p.records.begin(), p.records.end());
      if (!p.more || p.records.empty()) break;
      cursor = p.records.back().date_added_us;
    }
    if (pages) *pages = n;
    return out;
  }

  fs::path dir_;
  ManualClock clock_;
  std::unique_ptr<Store> store_;
  int64_t coll_ = 0;
};

TEST_P(StoreContractTest, StoresBytesExactlyAndIndexesMetadata) {
  NewObject o = Obj(Id(1), 5'000);
  o.raw = "{ \"weird\" :  \"spacing\\u0041\" }";
  o.audience = "identity--a identity--b";
  o.origin = "jp-hub";
  o.granular = true;
  Write({o});
  ObjectQuery q;
  auto page = Query(q);
  ASSERT_EQ(page.records.size(), 1u);
  const ObjectRecord& r = page.records[0];
  EXPECT_EQ(r.raw, o.raw);
  EXPECT_EQ(r.id, Id(1));
  EXPECT_EQ(r.type, "indicator");
  EXPECT_EQ(r.spec_version, "2.1");
  EXPECT_EQ(r.version_us, 5'000);
  EXPECT_EQ(r.marking, o.marking);
  EXPECT_EQ(r.producer, "identity--p");
  EXPECT_EQ(r.audience, "identity--a identity--b");
  EXPECT_EQ(r.origin, "jp-hub");
  EXPECT_TRUE(r.granular);
  EXPECT_TRUE(r.is_first);
  EXPECT_TRUE(r.is_last);
  q.with_raw = false;
  EXPECT_TRUE(Query(q).records[0].raw.empty());
}

TEST_P(StoreContractTest, SameVersionIsIdempotent) {
  auto a = Write({Obj(Id(1), 10), Obj(Id(1), 10)});
  ASSERT_EQ(a.outcomes.size(), 2u);
  EXPECT_EQ(a.outcomes[0], AddOutcome::kAdded);
  EXPECT_EQ(a.outcomes[1], AddOutcome::kDuplicate);
  EXPECT_EQ(a.date_added_us[0], a.date_added_us[1]);
  auto b = Write({Obj(Id(1), 10)});
  EXPECT_EQ(b.outcomes[0], AddOutcome::kDuplicate);
  EXPECT_EQ(b.date_added_us[0], a.date_added_us[0]);
  EXPECT_EQ(*store_->CountObjects(coll_), 1);
  EXPECT_EQ(*store_->CountObjects(std::nullopt), 1);
}

TEST_P(StoreContractTest, UnversionedObjectsAreDuplicatesWhenTheBytesMatch) {
  NewObject sco;
  sco.id = "ipv4-addr--11111111-1111-5111-8111-111111111111";
  sco.type = "ipv4-addr";
  sco.spec_version = "2.1";
  sco.raw = R"({"type":"ipv4-addr","value":"203.0.113.1"})";
  EXPECT_EQ(Write({sco}).outcomes[0], AddOutcome::kAdded);
  EXPECT_EQ(Write({sco}).outcomes[0], AddOutcome::kDuplicate);
  sco.raw = R"({"type":"ipv4-addr","value":"203.0.113.1","x_note":"changed"})";
  EXPECT_EQ(Write({sco}).outcomes[0], AddOutcome::kAdded);
  ObjectQuery q;
  q.versions.all = true;
  EXPECT_EQ(Query(q).records.size(), 2u);
}

TEST_P(StoreContractTest, VersionFilters) {
  Write({Obj(Id(1), 200), Obj(Id(1), 100), Obj(Id(1), 300), Obj(Id(2), 50)});
  auto versions = [&](VersionFilter v, std::vector<std::string> ids = {}) {
    ObjectQuery q;
    q.versions = v;
    q.ids = ids;
    std::multiset<int64_t> out;
    for (const auto& r : All(q)) out.insert(r.version_us);
    return out;
  };
  EXPECT_EQ(versions({}), (std::multiset<int64_t>{300, 50}));
  EXPECT_EQ(versions({.last = true}), (std::multiset<int64_t>{300, 50}));
  EXPECT_EQ(versions({.first = true}), (std::multiset<int64_t>{100, 50}));
  EXPECT_EQ(versions({.all = true}), (std::multiset<int64_t>{100, 200, 300, 50}));
  EXPECT_EQ(versions({.first = true, .last = true}, {Id(1)}), (std::multiset<int64_t>{100, 300}));
  EXPECT_EQ(versions({.versions_us = {200}}), (std::multiset<int64_t>{200}));
  EXPECT_EQ(versions({.first = true, .versions_us = {200}}, {Id(1)}),
            (std::multiset<int64_t>{100, 200}));
  EXPECT_TRUE(versions({.versions_us = {999}}).empty());
}

TEST_P(StoreContractTest, IdTypeAndSpecVersionFilters) {
  std::vector<NewObject> objs = {Obj(Id(1), 1), Obj(Id(2), 1, "malware"), Obj(Id(3), 1, "malware")};
  objs[2].spec_version = "2.0";
  Write(objs);
  ObjectQuery q;
  q.ids = {Id(2), Id(3), Id(99)};
  EXPECT_EQ(All(q).size(), 2u);
  ObjectQuery t;
  t.types = {"malware"};
  EXPECT_EQ(All(t).size(), 2u);
  t.types = {"malware", "indicator"};
  EXPECT_EQ(All(t).size(), 3u);
  t.spec_versions = {"2.0"};
  auto r = All(t);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].id, Id(3));
  ObjectQuery none;
  none.types = {"tool"};
  EXPECT_TRUE(All(none).empty());
}

TEST_P(StoreContractTest, DateAddedIsStrictlyIncreasingEvenWhenTheClockStandsStill) {
  std::vector<NewObject> objs;
  for (int i = 0; i < 50; ++i) objs.push_back(Obj(Id(i), 1));
  auto r = Write(objs);
  for (size_t i = 1; i < r.date_added_us.size(); ++i) {
    EXPECT_LT(r.date_added_us[i - 1], r.date_added_us[i]);
  }
  clock_.now -= 10'000'000;  // the clock goes backwards
  auto r2 = Write({Obj(Id(100), 1)});
  EXPECT_GT(r2.date_added_us[0], r.date_added_us.back());
  Reopen();  // and after a restart
  auto r3 = Write({Obj(Id(101), 1)});
  EXPECT_GT(r3.date_added_us[0], r2.date_added_us[0]);
}

TEST_P(StoreContractTest, AddedAfterAndCursorPagingNeverSkipOrRepeat) {
  std::vector<NewObject> objs;
  for (int i = 0; i < 237; ++i) objs.push_back(Obj(Id(i), 1));
  auto w = Write(objs);
  ObjectQuery q;
  q.limit = 10;
  int pages = 0;
  auto all = All(q, &pages);
  ASSERT_EQ(all.size(), 237u);
  EXPECT_EQ(pages, 24);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].id, Id(static_cast<int>(i)));
  q.added_after_us = w.date_added_us[99];
  auto after = All(q);
  ASSERT_EQ(after.size(), 137u);
  EXPECT_EQ(after[0].id, Id(100));
}

TEST_P(StoreContractTest, VisibilityPredicateFillsPagesAtEveryRatio) {
  std::vector<NewObject> objs;
  for (int i = 0; i < 1000; ++i) objs.push_back(Obj(Id(i), 1));
  Write(objs);
  for (int unreadable_pct : {1, 50, 99}) {
    std::mt19937 rng(unreadable_pct);
    std::set<std::string> hidden;
    for (int i = 0; i < 1000; ++i)
      if (static_cast<int>(rng() % 100) < unreadable_pct) hidden.insert(Id(i));
    std::atomic<int> calls{0};
    ObjectQuery q;
    q.limit = 7;
    q.visible = [&](const ObjectRecord& r) {
      ++calls;
      EXPECT_TRUE(r.raw.empty()) << "the predicate must see metadata only";
      return !hidden.count(r.id);
    };
    std::vector<ObjectRecord> got;
    std::optional<int64_t> cursor;
    for (;;) {
      ObjectPage p = Query(q, cursor);
      if (p.more) {
        // A page followed by more is always full: no short pages.
        EXPECT_EQ(p.records.size(), 7u) << unreadable_pct << "%";
      }
      for (const auto& r : p.records) EXPECT_FALSE(r.raw.empty());
      got.insert(got.end(), p.records.begin(), p.records.end());
      if (!p.more) break;
      cursor = p.records.back().date_added_us;
    }
    ASSERT_EQ(got.size(), 1000u - hidden.size()) << unreadable_pct << "%";
    std::set<std::string> ids;
    for (const auto& r : got) {
      EXPECT_FALSE(hidden.count(r.id));
      EXPECT_TRUE(ids.insert(r.id).second) << "repeated " << r.id;
    }
  }
}

TEST_P(StoreContractTest, DeleteKeepsFirstAndLastRight) {
  Write({Obj(Id(1), 100), Obj(Id(1), 200), Obj(Id(1), 300)});
  VersionFilter first;
  first.first = true;
  EXPECT_EQ(*store_->DeleteObject(coll_, Id(1), first), 1);
  ObjectQuery q;
  q.versions.first = true;
  auto f = All(q);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].version_us, 200);
  VersionFilter last;
  last.last = true;
  EXPECT_EQ(*store_->DeleteObject(coll_, Id(1), last), 1);
  auto l = All(ObjectQuery{});
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].version_us, 200);
  EXPECT_TRUE(l[0].is_first && l[0].is_last);
  VersionFilter all;
  all.all = true;
  EXPECT_EQ(*store_->DeleteObject(coll_, Id(1), all), 1);
  EXPECT_EQ(*store_->DeleteObject(coll_, Id(1), all), 0);
  EXPECT_EQ(*store_->CountObjects(std::nullopt), 0);
  // A deleted object can come back.
  EXPECT_EQ(Write({Obj(Id(1), 100)}).outcomes[0], AddOutcome::kAdded);
}

TEST_P(StoreContractTest, ConcurrentWritersShareCommits) {
  constexpr int kThreads = 8, kBatches = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        WriteBatch wb;
        wb.collection = coll_;
        for (int k = 0; k < 10; ++k) wb.objects.push_back(Obj(Id(t * 100000 + b * 100 + k), 1));
        if (!store_->WriteSync(std::move(wb)).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  StoreStats s = store_->Stats();
  EXPECT_EQ(s.batches, kThreads * kBatches);
  EXPECT_LT(s.commits, s.batches) << "concurrent writes were never grouped";
  EXPECT_EQ(s.objects, kThreads * kBatches * 10);
  ObjectQuery q;
  q.limit = 1000;
  auto all = All(q);
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads * kBatches * 10));
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].date_added_us, all[i].date_added_us);
}

TEST_P(StoreContractTest, StatusAndCursorCommitWithTheObjects) {
  WriteBatch b;
  b.collection = coll_;
  b.objects = {Obj(Id(1), 1)};
  b.status = StatusRecord{"22222222-2222-4222-8222-222222222222", "api1", 7, 123, "complete",
                          {{Id(1), "v", ""}}, {{"x--y", "", "bad"}}, {}};
  b.cursor = CursorUpdate{"peer/jp/coll", "cursor-1"};
  ASSERT_TRUE(store_->WriteSync(std::move(b)).ok());
  Reopen();
  auto s = store_->GetStatus("api1", "22222222-2222-4222-8222-222222222222");
  ASSERT_TRUE(s.ok() && s->has_value());
  EXPECT_EQ((*s)->owner_account, 7);
  EXPECT_EQ((*s)->successes.size(), 1u);
  ASSERT_EQ((*s)->failures.size(), 1u);
  EXPECT_EQ((*s)->failures[0].message, "bad");
  EXPECT_FALSE(store_->GetStatus("other-root", "22222222-2222-4222-8222-222222222222")->has_value());
  EXPECT_EQ(*store_->GetCursor("peer/jp/coll"), std::optional<std::string>("cursor-1"));
  EXPECT_FALSE(store_->GetCursor("nope")->has_value());
  ASSERT_TRUE(store_->PutCursor(CursorUpdate{"peer/jp/coll", "cursor-2"}).ok());
  EXPECT_EQ(*store_->GetCursor("peer/jp/coll"), std::optional<std::string>("cursor-2"));
}

TEST_P(StoreContractTest, RefusedMarkingsCommitWithTheBatchAndKeepTheFirstReason) {
  const std::string a = "marking-definition--aaaaaaaa-0000-4000-8000-000000000001";
  const std::string b = "marking-definition--aaaaaaaa-0000-4000-8000-000000000002";
  // A batch without objects (every object refused) still records them.
  WriteBatch first;
  first.collection = coll_;
  first.refused_markings = {{a, "name"}, {b, "extension"}};
  ASSERT_TRUE(store_->WriteSync(std::move(first)).ok());
  WriteBatch again;
  again.collection = coll_;
  again.objects = {Obj(Id(1), 1)};
  again.refused_markings = {{a, "definition_type"}};
  ASSERT_TRUE(store_->WriteSync(std::move(again)).ok());
  Reopen();
  auto found = store_->FindRefusedMarkings({a, "marking-definition--nope", b});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  std::map<std::string, std::string> got;
  for (const auto& r : *found) got[r.id] = r.reason;
  EXPECT_EQ(got, (std::map<std::string, std::string>{{a, "name"}, {b, "extension"}}));
  EXPECT_TRUE(store_->FindRefusedMarkings({})->empty());
  // A failed batch records nothing.
  WriteBatch bad;
  bad.collection = 999999;
  bad.objects = {Obj(Id(2), 1)};
  bad.refused_markings = {{"marking-definition--aaaaaaaa-0000-4000-8000-000000000003", "x"}};
  EXPECT_FALSE(store_->WriteSync(std::move(bad)).ok());
  EXPECT_TRUE(
      store_->FindRefusedMarkings({"marking-definition--aaaaaaaa-0000-4000-8000-000000000003"})
          ->empty());
}

TEST_P(StoreContractTest, CommitListenersHearEveryCommit) {
  std::mutex mu;
  std::vector<CommitNotice> notices;
  store_->AddCommitListener([&](const CommitNotice& n) {
    std::lock_guard lock(mu);
    notices.push_back(n);
  });
  auto w = Write({Obj(Id(1), 1), Obj(Id(2), 1)});
  Write({Obj(Id(1), 1)});  // duplicate only: nothing to announce
  std::lock_guard lock(mu);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].collection, coll_);
  EXPECT_EQ(notices[0].added, 2);
  EXPECT_EQ(notices[0].first_date_added_us, w.date_added_us[0]);
  EXPECT_EQ(notices[0].last_date_added_us, w.date_added_us[1]);
}

TEST_P(StoreContractTest, EverythingSurvivesReopen) {
  Write({Obj(Id(1), 1), Obj(Id(2), 2)});
  Reopen();
  EXPECT_EQ(*store_->CountObjects(std::nullopt), 2);
  EXPECT_EQ(store_->Stats().objects, 2);
  EXPECT_EQ(All(ObjectQuery{}).size(), 2u);
  EXPECT_EQ(store_->ListApiRoots()->size(), 1u);
  EXPECT_TRUE(store_->CheckIntegrity().ok());
  EXPECT_TRUE(store_->Ping().ok());
}

TEST_P(StoreContractTest, DirectoryOperationsBumpTheGeneration) {
  int64_t g0 = *store_->DirectoryGeneration();
  Organization org{"identity--o", "Org", "JP", "operator", {"energy", "transportation"}};
  ASSERT_TRUE(store_->PutOrganization(org).ok());
  auto orgs = store_->ListOrganizations();
  ASSERT_EQ(orgs->size(), 1u);
  EXPECT_EQ((*orgs)[0].sectors, org.sectors);
  int64_t g1 = *store_->DirectoryGeneration();
  EXPECT_GT(g1, g0);
  Account a;
  a.username = "alice";
  a.organization = "identity--o";
  a.roles = {"reader", "admin"};
  a.password_hash = "$argon2id$x";
  auto put = store_->PutAccount(a);
  ASSERT_TRUE(put.ok());
  EXPECT_GT(put->key, 0);
  EXPECT_EQ(store_->PutAccount(a).status().code(), StatusCode::kAlreadyExists);
  auto found = store_->FindAccount("alice");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->roles, a.roles);
  EXPECT_EQ((*store_->FindAccountByKey(put->key))->username, "alice");
  ASSERT_TRUE(store_->PutGrant(Grant{put->key, coll_, true, false}).ok());
  EXPECT_EQ(store_->ListGrants(put->key)->size(), 1u);
  ASSERT_TRUE(store_->PutGrant(Grant{put->key, coll_, false, false}).ok());
  EXPECT_TRUE(store_->ListGrants(put->key)->empty());
  Token t{"tok1", put->key, "$argon2id$y", "ci", 5, std::nullopt};
  ASSERT_TRUE(store_->PutToken(t).ok());
  EXPECT_EQ((*store_->FindToken("tok1"))->label, "ci");
  EXPECT_EQ(store_->ListTokens(put->key)->size(), 1u);
  ASSERT_TRUE(store_->DeleteToken("tok1").ok());
  EXPECT_FALSE(store_->FindToken("tok1")->has_value());
  auto c = store_->FindCollection("api1", "11111111-1111-4111-8111-111111111111");
  ASSERT_TRUE(c.ok() && c->has_value());
  EXPECT_GT(*store_->DirectoryGeneration(), g1);
}

TEST_P(StoreContractTest, DeleteCollectionRemovesItsObjectsAndGrants) {
  Write({Obj(Id(1), 1)});
  ASSERT_TRUE(store_->DeleteCollection(coll_).ok());
  EXPECT_EQ(*store_->CountObjects(std::nullopt), 0);
  EXPECT_TRUE(store_->ListCollections("api1")->empty());
  EXPECT_EQ(store_->DeleteCollection(coll_).code(), StatusCode::kNotFound);
}

TEST_P(StoreContractTest, VersionsArrivingOutOfOrderKeepFirstAndLast) {
  Write({Obj(Id(1), 200)});
  Write({Obj(Id(1), 100)});  // an older version arrives later
  Write({Obj(Id(1), 300)});
  Write({Obj(Id(1), 250)});  // a middle one
  ObjectQuery q;
  q.versions.all = true;
  auto all = All(q);
  ASSERT_EQ(all.size(), 4u);
  std::map<int64_t, std::pair<bool, bool>> flags;
  for (const auto& r : all) flags[r.version_us] = {r.is_first, r.is_last};
  EXPECT_EQ(flags[100], std::make_pair(true, false));
  EXPECT_EQ(flags[200], std::make_pair(false, false));
  EXPECT_EQ(flags[250], std::make_pair(false, false));
  EXPECT_EQ(flags[300], std::make_pair(false, true));
  // date_added order is arrival order, not version order.
  EXPECT_EQ(all[0].version_us, 200);
  EXPECT_EQ(all[1].version_us, 100);
  ObjectQuery last;
  auto l = All(last);
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].version_us, 300);
}

// A per-id lower bound on date_added narrows the versions offered for that
// id only; first and last stay those of the whole lineage.
TEST_P(StoreContractTest, APerIdLowerBoundNarrowsOnlyThatIdsVersions) {
  Write({Obj(Id(1), 100)});
  Write({Obj(Id(1), 200)});
  Write({Obj(Id(2), 10)});
  Write({Obj(Id(1), 300)});
  Write({Obj(Id(1), 250)});  // older than the last, added after it
  ObjectQuery all;
  all.versions.all = true;
  all.ids = {Id(1), Id(2)};
  std::map<int64_t, int64_t> added;  // version -> date_added
  for (const auto& r : All(all)) added[r.version_us] = r.date_added_us;
  ASSERT_EQ(added.size(), 5u);
  ObjectQuery q = all;
  q.ids_added_after = {added[200], 0};  // Id(1): only what came after version 200
  std::multiset<int64_t> seen;
  std::map<int64_t, std::pair<bool, bool>> flags;
  for (const auto& r : All(q)) {
    seen.insert(r.version_us);
    flags[r.version_us] = {r.is_first, r.is_last};
  }
  EXPECT_EQ(seen, (std::multiset<int64_t>{300, 250, 10}));
  EXPECT_EQ(flags[300], std::make_pair(false, true));
  EXPECT_EQ(flags[250], std::make_pair(false, false));
  // The default (last) with the bound at the latest: the same answer as without.
  ObjectQuery last;
  last.ids = {Id(1)};
  last.ids_added_after = {added[300] - 1};
  auto l = All(last);
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].version_us, 300);
  // A bound past every version: nothing (the caller then looks without it).
  last.ids_added_after = {added[250]};
  EXPECT_TRUE(All(last).empty());
}

// First and last are taken among the versions the visibility predicate
// accepts: a newer version the reader may not see never hides an older one
// it may see, and an older hidden one never takes "first" from it.
TEST_P(StoreContractTest, FirstAndLastAreAmongTheVersionsTheReaderMaySee) {
  const std::string kRed = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
  auto marked = [&](int64_t v, const std::string& marking) {
    NewObject o = Obj(Id(1), v);
    o.marking = marking;
    return o;
  };
  Write({Obj(Id(1), 200), Obj(Id(2), 50)});
  Write({marked(300, kRed)});   // newer, hidden from the reader below
  Write({marked(100, kRed)});   // older, hidden too (arrives out of order)
  Write({Obj(Id(1), 250)});     // visible, between
  Write({marked(400, kRed)});   // newest, hidden
  auto not_red = [&](const ObjectRecord& r) { return r.marking != kRed; };
  auto versions = [&](VersionFilter v, std::function<bool(const ObjectRecord&)> visible,
                      std::vector<std::string> ids = {}) {
    ObjectQuery q;
    q.versions = v;
    q.ids = ids;
    q.visible = visible;
    std::multiset<int64_t> out;
    for (const auto& r : All(q)) {
      out.insert(r.version_us);
      if (r.id == Id(1) && !v.all && q.visible && !q.visible(ObjectRecord{.marking = kRed})) {
        // The record's own flags agree with what the reader may see.
        EXPECT_EQ(r.is_last, r.version_us == 250) << r.version_us;
        EXPECT_EQ(r.is_first, r.version_us == 200) << r.version_us;
      }
    }
    return out;
  };
  EXPECT_EQ(versions({}, not_red), (std::multiset<int64_t>{250, 50}));
  EXPECT_EQ(versions({}, not_red, {Id(1)}), (std::multiset<int64_t>{250}));
  EXPECT_EQ(versions({.first = true}, not_red), (std::multiset<int64_t>{200, 50}));
  EXPECT_EQ(versions({.first = true, .last = true}, not_red, {Id(1)}),
            (std::multiset<int64_t>{200, 250}));
  EXPECT_EQ(versions({.all = true}, not_red), (std::multiset<int64_t>{200, 250, 50}));
  // A reader who may see everything gets the stored first and last.
  auto everyone = [](const ObjectRecord&) { return true; };
  EXPECT_EQ(versions({}, everyone, {Id(1)}), (std::multiset<int64_t>{400}));
  EXPECT_EQ(versions({.first = true}, everyone, {Id(1)}), (std::multiset<int64_t>{100}));
  // Without a predicate: the stored ones.
  EXPECT_EQ(versions({}, nullptr, {Id(1)}), (std::multiset<int64_t>{400}));
  // A reader who may see none of them gets none, and the page says how many
  // it did not see.
  ObjectQuery q;
  q.ids = {Id(1)};
  q.versions.all = true;
  q.visible = [](const ObjectRecord&) { return false; };
  ObjectPage p = Query(q);
  EXPECT_TRUE(p.records.empty());
  EXPECT_EQ(p.hidden, 5);
  EXPECT_GT(p.scanned_us, 0);
}

// `wanted` narrows a page without counting as hidden and without taking part
// in first/last.
TEST_P(StoreContractTest, WantedNarrowsWithoutHiding) {
  Write({Obj(Id(1), 100), Obj(Id(2), 100), Obj(Id(3), 100)});
  ObjectQuery q;
  q.wanted = [](const ObjectRecord& r) { return r.id != Id(2); };
  q.visible = [](const ObjectRecord& r) { return r.id != Id(3); };
  ObjectPage p = Query(q);
  ASSERT_EQ(p.records.size(), 1u);
  EXPECT_EQ(p.records[0].id, Id(1));
  EXPECT_EQ(p.hidden, 1);
}

TEST_P(StoreContractTest, DeleteSelectedVersionsOnly) {
  Write({Obj(Id(1), 100), Obj(Id(1), 200), Obj(Id(1), 300), Obj(Id(2), 100)});
  VersionFilter exact;
  exact.versions_us = {200, 999};
  EXPECT_EQ(*store_->DeleteObject(coll_, Id(1), exact), 1);
  VersionFilter first_and_last;
  first_and_last.first = true;
  first_and_last.last = true;
  EXPECT_EQ(*store_->DeleteObject(coll_, Id(1), first_and_last), 2);
  EXPECT_EQ(*store_->CountObjects(coll_), 1);
  // The default filter deletes every version (TAXII 2.1 delete semantics).
  Write({Obj(Id(3), 1), Obj(Id(3), 2), Obj(Id(3), 3)});
  EXPECT_EQ(*store_->DeleteObject(coll_, Id(3), VersionFilter{}), 3);
  EXPECT_EQ(*store_->DeleteObject(coll_, Id(404), VersionFilter{}), 0);
  ObjectQuery q;
  q.versions.all = true;
  auto rest = All(q);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].id, Id(2));
  EXPECT_TRUE(rest[0].is_first && rest[0].is_last);
  EXPECT_EQ(store_->Stats().objects, 1);
}

TEST_P(StoreContractTest, AFailedBatchLeavesNothingAndTheOthersCommit) {
  // Queue several batches at once so that they can share a commit; the bad
  // one fails on its third object, after two objects were already written.
  std::vector<std::promise<Result<WriteResult>>> done(5);
  for (int b = 0; b < 5; ++b) {
    WriteBatch wb;
    wb.collection = coll_;
    for (int k = 0; k < 3; ++k) wb.objects.push_back(Obj(Id(b * 10 + k), 1));
    if (b == 2) {
      wb.objects[2].id.clear();  // invalid: no id
      wb.status = StatusRecord{
          "33333333-3333-4333-8333-333333333333", "api1", 1, 1, "complete", {}, {}, {}};
      wb.cursor = CursorUpdate{"bad-cursor", "x"};
    }
    store_->Write(std::move(wb),
                  [&done, b](Result<WriteResult> r) { done[b].set_value(std::move(r)); });
  }
  for (int b = 0; b < 5; ++b) {
    auto r = done[b].get_future().get();
    if (b == 2) {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument) << r.error().ToString();
    } else {
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
  }
  ObjectQuery q;
  std::set<std::string> ids;
  for (const auto& r : All(q)) ids.insert(r.id);
  EXPECT_EQ(ids.size(), 12u);
  EXPECT_FALSE(ids.count(Id(20)));
  EXPECT_FALSE(ids.count(Id(21)));
  EXPECT_FALSE(store_->GetStatus("api1", "33333333-3333-4333-8333-333333333333")->has_value());
  EXPECT_FALSE(store_->GetCursor("bad-cursor")->has_value());
  EXPECT_EQ(*store_->CountObjects(coll_), 12);
  // The failed batch's objects can be written afterwards.
  EXPECT_EQ(Write({Obj(Id(20), 1)}).outcomes[0], AddOutcome::kAdded);
}

TEST_P(StoreContractTest, WritesToAMissingCollectionFail) {
  WriteBatch b;
  b.collection = coll_ + 1000;
  b.objects = {Obj(Id(1), 1)};
  auto r = store_->WriteSync(std::move(b));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(*store_->CountObjects(std::nullopt), 0);
}

TEST_P(StoreContractTest, SeveralTypesPageInDateAddedOrder) {
  const char* types[] = {"indicator", "malware", "tool", "report"};
  std::vector<NewObject> objs;
  for (int i = 0; i < 120; ++i) objs.push_back(Obj(Id(i), 1, types[(i * 7) % 4]));
  Write(objs);
  ObjectQuery q;
  q.types = {"tool", "malware", "tool"};
  q.limit = 7;
  auto got = All(q);
  std::vector<std::string> want;
  for (int i = 0; i < 120; ++i) {
    std::string t = types[(i * 7) % 4];
    if (t == "tool" || t == "malware") want.push_back(Id(i));
  }
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].id, want[i]);
    if (i > 0) {
      EXPECT_LT(got[i - 1].date_added_us, got[i].date_added_us);
    }
  }
  // With a visibility predicate on top.
  q.visible = [](const ObjectRecord& r) { return r.type == "tool"; };
  for (const auto& r : All(q)) EXPECT_EQ(r.type, "tool");
}

TEST_P(StoreContractTest, IdQueriesPageThroughVersions) {
  for (int v = 1; v <= 25; ++v) Write({Obj(Id(1), v), Obj(Id(2), v)});
  ObjectQuery q;
  q.ids = {Id(1)};
  q.versions.all = true;
  q.limit = 4;
  int pages = 0;
  auto got = All(q, &pages);
  ASSERT_EQ(got.size(), 25u);
  EXPECT_EQ(pages, 7);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].id, Id(1));
    EXPECT_EQ(got[i].version_us, static_cast<int64_t>(i) + 1);
  }
  q.added_after_us = got[19].date_added_us;
  EXPECT_EQ(All(q).size(), 5u);
}

TEST_P(StoreContractTest, CollectionsAreSeparate) {
  Collection c;
  c.id = "22222222-2222-4222-8222-222222222222";
  c.api_root = "api1";
  c.alias = "second";
  auto second = store_->PutCollection(c);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(Write({Obj(Id(1), 1)}).outcomes[0], AddOutcome::kAdded);
  // The same version in another collection is a different record.
  EXPECT_EQ(Write({Obj(Id(1), 1)}, second->key).outcomes[0], AddOutcome::kAdded);
  EXPECT_EQ(*store_->CountObjects(coll_), 1);
  EXPECT_EQ(*store_->CountObjects(second->key), 1);
  EXPECT_EQ(*store_->CountObjects(std::nullopt), 2);
  EXPECT_EQ(*store_->DeleteObject(second->key, Id(1), VersionFilter{}), 1);
  ObjectQuery q;
  q.ids = {Id(1)};
  EXPECT_EQ(All(q).size(), 1u);
  q.collection = second->key;
  EXPECT_TRUE(All(q).empty());
  auto by_alias = store_->FindCollection("api1", "second");
  ASSERT_TRUE(by_alias.ok() && by_alias->has_value());
  EXPECT_EQ((*by_alias)->key, second->key);
  EXPECT_FALSE(store_->FindCollection("other", "second")->has_value());
  EXPECT_EQ(store_->ListCollections("api1")->size(), 2u);
}

TEST_P(StoreContractTest, AConcurrentReaderNeverSkipsAnObject) {
  // A reader following added_after while writers commit must see every
  // object: a later date_added never becomes visible before an earlier one.
  constexpr int kThreads = 4, kBatches = 30, kPerBatch = 5;
  std::atomic<bool> writing{true};
  std::vector<std::string> seen;
  std::thread reader([&] {
    std::optional<int64_t> cursor;
    ObjectQuery q;
    q.collection = coll_;
    q.limit = 13;
    for (;;) {
      bool last_round = !writing.load();
      for (;;) {
        auto p = store_->Query(q, cursor);
        ASSERT_TRUE(p.ok());
        for (const auto& r : p->records) seen.push_back(r.id);
        if (!p->records.empty()) cursor = p->records.back().date_added_us;
        if (!p->more) break;
      }
      if (last_round) break;
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        WriteBatch wb;
        wb.collection = coll_;
        for (int k = 0; k < kPerBatch; ++k) {
          wb.objects.push_back(Obj(Id(t * 100000 + b * 100 + k), 1));
        }
        EXPECT_TRUE(store_->WriteSync(std::move(wb)).ok());
      }
    });
  }
  for (auto& w : writers) w.join();
  writing = false;
  reader.join();
  ObjectQuery q;
  q.limit = 1000;
  std::vector<std::string> all;
  for (const auto& r : All(q)) all.push_back(r.id);
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads * kBatches * kPerBatch));
  EXPECT_EQ(seen, all);
}

TEST_P(StoreContractTest, EveryCollectionOfAGroupIsAnnounced) {
  Collection c;
  c.id = "22222222-2222-4222-8222-222222222222";
  c.api_root = "api1";
  int64_t second = store_->PutCollection(c)->key;
  std::mutex mu;
  std::map<int64_t, int64_t> added;
  store_->AddCommitListener([&](const CommitNotice& n) {
    std::lock_guard lock(mu);
    EXPECT_LE(n.first_date_added_us, n.last_date_added_us);
    added[n.collection] += n.added;
  });
  std::vector<std::promise<void>> done(6);
  for (int b = 0; b < 6; ++b) {
    WriteBatch wb;
    wb.collection = b % 2 ? second : coll_;
    wb.objects = {Obj(Id(b), 1), Obj(Id(100 + b), 1)};
    store_->Write(std::move(wb), [&done, b](Result<WriteResult> r) {
      EXPECT_TRUE(r.ok());
      done[b].set_value();
    });
  }
  for (auto& d : done) d.get_future().get();
  std::lock_guard lock(mu);
  EXPECT_EQ(added[coll_], 6);
  EXPECT_EQ(added[second], 6);
}

TEST_P(StoreContractTest, DirectoryRulesAndErrors) {
  Collection c;
  c.id = "33333333-3333-4333-8333-333333333333";
  c.api_root = "no-such-root";
  EXPECT_EQ(store_->PutCollection(c).status().code(), StatusCode::kNotFound);
  c.api_root = "api1";
  c.alias = "dup";
  auto first = store_->PutCollection(c);
  ASSERT_TRUE(first.ok());
  c.id = "44444444-4444-4444-8444-444444444444";
  EXPECT_EQ(store_->PutCollection(c).status().code(), StatusCode::kAlreadyExists);
  // Updating by key keeps the key.
  Collection upd = *first;
  upd.title = "renamed";
  auto u = store_->PutCollection(upd);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->key, first->key);
  EXPECT_EQ((*store_->FindCollection("api1", "dup"))->title, "renamed");
  // API roots are replaced by name.
  ASSERT_TRUE(store_->PutApiRoot(ApiRoot{"api1", "New title", "d", 2048}).ok());
  auto roots = store_->ListApiRoots();
  ASSERT_EQ(roots->size(), 1u);
  EXPECT_EQ((*roots)[0].title, "New title");
  EXPECT_EQ((*roots)[0].max_content_length, 2048);
  // Accounts: update by key, unknown key, username clash.
  Account a;
  a.username = "bob";
  auto bob = store_->PutAccount(a);
  ASSERT_TRUE(bob.ok());
  a.username = "carol";
  auto carol = store_->PutAccount(a);
  ASSERT_TRUE(carol.ok());
  Account rename = *carol;
  rename.username = "bob";
  EXPECT_EQ(store_->PutAccount(rename).status().code(), StatusCode::kAlreadyExists);
  rename.username = "carol2";
  rename.disabled = true;
  ASSERT_TRUE(store_->PutAccount(rename).ok());
  EXPECT_TRUE((*store_->FindAccount("carol2"))->disabled);
  EXPECT_FALSE(store_->FindAccount("carol")->has_value());
  Account ghost;
  ghost.key = 9999;
  ghost.username = "ghost";
  EXPECT_EQ(store_->PutAccount(ghost).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->ListAccounts()->size(), 2u);
  // Tokens with and without expiry, listed per account.
  ASSERT_TRUE(store_->PutToken(Token{"t1", bob->key, "h1", "a", 1, std::nullopt}).ok());
  ASSERT_TRUE(store_->PutToken(Token{"t2", bob->key, "h2", "b", 2, int64_t{99}}).ok());
  ASSERT_TRUE(store_->PutToken(Token{"t3", carol->key, "h3", "c", 3, std::nullopt}).ok());
  EXPECT_EQ(store_->ListTokens(bob->key)->size(), 2u);
  EXPECT_EQ(store_->ListTokens(std::nullopt)->size(), 3u);
  EXPECT_EQ((*store_->FindToken("t2"))->expires_us, std::optional<int64_t>(99));
  EXPECT_FALSE((*store_->FindToken("t1"))->expires_us.has_value());
  // Grants: update in place, per account listing.
  ASSERT_TRUE(store_->PutGrant(Grant{bob->key, coll_, true, false}).ok());
  ASSERT_TRUE(store_->PutGrant(Grant{bob->key, coll_, true, true}).ok());
  ASSERT_TRUE(store_->PutGrant(Grant{carol->key, first->key, true, false}).ok());
  auto g = store_->ListGrants(bob->key);
  ASSERT_EQ(g->size(), 1u);
  EXPECT_TRUE((*g)[0].can_write);
  EXPECT_EQ(store_->ListGrants(std::nullopt)->size(), 2u);
  // Deleting a collection takes its grants.
  ASSERT_TRUE(store_->DeleteCollection(first->key).ok());
  EXPECT_TRUE(store_->ListGrants(carol->key)->empty());
  // References must exist.
  EXPECT_EQ(store_->PutGrant(Grant{9999, coll_, true, false}).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->PutGrant(Grant{bob->key, first->key, true, false}).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->PutToken(Token{"t9", 9999, "h", "", 1, std::nullopt}).code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(store_->DeleteToken("t1").ok());
  EXPECT_EQ(store_->DeleteToken("t1").code(), StatusCode::kNotFound);
  // A token is replaced by id.
  ASSERT_TRUE(store_->PutToken(Token{"t2", bob->key, "h2b", "renamed", 2, std::nullopt}).ok());
  EXPECT_EQ((*store_->FindToken("t2"))->label, "renamed");
  EXPECT_FALSE((*store_->FindToken("t2"))->expires_us.has_value());
}

TEST_P(StoreContractTest, RejectsABadLimit) {
  ObjectQuery q;
  q.collection = coll_;
  q.limit = 0;
  EXPECT_EQ(store_->Query(q, std::nullopt).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(StoreContractTest, LimitsAreExactAndMoreIsTruthful) {
  std::vector<NewObject> objs;
  for (int i = 0; i < 10; ++i) objs.push_back(Obj(Id(i), 1));
  Write(objs);
  ObjectQuery q;
  q.limit = 10;
  auto p = Query(q);
  EXPECT_EQ(p.records.size(), 10u);
  EXPECT_FALSE(p.more) << "more=true with nothing after the page";
  q.limit = 9;
  p = Query(q);
  EXPECT_EQ(p.records.size(), 9u);
  EXPECT_TRUE(p.more);
  // The only remaining object is invisible: no more.
  q.visible = [](const ObjectRecord& r) { return r.id != Id(9); };
  p = Query(q);
  EXPECT_EQ(p.records.size(), 9u);
  EXPECT_FALSE(p.more);
}

TEST_P(StoreContractTest, TrustModelRoundTrips) {
  int64_t g0 = *store_->DirectoryGeneration();
  Organization isac{"identity--isac",
                    "Energy ISAC",
                    "US",
                    "isac",
                    {"energy"},
                    {"identity--member1", "identity--member2"},
                    ""};
  Organization jp{"identity--jp", "JP CERT", "JP", "government", {}, {}, "jp-hub"};
  ASSERT_TRUE(store_->PutOrganization(isac).ok());
  ASSERT_TRUE(store_->PutOrganization(jp).ok());
  auto orgs = store_->ListOrganizations();
  ASSERT_TRUE(orgs.ok());
  ASSERT_EQ(orgs->size(), 2u);
  EXPECT_EQ((*orgs)[0].clients, isac.clients);
  EXPECT_EQ((*orgs)[1].home_hub, "jp-hub");
  TrustGroup g{
      "us-jp-energy", "US-JP energy", "operators and CERTs", {"identity--isac", "identity--jp"}};
  ASSERT_TRUE(store_->PutTrustGroup(g).ok());
  g.members.push_back("identity--x");
  ASSERT_TRUE(store_->PutTrustGroup(g).ok());  // replaced by id
  auto groups = store_->ListTrustGroups();
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ((*groups)[0].members.size(), 3u);
  EXPECT_EQ((*groups)[0].description, "operators and CERTs");
  Collection c = *(*store_->FindCollection("api1", "11111111-1111-4111-8111-111111111111"));
  c.trust_group = "us-jp-energy";
  ASSERT_TRUE(store_->PutCollection(c).ok());
  EXPECT_EQ((*store_->ListCollections("api1"))[0].trust_group, "us-jp-energy");
  ASSERT_TRUE(store_->DeleteTrustGroup("us-jp-energy").ok());
  EXPECT_EQ(store_->DeleteTrustGroup("us-jp-energy").code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->ListTrustGroups()->empty());
  EXPECT_GT(*store_->DirectoryGeneration(), g0);
  Reopen();
  EXPECT_EQ((*store_->ListOrganizations())[0].clients, isac.clients);
}

// ---- federation and channels (issue 5) ----

TEST_P(StoreContractTest, ConfigRecordsPutListDelete) {
  auto gen0 = store_->DirectoryGeneration();
  ASSERT_TRUE(gen0.ok());
  ASSERT_TRUE(store_->PutConfigRecord({"peer", "jp-hub", "{\"v\":1}"}).ok());
  ASSERT_TRUE(store_->PutConfigRecord({"peer", "au-hub", "{\"v\":2}"}).ok());
  ASSERT_TRUE(store_->PutConfigRecord({"webhook", "w1", "x"}).ok());
  EXPECT_GT(*store_->DirectoryGeneration(), *gen0);
  auto peers = store_->ListConfigRecords("peer");
  ASSERT_TRUE(peers.ok());
  ASSERT_EQ(peers->size(), 2u);
  EXPECT_EQ((*peers)[0].name, "au-hub");  // ordered by name
  EXPECT_EQ((*peers)[1].value, "{\"v\":1}");
  // Replace keeps one record.
  ASSERT_TRUE(store_->PutConfigRecord({"peer", "jp-hub", "{\"v\":3}"}).ok());
  peers = store_->ListConfigRecords("peer");
  ASSERT_EQ(peers->size(), 2u);
  EXPECT_EQ((*peers)[1].value, "{\"v\":3}");
  EXPECT_EQ(store_->ListConfigRecords("webhook")->size(), 1u);
  EXPECT_TRUE(store_->ListConfigRecords("other")->empty());
  ASSERT_TRUE(store_->DeleteConfigRecord("peer", "jp-hub").ok());
  EXPECT_EQ(store_->DeleteConfigRecord("peer", "jp-hub").code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->ListConfigRecords("peer")->size(), 1u);
  EXPECT_FALSE(store_->PutConfigRecord({"", "x", "y"}).ok());
}

// A conditional update (a webhook suspending itself, `webhook resume`)
// never puts back a record removed meanwhile, nor overwrites a change it did
// not see.
TEST_P(StoreContractTest, ConfigRecordUpdateOnlyReplacesTheValueItRead) {
  ASSERT_TRUE(store_->PutConfigRecord({"webhook", "w1", "v1"}).ok());
  auto gen = store_->DirectoryGeneration();
  ASSERT_TRUE(gen.ok());
  ASSERT_TRUE(store_->UpdateConfigRecord({"webhook", "w1", "v2"}, "v1").ok());
  EXPECT_GT(*store_->DirectoryGeneration(), *gen);
  EXPECT_EQ((*store_->ListConfigRecords("webhook"))[0].value, "v2");
  // Another writer changed it: refused, the change stays.
  gen = store_->DirectoryGeneration();
  EXPECT_EQ(store_->UpdateConfigRecord({"webhook", "w1", "v3"}, "v1").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*store_->ListConfigRecords("webhook"))[0].value, "v2");
  EXPECT_EQ(*store_->DirectoryGeneration(), *gen);
  // Removed: refused, and it stays removed.
  ASSERT_TRUE(store_->DeleteConfigRecord("webhook", "w1").ok());
  EXPECT_EQ(store_->UpdateConfigRecord({"webhook", "w1", "v3"}, "v2").code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->ListConfigRecords("webhook")->empty());
  // Never creates one; the same name under another kind is another record.
  ASSERT_TRUE(store_->PutConfigRecord({"peer", "w1", "v2"}).ok());
  EXPECT_EQ(store_->UpdateConfigRecord({"webhook", "w1", "v3"}, "v2").code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->ListConfigRecords("webhook")->empty());
  EXPECT_EQ((*store_->ListConfigRecords("peer"))[0].value, "v2");
  EXPECT_EQ(store_->UpdateConfigRecord({"", "w1", "x"}, "v2").code(), StatusCode::kInvalidArgument);
}

TEST_P(StoreContractTest, ConfigRecordsSurviveReopen) {
  ASSERT_TRUE(store_->PutConfigRecord({"peer", "jp-hub", "value"}).ok());
  Reopen();
  auto peers = store_->ListConfigRecords("peer");
  ASSERT_TRUE(peers.ok());
  ASSERT_EQ(peers->size(), 1u);
  EXPECT_EQ((*peers)[0].value, "value");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContractTest, ::testing::ValuesIn(Backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace kizuna::store
