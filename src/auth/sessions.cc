#include "auth/sessions.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/secret.h"

namespace kizuna::auth {

SessionTable::SessionTable(SessionOptions options, Recheck recheck, const Clock* clock)
    : options_(options), recheck_(std::move(recheck)), clock_(clock), key_(RandomSecret(32)) {}

std::string SessionTable::Key(std::string_view secret) const {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

bool SessionTable::Expired(const Session& s, int64_t now) const {
  return now - s.last_used_us >= options_.idle_us || now - s.created_us >= options_.absolute_us;
}

void SessionTable::EraseLocked(std::unordered_map<std::string, Session>::iterator it) {
  key_of_id_.erase(it->second.id);
  by_created_.erase(it->second.created_at);
  by_key_.erase(it);
}

IssuedSession SessionTable::Create(const Principal& principal) {
  const int64_t now = clock_->NowMicros();
  IssuedSession out;
  out.secret = RandomSecret(32);
  out.csrf = RandomSecret(32);
  out.id = RandomSecret(12);
  out.expires_us = now + options_.absolute_us;
  auto p = std::make_shared<Principal>(principal);
  p->scheme = "session";
  p->session_id = out.id;
  p->expires_us = out.expires_us;
  Session s{out.id, std::move(p), out.csrf, now, now, now, {}};
  const std::string key = Key(out.secret);
  std::lock_guard lock(mu_);
  while (by_key_.size() >= options_.max_sessions && !by_created_.empty()) {
    auto it = by_key_.find(by_created_.begin()->second);
    if (it == by_key_.end()) {
      by_created_.erase(by_created_.begin());  // cannot happen: kept in step
      continue;
    }
    EraseLocked(it);
  }
  key_of_id_[out.id] = key;
  s.created_at = by_created_.emplace(now, key);
  by_key_[key] = std::move(s);
  return out;
}

Result<SessionView> SessionTable::Find(std::string_view secret) {
  if (secret.empty() || secret.size() > 128) return Unauthenticated("not signed in");
  const std::string key = Key(secret);
  const int64_t now = clock_->NowMicros();
  std::shared_ptr<const Principal> principal;
  {
    std::lock_guard lock(mu_);
    auto it = by_key_.find(key);
    if (it == by_key_.end()) return Unauthenticated("not signed in (signed out, or the session expired)");
    Session& s = it->second;
    if (Expired(s, now)) {
      EraseLocked(it);
      return Unauthenticated("the session expired; sign in again");
    }
    s.last_used_us = now;
    if (now - s.checked_us < options_.recheck_us) {
      return SessionView{s.principal, s.csrf, s.created_us + options_.absolute_us};
    }
    principal = s.principal;
  }
  // Re-read the account outside the lock (a store read).
  auto fresh = recheck_(*principal);
  std::lock_guard lock(mu_);
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return Unauthenticated("not signed in (signed out, or the session expired)");
  Session& s = it->second;
  if (!fresh.ok()) {
    if (fresh.error().code() != StatusCode::kUnauthenticated) return fresh.error();  // store trouble: not the user's
    EraseLocked(it);
    return fresh.error();
  }
  auto p = std::make_shared<Principal>(**fresh);
  p->scheme = "session";
  p->session_id = s.id;
  p->expires_us = s.created_us + options_.absolute_us;
  s.principal = std::move(p);
  s.checked_us = now;
  return SessionView{s.principal, s.csrf, s.created_us + options_.absolute_us};
}

bool SessionTable::IsOpen(std::string_view id) {
  const int64_t now = clock_->NowMicros();
  std::lock_guard lock(mu_);
  auto k = key_of_id_.find(std::string(id));
  if (k == key_of_id_.end()) return false;
  auto it = by_key_.find(k->second);
  return it != by_key_.end() && !Expired(it->second, now);
}

void SessionTable::Remove(std::string_view secret) {
  const std::string key = Key(secret);
  std::lock_guard lock(mu_);
  auto it = by_key_.find(key);
  if (it != by_key_.end()) EraseLocked(it);
}

size_t SessionTable::size() {
  std::lock_guard lock(mu_);
  return by_key_.size();
}

}  // namespace kizuna::auth
