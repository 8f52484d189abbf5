#pragma once
// Webhooks (issue 5; protocol in docs/channels.md): the hub POSTs the newly
// committed objects of a collection, as the webhook's account may see them
// (the policy decision point, Path::kWebhook), to a registered URL, in
// batches signed with HMAC-SHA256. Each webhook keeps its cursor in the
// store (moved only after a 2xx answer: at-least-once delivery in date_added
// order); a failed delivery is retried with exponential backoff and jitter
// up to max_attempts times, after which the webhook is suspended (nothing
// is skipped: `kizuna admin webhook resume` continues from the cursor).
// The webhook delivers as its account: before each batch and before each
// attempt to deliver one, the account is re-checked against the directory
// (it exists, is enabled, may read the collection); when it may no longer
// receive, the webhook is suspended the same way, with the reason logged and
// shown by `kizuna admin webhook list`.
//
// A suspension is written only onto the record as the worker read it (a
// compare-and-swap, Store::UpdateConfigRecord): a webhook removed meanwhile
// (`webhook remove`, `peer remove`, from another process, before the
// supervisor's next reload) is never written back, suspended or not.
//
// Registered with `kizuna admin webhook add`; stored as a
// store::ConfigRecord of kind "webhook" (JSON, below).
//
// Signature (Stripe-style, so receivers can reject replays):
//   X-Kizuna-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//
// Thread-safe.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "auth/authenticator.h"
#include "auth/sealed.h"
#include "core/time.h"
#include "http/client.h"
#include "policy/decision_point.h"
#include "store/store.h"

namespace kizuna::stream {

inline constexpr const char* kWebhookRecordKind = "webhook";

struct WebhookConfig {
  std::string id;          // UUIDv4
  std::string account;     // the subscriber: objects are released as to this account
  std::string api_root;
  std::string collection;  // collection id
  std::string url;         // https (http only to loopback, or with allow_plain_http)
  std::string secret;      // the HMAC key, sealed (auth/sealed.h)
  std::vector<std::string> types;     // only these types ("" list = all)
  std::vector<std::string> markings;  // only these TLP levels (names: clear, green, ...)
  int max_attempts = 8;               // per batch, then suspended
  int max_batch = 100;                // objects per POST
  bool allow_plain_http = false;
  std::string ca_file;
  bool insecure_skip_verify = false;  // tests only
  bool suspended = false;
  std::string last_error;
  int64_t created_us = 0;
  // Deliver the collection's existing objects too (else only those committed
  // after created_us).
  bool from_start = false;
};

std::string EncodeWebhookConfig(const WebhookConfig& w);
// Parses and validates a stored record's value (InvalidArgument naming the
// problem).
Result<WebhookConfig> DecodeWebhookConfig(std::string_view json);
Status ValidateWebhookConfig(const WebhookConfig& w);
std::string WebhookCursorName(std::string_view id);

// "t=<t>,v1=<hex>" for `body` sent at `unix_seconds`.
std::string SignWebhook(std::string_view secret, int64_t unix_seconds, std::string_view body);
// Checks a signature header (for receivers; constant-time comparison).
// PermissionDenied when it does not match or is older/newer than
// `tolerance_seconds`; InvalidArgument when malformed.
Status VerifyWebhookSignature(std::string_view secret, std::string_view header,
                             std::string_view body, int64_t now_seconds,
                             int64_t tolerance_seconds = 300);

struct WebhookOptions {
  http::ClientOptions http;
  int64_t initial_backoff_ms = 500;
  int64_t max_backoff_ms = 60'000;
  int64_t reload_ms = 500;
  size_t max_batch_bytes = 1 << 20;
};

struct WebhookStats {
  int64_t active = 0;
  int64_t deliveries = 0;  // successful POSTs
  int64_t objects = 0;
  int64_t failures = 0;    // failed attempts
  // Webhooks this process stopped (attempts exhausted, account no longer
  // allowed), also those found removed meanwhile (then nothing is recorded).
  int64_t suspended = 0;
};

class WebhookService {
 public:
  // Everything must outlive the service; `sealer` may be null (then no
  // webhook can sign, and none runs).
  WebhookService(store::Store* store, auth::Authenticator* auth, policy::DecisionPoint* policy,
                 const auth::SecretSealer* sealer, WebhookOptions options,
                 const Clock* clock = &SystemClock::Get());
  ~WebhookService();

  void Start();
  void Stop();
  WebhookStats Stats() const;

 private:
  class Worker;
  void Supervise();
  void Reload();
  void OnCommit(const store::CommitNotice& notice);

  store::Store* store_;
  auth::Authenticator* auth_;
  policy::DecisionPoint* policy_;
  const auth::SecretSealer* sealer_;
  WebhookOptions options_;
  const Clock* clock_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool started_ = false;
  std::thread supervisor_;
  std::map<std::string, std::unique_ptr<Worker>> workers_;  // supervisor thread only
  std::map<std::string, std::string> records_;              // supervisor thread only
  int64_t generation_ = -1;

  std::mutex commit_mu_;
  std::condition_variable commit_cv_;
  uint64_t commits_ = 0;  // GUARDED_BY(commit_mu_)

  std::atomic<int64_t> active_{0}, deliveries_{0}, objects_{0}, failures_{0}, suspended_{0};
};

}  // namespace kizuna::stream
