#pragma once
// Unicode Normalization Form C (UAX #15), for LIKE and MATCHES: the OASIS
// matcher compares both the pattern and the value in NFC there, so that a
// precomposed and a decomposed spelling of the same text match. Equality
// ('=', '!=', IN) compares code points exactly, as STIX 2.1 §9.4 and the
// reference do. Tables: unicode_data.inc (scripts/gen_pattern_unicode.py).
// Pure functions; thread-safe.

#include <string>
#include <string_view>

namespace kizuna::pattern {

// True when `utf8` may change under NFC (it has a character at or above
// U+0300). Text below U+0300 is always already in NFC.
bool MayNeedNfc(std::string_view utf8);

// The NFC form of valid UTF-8 text (invalid sequences are copied unchanged).
std::string ToNfc(std::string_view utf8);

}  // namespace kizuna::pattern
