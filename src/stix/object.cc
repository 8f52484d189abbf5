// ValidateObject: the top level of an object (type, id, spec_version, common
// properties, custom content, extensions, identifier rules), then the type's
// own properties through the tables.

#include "stix/object.h"

#include <boost/json.hpp>

#include "core/uuid.h"
#include "stix/spec.h"

namespace kizuna::stix {
namespace {

namespace json = boost::json;
using SV = std::string_view;
using internal::Cat;
using internal::Category;
using internal::Ctx;
using internal::PathScope;
using internal::Version;

const json::string* StringAt(const json::object& o, SV key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? &v->get_string() : nullptr;
}

const internal::PropSpec* FindProp(std::span<const internal::PropSpec> props, SV key,
                                   size_t* index) {
  // Tables hold at most a few dozen names: compare length and first byte
  // before the bytes.
  for (size_t i = 0; i < props.size(); ++i) {
    SV name = props[i].name;
    if (name.size() == key.size() && !key.empty() && name[0] == key[0] && name == key) {
      *index = i;
      return &props[i];
    }
  }
  return nullptr;
}

// The common properties of an object, found in one pass over its members
// (looking each up with if_contains would scan the member list every time).
struct CommonMembers {
  const json::value* type = nullptr;
  const json::value* id = nullptr;
  const json::value* spec_version = nullptr;
  const json::value* created = nullptr;
  const json::value* modified = nullptr;
  const json::value* created_by_ref = nullptr;
  const json::value* revoked = nullptr;
  const json::value* object_marking_refs = nullptr;
  const json::value* granular_markings = nullptr;
  const json::value* extensions = nullptr;
};

CommonMembers ScanCommon(const json::object& o) {
  CommonMembers c;
  for (const auto& kv : o) {
    SV k = kv.key();
    const json::value* v = &kv.value();
    switch (k.size()) {
      case 2:
        if (k == "id") c.id = v;
        break;
      case 4:
        if (k == "type") c.type = v;
        break;
      case 7:
        if (k == "created") c.created = v;
        if (k == "revoked") c.revoked = v;
        break;
      case 8:
        if (k == "modified") c.modified = v;
        break;
      case 10:
        if (k == "extensions") c.extensions = v;
        break;
      case 12:
        if (k == "spec_version") c.spec_version = v;
        break;
      case 14:
        if (k == "created_by_ref") c.created_by_ref = v;
        break;
      case 17:
        if (k == "granular_markings") c.granular_markings = v;
        break;
      case 19:
        if (k == "object_marking_refs") c.object_marking_refs = v;
        break;
      default:
        break;
    }
  }
  return c;
}

const json::string* AsString(const json::value* v) {
  return v && v->is_string() ? &v->get_string() : nullptr;
}

bool IsExtensionDefinitionId(SV key) {
  SV type;
  return internal::IsIdentifier(Version::k21, key, &type) && type == "extension-definition";
}

// ^([a-z][a-z0-9]*)+(-[a-z0-9]+)*-ext$ : a predefined or custom extension name.
bool IsExtensionName(SV key) {
  if (key.size() < 5 || key.substr(key.size() - 4) != "-ext") return false;
  SV stem = key.substr(0, key.size() - 4);
  if (stem.empty() || !(stem[0] >= 'a' && stem[0] <= 'z')) return false;
  char prev = 0;
  for (char c : stem) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    if (c == '-' && prev == '-') return false;
    prev = c;
  }
  return stem.back() != '-';
}

// Reserved names (STIX 2.1 section 3.8; 2.0 Part 1 section 3.6).
bool IsReservedProperty(Version v, SV key) {
  if (v == Version::k21) {
    // "phone_numbers" in the 2021 text, "phone_number" in Errata 01.
    return key == "severity" || key == "username" || key == "phone_numbers" ||
           key == "phone_number" || key == "action";
  }
  for (SV r : {"confidence", "severity", "action", "usernames", "phone_numbers", "addresses",
               "first_seen_precision", "last_seen_precision", "valid_from_precision",
               "valid_until_precision"}) {
    if (key == r) return true;
  }
  return false;
}

bool IsReservedType(Version v, SV type) {
  if (v == Version::k21) return type == "action";
  return type == "incident" || type == "infrastructure" || type == "action";
}

// STIX 2.1 section 2.12 (2.0 Part 1 section 2.9): empty lists are
// prohibited, custom properties included. Section 3.1: a property whose name
// ends in _hex holds hexadecimal, one ending in _bin base64.
void CheckCustomValue(Ctx& ctx, SV key, const json::value& v) {
  if (v.is_array() && v.get_array().empty()) {
    ctx.Error("empty", "an empty list is not allowed (omit the property instead)", key);
  }
  auto ends = [&](SV suffix) {
    return key.size() > suffix.size() && key.substr(key.size() - suffix.size()) == suffix;
  };
  if (ends("_hex") && !(v.is_string() && internal::IsHexString(v.get_string()))) {
    ctx.Error("format", "a property named *_hex must hold hexadecimal digits", key);
  }
  if (ends("_bin") && !(v.is_string() && internal::IsBase64(v.get_string()))) {
    ctx.Error("format", "a property named *_bin must hold base64", key);
  }
}

void WarnCustomTypeName(Ctx& ctx, SV type, bool observable) {
  if (!ctx.wants_warnings()) return;
  SV what = observable ? "custom observable type '" : "custom object type '";
  if (type.size() < 2 || type.substr(0, 2) != "x-") {
    ctx.Warn("custom-prefix-lax", Cat({what, type, "' should start with x-"}), "type");
  } else if (size_t d = type.find('-', 3); d == SV::npos || d == type.size() - 1) {
    ctx.Warn("custom-prefix",
             Cat({what, type, "' should be x- followed by a source identifier, - and the name"}),
             "type");
  }
}

struct ExtensionFacts {
  bool toplevel = false;    // a toplevel-property-extension is used
  bool new_object = false;  // a new-sdo / new-sco / new-sro extension is used
};

ExtensionFacts ScanExtensions(const json::value* e) {
  ExtensionFacts f;
  if (!e || !e->is_object()) return f;
  for (const auto& kv : e->get_object()) {
    if (!kv.value().is_object()) continue;
    const json::string* t = StringAt(kv.value().get_object(), "extension_type");
    if (!t) continue;
    if (*t == "toplevel-property-extension") f.toplevel = true;
    if (*t == "new-sdo" || *t == "new-sco" || *t == "new-sro") f.new_object = true;
  }
  return f;
}

bool SelectorSyntaxOk(SV s) {
  // STIX 2.1 section 7.2.3 (selector syntax): property names and [index] segments joined
  // by '.', or "id".
  if (s == "id") return true;
  size_t start = 0;
  bool first = true;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && s[i] != '.') continue;
    SV seg = s.substr(start, i - start);
    start = i + 1;
    if (seg.empty() || seg.size() > 250) return false;
    if (seg.front() == '[') {
      if (first || seg.size() < 3 || seg.back() != ']') return false;
      for (char c : seg.substr(1, seg.size() - 2)) {
        if (c < '0' || c > '9') return false;
      }
    } else {
      if (first && seg.size() < 3) return false;
      for (char c : seg) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
          return false;
        }
      }
    }
    first = false;
  }
  return true;
}

