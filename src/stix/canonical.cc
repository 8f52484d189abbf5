// RFC 8785 JSON canonicalization and STIX 2.1 deterministic SCO identifiers
// (section 2.9).

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstring>

#include "core/uuid.h"
#include "stix/object.h"
#include "stix/spec.h"

namespace kizuna::stix {
namespace {

namespace json = boost::json;
using SV = std::string_view;

// RFC 8785 section 3.2.2.3: numbers are serialized as ECMAScript's
// Number.prototype.toString (ECMA-262 section 7.1.12.1) does for the IEEE 754
// double nearest to the JSON number.
void AppendNumber(std::string* out, double d) {
  if (!std::isfinite(d)) {
    out->append("null");  // RFC 8785 forbids NaN and Infinity; JSON cannot carry them
    return;
  }
  if (d == 0) {
    out->push_back('0');  // also -0
    return;
  }
  char buf[64];
  // Shortest round-trip digits in scientific form: d.ddddde[+-]xx
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(r.ptr - buf));
  bool neg = sci[0] == '-';
  if (neg) sci.remove_prefix(1);
  size_t e = sci.find('e');
  std::string digits;
  digits.push_back(sci[0]);
  if (e > 1) digits.append(sci.substr(2, e - 2));
  int exp10 = 0;
  std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+' ? 1 : 0), sci.data() + sci.size(), exp10);
  // value = 0.digits * 10^n with k digits, n = exp10 + 1.
  int k = static_cast<int>(digits.size());
  int n = exp10 + 1;
  if (neg) out->push_back('-');
  if (k <= n && n <= 21) {
    out->append(digits);
    out->append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out->append(digits, 0, static_cast<size_t>(n));
    out->push_back('.');
    out->append(digits, static_cast<size_t>(n), std::string::npos);
  } else if (-6 < n && n <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-n), '0');
    out->append(digits);
  } else {
    out->push_back(digits[0]);
    if (k > 1) {
      out->push_back('.');
      out->append(digits, 1, std::string::npos);
    }
    out->push_back('e');
    int x = n - 1;
    out->push_back(x < 0 ? '-' : '+');
    out->append(std::to_string(x < 0 ? -x : x));
  }
}

// RFC 8785 section 3.2.2.2.
void AppendString(std::string* out, SV s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (u < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[u >> 4]);
          out->push_back(kHex[u & 15]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

// Decodes one UTF-8 code point (input is valid UTF-8: Boost.JSON checked it).
uint32_t NextCodePoint(SV s, size_t* i) {
  unsigned char c = static_cast<unsigned char>(s[*i]);
  int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
  for (int k = 1; k < len && *i + k < s.size(); ++k) {
    cp = cp << 6 | (static_cast<unsigned char>(s[*i + k]) & 0x3F);
  }
  *i += static_cast<size_t>(len);
  return cp;
}

// RFC 8785 section 3.2.3: member names are sorted by their UTF-16 code units.
bool Utf16Less(SV a, SV b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    unsigned char ca = static_cast<unsigned char>(a[i]), cb = static_cast<unsigned char>(b[j]);
    if (ca < 0x80 && cb < 0x80) {
      if (ca != cb) return ca < cb;
      ++i;
      ++j;
      continue;
    }
    uint32_t x = NextCodePoint(a, &i), y = NextCodePoint(b, &j);
    if (x == y) continue;
    // Compare the first UTF-16 code unit, then (surrogate pairs) the second.
    auto unit = [](uint32_t cp, int which) -> uint32_t {
      if (cp < 0x10000) return which == 0 ? cp : 0;
      cp -= 0x10000;
      return which == 0 ? 0xD800 + (cp >> 10) : 0xDC00 + (cp & 0x3FF);
    };
    if (unit(x, 0) != unit(y, 0)) return unit(x, 0) < unit(y, 0);
    return unit(x, 1) < unit(y, 1);
  }
  return a.size() - i < b.size() - j;
}

void AppendCanonical(std::string* out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      out->append("null");
      return;
    case json::kind::bool_:
      out->append(v.get_bool() ? "true" : "false");
      return;
    case json::kind::int64:
      AppendNumber(out, static_cast<double>(v.get_int64()));
      return;
    case json::kind::uint64:
      AppendNumber(out, static_cast<double>(v.get_uint64()));
      return;
    case json::kind::double_:
      AppendNumber(out, v.get_double());
      return;
    case json::kind::string:
      AppendString(out, v.get_string());
      return;
    case json::kind::array: {
      out->push_back('[');
      bool first = true;
      for (const json::value& e : v.get_array()) {
        if (!first) out->push_back(',');
        first = false;
        AppendCanonical(out, e);
      }
      out->push_back(']');
      return;
    }
    case json::kind::object: {
      const json::object& o = v.get_object();
      const json::key_value_pair* small[32];
      std::vector<const json::key_value_pair*> big;
      const json::key_value_pair** members = small;
      if (o.size() > 32) {
        big.resize(o.size());
        members = big.data();
      }
      size_t n = 0;
      for (const auto& kv : o) members[n++] = &kv;
      std::sort(members, members + n,
                [](const json::key_value_pair* a, const json::key_value_pair* b) {
                  return Utf16Less(a->key(), b->key());
                });
      out->push_back('{');
      for (size_t i = 0; i < n; ++i) {
        if (i) out->push_back(',');
        AppendString(out, members[i]->key());
        out->push_back(':');
        AppendCanonical(out, members[i]->value());
      }
      out->push_back('}');
      return;
    }
  }
}

