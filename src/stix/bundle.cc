// SplitObjects: a single-pass, non-recursive JSON scanner that validates the
// whole container and records the byte range of each element of the top-level
// "objects" array. UTF-8 is validated up front with simdjson's SIMD validator;
// the scanner then only has to look at ASCII structure.

#include "stix/bundle.h"

#include <simdjson.h>

#include <cstdint>
#include <string>

#include "core/uuid.h"

namespace kizuna::stix {
namespace {

// Bytes that end the fast path of a string: '"', '\\' and control characters.
constexpr bool kStringStop[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  // 0x00
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  // 0x10
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 0x20: '"'
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 0x30
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 0x40
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,  // 0x50: '\\'
};

inline bool IsWs(unsigned char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
inline bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
inline bool IsHex(unsigned char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

class Scanner {
 public:
  explicit Scanner(std::string_view json, std::string_view member = {},
                   std::string_view* member_bytes = nullptr)
      : begin_(json.data()),
        p_(json.data()),
        end_(json.data() + json.size()),
        member_(member),
        member_bytes_(member_bytes) {}

  // `document`: also a top-level array of objects, or a single object (one
  // with a "type" member and no "objects" member).
  Result<std::vector<RawObject>> Split(bool document = false) {
    std::vector<RawObject> out;
    SkipWs();
    if (document && p_ != end_ && *p_ == '[') {
      RETURN_IF_ERROR(ScanObjectsArray(&out));
      SkipWs();
      if (p_ != end_) return Error("trailing content after the top-level array");
      return out;
    }
    if (p_ == end_ || *p_ != '{') return Error("expected a JSON object at the top level");
    const char* object_start = p_;
    ++p_;
    bool seen_objects = false, seen_type = false, is_bundle = false;
    SkipWs();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
    } else {
      for (;;) {
        SkipWs();
        std::string_view key;
        bool escaped = false;
        RETURN_IF_ERROR(ScanString(&key, &escaped));
        SkipWs();
        if (p_ == end_ || *p_ != ':') return Error("expected ':' after an object key");
        ++p_;
        SkipWs();
        if (document && KeyIs(key, escaped, "type") && p_ != end_ && *p_ == '"') {
          seen_type = true;
          std::string_view type_value;
          bool type_escaped = false;
          RETURN_IF_ERROR(ScanString(&type_value, &type_escaped));
          is_bundle = KeyIs(type_value, type_escaped, "bundle");
        } else if (document && KeyIs(key, escaped, "objects") && p_ != end_ && *p_ != '[') {
          // observed-data's "objects" dictionary (a single object)
          RETURN_IF_ERROR(SkipValue(1));
        } else if (KeyIs(key, escaped, "objects")) {
          if (seen_objects) return Error("duplicate \"objects\" member");
          seen_objects = true;
          RETURN_IF_ERROR(ScanObjectsArray(&out));
        } else if (member_bytes_ != nullptr && !member_.empty() && KeyIs(key, escaped, member_)) {
          if (seen_member_) return Error("duplicate \"" + std::string(member_) + "\" member");
          seen_member_ = true;
          const char* start = p_;
          RETURN_IF_ERROR(SkipValue(1));
          *member_bytes_ = std::string_view(start, static_cast<size_t>(p_ - start));
        } else {
          RETURN_IF_ERROR(SkipValue(1));
        }
        SkipWs();
        if (p_ == end_) return Error("unterminated top-level object");
        if (*p_ == ',') {
          ++p_;
          continue;
        }
        if (*p_ == '}') {
          ++p_;
          break;
        }
        return Error("expected ',' or '}' in the top-level object");
      }
    }
    const char* object_end = p_;
    SkipWs();
    if (p_ != end_) return Error("trailing content after the top-level object");
    if (!seen_objects && document && seen_type) {
      // A single object (a bundle without "objects" is an empty bundle).
      if (!is_bundle) {
        out.push_back(RawObject{std::string_view(object_start,
                                                 static_cast<size_t>(object_end - object_start))});
      }
      return out;
    }
    if (!seen_objects && document) {
      return InvalidArgument(
          "not STIX: a JSON object with neither \"type\" (an object) nor \"objects\" (a bundle "
          "or an envelope)");
    }
    if (!seen_objects) return InvalidArgument("bundle: missing \"objects\" array");
    return out;
  }

 private:
  Status Error(std::string_view what) const {
    return InvalidArgument("malformed JSON: " + std::string(what) + " at byte " +
                           std::to_string(p_ - begin_));
  }

  void SkipWs() {
    while (p_ != end_ && IsWs(static_cast<unsigned char>(*p_))) ++p_;
  }

  // Keys are compared after unescaping only when they contain escapes (rare).
  static bool KeyIs(std::string_view raw, bool escaped, std::string_view want) {
    if (!escaped) return raw == want;
    std::string decoded;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '\\') {
        decoded.push_back(raw[i]);
        continue;
      }
      char e = raw[++i];
      if (e == 'u') {
        unsigned cp = 0;
        for (int k = 0; k < 4; ++k) {
          char h = raw[++i];
          cp = cp * 16 + (IsDigit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
        }
        if (cp >= 0x80) return false;  // want is ASCII
        decoded.push_back(static_cast<char>(cp));
      } else {
        decoded.push_back(e);  // the decoded form of \n etc. never matches an ASCII key
      }
    }
    return decoded == want;
  }

  // REQUIRES: p_ at the opening quote. Leaves p_ after the closing quote.
  // `content` and `escaped` may be null when the caller does not need them.
  Status ScanString(std::string_view* content, bool* escaped) {
    if (p_ == end_ || *p_ != '"') return Error("expected a string");
    ++p_;
    const char* start = p_;
    bool saw_escape = false;
    for (;;) {
      while (p_ != end_ && !kStringStop[static_cast<unsigned char>(*p_)]) ++p_;
      if (p_ == end_) return Error("unterminated string");
      char c = *p_;
      if (c == '"') break;
      if (c != '\\') return Error("control character in a string");
      saw_escape = true;
      ++p_;
      if (p_ == end_) return Error("unterminated escape");
      switch (*p_) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
          ++p_;
          break;
        case 'u': {
          ++p_;
          unsigned unit = 0;
          RETURN_IF_ERROR(ScanHex4(&unit));
          // I-JSON (RFC 7493 section 2.1), which STIX 2.1 section 1.2.10
          // uses: no unpaired surrogates.
          if (unit >= 0xDC00 && unit <= 0xDFFF) return Error("unpaired surrogate escape");
          if (unit >= 0xD800 && unit <= 0xDBFF) {
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') {
              return Error("unpaired surrogate escape");
            }
            p_ += 2;
            RETURN_IF_ERROR(ScanHex4(&unit));
            if (unit < 0xDC00 || unit > 0xDFFF) return Error("unpaired surrogate escape");
          }
          break;
        }
        default:
          return Error("bad escape");
      }
    }
    if (content) *content = std::string_view(start, static_cast<size_t>(p_ - start));
    if (escaped) *escaped = saw_escape;
    ++p_;
    return Status::Ok();
  }

