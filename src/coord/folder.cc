#include "coord/folder.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <algorithm>
#include <map>
#include <vector>

#include "coord/call.h"
#include "coord/requests.h"
#include "coord/task_fold.h"
#include "ingest/ingest.h"
#include "policy/decide.h"
#include "policy/extensions.h"
#include "policy/stamp.h"
#include "stix/object.h"

namespace kizuna::coord {

namespace json = boost::json;

Folder::Folder(store::Store* store, policy::DecisionPoint* policy, std::string hub_name,
               std::function<std::mutex&(std::string_view)> lock_for, const Clock* clock)
    : store_(store),
      policy_(policy),
      hub_name_(hub_name.empty() ? "local" : std::move(hub_name)),
      lock_for_(std::move(lock_for)),
      clock_(clock) {}

Folder::~Folder() { Stop(); }

std::string Folder::CursorName(int64_t collection_key) {
  return "coord-fold/" + std::to_string(collection_key);
}

void Folder::Start() {
  if (started_) return;
  started_ = true;
  store_->AddCommitListener([this](const store::CommitNotice& n) {
    std::lock_guard lock(mu_);
    pending_.insert(n.collection);
    cv_.notify_one();
  });
  worker_ = std::thread([this] { Run(); });
}

void Folder::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (worker_.joinable()) worker_.join();
}

FolderStats Folder::Stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void Folder::Run() {
  for (;;) {
    std::set<int64_t> work;
    {
      std::unique_lock lock(mu_);
      const bool woken = cv_.wait_for(lock, std::chrono::milliseconds(kCursorDelayMs),
                                      [&] { return stopping_ || everything_ || !pending_.empty(); });
      if (stopping_ || !woken) {
        lock.unlock();
        PutCursors(/*all=*/true);
        if (stopping_) return;
        continue;
      }
      work.swap(pending_);
      if (everything_) {
        everything_ = false;
        lock.unlock();
        auto roots = store_->ListApiRoots();
        if (roots.ok()) {
          for (const auto& r : *roots) {
            auto cols = store_->ListCollections(r.name);
            if (!cols.ok()) continue;
            for (const auto& c : *cols) work.insert(c.key);
          }
        } else {
          spdlog::error("coordination: cannot list collections to fold: {}", roots.error().message());
        }
      }
    }
    for (int64_t c : work) FoldCollection(c);
    PutCursors(/*all=*/false);
  }
}

void Folder::PutCursors(bool all) {
  const int64_t now = clock_->NowMicros();
  for (auto& [collection, c] : cursors_) {
    if (c.stored == c.folded || (!all && now - c.stored_at_us < kCursorDelayMs * 1000)) continue;
    Status s = store_->PutCursor({CursorName(collection), std::to_string(c.folded)});
    if (!s.ok()) {
      spdlog::error("coordination: cannot store the fold cursor: {}", s.message());
      continue;
    }
    c.stored = c.folded;
    c.stored_at_us = now;
  }
}

