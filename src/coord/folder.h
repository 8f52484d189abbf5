#pragma once
// Folder: runs the fold of task updates (task_fold.h, docs/coordination.md)
// on the hub that owns the tasks. It watches the store's commits for task
// update notes, from this hub's API or from peers, and for each task owned
// by an organization homed on this hub writes the task's next version with
// every update note folded in, in one total order. It keeps a cursor per
// collection (stored after the folds it covers: in the last one's commit, or
// within kCursorDelayMs when there was nothing to write), and at start-up
// folds everything added since: a hub killed between storing a note and
// writing the fold converges when it restarts. Writing the same fold twice is
// harmless (FoldTask returns nothing new for notes already applied).
//
// Notes that arrive from a peer are usually folded before the worker sees
// them: the federation's inbound links hand each batch to FoldInto, which
// adds the folded tasks' next versions to it, so the note and its fold are
// stored in one commit (the update is in the owner's show as soon as the
// note is) and the worker later finds the notes applied.
//
// Tasks of organizations homed on other hubs are never folded here: their
// owners' hubs do it, and this hub receives the result by federation. Only
// notes the owning organization may see are folded.
//
// Thread-safe. One worker thread.

#include <boost/json/fwd.hpp>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "coord/hints.h"
#include "core/time.h"
#include "ingest/ingest.h"
#include "policy/decide.h"
#include "policy/decision_point.h"
#include "store/store.h"

namespace kizuna::coord {

struct FolderStats {
  int64_t folds = 0;         // task versions the worker wrote after their notes' commit
  int64_t folds_with_notes = 0;  // task versions FoldInto added to their notes' batch
  int64_t notes_seen = 0;    // task update notes the worker read
  int64_t failures = 0;      // folds that could not be written
};

class Folder {
 public:
  // `lock_for(id)` is the lock serializing writes to one task (the API's).
  // `store`, `policy`, `clock` must outlive the folder.
  Folder(store::Store* store, policy::DecisionPoint* policy, std::string hub_name,
         std::function<std::mutex&(std::string_view)> lock_for,
         const Clock* clock = &SystemClock::Get());
  ~Folder();

  // Where the fold finds every update note of a task (ids; versions are
  // read from the store) when it must fold all of them (a late note): the
  // coordination service's note index (Service::TaskUpdateNotes). Without
  // it the fold reads every note of the collection. Call before Start.
  using NotesOf = std::function<Result<std::vector<std::string>>(int64_t collection, const std::string& task_id)>;
  void ReadNotesWith(NotesOf notes_of) { notes_of_ = std::move(notes_of); }

  // Registers the commit listener (before serving) and starts the worker,
  // which first folds whatever every collection's cursor has not covered.
  void Start();
  void Stop();
  FolderStats Stats() const;

  // Appends to `batch`, before it is written, the next version of each task
  // owned here that the batch's update notes change, prepared as its
  // owner's (what the worker would write after the commit). The result holds
  // those tasks' locks: keep it until the write has returned (null when
  // nothing was folded). If the write fails, nothing is lost: the worker
  // folds whatever notes are stored. Any thread; needs no worker.
  std::shared_ptr<void> FoldInto(store::WriteBatch* batch);

  // The cursor's name for a collection (in the store's cursor table).
  static std::string CursorName(int64_t collection_key);

 private:
  void Run();
  // Stores the cursors that moved: every one (`all`), or those last stored
  // more than kCursorDelayMs ago.
  void PutCursors(bool all);
  static constexpr int64_t kCursorDelayMs = 1000;
  // Notes FoldInto folded (collection '|' id): the worker skips them once.
  static std::string FoldedKey(int64_t collection, std::string_view note_id);
  bool TakeFolded(int64_t collection, std::string_view note_id);
  static constexpr size_t kMaxFolded = 100'000;
  // Folds the notes added to one collection after its cursor.
  void FoldCollection(int64_t collection);
  // An update note as the fold reads it: its bytes and what the policy
  // decides on (from a stored record or from a batch about to be written).
  struct NoteView {
    std::string_view raw;
    policy::ObjectMeta meta;
    std::string_view id;
  };
  // The task's next version, as its owner's, with the notes it names as
  // applied and `fresh` (new update notes for it) folded in; nullopt when
  // the fold changes nothing, the task is not owned by an organization
  // homed here, or it cannot be read. The caller holds the task's lock.
  struct Fold {
    std::string owner;
    std::string object;
  };
  std::optional<Fold> NextVersion(int64_t collection, const std::string& task_id,
                                  const std::vector<NoteView>& fresh, const policy::TrustModel& model);
  // Folds `fresh` into the task and writes the result (with `cursor`, when
  // given, in the same commit); true when `cursor` was written.
  bool FoldTask(int64_t collection, const std::string& task_id, const std::vector<NoteView>& fresh,
                const policy::TrustModel& model, std::optional<store::CursorUpdate> cursor);

  // `object` validated and stamped as `owner`'s (the coordination producer of
  // this hub), ready to join a batch.
  ingest::Prepared PrepareAsOwner(int64_t collection, const std::string& owner, std::string_view object,
                                  const policy::TrustModel& model) const;
  // Validates and writes `object` as `owner`'s (the coordination producer of
  // this hub); false, logged and counted as a failure, when it cannot be.
  bool WriteAsOwner(int64_t collection, const std::string& owner, std::string_view object,
                    const policy::TrustModel& model, const std::string& what,
                    std::optional<store::CursorUpdate> cursor = std::nullopt);

  // A new owner's incident derived from one of this hub's incidents that was
  // offered to it: the old incident's last version, closed, `handed_to` it.
  void CloseHandedOver(int64_t collection, const store::ObjectRecord& fresh,
                       const boost::json::object& incident, const policy::TrustModel& model);

  store::Store* store_;
  policy::DecisionPoint* policy_;
  LatestHints hints_;  // where each task's latest version was (the worker's reads)
  std::string hub_name_;
  std::function<std::mutex&(std::string_view)> lock_for_;
  NotesOf notes_of_;
  const Clock* clock_;

  // Never held across a store call: the commit listener takes it on the
  // store's thread before a write's callback runs (WriteSync would wait for
  // itself).
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::set<int64_t> pending_;  // GUARDED_BY(mu_): collections with new commits
  bool everything_ = true;     // GUARDED_BY(mu_): fold every collection (start-up)
  bool stopping_ = false;      // GUARDED_BY(mu_)
  bool started_ = false;
  FolderStats stats_;          // GUARDED_BY(mu_)
  // The worker's, per collection: the last note folded, what the store
  // holds, and when it was stored.
  struct Cursor {
    int64_t folded = 0;
    int64_t stored = 0;
    int64_t stored_at_us = 0;
  };
  std::map<int64_t, Cursor> cursors_;
  std::mutex folded_mu_;
  std::unordered_set<std::string> folded_;  // GUARDED_BY(folded_mu_)
  std::thread worker_;
};

}  // namespace kizuna::coord
