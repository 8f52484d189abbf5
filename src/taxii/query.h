#pragma once
// TAXII 2.1 URL parameters (§3.4 "Filtering", §3.5 "Pagination"): parsing
// of the query string of each endpoint into typed filters.
//
// Each endpoint accepts only its own parameters (TAXII 2.1 §5.3-5.8); any
// other parameter, a repeated scalar parameter or a malformed value is
// InvalidArgument (HTTP 400) with a message naming the parameter. Values of
// match[...] are comma-separated lists; repeating a match[...] parameter adds
// to its list.
//
// Thread-safe: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace kizuna::taxii {

enum class Endpoint {
  kGetObjects,    // GET  .../objects/
  kGetObject,     // GET  .../objects/{id}/
  kDeleteObject,  // DELETE .../objects/{id}/
  kVersions,      // GET  .../objects/{id}/versions/
  kManifest,      // GET  .../manifest/
  kNoFilters,     // every other endpoint: no parameters at all
};

struct Filters {
  std::optional<int64_t> added_after_us;
  std::optional<int64_t> limit;        // as asked (>= 1); the service clamps it
  std::optional<std::string> next;     // the opaque token
  std::vector<std::string> ids;        // match[id]
  std::vector<std::string> types;      // match[type]
  std::vector<std::string> spec_versions;  // match[spec_version]: "2.0", "2.1"
  store::VersionFilter versions;       // match[version]
  bool has_version_filter = false;
};

// Parses `raw_query` (without '?', percent-encoded; '+' decodes to a space).
Result<Filters> ParseQuery(std::string_view raw_query, Endpoint endpoint);

// Percent-decodes one query component; nullopt on a malformed escape.
std::optional<std::string> DecodeQueryComponent(std::string_view s);

}  // namespace kizuna::taxii
