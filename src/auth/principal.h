#pragma once
// Principal: who is making a request, as the layers above auth see it (the
// TAXII service for collection access, the policy decision point for object
// release). An immutable snapshot taken when the credentials were checked;
// shared between requests with shared_ptr<const Principal>.
//
// It also names the credential it was authenticated with (never the secret,
// never the stored hash), so that long-lived uses of it (channel streams)
// can have it re-checked against the directory as it is now:
// auth::Authenticator::Revalidate.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kizuna::auth {

struct CollectionAccess {
  bool can_read = false;
  bool can_write = false;
};

struct Principal {
  enum class Kind { kAnonymous, kAccount };
  Kind kind = Kind::kAnonymous;
  int64_t account_key = 0;
  std::string username;
  std::string organization;  // identity--... of the account's organization
  std::vector<std::string> roles;  // reader, contributor, coordinator, admin
  std::unordered_map<int64_t, CollectionAccess> grants;  // by collection key
  // How the credentials were presented: "basic", "token", "session", or "" (anonymous,
  // or loaded without credentials by Authenticator::LoadPrincipal).
  std::string scheme;
  // The credential: the API token's id ("" for a password); a digest, keyed
  // per process, of the stored hash the secret was verified against (the
  // token's or the password's; "" without credentials); the token's expiry.
  std::string token_id;
  std::string credential_fingerprint;
  std::optional<int64_t> expires_us;
  // A browser session's public id (scheme "session", auth/sessions.h): the
  // session ends at logout, and so does every use of its principal.
  std::string session_id;
  // A ceiling the reader chose for this use of its rights ("" = none, else a
  // TLP 2.0 level name: "clear", "green", "amber", "amber+strict"): nothing
  // marked above it is released (a briefing capped at GREEN). It can only
  // narrow what the account may see (policy::Reader::ceiling).
  std::string tlp_ceiling;

  bool HasRole(std::string_view role) const {
    for (const auto& r : roles)
      if (r == role) return true;
    return false;
  }
  bool IsAdmin() const { return HasRole("admin"); }
  CollectionAccess Access(int64_t collection_key) const {
    auto it = grants.find(collection_key);
    return it == grants.end() ? CollectionAccess{} : it->second;
  }
};

}  // namespace kizuna::auth
