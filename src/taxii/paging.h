#pragma once
// Continuation tokens for TAXII 2.1 `next` (§3.5): opaque to clients, valid
// without server-side state, and bound to the query they continue.
//
// A token carries the date_added (microseconds) of the last record returned
// and a fingerprint of the query (endpoint, collection, object id, filters
// except limit and next). Paging by a date_added cursor costs the same on
// page 10,000 as on page 1 (a range scan, no OFFSET), and objects added while
// a client pages are neither skipped nor repeated.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "taxii/query.h"

namespace kizuna::taxii {

// The fingerprint of a query, stable across processes and versions.
uint64_t QueryFingerprint(Endpoint endpoint, int64_t collection_key, std::string_view object_id,
                          const Filters& filters);

std::string EncodeNextToken(int64_t last_date_added_us, uint64_t fingerprint);

// The cursor of a token, or InvalidArgument when the token is malformed or was
// issued for a different query.
Result<int64_t> DecodeNextToken(std::string_view token, uint64_t fingerprint);

}  // namespace kizuna::taxii
