#pragma once
// A grammar check for the Suricata and Snort rules and the Zeek Intel files
// Kizuna generates, for machines without those tools (neither Suricata,
// Snort nor Zeek is in Debian 12). The grammar, written from the tools'
// rule documentation, is in docs/design/rule-grammar.md; the check rejects
// anything outside it, so a rule that passes uses only syntax the tools
// document. Pure functions; thread-safe.

#include <string>
#include <string_view>
#include <vector>

namespace kizuna::exports {

enum class RuleDialect { kSuricata, kSnort };

// Checks every non-comment line of `rules`. Returns one message per problem
// ("line 3: unknown keyword \"foo\""); empty when all rules are valid.
// Also checks that sids are unique across the file.
std::vector<std::string> CheckRules(std::string_view rules, RuleDialect dialect);

// Checks a Zeek Intel framework input file: the #fields header, five
// tab-separated columns per row, a known Intel:: type and a value of that
// type's form.
std::vector<std::string> CheckZeekIntel(std::string_view text);

}  // namespace kizuna::exports
