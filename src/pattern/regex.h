#pragma once
// MATCHES: regular expressions compiled with RE2 (linear time, no
// backtracking, safe on hostile input). STIX 2.1 §9.4 names PCRE syntax; RE2
// accepts the common subset and rejects, with a clear error, the PCRE
// features that need backtracking (backreferences \1, lookaround (?=, (?!,
// (?<=, (?<!, possessive quantifiers, atomic groups, recursion, \C, \G).
// Other differences are listed in docs/design/stix-pattern-grammar.md.
// Thread-safe after construction (RE2 objects are).

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace re2 {
class RE2;
}

namespace kizuna::pattern {

class StixRegex {
 public:
  // Compiles `pattern` (UTF-8). Returns kInvalidArgument with RE2's reason
  // when the expression is not valid RE2 syntax.
  static Result<std::shared_ptr<const StixRegex>> Compile(std::string_view pattern);

  ~StixRegex();

  // Unanchored search in UTF-8 text (Python re.search semantics).
  bool SearchText(std::string_view text) const;
  // Unanchored search in binary data, each byte taken as the code point of
  // the same value (Latin-1). False when the expression has characters above
  // U+00FF, which no byte can match.
  bool SearchBytes(std::string_view bytes) const;

 private:
  StixRegex() = default;
  std::unique_ptr<re2::RE2> utf8_;
  std::unique_ptr<re2::RE2> latin1_;  // null when the pattern is not Latin-1
};

}  // namespace kizuna::pattern
