#pragma once
// Internal to src/stix: the table-driven description of every STIX 2.1 and
// 2.0 object type (its properties, their value kinds, required properties,
// reference targets, vocabularies, predefined extensions) and the validation
// context the engine in validate.cc walks them with.
//
// The tables are static constexpr data (spec21.cc, spec20.cc); the context is
// per call and single-threaded.

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stix/object.h"
#include "stix/vocab.h"

namespace kizuna::stix::internal {

enum class Version : uint8_t { k20, k21 };

enum class Category : uint8_t { kSdo, kSro, kSco, kMeta, kBundle, kCustom };

// Value kinds. Lists are JSON arrays with at least one element unless
// kAllowEmpty is set (STIX 2.1 section 2.12: an empty list is not allowed
// where the property is present).
enum class Kind : uint8_t {
  kAny,
  kString,
  kBoolean,
  kInteger,    // JSON integer (or a float with no fractional part), in [min, max]
  kNumber,     // any JSON number, in [min, max]
  kTimestamp,  // RFC 3339 UTC timestamp (STIX 2.1 section 2.16)
  kRef,        // identifier (or, inside an observable container, an object key)
  kRefList,
  kStringList,
  kHashes,      // hashes type (section 2.7)
  kDictionary,  // dictionary (section 2.3)
  kHex,
  kBinary,  // base64 (section 2.1)
  kUrl,
  kEnum,  // closed vocabulary: a value outside it is an error
  kEnumList,
  kOpenVocab,  // open vocabulary: a value outside it is a warning
  kOpenVocabList,
  kKillChainPhases,
  kObject,  // a nested object described by `nested`
  kObjectList,
};

// Property flags.
inline constexpr uint16_t kRequired = 1 << 0;
inline constexpr uint16_t kAllowEmpty = 1 << 1;      // a list may be empty
inline constexpr uint16_t kDeprecated = 1 << 2;      // warn when present
inline constexpr uint16_t kTsSecondsOnly = 1 << 3;   // timestamp without a fraction
inline constexpr uint16_t kLowerKeys = 1 << 4;       // hashes/dictionary keys SHOULD be lowercase
inline constexpr uint16_t kNoKeyCheck = 1 << 5;      // dictionary keys unrestricted
inline constexpr uint16_t kIdContributing = 1 << 6;  // SCO ID contributing property
inline constexpr uint16_t kLanguageTag = 1 << 7;     // string holding an RFC 5646 tag

// Reference target categories.
inline constexpr uint8_t kRefSdo = 1 << 0;
inline constexpr uint8_t kRefSro = 1 << 1;
inline constexpr uint8_t kRefSco = 1 << 2;
inline constexpr uint8_t kRefMeta = 1 << 3;    // marking-definition, language-content, ext-def
inline constexpr uint8_t kRefCustom = 1 << 4;  // custom (x-...) types
inline constexpr uint8_t kRefAny = 0xff;

struct RefTarget {
  std::span<const std::string_view> types;  // explicit types allowed
  uint8_t categories = 0;                   // plus whole categories
  std::string_view description;             // "an identity", "an SDO or SCO"
};

struct ObjectSpec;

struct PropSpec {
  std::string_view name;
  Kind kind = Kind::kAny;
  uint16_t flags = 0;
  const Vocab* vocab = nullptr;        // kEnum*, kOpenVocab*, kHashes (algorithm vocabulary)
  const RefTarget* ref = nullptr;      // kRef, kRefList
  const ObjectSpec* nested = nullptr;  // kObject, kObjectList
  int64_t min = std::numeric_limits<int64_t>::min();
  int64_t max = std::numeric_limits<int64_t>::max();
  std::string_view warn_rule = {};  // rule name for open-vocabulary warnings
};

// Builders for the constexpr tables of spec21.cc and spec20.cc.
namespace build {

constexpr PropSpec P(std::string_view name, Kind kind, uint16_t flags = 0) {
  PropSpec p;
  p.name = name;
  p.kind = kind;
  p.flags = flags;
  return p;
}
constexpr PropSpec Str(std::string_view n, uint16_t f = 0) { return P(n, Kind::kString, f); }
constexpr PropSpec Bool(std::string_view n, uint16_t f = 0) { return P(n, Kind::kBoolean, f); }
constexpr PropSpec Ts(std::string_view n, uint16_t f = 0) { return P(n, Kind::kTimestamp, f); }
constexpr PropSpec Strs(std::string_view n, uint16_t f = 0) { return P(n, Kind::kStringList, f); }
constexpr PropSpec Hex(std::string_view n, uint16_t f = 0) { return P(n, Kind::kHex, f); }
constexpr PropSpec Url(std::string_view n, uint16_t f = 0) { return P(n, Kind::kUrl, f); }
constexpr PropSpec Dict(std::string_view n, uint16_t f = 0) { return P(n, Kind::kDictionary, f); }
constexpr PropSpec Int(std::string_view n, int64_t lo = std::numeric_limits<int64_t>::min(),
                       int64_t hi = std::numeric_limits<int64_t>::max(), uint16_t f = 0) {
  PropSpec p = P(n, Kind::kInteger, f);
  p.min = lo;
  p.max = hi;
  return p;
}
constexpr PropSpec Num(std::string_view n, int64_t lo, int64_t hi) {
  PropSpec p = P(n, Kind::kNumber);
  p.min = lo;
  p.max = hi;
  return p;
}
constexpr PropSpec Ref(std::string_view n, const RefTarget& t, uint16_t f = 0) {
  PropSpec p = P(n, Kind::kRef, f);
  p.ref = &t;
  return p;
}
constexpr PropSpec Refs(std::string_view n, const RefTarget& t, uint16_t f = 0) {
  PropSpec p = P(n, Kind::kRefList, f);
  p.ref = &t;
  return p;
}
constexpr PropSpec Ov(std::string_view n, const Vocab& v, uint16_t f = 0) {
  PropSpec p = P(n, Kind::kOpenVocab, f);
  p.vocab = &v;
  return p;
}
constexpr PropSpec Ovs(std::string_view n, const Vocab& v, uint16_t f = 0) {
  PropSpec p = P(n, Kind::kOpenVocabList, f);
  p.vocab = &v;
  return p;
}
constexpr PropSpec En(std::string_view n, const Vocab& v, uint16_t f = 0) {
  PropSpec p = P(n, Kind::kEnum, f);
  p.vocab = &v;
  return p;
}
constexpr PropSpec Ens(std::string_view n, const Vocab& v, uint16_t f = 0) {
  PropSpec p = P(n, Kind::kEnumList, f);
  p.vocab = &v;
  return p;
}
constexpr PropSpec Hashes(std::string_view n, uint16_t f = 0) { return P(n, Kind::kHashes, f); }
constexpr PropSpec Obj(std::string_view n, const ObjectSpec& s, uint16_t f = 0) {
  PropSpec p = P(n, Kind::kObject, f);
  p.nested = &s;
  return p;
}
constexpr PropSpec Objs(std::string_view n, const ObjectSpec& s, uint16_t f = 0) {
  PropSpec p = P(n, Kind::kObjectList, f);
  p.nested = &s;
  return p;
}
constexpr PropSpec Kcp(std::string_view n) { return P(n, Kind::kKillChainPhases); }
constexpr PropSpec Req(PropSpec p) {
  p.flags |= kRequired;
  return p;
}
constexpr PropSpec Idc(PropSpec p) {
  p.flags |= kIdContributing;
  return p;
}

}  // namespace build

class Ctx;
using CheckFn = void (*)(Ctx& ctx, const boost::json::object& object);

// An object shape: a type body, an extension, or an embedded type such as a
// kill chain phase or an email MIME part.
struct ObjectSpec {
  std::string_view name;
  std::span<const PropSpec> props;
  CheckFn check = nullptr;    // cross-property rules, run after the properties
  bool closed = false;        // unknown properties are errors (else: custom properties)
  bool at_least_one = false;  // at least one of `props` must be present
};

struct ExtensionSpec {
  std::string_view name;  // e.g. "ntfs-ext"
  const ObjectSpec* spec;
};

struct TypeSpec {
  std::string_view type;
  Category category;
  const ObjectSpec* body;
  std::span<const ExtensionSpec> extensions;  // predefined extensions (SCOs)
  const ObjectSpec* common = nullptr;         // common properties; nullptr: the category's
  bool extensions_contribute = false;         // "extensions" is an ID contributing property
};

// The type tables. FindType returns nullptr for a type the version does not
// define as a top-level object (a custom type, a 2.1 type in 2.0 content, or
// a 2.0 cyber observable, which only lives in an observed-data container).
const TypeSpec* FindType(Version version, std::string_view type);
const TypeSpec* FindType21(std::string_view type);
const TypeSpec* FindType20(std::string_view type);
// STIX 2.0 cyber observables (Part 4), for observed-data containers.
const TypeSpec* FindObservable20(std::string_view type);
// Category of a type name for reference checks: spec types of either version,
// else kCustom.
Category CategoryOf(std::string_view type);
// True when `type` is an SCO type of STIX 2.1 (section 6).
bool IsScoType21(std::string_view type);

// The Incident Core suite (incident_core.cc): its new SDO types (event,
// task, impact; nullptr for others), and the check of an extension whose key
// is one of its extension-definition ids (false: not one of them).
const TypeSpec* FindIncidentCoreType(std::string_view type);
bool CheckDefinedExtension(Ctx& ctx, std::string_view type, std::string_view id,
                           const boost::json::object& ext);

// Common properties (STIX 2.1 section 3.2; 2.0 Part 1 section 3.1).
extern const ObjectSpec kCommonSdo21;  // SDO, SRO, language-content
extern const ObjectSpec kCommonSco21;
extern const ObjectSpec kCommonSdo20;
extern const ObjectSpec kExternalReference21;
extern const ObjectSpec kExternalReference20;
extern const ObjectSpec kGranularMarking21;
extern const ObjectSpec kGranularMarking20;

// ---------------------------------------------------------------------------
// The validation context.

struct PathSegment {
  std::string_view name;  // empty for a list index
  size_t index = 0;
};

class Ctx {
 public:
  Ctx(const ValidateOptions& options, std::vector<Diagnostic>* out)
      : options_(options), out_(out) {}

