#pragma once
// The OASIS Incident Core extension suite for STIX 2.1 (extension version
// 2.0): the extension-definition ids, the extension-definition objects a hub
// serves, and the suite's closed vocabularies for callers that build these
// objects (the coordination API). Validation of the objects themselves is
// part of stix::ValidateObject (src/stix/incident_core.cc); the rules and the
// places where the suite's schemas and prose disagree are in
// docs/incident-core.md. Thread-safe: immutable data.

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kizuna::stix {

inline constexpr std::string_view kIncidentCoreIncidentExtension =
    "extension-definition--ef765651-680c-498d-9894-99799f2fa126";
inline constexpr std::string_view kIncidentCoreEventExtension =
    "extension-definition--4ca6de00-5b0d-45ef-a1dc-ea7279ea910e";
inline constexpr std::string_view kIncidentCoreTaskExtension =
    "extension-definition--2074a052-8be4-4932-849e-f5e7798e0030";
inline constexpr std::string_view kIncidentCoreImpactExtension =
    "extension-definition--7cc33dd6-f6a1-489b-98ea-522d351d71b9";

// The four extension-definition objects (STIX 2.1 section 7.3) as compact
// JSON, with `created_by_ref` (the hub passes its project identity, whose
// identity object it serves beside them), each pointing at the suite's JSON
// schema. The same bytes on every call with the same identity.
std::vector<std::string> IncidentCoreDefinitions(std::string_view created_by_ref);

// The values of one of the suite's vocabularies by its name
// ("incident-determination-enum", "incident-investigation-ov",
// "task-outcome-enum", "event-status-enum", "recoverability-enum",
// "event-type-ov", ...); empty for an unknown name.
std::span<const std::string_view> IncidentCoreEnum(std::string_view name);

}  // namespace kizuna::stix
