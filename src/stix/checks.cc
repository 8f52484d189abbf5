// Cross-property rules of each STIX type (the constraints a property table
// cannot express). Section numbers are those of STIX 2.1 unless noted.

#include <boost/json.hpp>
#include <string>

#include "stix/markings.h"
#include "stix/spec.h"

namespace kizuna::stix::internal {
namespace {

namespace json = boost::json;
using SV = std::string_view;

const json::string* StringAt(const json::object& o, SV key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? &v->get_string() : nullptr;
}

bool AllDigits(SV s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// ^CAPEC-\d+$
bool IsCapecId(SV s) {
  return s.size() > 6 && s.substr(0, 6) == "CAPEC-" && AllDigits(s.substr(6));
}

// ^CVE-\d{4}-(0\d{3}|[1-9]\d{3,})$
bool IsCveId(SV s) {
  if (s.size() < 13 || s.substr(0, 4) != "CVE-" || s[8] != '-') return false;
  if (!AllDigits(s.substr(4, 4))) return false;
  SV seq = s.substr(9);
  if (!AllDigits(seq) || seq.size() < 4) return false;
  return seq[0] != '0' || seq.size() == 4;
}

bool HasAnyPropertyBut(const json::object& o, std::span<const SV> common) {
  for (const auto& kv : o) {
    bool is_common = false;
    for (SV c : common) {
      if (kv.key() == c) {
        is_common = true;
        break;
      }
    }
    if (!is_common) return true;
  }
  return false;
}

constexpr SV kScoCommon[] = {
    "type", "id", "spec_version", "object_marking_refs", "granular_markings", "defanged"};

// ---------------------------------------------------------------------------
// Suggested relationships (STIX 2.1 Appendix B; STIX 2.0 Part 2 Appendix A).

struct SuggestedRelationship {
  SV source;
  SV type;
  SV targets[8];  // unused entries are empty
};

constexpr SV kAllScos[] = {"artifact",
                           "autonomous-system",
                           "directory",
                           "domain-name",
                           "email-addr",
                           "email-message",
                           "file",
                           "ipv4-addr",
                           "ipv6-addr",
                           "mac-addr",
                           "mutex",
                           "network-traffic",
                           "process",
                           "software",
                           "url",
                           "user-account",
                           "windows-registry-key",
                           "x509-certificate"};

constexpr SuggestedRelationship kSuggested21[] = {
    {"attack-pattern", "delivers", {"malware"}},
    {"attack-pattern", "targets", {"identity", "location", "vulnerability"}},
    {"attack-pattern", "uses", {"malware", "tool"}},
    {"campaign", "attributed-to", {"intrusion-set", "threat-actor"}},
    {"campaign", "compromises", {"infrastructure"}},
    {"campaign", "originates-from", {"location"}},
    {"campaign", "targets", {"identity", "location", "vulnerability"}},
    {"campaign", "uses", {"attack-pattern", "infrastructure", "malware", "tool"}},
    {"course-of-action", "investigates", {"indicator"}},
    {"course-of-action",
     "mitigates",
     {"attack-pattern", "indicator", "malware", "tool", "vulnerability"}},
    {"course-of-action", "remediates", {"malware", "vulnerability"}},
    {"domain-name", "resolves-to", {"domain-name", "ipv4-addr", "ipv6-addr"}},
    {"identity", "located-at", {"location"}},
    {"indicator", "based-on", {"observed-data"}},
    {"indicator",
     "indicates",
     {"attack-pattern", "campaign", "infrastructure", "intrusion-set", "malware", "threat-actor",
      "tool"}},
    {"infrastructure",
     "communicates-with",
     {"infrastructure", "ipv4-addr", "ipv6-addr", "domain-name", "url"}},
    {"infrastructure", "consists-of", {}},  // infrastructure, observed-data and any SCO
    {"infrastructure", "controls", {"infrastructure", "malware"}},
    {"infrastructure", "delivers", {"malware"}},
    {"infrastructure", "has", {"vulnerability"}},
    {"infrastructure", "hosts", {"tool", "malware"}},
    {"infrastructure", "located-at", {"location"}},
    {"infrastructure", "uses", {"infrastructure"}},
    {"intrusion-set", "attributed-to", {"threat-actor"}},
    {"intrusion-set", "compromises", {"infrastructure"}},
    {"intrusion-set", "hosts", {"infrastructure"}},
    {"intrusion-set", "originates-from", {"location"}},
    {"intrusion-set", "owns", {"infrastructure"}},
    {"intrusion-set", "targets", {"identity", "location", "vulnerability"}},
    {"intrusion-set", "uses", {"attack-pattern", "infrastructure", "malware", "tool"}},
    {"ipv4-addr", "belongs-to", {"autonomous-system"}},
    {"ipv4-addr", "resolves-to", {"mac-addr"}},
    {"ipv6-addr", "belongs-to", {"autonomous-system"}},
    {"ipv6-addr", "resolves-to", {"mac-addr"}},
    {"malware", "authored-by", {"threat-actor", "intrusion-set"}},
    {"malware", "beacons-to", {"infrastructure"}},
    {"malware", "communicates-with", {"ipv4-addr", "ipv6-addr", "domain-name", "url"}},
    {"malware", "controls", {"malware"}},
    {"malware", "downloads", {"malware", "file", "tool"}},
    {"malware", "drops", {"malware", "file", "tool"}},
    {"malware", "exfiltrates-to", {"infrastructure"}},
    {"malware", "exploits", {"vulnerability"}},
    {"malware", "originates-from", {"location"}},
    {"malware", "targets", {"identity", "infrastructure", "location", "vulnerability"}},
    {"malware", "uses", {"attack-pattern", "infrastructure", "malware", "tool"}},
    {"malware", "variant-of", {"malware"}},
    {"malware-analysis", "analysis-of", {"malware"}},
    {"malware-analysis", "characterizes", {"malware"}},
    {"malware-analysis", "dynamic-analysis-of", {"malware"}},
    {"malware-analysis", "static-analysis-of", {"malware"}},
    {"threat-actor", "attributed-to", {"identity"}},
    {"threat-actor", "compromises", {"infrastructure"}},
    {"threat-actor", "hosts", {"infrastructure"}},
    {"threat-actor", "impersonates", {"identity"}},
    {"threat-actor", "located-at", {"location"}},
    {"threat-actor", "owns", {"infrastructure"}},
    {"threat-actor", "targets", {"identity", "location", "vulnerability"}},
    {"threat-actor", "uses", {"attack-pattern", "infrastructure", "malware", "tool"}},
    {"tool", "delivers", {"malware"}},
    {"tool", "drops", {"malware"}},
    {"tool", "has", {"vulnerability"}},
    {"tool", "targets", {"identity", "infrastructure", "location", "vulnerability"}},
    {"tool", "uses", {"infrastructure"}},
};

constexpr SuggestedRelationship kSuggested20[] = {
    {"attack-pattern", "targets", {"identity", "vulnerability"}},
    {"attack-pattern", "uses", {"malware", "tool"}},
    {"campaign", "attributed-to", {"intrusion-set", "threat-actor"}},
    {"campaign", "targets", {"identity", "vulnerability"}},
    {"campaign", "uses", {"attack-pattern", "malware", "tool"}},
    {"course-of-action", "mitigates", {"attack-pattern", "malware", "tool", "vulnerability"}},
    {"indicator",
     "indicates",
     {"attack-pattern", "campaign", "intrusion-set", "malware", "threat-actor", "tool"}},
    {"intrusion-set", "attributed-to", {"threat-actor"}},
    {"intrusion-set", "targets", {"identity", "vulnerability"}},
    {"intrusion-set", "uses", {"attack-pattern", "malware", "tool"}},
    {"malware", "targets", {"identity", "vulnerability"}},
    {"malware", "uses", {"tool"}},
    {"malware", "variant-of", {"malware"}},
    {"threat-actor", "attributed-to", {"identity"}},
    {"threat-actor", "impersonates", {"identity"}},
    {"threat-actor", "targets", {"identity", "vulnerability"}},
    {"threat-actor", "uses", {"attack-pattern", "malware", "tool"}},
    {"tool", "targets", {"identity", "vulnerability"}},
};

bool Contains(std::span<const SV> list, SV v) {
  for (SV x : list) {
    if (x == v) return true;
  }
  return false;
}

void WarnUnsuggestedRelationship(Ctx& ctx, SV rel_type, SV source, SV target) {
  // Section 5.1: relationship_type SHOULD be one the specification defines
  // for the source and target; the common relationships apply to any pair.
  if (rel_type == "derived-from" || rel_type == "duplicate-of" || rel_type == "related-to") return;
  Category sc = CategoryOf(source), tc = CategoryOf(target);
  auto is_plain = [](Category c) { return c == Category::kSdo || c == Category::kSco; };
  if (!is_plain(sc) || !is_plain(tc)) return;
  std::span<const SuggestedRelationship> table =
      ctx.version == Version::k21 ? std::span<const SuggestedRelationship>(kSuggested21)
                                  : std::span<const SuggestedRelationship>(kSuggested20);
  bool source_known = false, type_known = false;
  for (const SuggestedRelationship& r : table) {
    if (r.source != source) continue;
    source_known = true;
    if (r.type != rel_type) continue;
    type_known = true;
    if (r.targets[0].empty()) {  // infrastructure consists-of
      if (target == "infrastructure" || target == "observed-data" || Contains(kAllScos, target)) {
        return;
      }
    } else if (Contains(r.targets, target)) {
      return;
    }
  }
  std::string msg;
  if (!source_known) {
    msg = Cat({"'", source, "' is not a suggested source of a '", rel_type, "' relationship"});
  } else if (!type_known) {
    msg = Cat({"'", rel_type, "' is not a suggested relationship type for '", source, "' objects"});
  } else {
    msg = Cat({"'", target, "' is not a suggested target of a '", rel_type, "' relationship from '",
               source, "'"});
  }
  ctx.Warn("relationship-type", std::move(msg), "relationship_type");
}

SV TypeOfRef(SV ref) {
  size_t pos = ref.find("--");
  return pos == SV::npos ? SV() : ref.substr(0, pos);
}

void CheckObservableContainer(Ctx& ctx, const json::object& o) {
  const json::value* objs = o.if_contains("objects");
  if (!objs) return;
  PathScope scope(ctx, "objects");
  if (!objs->is_object()) {
    ctx.Error("value-type", "objects must be a dictionary of cyber observables");
    return;
  }
  const json::object& map = objs->get_object();
  if (map.empty()) {
    ctx.Error("empty", "objects must contain at least one cyber observable");
    return;
  }
  const json::object* saved = ctx.container;
  ctx.container = &map;
  for (const auto& kv : map) {
    PathScope key_scope(ctx, kv.key());
    if (ctx.wants_warnings() && !AllDigits(kv.key())) {
      ctx.Warn("observable-object-key",
               "observable dictionary keys should be non-negative integers");
    }
    if (!kv.value().is_object()) {
      ctx.Error("value-type", "a cyber observable must be a JSON object");
      continue;
    }
    CheckContainedObservable(ctx, kv.value().get_object());
  }
  ctx.container = saved;
}

}  // namespace

// ---------------------------------------------------------------------------
// Common types.

void CheckExternalReference(Ctx& ctx, const json::object& o) {
  // Section 2.5: besides source_name, at least one of description, url or
  // external_id; CAPEC and CVE references carry their identifiers.
  if (!o.contains("description") && !o.contains("url") && !o.contains("external_id")) {
    ctx.Error("at-least-one",
              "an external reference needs at least one of description, url or external_id");
  }
  const json::string* source = StringAt(o, "source_name");
  const json::string* ext_id = StringAt(o, "external_id");
  if (source && *source == "capec") {
    if (!ext_id) {
      ctx.Error("required", "a capec reference needs external_id", "external_id");
    } else if (!IsCapecId(*ext_id)) {
      ctx.Error("format", "a capec external_id must look like CAPEC-123", "external_id");
    }
  } else if (source && *source == "cve") {
    if (!ext_id) {
      ctx.Error("required", "a cve reference needs external_id", "external_id");
    } else if (!IsCveId(*ext_id)) {
      ctx.Error("format", "a cve external_id must look like CVE-2016-1234", "external_id");
    }
  } else if (ext_id && (IsCveId(*ext_id) || IsCapecId(*ext_id))) {
    // A CVE or CAPEC identifier is named by its source: the OASIS JSON schema
    // for external-reference (STIX 2.0 and 2.1) accepts it only with
    // source_name cve / capec.
    ctx.Error("format",
              Cat({"an external_id of the form ", IsCveId(*ext_id) ? "CVE-..." : "CAPEC-...",
                   " needs source_name ", IsCveId(*ext_id) ? "cve" : "capec"}),
              "source_name");
  }
  if (ctx.version == Version::k21) {
    // STIX 2.1 section 2.5: hashes keys MUST come from hash-algorithm-ov.
    if (const json::value* h = o.if_contains("hashes"); h && h->is_object()) {
      for (const auto& kv : h->get_object()) {
        if (!kHashAlgorithmOv.Contains(kv.key())) {
          ctx.Error("hash-algorithm", Cat({"'", kv.key(), "' is not a hash-algorithm-ov value"}),
                    "hashes");
        }
      }
    }
  }
  if (ctx.wants_warnings() && o.contains("url") && !o.contains("hashes")) {
    ctx.Warn("external-reference-hash", "an external reference with a url should have hashes",
             "hashes");
  }
}

void CheckGranularMarking21(Ctx& ctx, const json::object& o) {
  // Section 7.2.3: exactly one of marking_ref and lang.
  bool ref = o.contains("marking_ref"), lang = o.contains("lang");
  if (ref && lang) {
    ctx.Error("exclusive", "a granular marking must not have both marking_ref and lang", "lang");
  } else if (!ref && !lang) {
    ctx.Error("at-least-one", "a granular marking needs marking_ref or lang", "marking_ref");
  }
}

// ---------------------------------------------------------------------------
// SDOs.

void CheckSeen(Ctx& ctx, const json::object& o) {
  CheckTimestampOrder(ctx, o, "first_seen", "last_seen", false);
}

void CheckIndicator(Ctx& ctx, const json::object& o) {
  // Section 4.7: valid_until MUST be later than valid_from; producers SHOULD
  // provide name and description.
  CheckTimestampOrder(ctx, o, "valid_from", "valid_until", true);
  if (ctx.version == Version::k21 && ctx.wants_warnings() &&
      (!o.contains("name") || !o.contains("description"))) {
    ctx.Warn("indicator-name", "an indicator should have a name and a description");
  }
  const json::string* pattern = StringAt(o, "pattern");
  if (!pattern || !ctx.options().stix_pattern_checker) return;
  const json::string* type = StringAt(o, "pattern_type");
  // STIX 2.0 indicators always use STIX patterning.
  if (ctx.version == Version::k21 && (!type || *type != "stix")) return;
  SV version = ctx.version == Version::k21 ? "2.1" : "2.0";
  if (const json::string* pv = StringAt(o, "pattern_version")) version = *pv;
  Status s = ctx.options().stix_pattern_checker(*pattern, version);
  if (!s.ok()) ctx.Error("pattern", Cat({"invalid STIX pattern: ", s.message()}), "pattern");
}

void CheckLocation(Ctx& ctx, const json::object& o) {
  // Section 4.10: latitude and longitude come together; precision needs both;
  // at least one of region, country, or latitude and longitude.
  bool lat = o.contains("latitude"), lon = o.contains("longitude");
  if (lat != lon) {
    ctx.Error("dependency", "latitude and longitude must both be present or both be absent",
              lat ? "longitude" : "latitude");
  }
  if (o.contains("precision") && !(lat && lon)) {
    ctx.Error("dependency", "precision requires latitude and longitude", "precision");
  }
  if (!o.contains("region") && !o.contains("country") && !(lat && lon)) {
    ctx.Error("at-least-one", "a location needs region, country, or latitude and longitude");
  }
  if (ctx.wants_warnings()) {
    if (const json::string* c = StringAt(o, "country")) {
      std::string up(c->c_str(), c->size());
      for (char& ch : up) ch = static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
      if (!kIso3166Alpha2.Contains(up)) {
        ctx.Warn("country", "country should be an ISO 3166-1 alpha-2 code", "country");
      }
    }
  }
}

void CheckMalware(Ctx& ctx, const json::object& o) {
  CheckSeen(ctx, o);
  // Section 4.11: name is required when is_family is true.
  const json::value* fam = o.if_contains("is_family");
  if (fam && fam->is_bool() && fam->get_bool() && !o.contains("name")) {
    ctx.Error("required", "name is required when is_family is true", "name");
  }
}

void CheckMalwareAnalysis(Ctx& ctx, const json::object& o) {
  // Section 4.12: one of result or analysis_sco_refs MUST be present.
  if (!o.contains("result") && !o.contains("analysis_sco_refs")) {
    ctx.Error("at-least-one", "one of result or analysis_sco_refs must be present");
  }
  if (ctx.wants_warnings()) {
    if (const json::string* p = StringAt(o, "product"); p && !IsLowerHyphenated(*p)) {
      ctx.Warn("product-name", "product should be lowercase with words separated by hyphens",
               "product");
    }
  }
}

void CheckObservedData(Ctx& ctx, const json::object& o) {
  // Section 4.14: last_observed >= first_observed; exactly one of objects
  // (deprecated) and object_refs.
  CheckTimestampOrder(ctx, o, "first_observed", "last_observed", false);
  bool objects = o.contains("objects"), refs = o.contains("object_refs");
  if (objects && refs) {
    ctx.Error("exclusive", "objects and object_refs must not both be present", "objects");
  } else if (!objects && !refs) {
    ctx.Error("at-least-one", "one of object_refs or objects must be present", "object_refs");
  }
  // object_refs MUST contain at least one SCO reference.
  if (const json::value* r = o.if_contains("object_refs"); r && r->is_array()) {
    bool sco = false, all_strings = true;
    for (const json::value& e : r->get_array()) {
      if (!e.is_string()) {
        all_strings = false;
        continue;
      }
      Category c = CategoryOf(TypeOfRef(e.get_string()));
      sco = sco || c == Category::kSco || c == Category::kCustom;
    }
    if (all_strings && !sco && !r->get_array().empty()) {
      ctx.Error("reference", "object_refs must contain at least one SCO reference", "object_refs");
    }
  }
  CheckObservableContainer(ctx, o);
}

void CheckObservedData20(Ctx& ctx, const json::object& o) {
  // STIX 2.0 Part 2 section 2.8.
  CheckTimestampOrder(ctx, o, "first_observed", "last_observed", false);
  CheckObservableContainer(ctx, o);
}

// ---------------------------------------------------------------------------
// SROs.

void CheckRelationship(Ctx& ctx, const json::object& o) {
  // Section 5.1: relationship_type is lowercase ASCII, digits and hyphens;
  // stop_time MUST be later than start_time.
  const json::string* rel = StringAt(o, "relationship_type");
  if (rel) {
    bool ok = !rel->empty();
    for (char c : *rel) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) ok = false;
    }
    if (!ok) {
      ctx.Error("format", "relationship_type must use only a-z, 0-9 and hyphens",
                "relationship_type");
    }
  }
  CheckTimestampOrder(ctx, o, "start_time", "stop_time", true);
  const json::string* src = StringAt(o, "source_ref");
  const json::string* dst = StringAt(o, "target_ref");
  if (ctx.wants_warnings() && rel && src && dst) {
    WarnUnsuggestedRelationship(ctx, *rel, TypeOfRef(*src), TypeOfRef(*dst));
  }
}