bool SelectorResolves(const json::object& root, SV s) {
  const json::value* cur = nullptr;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && s[i] != '.') continue;
    SV seg = s.substr(start, i - start);
    start = i + 1;
    if (seg.front() == '[') {
      if (!cur || !cur->is_array()) return false;
      size_t idx = 0;
      for (char c : seg.substr(1, seg.size() - 2)) {
        idx = idx * 10 + static_cast<size_t>(c - '0');
        if (idx > (1u << 30)) return false;
      }
      if (idx >= cur->get_array().size()) return false;
      cur = &cur->get_array()[idx];
    } else {
      const json::object* obj = cur ? (cur->is_object() ? &cur->get_object() : nullptr) : &root;
      if (!obj) return false;
      cur = obj->if_contains(seg);
      if (!cur) return false;
    }
  }
  return true;
}

void CheckSelectors(Ctx& ctx, const json::object& o, const json::value* gm) {
  if (!gm || !gm->is_array()) return;
  PathScope gm_scope(ctx, "granular_markings");
  size_t i = 0;
  for (const json::value& m : gm->get_array()) {
    PathScope m_scope(ctx, i++);
    if (!m.is_object()) continue;
    const json::value* sel = m.get_object().if_contains("selectors");
    if (!sel || !sel->is_array()) continue;
    PathScope sel_scope(ctx, "selectors");
    size_t j = 0;
    for (const json::value& s : sel->get_array()) {
      PathScope s_scope(ctx, j++);
      if (!s.is_string()) continue;
      SV str = s.get_string();
      if (!SelectorSyntaxOk(str)) {
        ctx.Error("selector", Cat({"'", str.substr(0, 80), "' is not a valid selector"}));
      } else if (!SelectorResolves(o, str)) {
        ctx.Error("selector", Cat({"selector '", str.substr(0, 80),
                                   "' does not select anything in the object"}));
      }
    }
  }
}

