#include "pattern/compiler.h"

#include <gtest/gtest.h>

#include "pattern/parser.h"

namespace kizuna::pattern {
namespace {

Pattern MustParse(std::string_view text) {
  Result<Pattern> p = Parse(text);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  if (!p.ok()) std::abort();
  return std::move(p).value();
}

TEST(CompilerTest, OrOfSimpleObservationsIsFullyIndexed) {
  Pattern p =
      MustParse("[ipv4-addr:value = '198.51.100.7'] OR [domain-name:value = 'evil.example']");
  CompiledPattern c = CompileForIndex(p);
  ASSERT_EQ(c.disjuncts.size(), 2u);
  EXPECT_TRUE(c.FullyIndexed());
  ASSERT_EQ(c.entries.size(), 2u);
  const IndexEntry& a = c.entries[0];
  EXPECT_EQ(a.object_type, "ipv4-addr");
  EXPECT_EQ(a.path, std::vector<std::string>{"value"});
  EXPECT_EQ(a.kind, IndexKind::kAddress);
  EXPECT_EQ(a.value, "198.51.100.7");
  EXPECT_EQ(a.disjunct, 0u);
  EXPECT_EQ(a.observation, 0u);
  const IndexEntry& b = c.entries[1];
  EXPECT_EQ(b.object_type, "domain-name");
  EXPECT_EQ(b.kind, IndexKind::kExact);
  EXPECT_EQ(b.value, "evil.example");
  EXPECT_EQ(b.disjunct, 1u);
  EXPECT_EQ(b.observation, 1u);
}

TEST(CompilerTest, NormalizesAddressesAndBlocks) {
  Pattern p = MustParse(
      "[ipv4-addr:value = '198.51.100.7/32' OR ipv4-addr:value ISSUBSET '10.1.2.3/8' OR "
      "ipv6-addr:value = '2001:DB8:0:0::1']");
  CompiledPattern c = CompileForIndex(p);
  ASSERT_EQ(c.entries.size(), 3u);
  EXPECT_TRUE(c.FullyIndexed());
  EXPECT_EQ(c.entries[0].value, "198.51.100.7");
  EXPECT_EQ(c.entries[1].kind, IndexKind::kCidr);
  EXPECT_EQ(c.entries[1].value, "10.0.0.0/8");
  EXPECT_EQ(c.entries[2].value, "2001:db8::1");
}

TEST(CompilerTest, HashesAndSets) {
  Pattern p = MustParse(
      "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' "
      "OR file:hashes.MD5 IN ('cead3f77f6cda6ec00f57d76c9a6879f', "
      "'79054025255fb1a26e4bc422aef54eb4')]");
  CompiledPattern c = CompileForIndex(p);
  EXPECT_TRUE(c.FullyIndexed());
  ASSERT_EQ(c.entries.size(), 3u);
  EXPECT_EQ(c.entries[0].kind, IndexKind::kHash);
  EXPECT_EQ(c.entries[0].algorithm, "SHA-256");
  EXPECT_EQ(c.entries[0].path, (std::vector<std::string>{"hashes", "SHA-256"}));
  EXPECT_EQ(c.entries[2].value, "79054025255fb1a26e4bc422aef54eb4");
}

TEST(CompilerTest, AndInsideAnObservationGivesCandidatesAndAResidual) {
  Pattern p = MustParse("[file:name = 'a.exe' AND file:size > 100]");
  CompiledPattern c = CompileForIndex(p);
  ASSERT_EQ(c.disjuncts.size(), 1u);
  EXPECT_EQ(c.disjuncts[0].kind, DisjunctKind::kIndexed);
  EXPECT_EQ(c.disjuncts[0].expr, &p.root());
  ASSERT_EQ(c.entries.size(), 1u);
  EXPECT_EQ(c.entries[0].value, "a.exe");
  EXPECT_FALSE(c.FullyIndexed());
}

TEST(CompilerTest, QualifiersAndMultiObservationDisjunctsAreIndexedNotExact) {
  CompiledPattern a = CompileForIndex(MustParse("[url:value = 'x'] REPEATS 2 TIMES"));
  EXPECT_EQ(a.disjuncts[0].kind, DisjunctKind::kIndexed);
  Pattern fb = MustParse("[file:size > 5] FOLLOWEDBY [url:value = 'x' OR url:value = 'y']");
  CompiledPattern b = CompileForIndex(fb);
  EXPECT_EQ(b.disjuncts[0].kind, DisjunctKind::kIndexed);
  ASSERT_EQ(b.entries.size(), 2u);
  EXPECT_EQ(b.entries[0].observation, 1u);
}

TEST(CompilerTest, UnindexableDisjunctsAreScanned) {
  Pattern p = MustParse(
      "[file:size > 5] OR [url:value MATCHES 'x'] OR [url:value NOT = 'y'] OR "
      "[url:value = 'z']");
  CompiledPattern c = CompileForIndex(p);
  ASSERT_EQ(c.disjuncts.size(), 4u);
  EXPECT_EQ(c.disjuncts[0].kind, DisjunctKind::kScan);
  EXPECT_EQ(c.disjuncts[1].kind, DisjunctKind::kScan);
  EXPECT_EQ(c.disjuncts[2].kind, DisjunctKind::kScan);
  EXPECT_EQ(c.disjuncts[3].kind, DisjunctKind::kExact);
  ASSERT_EQ(c.entries.size(), 1u);
  EXPECT_EQ(c.entries[0].disjunct, 3u);
  // An OR within one observation with an unindexable branch cannot be indexed.
  CompiledPattern d = CompileForIndex(MustParse("[url:value = 'z' OR url:value LIKE 'a%']"));
  EXPECT_EQ(d.disjuncts[0].kind, DisjunctKind::kScan);
  EXPECT_TRUE(d.entries.empty());
}

TEST(CompilerTest, ReferencesAndStarsAreCandidatesOnly) {
  CompiledPattern c = CompileForIndex(MustParse("[network-traffic:dst_ref.value = '203.0.113.1']"));
  ASSERT_EQ(c.entries.size(), 1u);
  EXPECT_EQ(c.entries[0].path, (std::vector<std::string>{"dst_ref", "value"}));
  EXPECT_EQ(c.entries[0].kind, IndexKind::kExact);
  EXPECT_EQ(c.disjuncts[0].kind, DisjunctKind::kIndexed);
  CompiledPattern s = CompileForIndex(MustParse("[process:child_refs[*].name = 'x']"));
  EXPECT_EQ(s.entries[0].path, (std::vector<std::string>{"child_refs", "*", "name"}));
  CompiledPattern i = CompileForIndex(MustParse("[x-t:list[0] = 'x']"));
  EXPECT_EQ(i.disjuncts[0].kind, DisjunctKind::kScan);
}

TEST(CompilerTest, NonStringConstantsAreNotIndexed) {
  CompiledPattern c = CompileForIndex(MustParse("[network-traffic:dst_port = 443]"));
  EXPECT_EQ(c.disjuncts[0].kind, DisjunctKind::kScan);
}

TEST(CompilerTest, KindNames) {
  EXPECT_EQ(IndexKindName(IndexKind::kCidr), "cidr");
  EXPECT_EQ(IndexKindName(IndexKind::kHash), "hash");
}

}  // namespace
}  // namespace kizuna::pattern