// ---------------------------------------------------------------------------
// Meta objects.

void CheckLanguageContent(Ctx& ctx, const json::object& o) {
  // Section 7.1: contents maps RFC 5646 tags to dictionaries of translated
  // properties, whose keys follow the property name rules.
  const json::value* c = o.if_contains("contents");
  if (!c) return;
  PathScope scope(ctx, "contents");
  if (!c->is_object() || c->get_object().empty()) {
    ctx.Error("value-type", "contents must be a non-empty dictionary");
    return;
  }
  for (const auto& kv : c->get_object()) {
    PathScope key_scope(ctx, kv.key());
    if (!IsLanguageTag(kv.key())) {
      ctx.Error("format", "contents keys must be RFC 5646 language tags");
    }
    if (!kv.value().is_object()) {
      ctx.Error("value-type", "each contents value must be a dictionary of properties");
      continue;
    }
    for (const auto& inner : kv.value().get_object()) {
      if (!IsPropertyName21(inner.key())) {
        ctx.Error("format", Cat({"'", inner.key(), "' is not a valid property name"}), inner.key());
      }
    }
  }
}

void CheckExtensionDefinition(Ctx& ctx, const json::object& o) {
  // Section 7.3: extension_properties only with toplevel-property-extension.
  bool toplevel = false;
  if (const json::value* t = o.if_contains("extension_types"); t && t->is_array()) {
    for (const json::value& e : t->get_array()) {
      if (e.is_string() && e.get_string() == "toplevel-property-extension") toplevel = true;
    }
  }
  if (o.contains("extension_properties") && !toplevel) {
    ctx.Error("dependency",
              "extension_properties is only allowed with a toplevel-property-extension",
              "extension_properties");
  }
  if (ctx.wants_warnings()) {
    if (!o.contains("description")) {
      ctx.Warn("extension-description", "an extension definition should have a description",
               "description");
    }
    if (toplevel && !o.contains("extension_properties")) {
      ctx.Warn("extension-properties",
               "a toplevel-property-extension should list its extension_properties",
               "extension_properties");
    }
  }
}

