#pragma once
// The STIX Cyber-observable Object (SCO) definitions the validator checks
// object paths against: type names, their properties and property types
// (STIX 2.1 §6, and the STIX 2.0 Part 4 names that 2.1 renamed or dropped).
// Static data; thread-safe.

#include <span>
#include <string_view>

#include "pattern/ast.h"

namespace kizuna::pattern {

enum class PropertyType : uint8_t {
  kString,
  kInteger,
  kFloat,
  kBoolean,
  kTimestamp,
  kBinary,      // *_bin: base64 in JSON, bytes to the evaluator
  kHex,         // *_hex: hex in JSON, bytes to the evaluator
  kHashes,      // dictionary of hash-algorithm -> hex string
  kDictionary,  // free-form keys
  kStringList,
  kRef,         // *_ref
  kRefList,     // *_refs
  kObject,      // nested object with its own known properties (not checked deeper)
  kObjectList,  // list of nested objects
  kExtensions,  // the extensions dictionary
};

struct PropertyDef {
  std::string_view name;
  PropertyType type;
};

struct ScoDef {
  std::string_view type;
  std::span<const PropertyDef> properties;  // the type's own properties
  bool v21_only;                            // defined by STIX 2.1 only
};

// The definition of a predefined SCO type, or null for an unknown type.
const ScoDef* FindSco(std::string_view type, SpecVersion version);

// The property `name` of `sco` (including the common properties every SCO
// has: type, id, spec_version, object_marking_refs, granular_markings,
// defanged, extensions), or null.
const PropertyDef* FindProperty(const ScoDef& sco, std::string_view name, SpecVersion version);

// Properties of a predefined extension (e.g. "ntfs-ext" of file), or an
// empty span when the extension is unknown.
std::span<const PropertyDef> FindExtension(std::string_view sco_type, std::string_view ext);

// Names of the hash algorithms whose value format is fixed (STIX 2.1
// §10.2 hash-algorithm-ov), with the number of hex digits (0 = not hex).
struct HashFormat {
  std::string_view name;  // canonical, e.g. "SHA-256"
  int hex_digits;         // 32, 40, 64, ...; 0 for SSDEEP/TLSH style values
};
// Looks up a hash-dictionary key case-insensitively, ignoring '-' and '_'
// ("sha256", "SHA-256" and "Sha_256" all find SHA-256). Null when unknown.
const HashFormat* FindHashFormat(std::string_view key);

}  // namespace kizuna::pattern
