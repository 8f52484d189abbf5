#pragma once
// Secrets: argon2id hashing (libsodium crypto_pwhash_str), verification,
// constant-time comparison and random secret generation.
//
// Thread-safe: every function may be called from any thread.

#include <string>
#include <string_view>

#include "core/result.h"

namespace kizuna::auth {

// Cost of a hash. kInteractive (libsodium's OPSLIMIT/MEMLIMIT_INTERACTIVE:
// 2 passes over 64 MiB) is the default for accounts and tokens; kTest is for
// unit tests that create many accounts (never used by the server).
enum class HashCost { kInteractive, kModerate, kTest };

// Returns an encoded "$argon2id$v=19$m=...,t=...,p=1$salt$hash" string.
// Internal when libsodium fails (out of memory).
Result<std::string> HashSecret(std::string_view secret, HashCost cost = HashCost::kInteractive);

// True when `secret` matches `encoded` (an argon2id string from HashSecret).
// False for a wrong secret or a malformed encoding. Constant time in the
// secret (libsodium).
bool VerifySecret(std::string_view encoded, std::string_view secret);

// A dummy verification with the same cost as a real one, so that unknown
// usernames take as long as wrong passwords (no account enumeration by timing).
void BurnVerification();

// Compares two byte strings in time independent of their contents (the
// length may leak).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// `bytes` random bytes from libsodium, encoded as unpadded base64url.
std::string RandomSecret(size_t bytes = 24);

}  // namespace kizuna::auth
