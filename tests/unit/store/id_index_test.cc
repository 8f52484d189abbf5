#include "store/sqlite/id_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

namespace kizuna::store::sqlite {
namespace {

std::vector<int64_t> Sorted(const IdIndex& idx, uint64_t key) {
  std::vector<int64_t> v;
  idx.Find(key, &v);
  std::sort(v.begin(), v.end());
  return v;
}

TEST(IdIndexTest, KeepsEveryVersionOfAKey) {
  IdIndex idx;
  idx.Insert(7, 100);
  idx.Insert(7, 200);
  idx.Insert(8, 300);
  EXPECT_EQ(Sorted(idx, 7), (std::vector<int64_t>{100, 200}));
  EXPECT_EQ(Sorted(idx, 8), (std::vector<int64_t>{300}));
  EXPECT_TRUE(Sorted(idx, 9).empty());
  EXPECT_TRUE(idx.Erase(7, 100));
  EXPECT_FALSE(idx.Erase(7, 100));
  EXPECT_EQ(Sorted(idx, 7), (std::vector<int64_t>{200}));
  EXPECT_EQ(idx.size(), 2u);
}

TEST(IdIndexTest, KeysDependOnTheCollection) {
  EXPECT_NE(IdIndex::Key(1, 42), IdIndex::Key(2, 42));
  EXPECT_EQ(IdIndex::Key(3, 42), IdIndex::Key(3, 42));
}

// Random inserts and erases against std::multimap, through several
// rehashes, with keys chosen to collide in long probe runs.
TEST(IdIndexTest, MatchesAMultimapUnderRandomOperations) {
  IdIndex idx;
  std::multimap<uint64_t, int64_t> model;
  std::mt19937_64 rng(1);
  int64_t next_da = 1;
  for (int step = 0; step < 200000; ++step) {
    uint64_t key = rng() % 5000;  // many versions per key
    if (rng() % 3 != 0 || model.empty()) {
      idx.Insert(key, next_da);
      model.emplace(key, next_da);
      ++next_da;
    } else {
      auto it = model.lower_bound(key);
      if (it == model.end()) it = model.begin();
      EXPECT_TRUE(idx.Erase(it->first, it->second));
      model.erase(it);
    }
    if (step % 20000 == 0) {
      for (uint64_t k = 0; k < 5000; k += 37) {
        std::vector<int64_t> want;
        for (auto [a, b] = model.equal_range(k); a != b; ++a) want.push_back(a->second);
        std::sort(want.begin(), want.end());
        ASSERT_EQ(Sorted(idx, k), want) << "key " << k << " step " << step;
      }
    }
  }
  EXPECT_EQ(idx.size(), model.size());
  for (const auto& [k, da] : model) ASSERT_TRUE(idx.Contains(k, da));
}

TEST(IdIndexTest, ReserveAndClear) {
  IdIndex idx;
  idx.Reserve(100000);
  size_t bytes = idx.MemoryBytes();
  for (int64_t i = 1; i <= 100000; ++i)
    idx.Insert(static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ULL, i);
  EXPECT_EQ(idx.MemoryBytes(), bytes) << "Reserve(n) must make room for n entries";
  idx.Clear();
  EXPECT_EQ(idx.size(), 0u);
  EXPECT_FALSE(idx.Contains(0x9E3779B97F4A7C15ULL, 1));
}

}  // namespace
}  // namespace kizuna::store::sqlite
