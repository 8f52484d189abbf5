#include "match/value_index.h"

#include <algorithm>

namespace kizuna::match {

ValueIndex ValueIndex::Build(std::vector<KeyedPayload>& entries) {
  ValueIndex ix;
  if (entries.empty()) return ix;
  std::sort(entries.begin(), entries.end(), [](const KeyedPayload& a, const KeyedPayload& b) {
    if (!(a.key == b.key)) return a.key < b.key;
    return a.payload < b.payload;
  });
  // Distinct keys, with runs of payloads.
  size_t distinct = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i == 0 || !(entries[i].key == entries[i - 1].key)) ++distinct;
  }
  ix.buckets_ = std::max<uint64_t>(1, distinct / 3);
  ix.slots_.reserve(distinct);
  ix.dir_.assign(ix.buckets_ + 1, 0);
  // Keys sorted by hi are already sorted by bucket (the bucket is monotonic
  // in hi), so the slots come out grouped.
  for (size_t i = 0; i < entries.size();) {
    size_t j = i;
    while (j < entries.size() && entries[j].key == entries[i].key) ++j;
    // Unique payloads of the run (sorted, so duplicates are adjacent).
    size_t unique = 1;
    for (size_t k = i + 1; k < j; ++k) unique += entries[k].payload != entries[k - 1].payload;
    Slot s{entries[i].key.hi, entries[i].key.lo, entries[i].payload};
    if (unique > 1) {
      s.payload = kMultiBit | static_cast<uint32_t>(ix.multi_.size());
      ix.multi_.push_back(static_cast<uint32_t>(unique));
      for (size_t k = i; k < j; ++k) {
        if (k == i || entries[k].payload != entries[k - 1].payload) {
          ix.multi_.push_back(entries[k].payload);
        }
      }
    }
    ix.dir_[ix.Bucket(s.hi) + 1]++;
    ix.slots_.push_back(s);
    i = j;
  }
  for (size_t b = 1; b < ix.dir_.size(); ++b) ix.dir_[b] += ix.dir_[b - 1];
  // 12 bits per key, rounded up to whole 64-bit words.
  ix.bloom_.assign(std::max<size_t>(1, (distinct * 12 + 63) / 64), 0);
  for (const Slot& s : ix.slots_) {
    uint64_t hi = s.hi;
    uint64_t& w =
        ix.bloom_[static_cast<uint64_t>((static_cast<Uint128>(hi >> 20) * ix.bloom_.size()) >> 44)];
    w |= (uint64_t{1} << (hi & 63)) | (uint64_t{1} << ((hi >> 6) & 63)) |
         (uint64_t{1} << ((hi >> 12) & 63));
  }
  return ix;
}

void ValueIndex::ForEach(const std::function<void(const Key&, uint32_t)>& f) const {
  for (const Slot& s : slots_) {
    Key k{s.hi, s.lo};
    if (s.payload & kMultiBit) {
      uint32_t at = s.payload & ~kMultiBit;
      for (uint32_t j = 1; j <= multi_[at]; ++j) f(k, multi_[at + j]);
    } else {
      f(k, s.payload);
    }
  }
}

}  // namespace kizuna::match
