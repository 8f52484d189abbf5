#pragma once
// NoteIndex: the notes and opinions of each collection by the objects they
// are about, kept in memory and read forward from the store on demand (a
// cursor per collection), so that an incident's show finds the notes on it
// and its tasks without reading and parsing every note of the collection.
// It holds metadata only (what policy::Decide reads, the content's created,
// the task update's task and organization): counting and choosing use it,
// and the notes themselves are released through the reader's scope.
//
// Each lineage (id, producer) is kept at its latest version. A note deleted
// from the store stays here until the hub restarts; a read through the scope
// does not find it, so it is never released (a total may count it).
//
// Thread-safe.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace kizuna::coord {

struct IndexedNote {
  store::ObjectRecord meta;          // metadata of the latest version (raw empty)
  std::string created;               // the content's created, for the order
  std::vector<std::string> refs;     // object_refs
  std::string task_ref;              // a task update's task ("" otherwise)
  std::string update_organization;   // a task update's created_by_ref
};

class NoteIndex {
 public:
  explicit NoteIndex(store::Store* store) : store_(store) {}

  // Reads what `collection` got since the last call, then returns a copy of
  // every note and opinion (latest version of each lineage) whose object_refs
  // name one of `refs`, each once.
  Result<std::vector<IndexedNote>> About(int64_t collection, const std::vector<std::string>& refs);

 private:
  struct Collection {
    int64_t cursor = 0;  // date_added of the last record read
    std::unordered_map<std::string, std::vector<std::shared_ptr<IndexedNote>>> by_ref;
    std::unordered_map<std::string, std::shared_ptr<IndexedNote>> by_lineage;  // id '|' producer
  };
  Status CatchUp(int64_t collection, Collection* c);
  void Add(Collection* c, store::ObjectRecord&& r);

  store::Store* store_;
  std::mutex mu_;
  std::map<int64_t, Collection> collections_;
};

}  // namespace kizuna::coord
