#pragma once
// Arena: a bump allocator for the nodes of one parsed pattern. Every node is
// trivially destructible, so the arena frees memory without running
// destructors. The first block lives inside the Arena object, so a typical
// indicator pattern parses without a heap allocation.
// Not thread-safe; owned by one Pattern.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

namespace kizuna::pattern {

class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Returns `bytes` bytes aligned to `align`; never null (throws bad_alloc
  // only when the process is out of memory, like operator new).
  void* Allocate(size_t bytes, size_t align) {
    uintptr_t p = (reinterpret_cast<uintptr_t>(cur_) + align - 1) & ~(uintptr_t{align} - 1);
    if (p + bytes > reinterpret_cast<uintptr_t>(end_)) {
      return AllocateSlow(bytes, align);
    }
    cur_ = reinterpret_cast<char*>(p + bytes);
    return reinterpret_cast<void*>(p);
  }

  template <typename T, typename... Args>
  T* New(Args&&... args) {
    static_assert(std::is_trivially_destructible_v<T>);
    return new (Allocate(sizeof(T), alignof(T))) T{std::forward<Args>(args)...};
  }

  // Copies `items` into the arena; the span stays valid while the arena lives.
  template <typename T>
  std::span<const T> CopySpan(std::span<const T> items) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (items.empty()) return {};
    T* out = static_cast<T*>(Allocate(sizeof(T) * items.size(), alignof(T)));
    std::memcpy(static_cast<void*>(out), items.data(), sizeof(T) * items.size());
    return {out, items.size()};
  }

  std::string_view CopyString(std::string_view s) {
    if (s.empty()) return {};
    char* out = static_cast<char*>(Allocate(s.size(), 1));
    std::memcpy(out, s.data(), s.size());
    return {out, s.size()};
  }

  // Bytes handed out so far plus block overhead (for tests and benchmarks).
  size_t BytesReserved() const { return reserved_; }

 private:
  void* AllocateSlow(size_t bytes, size_t align);

  static constexpr size_t kInlineBytes = 4096;
  alignas(std::max_align_t) char inline_[kInlineBytes];
  char* cur_ = inline_;
  char* end_ = inline_ + kInlineBytes;
  size_t reserved_ = kInlineBytes;
  std::vector<std::unique_ptr<char[]>> blocks_;
};

}  // namespace kizuna::pattern