std::optional<Timestamp> TimestampAt(const Ctx& ctx, const json::value* v) {
  if (!v || !v->is_string()) return std::nullopt;
  if (const Timestamp* t = ctx.RememberedTimestamp(v)) return *t;
  Result<Timestamp> t = ParseTimestamp(v->get_string());
  if (!t.ok()) return std::nullopt;
  return *t;
}

void CheckCreatedModified(Ctx& ctx, const CommonMembers& c, bool precision) {
  // STIX 2.1 section 3.2: created and modified are at least millisecond
  // precise and modified >= created. STIX 2.0 Part 1 section 3.1: exactly
  // millisecond precision.
  std::optional<Timestamp> created = TimestampAt(ctx, c.created);
  std::optional<Timestamp> modified = TimestampAt(ctx, c.modified);
  if (precision) {
    for (const json::value* v : {c.created, c.modified}) {
      const json::string* s = AsString(v);
      if (!s || s->size() < 20) continue;
      if (!(v == c.created ? created : modified)) continue;  // reported as malformed
      SV t = *s;
      size_t digits = t.size() > 21 && t[19] == '.' ? t.size() - 21 : 0;
      bool ok = ctx.version == Version::k21 ? digits >= 3 : digits == 3;
      if (!ok) {
        ctx.Error("timestamp-precision",
                  ctx.version == Version::k21
                      ? "must have at least millisecond precision (three fractional digits)"
                      : "must have exactly millisecond precision (three fractional digits)",
                  v == c.created ? "created" : "modified");
      }
    }
  }
  if (created && modified && *modified < *created) {
    ctx.Error("timestamp-order", "must be later than or equal to created", "modified");
  }
}

// Dictionary keys in cyber observables SHOULD be lowercase (STIX 2.1 section
// 2.3; 2.0 Part 1 section 2.6, which also asks for at most 30 characters).
// Dictionaries whose keys are defined elsewhere (hash names, header names,
// registry keys...) are exempt.
void WarnObservableKeys(Ctx& ctx, const json::object& o, int depth) {
  static constexpr SV kExempt[] = {"hashes",
                                   "file_header_hashes",
                                   "request_header",
                                   "additional_header_fields",
                                   "document_info_dict",
                                   "exif_tags",
                                   "ipfix",
                                   "options",
                                   "environment_variables",
                                   "key",
                                   "startup_info"};
  if (depth > 16) return;
  for (const auto& kv : o) {
    SV k = kv.key();
    bool upper = false;
    for (char c : k) upper = upper || (c >= 'A' && c <= 'Z');
    if (upper) {
      ctx.Warn("dictionary-key-case", Cat({"the key '", k, "' should be lowercase"}), k);
    } else if (ctx.version == Version::k20 && k.size() > 30) {
      ctx.Warn("dictionary-key-case", Cat({"the key '", k, "' should be at most 30 characters"}),
               k);
    }
    if (!kv.value().is_object()) continue;
    bool exempt = false;
    for (SV e : kExempt) exempt = exempt || e == k;
    if (!exempt) {
      PathScope scope(ctx, k);
      WarnObservableKeys(ctx, kv.value().get_object(), depth + 1);
    }
  }
}