void CheckMarkingDefinition(Ctx& ctx, const json::object& o) {
  // Section 7.2.1: a marking definition must not mark itself.
  const json::string* id = StringAt(o, "id");
  if (id) {
    if (const json::value* r = o.if_contains("object_marking_refs"); r && r->is_array()) {
      for (const json::value& e : r->get_array()) {
        if (e.is_string() && e.get_string() == *id) {
          ctx.Error("circular-ref", "a marking definition must not mark itself",
                    "object_marking_refs");
        }
      }
    }
    if (const json::value* g = o.if_contains("granular_markings"); g && g->is_array()) {
      for (const json::value& e : g->get_array()) {
        if (!e.is_object()) continue;
        const json::string* ref = StringAt(e.get_object(), "marking_ref");
        if (ref && *ref == *id) {
          ctx.Error("circular-ref", "a marking definition must not mark itself",
                    "granular_markings");
        }
      }
    }
  }
  const json::string* def_type = StringAt(o, "definition_type");
  const json::value* def = o.if_contains("definition");
  bool has_ext = o.contains("extensions");
  if (ctx.version == Version::k20 || !has_ext) {
    // Without extensions (and always in 2.0) the definition is the marking.
    if (!o.contains("definition_type")) {
      ctx.Error("required", "definition_type is required", "definition_type");
    }
    if (!def) ctx.Error("required", "definition is required", "definition");
  } else if (o.contains("definition_type") != (def != nullptr)) {
    ctx.Error("dependency", "definition_type and definition must be present together",
              def ? "definition_type" : "definition");
  }
  if (def_type && def) {
    if (*def_type == "statement") {
      const json::string* st =
          def->is_object() ? StringAt(def->get_object(), "statement") : nullptr;
      if (!st) {
        ctx.Error("required", "a statement marking needs definition.statement (a string)",
                  "definition");
      }
    } else if (*def_type == "tlp") {
      // Section 7.2.1.4: TLP markings are the four predefined objects
      // (checked below with the other TLP ids and look-alikes).
    } else {
      if (!def->is_object()) ctx.Error("value-type", "definition must be an object", "definition");
      if (ctx.wants_warnings()) {
        ctx.Warn("marking-definition-type", "definition_type should be statement or tlp",
                 "definition_type");
        if (!has_ext && ctx.version == Version::k21) {
          ctx.Warn("extension-use",
                   "a custom marking definition should be defined with an extension",
                   "definition_type");
        }
      }
    }
  }
  if (id && TlpOfMarkingRef(*id) != Tlp::kNone) {
    // The TLP 2.0 and 1.0 ids (section 7.2.1.4) carry exactly the objects
    // OASIS published, under their lower-case ids.
    Status s = CheckTlpMarkingDefinition(o);
    if (!s.ok()) ctx.Error("tlp", s.message());
  } else if (std::optional<TlpLookalike> l = FindTlpLookalike(o)) {
    // Anything else that looks like TLP would be read as TLP by people and
    // tools downstream while the hub cannot enforce it (docs/policy.md).
    ctx.Error("tlp-lookalike", l->Message(), l->property);
  }
}

