// Syntax checks for STIX names, identifiers and SCO values.

#include <arpa/inet.h>

#include <string_view>

#include "stix/spec.h"

namespace kizuna::stix::internal {
namespace {

using SV = std::string_view;

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return IsLower(c) || IsUpper(c); }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool AllOf(SV s, bool (*pred)(char)) {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

// Parses a decimal in [0, max] without leading zeros; false otherwise.
bool SmallDecimal(SV s, int max) {
  if (s.empty() || s.size() > 3 || !AllOf(s, IsDigit)) return false;
  if (s.size() > 1 && s[0] == '0') return false;
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v <= max;
}

// RFC 4122 text form: 8-4-4-4-12 hexadecimal digits, either case.
constexpr bool kHexTable[256] = {
    // 0x30-0x39, 0x41-0x46, 0x61-0x66
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

bool IsUuidText(SV s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!kHexTable[c]) {
      return false;
    }
  }
  return true;
}

bool SplitPrefix(SV s, SV* addr, SV* prefix) {
  size_t slash = s.find('/');
  *addr = s.substr(0, slash);
  *prefix = slash == SV::npos ? SV() : s.substr(slash + 1);
  return slash == SV::npos || !prefix->empty();
}

}  // namespace

bool IsTypeName(Version v, std::string_view type) {
  // STIX 2.1 section 3.1 (2.0 Part 1 section 3.1, 7.2.1): a-z, 0-9 and
  // hyphen, no two hyphens in a row, 3 to 250 characters. 2.1 requires an
  // alphabetic first character.
  if (type.size() < 3 || type.size() > 250) return false;
  if (v == Version::k21 ? !IsLower(type[0]) : !(IsLower(type[0]) || IsDigit(type[0]))) {
    return false;
  }
  char prev = 0;
  for (char c : type) {
    if (!(IsLower(c) || IsDigit(c) || c == '-')) return false;
    if (c == '-' && prev == '-') return false;
    prev = c;
  }
  return true;
}

bool IsIdentifier(Version v, std::string_view id, std::string_view* type_part) {
  // Section 2.9: object-type--UUID, the UUID RFC 4122-compliant (variant
  // 10xx, versions 1-5). STIX 2.0 (Part 1 section 2.4) requires UUIDv4.
  size_t sep = id.find("--");
  if (sep == SV::npos || sep == 0) return false;
  SV type = id.substr(0, sep);
  SV uuid = id.substr(sep + 2);
  if (type_part) *type_part = type;
  if (type.size() < 3 || (!IsLower(type[0]) && !IsDigit(type[0]))) return false;
  for (char c : type) {
    if (!(IsLower(c) || IsDigit(c) || c == '-')) return false;
  }
  if (type.back() == '-') return false;
  if (!IsUuidText(uuid)) return false;
  char variant = uuid[19];  // 10xx: 8, 9, a, b
  if (!(variant == '8' || variant == '9' || variant == 'a' || variant == 'b' || variant == 'A' ||
        variant == 'B')) {
    return false;
  }
  char ver = uuid[14];
  return v == Version::k20 ? ver == '4' : ver >= '1' && ver <= '5';
}

bool IsPropertyName21(std::string_view name) {
  // STIX 2.1 section 3.1: a-z, 0-9 and underscore, starting with a letter,
  // 3 to 250 characters.
  if (name.size() < 3 || name.size() > 250 || !IsLower(name[0])) return false;
  for (char c : name) {
    if (!(IsLower(c) || IsDigit(c) || c == '_')) return false;
  }
  return true;
}

bool IsPropertyName20(std::string_view name) {
  // STIX 2.0 Part 1 section 7.1: a-z, 0-9 and underscore, 3 to 250.
  if (name.size() < 3 || name.size() > 250) return false;
  for (char c : name) {
    if (!(IsLower(c) || IsDigit(c) || c == '_')) return false;
  }
  return true;
}

