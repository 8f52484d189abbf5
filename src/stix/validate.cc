// The validation engine: walks an object against the type tables of
// spec21.cc / spec20.cc and reports diagnostics.

#include <boost/json.hpp>
#include <cmath>
#include <cstring>

#include "stix/spec.h"

namespace kizuna::stix::internal {
namespace {

namespace json = boost::json;
using SV = std::string_view;

bool IsInteger(const json::value& v, int64_t* out) {
  if (v.is_int64()) {
    *out = v.get_int64();
    return true;
  }
  if (v.is_uint64()) {
    uint64_t u = v.get_uint64();
    *out = u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
               ? std::numeric_limits<int64_t>::max()
               : static_cast<int64_t>(u);
    return true;
  }
  if (v.is_double()) {
    // JSON does not distinguish 1 from 1.0; an integral float is an integer.
    double d = v.get_double();
    if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9.2e18) {
      *out = static_cast<int64_t>(d);
      return true;
    }
  }
  return false;
}

std::string Num(int64_t v) { return std::to_string(v); }

constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;

const char* KindNoun(Kind k) {
  switch (k) {
    case Kind::kString:
    case Kind::kTimestamp:
    case Kind::kRef:
    case Kind::kHex:
    case Kind::kBinary:
    case Kind::kUrl:
    case Kind::kEnum:
    case Kind::kOpenVocab:
      return "a string";
    case Kind::kBoolean:
      return "a boolean";
    case Kind::kInteger:
      return "an integer";
    case Kind::kNumber:
      return "a number";
    case Kind::kRefList:
    case Kind::kStringList:
    case Kind::kEnumList:
    case Kind::kOpenVocabList:
    case Kind::kKillChainPhases:
    case Kind::kObjectList:
      return "a list";
    case Kind::kHashes:
    case Kind::kDictionary:
    case Kind::kObject:
      return "an object";
    case Kind::kAny:
      break;
  }
  return "a value";
}

bool IsVocabStyle(SV s) {
  // Open vocabulary values are lowercase with hyphens between words.
  for (char c : s) {
    if ((c >= 'A' && c <= 'Z') || c == '_' || c == ' ') return false;
  }
  return true;
}

void CheckVocabValue(Ctx& ctx, const PropSpec& prop, const json::value& v, bool closed) {
  if (!v.is_string()) {
    ctx.Error("value-type", "must be a string");
    return;
  }
  SV s = v.get_string();
  if (closed) {
    if (!prop.vocab->Contains(s)) {
      ctx.Error("enum", Cat({"'", s, "' is not a value of ", prop.vocab->name}));
    }
    return;
  }
  if (!ctx.wants_warnings()) return;
  if (prop.vocab->Contains(s)) return;
  SV rule = prop.warn_rule.empty() ? prop.vocab->name : prop.warn_rule;
  ctx.Warn(rule, Cat({"'", s, "' is not a value of the open vocabulary ", prop.vocab->name}));
  if (!ctx.in_observable && !IsVocabStyle(s)) {
    ctx.Warn("vocab-format",
             Cat({"'", s, "' should be lowercase with hyphens as word separators"}));
  }
}

// Known hash algorithm value formats (section 2.7 / hash-algorithm-ov).
bool HashValueOk(SV algo, SV value, Version v) {
  auto hex_len = [&](size_t n) {
    if (value.size() != n) return false;
    for (char c : value) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  };
  if (algo == "MD5") return hex_len(32);
  if (algo == "SHA-1") return hex_len(40);
  if (algo == "SHA-256" || algo == "SHA3-256") return hex_len(64);
  if (algo == "SHA-512" || algo == "SHA3-512") return hex_len(128);
  if (algo == (v == Version::k21 ? SV("SSDEEP") : SV("ssdeep"))) {
    if (value.empty() || value.size() > 128) return false;
    for (char c : value) {
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '/' || c == '+' || c == ':' || c == '.')) {
        return false;
      }
    }
    return true;
  }
  if (v == Version::k21 && algo == "TLSH") {
    // 70 hexadecimal characters, or 72 with the "T1" version prefix.
    SV body = value.size() == 72 && value.substr(0, 2) == "T1" ? value.substr(2) : value;
    if (body.size() != 70) return false;
    for (char c : body) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  }
  if (v == Version::k20) {
    if (algo == "RIPEMD-160") return hex_len(40);
    if (algo == "SHA-224" || algo == "SHA3-224") return hex_len(56);
    if (algo == "SHA-384" || algo == "SHA3-384") return hex_len(96);
    if (algo == "WHIRLPOOL") return hex_len(128);
    if (algo == "MD6") {
      return hex_len(32) || hex_len(40) || hex_len(56) || hex_len(64) || hex_len(96) ||
             hex_len(128);
    }
  }
  return true;
}

