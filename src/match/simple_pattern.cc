#include "match/simple_pattern.h"

#include "match/normalize.h"
#include "pattern/ip.h"
#include "pattern/sco_schema.h"

namespace kizuna::match {

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

void SkipSpaces(std::string_view s, size_t* i) {
  while (*i < s.size() && (s[*i] == ' ' || s[*i] == '\t')) ++*i;
}

bool IdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IdentChar(char c) { return IdentStart(c) || (c >= '0' && c <= '9'); }

}  // namespace

bool FastSimpleEntry(std::string_view s, pattern::IndexEntry* out) {
  size_t i = 0;
  SkipSpaces(s, &i);
  if (i >= s.size() || s[i] != '[') return false;
  ++i;
  SkipSpaces(s, &i);
  // object type: lower-case letters, digits and hyphens (STIX 2.1 §2.8
  // names; custom types start with "x-").
  size_t t0 = i;
  while (i < s.size() && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-')) {
    ++i;
  }
  if (i == t0 || i >= s.size() || s[i] != ':') return false;
  pattern::IndexEntry& e = *out;
  e.object_type.assign(s.substr(t0, i - t0));
  e.path.clear();
  e.algorithm.clear();
  e.disjunct = 0;
  e.observation = 0;
  ++i;
  // Steps: an identifier, then .identifier or .'quoted'.
  for (bool first = true;; first = false) {
    if (!first) {
      if (i >= s.size() || s[i] != '.') break;
      ++i;
    }
    if (i < s.size() && s[i] == '\'' && !first) {
      size_t q = s.find('\'', i + 1);
      if (q == std::string_view::npos) return false;
      std::string_view key = s.substr(i + 1, q - i - 1);
      if (key.empty() || key.find('\\') != std::string_view::npos) return false;
      for (char c : key) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) return false;
      }
      e.path.emplace_back(key);
      i = q + 1;
    } else {
      if (i >= s.size() || !IdentStart(s[i])) return false;
      size_t k0 = i;
      while (i < s.size() && IdentChar(s[i])) ++i;
      e.path.emplace_back(s.substr(k0, i - k0));
    }
  }
  SkipSpaces(s, &i);
  if (i >= s.size() || s[i] != '=') return false;
  ++i;
  if (i < s.size() && s[i] == '=') ++i;  // "==" is accepted by the grammar
  SkipSpaces(s, &i);
  if (i >= s.size() || s[i] != '\'') return false;
  size_t q = s.find('\'', i + 1);
  if (q == std::string_view::npos) return false;
  std::string_view value = s.substr(i + 1, q - i - 1);
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '\\' || u < 0x20 || u >= 0x7f) return false;
  }
  i = q + 1;
  SkipSpaces(s, &i);
  if (i >= s.size() || s[i] != ']') return false;
  ++i;
  SkipSpaces(s, &i);
  if (i != s.size()) return false;
  // Paths through references need the object graph: the full path.
  for (size_t k = 0; k + 1 < e.path.size(); ++k) {
    if (EndsWith(e.path[k], "_ref") || EndsWith(e.path[k], "_refs")) return false;
  }
  // The compiler's classification (compiler.cc, Simple).
  const bool address_value = e.path.size() == 1 && e.path[0] == "value" &&
                             (e.object_type == "ipv4-addr" || e.object_type == "ipv6-addr");
  const pattern::HashFormat* hash =
      e.path.size() >= 2 && EndsWith(e.path[e.path.size() - 2], "hashes")
          ? pattern::FindHashFormat(e.path.back())
          : nullptr;
  if (address_value) {
    auto net = pattern::ParseIpNetwork(value);
    if (!net) return false;  // the validator decides what that means
    e.kind = pattern::IndexKind::kAddress;
    e.value = net->ToString();
  } else if (hash != nullptr) {
    // The validator's hash check: the algorithm's length, hex digits.
    if (hash->hex_digits <= 0 || value.size() != static_cast<size_t>(hash->hex_digits)) {
      return false;
    }
    for (char c : value) {
      if (HexDigitValue(c) < 0) return false;
    }
    e.kind = pattern::IndexKind::kHash;
    e.algorithm.assign(e.path.back());
    e.value.assign(value);
  } else {
    e.kind = pattern::IndexKind::kExact;
    e.value.assign(value);
  }
  return true;
}

std::optional<pattern::IndexEntry> FastSimpleEntry(std::string_view text) {
  pattern::IndexEntry e;
  if (!FastSimpleEntry(text, &e)) return std::nullopt;
  return e;
}

}  // namespace kizuna::match
