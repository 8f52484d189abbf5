#include "stix/markings.h"

#include <boost/json.hpp>

namespace kizuna::stix {
namespace {

namespace json = boost::json;
using SV = std::string_view;

// The objects as published in oasis-open/cti-stix-common-objects
// (objects/marking-definition/*.json), property order kept, whitespace removed.
constexpr TlpMarkingDefinition kTlp2[] = {
    {Tlp::kClear, kTlpClearId, "TLP:CLEAR",
     R"({"type":"marking-definition","spec_version":"2.1","id":"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487","created":"2022-10-01T00:00:00.000Z","name":"TLP:CLEAR","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"extension_type":"property-extension","tlp_2_0":"clear"}}})"},
    {Tlp::kGreen, kTlpGreenId, "TLP:GREEN",
     R"({"type":"marking-definition","spec_version":"2.1","id":"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb","created":"2022-10-01T00:00:00.000Z","name":"TLP:GREEN","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"extension_type":"property-extension","tlp_2_0":"green"}}})"},
    {Tlp::kAmber, kTlpAmberId, "TLP:AMBER",
     R"({"type":"marking-definition","spec_version":"2.1","id":"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421","created":"2022-10-01T00:00:00.000Z","name":"TLP:AMBER","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"extension_type":"property-extension","tlp_2_0":"amber"}}})"},
    {Tlp::kAmberStrict, kTlpAmberStrictId, "TLP:AMBER+STRICT",
     R"({"type":"marking-definition","spec_version":"2.1","id":"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003","created":"2022-10-01T00:00:00.000Z","name":"TLP:AMBER+STRICT","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"extension_type":"property-extension","tlp_2_0":"amber+strict"}}})"},
    {Tlp::kRed, kTlpRedId, "TLP:RED",
     R"({"type":"marking-definition","spec_version":"2.1","id":"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1","created":"2022-10-01T00:00:00.000Z","name":"TLP:RED","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":{"extension_type":"property-extension","tlp_2_0":"red"}}})"},
};

struct Tlp1 {
  Tlp level;
  SV id;
  SV color;  // definition.tlp
  SV name;   // 2.1 name
};
constexpr Tlp1 kTlp1[] = {
    {Tlp::kClear, kTlp1WhiteId, "white", "TLP:WHITE"},
    {Tlp::kGreen, kTlp1GreenId, "green", "TLP:GREEN"},
    {Tlp::kAmber, kTlp1AmberId, "amber", "TLP:AMBER"},
    {Tlp::kRed, kTlp1RedId, "red", "TLP:RED"},
};
// STIX 2.1 section 7.2.1.4: the created time of the TLP 1.0 objects.
constexpr SV kTlp1Created = "2017-01-20T00:00:00.000Z";
constexpr SV kTlp2Created = "2022-10-01T00:00:00.000Z";

const json::string* StringAt(const json::object& o, SV key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? &v->get_string() : nullptr;
}

bool StringIs(const json::object& o, SV key, SV want) {
  const json::string* s = StringAt(o, key);
  return s && SV(*s) == want;
}

Status Mismatch(SV id, SV what) {
  std::string m(id);
  m += ": a TLP marking definition must be the predefined object (";
  m += what;
  m += ")";
  return InvalidArgument(m);
}

bool EqualsIgnoringCase(SV a, SV b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

// True when the object has a member whose name equals `key` in any letter case.
bool HasMemberIgnoringCase(const json::object& o, SV key) {
  for (const auto& kv : o) {
    if (EqualsIgnoringCase(kv.key(), key)) return true;
  }
  return false;
}

// The length of the white space or invisible character at the start of
// `s` (0 if none); see TrimMarkingText.
size_t SpaceAtFront(SV s) {
  if (s.empty()) return 0;
  auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = b(0);
  if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
  if (s.size() >= 2 && c == 0xC2 && (b(1) == 0x85 || b(1) == 0xA0)) return 2;
  if (s.size() < 3) return 0;
  if (c == 0xE1 && ((b(1) == 0x9A && b(2) == 0x80) || (b(1) == 0xA0 && b(2) == 0x8E))) return 3;
  if (c == 0xE2 && b(1) == 0x80 &&
      ((b(2) >= 0x80 && b(2) <= 0x8F) || (b(2) >= 0xA8 && b(2) <= 0xAF))) {
    return 3;
  }
  if (c == 0xE2 && b(1) == 0x81 && b(2) >= 0x9F && b(2) <= 0xA4) return 3;
  if (c == 0xE3 && b(1) == 0x80 && b(2) == 0x80) return 3;
  if (c == 0xEF && b(1) == 0xBB && b(2) == 0xBF) return 3;
  return 0;
}

// The same at the end: the longest suffix of at most 3 bytes that is one
// such character.
size_t SpaceAtBack(SV s) {
  for (size_t n = 1; n <= 3 && n <= s.size(); ++n) {
    if (SpaceAtFront(s.substr(s.size() - n)) == n) return n;
  }
  return 0;
}

Status CheckOnly(const json::object& o, SV id, std::initializer_list<SV> allowed) {
  for (const auto& kv : o) {
    bool ok = false;
    for (SV a : allowed) ok = ok || kv.key() == a;
    if (!ok) {
      return Mismatch(id, std::string("unexpected property '") + std::string(kv.key()) + "'");
    }
  }
  return Status::Ok();
}

}  // namespace

