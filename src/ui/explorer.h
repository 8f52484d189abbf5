#pragma once
// The object explorer's reads (issue 13, docs/ui.md "Object explorer"):
// search, and one object with its versions, its translations and what it is
// related to. Everything is read through the decision point
// (Path::kDashboard) in the collections the reader may read: a result, a
// version, a translation or a neighbour the reader may not see is not
// there, and an object it may see no version of is the 404 of a missing one.
//
// - `GET /ui/api/search?q=TEXT&type=T&id=ID&days=N&limit=L`: objects (their
//   latest version the reader may see) added in the last N days (default 30,
//   1-3660), newest first, whose type is T and whose JSON contains TEXT
//   (case-insensitive), or the object ID; at most L (default 50, 1-500).
//   At most kSearchScan versions are looked at per collection: `more` says
//   the search stopped there (narrow it).
// - `GET /ui/api/object?id=ID`: {"id", "type", "object" (the latest version
//   the reader may see), "collection", "versions": [{"modified",
//   "collection", "tlp"}], "translations": [{"id", "lang", "contents",
//   "modified", "by"}], "related": [{"id", "type", "name", "via",
//   "direction", "tlp"}]} where `via` is a relationship type, "sighting" or
//   a reference property, and `direction` "out" (this object refers to it)
//   or "in".
//
// Thread-safe (pure functions over their inputs).

#include <cstdint>
#include <string>
#include <string_view>

#include "auth/principal.h"
#include "core/result.h"
#include "policy/decision_point.h"
#include "store/store.h"

namespace kizuna::ui {

inline constexpr int64_t kSearchScan = 20'000;

struct SearchQuery {
  std::string text, type, id;
  int days = 30;
  int limit = 50;
};
// InvalidArgument names the parameter and what it takes.
Result<SearchQuery> ReadSearchQuery(std::string_view raw_query);

// "type--UUID" (lower-case type, hexadecimal UUID with its dashes).
bool IsStixId(std::string_view id);

Result<std::string> SearchFor(store::Store* store, policy::DecisionPoint& decisions,
                              const auth::Principal& reader, const SearchQuery& query, int64_t now_us,
                              const std::string& remote);

// NotFound when the reader may see no version of `id`; InvalidArgument when
// `id` is not a STIX id.
Result<std::string> ObjectFor(store::Store* store, policy::DecisionPoint& decisions,
                              const auth::Principal& reader, const std::string& id, const std::string& remote);

}  // namespace kizuna::ui
