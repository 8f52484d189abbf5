#include "coord/note_index.h"

#include <algorithm>
#include <boost/json.hpp>
#include <unordered_set>

#include "coord/task_fold.h"
#include "stix/object.h"

namespace kizuna::coord {

namespace json = boost::json;

Result<std::vector<IndexedNote>> NoteIndex::About(int64_t collection,
                                                  const std::vector<std::string>& refs) {
  std::lock_guard lock(mu_);
  Collection& c = collections_[collection];
  RETURN_IF_ERROR(CatchUp(collection, &c));
  std::vector<IndexedNote> out;
  std::unordered_set<const IndexedNote*> seen;
  for (const std::string& ref : refs) {
    auto it = c.by_ref.find(ref);
    if (it == c.by_ref.end()) continue;
    for (const auto& n : it->second) {
      // A later version may no longer be about `ref`.
      if (std::find(n->refs.begin(), n->refs.end(), ref) == n->refs.end()) continue;
      if (seen.insert(n.get()).second) out.push_back(*n);
    }
  }
  return out;
}

Status NoteIndex::CatchUp(int64_t collection, Collection* c) {
  store::ObjectQuery q;
  q.collection = collection;
  q.types = {"note", "opinion"};
  q.versions.all = true;
  q.limit = 1000;
  for (;;) {
    ASSIGN_OR_RETURN(auto page, store_->Query(q, c->cursor > 0 ? std::optional<int64_t>(c->cursor)
                                                               : std::nullopt));
    for (auto& r : page.records) {
      c->cursor = std::max(c->cursor, r.date_added_us);
      Add(c, std::move(r));
    }
    if (!page.more || page.records.empty()) return Status::Ok();
  }
}

void NoteIndex::Add(Collection* c, store::ObjectRecord&& r) {
  auto parsed = stix::ParseJson(r.raw);
  if (!parsed.ok() || !parsed->is_object()) return;
  const json::object& o = parsed->as_object();
  std::string key = r.id + "|" + r.producer;
  auto& slot = c->by_lineage[key];
  if (slot && slot->meta.version_us > r.version_us) return;  // an older version arriving late
  auto n = std::make_shared<IndexedNote>();
  if (const json::value* v = o.if_contains("created"); v && v->is_string()) n->created = v->get_string();
  if (const json::value* v = o.if_contains("object_refs"); v && v->is_array()) {
    for (const json::value& x : v->get_array()) {
      if (x.is_string()) n->refs.emplace_back(x.get_string());
    }
  }
  if (r.type == "note") {
    if (auto u = ReadTaskUpdate(o); u.ok()) {
      n->task_ref = u->task_ref;
      n->update_organization = u->organization;
    }
  }
  r.raw.clear();
  r.raw.shrink_to_fit();
  n->meta = std::move(r);
  if (!slot) {
    slot = std::move(n);
    for (const std::string& ref : slot->refs) c->by_ref[ref].push_back(slot);
    return;
  }
  // A new version: every list that holds the lineage sees it; the objects
  // it is newly about list it too.
  std::vector<std::string> before = std::move(slot->refs);
  *slot = std::move(*n);
  for (const std::string& ref : slot->refs) {
    if (std::find(before.begin(), before.end(), ref) == before.end()) c->by_ref[ref].push_back(slot);
  }
}

}  // namespace kizuna::coord
