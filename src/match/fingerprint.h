#pragma once
// Fingerprints of indicator values: a fast 64-bit string hash (written for
// Kizuna; multiply-and-fold mixing in the style of wyhash/mum) and the 96-bit
// keys the value index stores instead of the values themselves.
//
// Why fingerprints: the index must stay under 100 bytes per indicator with
// 10 million indicators, and URLs alone average more than that. A 96-bit
// fingerprint in a table of at most 2^32 keys gives a false hit with
// probability below 2^-64 per lookup; seeds are random per process, so an
// attacker who controls log content cannot aim at a collision offline. Hash
// digests (MD5, SHA-*) are already uniform: their key is their first 96 bits.
//
// Pure functions; thread-safe.

#include <cstdint>
#include <cstring>
#include <string_view>

namespace kizuna::match {

__extension__ typedef unsigned __int128 Uint128;

inline uint64_t Fold(uint64_t a, uint64_t b) {
  Uint128 r = static_cast<Uint128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint64_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline constexpr uint64_t kMixA = 0xa0761d6478bd642full;
inline constexpr uint64_t kMixB = 0xe7037ed1a0b428dbull;
inline constexpr uint64_t kMixC = 0x8ebc6af09c88c6e3ull;

// 64-bit hash of `s` under `seed`.
inline uint64_t Hash64(std::string_view s, uint64_t seed) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = seed ^ Fold(seed ^ kMixA, n ^ kMixB);
  uint64_t a = 0, b = 0;
  if (n <= 16) {
    if (n >= 4) {
      a = (Load32(p) << 32) | Load32(p + ((n >> 3) << 2));
      b = (Load32(p + n - 4) << 32) | Load32(p + n - 4 - ((n >> 3) << 2));
    } else if (n > 0) {
      a = (static_cast<uint64_t>(static_cast<uint8_t>(p[0])) << 16) |
          (static_cast<uint64_t>(static_cast<uint8_t>(p[n >> 1])) << 8) |
          static_cast<uint8_t>(p[n - 1]);
    }
  } else {
    size_t i = n;
    while (i > 16) {
      h = Fold(Load64(p) ^ kMixB, Load64(p + 8) ^ h);
      p += 16;
      i -= 16;
    }
    a = Load64(p + i - 16);
    b = Load64(p + i - 8);
  }
  return Fold(kMixB ^ n, Fold(a ^ kMixB, b ^ h) ^ kMixC);
}

// A 96-bit key: `hi` chooses the table position and is never 0 (0 marks an
// empty slot), `lo` is 32 more bits compared on lookup.
struct Key {
  uint64_t hi = 0;
  uint32_t lo = 0;
  friend bool operator==(const Key& a, const Key& b) { return a.hi == b.hi && a.lo == b.lo; }
  friend bool operator<(const Key& a, const Key& b) {
    return a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo;
  }
};

// Seeds for one index family (one process): the base index, deltas and
// every reader must use the same seeds.
struct Seeds {
  uint64_t a = 0x243f6a8885a308d3ull;
  uint64_t b = 0x13198a2e03707344ull;
  // Random seeds from the OS (getrandom); falls back to the time.
  static Seeds Random();
};

// The key of `value` in namespace `tag` (the ValueTag of matcher.cc). The
// two halves can be computed apart: lookups compute `lo` only when the
// prefilter lets `hi` through.
inline uint64_t KeyHi(const Seeds& seeds, uint64_t tag, std::string_view value) {
  uint64_t hi = Hash64(value, seeds.a ^ tag);
  return hi == 0 ? 1 : hi;
}
inline uint32_t KeyLo(const Seeds& seeds, uint64_t tag, std::string_view value) {
  return static_cast<uint32_t>(Hash64(value, seeds.b + tag * kMixC));
}
inline Key MakeKey(const Seeds& seeds, uint64_t tag, std::string_view value) {
  return Key{KeyHi(seeds, tag, value), KeyLo(seeds, tag, value)};
}

// The key of a binary digest (16 bytes or more) in namespace `tag`: its
// first 96 bits, mixed with the tag so that algorithms stay apart.
inline Key DigestKey(uint64_t tag, const uint8_t* digest) {
  Key k;
  uint64_t a;
  uint32_t b;
  std::memcpy(&a, digest, 8);
  std::memcpy(&b, digest + 8, 4);
  k.hi = a ^ (tag * kMixA);
  k.lo = b ^ static_cast<uint32_t>(tag * kMixB);
  if (k.hi == 0) k.hi = 1;
  return k;
}

}  // namespace kizuna::match
