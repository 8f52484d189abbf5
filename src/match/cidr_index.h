#pragma once
// CidrIndex: IPv4 or IPv6 CIDR blocks -> payloads, answering "which blocks
// contain this address" (all of them, longest prefix first).
//
// CIDR blocks are laminar (two blocks are nested or disjoint), so the
// address space splits into elementary intervals, each covered by one
// deepest block; every block keeps its parent (the next shorter block that
// contains it). The structure is the sorted interval starts with the deepest
// block of each interval, plus, for IPv4, a 65,536-entry table on the top 16
// bits that narrows the search to the few intervals of that /16 (often one:
// no search at all). About 28 bytes per block. A lookup returns the deepest
// block and walks the parent chain.
//
// Payloads use the encoding of value_index.h (kMultiBit, kNeedsEval).
// Immutable after Build; thread-safe for concurrent readers.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "match/fingerprint.h"
#include "match/value_index.h"

namespace kizuna::match {

template <typename Addr>
class CidrIndex {
 public:
  static constexpr int kBits = sizeof(Addr) * 8;

  struct Block {
    Addr network = 0;  // host bits may be set; Build clears them
    int prefix = 0;    // 0..kBits
    uint32_t payload = 0;
  };

  // Builds from `blocks` (any order; equal blocks are merged).
  static CidrIndex Build(std::vector<Block> blocks);

  // Calls f(payload, prefix) for every payload of every block containing
  // `addr`, longest prefix first.
  template <typename F>
  void Find(Addr addr, F&& f) const {
    if (starts_.empty()) return;
    int32_t node = Deepest(addr);
    while (node >= 0) {
      uint32_t p = payload_[node];
      if (p & kMultiBit) {
        uint32_t at = p & ~kMultiBit;
        for (uint32_t j = 1; j <= multi_[at]; ++j) f(multi_[at + j], prefix_[node]);
      } else {
        f(p, prefix_[node]);
      }
      node = parent_[node];
    }
  }

  bool empty() const { return starts_.empty(); }
  size_t blocks() const { return payload_.size(); }
  size_t MemoryBytes() const {
    return starts_.capacity() * sizeof(Addr) + deepest_.capacity() * 4 +
           payload_.capacity() * 4 + parent_.capacity() * 4 + prefix_.capacity() +
           multi_.capacity() * 4 + networks_.capacity() * sizeof(Addr) + top_.capacity() * 4;
  }
  // Every block with each of its payloads (for merging indexes).
  template <typename F>
  void ForEach(F&& f) const {
    for (size_t n = 0; n < payload_.size(); ++n) {
      uint32_t p = payload_[n];
      if (p & kMultiBit) {
        uint32_t at = p & ~kMultiBit;
        for (uint32_t j = 1; j <= multi_[at]; ++j) f(networks_[n], prefix_[n], multi_[at + j]);
      } else {
        f(networks_[n], prefix_[n], p);
      }
    }
  }

 private:
  static Addr Mask(int prefix) {
    if (prefix <= 0) return 0;
    return static_cast<Addr>(~Addr(0)) << (kBits - prefix);
  }
  int32_t Deepest(Addr addr) const {
    size_t lo = 0, hi = starts_.size();
    if (!top_.empty()) {
      uint32_t t = static_cast<uint32_t>(addr >> (kBits - 16));
      lo = top_[t];
      hi = top_[t + 1] + 1;
      if (hi - lo == 1) return deepest_[lo];
    }
    // The last interval whose start is <= addr.
    auto it = std::upper_bound(starts_.begin() + static_cast<ptrdiff_t>(lo),
                               starts_.begin() + static_cast<ptrdiff_t>(hi), addr);
    if (it == starts_.begin()) return -1;
    return deepest_[static_cast<size_t>(it - starts_.begin()) - 1];
  }

