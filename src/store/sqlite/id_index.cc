#include "store/sqlite/id_index.h"

#include <bit>

namespace kizuna::store::sqlite {
namespace {

constexpr size_t kMinCapacity = 1024;

}  // namespace

IdIndex::IdIndex() { Rehash(kMinCapacity); }

uint64_t IdIndex::Key(int64_t collection, int64_t id_hash) {
  // Collection keys are small integers; spread them before mixing so that
  // the same id in two collections lands in unrelated slots.
  uint64_t k =
      static_cast<uint64_t>(id_hash) ^ (static_cast<uint64_t>(collection) * 0xC2B2AE3D27D4EB4FULL);
  k ^= k >> 29;
  return k;
}

void IdIndex::Rehash(size_t capacity) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(capacity, Slot{0, 0});
  mask_ = capacity - 1;
  shift_ = 64 - std::countr_zero(capacity);
  size_ = 0;
  for (const Slot& s : old) {
    if (s.date_added != 0) Insert(s.key, s.date_added);
  }
}

void IdIndex::Reserve(size_t n) {
  size_t want = std::bit_ceil(n + n / 3 + 1);
  if (want < kMinCapacity) want = kMinCapacity;
  if (want > slots_.size()) Rehash(want);
}

void IdIndex::Clear() {
  slots_.assign(kMinCapacity, Slot{0, 0});
  mask_ = kMinCapacity - 1;
  shift_ = 64 - std::countr_zero(kMinCapacity);
  size_ = 0;
}

void IdIndex::Insert(uint64_t key, int64_t date_added) {
  if ((size_ + 1) * 4 > slots_.size() * 3) Rehash(slots_.size() * 2);
  size_t i = Home(key);
  while (slots_[i].date_added != 0) i = (i + 1) & mask_;
  slots_[i] = Slot{key, date_added};
  ++size_;
}

void IdIndex::InsertMany(const Entry* entries, size_t n) {
  Reserve(size_ + n);
  // The slots are spread over tens of megabytes: fetch a few entries ahead.
  constexpr size_t kAhead = 8;
  for (size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) __builtin_prefetch(&slots_[Home(entries[i + kAhead].key)], 1);
    Insert(entries[i].key, entries[i].date_added);
  }
}

void IdIndex::Find(uint64_t key, std::vector<int64_t>* out) const {
  for (size_t i = Home(key); slots_[i].date_added != 0; i = (i + 1) & mask_) {
    if (slots_[i].key == key) out->push_back(slots_[i].date_added);
  }
}

bool IdIndex::Contains(uint64_t key, int64_t date_added) const {
  for (size_t i = Home(key); slots_[i].date_added != 0; i = (i + 1) & mask_) {
    if (slots_[i].key == key && slots_[i].date_added == date_added) return true;
  }
  return false;
}

bool IdIndex::Erase(uint64_t key, int64_t date_added) {
  size_t i = Home(key);
  for (;; i = (i + 1) & mask_) {
    if (slots_[i].date_added == 0) return false;
    if (slots_[i].key == key && slots_[i].date_added == date_added) break;
  }
  // Backward-shift deletion: move later entries of the probe run into the
  // hole when their home position allows it, so no tombstones are needed.
  size_t hole = i;
  for (size_t j = (hole + 1) & mask_; slots_[j].date_added != 0; j = (j + 1) & mask_) {
    size_t home = Home(slots_[j].key);
    // The entry at j may move to the hole when the hole lies cyclically in
    // [home, j).
    bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
    if (movable) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = Slot{0, 0};
  --size_;
  return true;
}

}  // namespace kizuna::store::sqlite