  const ValidateOptions& options() const { return options_; }
  bool collecting() const { return out_ != nullptr; }
  int error_count() const { return errors_; }
  const Diagnostic& first_error() const { return first_error_; }

  std::string_view object_id;  // for messages; "" when unknown
  Version version = Version::k21;
  // Inside an observable container (observed-data "objects"): references are
  // keys of this object rather than identifiers.
  const boost::json::object* container = nullptr;
  // Validating a cyber observable (some SDO-level SHOULD checks do not apply).
  bool in_observable = false;

  // Reports at the current path, or at the current path plus `child`.
  void Error(std::string_view rule, std::string message, std::string_view child = {});
  void Warn(std::string_view rule, std::string message, std::string_view child = {});
  // Warnings cost nothing when nobody collects them: callers test this first
  // before building a message.
  bool wants_warnings() const { return out_ != nullptr; }

  void Push(std::string_view name) { Push(PathSegment{name, 0}); }
  void PushIndex(size_t index) { Push(PathSegment{{}, index}); }
  void Pop() {
    if (depth_ > 0) --depth_;
  }
  std::string PathString(std::string_view child = {}) const;

  // Timestamps parsed while checking values, so that order checks and the
  // extracted metadata do not parse them again.
  void RememberTimestamp(const boost::json::value* v, const Timestamp& t) {
    if (ts_count_ < kTsCache) ts_cache_[ts_count_++] = TsEntry{v, t};
  }
  const Timestamp* RememberedTimestamp(const boost::json::value* v) const {
    for (size_t i = 0; i < ts_count_; ++i) {
      if (ts_cache_[i].value == v) return &ts_cache_[i].ts;
    }
    return nullptr;
  }

