#pragma once
// ResponseCache: a bounded, sharded LRU of policy-filtered TAXII responses
// (GET objects pages and GET one object), so that the many clients polling
// the same page between two commits are served without a store scan.
//
// The caller builds the key from everything the response depends on: the
// store's objects version (Store::ObjectsVersion), the trust model's serial,
// the reader (kind, account, organization, hub), the collection, the
// endpoint and object id, the raw query and the federation flag. A key is
// never reused for different content: every input that changes the result
// changes the key, and stale entries simply age out of the LRU.
//
// Entries keep the released records' metadata (raw empty) so that a hit
// still goes through the decision point's release step (audit) before it is
// sent. Responses with granular-marked objects (redacted per reader) are not
// cached by the caller.
//
// Thread-safe.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/message.h"
#include "store/store.h"

namespace kizuna::taxii {

struct CachedResponse {
  std::vector<http::Header> headers;
  std::string body;
  std::vector<store::ObjectRecord> released;  // metadata only, for the release step
  int64_t withheld = 0;                       // objects the filter withheld building it
  size_t Bytes() const;
};

class ResponseCache {
 public:
  // max_bytes = 0 disables the cache (Find misses, Put drops).
  explicit ResponseCache(size_t max_bytes);
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  bool enabled() const { return max_bytes_ > 0; }
  std::shared_ptr<const CachedResponse> Find(const std::string& key);
  // Replaces any entry under `key`; evicts least recently used entries of
  // the key's shard beyond its share of max_bytes. An entry larger than a
  // shard's share is not kept.
  void Put(const std::string& key, std::shared_ptr<const CachedResponse> value);

  int64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  int64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  size_t bytes() const;

 private:
  static constexpr size_t kShards = 8;
  struct Entry {
    std::string key;
    std::shared_ptr<const CachedResponse> value;
    size_t bytes = 0;
  };
  struct Shard {
    mutable std::mutex mu;
    std::list<Entry> lru;  // most recent first
    std::unordered_map<std::string, std::list<Entry>::iterator> index;
    size_t bytes = 0;
  };
  Shard& ShardFor(const std::string& key);

  const size_t max_bytes_;
  const size_t shard_bytes_;
  Shard shards_[kShards];
  std::atomic<int64_t> hits_{0}, misses_{0};
};

}  // namespace kizuna::taxii
