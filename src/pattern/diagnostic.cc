#include "pattern/diagnostic.h"

namespace kizuna::pattern {

std::string Diagnostic::ToString() const {
  std::string out = std::to_string(line);
  out += ':';
  out += std::to_string(column);
  out += ": ";
  out += message;
  return out;
}

void LineColumn(std::string_view text, uint32_t offset, uint32_t* line, uint32_t* column) {
  uint32_t l = 1, c = 1;
  if (offset > text.size()) offset = static_cast<uint32_t>(text.size());
  for (uint32_t i = 0; i < offset; ++i) {
    unsigned char ch = static_cast<unsigned char>(text[i]);
    if (ch == '\n') {
      ++l;
      c = 1;
    } else if ((ch & 0xC0) != 0x80) {  // count code points, not continuation bytes
      ++c;
    }
  }
  *line = l;
  *column = c;
}

Diagnostic MakeDiagnostic(std::string_view text, uint32_t offset, Severity severity,
                          std::string message) {
  Diagnostic d;
  d.severity = severity;
  d.offset = offset;
  LineColumn(text, offset, &d.line, &d.column);
  d.message = std::move(message);
  return d;
}

}  // namespace kizuna::pattern
