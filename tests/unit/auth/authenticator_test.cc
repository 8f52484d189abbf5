#include "auth/authenticator.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <set>

#include "auth/secret.h"
#include "auth/tokens.h"
#include "core/encoding.h"
#include "store/sqlite/sqlite_store.h"

namespace kizuna::auth {
namespace {

class ManualClock final : public Clock {
 public:
  int64_t NowMicros() const override { return now; }
  int64_t now = 1'700'000'000'000'000;
};

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kizuna-auth-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store::SqliteOptions o;
    o.path = (dir_ / "k.db").string();
    o.durable = false;
    auto s = store::OpenSqliteStore(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    store::Organization org{"identity--11111111-1111-4111-8111-111111111111", "Org", "JP",
                            "operator", {}};
    ASSERT_TRUE(store_->PutOrganization(org).ok());
    store::Account a;
    a.username = "alice";
    a.organization = org.id;
    a.roles = {"reader"};
    a.password_hash = *HashSecret("correct horse battery", HashCost::kTest);
    auto put = store_->PutAccount(a);
    ASSERT_TRUE(put.ok());
    alice_ = *put;
    AuthenticatorOptions ao;
    ao.max_failures = 3;
    ao.generation_poll_us = 0;  // notice directory changes immediately
    auth_ = std::make_unique<Authenticator>(store_.get(), ao, &clock_);
  }
  void TearDown() override {
    auth_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  Result<PrincipalPtr> Basic(const std::string& user, const std::string& pw,
                             const std::string& remote = "10.0.0.1") {
    std::string h = "Basic " + Base64Encode(user + ":" + pw);
    return auth_->AuthenticateSync(&h, remote);
  }

  std::filesystem::path dir_;
  ManualClock clock_;
  std::unique_ptr<store::Store> store_;
  store::Account alice_;
  std::unique_ptr<Authenticator> auth_;
};

TEST_F(AuthenticatorTest, BasicWithTheRightPasswordGivesThePrincipal) {
  auto p = Basic("alice", "correct horse battery");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ((*p)->username, "alice");
  EXPECT_EQ((*p)->organization, "identity--11111111-1111-4111-8111-111111111111");
  EXPECT_TRUE((*p)->HasRole("reader"));
  EXPECT_FALSE((*p)->IsAdmin());
  EXPECT_EQ(auth_->verifications(), 1);
  // The second time comes from the cache.
  ASSERT_TRUE(Basic("alice", "correct horse battery").ok());
  EXPECT_EQ(auth_->verifications(), 1);
  EXPECT_EQ(auth_->cache_hits(), 1);
}

TEST_F(AuthenticatorTest, ABurstOfTheSameCredentialsPaysOneVerification) {
  // A reconnect storm: many requests with the same credentials before the
  // first verification finished.
  std::string h = "Basic " + Base64Encode(std::string("alice:correct horse battery"));
  std::mutex mu;
  std::condition_variable cv;
  int done = 0, ok = 0;
  for (int i = 0; i < 50; ++i) {
    auth_->Authenticate(&h, "10.0.0.9", [&](Result<PrincipalPtr> r) {
      std::lock_guard lock(mu);
      ++done;
      ok += r.ok();
      cv.notify_all();
    });
  }
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return done == 50; }));
  EXPECT_EQ(ok, 50);
  EXPECT_EQ(auth_->verifications(), 1);
}

TEST_F(AuthenticatorTest, WrongMissingOrMalformedCredentialsAreUnauthenticated) {
  EXPECT_EQ(Basic("alice", "wrong").error().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(Basic("mallory", "whatever").error().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(auth_->AuthenticateSync(nullptr, "x").error().code(), StatusCode::kUnauthenticated);
  std::string bad = "Basic ###";
  EXPECT_EQ(auth_->AuthenticateSync(&bad, "x").error().code(), StatusCode::kUnauthenticated);
  std::string nocolon = "Basic " + Base64Encode("alice");
  EXPECT_EQ(auth_->AuthenticateSync(&nocolon, "x").error().code(), StatusCode::kUnauthenticated);
  std::string other = "Negotiate abc";
  EXPECT_EQ(auth_->AuthenticateSync(&other, "x").error().code(), StatusCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, RepeatedFailuresFromOneAddressAreRateLimited) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Basic("alice", "bad" + std::to_string(i), "10.9.9.9").error().code(),
              StatusCode::kUnauthenticated);
  }
  EXPECT_EQ(Basic("alice", "correct horse battery", "10.9.9.9").error().code(),
            StatusCode::kResourceExhausted);
  // Another address is unaffected, and the window expires.
  EXPECT_TRUE(Basic("alice", "correct horse battery", "10.1.1.1").ok());
  clock_.now += 61'000'000;
  EXPECT_TRUE(Basic("alice", "correct horse battery", "10.9.9.9").ok());
}

