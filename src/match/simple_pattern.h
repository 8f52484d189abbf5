#pragma once
// A fast path for the commonest indicator pattern, one equality
// "[type:property = 'value']" (property steps may be dotted or quoted; the
// value has no escapes and is printable ASCII). It returns exactly the index
// entry pattern::CompileForIndex gives for that pattern after it parses and
// validates without errors (tests/unit/match/simple_pattern_test.cc checks
// the two agree), skipping the parser: index builds spend most of their
// time there. nullopt for anything else (the caller then takes the full
// path). Pure function; thread-safe.

#include <optional>
#include <string_view>

#include "pattern/compiler.h"

namespace kizuna::match {

std::optional<pattern::IndexEntry> FastSimpleEntry(std::string_view text);
// The same into `*entry`, reusing its storage (no allocation per call once
// warm: index builds call it millions of times). False: see above; *entry
// is then unspecified.
bool FastSimpleEntry(std::string_view text, pattern::IndexEntry* entry);

}  // namespace kizuna::match
