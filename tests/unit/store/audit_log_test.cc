#include "store/audit_log.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

namespace kizuna::store {
namespace {

namespace fs = std::filesystem;

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("kizuna-audit-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = AuditPathFor((dir_ / "hub.db").string());
  }
  void TearDown() override { fs::remove_all(dir_); }

  static AuditEvent Event(const std::string& account, bool allowed, const std::string& object) {
    AuditEvent e;
    e.time_us = 1'700'000'000'000'000;
    e.path = "taxii.objects";
    e.account = account;
    e.organization = "identity--o";
    e.collection = "11111111-1111-4111-8111-111111111111";
    e.allowed = allowed;
    e.reason = allowed ? "" : "not in the audience";
    e.objects = {AuditObject{object, 5, "TLP:AMBER"}};
    return e;
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(AuditLogTest, AppendsQueriesAndVerifiesAcrossReopen) {
  {
    auto log = OpenSqliteAuditLog(path_);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    (*log)->Append(Event("alice", true, "indicator--1"));
    (*log)->Append(Event("bob", false, "indicator--2"));
    ASSERT_TRUE((*log)->Flush().ok());
    EXPECT_EQ((*log)->Appended(), 2);
  }
  auto log = OpenSqliteAuditLog(path_);
  ASSERT_TRUE(log.ok());
  (*log)->Append(Event("alice", true, "indicator--3"));
  ASSERT_TRUE((*log)->Flush().ok());
  auto all = (*log)->Query(AuditQuery{});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[2].seq, 3);  // the sequence continues after reopening
  AuditQuery by_account;
  by_account.account = "alice";
  EXPECT_EQ((*log)->Query(by_account)->size(), 2u);
  AuditQuery denied;
  denied.allowed = false;
  auto d = (*log)->Query(denied);
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ((*d)[0].reason, "not in the audience");
  AuditQuery by_object;
  by_object.object_id = "indicator--2";
  EXPECT_EQ((*log)->Query(by_object)->size(), 1u);
  EXPECT_TRUE((*log)->Verify().ok());
}

TEST_F(AuditLogTest, DetectsAlteredEvents) {
  {
    auto log = OpenSqliteAuditLog(path_);
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 3; ++i) (*log)->Append(Event("alice", true, "x--" + std::to_string(i)));
    ASSERT_TRUE((*log)->Flush().ok());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  // The table refuses changes...
  EXPECT_NE(sqlite3_exec(db, "UPDATE events SET account='mallory' WHERE seq=2", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  // ...and someone who removes the guard is caught by the hash chain.
  ASSERT_EQ(sqlite3_exec(db,
                         "DROP TRIGGER events_no_update;"
                         "UPDATE events SET account='mallory' WHERE seq=2",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto log = OpenSqliteAuditLog(path_);
  ASSERT_TRUE(log.ok());
  Status v = (*log)->Verify();
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.message().find("event 2"), std::string::npos) << v.ToString();
}

}  // namespace
}  // namespace kizuna::store

namespace kizuna::store {
namespace {

// Two writers on one file (the running hub and `kizuna export` in another
// process): each continues the chain from the file, nothing is lost, and the
// chain verifies.
TEST(AuditLogSharedTest, TwoWritersOnOneFileKeepOneChain) {
  fs::path dir = fs::temp_directory_path() / ("kizuna-audit2-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = AuditPathFor((dir / "hub.db").string());
  auto hub = OpenSqliteAuditLog(path);
  auto cli = OpenSqliteAuditLog(path);
  ASSERT_TRUE(hub.ok() && cli.ok());
  auto event = [](const std::string& who) {
    AuditEvent e;
    e.time_us = 1;
    e.path = "taxii.objects";
    e.account = who;
    e.objects = {AuditObject{"indicator--x", 1, "TLP:RED"}};
    return e;
  };
  for (int i = 0; i < 5; ++i) {
    (*hub)->Append(event("hub"));
    ASSERT_TRUE((*hub)->Flush().ok());
    (*cli)->Append(event("cli"));
    ASSERT_TRUE((*cli)->Flush().ok());
  }
  EXPECT_TRUE((*hub)->Healthy());
  auto all = (*hub)->Query(AuditQuery{});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 10u);
  for (size_t i = 0; i < all->size(); ++i) EXPECT_EQ((*all)[i].seq, static_cast<int64_t>(i + 1));
  EXPECT_TRUE((*hub)->Verify().ok());
  hub->reset();
  cli->reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kizuna::store
