#pragma once
// HugePageAllocator: a std::allocator for the matcher's large tables (id
// table, value index, Bloom filter). Lookups in them are random: with 4 KiB
// pages nearly every one also misses the TLB (a 100 MB table spans 25,000
// pages; the TLB holds a few thousand). Allocations of kHugeMin bytes or
// more are mapped on 2 MiB boundaries and advised as transparent huge pages
// (MADV_HUGEPAGE: taken where the kernel's THP mode is "madvise" or
// "always", ignored where it is "never"); smaller ones use operator new.

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace kizuna::match {

inline constexpr size_t kHugePage = size_t{2} << 20;
inline constexpr size_t kHugeMin = size_t{4} << 20;

// Maps `bytes` (a multiple of kHugePage) on a kHugePage boundary.
inline void* MapHuge(size_t bytes) {
  void* p = ::mmap(nullptr, bytes + kHugePage, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  const uintptr_t start = reinterpret_cast<uintptr_t>(p);
  const uintptr_t aligned = (start + kHugePage - 1) & ~(uintptr_t{kHugePage} - 1);
  // Give back the slack on both sides.
  if (aligned > start) ::munmap(p, aligned - start);
  const size_t tail = (start + bytes + kHugePage) - (aligned + bytes);
  if (tail > 0) ::munmap(reinterpret_cast<void*>(aligned + bytes), tail);
  ::madvise(reinterpret_cast<void*>(aligned), bytes, MADV_HUGEPAGE);
  return reinterpret_cast<void*>(aligned);
}

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT: rebinding

  static size_t Rounded(size_t bytes) { return (bytes + kHugePage - 1) & ~(kHugePage - 1); }

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kHugeMin) return static_cast<T*>(::operator new(bytes));
    return static_cast<T*>(MapHuge(Rounded(bytes)));
  }
  void deallocate(T* p, size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kHugeMin) {
      ::operator delete(p);
    } else {
      ::munmap(p, Rounded(bytes));
    }
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

template <typename T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace kizuna::match