  // Four hex digits of a \u escape; p_ after them.
  Status ScanHex4(unsigned* unit) {
    unsigned v = 0;
    for (int i = 0; i < 4; ++i, ++p_) {
      if (p_ == end_ || !IsHex(static_cast<unsigned char>(*p_))) return Error("bad \\u escape");
      char h = *p_;
      v = v * 16 + static_cast<unsigned>(
                       IsDigit(static_cast<unsigned char>(h)) ? h - '0' : (h | 0x20) - 'a' + 10);
    }
    *unit = v;
    return Status::Ok();
  }

  Status ScanNumber() {
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ == end_ || !IsDigit(static_cast<unsigned char>(*p_))) return Error("bad number");
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && IsDigit(static_cast<unsigned char>(*p_))) ++p_;
    }
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !IsDigit(static_cast<unsigned char>(*p_))) return Error("bad number");
      while (p_ != end_ && IsDigit(static_cast<unsigned char>(*p_))) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !IsDigit(static_cast<unsigned char>(*p_))) return Error("bad number");
      while (p_ != end_ && IsDigit(static_cast<unsigned char>(*p_))) ++p_;
    }
    return Status::Ok();
  }

  Status ScanLiteral(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) {
      return Error("unexpected character");
    }
    p_ += word.size();
    return Status::Ok();
  }

  // Skips one JSON value starting at p_ (after whitespace). `depth` is the
  // nesting depth of the container that holds the value (the top-level object
  // is depth 1). Iterative: open containers are tracked in a bit stack, which
  // kMaxDepth (64) bounds.
  Status SkipValue(int depth) {
    uint64_t is_array = 0;  // bit i set: the i-th open container is an array
    int open = 0;
    for (;;) {
      // At the start of a value.
      SkipWs();
      if (p_ == end_) return Error("unexpected end of input");
      switch (*p_) {
        case '{':
        case '[': {
          bool arr = *p_ == '[';
          if (depth + open + 1 > kMaxDepth) return Error("nesting deeper than 64");
          if (arr) {
            is_array |= uint64_t{1} << open;
          } else {
            is_array &= ~(uint64_t{1} << open);
          }
          ++open;
          ++p_;
          SkipWs();
          if (p_ != end_ && *p_ == (arr ? ']' : '}')) {
            ++p_;
            --open;
            break;  // an empty container is a complete value
          }
          if (!arr) {
            RETURN_IF_ERROR(ScanKey());
          }
          continue;  // the first element or member value
        }
        case '"':
          RETURN_IF_ERROR(ScanString(nullptr, nullptr));
          break;
        case 't':
          RETURN_IF_ERROR(ScanLiteral("true"));
          break;
        case 'f':
          RETURN_IF_ERROR(ScanLiteral("false"));
          break;
        case 'n':
          RETURN_IF_ERROR(ScanLiteral("null"));
          break;
        default:
          RETURN_IF_ERROR(ScanNumber());
          break;
      }
      // After a complete value: close containers or move to the next element.
      for (;;) {
        if (open == 0) return Status::Ok();
        SkipWs();
        if (p_ == end_) return Error("unexpected end of input");
        bool arr = (is_array >> (open - 1)) & 1;
        if (*p_ == ',') {
          ++p_;
          if (!arr) RETURN_IF_ERROR(ScanKey());
          break;  // next value
        }
        if (*p_ == (arr ? ']' : '}')) {
          ++p_;
          --open;
          continue;
        }
        return Error(arr ? "expected ',' or ']'" : "expected ',' or '}'");
      }
    }
  }

  // A member key and its ':'; p_ before the key's whitespace.
  Status ScanKey() {
    SkipWs();
    bool escaped;
    RETURN_IF_ERROR(ScanString(nullptr, &escaped));
    SkipWs();
    if (p_ == end_ || *p_ != ':') return Error("expected ':' after an object key");
    ++p_;
    return Status::Ok();
  }

  Status ScanObjectsArray(std::vector<RawObject>* out) {
    if (p_ == end_ || *p_ != '[') return InvalidArgument("bundle: \"objects\" is not an array");
    ++p_;
    SkipWs();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return Status::Ok();
    }
    for (;;) {
      SkipWs();
      if (p_ == end_) return Error("unterminated \"objects\" array");
      if (*p_ != '{') {
        return InvalidArgument("bundle: element " + std::to_string(out->size()) +
                               " of \"objects\" is not a JSON object (byte " +
                               std::to_string(p_ - begin_) + ")");
      }
      const char* start = p_;
      RETURN_IF_ERROR(SkipValue(2));
      out->push_back(RawObject{std::string_view(start, static_cast<size_t>(p_ - start))});
      SkipWs();
      if (p_ == end_) return Error("unterminated \"objects\" array");
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ == ']') {
        ++p_;
        return Status::Ok();
      }
      return Error("expected ',' or ']' in \"objects\"");
    }
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  std::string_view member_;                // an extra top-level member to capture
  std::string_view* member_bytes_ = nullptr;
  bool seen_member_ = false;
};

}  // namespace