void Folder::FoldCollection(int64_t collection) {
  // The stored cursor is read once per collection; afterwards this thread's
  // copy is the truth (every commit of the collection comes through here).
  auto known = cursors_.find(collection);
  if (known == cursors_.end()) {
    auto cursor_text = store_->GetCursor(CursorName(collection));
    if (!cursor_text.ok()) {
      spdlog::error("coordination: cannot read the fold cursor: {}", cursor_text.error().message());
      return;
    }
    Cursor c;
    c.folded = c.stored = cursor_text->has_value() ? std::strtoll((*cursor_text)->c_str(), nullptr, 10) : 0;
    c.stored_at_us = clock_->NowMicros();
    known = cursors_.emplace(collection, c).first;
  }
  Cursor& at = known->second;
  int64_t& cursor = at.folded;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    store::ObjectQuery q;
    q.collection = collection;
    q.types = {"note", "incident"};
    q.versions.all = true;
    q.limit = 500;
    q.added_after_us = cursor;
    auto page = store_->Query(q, std::nullopt);
    if (!page.ok()) {
      spdlog::error("coordination: cannot read notes to fold: {}", page.error().message());
      return;
    }
    if (page->records.empty()) return;
    std::map<std::string, std::vector<NoteView>> tasks;
    int64_t seen = 0;
    std::vector<std::pair<const store::ObjectRecord*, json::object>> accepted;
    for (const auto& r : page->records) {
      auto parsed = stix::ParseJson(r.raw);
      if (!parsed.ok() || !parsed->is_object()) continue;
      if (r.type == "incident") {
        // A new owner's incident derived from one of ours: a handover accepted.
        if (r.raw.find("derived_from_ref") != std::string::npos) {
          accepted.emplace_back(&r, std::move(parsed->as_object()));
        }
        continue;
      }
      auto u = ReadTaskUpdate(parsed->as_object());
      if (!u.ok()) continue;
      ++seen;
      if (TakeFolded(collection, r.id)) continue;  // folded in its own commit
      tasks[u->task_ref].push_back(NoteView{r.raw, policy::MetaOf(r, collection), r.id});
    }
    auto model = policy_->Model();
    if (!model.ok()) {
      spdlog::error("coordination: no trust model to fold with: {}", model.error().message());
      return;
    }
    cursor = page->records.back().date_added_us;
    // The cursor is stored after the folds it covers: in the last one's
    // commit when it writes one, else by PutCursors at most every
    // kCursorDelayMs (notes folded with their commit leave nothing to write;
    // after a crash the worker reads them again and finds them applied).
    std::optional<store::CursorUpdate> next_cursor =
        store::CursorUpdate{CursorName(collection), std::to_string(cursor)};
    size_t left = tasks.size();
    for (const auto& [t, fresh] : tasks) {
      --left;
      const bool last = left == 0 && accepted.empty();
      if (FoldTask(collection, t, fresh, **model, last ? next_cursor : std::nullopt)) {
        next_cursor.reset();
        at.stored = cursor;
        at.stored_at_us = clock_->NowMicros();
      }
    }
    for (const auto& [r, incident] : accepted) CloseHandedOver(collection, *r, incident, **model);
    {
      std::lock_guard lock(mu_);
      stats_.notes_seen += seen;
    }
    if (!page->more) return;
  }
}

std::optional<Folder::Fold> Folder::NextVersion(int64_t collection, const std::string& task_id,
                                                const std::vector<NoteView>& fresh,
                                                const policy::TrustModel& model) {
  // The task's latest version, from where it was last found (hints.h).
  const int64_t hint = hints_.After(collection, task_id);
  std::optional<Located> task;
  for (int pass = hint > 0 ? 0 : 1; pass < 2 && !task; ++pass) {
    store::ObjectQuery q;
    q.collection = collection;
    q.ids = {task_id};
    if (pass == 0) q.ids_added_after = {hint};
    q.limit = 16;
    auto page = store_->Query(q, std::nullopt);
    if (!page.ok()) return std::nullopt;
    task = detail::PickLineage(std::move(page->records), /*creator_only=*/true);
  }
  if (!task || task->record.type != "task") return std::nullopt;
  hints_.Found(collection, task_id, task->record.date_added_us);
  // Only the owner's hub folds its tasks.
  const std::string owner = task->record.producer;
  const policy::Org* org = model.FindOrg(owner);
  if (org == nullptr || !org->home_hub.empty()) return std::nullopt;

  // Only notes the owner may see, each read as its creator's: a note whose
  // content names an organization other than the one that wrote it (a copy
  // relayed by a third party) never speaks for the assignee.
  policy::Reader as_owner = policy::MakeAccountReader(model, "", owner);
  auto read = [&](std::string_view raw, const policy::ObjectMeta& meta, std::vector<TaskUpdate>* into) {
    if (!policy::Decide(model, as_owner, meta, policy::Path::kCoordination).allow) return;
    auto parsed = stix::ParseJson(raw);
    if (!parsed.ok() || !parsed->is_object()) return;
    auto u = ReadTaskUpdate(parsed->as_object());
    if (u.ok() && u->task_ref == task_id && u->organization == meta.producer) {
      into->push_back(std::move(*u));
    }
  };
  std::vector<TaskUpdate> updates;
  for (const NoteView& n : fresh) read(n.raw, n.meta, &updates);
  // Usually the new notes come after the task's last change: the next
  // version follows from the task's own state. Otherwise (a late note, a
  // start-up) fold every note the task names as applied with the new ones:
  // a fold depends only on the set, so reading the applied ones back by id
  // gives the same result as reading every note of the collection.
  Result<std::optional<std::string>> folded = std::optional<std::string>();
  auto step = coord::FoldTaskAfter(task->object, updates, clock_->NowMicros());
  if (step.ok() && step->possible) {
    folded = std::move(step->next);
  } else {
    // Every update note of the task (a version names only the last ones it
    // folded): from the note index, or else from every note of the collection.
    std::vector<std::string> ids;
    if (notes_of_) {
      auto listed = notes_of_(collection, task_id);
      if (!listed.ok()) return std::nullopt;
      ids = std::move(*listed);
    }
    store::ObjectQuery nq;
    nq.collection = collection;
    nq.versions.all = true;
    nq.limit = 1000;
    for (size_t i = 0; notes_of_ ? i < ids.size() : i == 0; i += 500) {
      if (notes_of_) {
        nq.ids.assign(ids.begin() + static_cast<ptrdiff_t>(i),
                      ids.begin() + static_cast<ptrdiff_t>(std::min(ids.size(), i + 500)));
      } else {
        nq.types = {"note"};
      }
      std::optional<int64_t> after;
      for (;;) {
        auto notes = store_->Query(nq, after);
        if (!notes.ok()) return std::nullopt;
        for (const auto& r : notes->records) read(r.raw, policy::MetaOf(r, collection), &updates);
        if (!notes->more || notes->records.empty()) break;
        after = notes->records.back().date_added_us;
      }
    }
    folded = coord::FoldTask(task->object, updates, clock_->NowMicros());
  }
  if (!folded.ok()) {
    spdlog::warn("coordination: task {} cannot be folded: {}", task_id, folded.error().message());
    return std::nullopt;
  }
  if (!folded->has_value()) return std::nullopt;
  return Fold{owner, std::move(**folded)};
}

