// Browser sessions (auth/sessions.h), on their own with a manual clock and
// through the Authenticator over a real SQLite store: a session is found by
// its secret only, ends at sign-out, after its idle time and its absolute
// limit, and when its account changes (disabled, password changed); the
// table is bounded; "Authorization: Session" authenticates as the session.
#include "auth/sessions.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <set>

#include "auth/authenticator.h"
#include "auth/secret.h"
#include "store/sqlite/sqlite_store.h"

namespace kizuna::auth {
namespace {

class ManualClock final : public Clock {
 public:
  int64_t NowMicros() const override { return now; }
  int64_t now = 1'700'000'000'000'000;
};

Principal Alice() {
  Principal p;
  p.kind = Principal::Kind::kAccount;
  p.account_key = 7;
  p.username = "alice";
  p.organization = "identity--11111111-1111-4111-8111-111111111111";
  p.scheme = "basic";
  return p;
}

SessionOptions Short() {
  SessionOptions o;
  o.idle_us = 60'000'000;        // 1 min
  o.absolute_us = 600'000'000;   // 10 min
  o.recheck_us = 5'000'000;
  o.max_sessions = 3;
  return o;
}

TEST(SessionTableTest, FoundByItsSecretOnlyUntilSignOut) {
  ManualClock clock;
  int rechecks = 0;
  SessionTable t(Short(), [&](const Principal& p) -> Result<std::shared_ptr<const Principal>> {
    ++rechecks;
    return std::shared_ptr<const Principal>(std::make_shared<const Principal>(p));
  }, &clock);
  IssuedSession a = t.Create(Alice());
  IssuedSession b = t.Create(Alice());
  EXPECT_NE(a.secret, b.secret);
  EXPECT_NE(a.csrf, b.csrf);
  EXPECT_NE(a.secret, a.csrf);
  EXPECT_GE(a.secret.size(), 43u);  // 32 bytes
  auto found = t.Find(a.secret);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->principal->username, "alice");
  EXPECT_EQ(found->principal->scheme, "session");
  EXPECT_EQ(found->principal->session_id, a.id);
  EXPECT_EQ(found->csrf, a.csrf);
  EXPECT_EQ(found->expires_us, clock.now + 600'000'000);
  EXPECT_TRUE(t.IsOpen(a.id));
  for (std::string_view wrong : {std::string_view(a.csrf), std::string_view(a.id), std::string_view(""),
                                 std::string_view(a.secret).substr(1)}) {
    EXPECT_FALSE(t.Find(wrong).ok()) << wrong;
  }
  t.Remove(a.secret);
  EXPECT_FALSE(t.Find(a.secret).ok());
  EXPECT_FALSE(t.IsOpen(a.id));
  EXPECT_TRUE(t.Find(b.secret).ok()) << "signing out one session ended another";
  t.Remove(a.secret);  // idempotent
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(rechecks, 0) << "read again before recheck_us";
}

TEST(SessionTableTest, EndsWhenIdleAndAtItsAbsoluteLimitWhateverTheUse) {
  ManualClock clock;
  SessionTable t(Short(), [](const Principal& p) -> Result<std::shared_ptr<const Principal>> {
    return std::shared_ptr<const Principal>(std::make_shared<const Principal>(p));
  }, &clock);
  IssuedSession idle = t.Create(Alice());
  IssuedSession busy = t.Create(Alice());
  // Used every 50 s: the busy one lives on, the idle one ends after 60 s.
  for (int i = 0; i < 11; ++i) {
    clock.now += 50'000'000;
    EXPECT_TRUE(t.Find(busy.secret).ok()) << i;  // up to 550 s in
  }
  EXPECT_FALSE(t.Find(idle.secret).ok());
  EXPECT_FALSE(t.IsOpen(idle.id));
  // 600 s: the absolute limit, however recently used.
  clock.now += 50'000'000;
  EXPECT_FALSE(t.IsOpen(busy.id));
  EXPECT_FALSE(t.Find(busy.secret).ok());
  EXPECT_EQ(t.size(), 0u);
}

TEST(SessionTableTest, AnAccountChangeEndsTheSessionAndStoreTroubleDoesNot) {
  ManualClock clock;
  Result<std::shared_ptr<const Principal>> answer = std::shared_ptr<const Principal>(std::make_shared<const Principal>(Alice()));
  SessionTable t(Short(), [&](const Principal&) { return answer; }, &clock);
  IssuedSession s = t.Create(Alice());
  clock.now += 6'000'000;
  answer = IoError("disk trouble");
  auto r = t.Find(s.secret);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kIoError);
  answer = Unauthenticated("the account was disabled");
  clock.now += 1;
  r = t.Find(s.secret);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "the account was disabled");
  answer = std::shared_ptr<const Principal>(std::make_shared<const Principal>(Alice()));
  EXPECT_FALSE(t.Find(s.secret).ok()) << "an ended session came back";
}

