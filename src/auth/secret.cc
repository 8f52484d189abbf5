#include "auth/secret.h"

#include <sodium.h>

#include <mutex>

#include "core/encoding.h"

namespace kizuna::auth {
namespace {

void InitSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // no usable randomness: cannot run safely
  });
}

void Limits(HashCost cost, unsigned long long* ops, size_t* mem) {
  switch (cost) {
    case HashCost::kInteractive:
      *ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
      *mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
      return;
    case HashCost::kModerate:
      *ops = crypto_pwhash_OPSLIMIT_MODERATE;
      *mem = crypto_pwhash_MEMLIMIT_MODERATE;
      return;
    case HashCost::kTest:
      *ops = crypto_pwhash_OPSLIMIT_MIN;
      *mem = 8192;  // crypto_pwhash_MEMLIMIT_MIN
      return;
  }
}

}  // namespace

Result<std::string> HashSecret(std::string_view secret, HashCost cost) {
  InitSodium();
  unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
  size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  Limits(cost, &ops, &mem);
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, secret.data(), secret.size(), ops, mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Internal("argon2id hashing failed (out of memory)");
  }
  return std::string(out);
}

bool VerifySecret(std::string_view encoded, std::string_view secret) {
  InitSodium();
  if (encoded.empty() || encoded.size() >= crypto_pwhash_STRBYTES) return false;
  if (encoded.substr(0, 10) != "$argon2id$") return false;
  std::string z(encoded);  // libsodium wants a NUL-terminated string
  return crypto_pwhash_str_verify(z.c_str(), secret.data(), secret.size()) == 0;
}

void BurnVerification() {
  static const std::string dummy = [] {
    auto h = HashSecret("kizuna-dummy-secret");
    return h.ok() ? *h : std::string();
  }();
  (void)VerifySecret(dummy, "not-the-secret");
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  InitSodium();
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string RandomSecret(size_t bytes) {
  InitSodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return Base64Encode(raw, /*url_safe=*/true, /*pad=*/false);
}

}  // namespace kizuna::auth
