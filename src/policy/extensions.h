#pragma once
// Kizuna's STIX 2.1 extension definitions (STIX 2.1 §7.3), served by every
// hub in every collection so that any STIX consumer can resolve them:
//  - the audience extension: a producer addresses an object to specific
//    organizations and accounts; it travels with the object across hubs;
//      "extensions": {"extension-definition--7a79d0e5-...": {
//         "extension_type": "property-extension",
//         "organizations": ["identity--..."],
//         "accounts": ["alice", "kenji@jp-hub"]}}
//  - the redaction extension: on a copy from which the decision point removed
//    properties under granular markings, the removed selectors:
//      "extensions": {"extension-definition--f7de493e-...": {
//         "extension_type": "property-extension", "redacted_paths": [...]}}
// and the identity that created both definitions.

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace kizuna::policy {

inline constexpr std::string_view kAudienceExtensionId =
    "extension-definition--7a79d0e5-a2c1-4b04-870f-c5d9a7fed356";
inline constexpr std::string_view kRedactionExtensionId =
    "extension-definition--f7de493e-8da0-42e6-a7de-0197917d4704";
// Incident coordination (issue 11, docs/coordination.md): on a task, its
// assignee and the update notes its owner folded; on a note, the task update
// it carries.
inline constexpr std::string_view kCoordinationExtensionId =
    "extension-definition--2a5e6e5a-a061-424b-9e90-d6394f58d6e6";
inline constexpr std::string_view kKizunaIdentityId =
    "identity--16776b6d-3506-4f47-bde5-6f5619fb6300";

// The identity and the extension definitions, as compact JSON objects.
const std::vector<std::string>& KizunaDefinitionObjects();

struct AudienceExtension {
  std::vector<std::string> organizations;
  std::vector<std::string> accounts;
  bool present = false;
};

// Reads the audience extension of an object. InvalidArgument when it is
// present but malformed (not lists of strings, an organization that is not an
// identity id, an account that is not "user" or "user@hub").
Result<AudienceExtension> ReadAudience(const boost::json::object& object);

}  // namespace kizuna::policy
