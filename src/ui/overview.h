#pragma once
// The overview's counts (issue 13, docs/ui.md): how many object versions each
// collection holds per day (of the version's `modified`, UTC) and type, per policy tuple (effective marking,
// producer, audience, origin, granular markings), read forward from the
// store. A reader's overview decides each (collection, tuple) once through
// the decision point (Path::kDashboard) and adds up the buckets it may see:
// a page view costs the number of buckets, never a scan of the store, and a
// count never includes a version the reader may not see (nor a collection it
// has no read grant on).
//
// Every version counts (a new version is new intelligence), on the day it was
// made; a deleted version stays counted until the hub restarts.
//
// Thread-safe.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include "core/result.h"
#include "policy/decision_point.h"
#include "store/store.h"

namespace kizuna::ui {

struct OverviewTuple {
  std::string marking, producer, audience, origin;
  bool granular = false;
  bool operator<(const OverviewTuple& o) const {
    return std::tie(marking, producer, audience, origin, granular) <
           std::tie(o.marking, o.producer, o.audience, o.origin, o.granular);
  }
};

class OverviewIndex {
 public:
  // `store` must outlive the index.
  explicit OverviewIndex(store::Store* store) : store_(store) {}

  using Each = std::function<void(int64_t collection, int64_t day, std::string_view type,
                                  const OverviewTuple& tuple, int64_t count)>;
  // Sightings (their first version) per (collection, day, what they sight,
  // the sighting's tuple).
  using EachSighted = std::function<void(int64_t collection, int64_t day, std::string_view sighted,
                                         const OverviewTuple& tuple, int64_t count)>;
  // Reads what the store got since the last call (everything the first
  // time), then calls `each` for every bucket and `sighted` (optional) for
  // every sighting bucket, under the index's lock.
  Status Read(const Each& each, const EachSighted& sighted = nullptr);

  store::Store* store() const { return store_; }

 private:
  Status CatchUpLocked();

  store::Store* store_;
  std::mutex mu_;
  std::map<int64_t, int64_t> cursors_;         // GUARDED_BY(mu_): collection -> last date_added read
  std::map<OverviewTuple, int> tuple_ids_;     // GUARDED_BY(mu_)
  std::vector<const OverviewTuple*> tuples_;   // GUARDED_BY(mu_): by id
  std::map<std::string, int, std::less<>> type_ids_;  // GUARDED_BY(mu_)
  std::vector<const std::string*> types_;      // GUARDED_BY(mu_): by id
  struct Key {
    int64_t collection, day;
    int type, tuple;
    bool operator<(const Key& o) const {
      return std::tie(collection, day, type, tuple) < std::tie(o.collection, o.day, o.type, o.tuple);
    }
  };
  std::map<Key, int64_t> counts_;  // GUARDED_BY(mu_)
  // Sightings: `type` is the id of what they sight (interned in refs_).
  std::map<std::string, int, std::less<>> ref_ids_;  // GUARDED_BY(mu_)
  std::vector<const std::string*> refs_;             // GUARDED_BY(mu_): by id
  std::map<Key, int64_t> sighted_;                   // GUARDED_BY(mu_)
};

// One reader's overview as JSON: the last `days` days (UTC) ending with the
// day of `now_us`: {"days": [...], "total", "by_tlp": [{"tlp", "counts"}],
// "by_nation": [{"nation", "counts"}], "by_sector": [{"sector", "counts"}],
// "sightings_by_sector": [{"sector", "counts"}], "by_type": [{"type",
// "count"}], "top_sighted": [{"id", "type", "name", "sightings"}],
// "collections"}. Nations and sectors are the producers' (from the trust
// model; "" when none; an organization in several sectors counts in each);
// TLP the effective marking's (a collection's default when the object names
// none). The top sighted objects are counted from the sightings the reader
// may see, and named only when the reader may see the object itself (read
// through the decision point, audited): at most 10.
Result<std::string> OverviewFor(OverviewIndex& index, policy::DecisionPoint& decisions,
                                const auth::Principal& principal, int days, int64_t now_us,
                                const std::string& remote);

// The sector crosswalk (policy/sectors.h) as JSON: {"sectors": [{"code",
// "name_en", "name_ja", "us", "jp", "jp_ja", "stix"}], "us": [16 names],
// "jp": [{"en", "ja"} x 15], "organizations": [{"id", "name", "nation",
// "sectors"}]} (the trust model's organizations: the live feed's sector
// filter places an object by its producer's sectors).
std::string SectorCrosswalkJson(const policy::TrustModel& model);

}  // namespace kizuna::ui