Result<std::vector<RawObject>> SplitObjects(std::string_view json) {
  if (!simdjson::validate_utf8(json.data(), json.size())) {
    return InvalidArgument("malformed JSON: invalid UTF-8");
  }
  return Scanner(json).Split();
}

Result<std::vector<RawObject>> SplitDocument(std::string_view json) {
  if (!simdjson::validate_utf8(json.data(), json.size())) {
    return InvalidArgument("malformed JSON: invalid UTF-8");
  }
  return Scanner(json).Split(/*document=*/true);
}

Result<std::vector<RawObject>> SplitObjects(std::string_view json, std::string_view member,
                                            std::string_view* member_bytes) {
  if (member_bytes != nullptr) *member_bytes = {};
  if (!simdjson::validate_utf8(json.data(), json.size())) {
    return InvalidArgument("malformed JSON: invalid UTF-8");
  }
  return Scanner(json, member, member_bytes).Split();
}

std::string WriteBundle(std::string_view bundle_id, std::span<const std::string_view> objects) {
  size_t n = 48 + bundle_id.size();
  for (std::string_view o : objects) n += o.size() + 1;
  std::string out;
  out.reserve(n);
  out += R"({"type":"bundle","id":")";
  out.append(bundle_id);
  if (objects.empty()) {
    out += "\"}";  // section 2.12: no empty lists; "objects" is optional
    return out;
  }
  out += R"(","objects":[)";
  bool first = true;
  for (std::string_view o : objects) {
    if (!first) out += ',';
    first = false;
    out.append(o);
  }
  out += "]}";
  return out;
}

std::string NewBundleId() { return "bundle--" + NewUuidV4(); }

}  // namespace kizuna::stix
