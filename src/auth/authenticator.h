#pragma once
// Authenticator: turns an Authorization header into a Principal.
//
// Schemes: HTTP Basic (TAXII 2.1 §1.6.9: the mandatory scheme) with an
// account's username and password, and "Bearer <token>" with an API token
// (kz1.<id>.<secret>, see tokens.h). Secrets are stored as argon2id hashes;
// verification is deliberately slow (~50 ms), so:
//  - a verified credential is cached in memory under an HMAC-SHA256 of the
//    credential keyed by a per-process random key (the plaintext is never
//    kept); a cache hit costs about a microsecond;
//  - cache misses are verified on a small worker pool, never on the caller's
//    (network) thread, and their results are delivered through a callback;
//  - failures are rate-limited per remote address (too many -> ResourceExhausted,
//    HTTP 429) and unknown usernames burn the same time as wrong passwords.
// Directory changes (account disabled, password changed, grants changed,
// token revoked) are noticed through Store::DirectoryGeneration(), polled at
// most every `generation_poll_us`; cached principals are then refreshed and
// credentials whose hash changed are dropped. A result verified under a
// generation other than the one the cache holds (the directory changed
// during or after the verification) is used for its request but not cached.
//
// Thread-safe.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/principal.h"
#include "auth/sessions.h"
#include "core/result.h"
#include "core/thread_pool.h"
#include "core/time.h"

namespace kizuna::store {
class Store;
struct Account;
}

namespace kizuna::auth {

struct AuthenticatorOptions {
  int64_t generation_poll_us = 200'000;
  int max_failures = 20;                  // per remote address and window
  int64_t failure_window_us = 60'000'000;
  size_t verify_threads = 1;
  size_t max_cached_credentials = 100'000;
  size_t max_pending_verifications = 256;  // beyond: Unavailable (503), never an unbounded queue
  SessionOptions sessions;                 // browser sessions (sessions.h)
};

using PrincipalPtr = std::shared_ptr<const Principal>;

class Authenticator {
 public:
  // `store` and `clock` must outlive the Authenticator.
  Authenticator(store::Store* store, AuthenticatorOptions options,
                const Clock* clock = &SystemClock::Get());
  ~Authenticator();

  using Done = std::function<void(Result<PrincipalPtr>)>;

  // `authorization` is the Authorization header value, or nullptr when the
  // request had none (-> Unauthenticated). `remote` is the client address
  // used for rate limiting. Calls `done` exactly once: inline for cache hits
  // and fast failures, else from a worker thread.
  // Errors: Unauthenticated (missing, malformed or wrong credentials,
  // disabled account, expired token), ResourceExhausted (too many failures
  // from this address), IoError/Internal (store failure).
  void Authenticate(const std::string* authorization, std::string_view remote, Done done);

  // A sign-in with an account's username and password (the dashboard's
  // login form): verified, cached and rate-limited exactly as HTTP Basic.
  // The caller then opens a session (sessions()).
  void SignIn(std::string_view username, std::string_view password, std::string_view remote, Done done);

  // Browser sessions: "Authorization: Session <secret>" (the hub turns the
  // session cookie into it) authenticates as the session's principal.
  SessionTable& sessions() { return *sessions_; }

  // Blocking form for tools and tests.
  Result<PrincipalPtr> AuthenticateSync(const std::string* authorization, std::string_view remote);

  // Loads the principal of an account (no credential check): admin tools,
  // webhooks. Unauthenticated when the account is missing or disabled, with
  // the message Revalidate gives ("the account was removed", "the account
  // was disabled"): a webhook suspended while its worker starts records the
  // same reason as one suspended later.
  Result<PrincipalPtr> LoadPrincipal(int64_t account_key);

  // Re-checks, without the secret, the credential `principal` was
  // authenticated with against the directory as it is now, for uses that
  // outlive the request (channel streams, webhooks): the account exists and
  // is enabled; an API token still exists for the same account with the
  // same hash and has not expired; a password's stored hash is the one it
  // was verified against. A principal without a credential (LoadPrincipal)
  // is checked as an account only. Returns the principal rebuilt from the
  // directory (roles and grants as they are now) with the same credential,
  // or Unauthenticated whose message names what changed ("the API token was
  // revoked", "the API token expired", "the account's password changed",
  // "the account was disabled", "the account was removed");
  // IoError/Internal when the store fails. After an Unauthenticated answer
  // the login cache no longer serves that credential either: the cache is
  // refreshed before Revalidate returns, so a stream that ended because its
  // token was revoked is never followed by a request the cache still
  // accepts with that token.
  Result<PrincipalPtr> Revalidate(const Principal& principal);

