#include "store/store.h"

#include <future>

namespace kizuna::store {

Result<WriteResult> Store::WriteSync(WriteBatch batch) {
  std::promise<Result<WriteResult>> promise;
  auto future = promise.get_future();
  Write(std::move(batch), [&promise](Result<WriteResult> r) { promise.set_value(std::move(r)); });
  return future.get();
}

int64_t IdHash(std::string_view id) {
  // FNV-1a 64 followed by a murmur3 finalizer: cheap, well mixed, stable
  // across builds (the value is stored on disk, so it must never change).
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : id) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return static_cast<int64_t>(h);
}

}  // namespace kizuna::store
