#pragma once
// Validator: the semantic checks on a parsed pattern (syntax is the
// parser's). Thread-safe: functions only read their arguments.
//
// Severity follows the specification's keywords:
//  - errors (the pattern is invalid): a MUST is broken or the pattern can
//    never be evaluated: qualifier ranges (WITHIN > 0, REPEATS >= 1, START
//    before STOP), a qualifier kind repeated directly on one observation,
//    an IN set mixing constant types, a MATCHES expression RE2 cannot
//    compile, an ISSUBSET/ISSUPERSET operand that is no address or CIDR
//    block, a hash value of the wrong form for its algorithm;
//  - warnings (valid, but almost certainly a mistake): an object type that
//    is neither a STIX SCO nor custom ("x-..."), a property the SCO does not
//    define (custom ones start with "x_"), a constant whose type can never
//    equal the property's type (file:size = '10'), comparisons joined by AND
//    inside one observation on different object types (they must hold for
//    the same object, so can never match).
// With ValidateOptions::strict, warnings are reported as errors.

#include <optional>
#include <string_view>
#include <vector>

#include "pattern/ast.h"
#include "pattern/diagnostic.h"
#include "pattern/parser.h"

namespace kizuna::pattern {

struct ValidateOptions {
  bool strict = false;  // report warnings as errors
};

// All diagnostics for `pattern`, ordered by position.
std::vector<Diagnostic> Validate(const Pattern& pattern, const ValidateOptions& options = {});

struct CheckOptions {
  SpecVersion spec_version = SpecVersion::k21;
  bool strict = false;
  int max_depth = 64;
};

struct CheckResult {
  std::optional<Pattern> pattern;       // set when the text parsed
  std::vector<Diagnostic> diagnostics;  // parse error, or validation results

  // True when there is no error (warnings allowed).
  bool ok() const { return FirstError() == nullptr; }
  // The first error by position, or null.
  const Diagnostic* FirstError() const;
};

// Parses and validates `text`.
CheckResult Check(std::string_view text, const CheckOptions& options = {});

}  // namespace kizuna::pattern
