#include "pattern/arena.h"

#include <algorithm>

namespace kizuna::pattern {

void* Arena::AllocateSlow(size_t bytes, size_t align) {
  // Each new block is at least 8 KiB and at least twice the previous total,
  // so a pattern of n bytes costs O(log n) blocks.
  size_t size = std::max<size_t>({bytes + align, size_t{8192}, reserved_});
  blocks_.push_back(std::unique_ptr<char[]>(new char[size]));  // uninitialized
  reserved_ += size;
  cur_ = blocks_.back().get();
  end_ = cur_ + size;
  uintptr_t p = (reinterpret_cast<uintptr_t>(cur_) + align - 1) & ~(uintptr_t{align} - 1);
  cur_ = reinterpret_cast<char*>(p + bytes);
  return reinterpret_cast<void*>(p);
}

}  // namespace kizuna::pattern