std::span<const TlpMarkingDefinition> Tlp2MarkingDefinitions() { return kTlp2; }

const TlpMarkingDefinition* Tlp2MarkingDefinition(Tlp level) {
  for (const TlpMarkingDefinition& d : kTlp2) {
    if (d.level == level) return &d;
  }
  return nullptr;
}

std::string_view TlpName(Tlp level) {
  const TlpMarkingDefinition* d = Tlp2MarkingDefinition(level);
  return d ? d->name : SV();
}

Tlp TlpOfLevelName(std::string_view name) {
  std::string s;
  for (char c : name) s.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  if (s.rfind("tlp:", 0) == 0) s.erase(0, 4);
  if (s == "clear" || s == "white") return Tlp::kClear;
  if (s == "green") return Tlp::kGreen;
  if (s == "amber") return Tlp::kAmber;
  if (s == "amber+strict") return Tlp::kAmberStrict;
  if (s == "red") return Tlp::kRed;
  return Tlp::kNone;
}

Tlp TlpOfMarkingRef(std::string_view ref) {
  // Every TLP id has the same length; most references are not TLP at all.
  if (ref.size() != kTlpClearId.size()) return Tlp::kNone;
  // UUIDs compare case-insensitively (RFC 4122 §3): an upper-case spelling of
  // a TLP id is that TLP marking, never an unknown (and so weaker) one.
  char lower[64];
  for (size_t i = 0; i < ref.size(); ++i) {
    char c = ref[i];
    lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  SV r(lower, ref.size());
  for (const TlpMarkingDefinition& d : kTlp2) {
    if (d.id == r) return d.level;
  }
  for (const Tlp1& t : kTlp1) {
    if (t.id == r) return t.level;
  }
  return Tlp::kNone;
}

Tlp StrictestTlp(std::span<const std::string> refs) {
  Tlp out = Tlp::kNone;
  for (const std::string& r : refs) out = std::max(out, TlpOfMarkingRef(r));
  return out;
}

Tlp StrictestTlp(std::span<const std::string_view> refs) {
  Tlp out = Tlp::kNone;
  for (SV r : refs) out = std::max(out, TlpOfMarkingRef(r));
  return out;
}

bool IsTlp2MarkingId(std::string_view id) {
  for (const TlpMarkingDefinition& d : kTlp2) {
    if (d.id == id) return true;
  }
  return false;
}

bool IsTlp1MarkingId(std::string_view id) {
  for (const Tlp1& t : kTlp1) {
    if (t.id == id) return true;
  }
  return false;
}

std::vector<std::string> ObjectMarkingRefs(const boost::json::object& object) {
  std::vector<std::string> out;
  const json::value* v = object.if_contains("object_marking_refs");
  if (!v || !v->is_array()) return out;
  for (const json::value& e : v->get_array()) {
    if (e.is_string()) out.emplace_back(e.get_string());
  }
  return out;
}

Tlp ObjectTlp(const boost::json::object& object) {
  Tlp out = Tlp::kNone;
  const json::value* v = object.if_contains("object_marking_refs");
  if (!v || !v->is_array()) return out;
  for (const json::value& e : v->get_array()) {
    if (e.is_string()) out = std::max(out, TlpOfMarkingRef(e.get_string()));
  }
  return out;
}

bool HasGranularMarkings(const boost::json::object& object) {
  const json::value* v = object.if_contains("granular_markings");
  return v && v->is_array() && !v->get_array().empty();
}

std::string MarkingReference::Property() const {
  return granular ? "granular_markings[" + std::to_string(index) + "].marking_ref"
                  : "object_marking_refs[" + std::to_string(index) + "]";
}

std::vector<MarkingReference> MarkingReferences(const boost::json::object& object) {
  std::vector<MarkingReference> out;
  if (const json::value* v = object.if_contains("object_marking_refs"); v && v->is_array()) {
    const json::array& a = v->get_array();
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].is_string()) out.push_back({SV(a[i].get_string()), false, i});
    }
  }
  if (const json::value* v = object.if_contains("granular_markings"); v && v->is_array()) {
    const json::array& a = v->get_array();
    for (size_t i = 0; i < a.size(); ++i) {
      if (!a[i].is_object()) continue;
      if (const json::string* ref = StringAt(a[i].get_object(), "marking_ref")) {
        out.push_back({SV(*ref), true, i});
      }
    }
  }
  return out;
}

