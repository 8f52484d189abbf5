#pragma once
// Sealed secrets (issue 5): credentials the hub itself must present to
// others (its password on a peer hub, a webhook's HMAC key), kept in the
// store encrypted (libsodium crypto_secretbox: XSalsa20-Poly1305) under a
// 256-bit key held in a separate file beside the database ("<db>.key",
// created with mode 0600 on first use). A copy of the database alone (a
// backup, a leaked file) does not reveal them.
//
// Sealed text: "sealed:v1:" + base64url(nonce || ciphertext).
//
// Thread-safe after construction (const methods).

#include <string>
#include <string_view>

#include "core/result.h"

namespace kizuna::auth {

class SecretSealer {
 public:
  // Reads the key file, or creates it (mode 0600, 32 random bytes in hex)
  // when it does not exist. IoError when it cannot be read or created, or
  // holds no valid key; FailedPrecondition when it is readable by group or
  // others.
  static Result<SecretSealer> LoadOrCreate(const std::string& key_path);
  // A sealer over a given 32-byte key (tests).
  static SecretSealer FromKey(std::string_view key32);

  std::string Seal(std::string_view plaintext) const;
  // InvalidArgument for text that is not sealed; PermissionDenied when it
  // does not open with this key (another hub's key, or tampered).
  Result<std::string> Open(std::string_view sealed) const;

  static bool IsSealed(std::string_view text);

 private:
  std::string key_;  // 32 bytes
};

// The key path for a hub database path: "<db>.key".
std::string SealerKeyPathFor(const std::string& db_path);

// Reads a secret from a file named in a configuration ("file:PATH"): the
// first line, without its line end. FailedPrecondition when the file is
// readable by group or others; IoError when it cannot be read.
Result<std::string> ReadSecretFile(const std::string& path);

}  // namespace kizuna::auth