// ---------------------------------------------------------------------------
// SCOs.

void CheckArtifact(Ctx& ctx, const json::object& o) {
  // Section 6.1: exactly one of payload_bin and url; url needs hashes;
  // decryption_key needs encryption_algorithm.
  bool bin = o.contains("payload_bin"), url = o.contains("url");
  if (bin && url) {
    ctx.Error("exclusive", "payload_bin and url must not both be present", "url");
  } else if (!bin && !url) {
    ctx.Error("at-least-one", "one of payload_bin or url must be present", "payload_bin");
  }
  if (url && !o.contains("hashes")) {
    ctx.Error("dependency", "hashes must be present when url is present", "hashes");
  }
  if (o.contains("decryption_key") && !o.contains("encryption_algorithm")) {
    ctx.Error("dependency", "decryption_key requires encryption_algorithm", "decryption_key");
  }
  if (ctx.wants_warnings()) {
    if (const json::string* m = StringAt(o, "mime_type"); m && !IsMimeType(*m)) {
      ctx.Warn("mime-type", "mime_type should be an IANA media type (type/subtype)", "mime_type");
    }
  }
}

void CheckArtifact20(Ctx& ctx, const json::object& o) {
  // STIX 2.0 Part 4 section 2.1: exactly one of payload_bin and url; url
  // needs hashes.
  bool bin = o.contains("payload_bin"), url = o.contains("url");
  if (bin && url) {
    ctx.Error("exclusive", "payload_bin and url must not both be present", "url");
  } else if (!bin && !url) {
    ctx.Error("at-least-one", "one of payload_bin or url must be present", "payload_bin");
  }
  if (url && !o.contains("hashes")) {
    ctx.Error("dependency", "hashes must be present when url is present", "hashes");
  }
  if (ctx.wants_warnings()) {
    if (const json::string* m = StringAt(o, "mime_type"); m && !IsMimeType(*m)) {
      ctx.Warn("mime-type", "mime_type should be an IANA media type (type/subtype)", "mime_type");
    }
  }
}

