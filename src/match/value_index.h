#pragma once
// ValueIndex: a static hash index from 96-bit value keys (fingerprint.h) to
// payloads (indicator ordinals), built once and then only read.
//
// Layout: keys are grouped by bucket (bucket = the key's high bits scaled to
// the bucket count, about three keys per bucket) and stored contiguously,
// 16 bytes per key; a directory of 32-bit offsets says where each bucket
// starts. A lookup reads the directory entry and then one or two cache
// lines of keys. 17.3 bytes per distinct key, no empty slots.
//
// Prefilter: a blocked Bloom filter (one 64-bit word per key, three bits,
// 12 bits per key: 1.5 bytes) answers "surely absent" for most values a log
// carries from memory that stays in the CPU's caches, before the directory
// and the keys (main memory for large indexes) are touched.
//
// Payloads: bit 31 set means "several": the low 30 bits index `multi_`,
// where a count is followed by that many payloads. Bit 30 (kNeedsEval) marks
// an entry whose hit is only a candidate for the pattern evaluator. The low
// 30 bits of a plain payload are the indicator ordinal.
//
// Immutable after Build; thread-safe for concurrent readers.

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "match/fingerprint.h"
#include "match/huge_pages.h"

namespace kizuna::match {

inline constexpr uint32_t kMultiBit = 1u << 31;
inline constexpr uint32_t kNeedsEval = 1u << 30;
inline constexpr uint32_t kOrdinalMask = kNeedsEval - 1;

struct KeyedPayload {
  Key key;
  uint32_t payload = 0;  // ordinal | kNeedsEval
};

class ValueIndex {
 public:
  ValueIndex() = default;

  // Builds from `entries` (any order; equal keys are merged, duplicate
  // payloads removed). Reorders `entries`.
  static ValueIndex Build(std::vector<KeyedPayload>& entries);

  // Calls f(payload) for every payload stored under `key` (ordinal with the
  // kNeedsEval flag; never kMultiBit).
  // False when no key has this `hi` (Bloom filter); true when one may.
  bool MayContain(uint64_t hi) const {
    if (bloom_.empty()) return false;
    uint64_t w = bloom_[static_cast<uint64_t>((static_cast<Uint128>(hi >> 20) * bloom_.size()) >> 44)];
    uint64_t bits = (uint64_t{1} << (hi & 63)) | (uint64_t{1} << ((hi >> 6) & 63)) |
                    (uint64_t{1} << ((hi >> 12) & 63));
    return (w & bits) == bits;
  }

  template <typename F>
  void Find(const Key& key, F&& f) const {
    if (slots_.empty()) return;
    uint64_t b = Bucket(key.hi);
    uint32_t begin = dir_[b], end = dir_[b + 1];
    for (uint32_t i = begin; i < end; ++i) {
      const Slot& s = slots_[i];
      if (s.hi == key.hi && s.lo == key.lo) {
        if (s.payload & kMultiBit) {
          uint32_t at = s.payload & ~kMultiBit;
          uint32_t n = multi_[at];
          for (uint32_t j = 1; j <= n; ++j) f(multi_[at + j]);
        } else {
          f(s.payload);
        }
        return;
      }
    }
  }
  // Hints the CPU to load the directory entry of `key` (batched lookups).
  void Prefetch(const Key& key) const {
    if (!dir_.empty()) __builtin_prefetch(&dir_[Bucket(key.hi)]);
  }

  size_t keys() const { return slots_.size(); }
  size_t MemoryBytes() const {
    return slots_.capacity() * sizeof(Slot) + dir_.capacity() * 4 + multi_.capacity() * 4 +
           bloom_.capacity() * 8;
  }
  // Every (key, payload) pair, payloads expanded (for merging indexes).
  void ForEach(const std::function<void(const Key&, uint32_t)>& f) const;

 private:
  struct Slot {
    uint64_t hi;
    uint32_t lo;
    uint32_t payload;
  };
  uint64_t Bucket(uint64_t hi) const {
    return static_cast<uint64_t>((static_cast<Uint128>(hi) * buckets_) >> 64);
  }

  uint64_t buckets_ = 0;
  HugeVector<Slot> slots_;
  HugeVector<uint32_t> dir_;     // buckets_ + 1 offsets
  std::vector<uint32_t> multi_;  // count, payloads...
  HugeVector<uint64_t> bloom_;
};

}  // namespace kizuna::match