// STIX 2.1 section 2.9: of a hashes dictionary only one hash contributes to
// the deterministic id, preferring MD5, SHA-1, SHA-256 and SHA-512 in that
// order (the order the OASIS reference implementation, cti-python-stix2,
// applies); with none of them the name first in canonical order.
const json::key_value_pair* ChooseHash(const json::object& hashes) {
  for (SV pref : {SV("MD5"), SV("SHA-1"), SV("SHA-256"), SV("SHA-512")}) {
    for (const auto& kv : hashes) {
      if (kv.key() == pref) return &kv;
    }
  }
  const json::key_value_pair* best = nullptr;
  for (const auto& kv : hashes) {
    if (!best || Utf16Less(kv.key(), best->key())) best = &kv;
  }
  return best;
}

}  // namespace

std::string CanonicalJson(const boost::json::value& value) {
  std::string out;
  AppendCanonical(&out, value);
  return out;
}

std::optional<std::string> DeterministicScoId(const boost::json::object& object) {
  const json::value* tv = object.if_contains("type");
  if (!tv || !tv->is_string()) return std::nullopt;
  SV type = tv->get_string();
  const internal::TypeSpec* ts = internal::FindType21(type);
  if (!ts || ts->category != internal::Category::kSco) return std::nullopt;
  // The contributing properties, in canonical (sorted) name order.
  SV names[8];
  size_t n = 0;
  for (const internal::PropSpec& p : ts->body->props) {
    if ((p.flags & internal::kIdContributing) && n < 8) names[n++] = p.name;
  }
  if (ts->extensions_contribute && n < 8) names[n++] = "extensions";
  // Insertion sort: at most a handful of names.
  for (size_t i = 1; i < n; ++i) {
    for (size_t j = i; j > 0 && names[j] < names[j - 1]; --j) std::swap(names[j], names[j - 1]);
  }
  std::string name;
  name.reserve(128);
  name.push_back('{');
  bool any = false;
  for (size_t i = 0; i < n; ++i) {
    SV key = names[i];
    const json::value* v = object.if_contains(key);
    if (!v) continue;
    if (key == "hashes") {
      if (!v->is_object()) continue;
      const json::key_value_pair* h = ChooseHash(v->get_object());
      if (!h) continue;
      if (any) name.push_back(',');
      any = true;
      AppendString(&name, key);
      name.append(":{");
      AppendString(&name, h->key());
      name.push_back(':');
      AppendCanonical(&name, h->value());
      name.push_back('}');
      continue;
    }
    if (any) name.push_back(',');
    any = true;
    AppendString(&name, key);
    name.push_back(':');
    AppendCanonical(&name, *v);
  }
  if (!any) return std::nullopt;
  name.push_back('}');
  std::string id(type);
  id += "--";
  id += UuidV5(kStixScoNamespace, name);
  return id;
}

}  // namespace kizuna::stix