void CheckMimePart(Ctx& ctx, const json::object& o) {
  // Section 6.6.2: exactly one of body and body_raw_ref.
  bool body = o.contains("body"), raw = o.contains("body_raw_ref");
  if (body && raw) {
    ctx.Error("exclusive", "a MIME part must not have both body and body_raw_ref", "body_raw_ref");
  } else if (!body && !raw) {
    ctx.Error("at-least-one", "a MIME part needs body or body_raw_ref", "body");
  }
}

void CheckEmailMessage(Ctx& ctx, const json::object& o) {
  // Section 6.6: body only when not multipart, body_multipart only when
  // multipart.
  const json::value* mp = o.if_contains("is_multipart");
  if (mp && mp->is_bool()) {
    if (mp->get_bool() && o.contains("body")) {
      ctx.Error("exclusive", "body must not be present when is_multipart is true", "body");
    }
    if (!mp->get_bool() && o.contains("body_multipart")) {
      ctx.Error("exclusive", "body_multipart must not be present when is_multipart is false",
                "body_multipart");
    }
  }
  if (const json::value* h = o.if_contains("additional_header_fields"); h && h->is_object()) {
    PathScope scope(ctx, "additional_header_fields");
    for (const auto& kv : h->get_object()) {
      const json::value& v = kv.value();
      bool ok = v.is_string();
      if (v.is_array()) {
        ok = !v.get_array().empty();
        for (const json::value& e : v.get_array()) ok = ok && e.is_string();
      }
      if (!ok)
        ctx.Error("value-type", "a header value must be a string or a list of strings", kv.key());
    }
  }
}

