#pragma once
// Evaluator: decides whether a pattern matches a set of observed-data, with
// the semantics of STIX 2.1 §9 (and 2.0 Part 5 where they differ):
//
//  - An observation expression [ ... ] holds for an observed-data when one of
//    its SCOs satisfies the comparison expression; comparisons joined by AND
//    must hold for the same SCO (§9.2). Reference properties (*_ref, *_refs)
//    are followed to the SCOs they name in the same observed-data.
//  - A comparison over a path that selects several values ([*], *_refs)
//    holds when one selected value satisfies it; NOT negates the operator for
//    each value (`a NOT = 1` holds for a value that is not 1); a path that
//    selects nothing never holds (§9.4).
//  - AND, OR and FOLLOWEDBY between observation expressions bind distinct
//    observations: an observed-data with number_observed n stands for n
//    observations, all at [first_observed, last_observed]. FOLLOWEDBY needs
//    times that can be chosen in order; WITHIN n SECONDS needs all bound
//    observations to fit in one window of n seconds; REPEATS n TIMES needs n
//    disjoint bindings; START/STOP needs each bound observation to overlap
//    [START, STOP) (§9.5).
//  - Type rules (§9.4): values of different types are unequal (integers and
//    floats compare numerically); strings compare case-sensitively by code
//    point; a timestamp constant compares with a string value read as an RFC
//    3339 timestamp (a value that is no timestamp is an error, as in the OASIS
//    matcher); binary (*_hex, *_bin values, b'' and h'' constants) compares
//    with strings whose characters are all below U+0100, byte by byte; '='
//    and '!=' on the value of an ipv4-addr/ipv6-addr compare networks, so
//    '198.51.100.1' equals '198.51.100.1/32'; ISSUBSET/ISSUPERSET compare
//    CIDR blocks; LIKE uses % and _ over code points; MATCHES uses RE2
//    (regex.h), searching anywhere in the value.
//
// Combinatorial limits (documented in docs/design/stix-pattern-grammar.md):
// the search for a binding stops with kResourceExhausted after
// EvalOptions::max_steps candidate bindings, and a pattern that needs more
// than EvalOptions::max_binding_size observations in one match is refused
// before searching. Thread-safe: Evaluate only reads its arguments.

#include <cstdint>
#include <vector>

#include "core/result.h"
#include "pattern/ast.h"
#include "pattern/observation.h"

namespace kizuna::pattern {

struct EvalOptions {
  uint64_t max_steps = 1'000'000;
  int64_t max_binding_size = 1000;
};

struct EvalResult {
  bool matched = false;
  // Indices into ObservationSet::observations() of the observed-data bound
  // by the first binding found, sorted, without duplicates. Empty when not
  // matched.
  std::vector<size_t> observations;
};

// Evaluates `pattern` (which should have passed Validate without errors)
// against `observations`. Errors: kInvalidArgument for data that cannot be
// compared (a timestamp constant against a value that is no timestamp), a
// MATCHES expression that does not compile, an IN set of mixed types;
// kResourceExhausted for the combinatorial limits above.
Result<EvalResult> Evaluate(const Pattern& pattern, const ObservationSet& observations,
                            const EvalOptions& options = {});

// Evaluates one sub-expression of `pattern` (for instance a disjunct the
// compiler could not answer from an index; see compiler.h) as if it were the
// whole pattern.
Result<EvalResult> EvaluateExpr(const Pattern& pattern, const ObservationExpr& expr,
                                const ObservationSet& observations,
                                const EvalOptions& options = {});

}  // namespace kizuna::pattern
