#include "pattern/lexer.h"

#include <cstring>

namespace kizuna::pattern {

std::string_view TokenKindName(TokenKind k) {
  switch (k) {
    case TokenKind::kEnd:
      return "the end of the pattern";
    case TokenKind::kInvalid:
      return "an invalid token";
    case TokenKind::kLBracket:
      return "'['";
    case TokenKind::kRBracket:
      return "']'";
    case TokenKind::kLParen:
      return "'('";
    case TokenKind::kRParen:
      return "')'";
    case TokenKind::kColon:
      return "':'";
    case TokenKind::kDot:
      return "'.'";
    case TokenKind::kComma:
      return "','";
    case TokenKind::kAsterisk:
      return "'*'";
    case TokenKind::kEqual:
      return "'='";
    case TokenKind::kNotEqual:
      return "'!='";
    case TokenKind::kLess:
      return "'<'";
    case TokenKind::kLessOrEqual:
      return "'<='";
    case TokenKind::kGreater:
      return "'>'";
    case TokenKind::kGreaterOrEqual:
      return "'>='";
    case TokenKind::kAnd:
      return "AND";
    case TokenKind::kOr:
      return "OR";
    case TokenKind::kNot:
      return "NOT";
    case TokenKind::kFollowedBy:
      return "FOLLOWEDBY";
    case TokenKind::kLike:
      return "LIKE";
    case TokenKind::kMatches:
      return "MATCHES";
    case TokenKind::kIsSuperset:
      return "ISSUPERSET";
    case TokenKind::kIsSubset:
      return "ISSUBSET";
    case TokenKind::kExists:
      return "EXISTS";
    case TokenKind::kLast:
      return "LAST";
    case TokenKind::kIn:
      return "IN";
    case TokenKind::kStart:
      return "START";
    case TokenKind::kStop:
      return "STOP";
    case TokenKind::kSeconds:
      return "SECONDS";
    case TokenKind::kWithin:
      return "WITHIN";
    case TokenKind::kRepeats:
      return "REPEATS";
    case TokenKind::kTimes:
      return "TIMES";
    case TokenKind::kTrue:
      return "true";
    case TokenKind::kFalse:
      return "false";
    case TokenKind::kIdentifier:
      return "an identifier";
    case TokenKind::kString:
      return "a string";
    case TokenKind::kInteger:
      return "an integer";
    case TokenKind::kFloat:
      return "a float";
    case TokenKind::kTimestamp:
      return "a timestamp";
    case TokenKind::kBinary:
      return "a binary constant";
    case TokenKind::kHex:
      return "a hex constant";
  }
  return "?";
}

namespace {

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
inline bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c) || c == '-'; }
inline bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
inline bool IsBase64(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '+' || c == '/';
}

// Length of the Unicode white space at s[i] (the grammar's WS rule), or 0.
uint32_t SpaceLength(std::string_view s, uint32_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') return 1;
  if (c < 0xC2) return 0;
  auto at = [&](uint32_t k) -> unsigned char {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0;
  };
  if (c == 0xC2 && (at(1) == 0x85 || at(1) == 0xA0)) return 2;  // U+0085, U+00A0
  if (c == 0xE1 && at(1) == 0x9A && at(2) == 0x80) return 3;    // U+1680
  if (c == 0xE2 && at(1) == 0x80) {
    unsigned char d = at(2);
    if ((d >= 0x80 && d <= 0x8A) || d == 0xA8 || d == 0xA9 || d == 0xAF) return 3;
  }
  if (c == 0xE2 && at(1) == 0x81 && at(2) == 0x9F) return 3;  // U+205F
  if (c == 0xE3 && at(1) == 0x80 && at(2) == 0x80) return 3;  // U+3000
  return 0;
}

TokenKind Keyword(std::string_view w) {
  switch (w.size()) {
    case 2:
      if (w == "OR") return TokenKind::kOr;
      if (w == "IN") return TokenKind::kIn;
      break;
    case 3:
      if (w == "AND") return TokenKind::kAnd;
      if (w == "NOT") return TokenKind::kNot;
      break;
    case 4:
      if (w == "LIKE") return TokenKind::kLike;
      if (w == "LAST") return TokenKind::kLast;
      if (w == "STOP") return TokenKind::kStop;
      if (w == "true") return TokenKind::kTrue;
      break;
    case 5:
      if (w == "START") return TokenKind::kStart;
      if (w == "TIMES") return TokenKind::kTimes;
      if (w == "false") return TokenKind::kFalse;
      break;
    case 6:
      if (w == "EXISTS") return TokenKind::kExists;
      if (w == "WITHIN") return TokenKind::kWithin;
      break;
    case 7:
      if (w == "MATCHES") return TokenKind::kMatches;
      if (w == "SECONDS") return TokenKind::kSeconds;
      if (w == "REPEATS") return TokenKind::kRepeats;
      break;
    case 8:
      if (w == "ISSUBSET") return TokenKind::kIsSubset;
      break;
    case 10:
      if (w == "FOLLOWEDBY") return TokenKind::kFollowedBy;
      if (w == "ISSUPERSET") return TokenKind::kIsSuperset;
      break;
    default:
      break;
  }
  return TokenKind::kIdentifier;
}

}  // namespace