void CheckFile(Ctx& ctx, const json::object& o) {
  // Section 6.7: at least one of hashes or name.
  if (!o.contains("hashes") && !o.contains("name")) {
    ctx.Error("at-least-one", "a file needs hashes or name");
  }
  if (const json::string* e = StringAt(o, "name_enc"); e && !IsCharsetName(*e)) {
    ctx.Error("format", "name_enc must be an IANA character set name", "name_enc");
  }
  if (ctx.wants_warnings()) {
    if (const json::string* m = StringAt(o, "mime_type"); m && !IsMimeType(*m)) {
      ctx.Warn("mime-type", "mime_type should be an IANA media type (type/subtype)", "mime_type");
    }
  }
}

void CheckFile20(Ctx& ctx, const json::object& o) {
  // STIX 2.0 Part 4 section 2.7: at least one of hashes or name;
  // encryption_algorithm and decryption_key need is_encrypted true.
  CheckFile(ctx, o);
  const json::value* enc = o.if_contains("is_encrypted");
  bool encrypted = enc && enc->is_bool() && enc->get_bool();
  if (!encrypted) {
    for (SV p : {SV("encryption_algorithm"), SV("decryption_key")}) {
      if (o.contains(p)) ctx.Error("dependency", Cat({p, " requires is_encrypted to be true"}), p);
    }
  }
}

void CheckPeBinaryExt(Ctx& ctx, const json::object& o) {
  // Section 6.7.6: at least one property besides pe_type.
  if (ctx.version == Version::k21 && o.size() == 1 && o.contains("pe_type")) {
    ctx.Error("at-least-one", "windows-pebinary-ext needs a property besides pe_type");
  }
}