std::string TlpLookalike::Message() const {
  return "imitates TLP under an id that is not an OASIS TLP marking definition (" + form +
         "); only the OASIS TLP 2.0 and TLP 1.0 marking definitions may define TLP markings";
}

std::string_view TrimMarkingText(std::string_view text) {
  while (size_t n = SpaceAtFront(text)) text.remove_prefix(n);
  while (size_t n = SpaceAtBack(text)) text.remove_suffix(n);
  return text;
}

std::optional<TlpLookalike> FindTlpLookalike(const boost::json::object& o) {
  const json::string* id = StringAt(o, "id");
  // The OASIS ids (in any case) are checked against their published content.
  if (id && TlpOfMarkingRef(*id) != Tlp::kNone) return std::nullopt;
  if (const json::string* dt = StringAt(o, "definition_type");
      dt && EqualsIgnoringCase(TrimMarkingText(*dt), "tlp")) {
    return TlpLookalike{"definition_type", "definition_type \"tlp\""};
  }
  if (const json::string* name = StringAt(o, "name")) {
    SV n = TrimMarkingText(*name);
    if (n.size() >= 4 && EqualsIgnoringCase(n.substr(0, 4), "tlp:")) {
      return TlpLookalike{"name", "a name beginning with \"TLP:\""};
    }
  }
  if (const json::value* def = o.if_contains("definition");
      def && def->is_object() && HasMemberIgnoringCase(def->get_object(), "tlp")) {
    return TlpLookalike{"definition", "a TLP 1.0 definition {\"tlp\": ...}"};
  }
  if (const json::value* ext = o.if_contains("extensions");
      ext && ext->is_object() && HasMemberIgnoringCase(ext->get_object(), kTlp2ExtensionId)) {
    return TlpLookalike{"extensions", "the TLP 2.0 extension " + std::string(kTlp2ExtensionId)};
  }
  return std::nullopt;
}

Status CheckTlpMarkingDefinition(const boost::json::object& o) {
  const json::string* id_str = StringAt(o, "id");
  SV id = id_str ? SV(*id_str) : SV();
  for (const Tlp1& t : kTlp1) {
    if (t.id != id) continue;
    // STIX 2.1 section 7.2.1.4 (2.0: Part 1 section 4.1.4). The 2.0 objects
    // have no name and no spec_version.
    bool v21 = o.contains("spec_version");
    if (v21 && !StringIs(o, "spec_version", "2.1")) return Mismatch(id, "spec_version");
    if (!StringIs(o, "created", kTlp1Created)) return Mismatch(id, "created");
    if (!StringIs(o, "definition_type", "tlp")) return Mismatch(id, "definition_type");
    if (v21 && !StringIs(o, "name", t.name)) return Mismatch(id, "name");
    if (!v21 && o.contains("name")) return Mismatch(id, "name");
    const json::value* def = o.if_contains("definition");
    if (!def || !def->is_object() || def->get_object().size() != 1 ||
        !StringIs(def->get_object(), "tlp", t.color)) {
      return Mismatch(id, "definition");
    }
    return CheckOnly(
        o, id, {"type", "spec_version", "id", "created", "definition_type", "name", "definition"});
  }
  for (const TlpMarkingDefinition& d : kTlp2) {
    if (d.id != id) continue;
    if (!StringIs(o, "spec_version", "2.1")) return Mismatch(id, "spec_version");
    if (!StringIs(o, "created", kTlp2Created)) return Mismatch(id, "created");
    if (!StringIs(o, "name", d.name)) return Mismatch(id, "name");
    const json::value* ext = o.if_contains("extensions");
    if (!ext || !ext->is_object() || ext->get_object().size() != 1) {
      return Mismatch(id, "extensions");
    }
    const json::value* tlp = ext->get_object().if_contains(kTlp2ExtensionId);
    if (!tlp || !tlp->is_object() || tlp->get_object().size() != 2 ||
        !StringIs(tlp->get_object(), "extension_type", "property-extension")) {
      return Mismatch(id, "extensions");
    }
    const json::string* level = StringAt(tlp->get_object(), "tlp_2_0");
    std::string want(d.name.substr(4));
    for (char& c : want) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    if (!level || SV(*level) != want) return Mismatch(id, "tlp_2_0");
    return CheckOnly(o, id, {"type", "spec_version", "id", "created", "name", "extensions"});
  }
  if (TlpOfMarkingRef(id) != Tlp::kNone) {
    return InvalidArgument(std::string(id) + ": TLP marking ids must be written in lower case");
  }
  if (std::optional<TlpLookalike> l = FindTlpLookalike(o)) {
    return InvalidArgument(std::string(id) + ": " + l->Message());
  }
  return Status::Ok();
}

}  // namespace kizuna::stix
