#include "auth/tokens.h"

#include "store/store.h"

namespace kizuna::auth {

std::string NewTokenId() {
  for (;;) {
    std::string id = RandomSecret(12);
    if (id[0] != '-' && id[0] != '_') return id;
  }
}

Result<IssuedToken> IssueToken(store::Store* store, int64_t account_key, std::string_view label,
                               std::optional<int64_t> expires_us, int64_t now_us, HashCost cost) {
  IssuedToken out;
  out.id = NewTokenId();
  std::string secret = RandomSecret(24);
  ASSIGN_OR_RETURN(std::string hash, HashSecret(secret, cost));
  store::Token t;
  t.id = out.id;
  t.account = account_key;
  t.secret_hash = std::move(hash);
  t.label = std::string(label);
  t.created_us = now_us;
  t.expires_us = expires_us;
  RETURN_IF_ERROR(store->PutToken(t));
  out.token = "kz1." + out.id + "." + secret;
  return out;
}

Result<TokenParts> ParseToken(std::string_view token) {
  if (token.substr(0, 4) != "kz1.") return InvalidArgument("not a Kizuna API token");
  token.remove_prefix(4);
  size_t dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= token.size()) {
    return InvalidArgument("malformed API token");
  }
  TokenParts p{std::string(token.substr(0, dot)), std::string(token.substr(dot + 1))};
  if (p.id.size() > 64 || p.secret.size() > 128) return InvalidArgument("malformed API token");
  return p;
}

}  // namespace kizuna::auth
