#pragma once
// STIX 2.1 objects: validation of one object and extraction of the metadata
// the store indexes. Objects are handled as Boost.JSON DOMs; the bytes the
// producer sent are kept separately by the caller (objects are stored verbatim).
//
// Thread-safe: every function here is a pure function of its arguments (the
// pattern checker in ValidateOptions, when set, must be thread-safe too).

#include <boost/json/fwd.hpp>
#include <boost/json/storage_ptr.hpp>
#include <functional>
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
  std::string rule;       // short rule name, e.g. "required", "timestamp-order", "malware-type-ov"
  std::string message;    // one sentence a person understands

  // "indicator--...: property 'valid_until': must be later than valid_from (timestamp-order)"
  std::string ToString() const;
};

struct ValidateOptions {
  // The STIX version of an object without spec_version. Empty (the default)
  // applies the STIX 2.1 rule (section 3.2, spec_version): such an object is
  // a STIX 2.0 object, except an SCO (or a custom object without created and
  // modified), which is a 2.1 SCO. "2.1" treats every such object as 2.1 (so a
  // missing spec_version is an error for SDOs); "2.0" treats them all as 2.0.
  // An explicit spec_version always wins.
  std::string default_spec_version;
  // Custom property and object names that break the naming MUSTs (STIX 2.1
  // section 11, e.g. "x-Foo" or "my.prop") are errors; when false, warnings.
  bool strict_custom_names = true;
  // Custom object types (not defined by the object's STIX version) are
  // accepted; when false they are errors.
  bool allow_custom_objects = true;
  // Properties a type does not define are accepted as custom properties;
  // when false they are errors.
  bool allow_custom_properties = true;
  // Optional STIX Patterning check for indicators with pattern_type "stix"
  // (every 2.0 indicator). Receives the pattern and its version ("2.1",
  // "2.0" or the pattern_version property); a non-OK Status becomes a
  // "pattern" error carrying its message. Unset: patterns are only checked to
  // be strings. src/pattern provides the checker; this layer does not link it.
  std::function<Status(std::string_view pattern, std::string_view version)> stix_pattern_checker;
};

// What the store indexes about one object version.
struct ObjectInfo {
  std::string id;
  std::string type;
  std::string spec_version;  // "2.1" or "2.0"
  std::optional<Timestamp> created;
  std::optional<Timestamp> modified;
  bool revoked = false;
  std::string created_by_ref;  // "" if absent
  std::vector<std::string> object_marking_refs;
  bool has_granular_markings = false;
  bool is_sco = false;
  bool is_sdo = false;
  bool is_sro = false;
  bool is_meta = false;    // marking-definition, language-content, extension-definition
  bool is_custom = false;  // a custom object type (x-...)
};

// Validates one STIX object against the STIX 2.1 (or 2.0) rules: common
// properties, the type's required properties and value constraints, custom
// content rules, extensions. Appends every finding to *diagnostics (errors
// and warnings) when diagnostics is non-null; with a null diagnostics no
// warning is even computed.
// Returns the extracted ObjectInfo when the object has no errors, else
// InvalidArgument whose message is the first error's ToString().
Result<ObjectInfo> ValidateObject(const boost::json::object& object, const ValidateOptions& options,
                                  std::vector<Diagnostic>* diagnostics);

// Parses `json` (one object's bytes, e.g. a RawObject from SplitObjects) and
// validates it. The DOM lives in a stack buffer while this runs (about 20 KB
// of stack in all): typical objects cost no heap allocation for parsing.
// InvalidArgument for malformed JSON (see ParseJson) or an invalid object.
Result<ObjectInfo> ValidateObjectJson(std::string_view json, const ValidateOptions& options,
                                      std::vector<Diagnostic>* diagnostics);

// Parses one JSON text. Stricter than boost::json::parse: duplicate member
// names in any object are rejected (STIX 2.1 section 1.2.10 serializes as
// I-JSON, RFC 7493, whose section 2.3 forbids them; and two readers of one
// object must never see two different values), as is nesting deeper than
// kMaxDepth (stix/bundle.h). InvalidArgument with the reason and byte offset.
Result<boost::json::value> ParseJson(std::string_view json, boost::json::storage_ptr sp = {});

// Validates a bundle (STIX 2.1 section 8; 2.0 Part 1 section 5): its type,
// id, spec_version (2.0 bundles) and every element of "objects" with
// ValidateObject (objects inherit a 2.0 bundle's version). Warns about two
// objects with the same id and modified. OK when the bundle and all its
// objects are valid; else InvalidArgument with the first error.
Status ValidateBundle(const boost::json::object& bundle, const ValidateOptions& options,
                      std::vector<Diagnostic>* diagnostics);

// True for the types defined by STIX 2.1 (SDO, SRO, SCO, meta objects).
bool IsSpecType(std::string_view type);
bool IsScoType(std::string_view type);

// The deterministic id of a cyber-observable (STIX 2.1 section 2.9):
// "type--" + UUIDv5(kStixScoNamespace, JCS of the ID-contributing properties).
// Of a hashes property only one hash contributes, the first present of MD5,
// SHA-1, SHA-256, SHA-512, else the first name in JCS order.
// nullopt when the object is not an SCO with ID contributing properties, or
// has none of them (then a v4 id is correct).
std::optional<std::string> DeterministicScoId(const boost::json::object& object);

// RFC 8785 JSON Canonicalization Scheme serialization. Numbers use the
// ECMAScript shortest round-trip form; strings are escaped as RFC 8785
// section 3.2.2.2 requires; members are sorted by their UTF-16 code units.
std::string CanonicalJson(const boost::json::value& value);

}  // namespace kizuna::stix
