#pragma once
// The fold of task updates (issue 11, docs/coordination.md): an organization
// writes only its own objects, so the assignee of a task owned by another
// organization, on any hub, reports progress with update notes of its own
// (STIX `note`s carrying the Kizuna coordination extension), and the owning
// hub folds them into the task's next version.
//
// The fold is a pure function of the task as its owner last wrote it and of
// the set of update notes: the notes the owner or the assignee wrote are
// applied in the order of (created, note id), the last outcome and progress
// win, and the version names the last kAppliedTail notes it folded (the
// tail: `applied_updates`), how many it folded in all (`applied_count`) and
// the last change. A version's size does not grow with the task's updates. Two
// updates written at the same moment on two hubs are therefore both kept, in
// the same order on every hub, whatever order they arrive in; a late note
// gives one more version with the content any hub would compute.
//
// Thread-safe: pure functions.

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace kizuna::coord {

// One task update, read from its note.
struct TaskUpdate {
  std::string note_id;
  Timestamp created;
  std::string created_text;           // as written, for the last change
  std::string task_ref;               // the task it updates
  std::string organization;           // the note's created_by_ref
  std::string author;                 // "user@hub"
  std::optional<std::string> outcome;  // task-outcome-enum
  std::optional<int64_t> progress;     // 0-100
};

// Reads the task update a note carries. NotFound when the note carries none
// (an ordinary note: not an update); InvalidArgument when it carries a
// malformed one (no task_ref, an outcome outside task-outcome-enum, a
// progress outside 0-100, no author, no created_by_ref or created).
Result<TaskUpdate> ReadTaskUpdate(const boost::json::object& note);

// The coordination facts of a task version (absent members empty).
struct TaskCoordination {
  std::string assignee_organization;
  std::string assignee_account;  // "user@hub", or empty: the whole organization
  std::string incident_ref;      // the incident the task belongs to
  std::string initial_outcome;   // the outcome before any update
  std::vector<std::string> applied_updates;  // the last kAppliedTail folded, in order
  int64_t applied_count = 0;  // folded in all (a version without it: applied_updates' size)
  std::optional<int64_t> progress;
};
// How many of the notes folded a version names (the latest ones).
inline constexpr size_t kAppliedTail = 64;
TaskCoordination ReadTaskCoordination(const boost::json::object& task);

// The task's next version with `updates` folded in, as compact JSON; nullopt
// when the fold changes nothing (as many notes folded, the same last ones,
// as the task names: `updates` is every note the owner holds for the task,
// so the same count is the same set). `task` is the owner's latest version
// (with its coordination extension naming the assignee); `updates` may hold
// any notes (those for other tasks, by other organizations, or repeated,
// are ignored). `now_us`
// is the fold's time: the version's `modified` is the later of it and the
// previous `modified` plus one millisecond.
// InvalidArgument when the task lacks an id, a created_by_ref or a
// parseable modified.
Result<std::optional<std::string>> FoldTask(const boost::json::object& task,
                                            std::span<const TaskUpdate> updates, int64_t now_us);

// The fold without reading back the notes already applied: when every
// eligible update of `fresh` not yet applied sorts after the task's last
// change (the usual case: updates arrive in order), the next version is
// computed from the task's own state (outcome, progress, applied list), and
// equals FoldTask(task, applied notes + fresh, now_us). A fresh note the
// tail names is already applied; any other that sorts before the last
// change (a late note, or one applied before the tail: only the full set
// tells) makes `possible` false, and the caller folds every note of the
// task with FoldTask; so does a task whose state cannot be read.
struct IncrementalFold {
  bool possible = false;
  std::optional<std::string> next;  // nullopt: nothing new to fold
};
Result<IncrementalFold> FoldTaskAfter(const boost::json::object& task,
                                      std::span<const TaskUpdate> fresh, int64_t now_us);

}  // namespace kizuna::coord
