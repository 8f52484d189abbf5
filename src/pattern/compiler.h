#pragma once
// Compiler hooks for the frontline matcher: splits a pattern into the simple
// comparisons an index can answer (exact string equality, address equality,
// CIDR containment, hash equality) and a residual program for the rest.
//
// The pattern's top-level OR branches become disjuncts; the pattern matches
// when any disjunct does. Each disjunct is one of:
//   - exact: a single observation [ ... ] without qualifiers whose comparisons
//     are simple ones joined by OR. A hit on any of its index entries IS a
//     match; no evaluator work is needed. `[ipv4-addr:value = 'x'] OR
//     [domain-name:value = 'y']` compiles to two exact disjuncts, one entry
//     each.
//   - indexed: not exact, but some entries are necessary: the disjunct can
//     only match an input in which one of its entries hits. The matcher
//     looks the entries up and runs the evaluator (EvaluateExpr on
//     Disjunct::expr) only for inputs with a hit.
//   - scan: no necessary entries (e.g. [file:size > 10]); the evaluator must
//     run on every input.
//
// Entry semantics are the evaluator's (STIX 2.1 §9.4): string equality is
// exact and case-sensitive; kAddress compares networks; kCidr holds for
// values inside the block. CompiledPattern points into the Pattern, which
// must outlive it. Thread-safe: Compile only reads the pattern.

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "pattern/ast.h"

namespace kizuna::pattern {

enum class IndexKind : uint8_t {
  kExact,    // property value == value (string, exact code points)
  kAddress,  // ipv4-addr/ipv6-addr value equals the network `value` ("10.0.0.1", "10.0.0.0/8")
  kCidr,     // the property's address or block lies inside the block `value` (ISSUBSET)
  kHash,     // hashes.<algorithm> == value; `algorithm` is the key as written
};
std::string_view IndexKindName(IndexKind k);  // "exact", "address", "cidr", "hash"

struct IndexEntry {
  std::string object_type;        // "ipv4-addr"
  std::vector<std::string> path;  // {"value"}, {"hashes", "SHA-256"}; "*" is a [*] step
  std::string value;              // normalized: decoded string; canonical network text
  IndexKind kind = IndexKind::kExact;
  std::string algorithm;     // kHash: the hash dictionary key
  uint32_t disjunct = 0;     // index into CompiledPattern::disjuncts
  uint32_t observation = 0;  // which [ ... ] of the pattern (0-based, left to right)
};

enum class DisjunctKind : uint8_t { kExact, kIndexed, kScan };

struct Disjunct {
  DisjunctKind kind = DisjunctKind::kScan;
  const ObservationExpr* expr = nullptr;  // the residual program: evaluate this
};

struct CompiledPattern {
  std::vector<Disjunct> disjuncts;
  std::vector<IndexEntry> entries;  // grouped by disjunct, in pattern order

  // True when every disjunct is exact: the index alone answers the pattern.
  bool FullyIndexed() const;
};

// Compiles a parsed (and validated) pattern.
CompiledPattern CompileForIndex(const Pattern& pattern);

}  // namespace kizuna::pattern
