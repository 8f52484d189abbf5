#pragma once
// TLP data markings: the OASIS TLP 2.0 marking-definition objects the hub
// serves, recognition of the TLP 1.0 marking ids of STIX 2.1 section 7.2.1.4,
// the strictest-wins rule over an object's marking references, helpers to
// read an object's markings, and the recognition of marking definitions that
// imitate TLP under another id (TLP look-alikes, docs/policy.md).
//
// All functions are pure; all data is static. Thread-safe.

#include <boost/json/fwd.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace kizuna::stix {

// TLP levels, ordered from the least to the most restrictive, so that the
// strictest of several levels is their maximum. kNone: no TLP marking.
enum class Tlp : uint8_t { kNone, kClear, kGreen, kAmber, kAmberStrict, kRed };

// TLP 2.0 marking-definition ids published by OASIS (cti-stix-common-objects,
// extension-definition-specifications/tlp-2.0).
inline constexpr std::string_view kTlpClearId =
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
inline constexpr std::string_view kTlpGreenId =
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
inline constexpr std::string_view kTlpAmberId =
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
inline constexpr std::string_view kTlpAmberStrictId =
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003";
inline constexpr std::string_view kTlpRedId =
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
// The extension definition the TLP 2.0 marking definitions use.
inline constexpr std::string_view kTlp2ExtensionId =
    "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

// TLP 1.0 marking-definition ids (STIX 2.1 section 7.2.1.4; the same ids in
// STIX 2.0 Part 1 section 4.1.4).
inline constexpr std::string_view kTlp1WhiteId =
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9";
inline constexpr std::string_view kTlp1GreenId =
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
inline constexpr std::string_view kTlp1AmberId =
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";
inline constexpr std::string_view kTlp1RedId =
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed";

// One published TLP 2.0 marking-definition object.
struct TlpMarkingDefinition {
  Tlp level;
  std::string_view id;
  std::string_view name;  // "TLP:AMBER+STRICT"
  std::string_view json;  // the object as OASIS publishes it, compact JSON
};

// The five TLP 2.0 marking definitions, CLEAR to RED.
std::span<const TlpMarkingDefinition> Tlp2MarkingDefinitions();
// The published object for a level; nullptr for kNone.
const TlpMarkingDefinition* Tlp2MarkingDefinition(Tlp level);

// "TLP:CLEAR" ... "TLP:RED"; "" for kNone.
std::string_view TlpName(Tlp level);

// A level from its TLP 2.0 name, case-insensitive, with or without "TLP:"
// ("clear", "TLP:GREEN", "amber+strict"; "white" is CLEAR); kNone otherwise.
Tlp TlpOfLevelName(std::string_view name);

// The TLP level a marking reference means: the TLP 2.0 ids map to their level;
// the TLP 1.0 ids map to their TLP 2.0 meaning (WHITE is CLEAR; GREEN, AMBER
// and RED keep their names, TLP 1.0 AMBER allowing sharing with clients as
// TLP 2.0 AMBER does). kNone for any other reference.
Tlp TlpOfMarkingRef(std::string_view marking_ref);

// Strictest wins: the most restrictive TLP level among `marking_refs`; kNone
// when none of them is a TLP marking.
Tlp StrictestTlp(std::span<const std::string> marking_refs);
Tlp StrictestTlp(std::span<const std::string_view> marking_refs);

// True for the ids above.
bool IsTlp2MarkingId(std::string_view id);
bool IsTlp1MarkingId(std::string_view id);

// The object's object_marking_refs (strings only, in order); empty when absent
// or malformed (ValidateObject reports malformed markings).
std::vector<std::string> ObjectMarkingRefs(const boost::json::object& object);
// The strictest TLP level among the object's object_marking_refs.
Tlp ObjectTlp(const boost::json::object& object);
// True when the object has a non-empty granular_markings list.
bool HasGranularMarkings(const boost::json::object& object);

// One marking reference of an object: object_marking_refs[index] or
// granular_markings[index].marking_ref. `id` points into the object.
struct MarkingReference {
  std::string_view id;
  bool granular = false;
  size_t index = 0;
  // "object_marking_refs[2]", "granular_markings[0].marking_ref"
  std::string Property() const;
};
// Every marking reference of the object (strings only, in order: the object
// markings, then the granular ones).
std::vector<MarkingReference> MarkingReferences(const boost::json::object& object);

// How a marking definition imitates TLP (see FindTlpLookalike).
struct TlpLookalike {
  std::string property;  // the property that imitates TLP: "definition_type", "name", ...
  std::string form;      // which form, in words; never the object's own text
  // "imitates TLP under an id that is not an OASIS TLP marking definition
  // (<form>); ..." (the sentence of a diagnostic).
  std::string Message() const;
};

// A marking definition that imitates TLP under an id other than the nine
// OASIS ones (the TLP 2.0 and TLP 1.0 ids above, in any letter case): any
// of, checked in this order,
//  - definition_type equal to "tlp" in any letter case;
//  - a name beginning with "TLP:" in any letter case;
//  - a definition object with a member "tlp" (any letter case): TLP 1.0;
//  - an extensions member named kTlp2ExtensionId (any letter case).
// Strings are compared after TrimMarkingText. nullopt for anything else,
// including every object under an OASIS id (CheckTlpMarkingDefinition
// checks those). Looks only at these properties, not at the type.
std::optional<TlpLookalike> FindTlpLookalike(const boost::json::object& marking_definition);

// `text` without leading and trailing white space and invisible characters:
// ASCII white space, and in UTF-8 U+0085, U+00A0, U+1680, U+180E,
// U+2000-U+200F, U+2028-U+202F, U+205F-U+2064, U+3000 and U+FEFF.
std::string_view TrimMarkingText(std::string_view text);

// Checks a marking definition that claims to be a TLP marking: under one of
// the ids above its content must be exactly the predefined object (STIX 2.1
// section 7.2.1.4, the OASIS TLP 2.0 objects) and the id must be in lower
// case; under any other id it must not be a TLP look-alike
// (FindTlpLookalike). OK for a matching or unrelated object; InvalidArgument
// naming the mismatch otherwise.
Status CheckTlpMarkingDefinition(const boost::json::object& marking_definition);

}  // namespace kizuna::stix