bool IsLanguageTag(std::string_view tag) {
  // RFC 5646 section 2.1 "langtag" (and "privateuse"), case-insensitive.
  // Grandfathered irregular tags are not accepted.
  if (tag.empty() || tag.size() > 255) return false;
  SV subtags[64];
  size_t n = 0;
  size_t start = 0;
  for (size_t i = 0; i <= tag.size(); ++i) {
    if (i == tag.size() || tag[i] == '-') {
      if (n == 64) return false;
      SV s = tag.substr(start, i - start);
      if (s.empty() || s.size() > 8 || !AllOf(s, IsAlnum)) return false;
      subtags[n++] = s;
      start = i + 1;
    }
  }
  size_t i = 0;
  auto lower = [](SV s) { return s.size() == 1 ? static_cast<char>(s[0] | 0x20) : 0; };
  if (lower(subtags[0]) == 'x') {  // privateuse
    if (n < 2) return false;
    return true;
  }
  // language: 2*3ALPHA ["-" extlang] / 4ALPHA / 5*8ALPHA
  SV lang = subtags[i++];
  if (!AllOf(lang, IsAlpha) || lang.size() < 2) return false;
  if (lang.size() <= 3) {
    for (int k = 0; k < 3 && i < n && subtags[i].size() == 3 && AllOf(subtags[i], IsAlpha); ++k) {
      ++i;  // extlang
    }
  }
  if (i < n && subtags[i].size() == 4 && AllOf(subtags[i], IsAlpha)) ++i;  // script
  if (i < n && ((subtags[i].size() == 2 && AllOf(subtags[i], IsAlpha)) ||
                (subtags[i].size() == 3 && AllOf(subtags[i], IsDigit)))) {
    ++i;  // region
  }
  while (i < n &&
         ((subtags[i].size() >= 5) || (subtags[i].size() == 4 && IsDigit(subtags[i][0])))) {
    ++i;  // variant
  }
  while (i < n && subtags[i].size() == 1 && lower(subtags[i]) != 'x') {
    ++i;  // extension singleton
    size_t parts = 0;
    while (i < n && subtags[i].size() >= 2) {
      ++i;
      ++parts;
    }
    if (parts == 0) return false;
  }
  if (i < n && lower(subtags[i]) == 'x') {
    ++i;
    if (i == n) return false;
    i = n;
  }
  return i == n;
}

bool IsUrl(std::string_view url) {
  // RFC 3986 section 3: scheme ":" then URI characters (unreserved, reserved
  // and percent-encoded octets).
  size_t colon = url.find(':');
  if (colon == SV::npos || colon == 0 || !IsAlpha(url[0])) return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = url[i];
    if (!(IsAlnum(c) || c == '+' || c == '-' || c == '.')) return false;
  }
  if (colon + 1 >= url.size()) return false;
  for (size_t i = colon + 1; i < url.size(); ++i) {
    char c = url[i];
    if (c == '%') {
      if (i + 2 >= url.size() || !IsHexDigit(url[i + 1]) || !IsHexDigit(url[i + 2])) return false;
      i += 2;
      continue;
    }
    if (IsAlnum(c)) continue;
    switch (c) {
      case '-':
      case '.':
      case '_':
      case '~':
      case ':':
      case '/':
      case '?':
      case '#':
      case '[':
      case ']':
      case '@':
      case '!':
      case '$':
      case '&':
      case '\'':
      case '(':
      case ')':
      case '*':
      case '+':
      case ',':
      case ';':
      case '=':
        continue;
      default:
        return false;
    }
  }
  return true;
}

bool IsBase64(std::string_view s) {
  // Section 2.1: RFC 4648 base64 with padding.
  if (s.empty() || s.size() % 4 != 0) return false;
  size_t pad = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '=') {
      ++pad;
      continue;
    }
    if (pad > 0) return false;
    if (!(IsAlnum(c) || c == '+' || c == '/')) return false;
  }
  return pad <= 2;
}

bool IsHexString(std::string_view s) {
  // Section 2.8: an even number of hexadecimal characters.
  return !s.empty() && s.size() % 2 == 0 && AllOf(s, IsHexDigit);
}

bool IsLowerHyphenated(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!(IsLower(c) || IsDigit(c) || c == '-')) return false;
  }
  return true;
}

bool IsIpv4Value(std::string_view s) {
  // Section 6.8: an IPv4 address or a CIDR block.
  SV addr, prefix;
  if (!SplitPrefix(s, &addr, &prefix)) return false;
  if (!prefix.empty() && !SmallDecimal(prefix, 32)) return false;
  int parts = 0;
  size_t start = 0;
  for (size_t i = 0; i <= addr.size(); ++i) {
    if (i == addr.size() || addr[i] == '.') {
      if (!SmallDecimal(addr.substr(start, i - start), 255)) return false;
      ++parts;
      start = i + 1;
    }
  }
  return parts == 4;
}