TEST_F(AuthenticatorTest, DisablingAnAccountOrChangingItsPasswordTakesEffect) {
  ASSERT_TRUE(Basic("alice", "correct horse battery").ok());
  store::Account a = alice_;
  a.password_hash = *HashSecret("a new long password", HashCost::kTest);
  ASSERT_TRUE(store_->PutAccount(a).ok());
  EXPECT_FALSE(Basic("alice", "correct horse battery").ok());
  EXPECT_TRUE(Basic("alice", "a new long password").ok());
  a.disabled = true;
  ASSERT_TRUE(store_->PutAccount(a).ok());
  EXPECT_FALSE(Basic("alice", "a new long password").ok());
}

TEST_F(AuthenticatorTest, GrantChangesRefreshCachedPrincipals) {
  ASSERT_TRUE(store_->PutApiRoot(store::ApiRoot{"api1", "t", "", 1 << 20}).ok());
  store::Collection c;
  c.id = "22222222-2222-4222-8222-222222222222";
  c.api_root = "api1";
  c.title = "c";
  auto col = store_->PutCollection(c);
  ASSERT_TRUE(col.ok());
  auto before = Basic("alice", "correct horse battery");
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE((*before)->Access(col->key).can_read);
  ASSERT_TRUE(store_->PutGrant(store::Grant{alice_.key, col->key, true, false}).ok());
  auto after = Basic("alice", "correct horse battery");
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE((*after)->Access(col->key).can_read);
  EXPECT_FALSE((*after)->Access(col->key).can_write);
  EXPECT_EQ(auth_->verifications(), 1);  // refreshed without re-verifying
}

TEST_F(AuthenticatorTest, TokensWorkUntilRevokedOrExpired) {
  auto t = IssueToken(store_.get(), alice_.key, "ci", clock_.now + 1'000'000, clock_.now,
                      HashCost::kTest);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  std::string h = "Bearer " + t->token;
  auto p = auth_->AuthenticateSync(&h, "x");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ((*p)->username, "alice");
  EXPECT_EQ((*p)->scheme, "token");
  std::string wrong = h + "x";
  EXPECT_FALSE(auth_->AuthenticateSync(&wrong, "x").ok());
  clock_.now += 2'000'000;  // expired, also when cached
  EXPECT_FALSE(auth_->AuthenticateSync(&h, "x").ok());

  auto t2 = IssueToken(store_.get(), alice_.key, "ci2", std::nullopt, clock_.now, HashCost::kTest);
  ASSERT_TRUE(t2.ok());
  std::string h2 = "Bearer " + t2->token;
  ASSERT_TRUE(auth_->AuthenticateSync(&h2, "x").ok());
  ASSERT_TRUE(store_->DeleteToken(t2->id).ok());
  EXPECT_FALSE(auth_->AuthenticateSync(&h2, "x").ok());
}