const Token& Lexer::Invalid(uint32_t begin, uint32_t end, const char* why, uint32_t at) {
  Token& t = cur_;
  t = Token();
  t.kind = TokenKind::kInvalid;
  t.begin = begin;
  t.end = end;
  t.error = why;
  t.error_offset = at;
  pos_ = static_cast<uint32_t>(text_.size());  // stop lexing after an error
  return t;
}

bool Lexer::SkipSpaceAndComments() {
  const uint32_t n = static_cast<uint32_t>(text_.size());
  while (pos_ < n) {
    if (uint32_t len = SpaceLength(text_, pos_)) {
      pos_ += len;
      continue;
    }
    if (text_[pos_] == '/' && pos_ + 1 < n && text_[pos_ + 1] == '*') {
      size_t close = text_.find("*/", pos_ + 2);
      if (close == std::string_view::npos) {
        Invalid(pos_, n, "unterminated comment: '/*' has no closing '*/'", pos_);
        return false;
      }
      pos_ = static_cast<uint32_t>(close + 2);
      continue;
    }
    if (text_[pos_] == '/' && pos_ + 1 < n && text_[pos_ + 1] == '/') {
      while (pos_ < n && text_[pos_] != '\n' && text_[pos_] != '\r') ++pos_;
      continue;
    }
    return true;
  }
  return true;
}

const Token& Lexer::Next() {
  if (!SkipSpaceAndComments()) return cur_;
  const uint32_t n = static_cast<uint32_t>(text_.size());
  Token& t = cur_;
  t = Token();
  t.begin = pos_;
  if (pos_ >= n) {
    t.kind = TokenKind::kEnd;
    t.end = pos_;
    return t;
  }
  char c = text_[pos_];
  auto single = [&](TokenKind k, uint32_t len) -> const Token& {
    t.kind = k;
    pos_ += len;
    t.end = pos_;
    return t;
  };
  char next = pos_ + 1 < n ? text_[pos_ + 1] : '\0';
  switch (c) {
    case '[':
      return single(TokenKind::kLBracket, 1);
    case ']':
      return single(TokenKind::kRBracket, 1);
    case '(':
      return single(TokenKind::kLParen, 1);
    case ')':
      return single(TokenKind::kRParen, 1);
    case ':':
      return single(TokenKind::kColon, 1);
    case ',':
      return single(TokenKind::kComma, 1);
    case '*':
      return single(TokenKind::kAsterisk, 1);
    case '=':
      return single(TokenKind::kEqual, next == '=' ? 2 : 1);
    case '!':
      if (next == '=') return single(TokenKind::kNotEqual, 2);
      return Invalid(pos_, pos_ + 1, "unexpected character '!' (did you mean '!='?)", pos_);
    case '<':
      if (next == '=') return single(TokenKind::kLessOrEqual, 2);
      if (next == '>') return single(TokenKind::kNotEqual, 2);
      return single(TokenKind::kLess, 1);
    case '>':
      if (next == '=') return single(TokenKind::kGreaterOrEqual, 2);
      return single(TokenKind::kGreater, 1);
    case '\'':
      return LexQuoted(TokenKind::kString, pos_, pos_);
    case '.':
      if (IsDigit(next)) return LexNumber(pos_);
      return single(TokenKind::kDot, 1);
    case '+':
    case '-':
      if (IsDigit(next) || (next == '.' && pos_ + 2 < n && IsDigit(text_[pos_ + 2]))) {
        return LexNumber(pos_);
      }
      return Invalid(
          pos_, pos_ + 1,
          c == '-' ? "unexpected '-' (a property name with '-' must be quoted)" : "unexpected '+'",
          pos_);
    default:
      break;
  }
  if (IsDigit(c)) return LexNumber(pos_);
  if (IsIdentStart(c)) {
    if (next == '\'' && (c == 't' || c == 'b' || c == 'h')) {
      TokenKind k = c == 't'   ? TokenKind::kTimestamp
                    : c == 'b' ? TokenKind::kBinary
                               : TokenKind::kHex;
      return LexQuoted(k, pos_, pos_ + 1);
    }
    return LexWord(pos_);
  }
  if (static_cast<unsigned char>(c) >= 0x80) {
    return Invalid(pos_, pos_ + 1, "unexpected non-ASCII character outside a string", pos_);
  }
  return Invalid(pos_, pos_ + 1, "unexpected character", pos_);
}