  // Counters for /metrics.
  int64_t cache_hits() const { return cache_hits_.load(std::memory_order_relaxed); }
  int64_t verifications() const { return verifications_.load(std::memory_order_relaxed); }
  int64_t failures() const { return failures_.load(std::memory_order_relaxed); }

  // Test seam: `hook` runs on the verifying thread after a credential was
  // verified and before its result is cached (the window of the login cache
  // race, issue 10 finding 7). REQUIRES: set before the first Authenticate.
  void SetBeforeCacheInsertForTest(std::function<void()> hook) {
    before_cache_insert_for_test_ = std::move(hook);
  }

 private:
  struct CacheEntry {
    int64_t generation = 0;
    PrincipalPtr principal;  // names its credential (token id, fingerprint, expiry)
  };
  // The credential part of a Principal.
  struct CredentialRef {
    std::string scheme;
    std::string token_id;
    std::string fingerprint;
    std::optional<int64_t> expires_us;
    std::string session_id;
  };
  struct Credential {
    bool token = false;
    bool session = false;  // "Session <secret>": a browser session
    std::string user_or_token_id;
    std::string secret;
  };

  static Result<Credential> ParseAuthorization(std::string_view header);
  // Authenticate, for a password or token credential.
  void AuthenticateCredential(Credential cred, std::string_view remote, Done done);
  std::string CacheKey(const Credential& c) const;
  // Polls the directory generation (at most every generation_poll_us unless
  // `force`) and refreshes the cache when it moved.
  void MaybeRefreshGeneration(bool force = false);
  // Revalidate without touching the cache (the refresh loop's check).
  Result<PrincipalPtr> Recheck(const Principal& principal);
  // Counts a verification for `remote` (false: over the limit, counting the
  // ones in flight, so concurrent guesses cannot outrun the limit).
  bool StartAttempt(std::string_view remote);
  void FinishAttempt(std::string_view remote, bool failed);
  // Verifies on the calling thread (a worker), then caches.
  Result<PrincipalPtr> VerifySlow(const Credential& c, const std::string& key);
  // The principal of `account` (its grants read now) carrying `credential`.
  Result<PrincipalPtr> BuildPrincipal(const store::Account& account, CredentialRef credential);
  // Keyed digest of a stored hash (Principal::credential_fingerprint).
  std::string Fingerprint(std::string_view stored_hash) const;

  store::Store* store_;
  AuthenticatorOptions options_;
  const Clock* clock_;
  std::string hmac_key_;

  std::shared_mutex cache_mu_;
  std::unordered_map<std::string, CacheEntry> cache_;  // GUARDED_BY(cache_mu_)
  std::atomic<int64_t> generation_{-1};
  std::atomic<int64_t> last_poll_us_{0};
  std::mutex poll_mu_;

  std::mutex fail_mu_;
  struct FailWindow {
    int64_t start_us = 0;
    int count = 0;
    int in_flight = 0;  // verifications queued or running for this address
  };
  std::unordered_map<std::string, FailWindow> failures_by_remote_;  // GUARDED_BY(fail_mu_)

  // Single flight: concurrent requests with the same credential wait for the
  // one verification in progress instead of each starting their own.
  std::mutex inflight_mu_;
  std::unordered_map<std::string, std::vector<Done>> inflight_;  // GUARDED_BY(inflight_mu_)

  std::atomic<int64_t> cache_hits_{0}, verifications_{0}, failures_{0};
  std::atomic<size_t> pending_{0};
  std::function<void()> before_cache_insert_for_test_;
  std::unique_ptr<SessionTable> sessions_;
  std::unique_ptr<ThreadPool> pool_;  // last: joined first in the destructor
};

}  // namespace kizuna::auth
