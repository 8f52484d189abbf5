#pragma once
// STIX 2.1 objects: validation of one object and extraction of the metadata
// the store indexes. Objects are handled as Boost.JSON DOMs; the bytes the
// producer sent are kept separately by the caller (objects are stored verbatim).
//
// Thread-safe: every function here is a pure function of its arguments.

#include <boost/json/fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace kizuna::stix {

// One finding of the validator. Errors make an object invalid; warnings
// (open vocabularies, SHOULD rules) do not.
struct Diagnostic {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  std::string object_id;  // "" when the object has no usable id
  std::string property;   // JSON path within the object, e.g. "external_references[0].source_name"
  std::string rule;       // short rule name, e.g. "required", "timestamp-order", "vocabulary"
  std::string message;    // one sentence a person understands

  // "indicator--...: property 'valid_until': must be later than valid_from (timestamp-order)"
  std::string ToString() const;
};

struct ValidateOptions {
  // Used when an object has no spec_version (STIX 2.0 objects, or 2.1 SCOs in
  // a 2.1 bundle). "2.1" or "2.0".
  std::string default_spec_version = "2.1";
  // Reject custom properties and objects that break the naming rules
  // (STIX 2.1 section 11) rather than only warn.
  bool strict_custom_names = true;
};

// What the store indexes about one object version.
struct ObjectInfo {
  std::string id;
  std::string type;
  std::string spec_version;     // "2.1" or "2.0"
  std::optional<Timestamp> created;
  std::optional<Timestamp> modified;
  bool revoked = false;
  std::string created_by_ref;   // "" if absent
  std::vector<std::string> object_marking_refs;
  bool is_sco = false;
  bool is_sdo = false;
  bool is_sro = false;
  bool is_custom = false;       // a custom object type (x-...)
};

// Validates one STIX object against the STIX 2.1 (or 2.0) rules: common
// properties, the type's required properties and value constraints, custom
// content rules, extensions. Appends every finding to *diagnostics (errors
// and warnings) when diagnostics is non-null.
// Returns the extracted ObjectInfo when the object has no errors, else
// InvalidArgument whose message is the first error's ToString().
Result<ObjectInfo> ValidateObject(const boost::json::object& object, const ValidateOptions& options,
                                  std::vector<Diagnostic>* diagnostics);

// True for the types defined by STIX 2.1 (SDO, SRO, SCO, meta objects).
bool IsSpecType(std::string_view type);
bool IsScoType(std::string_view type);

// The deterministic id of a cyber-observable (STIX 2.1 section 2.9):
// "type--" + UUIDv5(kStixScoNamespace, JCS of the ID-contributing properties).
// nullopt when the object is not an SCO or has none of its contributing
// properties (then a v4 id is correct).
std::optional<std::string> DeterministicScoId(const boost::json::object& object);

// RFC 8785 JSON Canonicalization Scheme serialization.
std::string CanonicalJson(const boost::json::value& value);

}  // namespace kizuna::stix