void CheckPdfExt(Ctx& ctx, const json::object& o) {
  const json::value* d = o.if_contains("document_info_dict");
  if (!d || !d->is_object()) return;
  PathScope scope(ctx, "document_info_dict");
  for (const auto& kv : d->get_object()) {
    if (!kv.value().is_string()) ctx.Error("value-type", "values must be strings", kv.key());
    if (ctx.wants_warnings() && !kPdfDocumentInfoKeys.Contains(kv.key())) {
      ctx.Warn("pdf-info-key",
               Cat({"'", kv.key(), "' is not a PDF Document Information Dictionary key"}),
               kv.key());
    }
  }
}

void CheckRasterImageExt(Ctx& ctx, const json::object& o) {
  const json::value* d = o.if_contains("exif_tags");
  if (!d || !d->is_object()) return;
  PathScope scope(ctx, "exif_tags");
  for (const auto& kv : d->get_object()) {
    const json::value& v = kv.value();
    if (!v.is_string() && !v.is_int64() && !v.is_uint64()) {
      ctx.Error("value-type", "EXIF tag values must be strings or integers", kv.key());
    }
  }
}

void CheckHttpRequestExt(Ctx& ctx, const json::object& o) {
  // Section 6.12.2: each request_header value is a list of strings.
  const json::value* h = o.if_contains("request_header");
  if (!h || !h->is_object()) return;
  PathScope scope(ctx, "request_header");
  for (const auto& kv : h->get_object()) {
    const json::value& v = kv.value();
    bool ok = v.is_array();
    if (ok) {
      for (const json::value& e : v.get_array()) ok = ok && e.is_string();
    }
    if (!ok) ctx.Error("value-type", "a request header value must be a list of strings", kv.key());
    if (ctx.wants_warnings() && !kHttpRequestHeaders.Contains(kv.key())) {
      ctx.Warn("http-request-header", Cat({"'", kv.key(), "' is not a known HTTP request header"}),
               kv.key());
    }
  }
}

void CheckHttpRequestExt20(Ctx& ctx, const json::object& o) {
  // STIX 2.0 Part 4 section 2.12.2: request_header values are strings.
  const json::value* h = o.if_contains("request_header");
  if (!h || !h->is_object()) return;
  PathScope scope(ctx, "request_header");
  for (const auto& kv : h->get_object()) {
    if (!kv.value().is_string()) {
      ctx.Error("value-type", "a request header value must be a string", kv.key());
    }
    if (ctx.wants_warnings() && !kHttpRequestHeaders.Contains(kv.key())) {
      ctx.Warn("http-request-header", Cat({"'", kv.key(), "' is not a known HTTP request header"}),
               kv.key());
    }
  }
}

void CheckSocketExt(Ctx& ctx, const json::object& o) {
  // Section 6.12.4: option values are integers; keys SHOULD carry a socket
  // option prefix (SO_, ICMP_, ICMP6_, IP_, IPV6_, MCAST_, TCP_, IRLMP_).
  const json::value* opts = o.if_contains("options");
  if (!opts || !opts->is_object()) return;
  PathScope scope(ctx, "options");
  for (const auto& kv : opts->get_object()) {
    const json::value& v = kv.value();
    if (ctx.version == Version::k21 && !v.is_int64() && !v.is_uint64()) {
      ctx.Error("value-type", "socket option values must be integers", kv.key());
    }
    if (ctx.wants_warnings()) {
      SV k = kv.key();
      bool prefix = false;
      for (SV p : {"SO_", "ICMP_", "ICMP6_", "IP_", "IPV6_", "MCAST_", "TCP_", "IRLMP_"}) {
        if (k.size() > p.size() && k.substr(0, p.size()) == p) prefix = true;
      }
      bool upper = true;
      for (char c : k)
        upper = upper && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
      if (!prefix || !upper) {
        ctx.Warn("socket-option", Cat({"'", k, "' is not a socket option name"}), k);
      }
    }
  }
}

void CheckNetworkTraffic(Ctx& ctx, const json::object& o) {
  // Section 6.12: end >= start; no end while is_active; src_ref or dst_ref.
  CheckTimestampOrder(ctx, o, "start", "end", false);
  const json::value* active = o.if_contains("is_active");
  if (active && active->is_bool() && active->get_bool() && o.contains("end")) {
    ctx.Error("exclusive", "end must not be present when is_active is true", "end");
  }
  if (!o.contains("src_ref") && !o.contains("dst_ref")) {
    ctx.Error("at-least-one", "network traffic needs src_ref or dst_ref", "src_ref");
  }
  if (const json::value* ip = o.if_contains("ipfix"); ip && ip->is_object()) {
    PathScope scope(ctx, "ipfix");
    for (const auto& kv : ip->get_object()) {
      const json::value& v = kv.value();
      if (!v.is_string() && !v.is_int64() && !v.is_uint64()) {
        ctx.Error("value-type", "IPFIX values must be strings or integers", kv.key());
      }
      // IANA IPFIX information element names are lowerCamelCase.
      SV k = kv.key();
      if (ctx.wants_warnings() && (k.size() < 2 || !(k[0] >= 'a' && k[0] <= 'z'))) {
        ctx.Warn("ipfix", Cat({"'", k, "' is not an IPFIX information element name"}), k);
      }
    }
  }
  if (!ctx.wants_warnings()) return;
  if (!o.contains("src_port") || !o.contains("dst_port")) {
    ctx.Warn("network-traffic-ports", "network traffic should have both src_port and dst_port");
  }
  if (const json::value* p = o.if_contains("protocols"); p && p->is_array()) {
    for (const json::value& e : p->get_array()) {
      if (!e.is_string()) continue;
      SV s = e.get_string();
      bool ok = !s.empty() && s.size() <= 15;
      for (char c : s) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
      if (!ok) {
        ctx.Warn("protocol", Cat({"'", s, "' should be a lowercase IANA service or protocol name"}),
                 "protocols");
      }
    }
  }
}