std::string Folder::FoldedKey(int64_t collection, std::string_view note_id) {
  std::string k = std::to_string(collection);
  k += '|';
  k += note_id;
  return k;
}

bool Folder::TakeFolded(int64_t collection, std::string_view note_id) {
  std::lock_guard lock(folded_mu_);
  return folded_.erase(FoldedKey(collection, note_id)) > 0;
}

bool Folder::FoldTask(int64_t collection, const std::string& task_id, const std::vector<NoteView>& fresh,
                      const policy::TrustModel& model, std::optional<store::CursorUpdate> cursor) {
  std::lock_guard task_lock(lock_for_(task_id));
  auto fold = NextVersion(collection, task_id, fresh, model);
  if (!fold) return false;
  const bool with_cursor = cursor.has_value();
  if (!WriteAsOwner(collection, fold->owner, fold->object, model, "the fold of task " + task_id,
                    std::move(cursor))) {
    return false;
  }
  std::lock_guard lock(mu_);
  ++stats_.folds;
  return with_cursor;
}

std::shared_ptr<void> Folder::FoldInto(store::WriteBatch* batch) {
  // The batch's task update notes, per task.
  std::map<std::string, std::vector<NoteView>> tasks;
  for (const store::NewObject& o : batch->objects) {
    if (o.type != "note" || o.raw.find("task_ref") == std::string::npos) continue;
    auto parsed = stix::ParseJson(o.raw);
    if (!parsed.ok() || !parsed->is_object()) continue;
    auto u = ReadTaskUpdate(parsed->as_object());
    if (!u.ok()) continue;
    tasks[u->task_ref].push_back(NoteView{
        o.raw, policy::ObjectMeta{o.marking, o.producer, o.audience, batch->collection, o.granular, o.origin},
        o.id});
  }
  if (tasks.empty()) return nullptr;
  auto model = policy_->Model();
  if (!model.ok()) return nullptr;  // the worker folds them when it can
  // Every task's lock, taken in one order (address): the API and the worker
  // hold one lock at a time, so this cannot deadlock with them.
  std::vector<std::mutex*> mutexes;
  for (const auto& [t, notes] : tasks) mutexes.push_back(&lock_for_(t));
  std::sort(mutexes.begin(), mutexes.end());
  mutexes.erase(std::unique(mutexes.begin(), mutexes.end()), mutexes.end());
  struct Held {
    std::vector<std::unique_lock<std::mutex>> locks;
  };
  auto held = std::make_shared<Held>();
  for (std::mutex* m : mutexes) held->locks.emplace_back(*m);
  const size_t before = batch->objects.size();
  for (const auto& [t, fresh] : tasks) {
    auto fold = NextVersion(batch->collection, t, fresh, **model);
    if (!fold) continue;
    ingest::Prepared p = PrepareAsOwner(batch->collection, fold->owner, fold->object, **model);
    if (!p.failures.empty()) {
      // The worker tries again after the commit (and logs what it refuses).
      continue;
    }
    for (auto& o : p.batch.objects) batch->objects.push_back(std::move(o));
    // The worker need not read these notes again once they are stored.
    std::lock_guard lock(folded_mu_);
    if (folded_.size() >= kMaxFolded) folded_.clear();  // it reads them, finds them applied
    for (const NoteView& n : fresh) folded_.insert(FoldedKey(batch->collection, n.id));
  }
  if (batch->objects.size() == before) return nullptr;
  {
    std::lock_guard lock(mu_);
    stats_.folds_with_notes += static_cast<int64_t>(batch->objects.size() - before);
  }
  return held;
}