void CheckIdRules21(Ctx& ctx, const json::object& o, const internal::TypeSpec* ts, bool is_sco,
                    SV id) {
  SV uuid = id.substr(id.find("--") + 2);
  int version = UuidVersion(uuid);
  if (!is_sco) {
    // Section 2.9: SDOs, SROs and meta objects SHOULD use UUIDv4.
    if (version != 4 && ctx.wants_warnings()) {
      ctx.Warn("uuid-version", "the id should use a UUIDv4", "id");
    }
    return;
  }
  if (!ts) return;  // a custom SCO: its contributing properties are unknown
  // Section 2.9: an SCO whose ID contributing properties are all absent (or
  // that has none, as process) MUST use a UUIDv4; otherwise it SHOULD use
  // the deterministic UUIDv5.
  bool any = ts->extensions_contribute && o.contains("extensions");
  for (const internal::PropSpec& p : ts->body->props) {
    if ((p.flags & internal::kIdContributing) && o.contains(p.name)) any = true;
  }
  if (!any) {
    if (version != 4) {
      ctx.Error("id", "an SCO without ID contributing properties must use a UUIDv4 id", "id");
    }
    return;
  }
  if (!ctx.wants_warnings()) return;
  if (version != 5) {
    ctx.Warn("uuid-version", "an SCO id should be the deterministic UUIDv5", "id");
    return;
  }
  std::optional<std::string> want = DeterministicScoId(o);
  if (want && *want != id) {
    ctx.Warn("sco-id", Cat({"the deterministic id of this observable is ", *want}), "id");
  }
}

}  // namespace