TEST(SessionTableTest, AtMostMaxSessionsTheOldestEndsFirst) {
  ManualClock clock;
  SessionTable t(Short(), [](const Principal& p) -> Result<std::shared_ptr<const Principal>> {
    return std::shared_ptr<const Principal>(std::make_shared<const Principal>(p));
  }, &clock);
  std::vector<IssuedSession> s;
  for (int i = 0; i < 5; ++i) {
    s.push_back(t.Create(Alice()));
    clock.now += 1;
  }
  EXPECT_EQ(t.size(), 3u);
  EXPECT_FALSE(t.Find(s[0].secret).ok());
  EXPECT_FALSE(t.Find(s[1].secret).ok());
  for (int i = 2; i < 5; ++i) EXPECT_TRUE(t.Find(s[static_cast<size_t>(i)].secret).ok()) << i;
  // Sign-outs and creations keep the table in step (no stale order entries).
  for (int round = 0; round < 100; ++round) {
    IssuedSession x = t.Create(Alice());
    t.Remove(x.secret);
  }
  EXPECT_EQ(t.size(), 2u);
  for (int i = 3; i < 5; ++i) EXPECT_TRUE(t.Find(s[static_cast<size_t>(i)].secret).ok()) << i;
}

// Through the Authenticator: a sign-in, then the session as credentials;
// the directory's changes end it (Revalidate too, for streams).
TEST(SessionAuthenticatorTest, SessionsFollowTheDirectory) {
  const auto dir = std::filesystem::temp_directory_path() / ("kizuna-sessions-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  store::SqliteOptions o;
  o.path = (dir / "k.db").string();
  o.durable = false;
  auto store = store::OpenSqliteStore(o);
  ASSERT_TRUE(store.ok());
  store::Organization org{"identity--11111111-1111-4111-8111-111111111111", "Org", "JP", "operator", {}};
  ASSERT_TRUE((*store)->PutOrganization(org).ok());
  store::Account a;
  a.username = "alice";
  a.organization = org.id;
  a.roles = {"reader"};
  a.password_hash = *HashSecret("correct horse battery", HashCost::kTest);
  auto key = (*store)->PutAccount(a);
  ASSERT_TRUE(key.ok());
  ManualClock clock;
  AuthenticatorOptions ao;
  ao.generation_poll_us = 0;
  ao.sessions.recheck_us = 0;  // every use re-reads the account
  Authenticator auth(store->get(), ao, &clock);
  auto sign_in = [&](const std::string& pw) {
    std::promise<Result<PrincipalPtr>> p;
    auto f = p.get_future();
    auth.SignIn("alice", pw, "10.0.0.9", [&p](Result<PrincipalPtr> r) { p.set_value(std::move(r)); });
    return f.get();
  };
  EXPECT_FALSE(sign_in("wrong").ok());
  auto p = sign_in("correct horse battery");
  ASSERT_TRUE(p.ok()) << p.error().message();
  IssuedSession s = auth.sessions().Create(**p);
  const std::string header = "Session " + s.secret;
  auto as = auth.AuthenticateSync(&header, "10.0.0.9");
  ASSERT_TRUE(as.ok()) << as.error().message();
  EXPECT_EQ((*as)->username, "alice");
  EXPECT_EQ((*as)->scheme, "session");
  EXPECT_EQ((*as)->session_id, s.id);
  ASSERT_TRUE(auth.Revalidate(**as).ok());
  // The password changes: the session ends, for requests and streams.
  a = *key;
  a.password_hash = *HashSecret("a new password here", HashCost::kTest);
  ASSERT_TRUE((*store)->PutAccount(a).ok());
  clock.now += 1;
  auto after = auth.AuthenticateSync(&header, "10.0.0.9");
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code(), StatusCode::kUnauthenticated);
  EXPECT_FALSE(auth.Revalidate(**as).ok());
  // A signed-out session's principal is refused by Revalidate at once.
  auto p2 = sign_in("a new password here");
  ASSERT_TRUE(p2.ok());
  IssuedSession s2 = auth.sessions().Create(**p2);
  const std::string header2 = "Session " + s2.secret;
  auto as2 = auth.AuthenticateSync(&header2, "10.0.0.9");
  ASSERT_TRUE(as2.ok());
  auth.sessions().Remove(s2.secret);
  auto gone = auth.Revalidate(**as2);
  ASSERT_FALSE(gone.ok());
  EXPECT_NE(gone.error().message().find("signed out"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kizuna::auth