ingest::Prepared Folder::PrepareAsOwner(int64_t collection, const std::string& owner, std::string_view object,
                                        const policy::TrustModel& model) const {
  std::vector<std::string_view> objects = {object};
  return ingest::PrepareObjects(objects, collection, model,
                                policy::ImportProducer(owner, "coordination@" + hub_name_), nullptr);
}

bool Folder::WriteAsOwner(int64_t collection, const std::string& owner, std::string_view object,
                          const policy::TrustModel& model, const std::string& what,
                          std::optional<store::CursorUpdate> cursor) {
  ingest::Prepared p = PrepareAsOwner(collection, owner, object, model);
  p.batch.cursor = std::move(cursor);
  // mu_ is taken only after the write: the commit listener takes it too,
  // on the store's thread, before WriteSync returns.
  std::string failure;
  if (!p.failures.empty()) {
    failure = "was refused: " + p.failures.front().message;
  } else if (auto w = store_->WriteSync(std::move(p.batch)); !w.ok()) {
    failure = "cannot be written: " + w.error().message();
  }
  if (failure.empty()) return true;
  spdlog::error("coordination: {} {}", what, failure);
  std::lock_guard lock(mu_);
  ++stats_.failures;
  return false;
}

void Folder::CloseHandedOver(int64_t collection, const store::ObjectRecord& fresh,
                             const json::object& incident, const policy::TrustModel& model) {
  auto coord_str = [](const json::object& o, std::string_view key) {
    return detail::Str(detail::Ext(o, policy::kCoordinationExtensionId), key);
  };
  const json::value* by = incident.if_contains("created_by_ref");
  if (!by || !by->is_string() || by->get_string() != fresh.producer) return;  // not its creator's
  const std::string old_id = coord_str(incident, "derived_from_ref");
  if (old_id.empty()) return;
  std::lock_guard lock(lock_for_(old_id));
  store::ObjectQuery q;
  q.collection = collection;
  q.ids = {old_id};
  q.limit = 16;
  auto page = store_->Query(q, std::nullopt);
  if (!page.ok()) return;
  auto old = detail::PickLineage(std::move(page->records), /*creator_only=*/true);
  if (!old || old->record.type != "incident") return;
  const std::string owner = old->record.producer;
  const policy::Org* org = model.FindOrg(owner);
  if (org == nullptr || !org->home_hub.empty()) return;  // its owner's hub closes it
  if (coord_str(old->object, "handover_to") != fresh.producer) return;  // not offered to them
  if (!coord_str(old->object, "handed_to").empty() || IncidentStatus(old->object) == "closed") return;
  Author author{owner, "coordination@" + hub_name_, clock_->NowMicros()};
  auto next = NextIncidentVersion(old->object, author, [&](json::object& core, json::object& coord) {
    core["investigation_status"] = "closed";
    coord["handed_to"] = json::object{{"incident", fresh.id}, {"organization", fresh.producer}};
  });
  if (!next.ok()) return;
  WriteAsOwner(collection, owner, *next, model, "closing handed-over incident " + old_id);
}

}  // namespace kizuna::coord
