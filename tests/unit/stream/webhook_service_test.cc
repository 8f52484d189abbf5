// WebhookService against a real SQLite store (no receiver: no object is
// ever delivered). A worker that suspends its webhook must not write back a
// webhook that was removed meanwhile (`webhook remove`, or `peer remove`,
// which removes the peer's webhooks and then disables its account, from
// another process, before the supervisor's next reload).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "auth/authenticator.h"
#include "auth/sealed.h"
#include "core/uuid.h"
#include "policy/decision_point.h"
#include "store/audit_log.h"
#include "store/sqlite/sqlite_store.h"
#include "stream/webhooks.h"

namespace kizuna::stream {
namespace {

constexpr const char* kOrg = "identity--11111111-1111-4111-8111-111111111111";
constexpr const char* kCollection = "22222222-2222-4222-8222-222222222222";

// Polls `done` until it holds or a generous deadline passes.
bool WaitUntil(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

class WebhookServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kizuna-webhooks-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store::SqliteOptions o;
    o.path = (dir_ / "k.db").string();
    o.durable = false;
    auto s = store::OpenSqliteStore(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    auto audit = store::OpenSqliteAuditLog(store::AuditPathFor(o.path));
    ASSERT_TRUE(audit.ok()) << audit.status().ToString();
    audit_ = std::move(*audit);
    policy_ = std::make_unique<policy::DecisionPoint>(store_.get(), audit_.get());
    auth::AuthenticatorOptions ao;
    ao.generation_poll_us = 0;  // the account check sees directory changes at once
    auth_ = std::make_unique<auth::Authenticator>(store_.get(), ao);

    ASSERT_TRUE(
        store_->PutOrganization(store::Organization{kOrg, "Org", "JP", "operator", {}}).ok());
    store::Account a;
    a.username = "hook-bot";
    a.organization = kOrg;
    a.roles = {"reader"};
    auto put = store_->PutAccount(a);
    ASSERT_TRUE(put.ok());
    account_ = *put;
    ASSERT_TRUE(store_->PutApiRoot(store::ApiRoot{"api1", "t", "", 1 << 20}).ok());
    store::Collection c;
    c.id = kCollection;
    c.api_root = "api1";
    c.title = "c";
    auto col = store_->PutCollection(c);
    ASSERT_TRUE(col.ok());
    ASSERT_TRUE(store_->PutGrant(store::Grant{account_.key, col->key, true, false}).ok());

    WebhookConfig w;
    w.id = NewUuidV4();
    w.account = "hook-bot";
    w.api_root = "api1";
    w.collection = kCollection;
    w.url = "http://127.0.0.1:9/hook";
    w.secret = sealer_.Seal("a-webhook-secret-of-some-length");
    w.created_us = SystemClock::Get().NowMicros();
    id_ = w.id;
    ASSERT_TRUE(store_->PutConfigRecord({kWebhookRecordKind, w.id, EncodeWebhookConfig(w)}).ok());

    WebhookOptions wo;
    // The supervisor reads the records once, at Start: a removal is not
    // noticed (and the worker not stopped) before the worker suspends, the
    // window that a running hub has until its next reload.
    wo.reload_ms = 3'600'000;
    service_ =
        std::make_unique<WebhookService>(store_.get(), auth_.get(), policy_.get(), &sealer_, wo);
    service_->Start();
    ASSERT_TRUE(WaitUntil([&] { return service_->Stats().active == 1; }));
  }
  void TearDown() override {
    service_.reset();
    auth_.reset();
    policy_.reset();
    audit_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Disables the account: the worker's next check suspends the webhook.
  void DisableAccount() {
    store::Account a = account_;
    a.disabled = true;
    ASSERT_TRUE(store_->PutAccount(a).ok());
  }
  // Waits until the worker has decided to suspend, then stops the service
  // (joining the worker: whatever it writes is written).
  void WaitForSuspensionAndStop() {
    ASSERT_TRUE(WaitUntil([&] { return service_->Stats().suspended >= 1; }));
    service_->Stop();
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::AuditLog> audit_;
  std::unique_ptr<policy::DecisionPoint> policy_;
  std::unique_ptr<auth::Authenticator> auth_;
  auth::SecretSealer sealer_ = auth::SecretSealer::FromKey("0123456789abcdef0123456789abcdef");
  store::Account account_;
  std::string id_;
  std::unique_ptr<WebhookService> service_;
};

TEST_F(WebhookServiceTest, ASuspensionIsRecorded) {
  DisableAccount();
  WaitForSuspensionAndStop();
  auto records = store_->ListConfigRecords(kWebhookRecordKind);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  auto w = DecodeWebhookConfig((*records)[0].value);
  ASSERT_TRUE(w.ok()) << w.error().message();
  EXPECT_TRUE(w->suspended);
  EXPECT_NE(w->last_error.find("the account was disabled"), std::string::npos) << w->last_error;
}

// `peer remove`'s order: the webhook is removed, then the account disabled;
// the running worker notices the account first.
TEST_F(WebhookServiceTest, ASuspensionNeverBringsBackARemovedWebhook) {
  ASSERT_TRUE(store_->DeleteConfigRecord(kWebhookRecordKind, id_).ok());
  DisableAccount();
  WaitForSuspensionAndStop();
  auto records = store_->ListConfigRecords(kWebhookRecordKind);
  ASSERT_TRUE(records.ok());
  EXPECT_TRUE(records->empty()) << "the removed webhook was written back: " << (*records)[0].value;
}

}  // namespace
}  // namespace kizuna::stream
