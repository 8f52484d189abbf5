#pragma once
// LatestHints: where the creator's latest version of an object was last
// found, per collection, so that a read by id looks only from there
// (store::ObjectQuery::ids_added_after) instead of at every version: a task
// folded a thousand times has a thousand versions, and its readers want the
// last. A hint is only a place to start: a read that finds nothing there
// (the version was deleted, the reader may not see it) reads again without
// it, and a newer version is found because it was added later. Bounded:
// past `capacity` entries the map starts afresh.
//
// Thread-safe.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace kizuna::coord {

class LatestHints {
 public:
  explicit LatestHints(size_t capacity = 200'000) : capacity_(capacity) {}

  // The bound to read `id` in `collection` from (0: none).
  int64_t After(int64_t collection, std::string_view id) const {
    std::lock_guard lock(mu_);
    auto it = map_.find(Key(collection, id));
    return it == map_.end() ? 0 : it->second - 1;
  }
  void Found(int64_t collection, std::string_view id, int64_t date_added_us) {
    std::lock_guard lock(mu_);
    if (map_.size() >= capacity_) map_.clear();
    int64_t& v = map_[Key(collection, id)];
    if (date_added_us > v) v = date_added_us;
  }

 private:
  static std::string Key(int64_t collection, std::string_view id) {
    std::string k = std::to_string(collection);
    k += '|';
    k += id;
    return k;
  }
  size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, int64_t> map_;
};

}  // namespace kizuna::coord
