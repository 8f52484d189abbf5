#include "match/value_index.h"

#include <algorithm>

namespace kizuna::match {

ValueIndex ValueIndex::Build(std::vector<KeyedPayload>& entries) {
  ValueIndex ix;
  if (entries.empty()) return ix;
  const size_t n = entries.size();
  // About three keys per bucket (equal keys, rare, only lower the load).
  ix.buckets_ = std::max<uint64_t>(1, n / 3);
  // No comparison sort: buckets are monotonic in `hi`, so the entries are
  // distributed by the top bits of `hi` into groups (each a contiguous
  // range of buckets), then, within a group (small enough for the CPU's
  // cache), by bucket; a bucket's few entries are then sorted in place.
  constexpr int kTopBits = 10;
  constexpr size_t kGroups = size_t{1} << kTopBits;
  auto group_of = [](uint64_t hi) { return static_cast<size_t>(hi >> (64 - kTopBits)); };
  std::vector<size_t> group_start(kGroups + 1, 0);
  for (const KeyedPayload& e : entries) ++group_start[group_of(e.key.hi) + 1];
  for (size_t g = 1; g <= kGroups; ++g) group_start[g] += group_start[g - 1];
  HugeVector<KeyedPayload> grouped(n);
  {
    std::vector<size_t> at(group_start.begin(), group_start.end() - 1);
    for (const KeyedPayload& e : entries) grouped[at[group_of(e.key.hi)]++] = e;
  }
  ix.dir_.assign(ix.buckets_ + 1, 0);
  ix.slots_.reserve(n);
  std::vector<uint32_t> local;
  auto less = [](const KeyedPayload& a, const KeyedPayload& b) {
    if (!(a.key == b.key)) return a.key < b.key;
    return a.payload < b.payload;
  };
  // One slot for the run entries[i, j) of one key (sorted by payload): its
  // payload, or its distinct payloads in multi_.
  auto add_run = [&](size_t i, size_t j) {
    size_t unique = 1;
    for (size_t k = i + 1; k < j; ++k) unique += entries[k].payload != entries[k - 1].payload;
    Slot slot{entries[i].key.hi, entries[i].key.lo, entries[i].payload};
    if (unique > 1) {
      slot.payload = kMultiBit | static_cast<uint32_t>(ix.multi_.size());
      ix.multi_.push_back(static_cast<uint32_t>(unique));
      for (size_t k = i; k < j; ++k) {
        if (k == i || entries[k].payload != entries[k - 1].payload) {
          ix.multi_.push_back(entries[k].payload);
        }
      }
    }
    ix.slots_.push_back(slot);
  };
  for (size_t g = 0; g < kGroups; ++g) {
    const size_t s = group_start[g], e = group_start[g + 1];
    if (s == e) continue;
    const uint64_t lo_hi = static_cast<uint64_t>(g) << (64 - kTopBits);
    const uint64_t hi_hi = g + 1 == kGroups ? UINT64_MAX : (static_cast<uint64_t>(g + 1) << (64 - kTopBits)) - 1;
    const uint64_t b0 = ix.Bucket(lo_hi), b1 = ix.Bucket(hi_hi);
    local.assign(b1 - b0 + 2, 0);
    for (size_t i = s; i < e; ++i) ++local[ix.Bucket(grouped[i].key.hi) - b0 + 1];
    for (size_t b = 1; b < local.size(); ++b) local[b] += local[b - 1];
    // By bucket, back into `entries` (same positions as the group).
    for (size_t i = s; i < e; ++i) {
      const KeyedPayload& kp = grouped[i];
      entries[s + local[ix.Bucket(kp.key.hi) - b0]++] = kp;
    }
    // local[b - b0] is now the end of bucket b.
    size_t begin = s;
    for (uint64_t b = b0; b <= b1; ++b) {
      const size_t end = s + local[b - b0];
      if (begin == end) continue;
      // Insertion sort: a bucket holds about three entries.
      for (size_t i = begin + 1; i < end; ++i) {
        KeyedPayload v = entries[i];
        size_t j = i;
        for (; j > begin && less(v, entries[j - 1]); --j) entries[j] = entries[j - 1];
        entries[j] = v;
      }
      // Distinct keys, with runs of payloads.
      for (size_t i = begin; i < end;) {
        size_t j = i + 1;
        while (j < end && entries[j].key == entries[i].key) ++j;
        add_run(i, j);
        ix.dir_[b + 1]++;
        i = j;
      }
      begin = end;
    }
  }
  for (size_t b = 1; b < ix.dir_.size(); ++b) ix.dir_[b] += ix.dir_[b - 1];
  const size_t distinct = ix.slots_.size();
  ix.slots_.shrink_to_fit();
  // 12 bits per key, rounded up to whole 64-bit words.
  ix.bloom_.assign(std::max<size_t>(1, (distinct * 12 + 63) / 64), 0);
  for (const Slot& slot : ix.slots_) {
    uint64_t hi = slot.hi;
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
