#include "core/uuid.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <random>

namespace kizuna {

const UuidBytes kStixScoNamespace = {0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
                                     0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7};

namespace {
int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool IsUuidSyntax(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (HexVal(s[i]) < 0) {
      return false;
    }
  }
  return true;
}

bool ParseUuid(std::string_view s, UuidBytes* out) {
  if (!IsUuidSyntax(s)) return false;
  size_t j = 0;
  for (size_t i = 0; i < 36 && j < 16;) {
    if (s[i] == '-') {
      ++i;
      continue;
    }
    (*out)[j++] = static_cast<uint8_t>(HexVal(s[i]) << 4 | HexVal(s[i + 1]));
    i += 2;
  }
  return j == 16;
}

std::string FormatUuid(const UuidBytes& b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += kHex[b[i] >> 4];
    s += kHex[b[i] & 15];
  }
  return s;
}

int UuidVersion(std::string_view s) { return s.size() == 36 ? HexVal(s[14]) : -1; }

bool IsRfc4122Variant(std::string_view s) {
  if (s.size() != 36) return false;
  int v = HexVal(s[19]);
  return v >= 8 && v <= 11;
}

std::string NewUuidV4() {
  // A per-thread generator seeded from OpenSSL's CSPRNG: ids need to be
  // unique, not secret, and RAND_bytes per id would cost a lock.
  thread_local std::mt19937_64 gen = [] {
    std::seed_seq::result_type seed[8];
    if (RAND_bytes(reinterpret_cast<unsigned char*>(seed), sizeof seed) != 1) {
      std::random_device rd;
      for (auto& v : seed) v = rd();
    }
    std::seed_seq seq(std::begin(seed), std::end(seed));
    return std::mt19937_64(seq);
  }();
  UuidBytes b;
  uint64_t a = gen(), c = gen();
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<uint8_t>(a >> (8 * i));
    b[8 + i] = static_cast<uint8_t>(c >> (8 * i));
  }
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  return FormatUuid(b);
}

std::string UuidV5(const UuidBytes& ns, std::string_view name) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  std::string buf(reinterpret_cast<const char*>(ns.data()), ns.size());
  buf.append(name);
  SHA1(reinterpret_cast<const unsigned char*>(buf.data()), buf.size(), digest);
  UuidBytes b;
  for (int i = 0; i < 16; ++i) b[i] = digest[i];
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x50);
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  return FormatUuid(b);
}

}  // namespace kizuna