bool DictKeyOk(SV key, Version v, size_t min_len) {
  if (key.size() < min_len || key.size() > (v == Version::k21 ? 250u : 256u)) return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-')) {
      return false;
    }
  }
  return true;
}

void CheckHashes(Ctx& ctx, const PropSpec& prop, const json::value& v) {
  // Section 2.7: keys 3-250 ASCII letters, digits, hyphen, underscore;
  // string values; names SHOULD come from hash-algorithm-ov.
  if (!v.is_object()) {
    ctx.Error("value-type", "must be a dictionary of hashes");
    return;
  }
  const json::object& o = v.get_object();
  if (o.empty()) {
    ctx.Error("empty", "must contain at least one hash");
    return;
  }
  const Vocab& vocab = ctx.version == Version::k21 ? kHashAlgorithmOv : kHashAlgorithmOv20;
  for (const auto& kv : o) {
    SV key = kv.key();
    if (!DictKeyOk(key, ctx.version, 3)) {
      ctx.Error("format",
                Cat({"hash name '", key,
                     "' must be 3 to 250 ASCII letters, digits, hyphens or underscores"}),
                key);
      continue;
    }
    if (!kv.value().is_string()) {
      ctx.Error("value-type", "a hash value must be a string", key);
      continue;
    }
    if (!HashValueOk(key, kv.value().get_string(), ctx.version)) {
      ctx.Error("format", Cat({"not a valid ", key, " value"}), key);
    }
    bool custom = key.size() > 2 && key.substr(0, 2) == "x_";
    // Section 2.7 (2.0 Part 1 section 2.7): names SHOULD come from
    // hash-algorithm-ov or (2.0) be custom names starting with x_.
    if (ctx.wants_warnings() && !vocab.Contains(key) && !custom) {
      ctx.Warn("hash-algorithm-ov", Cat({"'", key, "' is not a value of hash-algorithm-ov"}), key);
    }
    if (ctx.wants_warnings() && key.size() > 30) {
      ctx.Warn("hash-name-length", "hash names should be at most 30 characters", key);
    }
  }
  (void)prop;
}

void CheckDictionary(Ctx& ctx, const PropSpec& prop, const json::value& v) {
  // Section 2.3: keys are ASCII letters, digits, hyphen and underscore, at
  // most 250 characters (2.0: 3 to 256); at least one entry.
  if (!v.is_object()) {
    ctx.Error("value-type", "must be a dictionary");
    return;
  }
  const json::object& o = v.get_object();
  if (o.empty() && ctx.version == Version::k21) {
    ctx.Error("empty", "a dictionary must have at least one entry");
    return;
  }
  if (prop.flags & kNoKeyCheck) return;
  for (const auto& kv : o) {
    if (!DictKeyOk(kv.key(), ctx.version, ctx.version == Version::k21 ? 1 : 3)) {
      ctx.Error("format",
                Cat({"dictionary key '", kv.key(),
                     "' must be ASCII letters, digits, hyphens or underscores"}),
                kv.key());
    }
  }
}