// Issue 10, finding 4: what a long-lived stream re-checks.
TEST_F(AuthenticatorTest, RevalidateFollowsTheCredentialThePrincipalWasAuthenticatedWith) {
  auto t = IssueToken(store_.get(), alice_.key, "ci", clock_.now + 10'000'000, clock_.now,
                      HashCost::kTest);
  ASSERT_TRUE(t.ok());
  std::string bearer = "Bearer " + t->token;
  auto by_token = auth_->AuthenticateSync(&bearer, "x");
  ASSERT_TRUE(by_token.ok()) << by_token.status().ToString();
  EXPECT_EQ((*by_token)->token_id, t->id);
  ASSERT_TRUE((*by_token)->expires_us.has_value());
  EXPECT_EQ(*(*by_token)->expires_us, clock_.now + 10'000'000);
  EXPECT_FALSE((*by_token)->credential_fingerprint.empty());
  auto by_password = Basic("alice", "correct horse battery");
  ASSERT_TRUE(by_password.ok());
  EXPECT_TRUE((*by_password)->token_id.empty());
  EXPECT_FALSE((*by_password)->credential_fingerprint.empty());
  auto loaded = auth_->LoadPrincipal(alice_.key);
  ASSERT_TRUE(loaded.ok());

  auto reason = [&](const PrincipalPtr& p) -> std::string {
    auto r = auth_->Revalidate(*p);
    if (r.ok()) return "valid";
    EXPECT_EQ(r.error().code(), StatusCode::kUnauthenticated) << r.error().ToString();
    return r.error().message();
  };
  EXPECT_EQ(reason(*by_token), "valid");
  EXPECT_EQ(reason(*by_password), "valid");
  EXPECT_EQ(reason(*loaded), "valid");

  // Grants are read afresh; the credential is carried over.
  ASSERT_TRUE(store_->PutApiRoot(store::ApiRoot{"api1", "t", "", 1 << 20}).ok());
  store::Collection c;
  c.id = "33333333-3333-4333-8333-333333333333";
  c.api_root = "api1";
  c.title = "c";
  auto col = store_->PutCollection(c);
  ASSERT_TRUE(col.ok());
  ASSERT_TRUE(store_->PutGrant(store::Grant{alice_.key, col->key, true, false}).ok());
  auto fresh = auth_->Revalidate(**by_token);
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE((*fresh)->Access(col->key).can_read);
  EXPECT_EQ((*fresh)->token_id, t->id);
  EXPECT_EQ((*fresh)->credential_fingerprint, (*by_token)->credential_fingerprint);

  // Expiry, without any directory change.
  clock_.now += 10'000'000;
  EXPECT_EQ(reason(*by_token), "the API token expired");
  clock_.now -= 10'000'000;
  // Revocation.
  ASSERT_TRUE(store_->DeleteToken(t->id).ok());
  EXPECT_EQ(reason(*by_token), "the API token was revoked");
  // A password change ends password logins only.
  store::Account a = alice_;
  a.password_hash = *HashSecret("a new long password", HashCost::kTest);
  ASSERT_TRUE(store_->PutAccount(a).ok());
  EXPECT_EQ(reason(*by_password), "the account's password changed");
  EXPECT_EQ(reason(*loaded), "valid");
  // Disabling ends everything.
  a.disabled = true;
  ASSERT_TRUE(store_->PutAccount(a).ok());
  EXPECT_EQ(reason(*loaded), "the account was disabled");
  EXPECT_EQ(reason(*by_password), "the account was disabled");
  // Loading a disabled account names the same reason: a webhook whose
  // worker starts just as its account is disabled records it (the CI
  // failure of WebhookServiceTest.ASuspensionIsRecorded, "invalid
  // credentials").
  auto load_disabled = auth_->LoadPrincipal(alice_.key);
  ASSERT_FALSE(load_disabled.ok());
  EXPECT_EQ(load_disabled.error().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(load_disabled.error().message(), "the account was disabled");
  auto load_missing = auth_->LoadPrincipal(alice_.key + 1000);
  ASSERT_FALSE(load_missing.ok());
  EXPECT_EQ(load_missing.error().message(), "the account was removed");
  // An anonymous principal has nothing to re-check and is never valid.
  EXPECT_FALSE(auth_->Revalidate(Principal{}).ok());
}

// A stream that ended because its token was revoked (Revalidate said so)
// must not be followed by a request the login cache still accepts with that
// token, however recently the cache last polled the directory (the CI
// failure of StreamCredentialsTest.RevokingTheTokenEndsAnSseStream).
TEST_F(AuthenticatorTest, ACredentialRevalidateFoundGoneIsNoLongerServedFromTheCache) {
  AuthenticatorOptions ao;
  ao.generation_poll_us = 3'600'000'000;  // the cache would not poll on its own
  Authenticator auth(store_.get(), ao, &clock_);
  auto t = IssueToken(store_.get(), alice_.key, "ci", std::nullopt, clock_.now, HashCost::kTest);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  std::string bearer = "Bearer " + t->token;
  auto p = auth.AuthenticateSync(&bearer, "x");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_TRUE(auth.AuthenticateSync(&bearer, "x").ok());
  EXPECT_GE(auth.cache_hits(), 1);
  ASSERT_TRUE(store_->DeleteToken(t->id).ok());
  auto r = auth.Revalidate(**p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "the API token was revoked");
  auto again = auth.AuthenticateSync(&bearer, "x");
  EXPECT_FALSE(again.ok()) << "the cache still accepted a token Revalidate found revoked";
  if (!again.ok()) {
    EXPECT_EQ(again.error().code(), StatusCode::kUnauthenticated);
  }
}

// Issue 10, finding 7: a token verified under generation G, whose result is
// about to be cached when the token is revoked and the cache has already
// been refreshed for G+1, must not stay valid from the cache.
TEST_F(AuthenticatorTest, AResultVerifiedBeforeARefreshIsNotCachedAfterIt) {
  // A cached credential: authenticating with it is a cache hit that polls
  // the directory generation inline (generation_poll_us = 0).
  ASSERT_TRUE(Basic("alice", "correct horse battery").ok());
  auto t = IssueToken(store_.get(), alice_.key, "ci", std::nullopt, clock_.now, HashCost::kTest);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  std::string bearer = "Bearer " + t->token;
  bool hook_ran = false;
  auth_->SetBeforeCacheInsertForTest([&] {
    if (hook_ran) return;
    hook_ran = true;
    // Between verification and insertion: the token is revoked, and another
    // request notices the new generation (refreshing the cache without the
    // entry still being inserted).
    ASSERT_TRUE(store_->DeleteToken(t->id).ok());
    ASSERT_TRUE(Basic("alice", "correct horse battery").ok());
  });
  // The request that raced the revocation may succeed once...
  (void)auth_->AuthenticateSync(&bearer, "x");
  ASSERT_TRUE(hook_ran);
  // ...but the revoked token must not be served from the cache afterwards.
  auto again = auth_->AuthenticateSync(&bearer, "x");
  EXPECT_FALSE(again.ok()) << "a revoked token stayed valid from the login cache";
  if (!again.ok()) {
    EXPECT_EQ(again.error().code(), StatusCode::kUnauthenticated);
  }
}

TEST(SecretTest, HashesAreArgon2idAndVerify) {
  auto h = HashSecret("s3cret-value", HashCost::kTest);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifySecret(*h, "s3cret-value"));
  EXPECT_FALSE(VerifySecret(*h, "s3cret-valuf"));
  EXPECT_FALSE(VerifySecret("plaintext", "plaintext"));
  EXPECT_NE(*h, *HashSecret("s3cret-value", HashCost::kTest));  // salted
}

TEST(SecretTest, ConstantTimeEqualsComparesContent) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(TokenTest, ParsesOnlyKizunaTokens) {
  EXPECT_TRUE(ParseToken("kz1.abc.def").ok());
  EXPECT_FALSE(ParseToken("kz2.abc.def").ok());
  EXPECT_FALSE(ParseToken("kz1.abcdef").ok());
  EXPECT_FALSE(ParseToken("kz1..def").ok());
  EXPECT_FALSE(ParseToken("kz1.abc.").ok());
}

// A token id is typed on command lines (`admin token revoke ID`): one that
// started with '-' read as an option there (1 in 64 did, a flaky revoke).
TEST(TokenIdTest, NeverStartsLikeAnOption) {
  std::set<std::string> seen;
  for (int i = 0; i < 5000; ++i) {
    std::string id = NewTokenId();
    ASSERT_EQ(id.size(), 16u);
    ASSERT_NE(id[0], '-') << id;
    ASSERT_NE(id[0], '_') << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 5000u);
}

}  // namespace
}  // namespace kizuna::auth