  std::vector<Addr> starts_;      // interval starts, ascending; starts_[0] == 0
  std::vector<int32_t> deepest_;  // per interval: the deepest block, or -1
  std::vector<Addr> networks_;    // per block
  std::vector<uint8_t> prefix_;   // per block
  std::vector<int32_t> parent_;   // per block, or -1
  std::vector<uint32_t> payload_;
  std::vector<uint32_t> multi_;
  std::vector<uint32_t> top_;  // IPv4 with many intervals: 65,537 interval indexes
};

template <typename Addr>
CidrIndex<Addr> CidrIndex<Addr>::Build(std::vector<Block> blocks) {
  CidrIndex ix;
  if (blocks.empty()) return ix;
  for (Block& b : blocks) {
    b.prefix = std::clamp(b.prefix, 0, kBits);
    b.network &= Mask(b.prefix);
  }
  std::sort(blocks.begin(), blocks.end(), [](const Block& a, const Block& b) {
    if (a.network != b.network) return a.network < b.network;
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    return a.payload < b.payload;
  });
  // Merge equal blocks into nodes.
  std::vector<Addr> last;  // per node: the last address of the block
  for (size_t i = 0; i < blocks.size();) {
    size_t j = i;
    while (j < blocks.size() && blocks[j].network == blocks[i].network &&
           blocks[j].prefix == blocks[i].prefix) {
      ++j;
    }
    size_t unique = 1;
    for (size_t k = i + 1; k < j; ++k) unique += blocks[k].payload != blocks[k - 1].payload;
    uint32_t payload = blocks[i].payload;
    if (unique > 1) {
      payload = kMultiBit | static_cast<uint32_t>(ix.multi_.size());
      ix.multi_.push_back(static_cast<uint32_t>(unique));
      for (size_t k = i; k < j; ++k) {
        if (k == i || blocks[k].payload != blocks[k - 1].payload) {
          ix.multi_.push_back(blocks[k].payload);
        }
      }
    }
    ix.networks_.push_back(blocks[i].network);
    ix.prefix_.push_back(static_cast<uint8_t>(blocks[i].prefix));
    ix.payload_.push_back(payload);
    last.push_back(blocks[i].network | static_cast<Addr>(~Mask(blocks[i].prefix)));
    i = j;
  }
  const size_t n = ix.networks_.size();
  ix.parent_.assign(n, -1);
  // Sweep in (network, prefix) order with a stack of open blocks, emitting
  // interval starts; a later emission at the same start wins.
  std::vector<std::pair<Addr, int32_t>> marks;
  std::vector<int32_t> stack;
  auto close = [&](Addr upto) {
    // Pops blocks that end before `upto`.
    while (!stack.empty() && last[static_cast<size_t>(stack.back())] < upto) {
      int32_t t = stack.back();
      stack.pop_back();
      Addr end = last[static_cast<size_t>(t)];
      if (end != static_cast<Addr>(~Addr(0))) {
        marks.emplace_back(static_cast<Addr>(end + 1), stack.empty() ? -1 : stack.back());
      }
    }
  };
  for (size_t i = 0; i < n; ++i) {
    close(ix.networks_[i]);
    ix.parent_[i] = stack.empty() ? -1 : stack.back();
    marks.emplace_back(ix.networks_[i], static_cast<int32_t>(i));
    stack.push_back(static_cast<int32_t>(i));
  }
  while (!stack.empty()) {
    int32_t t = stack.back();
    stack.pop_back();
    Addr end = last[static_cast<size_t>(t)];
    if (end != static_cast<Addr>(~Addr(0))) {
      marks.emplace_back(static_cast<Addr>(end + 1), stack.empty() ? -1 : stack.back());
    }
  }
  if (marks.empty() || marks.front().first != 0) {
    ix.starts_.push_back(0);
    ix.deepest_.push_back(-1);
  }
  for (const auto& [start, node] : marks) {
    if (!ix.starts_.empty() && ix.starts_.back() == start) {
      ix.deepest_.back() = node;
    } else {
      ix.starts_.push_back(start);
      ix.deepest_.push_back(node);
    }
  }
  // Drop intervals that repeat the previous one's block.
  size_t w = 1;
  for (size_t r = 1; r < ix.starts_.size(); ++r) {
    if (ix.deepest_[r] == ix.deepest_[w - 1]) continue;
    ix.starts_[w] = ix.starts_[r];
    ix.deepest_[w] = ix.deepest_[r];
    ++w;
  }
  ix.starts_.resize(w);
  ix.deepest_.resize(w);
  if (sizeof(Addr) == 4 && ix.starts_.size() > 64) {
    ix.top_.resize(65537);
    for (uint32_t t = 0; t <= 65536; ++t) {
      if (t == 65536) {
        ix.top_[t] = static_cast<uint32_t>(ix.starts_.size() - 1);
        break;
      }
      Addr first = static_cast<Addr>(static_cast<uint64_t>(t) << (kBits - 16));
      auto it = std::upper_bound(ix.starts_.begin(), ix.starts_.end(), first);
      ix.top_[t] = static_cast<uint32_t>(it - ix.starts_.begin()) - 1;
    }
  }
  return ix;
}

using CidrIndex4 = CidrIndex<uint32_t>;
using CidrIndex6 = CidrIndex<Uint128>;

}  // namespace kizuna::match