void CheckKillChainPhases(Ctx& ctx, const json::value& v) {
  // Section 2.11: kill_chain_name and phase_name, both strings; SHOULD be
  // lowercase with hyphens.
  if (!v.is_array()) {
    ctx.Error("value-type", "must be a list of kill chain phases");
    return;
  }
  if (v.get_array().empty()) {
    ctx.Error("empty", "must not be an empty list");
    return;
  }
  size_t i = 0;
  for (const json::value& e : v.get_array()) {
    PathScope scope(ctx, i++);
    if (!e.is_object()) {
      ctx.Error("value-type", "a kill chain phase must be an object");
      continue;
    }
    const json::object& p = e.get_object();
    for (SV key : {SV("kill_chain_name"), SV("phase_name")}) {
      const json::value* s = p.if_contains(key);
      if (!s) {
        ctx.Error("required", Cat({key, " is required"}), key);
      } else if (!s->is_string()) {
        ctx.Error("value-type", "must be a string", key);
      } else if (ctx.wants_warnings() && !IsVocabStyle(s->get_string())) {
        ctx.Warn("kill-chain-format",
                 Cat({"'", SV(s->get_string()), "' should be lowercase with hyphens"}), key);
      }
    }
    for (const auto& kv : p) {
      if (kv.key() != "kill_chain_name" && kv.key() != "phase_name") {
        CheckCustomPropertyName(ctx, kv.key(), false, false);
      }
    }
  }
}

bool RefTypeAllowed(const RefTarget& t, SV type) {
  for (SV allowed : t.types) {
    if (allowed == type) return true;
  }
  if (t.categories == 0) return false;
  switch (CategoryOf(type)) {
    case Category::kSdo:
      return t.categories & kRefSdo;
    case Category::kSro:
      return t.categories & kRefSro;
    case Category::kSco:
      return t.categories & kRefSco;
    case Category::kMeta:
      return t.categories & kRefMeta;
    case Category::kBundle:
      return false;
    case Category::kCustom:
      return t.categories & kRefCustom;
  }
  return false;
}

void CheckRef(Ctx& ctx, const RefTarget& target, const json::value& v) {
  if (!v.is_string()) {
    ctx.Error("value-type", "a reference must be a string");
    return;
  }
  SV ref = v.get_string();
  if (ctx.container) {
    // Inside an observable container references are the container's keys
    // (STIX 2.0 Part 3 section 2.2; STIX 2.1 section 2.13).
    const json::value* t = ctx.container->if_contains(ref);
    if (!t || !t->is_object()) {
      ctx.Error("reference", Cat({"'", ref, "' is not a key of the observed-data objects"}));
      return;
    }
    const json::value* type = t->get_object().if_contains("type");
    if (type && type->is_string() && !RefTypeAllowed(target, type->get_string())) {
      ctx.Error("reference", Cat({"'", ref, "' must refer to ", target.description}));
    }
    return;
  }
  SV type;
  if (!IsIdentifier(ctx.version, ref, &type)) {
    ctx.Error("format", Cat({"'", ref, "' is not an identifier (type--UUID",
                             ctx.version == Version::k20 ? "v4)" : ")"}));
    return;
  }
  if (!RefTypeAllowed(target, type)) {
    ctx.Error("reference",
              Cat({"must refer to ", target.description, ", not to a '", type, "' object"}));
  }
}

