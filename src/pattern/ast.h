#pragma once
// The typed AST of a STIX pattern (STIX 2.1 §9, STIX 2.0 Part 5), the
// printer and structural equality. Grammar: docs/design/stix-pattern-grammar.md.
//
// Nodes live in the Arena owned by the Pattern that holds them (see
// parser.h); every pointer, span and string_view below stays valid exactly as
// long as that Pattern. Nodes are immutable after parsing, so a Pattern may be
// read from several threads at once.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/time.h"
#include "pattern/arena.h"

namespace kizuna::pattern {

// Which edition of the patterning language to apply where 2.0 and 2.1 differ
// (2.1 adds EXISTS and requires t'...' literals after START/STOP).
enum class SpecVersion : uint8_t { k20, k21 };
std::string_view SpecVersionName(SpecVersion v);  // "2.0" or "2.1"

// Byte offsets [begin, end) into the pattern text.
struct SourceSpan {
  uint32_t begin = 0;
  uint32_t end = 0;
};

// STIX 2.1 §9.3 (Table 9-1): the constant types of the patterning language.
enum class ConstantType : uint8_t {
  kString,     // 'text'   (escapes \' and \\ only)
  kInteger,    // 42, -7, +3
  kFloat,      // 1.5, -.25
  kBoolean,    // true, false
  kTimestamp,  // t'2016-01-01T00:00:00Z'
  kBinary,     // b'base64'
  kHex,        // h'a1b2'
};
std::string_view ConstantTypeName(ConstantType t);  // "string", "integer", ...

struct Constant {
  ConstantType type = ConstantType::kString;
  SourceSpan span;
  // kString: the decoded text; kBinary/kHex: the decoded bytes; kTimestamp:
  // the literal text between the quotes (kept for printing).
  std::string_view bytes;
  int64_t integer = 0;   // kInteger
  double real = 0;       // kFloat
  bool boolean = false;  // kBoolean
  Timestamp timestamp;   // kTimestamp
};

enum class StepKind : uint8_t {
  kKey,       // .name or .'quoted name' (and the first property after ':')
  kIndex,     // [n]
  kAnyIndex,  // [*]
};

struct PathStep {
  StepKind kind = StepKind::kKey;
  std::string_view key;  // kKey: the property name, unquoted and unescaped
  int64_t index = 0;     // kIndex
  SourceSpan span;
};

// object-type ':' first-property steps...   (STIX 2.1 §9.3.1 object path)
struct ObjectPath {
  std::string_view object_type;
  std::span<const PathStep> steps;  // never empty; steps[0] is a kKey
  SourceSpan span;
};

// STIX 2.1 §9.4 comparison operators. kExists is 2.1 only.
enum class Operator : uint8_t {
  kEqual,
  kNotEqual,
  kLess,
  kLessOrEqual,
  kGreater,
  kGreaterOrEqual,
  kIn,
  kLike,
  kMatches,
  kIsSubset,
  kIsSuperset,
  kExists,
};
std::string_view OperatorText(Operator op);  // "=", "!=", "IN", "EXISTS", ...

// One comparison: `path [NOT] op constant`, `path [NOT] IN (set)` or
// `[NOT] EXISTS path`.
struct Comparison {
  ObjectPath path;
  Operator op = Operator::kEqual;
  bool negated = false;
  Constant value;                 // not used by kIn and kExists
  std::span<const Constant> set;  // kIn only
  SourceSpan span;
  SourceSpan op_span;  // the operator token (for diagnostics)
};

// Inside [...]: comparisons joined by AND (binds tighter) and OR. AND and OR
// nodes are n-ary and never have a child of their own kind.
enum class BoolOp : uint8_t { kTest, kAnd, kOr };

struct ComparisonExpr {
  BoolOp kind = BoolOp::kTest;
  const Comparison* test = nullptr;                 // kTest
  std::span<const ComparisonExpr* const> children;  // kAnd, kOr (size >= 2)
  SourceSpan span;
};

// STIX 2.1 §9.5 qualifiers.
enum class QualifierKind : uint8_t { kWithin, kRepeats, kStartStop };

struct Qualifier {
  QualifierKind kind = QualifierKind::kWithin;
  Constant within;            // kWithin: the integer or float seconds
  int64_t within_micros = 0;  // kWithin: the duration, rounded to microseconds
  int64_t repeats = 0;        // kRepeats
  Constant start, stop;       // kStartStop: timestamps (2.0 also accepts strings)
  SourceSpan span;
};

// Observation expressions, from loosest to tightest binding: FOLLOWEDBY, OR,
// AND, then qualifiers. kAnd/kOr/kFollowedBy are n-ary (size >= 2).
// kGroup is `( child )` followed by qualifiers, kept only where it changes
// meaning (the child already carries qualifiers of its own, or is a single
// observation, so that qualifiers written after parentheses stay apart from
// those written directly after the brackets).
enum class ObsOp : uint8_t { kObservation, kAnd, kOr, kFollowedBy, kGroup };

struct ObservationExpr {
  ObsOp kind = ObsOp::kObservation;
  const ComparisonExpr* comparison = nullptr;        // kObservation
  std::span<const ObservationExpr* const> children;  // n-ary ops and kGroup (size 1)
  std::span<const Qualifier> qualifiers;             // applied in order, innermost first
  SourceSpan span;
};

// A parsed pattern. Move-only; owns its arena and a copy of the text.
class Pattern {
 public:
  Pattern(Pattern&&) noexcept = default;
  Pattern& operator=(Pattern&&) noexcept = default;

  const ObservationExpr& root() const { return *root_; }
  // The text that was parsed (the arena's copy).
  std::string_view text() const { return text_; }
  SpecVersion spec_version() const { return version_; }
  // The deepest nesting of parentheses and brackets seen.
  int max_depth() const { return max_depth_; }

 private:
  friend class Parser;
  // `new Arena` (not make_unique) leaves the inline block uninitialized.
  Pattern() : arena_(new Arena) {}

  std::unique_ptr<Arena> arena_;
  const ObservationExpr* root_ = nullptr;
  std::string_view text_;
  SpecVersion version_ = SpecVersion::k21;
  int max_depth_ = 0;
};

// Prints the canonical text of a node: single spaces, upper-case keywords,
// parentheses only where precedence or qualifiers need them, property names
// quoted only when they are not plain identifiers. Parsing the result gives a
// structurally equal AST (the round-trip property tests rely on).
std::string ToString(const Pattern& p);
std::string ToString(const ObservationExpr& e);
std::string ToString(const ComparisonExpr& e);
std::string ToString(const Comparison& c);
std::string ToString(const ObjectPath& p);
std::string ToString(const Constant& c);
std::string ToString(const Qualifier& q);

// Structural equality, ignoring source positions and spelling (quoting of
// property names, `==` versus `=`, redundant parentheses).
bool Equal(const Constant& a, const Constant& b);
bool Equal(const ObjectPath& a, const ObjectPath& b);
bool Equal(const Comparison& a, const Comparison& b);
bool Equal(const ComparisonExpr& a, const ComparisonExpr& b);
bool Equal(const ObservationExpr& a, const ObservationExpr& b);

}  // namespace kizuna::pattern
