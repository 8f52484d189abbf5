#pragma once
// Diagnostic: one error or warning about a pattern, with its position.

#include <cstdint>
#include <string>
#include <string_view>

namespace kizuna::pattern {

enum class Severity : uint8_t {
  kError,    // the pattern is invalid (a MUST of the specification is broken)
  kWarning,  // valid, but almost certainly not what the author meant
};

struct Diagnostic {
  Severity severity = Severity::kError;
  uint32_t offset = 0;  // byte offset into the pattern text
  uint32_t line = 1;    // 1-based
  uint32_t column = 1;  // 1-based, counted in characters (UTF-8 code points)
  // One sentence: what was expected, what was found (the offending token).
  std::string message;

  // "1:14: expected a constant after '=', found ']'"
  std::string ToString() const;
};

// Computes line and column (both 1-based; columns count code points) of a
// byte offset in text.
void LineColumn(std::string_view text, uint32_t offset, uint32_t* line, uint32_t* column);

// Builds a diagnostic at `offset` of `text`.
Diagnostic MakeDiagnostic(std::string_view text, uint32_t offset, Severity severity,
                          std::string message);

}  // namespace kizuna::pattern
