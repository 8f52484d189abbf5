#pragma once
// API tokens: "kz1.<id>.<secret>". The id (16 base64url characters) is
// stored in clear and looked up; the secret (32 base64url characters, 192
// random bits) is stored only as an argon2id hash. A token is shown once,
// when issued.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/secret.h"
#include "core/result.h"

namespace kizuna::store {
class Store;
}

namespace kizuna::auth {

struct IssuedToken {
  std::string id;
  std::string token;  // the full bearer value; shown once
};

// A new token id: 16 random base64url characters, the first a letter or a
// digit (an id starting with '-' would read as an option on a command line:
// `kizuna admin token revoke ID`).
std::string NewTokenId();

// Creates and stores a token for `account_key`. `expires_us` nullopt: never.
Result<IssuedToken> IssueToken(store::Store* store, int64_t account_key, std::string_view label,
                               std::optional<int64_t> expires_us, int64_t now_us,
                               HashCost cost = HashCost::kInteractive);

// Splits a bearer value into id and secret; InvalidArgument when it is not a
// Kizuna token.
struct TokenParts {
  std::string id;
  std::string secret;
};
Result<TokenParts> ParseToken(std::string_view token);

}  // namespace kizuna::auth
