#pragma once
// Browser sessions (issue 13, docs/ui.md): after a sign-in with an account's
// username and password, the dashboard holds a session cookie instead of the
// password. The table maps the cookie's secret to the principal the sign-in
// produced and to the session's CSRF token.
//
// - A session's secret and its CSRF token are 32 random bytes each
//   (base64url); the table keys sessions by a keyed digest of the secret
//   (the secret itself is not kept), and compares CSRF tokens in constant
//   time.
// - A session ends at logout, after `idle_us` without use, `absolute_us`
//   after the sign-in, or when the account behind it changes: disabled,
//   removed, or its password changed (checked against the directory at most
//   every `recheck_us`, and by Authenticator::Revalidate for streams).
// - At most `max_sessions`: past it the oldest session ends.
// Sessions live in the hub's memory: a restart signs everyone out.
//
// Thread-safe.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/principal.h"
#include "core/result.h"
#include "core/time.h"

namespace kizuna::auth {

struct SessionOptions {
  int64_t idle_us = 30LL * 60 * 1'000'000;         // 30 minutes without a request
  int64_t absolute_us = 12LL * 3600 * 1'000'000;   // 12 hours after the sign-in
  int64_t recheck_us = 5'000'000;                   // the account re-read at most this often
  size_t max_sessions = 100'000;
};

// What the browser gets at sign-in: the cookie's value and the CSRF token
// its state-changing requests must repeat (X-CSRF-Token).
struct IssuedSession {
  std::string secret;
  std::string csrf;
  std::string id;  // public: names the session in Principal::session_id and logs
  int64_t expires_us = 0;
};

// A session found by its secret.
struct SessionView {
  std::shared_ptr<const Principal> principal;  // scheme "session", session_id set
  std::string csrf;
  int64_t expires_us = 0;
};

class SessionTable {
 public:
  // Re-reads a session's principal from the directory (the authenticator's
  // Revalidate without sessions); Unauthenticated ends the session.
  using Recheck = std::function<Result<std::shared_ptr<const Principal>>(const Principal&)>;

  SessionTable(SessionOptions options, Recheck recheck, const Clock* clock = &SystemClock::Get());

  // A new session for `principal` (an account signed in with its password).
  IssuedSession Create(const Principal& principal);

  // The session whose secret is `secret`, refreshed (idle time restarted,
  // the account re-read when due). Unauthenticated when there is none or it
  // ended, with the reason ("signed out or expired", the account's change).
  Result<SessionView> Find(std::string_view secret);

  // Is the session `id` (Principal::session_id) still open? (Revalidate.)
  bool IsOpen(std::string_view id);

  // Ends the session whose secret is `secret` (logout). Idempotent.
  void Remove(std::string_view secret);

  size_t size();
  // The session cookie's Max-Age: a session never outlives its absolute limit.
  int64_t max_age_s() const { return options_.absolute_us / 1'000'000; }

 private:
  struct Session {
    std::string id;
    std::shared_ptr<const Principal> principal;
    std::string csrf;
    int64_t created_us = 0;
    int64_t last_used_us = 0;
    int64_t checked_us = 0;
    std::multimap<int64_t, std::string>::iterator created_at;  // in by_created_
  };
  void EraseLocked(std::unordered_map<std::string, Session>::iterator it);
  std::string Key(std::string_view secret) const;
  bool Expired(const Session& s, int64_t now) const;

  SessionOptions options_;
  Recheck recheck_;
  const Clock* clock_;
  std::string key_;  // per process: digests of secrets mean nothing elsewhere

  std::mutex mu_;
  std::unordered_map<std::string, Session> by_key_;   // GUARDED_BY(mu_)
  std::unordered_map<std::string, std::string> key_of_id_;  // GUARDED_BY(mu_)
  std::multimap<int64_t, std::string> by_created_;    // GUARDED_BY(mu_): created -> key
};

}  // namespace kizuna::auth