template <typename F>
void ForEachListItem(Ctx& ctx, const PropSpec& prop, const json::value& v, F&& each) {
  if (!v.is_array()) {
    ctx.Error("value-type", "must be a list");
    return;
  }
  const json::array& a = v.get_array();
  if (a.empty() && !(prop.flags & kAllowEmpty)) {
    ctx.Error("empty", "must not be an empty list");
    return;
  }
  size_t i = 0;
  for (const json::value& e : a) {
    PathScope scope(ctx, i++);
    each(e);
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// Ctx

void Ctx::Report(Diagnostic::Severity sev, std::string_view rule, std::string message,
                 std::string_view child) {
  if (out_) {
    Diagnostic d;
    d.severity = sev;
    d.object_id = std::string(object_id);
    d.property = PathString(child);
    d.rule = std::string(rule);
    d.message = std::move(message);
    out_->push_back(std::move(d));
    if (sev == Diagnostic::Severity::kError && errors_ == 1) first_error_ = out_->back();
  } else if (sev == Diagnostic::Severity::kError && errors_ == 1) {
    first_error_.severity = sev;
    first_error_.object_id = std::string(object_id);
    first_error_.property = PathString(child);
    first_error_.rule = std::string(rule);
    first_error_.message = std::move(message);
  }
}

void Ctx::Error(std::string_view rule, std::string message, std::string_view child) {
  ++errors_;
  Report(Diagnostic::Severity::kError, rule, std::move(message), child);
}

void Ctx::Warn(std::string_view rule, std::string message, std::string_view child) {
  if (out_) Report(Diagnostic::Severity::kWarning, rule, std::move(message), child);
}

std::string Ctx::PathString(std::string_view child) const {
  std::string s;
  size_t n = depth_ < kMaxPath ? depth_ : kMaxPath;
  for (size_t i = 0; i < n; ++i) {
    const PathSegment& seg = path_[i];
    if (seg.name.empty()) {
      s += '[';
      s += std::to_string(seg.index);
      s += ']';
    } else {
      if (!s.empty()) s += '.';
      s.append(seg.name);
    }
  }
  if (!child.empty()) {
    if (!s.empty()) s += '.';
    s.append(child);
  }
  return s;
}

std::string Cat(std::initializer_list<std::string_view> parts) {
  size_t n = 0;
  for (SV p : parts) n += p.size();
  std::string s;
  s.reserve(n);
  for (SV p : parts) s.append(p);
  return s;
}

std::string Show(const json::value& v) {
  std::string s = json::serialize(v);
  if (s.size() > 80) {
    s.resize(77);
    s += "...";
  }
  return s;
}

// ---------------------------------------------------------------------------
// Values

bool CheckTimestampValue(Ctx& ctx, const json::value& v, Timestamp* out, uint16_t flags) {
  if (!v.is_string()) {
    ctx.Error("value-type", "a timestamp must be a string");
    return false;
  }
  SV s = v.get_string();
  // Section 2.16: RFC 3339 in UTC with an upper-case T and Z, any number of
  // fractional digits (the core parser keeps nine).
  char buf[40];
  SV parse = s;
  if (s.size() > 30 && s.size() < 64 && s[19] == '.') {
    size_t digits = s.size() - 21;
    if (digits > 9) {
      std::memcpy(buf, s.data(), 29);
      buf[29] = s.back();
      parse = SV(buf, 30);
      for (size_t i = 20; i + 1 < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') parse = s;
      }
    }
  }
  Result<Timestamp> t = ParseTimestamp(parse);
  if (!t.ok()) {
    ctx.Error("timestamp",
              Cat({"'", s.substr(0, 64), "' is not an RFC 3339 UTC timestamp (",
                   t.error().message().substr(t.error().message().find(": ") + 2), ")"}));
    return false;
  }
  if ((flags & kTsSecondsOnly) && s.size() != 20) {
    ctx.Error("timestamp", "this timestamp must not have fractional seconds");
    return false;
  }
  if (out) *out = *t;
  ctx.RememberTimestamp(&v, *t);
  return true;
}

std::optional<Timestamp> TimestampOf(const Ctx& ctx, const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (const Timestamp* t = ctx.RememberedTimestamp(v)) return *t;
  return TimestampOf(o, key);
}

std::optional<Timestamp> TimestampOf(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  SV s = v->get_string();
  if (s.size() > 30 && s[19] == '.') {
    // Drop digits beyond nanoseconds, as CheckTimestampValue does.
    char buf[40];
    if (s.size() < 64) {
      std::memcpy(buf, s.data(), 29);
      buf[29] = s.back();
      Result<Timestamp> t = ParseTimestamp(SV(buf, 30));
      if (t.ok()) return *t;
    }
    return std::nullopt;
  }
  Result<Timestamp> t = ParseTimestamp(s);
  if (!t.ok()) return std::nullopt;
  return *t;
}

void CheckTimestampOrder(Ctx& ctx, const json::object& o, std::string_view earlier,
                         std::string_view later, bool strict) {
  std::optional<Timestamp> a = TimestampOf(ctx, o, earlier);
  std::optional<Timestamp> b = TimestampOf(ctx, o, later);
  if (!a || !b) return;
  if (strict ? !(*b > *a) : *b < *a) {
    ctx.Error("timestamp-order",
              Cat({"must be ", strict ? "later than " : "later than or equal to ", earlier}),
              later);
  }
}

void CheckValue(Ctx& ctx, const PropSpec& prop, const json::value& v) {
  if ((prop.flags & kDeprecated) && ctx.wants_warnings()) {
    ctx.Warn("deprecated", Cat({prop.name, " is deprecated"}));
  }
  switch (prop.kind) {
    case Kind::kAny:
      return;
    case Kind::kString:
      if (!v.is_string()) {
        ctx.Error("value-type", "must be a string");
      } else if ((prop.flags & kLanguageTag) && !IsLanguageTag(v.get_string())) {
        // Section 3.2 lang: an RFC 5646 language code.
        ctx.Error("format", "must be an RFC 5646 language tag");
      }
      return;
    case Kind::kBoolean:
      if (!v.is_bool()) ctx.Error("value-type", "must be a boolean");
      return;
    case Kind::kInteger: {
      int64_t n;
      if (!IsInteger(v, &n)) {
        ctx.Error("value-type", "must be an integer");
      } else if (n > kMaxSafeInteger || n < -kMaxSafeInteger) {
        // Section 2.10: integers fit in 54 bits (I-JSON, RFC 7493).
        ctx.Error("range", "integers must lie within +/-(2^53 - 1)");
      } else if (n < prop.min || n > prop.max) {
        ctx.Error("range", prop.max == std::numeric_limits<int64_t>::max()
                               ? Cat({"must be at least ", Num(prop.min)})
                               : Cat({"must be between ", Num(prop.min), " and ", Num(prop.max)}));
      }
      return;
    }
    case Kind::kNumber: {
      if (!v.is_number()) {
        ctx.Error("value-type", "must be a number");
        return;
      }
      double d = v.to_number<double>();
      if (d < static_cast<double>(prop.min) || d > static_cast<double>(prop.max)) {
        ctx.Error("range", prop.max == std::numeric_limits<int64_t>::max()
                               ? Cat({"must be at least ", Num(prop.min)})
                               : Cat({"must be between ", Num(prop.min), " and ", Num(prop.max)}));
      }
      return;
    }
    case Kind::kTimestamp:
      CheckTimestampValue(ctx, v, nullptr, prop.flags);
      return;
    case Kind::kRef:
      CheckRef(ctx, *prop.ref, v);
      return;
    case Kind::kRefList:
      ForEachListItem(ctx, prop, v, [&](const json::value& e) { CheckRef(ctx, *prop.ref, e); });
      return;
    case Kind::kStringList:
      ForEachListItem(ctx, prop, v, [&](const json::value& e) {
        if (!e.is_string()) ctx.Error("value-type", "must be a string");
      });
      return;
    case Kind::kHashes:
      CheckHashes(ctx, prop, v);
      return;
    case Kind::kDictionary:
      CheckDictionary(ctx, prop, v);
      return;
    case Kind::kHex:
      if (!v.is_string()) {
        ctx.Error("value-type", "must be a string");
      } else if (!IsHexString(v.get_string())) {
        ctx.Error("format", "must be an even number of hexadecimal digits");
      }
      return;
    case Kind::kBinary:
      if (!v.is_string()) {
        ctx.Error("value-type", "must be a string");
      } else if (!IsBase64(v.get_string())) {
        ctx.Error("format", "must be base64 (RFC 4648 section 4)");
      }
      return;
    case Kind::kUrl: {
      if (!v.is_string()) {
        ctx.Error("value-type", "must be a string");
        return;
      }
      // Surrounding whitespace (seen in MITRE CAPEC) is tolerated with a
      // warning; the URL itself must follow RFC 3986.
      SV url = v.get_string();
      SV trimmed = url;
      while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t')) {
        trimmed.remove_prefix(1);
      }
      while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t')) {
        trimmed.remove_suffix(1);
      }
      if (!IsUrl(trimmed)) {
        ctx.Error("format", "must be a valid URL (RFC 3986)");
      } else if (trimmed.size() != url.size() && ctx.wants_warnings()) {
        ctx.Warn("url-whitespace", "the URL should not have surrounding whitespace");
      }
      return;
    }
    case Kind::kEnum:
      CheckVocabValue(ctx, prop, v, true);
      return;
    case Kind::kEnumList:
      ForEachListItem(ctx, prop, v,
                      [&](const json::value& e) { CheckVocabValue(ctx, prop, e, true); });
      return;
    case Kind::kOpenVocab:
      CheckVocabValue(ctx, prop, v, false);
      return;
    case Kind::kOpenVocabList:
      ForEachListItem(ctx, prop, v,
                      [&](const json::value& e) { CheckVocabValue(ctx, prop, e, false); });
      return;
    case Kind::kKillChainPhases:
      CheckKillChainPhases(ctx, v);
      return;
    case Kind::kObject:
      if (!v.is_object()) {
        ctx.Error("value-type", "must be an object");
      } else {
        CheckObject(ctx, *prop.nested, v.get_object());
      }
      return;
    case Kind::kObjectList:
      ForEachListItem(ctx, prop, v, [&](const json::value& e) {
        if (!e.is_object()) {
          ctx.Error("value-type", "must be an object");
        } else {
          CheckObject(ctx, *prop.nested, e.get_object());
        }
      });
      return;
  }
  (void)KindNoun;
}

