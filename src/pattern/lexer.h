#pragma once
// Lexer: splits STIX pattern text into tokens (STIX 2.1 §9 and the grammar in
// docs/design/stix-pattern-grammar.md). Hand-written, allocation-free: tokens
// are byte ranges into the text, which must outlive the lexer.
// Not thread-safe (one lexer per parse).

#include <cstdint>
#include <string_view>

namespace kizuna::pattern {

enum class TokenKind : uint8_t {
  kEnd,
  kInvalid,  // a lexical error; Token::error says why
  // Punctuation.
  kLBracket,
  kRBracket,
  kLParen,
  kRParen,
  kColon,
  kDot,
  kComma,
  kAsterisk,
  kEqual,
  kNotEqual,
  kLess,
  kLessOrEqual,
  kGreater,
  kGreaterOrEqual,
  // Keywords (upper-case; true/false lower-case).
  kAnd,
  kOr,
  kNot,
  kFollowedBy,
  kLike,
  kMatches,
  kIsSuperset,
  kIsSubset,
  kExists,
  kLast,
  kIn,
  kStart,
  kStop,
  kSeconds,
  kWithin,
  kRepeats,
  kTimes,
  kTrue,
  kFalse,
  // Identifiers and literals.
  kIdentifier,  // [A-Za-z_][A-Za-z0-9_-]*  (Token::has_hyphen tells whether a '-' occurs)
  kString,      // '...'      text includes the quotes
  kInteger,     // [+-]?digits
  kFloat,       // [+-]?digits?.digits
  kTimestamp,   // t'...'     (form checked by the parser)
  kBinary,      // b'...'     (base64 checked here)
  kHex,         // h'...'     (hex checked here)
};

// A short human name for a token kind: "']'", "AND", "a string", ...
std::string_view TokenKindName(TokenKind k);

struct Token {
  TokenKind kind = TokenKind::kEnd;
  bool has_hyphen = false;  // kIdentifier
  bool has_escape = false;  // kString: contains \' or \\ (needs decoding)
  uint32_t begin = 0;       // byte offsets into the text
  uint32_t end = 0;
  const char* error = nullptr;  // kInvalid: a static message, "unterminated string"
  uint32_t error_offset = 0;    // kInvalid: where exactly the problem is

  std::string_view Text(std::string_view src) const { return src.substr(begin, end - begin); }
};

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  // Lexes the next token; kEnd at the end, forever after. The reference is
  // to current(), valid until the next call.
  const Token& Next();
  // The last token Next() produced.
  const Token& current() const { return cur_; }

 private:
  bool SkipSpaceAndComments();  // false after a lexical error (cur_ holds it)
  const Token& LexQuoted(TokenKind kind, uint32_t begin, uint32_t quote);
  const Token& LexNumber(uint32_t begin);
  const Token& LexWord(uint32_t begin);
  const Token& Invalid(uint32_t begin, uint32_t end, const char* why, uint32_t at);

  std::string_view text_;
  uint32_t pos_ = 0;
  // The current token, filled in place: returning tokens by value cost a
  // store-forwarding stall per token in the parser's hot loop.
  Token cur_;
};

// True if `s` is well-formed UTF-8 (no overlongs, surrogates or values above
// U+10FFFF). Patterns must be UTF-8 (STIX 2.1 §3.1 requires UTF-8 JSON).
bool IsValidUtf8(std::string_view s);

}  // namespace kizuna::pattern
