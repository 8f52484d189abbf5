#include "coord/task_fold.h"

#include <algorithm>
#include <boost/json.hpp>
#include <set>
#include <vector>

#include "coord/members.h"
#include "policy/extensions.h"
#include "stix/incident_core.h"

namespace kizuna::coord {
namespace {

namespace json = boost::json;
using SV = std::string_view;

const json::string* StringAt(const json::object& o, SV key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? &v->get_string() : nullptr;
}

const json::object* CoordinationOf(const json::object& o) {
  return detail::Ext(o, policy::kCoordinationExtensionId);
}

bool IsOutcome(SV v) {
  for (SV o : stix::IncidentCoreEnum("task-outcome-enum")) {
    if (o == v) return true;
  }
  return false;
}

// What every fold needs of the task: its id, owner and modified.
struct TaskHead {
  const json::string* id = nullptr;
  const json::string* owner = nullptr;
  Timestamp modified;
};
Result<TaskHead> ReadTaskHead(const json::object& task) {
  TaskHead h;
  h.id = StringAt(task, "id");
  h.owner = StringAt(task, "created_by_ref");
  const json::string* modified = StringAt(task, "modified");
  if (!h.id || !h.owner || !modified) {
    return InvalidArgument("a task to fold needs id, created_by_ref and modified");
  }
  auto prev = ParseTimestamp(*modified);
  if (!prev.ok()) return InvalidArgument(std::string(*h.id) + ": modified: " + prev.error().message());
  h.modified = *prev;
  return h;
}

bool UpdateOrder(const TaskUpdate* a, const TaskUpdate* b) {
  if (a->created != b->created) return a->created < b->created;
  return a->note_id < b->note_id;
}

// The task's next version with the fold's state: outcome, the coordination
// extension's initial outcome, applied updates, progress and last change.
std::string NextVersion(const json::object& task, const Timestamp& prev, int64_t now_us,
                        const std::string& initial, const std::string& outcome,
                        const std::optional<int64_t>& progress,
                        const std::vector<std::string>& applied, int64_t applied_count,
                        const TaskUpdate* last) {
  json::object next = task;
  next["outcome"] = outcome;
  int64_t at = std::max(now_us, prev.micros + 1000);
  at -= at % 1000;  // millisecond precision, still later than the previous version
  next["modified"] = FormatTimestamp(at, 3);
  json::value& extensions = next["extensions"];
  if (!extensions.is_object()) extensions = json::object();
  json::object& exts = extensions.as_object();
  // The owner's members of the extension (assignee, incident) are kept; the
  // fold's own are written afresh.
  json::object c;
  if (const json::object* was = CoordinationOf(task)) c = *was;
  c["extension_type"] = "property-extension";
  c["initial_outcome"] = initial;
  c.erase("applied_updates");
  c.erase("applied_count");
  c.erase("progress");
  c.erase("last_change");
  json::array ids;
  for (size_t i = applied.size() > kAppliedTail ? applied.size() - kAppliedTail : 0; i < applied.size(); ++i) {
    ids.emplace_back(applied[i]);
  }
  if (!ids.empty()) {
    c["applied_updates"] = std::move(ids);
    c["applied_count"] = applied_count;
  }
  if (progress) c["progress"] = *progress;
  if (last != nullptr) {
    c["last_change"] = json::object{{"note", last->note_id},
                                    {"organization", last->organization},
                                    {"author", last->author},
                                    {"at", last->created_text}};
  }
  exts[policy::kCoordinationExtensionId] = std::move(c);
  return json::serialize(next);
}

}  // namespace

Result<TaskUpdate> ReadTaskUpdate(const json::object& note) {
  const json::object* c = CoordinationOf(note);
  if (c == nullptr || !c->contains("task_ref")) return NotFound("not a task update");
  TaskUpdate u;
  const json::string* id = StringAt(note, "id");
  const json::string* created = StringAt(note, "created");
  const json::string* by = StringAt(note, "created_by_ref");
  if (!id || id->find("note--") != 0) return InvalidArgument("a task update is a note with an id");
  u.note_id = *id;
  if (!created) return InvalidArgument(u.note_id + ": a task update needs created");
  auto ts = ParseTimestamp(*created);
  if (!ts.ok()) return InvalidArgument(u.note_id + ": created: " + ts.error().message());
  u.created = *ts;
  u.created_text = *created;
  if (!by) return InvalidArgument(u.note_id + ": a task update needs created_by_ref");
  u.organization = *by;
  const json::string* task = StringAt(*c, "task_ref");
  if (!task || task->find("task--") != 0) {
    return InvalidArgument(u.note_id + ": task_ref must refer to a task");
  }
  u.task_ref = *task;
  const json::string* author = StringAt(*c, "author");
  if (!author || author->empty()) return InvalidArgument(u.note_id + ": a task update names its author");
  u.author = *author;
  if (const json::value* o = c->if_contains("outcome")) {
    if (!o->is_string() || !IsOutcome(o->get_string())) {
      return InvalidArgument(u.note_id + ": outcome must be a value of task-outcome-enum");
    }
    u.outcome = std::string(o->get_string());
  }
  if (const json::value* p = c->if_contains("progress")) {
    // Boost.JSON reads every integer in [0, 100] as an int64.
    if (!p->is_int64() || p->get_int64() < 0 || p->get_int64() > 100) {
      return InvalidArgument(u.note_id + ": progress must be an integer from 0 to 100");
    }
    u.progress = p->get_int64();
  }
  return u;
}

TaskCoordination ReadTaskCoordination(const json::object& task) {
  TaskCoordination out;
  const json::object* c = CoordinationOf(task);
  if (c == nullptr) return out;
  if (const json::string* s = StringAt(*c, "assignee_organization")) out.assignee_organization = *s;
  if (const json::string* s = StringAt(*c, "assignee_account")) out.assignee_account = *s;
  if (const json::string* s = StringAt(*c, "incident_ref")) out.incident_ref = *s;
  if (const json::string* s = StringAt(*c, "initial_outcome")) out.initial_outcome = *s;
  if (const json::value* a = c->if_contains("applied_updates"); a && a->is_array()) {
    for (const json::value& v : a->get_array()) {
      if (v.is_string()) out.applied_updates.emplace_back(v.get_string());
    }
  }
  out.applied_count = static_cast<int64_t>(out.applied_updates.size());
  if (const json::value* n = c->if_contains("applied_count");
      n && n->is_int64() && n->get_int64() >= out.applied_count) {
    out.applied_count = n->get_int64();
  }
  if (const json::value* p = c->if_contains("progress"); p && p->is_int64()) {
    out.progress = p->get_int64();
  }
  return out;
}

Result<std::optional<std::string>> FoldTask(const json::object& task,
                                            std::span<const TaskUpdate> updates, int64_t now_us) {
  ASSIGN_OR_RETURN(TaskHead head, ReadTaskHead(task));
  const json::string* id = head.id;
  const json::string* owner = head.owner;
  const Timestamp* prev = &head.modified;
  TaskCoordination coord = ReadTaskCoordination(task);

  // The eligible updates: for this task, by its owner or its assignee.
  std::vector<const TaskUpdate*> eligible;
  for (const TaskUpdate& u : updates) {
    if (u.task_ref != *id) continue;
    if (u.organization != *owner && u.organization != coord.assignee_organization) continue;
    eligible.push_back(&u);
  }
  std::sort(eligible.begin(), eligible.end(), UpdateOrder);
  eligible.erase(std::unique(eligible.begin(), eligible.end(),
                             [](const TaskUpdate* a, const TaskUpdate* b) {
                               return a->note_id == b->note_id;
                             }),
                 eligible.end());
  std::vector<std::string> applied;
  const size_t tail_from = eligible.size() > kAppliedTail ? eligible.size() - kAppliedTail : 0;
  applied.reserve(eligible.size() - tail_from);
  for (size_t i = tail_from; i < eligible.size(); ++i) applied.push_back(eligible[i]->note_id);
  const int64_t count = static_cast<int64_t>(eligible.size());
  if (count == coord.applied_count && applied == coord.applied_updates) return std::optional<std::string>();

  // The outcome before any update: recorded at the first fold.
  std::string initial = coord.initial_outcome;
  if (initial.empty()) {
    const json::string* o = StringAt(task, "outcome");
    initial = o ? std::string(*o) : "pending";
  }
  std::string outcome = initial;
  std::optional<int64_t> progress;
  for (const TaskUpdate* u : eligible) {
    if (u->outcome) outcome = *u->outcome;
    if (u->progress) progress = u->progress;
  }
  return std::optional<std::string>(
      NextVersion(task, *prev, now_us, initial, outcome, progress, applied, count,
                  eligible.empty() ? nullptr : eligible.back()));
}

Result<IncrementalFold> FoldTaskAfter(const json::object& task, std::span<const TaskUpdate> fresh,
                                      int64_t now_us) {
  IncrementalFold out;
  ASSIGN_OR_RETURN(TaskHead head, ReadTaskHead(task));
  const json::string* id = head.id;
  const json::string* owner = head.owner;
  const Timestamp* prev = &head.modified;
  const json::string* outcome_now = StringAt(task, "outcome");
  TaskCoordination coord = ReadTaskCoordination(task);
  std::set<std::string_view> applied_set(coord.applied_updates.begin(), coord.applied_updates.end());
  std::vector<const TaskUpdate*> eligible;
  for (const TaskUpdate& u : fresh) {
    if (u.task_ref != *id || applied_set.count(u.note_id)) continue;
    if (u.organization != *owner && u.organization != coord.assignee_organization) continue;
    eligible.push_back(&u);
  }
  out.possible = true;
  if (eligible.empty()) return out;
  std::sort(eligible.begin(), eligible.end(), UpdateOrder);
  eligible.erase(std::unique(eligible.begin(), eligible.end(),
                             [](const TaskUpdate* a, const TaskUpdate* b) { return a->note_id == b->note_id; }),
                 eligible.end());
  std::string initial = coord.initial_outcome;
  if (!coord.applied_updates.empty()) {
    // The task's state is the fold of its applied notes, the last of which
    // is its last change: every new one must come after it.
    const json::object* c = CoordinationOf(task);
    const json::value* lc = c ? c->if_contains("last_change") : nullptr;
    const json::string* note = lc && lc->is_object() ? StringAt(lc->get_object(), "note") : nullptr;
    const json::string* at = lc && lc->is_object() ? StringAt(lc->get_object(), "at") : nullptr;
    auto last = at ? ParseTimestamp(*at) : Result<Timestamp>(InvalidArgument(""));
    if (!note || !last.ok() || initial.empty() || !outcome_now ||
        *note != coord.applied_updates.back()) {
      out.possible = false;
      return out;
    }
    const TaskUpdate& first = *eligible.front();
    if (first.created < *last || (first.created == *last && first.note_id <= std::string_view(*note))) {
      out.possible = false;
      return out;
    }
  } else if (initial.empty()) {
    initial = outcome_now ? std::string(*outcome_now) : "pending";
  }
  std::string outcome = coord.applied_updates.empty() ? initial : std::string(*outcome_now);
  std::optional<int64_t> progress = coord.applied_updates.empty() ? std::nullopt : coord.progress;
  std::vector<std::string> applied = coord.applied_updates;
  for (const TaskUpdate* u : eligible) {
    if (u->outcome) outcome = *u->outcome;
    if (u->progress) progress = u->progress;
    applied.push_back(u->note_id);
  }
  out.next = NextVersion(task, *prev, now_us, initial, outcome, progress, applied,
                         coord.applied_count + static_cast<int64_t>(eligible.size()), eligible.back());
  return out;
}

}  // namespace kizuna::coord