namespace internal {

const TypeSpec* FindType(Version version, std::string_view type) {
  return version == Version::k21 ? FindType21(type) : FindType20(type);
}

Category CategoryOf(std::string_view type) {
  if (const TypeSpec* t = FindType21(type)) return t->category;
  if (const TypeSpec* t = FindType20(type)) return t->category;
  if (type == "bundle") return Category::kBundle;
  return Category::kCustom;
}

void CheckExtensions(Ctx& ctx, const TypeSpec* ts, std::string_view type,
                     const json::value& value) {
  // STIX 2.1 section 7.3 (extension definitions) and section 6 (predefined
  // SCO extensions); STIX 2.0 Part 4 section 3 (observable extensions).
  if (!value.is_object()) {
    ctx.Error("value-type", "extensions must be a dictionary");
    return;
  }
  const json::object& exts = value.get_object();
  if (exts.empty()) {
    ctx.Error("empty", "extensions must contain at least one extension");
    return;
  }
  bool sco = ts ? ts->category == Category::kSco : false;
  for (const auto& kv : exts) {
    SV key = kv.key();
    PathScope scope(ctx, key);
    const ExtensionSpec* predefined = nullptr;
    if (ts) {
      for (const ExtensionSpec& e : ts->extensions) {
        if (e.name == key) predefined = &e;
      }
    }
    if (!kv.value().is_object()) {
      ctx.Error("value-type", "an extension must be an object");
      continue;
    }
    const json::object& ext = kv.value().get_object();
    if (predefined) {
      CheckObject(ctx, *predefined->spec, ext);
      continue;
    }
    if (ctx.version == Version::k21 && IsExtensionDefinitionId(key)) {
      if (internal::CheckDefinedExtension(ctx, type, key, ext)) continue;
      const json::value* et = ext.if_contains("extension_type");
      if (!et) {
        ctx.Error("required", "extension_type is required", "extension_type");
      } else if (!et->is_string() || !kExtensionTypeEnum.Contains(et->get_string())) {
        ctx.Error("enum", "extension_type must be a value of extension-type-enum",
                  "extension_type");
      }
      for (const auto& p : ext) {
        if (p.key() == "extension_type") continue;
        if (!IsPropertyName21(p.key()) && p.key() != "id") {
          ctx.Error("custom-name", Cat({"'", p.key(), "' is not a valid property name"}), p.key());
        }
      }
      continue;
    }
    if (ctx.version == Version::k21 && !IsExtensionName(key)) {
      ctx.Error(
          "format",
          Cat({"'", key,
               "' is neither an extension-definition id nor an extension name ending in -ext"}));
      continue;
    }
    if (ext.empty()) {
      ctx.Error("empty", "an extension must have at least one property");
    }
    // A custom extension of the STIX 2.0 kind.
    if (ctx.wants_warnings()) {
      if (ctx.version == Version::k21) {
        ctx.Warn("extension-use",
                 Cat({"custom extension '", key,
                      "' should be defined by an extension definition (property-extension)"}));
      }
      if (ts && (sco || ctx.container)) {
        if (key.size() < 2 || key.substr(0, 2) != "x-") {
          ctx.Warn("custom-prefix-lax", Cat({"custom extension '", key, "' should start with x-"}));
        } else if (size_t d = key.find('-', 3); d == SV::npos || d >= key.size() - 5) {
          ctx.Warn("custom-prefix",
                   Cat({"custom extension '", key,
                        "' should be x- followed by a source identifier, - and the name"}));
        }
      }
    }
  }
  (void)type;
}

void CheckContainedObservable(Ctx& ctx, const json::object& o) {
  // STIX 2.0 Part 3 section 2.2 / STIX 2.1 section 2.13 (deprecated container):
  // an observable keyed inside observed-data, without an id; references are
  // keys of the same container.
  const json::string* type = StringAt(o, "type");
  if (!type) {
    ctx.Error(o.contains("type") ? "value-type" : "required", "an observable needs a type string",
              "type");
    return;
  }
  SV t = *type;
  const TypeSpec* ts = ctx.version == Version::k21 ? FindType21(t) : FindObservable20(t);
  bool saved_in_observable = ctx.in_observable;
  ctx.in_observable = true;
  struct Restore {
    Ctx& c;
    bool v;
    ~Restore() { c.in_observable = v; }
  } restore{ctx, saved_in_observable};
  if (ctx.wants_warnings()) WarnObservableKeys(ctx, o, 0);
  if (ts && ts->category != Category::kSco) ts = nullptr;
  if (!ts) {
    if (!IsTypeName(ctx.version, t)) {
      ctx.Error("format", Cat({"'", t, "' is not a valid observable type name"}), "type");
      return;
    }
    if (!ctx.options().allow_custom_objects) {
      ctx.Error("custom-object", Cat({"'", t, "' is not an observable type of the specification"}),
                "type");
    }
    WarnCustomTypeName(ctx, t, true);
  }
  uint64_t seen = 0;
  for (const auto& kv : o) {
    SV key = kv.key();
    if (key == "type") continue;
    size_t idx = 0;
    if (ts) {
      if (const PropSpec* p = FindProp(ts->body->props, key, &idx)) {
        if (idx < 64) seen |= uint64_t{1} << idx;
        PathScope scope(ctx, key);
        CheckValue(ctx, *p, kv.value());
        continue;
      }
    }
    if (key == "extensions") {
      PathScope scope(ctx, key);
      CheckExtensions(ctx, ts, t, kv.value());
      continue;
    }
    if (ctx.version == Version::k21) {
      size_t cidx;
      if (const PropSpec* p = FindProp(kCommonSco21.props, key, &cidx)) {
        if (key != "id") {
          PathScope scope(ctx, key);
          CheckValue(ctx, *p, kv.value());
        }
        continue;
      }
    }
    if (!ts) {
      bool valid = ctx.version == Version::k21 ? IsPropertyName21(key) : IsPropertyName20(key);
      if (!valid) ctx.Error("custom-name", Cat({"'", key, "' is not a valid property name"}), key);
      continue;
    }
    CheckCustomPropertyName(ctx, key, false, true);
  }
  if (!ts) return;
  for (size_t i = 0; i < ts->body->props.size() && i < 64; ++i) {
    const PropSpec& p = ts->body->props[i];
    if ((p.flags & kRequired) && !(seen >> i & 1)) {
      ctx.Error("required", Cat({p.name, " is required"}), p.name);
    }
  }
  if (ts->body->check) ts->body->check(ctx, o);
}

}  // namespace internal

std::string Diagnostic::ToString() const {
  std::string s = object_id.empty() ? std::string("object") : object_id;
  s += ": ";
  if (!property.empty()) {
    s += "property '";
    s += property;
    s += "': ";
  }
  s += message;
  s += " (";
  s += rule;
  s += ")";
  return s;
}

