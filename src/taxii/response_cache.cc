#include "taxii/response_cache.h"

#include <functional>

namespace kizuna::taxii {

size_t CachedResponse::Bytes() const {
  size_t n = sizeof(CachedResponse) + body.capacity();
  for (const auto& h : headers) n += sizeof(h) + h.name.capacity() + h.value.capacity();
  for (const auto& r : released) {
    n += sizeof(r) + r.id.capacity() + r.type.capacity() + r.spec_version.capacity() +
         r.marking.capacity() + r.producer.capacity() + r.audience.capacity() + r.origin.capacity();
  }
  return n;
}

ResponseCache::ResponseCache(size_t max_bytes)
    : max_bytes_(max_bytes), shard_bytes_(max_bytes / kShards) {}

ResponseCache::Shard& ResponseCache::ShardFor(const std::string& key) {
  return shards_[std::hash<std::string>{}(key) % kShards];
}

std::shared_ptr<const CachedResponse> ResponseCache::Find(const std::string& key) {
  if (max_bytes_ == 0) return nullptr;
  Shard& s = ShardFor(key);
  std::lock_guard lock(s.mu);
  auto it = s.index.find(key);
  if (it == s.index.end()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  s.lru.splice(s.lru.begin(), s.lru, it->second);
  hits_.fetch_add(1, std::memory_order_relaxed);
  return it->second->value;
}

void ResponseCache::Put(const std::string& key, std::shared_ptr<const CachedResponse> value) {
  if (max_bytes_ == 0 || !value) return;
  const size_t bytes = value->Bytes() + 2 * key.capacity() + 96;
  if (bytes > shard_bytes_) return;
  Shard& s = ShardFor(key);
  std::lock_guard lock(s.mu);
  auto it = s.index.find(key);
  if (it != s.index.end()) {
    s.bytes -= it->second->bytes;
    s.lru.erase(it->second);
    s.index.erase(it);
  }
  s.lru.push_front(Entry{key, std::move(value), bytes});
  s.index.emplace(key, s.lru.begin());
  s.bytes += bytes;
  while (s.bytes > shard_bytes_ && !s.lru.empty()) {
    Entry& last = s.lru.back();
    s.bytes -= last.bytes;
    s.index.erase(last.key);
    s.lru.pop_back();
  }
}

size_t ResponseCache::bytes() const {
  size_t n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.bytes;
  }
  return n;
}

}  // namespace kizuna::taxii
