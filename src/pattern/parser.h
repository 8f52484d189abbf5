#pragma once
// Parser: a hand-written recursive-descent parser for the STIX patterning
// language (STIX 2.1 §9; STIX 2.0 Part 5 with --spec-version 2.0). The
// grammar it implements is written out in docs/design/stix-pattern-grammar.md.
//
// Parsing checks syntax and the form of every constant (timestamps, base64,
// hex, integer range). Semantic checks (object types, property names,
// operator/constant agreement, qualifier ranges) are the validator's
// (validator.h). Thread-safe: each call is independent.

#include <string_view>

#include "core/result.h"
#include "pattern/ast.h"
#include "pattern/diagnostic.h"

namespace kizuna::pattern {

struct ParseOptions {
  SpecVersion spec_version = SpecVersion::k21;
  // Deepest allowed nesting of '(' and '['. Deeper input is rejected with a
  // clear error instead of recursing without bound.
  int max_depth = 64;
};

// Parses `text`. On success the Pattern owns a copy of the text and all
// nodes. On a syntax error returns kInvalidArgument whose message is the
// diagnostic's ToString() ("1:14: expected ..."); if `error` is not null it
// receives the structured diagnostic.
Result<Pattern> Parse(std::string_view text, const ParseOptions& options = {},
                      Diagnostic* error = nullptr);

}  // namespace kizuna::pattern