 private:
  struct TsEntry {
    const boost::json::value* value;
    Timestamp ts;
  };
  static constexpr size_t kTsCache = 12;
  TsEntry ts_cache_[kTsCache];
  size_t ts_count_ = 0;

  void Push(PathSegment s) {
    if (depth_ < kMaxPath) path_[depth_] = s;
    ++depth_;
  }
  void Report(Diagnostic::Severity sev, std::string_view rule, std::string message,
              std::string_view child);

  static constexpr size_t kMaxPath = 80;
  const ValidateOptions& options_;
  std::vector<Diagnostic>* out_;
  int errors_ = 0;
  Diagnostic first_error_;
  PathSegment path_[kMaxPath];
  size_t depth_ = 0;
};

// RAII path segment.
class PathScope {
 public:
  PathScope(Ctx& ctx, std::string_view name) : ctx_(ctx) { ctx_.Push(name); }
  PathScope(Ctx& ctx, size_t index) : ctx_(ctx) { ctx_.PushIndex(index); }
  ~PathScope() { ctx_.Pop(); }
  PathScope(const PathScope&) = delete;
  PathScope& operator=(const PathScope&) = delete;

 private:
  Ctx& ctx_;
};

// Concatenates string-like pieces (for messages, built only on report paths).
std::string Cat(std::initializer_list<std::string_view> parts);
// A JSON value rendered for a message, truncated.
std::string Show(const boost::json::value& v);

// ---------------------------------------------------------------------------
// Engine entry points shared between validate.cc and the type checks.

// Validates `value` against `prop` at the current path (the caller pushed the
// property name).
void CheckValue(Ctx& ctx, const PropSpec& prop, const boost::json::value& value);
// Validates the members of `object` against `spec`; unknown members are custom
// properties (or errors when the spec is closed).
void CheckObject(Ctx& ctx, const ObjectSpec& spec, const boost::json::object& object);
// Validates the extensions dictionary of an object of type `type_spec`.
void CheckExtensions(Ctx& ctx, const TypeSpec* type_spec, std::string_view type,
                     const boost::json::value& value);
// Validates one observable (2.0 style, or the deprecated 2.1 container) held
// in an observed-data "objects" dictionary.
void CheckContainedObservable(Ctx& ctx, const boost::json::object& observable);
// Name checks for a custom property (STIX 2.1 section 11.1; 2.0 Part 1 7.1).
void CheckCustomPropertyName(Ctx& ctx, std::string_view name, bool toplevel_extension, bool in_sco);

// Syntax helpers (true when valid).
bool IsTypeName(Version v, std::string_view type);
bool IsIdentifier(Version v, std::string_view id, std::string_view* type_part);
bool IsPropertyName21(std::string_view name);  // ^[a-z][a-z0-9_]{2,249}$
bool IsPropertyName20(std::string_view name);  // ^[a-z0-9_]{3,250}$
bool IsLanguageTag(std::string_view tag);      // RFC 5646 syntax
bool IsUrl(std::string_view url);              // RFC 3986 URI syntax
bool IsBase64(std::string_view s);
bool IsHexString(std::string_view s);
bool IsLowerHyphenated(std::string_view s);  // open vocabulary value style
bool IsIpv4Value(std::string_view s);        // dotted quad, optional /0-32
bool IsIpv6Value(std::string_view s);        // RFC 4291 text, optional /0-128
bool IsMacAddress(std::string_view s);       // colon-delimited lowercase (section 6.10)
bool IsDomainName(std::string_view s);       // RFC 1034 / 5890 labels
bool IsEmailAddress(std::string_view s);     // RFC 5322 addr-spec (simplified)
bool IsCpe23(std::string_view s);            // CPE 2.3 formatted string
bool IsCharsetName(std::string_view s);      // IANA character set name syntax
bool IsMimeType(std::string_view s);         // type/subtype with a registered top-level type
// Timestamp check: valid RFC 3339 UTC; sets *out. `what` for messages.
bool CheckTimestampValue(Ctx& ctx, const boost::json::value& v, Timestamp* out, uint16_t flags);
// The parsed value of a timestamp property, or nullopt. The Ctx overload
// reuses what CheckTimestampValue parsed.
std::optional<Timestamp> TimestampOf(const boost::json::object& o, std::string_view key);
std::optional<Timestamp> TimestampOf(const Ctx& ctx, const boost::json::object& o,
                                     std::string_view key);
// Checks later >= earlier (or > when strict) for two timestamp properties.
void CheckTimestampOrder(Ctx& ctx, const boost::json::object& o, std::string_view earlier,
                         std::string_view later, bool strict);

// Type-specific cross-property checks (checks.cc). Each runs after the
// object's properties were checked one by one.
void CheckArtifact(Ctx& ctx, const boost::json::object& o);
void CheckArtifact20(Ctx& ctx, const boost::json::object& o);
void CheckEmailMessage(Ctx& ctx, const boost::json::object& o);
void CheckExtensionDefinition(Ctx& ctx, const boost::json::object& o);
void CheckExternalReference(Ctx& ctx, const boost::json::object& o);
void CheckFile(Ctx& ctx, const boost::json::object& o);
void CheckFile20(Ctx& ctx, const boost::json::object& o);
void CheckGranularMarking21(Ctx& ctx, const boost::json::object& o);
void CheckHttpRequestExt(Ctx& ctx, const boost::json::object& o);
void CheckHttpRequestExt20(Ctx& ctx, const boost::json::object& o);
void CheckIndicator(Ctx& ctx, const boost::json::object& o);
void CheckLanguageContent(Ctx& ctx, const boost::json::object& o);
void CheckLocation(Ctx& ctx, const boost::json::object& o);
void CheckMalware(Ctx& ctx, const boost::json::object& o);
void CheckMalwareAnalysis(Ctx& ctx, const boost::json::object& o);
void CheckMarkingDefinition(Ctx& ctx, const boost::json::object& o);
void CheckMimePart(Ctx& ctx, const boost::json::object& o);
void CheckNetworkTraffic(Ctx& ctx, const boost::json::object& o);
void CheckNonEmptySco(Ctx& ctx, const boost::json::object& o);
void CheckObservedData(Ctx& ctx, const boost::json::object& o);
void CheckObservedData20(Ctx& ctx, const boost::json::object& o);
void CheckPdfExt(Ctx& ctx, const boost::json::object& o);
void CheckPeBinaryExt(Ctx& ctx, const boost::json::object& o);
void CheckProcess(Ctx& ctx, const boost::json::object& o);
void CheckRasterImageExt(Ctx& ctx, const boost::json::object& o);
void CheckRelationship(Ctx& ctx, const boost::json::object& o);
void CheckScoValue(Ctx& ctx, const boost::json::object& o);
void CheckSeen(Ctx& ctx, const boost::json::object& o);
void CheckSocketExt(Ctx& ctx, const boost::json::object& o);
void CheckSoftware(Ctx& ctx, const boost::json::object& o);
void CheckWindowsProcessExt(Ctx& ctx, const boost::json::object& o);
void CheckWindowsRegistryKey(Ctx& ctx, const boost::json::object& o);
void CheckWindowsRegistryKey20(Ctx& ctx, const boost::json::object& o);

}  // namespace kizuna::stix::internal