Result<ObjectInfo> ValidateObject(const boost::json::object& o, const ValidateOptions& options,
                                  std::vector<Diagnostic>* diagnostics) {
  using internal::PropSpec;
  Ctx ctx(options, diagnostics);
  ObjectInfo info;
  const CommonMembers c = ScanCommon(o);

  const json::string* id = AsString(c.id);
  if (id) ctx.object_id = *id;

  SV type;
  if (const json::value* tv = c.type) {
    if (tv->is_string()) {
      type = tv->get_string();
    } else {
      ctx.Error("value-type", "type must be a string", "type");
    }
  } else {
    ctx.Error("required", "type is required", "type");
  }

  // The version: an explicit spec_version, else the caller's default, else
  // the STIX 2.1 rule (section 3.2): 2.0 except for SCOs.
  bool has_created = c.created != nullptr, has_modified = c.modified != nullptr;
  const json::value* sv = c.spec_version;
  Version version = Version::k21;
  if (sv && sv->is_string() && sv->get_string() == "2.0") {
    version = Version::k20;
  } else if (sv) {
    version = Version::k21;
  } else if (options.default_spec_version == "2.0") {
    version = Version::k20;
  } else if (options.default_spec_version.empty()) {
    bool sco_like = internal::IsScoType21(type) ||
                    (!internal::FindType21(type) && !internal::FindType20(type) && !has_created &&
                     !has_modified);
    version = sco_like ? Version::k21 : Version::k20;
  }
  ctx.version = version;

  if (type == "bundle") {
    ctx.Error("type", "a bundle is a container, not an object (validate it with ValidateBundle)",
              "type");
  }
  const internal::TypeSpec* ts = type.empty() ? nullptr : internal::FindType(version, type);
  bool custom = ts == nullptr && !type.empty() && type != "bundle";
  bool is_sco =
      ts ? ts->category == Category::kSco
         : version == Version::k21 && !has_created && !has_modified && type != "marking-definition";

  if (!type.empty() && !ts) {
    if (IsReservedType(version, type)) {
      ctx.Error("reserved", Cat({"'", type, "' is a reserved type name"}), "type");
    } else if (!internal::IsTypeName(version, type)) {
      std::string msg = Cat({"'", type,
                             "' is not a valid type name (3-250 characters of a-z, 0-9 and "
                             "single hyphens)"});
      if (options.strict_custom_names || type == "bundle") {
        ctx.Error("format", std::move(msg), "type");
      } else {
        ctx.Warn("format", std::move(msg), "type");
      }
    } else if (!options.allow_custom_objects) {
      ctx.Error("custom-object",
                Cat({"'", type, "' is not an object type of STIX ",
                     version == Version::k21 ? "2.1" : "2.0"}),
                "type");
    }
  }

  // spec_version (section 3.2).
  if (sv) {
    if (!sv->is_string() || (sv->get_string() != "2.1" && sv->get_string() != "2.0")) {
      ctx.Error("enum", "spec_version must be \"2.1\" (or \"2.0\")", "spec_version");
    }
  } else if (version == Version::k21 && !is_sco) {
    ctx.Error("required", "spec_version is required for STIX 2.1 objects other than SCOs",
              "spec_version");
  }

  // id (section 2.9).
  bool id_ok = false;
  if (!c.id) {
    ctx.Error("required", "id is required", "id");
  } else if (!id) {
    ctx.Error("value-type", "id must be a string", "id");
  } else {
    SV id_type;
    if (!internal::IsIdentifier(version, *id, &id_type)) {
      ctx.Error("id",
                version == Version::k21 ? "id must be type--UUID with an RFC 4122 UUID"
                                        : "id must be type--UUIDv4 (STIX 2.0)",
                "id");
    } else if (!type.empty() && id_type != type) {
      ctx.Error("id", Cat({"id must begin with '", type, "--'"}), "id");
    } else {
      id_ok = true;
    }
  }

  const internal::ObjectSpec* common;
  if (ts && ts->common) {
    common = ts->common;
  } else if (is_sco) {
    common = &internal::kCommonSco21;
  } else {
    common = version == Version::k21 ? &internal::kCommonSdo21 : &internal::kCommonSdo20;
  }
  std::span<const PropSpec> body = ts ? ts->body->props : std::span<const PropSpec>();
  ctx.in_observable = is_sco;
  if (is_sco && ctx.wants_warnings()) WarnObservableKeys(ctx, o, 0);
  ExtensionFacts facts = version == Version::k21 ? ScanExtensions(c.extensions) : ExtensionFacts{};

  uint64_t seen_body = 0, seen_common = 0;
  for (const auto& kv : o) {
    SV key = kv.key();
    size_t idx;
    if (const PropSpec* p = FindProp(body, key, &idx)) {
      if (idx < 64) seen_body |= uint64_t{1} << idx;
      PathScope scope(ctx, key);
      internal::CheckValue(ctx, *p, kv.value());
      continue;
    }
    if (const PropSpec* p = FindProp(common->props, key, &idx)) {
      if (idx < 64) seen_common |= uint64_t{1} << idx;
      if (key == "type" || key == "id" || key == "spec_version") continue;
      PathScope scope(ctx, key);
      if (key == "extensions") {
        internal::CheckExtensions(ctx, ts, type, kv.value());
      } else {
        internal::CheckValue(ctx, *p, kv.value());
      }
      continue;
    }
    if (IsReservedProperty(version, key)) {
      ctx.Error("reserved", Cat({"'", key, "' is a reserved property name"}), key);
      continue;
    }
    CheckCustomValue(ctx, key, kv.value());
    if (custom) {
      // Properties of a custom object are its own; only their names are
      // constrained (section 11.2).
      bool valid = version == Version::k21 ? internal::IsPropertyName21(key)
                                           : internal::IsPropertyName20(key);
      if (!valid) {
        std::string msg = Cat({"'", key, "' is not a valid property name"});
        if (options.strict_custom_names) {
          ctx.Error("custom-name", std::move(msg), key);
        } else {
          ctx.Warn("custom-name", std::move(msg), key);
        }
      }
      continue;
    }
    internal::CheckCustomPropertyName(ctx, key, facts.toplevel, is_sco);
  }
  for (size_t i = 0; i < body.size() && i < 64; ++i) {
    if ((body[i].flags & internal::kRequired) && !(seen_body >> i & 1)) {
      ctx.Error("required", Cat({body[i].name, " is required"}), body[i].name);
    }
  }
  for (size_t i = 0; i < common->props.size() && i < 64; ++i) {
    SV name = common->props[i].name;
    if (name == "type" || name == "id" || name == "spec_version") continue;
    if ((common->props[i].flags & internal::kRequired) && !(seen_common >> i & 1)) {
      ctx.Error("required", Cat({name, " is required"}), name);
    }
  }

  if (custom) {
    if (version == Version::k21 && !facts.new_object && ctx.wants_warnings()) {
      ctx.Warn("extension-use",
               Cat({"custom object type '", type,
                    "' should be defined by an extension definition (new-sdo, new-sco or "
                    "new-sro)"}),
               "type");
    }
    WarnCustomTypeName(ctx, type, is_sco);
  }

  bool sdo_like = !is_sco && type != "marking-definition";
  CheckCreatedModified(ctx, c, sdo_like);
  CheckSelectors(ctx, o, c.granular_markings);
  if (ts && ts->body->check) ts->body->check(ctx, o);
  if (version == Version::k21 && id_ok) CheckIdRules21(ctx, o, ts, is_sco, *id);

  if (ctx.error_count() > 0) return InvalidArgument(ctx.first_error().ToString());

  info.id = std::string(*id);
  info.type = std::string(type);
  info.spec_version = version == Version::k21 ? "2.1" : "2.0";
  info.created = TimestampAt(ctx, c.created);
  info.modified = TimestampAt(ctx, c.modified);
  if (c.revoked && c.revoked->is_bool()) info.revoked = c.revoked->get_bool();
  if (const json::string* cb = AsString(c.created_by_ref)) info.created_by_ref = *cb;
  if (const json::value* m = c.object_marking_refs; m && m->is_array()) {
    info.object_marking_refs.reserve(m->get_array().size());
    for (const json::value& e : m->get_array())
      info.object_marking_refs.emplace_back(e.get_string());
  }
  if (const json::value* g = c.granular_markings; g && g->is_array()) {
    info.has_granular_markings = !g->get_array().empty();
  }
  Category cat = ts ? ts->category : Category::kCustom;
  info.is_sco = is_sco;
  info.is_sdo = cat == Category::kSdo;
  info.is_sro = cat == Category::kSro;
  info.is_meta = cat == Category::kMeta;
  info.is_custom = custom;
  return info;
}