void CheckWindowsProcessExt(Ctx& ctx, const json::object& o) {
  if (!ctx.wants_warnings()) return;
  if (const json::string* p = StringAt(o, "priority")) {
    SV s = *p;
    if (s.size() <= 6 || s.substr(s.size() - 6) != "_CLASS") {
      ctx.Warn("process-priority", "priority should end in _CLASS", "priority");
    }
  }
}

void CheckProcess(Ctx& ctx, const json::object& o) {
  // Section 6.13: at least one property besides the common ones.
  if (!HasAnyPropertyBut(o, kScoCommon)) {
    ctx.Error("at-least-one", "a process needs at least one property besides the common ones");
  }
}

void CheckNonEmptySco(Ctx& ctx, const json::object& o) {
  // Sections 6.16 and 6.18: at least one property besides the common ones.
  if (!HasAnyPropertyBut(o, kScoCommon)) {
    ctx.Error("at-least-one", "the object needs at least one property besides the common ones");
  }
}

void CheckSoftware(Ctx& ctx, const json::object& o) {
  // Section 6.14: cpe is a CPE 2.3 formatted string; languages are RFC 5646
  // tags (2.1) or ISO 639-2 codes (2.0).
  if (const json::string* c = StringAt(o, "cpe"); c && !IsCpe23(*c)) {
    ctx.Error("format", "cpe must be a CPE 2.3 formatted string", "cpe");
  }
  if (const json::value* l = o.if_contains("languages"); l && l->is_array()) {
    PathScope scope(ctx, "languages");
    size_t i = 0;
    for (const json::value& e : l->get_array()) {
      if (e.is_string()) {
        SV s = e.get_string();
        bool ok = ctx.version == Version::k21
                      ? IsLanguageTag(s)
                      : s.size() == 3 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z' &&
                            s[2] >= 'a' && s[2] <= 'z';
        if (!ok) {
          PathScope idx(ctx, i);
          ctx.Error("format", ctx.version == Version::k21
                                  ? "a language must be an RFC 5646 language tag"
                                  : "a language must be an ISO 639-2 code");
        }
      }
      ++i;
    }
  }
}

void CheckWindowsRegistryKey(Ctx& ctx, const json::object& o) {
  // Section 6.17: at least one property; the hive must be spelled out.
  CheckNonEmptySco(ctx, o);
  CheckWindowsRegistryKey20(ctx, o);
}

void CheckWindowsRegistryKey20(Ctx& ctx, const json::object& o) {
  const json::string* key = StringAt(o, "key");
  if (!key) return;
  SV k = *key;
  SV hive = k.substr(0, k.find('\\'));
  std::string up(hive);
  for (char& c : up) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  for (SV abbr : {"HKLM", "HKCC", "HKCR", "HKCU", "HKU"}) {
    if (up == abbr) {
      ctx.Error("format", "the hive must be spelled out (e.g. HKEY_LOCAL_MACHINE, not HKLM)",
                "key");
    }
  }
}

void CheckScoValue(Ctx& ctx, const json::object& o) {
  // Per-type value syntax (sections 6.3-6.11).
  const json::string* type = StringAt(o, "type");
  if (!type) return;
  SV t = *type;
  if (t == "directory") {
    if (const json::string* e = StringAt(o, "path_enc"); e && !IsCharsetName(*e)) {
      ctx.Error("format", "path_enc must be an IANA character set name", "path_enc");
    }
    return;
  }
  const json::string* value = StringAt(o, "value");
  if (!value) return;
  SV v = *value;
  bool ok = true;
  SV what;
  if (t == "ipv4-addr") {
    ok = IsIpv4Value(v);
    what = "an IPv4 address or CIDR block";
  } else if (t == "ipv6-addr") {
    ok = IsIpv6Value(v);
    what = "an IPv6 address or CIDR block";
  } else if (t == "mac-addr") {
    ok = IsMacAddress(v);
    what = "a lowercase, colon-delimited MAC address";
  } else if (t == "domain-name") {
    ok = IsDomainName(v);
    what = "a domain name";
  } else if (t == "email-addr") {
    ok = IsEmailAddress(v);
    what = "an email address";
  }
  if (!ok) ctx.Error("format", Cat({"value must be ", what}), "value");
}

}  // namespace kizuna::stix::internal