void CheckObject(Ctx& ctx, const ObjectSpec& spec, const json::object& o) {
  uint64_t seen = 0;
  for (const auto& kv : o) {
    SV key = kv.key();
    size_t idx = 0;
    for (; idx < spec.props.size(); ++idx) {
      if (spec.props[idx].name == key) break;
    }
    PathScope scope(ctx, key);
    if (idx < spec.props.size()) {
      if (idx < 64) seen |= uint64_t{1} << idx;
      CheckValue(ctx, spec.props[idx], kv.value());
    } else if (spec.closed) {
      ctx.Error("unknown-property", Cat({"'", key, "' is not a property of ", spec.name}));
    } else {
      ctx.Pop();
      CheckCustomPropertyName(ctx, key, false, false);
      ctx.Push(key);
    }
  }
  for (size_t i = 0; i < spec.props.size() && i < 64; ++i) {
    if ((spec.props[i].flags & kRequired) && !(seen >> i & 1)) {
      ctx.Error("required", Cat({spec.props[i].name, " is required"}), spec.props[i].name);
    }
  }
  if (spec.at_least_one && seen == 0) {
    ctx.Error("at-least-one", Cat({spec.name, " needs at least one of its properties"}));
  }
  if (spec.check) spec.check(ctx, o);
}