bool IsSpecType(std::string_view type) { return internal::FindType21(type) != nullptr; }

bool IsScoType(std::string_view type) { return internal::IsScoType21(type); }

}  // namespace kizuna::stix

namespace kizuna::stix {

Status ValidateBundle(const boost::json::object& bundle, const ValidateOptions& options,
                      std::vector<Diagnostic>* diagnostics) {
  // STIX 2.1 section 8 (2.0 Part 1 section 5).
  Ctx ctx(options, diagnostics);
  const json::string* id = StringAt(bundle, "id");
  if (id) ctx.object_id = *id;
  const json::string* type = StringAt(bundle, "type");
  if (!type || *type != "bundle") ctx.Error("enum", "type must be \"bundle\"", "type");
  // A 2.0 bundle (Part 1 section 5) carries spec_version "2.0"; a 2.1 bundle
  // (section 8) has none. Content forced to 2.0 is held to the 2.0 rule.
  const json::string* sv = StringAt(bundle, "spec_version");
  bool v20 = (sv && *sv == "2.0") || options.default_spec_version == "2.0";
  ctx.version = v20 ? Version::k20 : Version::k21;
  if (v20) {
    if (!bundle.contains("spec_version")) {
      ctx.Error("required", "a STIX 2.0 bundle needs spec_version \"2.0\"", "spec_version");
    } else if (!sv || *sv != "2.0") {
      ctx.Error("enum", "the spec_version of a STIX 2.0 bundle must be \"2.0\"", "spec_version");
    }
  } else if (bundle.contains("spec_version") && !(sv && *sv == "2.1")) {
    ctx.Error("enum", "spec_version must be \"2.0\" or absent", "spec_version");
  }
  if (!id) {
    ctx.Error(bundle.contains("id") ? "value-type" : "required", "id is required", "id");
  } else {
    SV id_type;
    if (!internal::IsIdentifier(ctx.version, *id, &id_type) || id_type != "bundle") {
      ctx.Error("id", "id must be bundle--UUID", "id");
    } else if (!v20 && UuidVersion(SV(*id).substr(id->size() - 36)) != 4 && ctx.wants_warnings()) {
      ctx.Warn("uuid-version", "the id should use a UUIDv4", "id");
    }
  }
  for (const auto& kv : bundle) {
    SV key = kv.key();
    if (key == "type" || key == "id" || key == "objects" || key == "spec_version") continue;
    internal::CheckCustomPropertyName(ctx, key, false, false);
  }
  ValidateOptions inner = options;
  if (inner.default_spec_version.empty() && v20) inner.default_spec_version = "2.0";
  int invalid = 0;
  std::string first_invalid;
  if (const json::value* objs = bundle.if_contains("objects")) {
    PathScope scope(ctx, "objects");
    if (!objs->is_array()) {
      ctx.Error("value-type", "objects must be a list");
    } else if (objs->get_array().empty()) {
      ctx.Error("empty", "objects must not be an empty list");
    } else {
      size_t i = 0;
      for (const json::value& e : objs->get_array()) {
        if (!e.is_object()) {
          PathScope idx(ctx, i);
          ctx.Error("value-type", "every element of objects must be a JSON object");
        } else {
          Result<ObjectInfo> r = ValidateObject(e.get_object(), inner, diagnostics);
          if (!r.ok() && invalid++ == 0) first_invalid = r.error().message();
        }
        ++i;
      }
      // Two versions of one object need different modified timestamps.
      if (ctx.wants_warnings()) {
        const json::array& a = objs->get_array();
        for (size_t x = 0; x < a.size(); ++x) {
          if (!a[x].is_object()) continue;
          const json::string* ix = StringAt(a[x].get_object(), "id");
          const json::string* mx = StringAt(a[x].get_object(), "modified");
          if (!ix || !mx) continue;
          for (size_t y = x + 1; y < a.size(); ++y) {
            if (!a[y].is_object()) continue;
            const json::string* iy = StringAt(a[y].get_object(), "id");
            const json::string* my = StringAt(a[y].get_object(), "modified");
            if (iy && my && *ix == *iy && *mx == *my) {
              ctx.Warn("duplicate-id",
                       Cat({"two objects have id ", SV(*ix), " and the same modified timestamp"}));
            }
          }
        }
      }
    }
  }
  if (ctx.error_count() > 0) return InvalidArgument(ctx.first_error().ToString());
  if (invalid > 0) return InvalidArgument(first_invalid);
  return Status::Ok();
}

}  // namespace kizuna::stix