bool IsIpv6Value(std::string_view s) {
  // Section 6.9: an IPv6 address (RFC 4291 section 2.2) or a CIDR block.
  SV addr, prefix;
  if (!SplitPrefix(s, &addr, &prefix)) return false;
  if (!prefix.empty() && !SmallDecimal(prefix, 128)) return false;
  if (addr.empty() || addr.size() > 45) return false;
  char buf[64];
  addr.copy(buf, addr.size());
  buf[addr.size()] = 0;
  unsigned char out[16];
  return inet_pton(AF_INET6, buf, out) == 1;
}

bool IsMacAddress(std::string_view s) {
  // Section 6.10: colon-delimited, lowercase MAC-48 with leading zeros.
  if (s.size() != 17) return false;
  for (size_t i = 0; i < 17; ++i) {
    char c = s[i];
    if (i % 3 == 2) {
      if (c != ':') return false;
    } else if (!(IsDigit(c) || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

bool IsDomainName(std::string_view s) {
  // Section 6.4: RFC 1034 / RFC 5890 names. Labels of letters, digits,
  // hyphens (and, as DNS practice has them, underscores) or non-ASCII
  // characters of internationalized names; 1-63 octets per label, 253 in all.
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      SV label = s.substr(start, i - start);
      if (label.empty() || label.size() > 63) return false;
      if (label.front() == '-' || label.back() == '-') return false;
      for (char c : label) {
        unsigned char u = static_cast<unsigned char>(c);
        if (!(IsAlnum(c) || c == '-' || c == '_' || u >= 0x80)) return false;
      }
      start = i + 1;
    }
  }
  return true;
}

bool IsEmailAddress(std::string_view s) {
  // Section 6.5: an RFC 5322 addr-spec; checked as local@domain without
  // whitespace or control characters.
  size_t at = s.rfind('@');
  if (at == SV::npos || at == 0 || at + 1 >= s.size()) return false;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return false;
  }
  SV domain = s.substr(at + 1);
  if (domain.front() == '[') return domain.back() == ']';
  return IsDomainName(domain);
}

bool IsCpe23(std::string_view s) {
  // NIST IR 7695 section 6.2: "cpe:2.3:" then part (a, o, h, * or -) and ten
  // more components; each "*", "-", or characters [A-Za-z0-9._-], escaped
  // punctuation "\x", with leading/trailing wildcards "*" or "?".
  if (s.size() < 8 || s.substr(0, 8) != "cpe:2.3:") return false;
  SV rest = s.substr(8);
  int fields = 0;
  size_t i = 0;
  while (true) {
    size_t start = i;
    while (i < rest.size() && rest[i] != ':') {
      if (rest[i] == '\\') {
        if (i + 1 >= rest.size()) return false;
        char e = rest[i + 1];
        if (IsAlnum(e) || e == '_') return false;  // only punctuation is escaped
        i += 2;
        continue;
      }
      char c = rest[i];
      if (!(IsAlnum(c) || c == '.' || c == '_' || c == '-' || c == '*' || c == '?')) return false;
      ++i;
    }
    SV f = rest.substr(start, i - start);
    if (f.empty()) return false;
    if (fields == 0 && !(f == "a" || f == "o" || f == "h" || f == "*" || f == "-")) return false;
    ++fields;
    if (i >= rest.size()) break;
    ++i;  // ':'
  }
  return fields == 11;
}

bool IsCharsetName(std::string_view s) {
  // IANA character set names (RFC 2978 section 2.3): printable US-ASCII
  // without spaces; the registry's names use letters, digits and -_.:+()/.
  if (s.size() < 2 || s.size() > 250) return false;
  for (char c : s) {
    if (!(IsAlnum(c) || c == '-' || c == '_' || c == '.' || c == ':' || c == '+' || c == '(' ||
          c == ')' || c == '/')) {
      return false;
    }
  }
  return true;
}

bool IsMimeType(std::string_view s) {
  // RFC 6838 section 4.2: a registered top-level type, "/", a subtype.
  size_t slash = s.find('/');
  if (slash == SV::npos) return false;
  SV top = s.substr(0, slash);
  static constexpr SV kTop[] = {"application", "audio",     "font", "image", "message",
                                "model",       "multipart", "text", "video"};
  bool known = false;
  for (SV t : kTop) known = known || t == top;
  if (!known) return false;
  SV sub = s.substr(slash + 1);
  size_t end = 0;
  while (end < sub.size() && (IsAlnum(sub[end]) || sub[end] == '.' || sub[end] == '+' ||
                              sub[end] == '_' || sub[end] == '-')) {
    ++end;
  }
  return end > 0;
}

}  // namespace kizuna::stix::internal