void CheckCustomPropertyName(Ctx& ctx, std::string_view name, bool toplevel_extension,
                             bool in_sco) {
  // STIX 2.1 section 11.1 (2.0 Part 1 section 7.1).
  if (!ctx.options().allow_custom_properties) {
    ctx.Error("custom-property", Cat({"'", name, "' is not a property the specification defines"}),
              name);
    return;
  }
  bool valid = ctx.version == Version::k21 ? IsPropertyName21(name) : IsPropertyName20(name);
  if (!valid) {
    std::string msg =
        Cat({"custom property name '", name,
             ctx.version == Version::k21
                 ? "' must be 3-250 characters of a-z, 0-9 and _, starting with a letter"
                 : "' must be 3-250 characters of a-z, 0-9 and _"});
    if (ctx.options().strict_custom_names) {
      ctx.Error("custom-name", std::move(msg), name);
    } else {
      ctx.Warn("custom-name", std::move(msg), name);
    }
    return;
  }
  if (!ctx.wants_warnings()) return;
  (void)in_sco;
  if (ctx.version == Version::k21 && !toplevel_extension) {
    ctx.Warn("extension-use",
             Cat({"custom property '", name,
                  "' should be defined by a toplevel-property-extension or property-extension"}),
             name);
  }
  bool lax = name.size() > 2 && name.substr(0, 2) == "x_";
  if (!lax) {
    ctx.Warn("custom-prefix-lax", Cat({"custom property '", name, "' should start with x_"}), name);
  } else if (size_t u = name.find('_', 3); u == SV::npos || u == name.size() - 1) {
    ctx.Warn("custom-prefix",
             Cat({"custom property '", name,
                  "' should be x_ followed by a source identifier, _ and the name"}),
             name);
  }
}

}  // namespace kizuna::stix::internal