const Token& Lexer::LexWord(uint32_t begin) {
  const uint32_t n = static_cast<uint32_t>(text_.size());
  uint32_t i = begin + 1;
  bool hyphen = false;
  while (i < n && IsIdentChar(text_[i])) {
    hyphen |= text_[i] == '-';
    ++i;
  }
  pos_ = i;
  Token& t = cur_;
  t = Token();
  t.begin = begin;
  t.end = i;
  t.has_hyphen = hyphen;
  t.kind = hyphen ? TokenKind::kIdentifier : Keyword(text_.substr(begin, i - begin));
  return t;
}

const Token& Lexer::LexNumber(uint32_t begin) {
  const uint32_t n = static_cast<uint32_t>(text_.size());
  uint32_t i = begin;
  if (text_[i] == '+' || text_[i] == '-') ++i;
  uint32_t int_begin = i;
  while (i < n && IsDigit(text_[i])) ++i;
  uint32_t int_digits = i - int_begin;
  if (i < n && text_[i] == '.') {
    uint32_t frac_begin = ++i;
    while (i < n && IsDigit(text_[i])) ++i;
    if (i == frac_begin) {
      return Invalid(begin, i, "a float needs digits after the '.'", i);
    }
    pos_ = i;
    Token& t = cur_;
    t = Token();
    t.kind = TokenKind::kFloat;
    t.begin = begin;
    t.end = i;
    return t;
  }
  // STIX grammar: integers are '0' or start with 1-9 (no leading zeros).
  if (int_digits > 1 && text_[int_begin] == '0') {
    return Invalid(begin, i, "an integer may not have leading zeros", int_begin);
  }
  pos_ = i;
  Token& t = cur_;
  t = Token();
  t.kind = TokenKind::kInteger;
  t.begin = begin;
  t.end = i;
  return t;
}

const Token& Lexer::LexQuoted(TokenKind kind, uint32_t begin, uint32_t quote) {
  const uint32_t n = static_cast<uint32_t>(text_.size());
  uint32_t i = quote + 1;
  bool escape = false;
  if (kind == TokenKind::kString) {
    while (true) {
      if (i >= n) return Invalid(begin, n, "unterminated string: no closing quote", begin);
      char c = text_[i];
      if (c == '\'') break;
      if (c == '\\') {
        // STIX 2.1 §9.3: only \' and \\ are escapes in a string constant.
        if (i + 1 < n && (text_[i + 1] == '\'' || text_[i + 1] == '\\')) {
          escape = true;
          i += 2;
          continue;
        }
        return Invalid(begin, i + 2 <= n ? i + 2 : n,
                       "invalid escape in string: only \\' and \\\\ are allowed", i);
      }
      ++i;
    }
  } else {
    while (i < n && text_[i] != '\'') ++i;
    if (i >= n) return Invalid(begin, n, "unterminated constant: no closing quote", begin);
    std::string_view body = text_.substr(quote + 1, i - quote - 1);
    if (kind == TokenKind::kHex) {
      for (size_t k = 0; k < body.size(); ++k) {
        if (!IsHex(body[k])) {
          return Invalid(begin, i + 1, "invalid hex constant: only 0-9, a-f and A-F are allowed",
                         static_cast<uint32_t>(quote + 1 + k));
        }
      }
      if (body.size() % 2 != 0) {
        return Invalid(begin, i + 1, "invalid hex constant: it needs an even number of digits",
                       quote + 1);
      }
    } else if (kind == TokenKind::kBinary) {
      // Grammar: groups of four base64 characters, the last one padded with
      // '=' or '=='; at least one group.
      size_t len = body.size();
      size_t pad = 0;
      while (pad < 2 && pad < len && body[len - 1 - pad] == '=') ++pad;
      if (len == 0 || len % 4 != 0) {
        return Invalid(begin, i + 1,
                       "invalid binary constant: base64 needs a multiple of four characters",
                       quote + 1);
      }
      for (size_t k = 0; k < len - pad; ++k) {
        if (!IsBase64(body[k])) {
          return Invalid(begin, i + 1, "invalid binary constant: not a base64 character",
                         static_cast<uint32_t>(quote + 1 + k));
        }
      }
    }
  }
  pos_ = i + 1;
  Token& t = cur_;
  t = Token();
  t.kind = kind;
  t.begin = begin;
  t.end = i + 1;
  t.has_escape = escape;
  return t;
}

bool IsValidUtf8(std::string_view s) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    // ASCII runs, eight bytes at a time.
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

}  // namespace kizuna::pattern
