#include "auth/authenticator.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <future>

#include "auth/secret.h"
#include "auth/tokens.h"
#include "core/encoding.h"
#include "store/store.h"

namespace kizuna::auth {
namespace {

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IEqualsPrefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char a = s[i], b = prefix[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

Status BadCredentials() { return Unauthenticated("invalid credentials"); }

}  // namespace

Authenticator::Authenticator(store::Store* store, AuthenticatorOptions options, const Clock* clock)
    : store_(store),
      options_(options),
      clock_(clock),
      hmac_key_(RandomSecret(32)),
      sessions_(std::make_unique<SessionTable>(
          options.sessions, [this](const Principal& p) { return Recheck(p); }, clock)),
      pool_(std::make_unique<ThreadPool>(options.verify_threads < 1 ? 1 : options.verify_threads)) {}

Authenticator::~Authenticator() { pool_.reset(); }

Result<Authenticator::Credential> Authenticator::ParseAuthorization(std::string_view header) {
  header = TrimSpaces(header);
  Credential c;
  if (IEqualsPrefix(header, "basic ")) {
    auto decoded = Base64Decode(TrimSpaces(header.substr(6)));
    if (!decoded) return Unauthenticated("malformed Basic credentials");
    size_t colon = decoded->find(':');
    if (colon == std::string::npos) return Unauthenticated("malformed Basic credentials");
    c.user_or_token_id = decoded->substr(0, colon);
    c.secret = decoded->substr(colon + 1);
    if (c.user_or_token_id.empty() || c.user_or_token_id.size() > 256 || c.secret.size() > 1024) {
      return Unauthenticated("malformed Basic credentials");
    }
    return c;
  }
  if (IEqualsPrefix(header, "bearer ")) {
    auto parts = ParseToken(TrimSpaces(header.substr(7)));
    if (!parts.ok()) return Unauthenticated(parts.error().message());
    c.token = true;
    c.user_or_token_id = std::move(parts->id);
    c.secret = std::move(parts->secret);
    return c;
  }
  if (IEqualsPrefix(header, "session ")) {
    c.session = true;
    c.secret = std::string(TrimSpaces(header.substr(8)));
    return c;
  }
  return Unauthenticated("unsupported authorization scheme (use Basic or Bearer)");
}

std::string Authenticator::CacheKey(const Credential& c) const {
  // HMAC over "b|user|secret" or "t|id|secret": the plaintext never stays in memory
  // beyond the request, and the key is useless outside this process.
  std::string msg;
  msg.reserve(4 + c.user_or_token_id.size() + c.secret.size());
  msg += c.token ? "t|" : "b|";
  msg += c.user_or_token_id;
  msg += '|';
  msg += c.secret;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), hmac_key_.data(), static_cast<int>(hmac_key_.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out, &len);
  OPENSSL_cleanse(msg.data(), msg.size());
  return std::string(reinterpret_cast<char*>(out), len);
}

void Authenticator::MaybeRefreshGeneration(bool force) {
  int64_t now = clock_->NowMicros();
  int64_t last = last_poll_us_.load(std::memory_order_relaxed);
  if (!force && now - last < options_.generation_poll_us && generation_.load() >= 0) return;
  // A forced refresh waits for a poll in progress (which may have read the
  // generation before the change the caller saw) and then polls again.
  std::unique_lock poll_lock(poll_mu_, std::defer_lock);
  if (force) {
    poll_lock.lock();
  } else if (!poll_lock.try_lock()) {
    return;  // another thread is polling
  }
  last_poll_us_.store(now, std::memory_order_relaxed);
  auto gen = store_->DirectoryGeneration();
  if (!gen.ok()) return;  // keep serving from the cache; the next poll retries
  int64_t old = generation_.exchange(*gen);
  if (old == *gen) return;
  // The directory changed: refresh every cached principal, dropping entries
  // whose account or credential changed underneath them.
  std::unique_lock lock(cache_mu_);
  for (auto it = cache_.begin(); it != cache_.end();) {
    CacheEntry& e = it->second;
    auto p = Recheck(*e.principal);
    if (!p.ok()) {
      it = cache_.erase(it);
      continue;
    }
    e.principal = std::move(p).value();
    e.generation = *gen;
    ++it;
  }
}

std::string Authenticator::Fingerprint(std::string_view stored_hash) const {
  // Keyed, so the digest says nothing outside this process; the stored hash
  // itself stays in the store.
  std::string msg = "h|";
  msg += stored_hash;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), hmac_key_.data(), static_cast<int>(hmac_key_.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

bool Authenticator::StartAttempt(std::string_view remote) {
  std::lock_guard lock(fail_mu_);
  int64_t now = clock_->NowMicros();
  if (failures_by_remote_.size() > 100'000) {
    // Bound memory under a distributed attack: forget idle expired windows.
    for (auto it = failures_by_remote_.begin(); it != failures_by_remote_.end();) {
      bool idle = it->second.in_flight == 0 && now - it->second.start_us > options_.failure_window_us;
      it = idle ? failures_by_remote_.erase(it) : std::next(it);
    }
  }
  auto& w = failures_by_remote_[std::string(remote)];
  if (now - w.start_us > options_.failure_window_us) {
    w.start_us = now;
    w.count = 0;
  }
  if (w.count + w.in_flight >= options_.max_failures) return false;
  ++w.in_flight;
  return true;
}

void Authenticator::FinishAttempt(std::string_view remote, bool failed) {
  if (failed) failures_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(fail_mu_);
  auto& w = failures_by_remote_[std::string(remote)];
  if (w.in_flight > 0) --w.in_flight;
  if (failed) ++w.count;
}

Result<PrincipalPtr> Authenticator::BuildPrincipal(const store::Account& account,
                                                   CredentialRef credential) {
  ASSIGN_OR_RETURN(auto grants, store_->ListGrants(account.key));
  auto p = std::make_shared<Principal>();
  p->kind = Principal::Kind::kAccount;
  p->account_key = account.key;
  p->username = account.username;
  p->organization = account.organization;
  p->roles = account.roles;
  p->scheme = std::move(credential.scheme);
  p->token_id = std::move(credential.token_id);
  p->credential_fingerprint = std::move(credential.fingerprint);
  p->expires_us = credential.expires_us;
  p->session_id = std::move(credential.session_id);
  for (const auto& g : grants) p->grants[g.collection] = CollectionAccess{g.can_read, g.can_write};
  return PrincipalPtr(std::move(p));
}

Result<PrincipalPtr> Authenticator::LoadPrincipal(int64_t account_key) {
  ASSIGN_OR_RETURN(auto account, store_->FindAccountByKey(account_key));
  // The callers are trusted (they found the account themselves): the
  // message names what changed, as Revalidate's does.
  if (!account.has_value()) return Unauthenticated("the account was removed");
  if (account->disabled) return Unauthenticated("the account was disabled");
  return BuildPrincipal(*account, CredentialRef{});
}

Result<PrincipalPtr> Authenticator::Revalidate(const Principal& principal) {
  if (!principal.session_id.empty() && !sessions_->IsOpen(principal.session_id)) {
    return Unauthenticated("signed out (the session ended)");
  }
  auto r = Recheck(principal);
  if (!r.ok() && r.error().code() == StatusCode::kUnauthenticated &&
      principal.kind == Principal::Kind::kAccount) {
    MaybeRefreshGeneration(/*force=*/true);
  }
  return r;
}

Result<PrincipalPtr> Authenticator::Recheck(const Principal& principal) {
  if (principal.kind != Principal::Kind::kAccount) return Unauthenticated("not signed in");
  ASSIGN_OR_RETURN(auto account, store_->FindAccountByKey(principal.account_key));
  if (!account.has_value()) return Unauthenticated("the account was removed");
  if (account->disabled) return Unauthenticated("the account was disabled");
  CredentialRef credential{principal.scheme, principal.token_id, principal.credential_fingerprint,
                           principal.expires_us, principal.session_id};
  if (!principal.token_id.empty()) {
    ASSIGN_OR_RETURN(auto tok, store_->FindToken(principal.token_id));
    if (!tok.has_value() || tok->account != principal.account_key ||
        !ConstantTimeEquals(Fingerprint(tok->secret_hash), principal.credential_fingerprint)) {
      return Unauthenticated("the API token was revoked");
    }
    if (tok->expires_us && *tok->expires_us <= clock_->NowMicros()) {
      return Unauthenticated("the API token expired");
    }
    credential.expires_us = tok->expires_us;
  } else if (!principal.credential_fingerprint.empty() &&
             !ConstantTimeEquals(Fingerprint(account->password_hash),
                                 principal.credential_fingerprint)) {
    return Unauthenticated("the account's password changed");
  }
  return BuildPrincipal(*account, std::move(credential));
}

Result<PrincipalPtr> Authenticator::VerifySlow(const Credential& c, const std::string& key) {
  verifications_.fetch_add(1, std::memory_order_relaxed);
  CacheEntry entry;
  // The directory generation before and after the checks: if it moved (a
  // token revoked, an account disabled, a grant removed meanwhile), or the
  // cache has moved on to another generation by insertion time, the result
  // is used once but not cached.
  auto gen_before = store_->DirectoryGeneration();
  entry.generation = gen_before.ok() ? *gen_before : -1;
  if (c.token) {
    ASSIGN_OR_RETURN(auto tok, store_->FindToken(c.user_or_token_id));
    if (!tok.has_value()) {
      BurnVerification();
      return BadCredentials();
    }
    if (!VerifySecret(tok->secret_hash, c.secret)) return BadCredentials();
    if (tok->expires_us && *tok->expires_us <= clock_->NowMicros()) {
      return Unauthenticated("API token expired");
    }
    ASSIGN_OR_RETURN(auto account, store_->FindAccountByKey(tok->account));
    if (!account.has_value() || account->disabled) return BadCredentials();
    ASSIGN_OR_RETURN(entry.principal,
                     BuildPrincipal(*account, CredentialRef{"token", tok->id,
                                                            Fingerprint(tok->secret_hash),
                                                            tok->expires_us}));
  } else {
    ASSIGN_OR_RETURN(auto account, store_->FindAccount(c.user_or_token_id));
    if (!account.has_value() || account->password_hash.empty()) {
      BurnVerification();
      return BadCredentials();
    }
    if (!VerifySecret(account->password_hash, c.secret)) return BadCredentials();
    if (account->disabled) return BadCredentials();
    ASSIGN_OR_RETURN(entry.principal,
                     BuildPrincipal(*account, CredentialRef{"basic", "",
                                                            Fingerprint(account->password_hash),
                                                            std::nullopt}));
  }
  PrincipalPtr principal = entry.principal;
  auto gen_after = store_->DirectoryGeneration();
  if (!gen_before.ok() || !gen_after.ok() || *gen_before != *gen_after) return principal;
  if (before_cache_insert_for_test_) before_cache_insert_for_test_();
  std::unique_lock lock(cache_mu_);
  // The cache holds entries valid for generation_: MaybeRefreshGeneration
  // stores a new generation before it takes cache_mu_ to refresh the
  // entries. A result verified under another generation (a refresh ran, or
  // is about to run, since gen_after was read) is not cached: inserted after
  // the refresh, it would stay valid until the next change. Compared under
  // the lock, so the refresh either sees this entry or this check sees the
  // new generation.
  if (entry.generation != generation_.load()) return principal;
  if (cache_.size() >= options_.max_cached_credentials) cache_.clear();
  cache_[key] = std::move(entry);
  return principal;
}

void Authenticator::Authenticate(const std::string* authorization, std::string_view remote,
                                 Done done) {
  if (authorization == nullptr || authorization->empty()) {
    done(Unauthenticated("authentication required"));
    return;
  }
  auto cred = ParseAuthorization(*authorization);
  if (!cred.ok()) {
    done(cred.error());
    return;
  }
  if (cred->session) {
    auto found = sessions_->Find(cred->secret);
    if (!found.ok()) {
      done(found.error());
    } else {
      done(found->principal);
    }
    return;
  }
  AuthenticateCredential(std::move(*cred), remote, std::move(done));
}

void Authenticator::SignIn(std::string_view username, std::string_view password, std::string_view remote,
                           Done done) {
  if (username.empty() || username.size() > 256 || password.size() > 1024) {
    done(BadCredentials());
    return;
  }
  Credential c;
  c.user_or_token_id = std::string(username);
  c.secret = std::string(password);
  AuthenticateCredential(std::move(c), remote, std::move(done));
}

void Authenticator::AuthenticateCredential(Credential cred_value, std::string_view remote, Done done) {
  std::optional<Credential> cred(std::move(cred_value));
  MaybeRefreshGeneration();
  std::string key = CacheKey(*cred);
  {
    std::shared_lock lock(cache_mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      const CacheEntry& e = it->second;
      const std::optional<int64_t>& expires = e.principal->expires_us;
      if (!expires || *expires > clock_->NowMicros()) {
        cache_hits_.fetch_add(1, std::memory_order_relaxed);
        PrincipalPtr p = e.principal;
        lock.unlock();
        done(std::move(p));
        return;
      }
    }
  }
  {
    std::lock_guard lock(inflight_mu_);
    auto it = inflight_.find(key);
    if (it != inflight_.end()) {
      it->second.push_back(std::move(done));
      return;
    }
  }
  if (pending_.load() >= options_.max_pending_verifications) {
    done(Unavailable("too many logins in progress; try again shortly"));
    return;
  }
  if (!StartAttempt(remote)) {
    done(ResourceExhausted("too many failed authentication attempts; try again later"));
    return;
  }
  ++pending_;
  {
    std::lock_guard lock(inflight_mu_);
    inflight_[key].push_back(std::move(done));
  }
  std::string remote_copy(remote);
  pool_->Post([this, c = std::move(*cred), key = std::move(key), remote_copy]() mutable {
    auto r = VerifySlow(c, key);
    OPENSSL_cleanse(c.secret.data(), c.secret.size());
    --pending_;
    FinishAttempt(remote_copy, !r.ok() && r.error().code() == StatusCode::kUnauthenticated);
    std::vector<Done> waiters;
    {
      std::lock_guard lock(inflight_mu_);
      auto it = inflight_.find(key);
      if (it != inflight_.end()) {
        waiters = std::move(it->second);
        inflight_.erase(it);
      }
    }
    for (auto& w : waiters) w(r);
  });
}

Result<PrincipalPtr> Authenticator::AuthenticateSync(const std::string* authorization,
                                                     std::string_view remote) {
  std::promise<Result<PrincipalPtr>> promise;
  auto future = promise.get_future();
  Authenticate(authorization, remote,
               [&promise](Result<PrincipalPtr> r) { promise.set_value(std::move(r)); });
  return future.get();
}

}  // namespace kizuna::auth
