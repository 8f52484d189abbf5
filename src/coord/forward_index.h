#pragma once
// ForwardIndex: objects of some types by what they are about, kept in
// memory and read forward from the store on demand (a cursor per
// collection), so that a read finds them without reading and parsing every
// object of the collection. Three are kept by the coordination service:
//  - the notes index (MakeNoteIndex): notes and opinions by their
//    object_refs, with the task update a note carries; an incident's show
//    lists its notes from it;
//  - the link index (MakeLinkIndex): incidents by the objects they link (the
//    coordination extension's linked_refs) and sightings by sighting_of_ref;
//    an incident's show correlates it from it;
//  - the part index (MakePartIndex): events, tasks and impacts by their own
//    id; an incident's show decides which of its parts the caller may see
//    from it, and reads only those it shows.
// Metadata only (what policy::Decide reads, and the few members the reads
// need): the decision point decides each entry for the reader, and whatever
// is shown is released through the reader's scope.
//
// Each lineage (id, producer) is kept at its latest version. An object
// deleted from the store stays here until the hub restarts; a read through
// a scope does not find it, so it is never released (a count may include it).
//
// Thread-safe.

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "policy/decide.h"
#include "store/store.h"

namespace kizuna::coord {

// What the incident list filters on besides the caller's decision and the
// time: incidents share few of them, so the list decides each once (the
// priority filter too, as far as the incident's own facts settle it).
struct IncidentFacet {
  std::string status;                // IncidentStatus()
  std::string owner;                 // created_by_ref
  std::vector<std::string> sectors;  // the coordination extension's (empty: the owner's)
  // What its priority reads of it (Incident Core): its own facts, and
  // whether it lists impacts.
  std::optional<int64_t> criticality;
  std::string determination, recoverability;
  bool impacts = false;
  auto operator<=>(const IncidentFacet&) const = default;
};

// What the incident list filters and sorts on, read once per version.
struct IncidentFacts {
  std::string modified;
  std::optional<Timestamp> modified_at;  // nullopt: not a timestamp (listed last)
  IncidentFacet facet;
};

// The incident list's order: latest modified first (those without a
// timestamp last), then id, then producer.
struct IncidentOrder {
  std::optional<Timestamp> at;
  std::string_view id, producer;
  bool operator<(const IncidentOrder& o) const;
};

// What a decision reads of an object (policy::ObjectMeta but the
// collection), interned per collection: equal tuples share one address, so
// a reader's decision can be kept per address while the index is read.
struct PolicyTuple {
  std::string marking, audience, producer, origin;
  bool granular = false;
  auto operator<=>(const PolicyTuple&) const = default;
  policy::ObjectMeta Meta(int64_t collection) const {
    return policy::ObjectMeta{marking, producer, audience, collection, granular, origin};
  }
};

struct IndexedObject {
  store::ObjectRecord meta;                // metadata of the latest version (raw empty)
  std::string created;                     // the content's created, for orders
  std::string created_by;                  // created_by_ref ("" when absent)
  std::vector<std::string> refs;           // what it is about
  std::vector<std::string> where_sighted;  // a sighting's where_sighted_refs
  std::string task_ref;                    // a task update note's task ("" otherwise)
  std::string update_organization;         // a task update note's created_by_ref
  std::shared_ptr<const IncidentFacts> incident;  // an incident's (the link index)
  const IncidentFacet* facet = nullptr;  // a creator's incident lineage's, interned per collection
  const std::vector<std::string>* refs_list = nullptr;  // its `refs`, interned likewise
  bool creators = false;  // created_by_ref names the producer: the creator's own lineage
  const PolicyTuple* policy = nullptr;  // interned per collection
};

class ForwardIndex {
 public:
  // Fills an entry's members (not `meta`, `created`, `created_by`) from the
  // object's content.
  using Reader = std::function<void(const boost::json::object& object, const store::ObjectRecord& record,
                                    IndexedObject* entry)>;
  ForwardIndex(store::Store* store, std::vector<std::string> types, Reader read)
      : store_(store), types_(std::move(types)), read_(std::move(read)) {}

  // Reads what `collection` got since the last call, then calls
  // `each(i, entry)` for every entry (latest version of each lineage) about
  // refs[i], each once per ref, under the index's lock (`each` must not
  // call the index).
  Status About(int64_t collection, const std::vector<std::string>& refs,
               const std::function<void(size_t i, const IndexedObject&)>& each);
  // The incidents of one (policy tuple, facet), by the list of objects they
  // link (interned: equal lists share one address, valid as long as the
  // index, readable without its lock).
  using Members = std::unordered_set<const IndexedObject*>;
  struct Group {
    int64_t size = 0;
    std::map<const std::vector<std::string>*, Members> by_list;
  };
  using GroupKey = std::pair<const PolicyTuple*, const IncidentFacet*>;
  // The incidents of the link index (each creator's lineage at its latest
  // version), under one lock, after reading what `collection` got since the
  // last call: `group(policy, facet, group)` for every distinct (policy
  // tuple, facet), then `each` in list order (latest modified first, then
  // id, then producer) until it returns false. Neither may call the index.
  Status Incidents(int64_t collection,
                   const std::function<void(const PolicyTuple& policy, const IncidentFacet& facet,
                                            const Group& group)>& group,
                   const std::function<bool(const IndexedObject&)>& each);
  // The given groups, under the index's lock, after reading what
  // `collection` got since the last call (`each` must not call the index).
  Status Groups(int64_t collection, const std::vector<GroupKey>& keys,
                const std::function<void(const GroupKey& key, const Group& group)>& each);
  // Reads what `collection` got since the last call (read-ahead).
  Status Refresh(int64_t collection);

 private:
  struct Collection {
    int64_t cursor = 0;  // date_added of the last record read
    std::unordered_map<std::string, std::vector<std::shared_ptr<IndexedObject>>> by_ref;
    std::unordered_map<std::string, std::shared_ptr<IndexedObject>> by_lineage;  // id '|' producer
    std::set<PolicyTuple> policies;  // interned
    // The incidents listed (creators' lineages): facets interned, grouped
    // per (policy tuple, facet), and in list order.
    std::set<IncidentFacet> facets;
    std::set<std::vector<std::string>> ref_lists;
    std::map<GroupKey, Group> groups;
    std::map<IncidentOrder, const IndexedObject*> ordered;  // views into the entries
  };
  Status CatchUp(int64_t collection, Collection* c);
  void Add(Collection* c, store::ObjectRecord&& r);
  static IncidentOrder KeyOf(const IndexedObject& e);
  static void Enlist(Collection* c, IndexedObject* e);
  static void Unlist(Collection* c, const IndexedObject& e);

  store::Store* store_;
  std::vector<std::string> types_;
  Reader read_;
  std::mutex mu_;
  std::map<int64_t, Collection> collections_;
};

std::unique_ptr<ForwardIndex> MakeNoteIndex(store::Store* store);
std::unique_ptr<ForwardIndex> MakeLinkIndex(store::Store* store);
std::unique_ptr<ForwardIndex> MakePartIndex(store::Store* store);

}  // namespace kizuna::coord
