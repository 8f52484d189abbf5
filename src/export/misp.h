#pragma once
// MISP event JSON -> STIX 2.1 (the `kizuna import --format misp` path).
//
// Input: {"Event": {...}}, {"response": [{"Event": ...}, ...]}, a list of
// those, or a bare event object. For each event:
//  - the creator organization (Orgc) becomes an identity, the
//    created_by_ref of everything else;
//  - the event becomes a report (published) or a grouping (not published,
//    context "suspicious-activity") naming every object made from it;
//  - an attribute with to_ids becomes an indicator (id from the attribute's
//    uuid, pattern from its type and value); one without to_ids becomes the
//    cyber-observable it describes; vulnerability attributes become
//    vulnerability objects; link attributes become external references of
//    the report; attributes inside MISP objects are read the same way;
//  - tlp: tags become TLP 2.0 marking references (event tags apply to all,
//    the strictest wins); other tags become labels. Tag names are compared
//    in any letter case after stix::TrimMarkingText. A tag that begins with
//    "tlp:" but names no TLP 2.0 or 1.0 level (tlp:ex:chr, tlp:unclear, a
//    typo) would be neither enforced nor may it travel on as a label that
//    looks like TLP: its attribute (an event tag: the whole event) is not
//    converted, and MispImportStats::refused says why (rule tlp-lookalike).
// Attribute types without a STIX form are counted and skipped.
// Pure function; thread-safe.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace kizuna::exports {

struct MispImportStats {
  int64_t events = 0;
  int64_t attributes = 0;
  int64_t indicators = 0;
  int64_t observables = 0;
  std::map<std::string, int64_t> skipped;  // by MISP attribute type
  // Events and attributes not converted, one sentence each ending in
  // "(rule)", e.g. "MISP attribute <uuid>: tag ... (tlp-lookalike)".
  std::vector<std::string> refused;
};

// Returns the STIX objects (JSON texts). InvalidArgument when the input is
// not JSON or holds no event.
Result<std::vector<std::string>> MispToStix(std::string_view json, MispImportStats* stats);

}  // namespace kizuna::exports
