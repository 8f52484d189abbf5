#pragma once
// IdIndex: an in-memory multimap from (collection, IdHash(object id)) to the
// date_added of every stored version of that object, so that the writer can
// tell a new object from a new version or a duplicate, and readers can find
// an object's versions, without a persistent random-order index (see
// docs/DECISIONS.md, "Store schema": a B-tree keyed by random ids dirties
// about one page per inserted object and capped ingest at ~40k objects/s).
//
// The map is rebuilt at open from the sequential objects_scan index (about
// 0.3 s per million versions) and kept current by the store. Hash collisions
// are harmless: callers read the candidate rows and compare the id text.
//
// Open addressing with linear probing and backward-shift deletion; 16 bytes
// per slot, at most 3/4 full.
// Thread-compatibility: the owner serializes access (SqliteStore guards it
// with a shared_mutex).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kizuna::store::sqlite {

class IdIndex {
 public:
  IdIndex();

  // The map key of an object id within a collection.
  static uint64_t Key(int64_t collection, int64_t id_hash);

  // Adds (key, date_added). REQUIRES: date_added != 0.
  void Insert(uint64_t key, int64_t date_added);
  // Removes (key, date_added); false when absent.
  bool Erase(uint64_t key, int64_t date_added);
  // Appends to *out the date_added of every entry with `key` (any order).
  void Find(uint64_t key, std::vector<int64_t>* out) const;
  bool Contains(uint64_t key, int64_t date_added) const;

  struct Entry {
    uint64_t key;
    int64_t date_added;
  };
  // Inserts many entries, prefetching their slots (rebuilds at open).
  void InsertMany(const Entry* entries, size_t n);
  // Calls f(key, date_added) for every entry, in no particular order.
  template <typename F>
  void ForEach(F&& f) const {
    for (const Slot& s : slots_) {
      if (s.date_added != 0) f(s.key, s.date_added);
    }
  }

  void Clear();
  // Prepares for `n` entries without rehashing.
  void Reserve(size_t n);
  size_t size() const { return size_; }
  size_t MemoryBytes() const { return slots_.size() * sizeof(Slot); }

 private:
  struct Slot {
    uint64_t key;
    int64_t date_added;  // 0 = empty
  };
  size_t Home(uint64_t key) const { return (key * 0x9E3779B97F4A7C15ULL) >> shift_; }
  void Rehash(size_t capacity);

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;
};

}  // namespace kizuna::store::sqlite
