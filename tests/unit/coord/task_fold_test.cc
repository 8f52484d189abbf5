// The fold of task updates (docs/coordination.md): order-independent,
// idempotent, limited to the owner's and the assignee's notes, monotonic
// versions, and a result that is still a valid Incident Core task.

#include "coord/task_fold.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <string>
#include <vector>

#include "policy/extensions.h"
#include "stix/object.h"

namespace kizuna::coord {
namespace {

namespace json = boost::json;

constexpr const char* kOwner = "identity--0e3c0ab4-8d8e-4f4e-9c55-1a6f1c0a0001";     // US centre
constexpr const char* kAssignee = "identity--0e3c0ab4-8d8e-4f4e-9c55-1a6f1c0a0002";  // JP utility
constexpr const char* kStranger = "identity--0e3c0ab4-8d8e-4f4e-9c55-1a6f1c0a0003";
constexpr const char* kTaskId = "task--1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";

json::object Task() {
  json::object t{
      {"type", "task"},
      {"spec_version", "2.1"},
      {"id", kTaskId},
      {"created_by_ref", kOwner},
      {"created", "2026-12-01T08:00:00.000Z"},
      {"modified", "2026-12-01T08:00:00.000Z"},
      {"name", "Block the phishing domain at the resolvers"},
      {"outcome", "pending"},
      {"extensions",
       json::object{
           {"extension-definition--2074a052-8be4-4932-849e-f5e7798e0030",
            json::object{{"extension_type", "new-sdo"}}},
           {policy::kCoordinationExtensionId,
            json::object{{"extension_type", "property-extension"},
                         {"assignee_organization", kAssignee},
                         {"assignee_account", "kaito@jp-hub"}}}}}};
  return t;
}

json::object Note(const std::string& n, const std::string& created, const std::string& org,
                  const std::string& outcome, int64_t progress = -1,
                  const std::string& task = kTaskId) {
  json::object ext{{"extension_type", "property-extension"},
                   {"task_ref", task},
                   {"author", org == kAssignee ? "kaito@jp-hub" : "alice@us-hub"}};
  if (!outcome.empty()) ext["outcome"] = outcome;
  if (progress >= 0) ext["progress"] = progress;
  return json::object{{"type", "note"},
                      {"spec_version", "2.1"},
                      {"id", "note--7e1f0000-0000-4000-8000-" + n},
                      {"created", created},
                      {"modified", created},
                      {"created_by_ref", org},
                      {"content", "update " + n},
                      {"object_refs", json::array{task}},
                      {"extensions", json::object{{policy::kCoordinationExtensionId, ext}}}};
}

TaskUpdate Update(const json::object& note) {
  auto u = ReadTaskUpdate(note);
  EXPECT_TRUE(u.ok()) << (u.ok() ? "" : u.error().message());
  return u.ok() ? *u : TaskUpdate{};
}

const int64_t kNow = 1'796'000'000'000'000;  // 2026-11-30, earlier than the task's modified

json::object Fold(const json::object& task, const std::vector<TaskUpdate>& updates,
                  int64_t now = kNow) {
  auto r = FoldTask(task, updates, now);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  EXPECT_TRUE(r.ok() && r->has_value()) << "the fold changed nothing";
  if (!r.ok() || !r->has_value()) return task;
  return json::parse(**r).as_object();
}

json::object Coordination(const json::object& task) {
  return task.at("extensions").as_object().at(policy::kCoordinationExtensionId).as_object();
}

TEST(TaskFoldTest, ReadsTaskUpdatesAndRefusesMalformedOnes) {
  TaskUpdate u = Update(Note("000000000001", "2026-12-01T09:00:00.000Z", kAssignee, "ongoing", 40));
  EXPECT_EQ(u.task_ref, kTaskId);
  EXPECT_EQ(u.organization, kAssignee);
  EXPECT_EQ(u.author, "kaito@jp-hub");
  EXPECT_EQ(u.outcome, "ongoing");
  EXPECT_EQ(u.progress, 40);

  json::object plain = Note("000000000002", "2026-12-01T09:00:00.000Z", kAssignee, "");
  plain.erase("extensions");
  auto r = ReadTaskUpdate(plain);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kNotFound);

  for (auto& [key, value] : std::vector<std::pair<std::string, json::value>>{
           {"outcome", "done"}, {"progress", 101}, {"progress", -1}, {"task_ref", "event--x"}}) {
    json::object bad = Note("000000000003", "2026-12-01T09:00:00.000Z", kAssignee, "ongoing");
    bad["extensions"].as_object()[policy::kCoordinationExtensionId].as_object()[key] = value;
    auto b = ReadTaskUpdate(bad);
    ASSERT_FALSE(b.ok()) << key;
    EXPECT_EQ(b.error().code(), StatusCode::kInvalidArgument) << key;
  }
  json::object anonymous = Note("000000000004", "2026-12-01T09:00:00.000Z", kAssignee, "ongoing");
  anonymous.erase("created_by_ref");
  EXPECT_FALSE(ReadTaskUpdate(anonymous).ok());
}

TEST(TaskFoldTest, ConcurrentUpdatesAreAllKeptInOneOrderWhateverTheArrival) {
  // Two updates written in the same millisecond on two hubs, and a later one.
  std::vector<TaskUpdate> updates = {
      Update(Note("00000000000b", "2026-12-01T09:00:00.000Z", kAssignee, "ongoing", 30)),
      Update(Note("00000000000a", "2026-12-01T09:00:00.000Z", kOwner, "", 50)),
      Update(Note("00000000000c", "2026-12-01T10:00:00.000Z", kAssignee, "successful", 100)),
  };
  std::sort(updates.begin(), updates.end(),
            [](const TaskUpdate& a, const TaskUpdate& b) { return a.note_id < b.note_id; });
  std::string first;
  do {
    auto r = FoldTask(Task(), updates, kNow);
    ASSERT_TRUE(r.ok() && r->has_value());
    if (first.empty()) first = **r;
    EXPECT_EQ(**r, first) << "the result depends on the arrival order";
  } while (std::next_permutation(
      updates.begin(), updates.end(),
      [](const TaskUpdate& a, const TaskUpdate& b) { return a.note_id < b.note_id; }));
  json::object t = json::parse(first).as_object();
  EXPECT_EQ(t["outcome"].as_string(), "successful");
  json::object c = Coordination(t);
  json::array applied = c["applied_updates"].as_array();
  ASSERT_EQ(applied.size(), 3u);
  EXPECT_EQ(applied[0].as_string(), "note--7e1f0000-0000-4000-8000-00000000000a");  // id breaks the tie
  EXPECT_EQ(applied[1].as_string(), "note--7e1f0000-0000-4000-8000-00000000000b");
  EXPECT_EQ(c["progress"].as_int64(), 100);
  EXPECT_EQ(c["last_change"].as_object()["author"].as_string(), "kaito@jp-hub");
  EXPECT_EQ(c["last_change"].as_object()["organization"].as_string(), kAssignee);
  EXPECT_EQ(c["assignee_account"].as_string(), "kaito@jp-hub");
  EXPECT_EQ(c["initial_outcome"].as_string(), "pending");
}

TEST(TaskFoldTest, OnlyTheOwnersAndTheAssigneesNotesForThisTaskCount) {
  std::vector<TaskUpdate> updates = {
      Update(Note("000000000001", "2026-12-01T09:00:00.000Z", kAssignee, "ongoing")),
      Update(Note("000000000002", "2026-12-01T11:00:00.000Z", kStranger, "cancelled")),
      Update(Note("000000000003", "2026-12-01T12:00:00.000Z", kAssignee, "failed", -1,
                  "task--1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e60")),
      Update(Note("000000000001", "2026-12-01T09:00:00.000Z", kAssignee, "ongoing")),  // again
  };
  json::object t = Fold(Task(), updates);
  EXPECT_EQ(t["outcome"].as_string(), "ongoing");
  EXPECT_EQ(Coordination(t)["applied_updates"].as_array().size(), 1u);
}

TEST(TaskFoldTest, FoldingTheSameNotesAgainChangesNothingAndALateNoteConverges) {
  auto a = Update(Note("000000000001", "2026-12-01T09:00:00.000Z", kAssignee, "ongoing", 20));
  auto b = Update(Note("000000000002", "2026-12-01T09:30:00.000Z", kOwner, "", 60));
  auto c = Update(Note("000000000003", "2026-12-01T10:00:00.000Z", kAssignee, "successful"));
  json::object v1 = Fold(Task(), {a, c});
  auto again = FoldTask(v1, std::vector<TaskUpdate>{c, a}, kNow);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value()) << "a second fold of the same notes wrote a version";
  // b arrives late (written before c): one more version, the content a hub
  // that had all three from the start computes.
  json::object v2 = Fold(v1, {a, b, c});
  json::object direct = Fold(Task(), {a, b, c});
  EXPECT_EQ(v2["outcome"], direct["outcome"]);
  EXPECT_EQ(Coordination(v2), Coordination(direct));
  EXPECT_EQ(Coordination(v2)["progress"].as_int64(), 60);
  // A withdrawn note (the caller leaves revoked notes out) is folded out again,
  // back to the outcome before any update.
  json::object v3 = Fold(v2, {b});
  EXPECT_EQ(v3["outcome"].as_string(), "pending");
}

TEST(TaskFoldTest, VersionsOnlyMoveForwardAndStayValidStix) {
  auto a = Update(Note("000000000001", "2026-12-01T09:00:00.000Z", kAssignee, "ongoing"));
  // "now" earlier than the task's modified: still one millisecond later.
  json::object v1 = Fold(Task(), {a}, kNow);
  EXPECT_EQ(v1["modified"].as_string(), "2026-12-01T08:00:00.001Z");
  auto b = Update(Note("000000000002", "2026-12-01T09:10:00.000Z", kAssignee, "successful"));
  const int64_t later = 1'796'200'000'123'456;  // 2026-12-02: well after
  json::object v2 = Fold(v1, {a, b}, later);
  EXPECT_EQ(v2["modified"].as_string(), FormatTimestamp(later - later % 1000, 3));
  for (const json::object& v : {v1, v2}) {
    std::vector<stix::Diagnostic> diags;
    auto info = stix::ValidateObject(v, stix::ValidateOptions(), &diags);
    EXPECT_TRUE(info.ok()) << (info.ok() ? "" : info.error().message());
  }
  // Everything else the owner wrote is kept.
  EXPECT_EQ(v2["name"], Task()["name"]);
  EXPECT_EQ(v2["created"], Task()["created"]);
  json::object no_owner = Task();
  no_owner.erase("created_by_ref");
  EXPECT_FALSE(FoldTask(no_owner, std::vector<TaskUpdate>{a}, kNow).ok());
}

// The incremental fold, batch after batch of updates in order, gives exactly
// the full fold's version (outcome, progress, applied list, last change);
// a late note (before the last change) is refused so the caller folds all.
TEST(TaskFoldTest, TheIncrementalFoldEqualsTheFullFoldAndRefusesLateNotes) {
  std::vector<TaskUpdate> all;
  const char* outcomes[] = {"ongoing", "", "failed", "ongoing", "", "successful"};
  for (int i = 0; i < 12; ++i) {
    const std::string n = "000000000" + std::to_string(100 + i);  // 12 digits
    const std::string created = std::string("2026-12-01T09:") + (i < 10 ? "0" : "") + std::to_string(i) + ":00.000Z";
    all.push_back(Update(Note(n, created, i % 3 == 0 ? kOwner : kAssignee, outcomes[i % 6],
                              i % 4 == 1 ? -1 : i * 8)));
  }
  all.push_back(Update(Note("000000000999", "2026-12-01T09:30:00.000Z", kStranger, "cancelled")));
  json::object inc = Task();
  int64_t now = kNow;
  for (size_t from = 0; from < all.size(); from += 3) {
    std::vector<TaskUpdate> batch(all.begin() + static_cast<ptrdiff_t>(from),
                                  all.begin() + static_cast<ptrdiff_t>(std::min(all.size(), from + 3)));
    std::reverse(batch.begin(), batch.end());  // arrival order does not matter within a batch
    std::vector<TaskUpdate> so_far(all.begin(), all.begin() + static_cast<ptrdiff_t>(std::min(all.size(), from + 3)));
    auto full = FoldTask(inc, so_far, now);
    auto step = FoldTaskAfter(inc, batch, now);
    ASSERT_TRUE(full.ok() && step.ok());
    ASSERT_TRUE(step->possible) << from;
    ASSERT_EQ(full->has_value(), step->next.has_value()) << from;
    if (!full->has_value()) continue;
    EXPECT_EQ(json::parse(**full), json::parse(*step->next)) << from;
    inc = json::parse(*step->next).as_object();
    now += 1000;
  }
  EXPECT_EQ(inc.at("outcome").as_string(), "successful");
  EXPECT_EQ(Coordination(inc).at("applied_updates").as_array().size(), 12u);
  // Already applied: nothing to do. Late: not possible.
  auto again = FoldTaskAfter(inc, all, now);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->possible);
  EXPECT_FALSE(again->next.has_value());
  std::vector<TaskUpdate> late{Update(Note("000000000050", "2026-12-01T09:05:30.000Z", kAssignee, "cancelled"))};
  auto refused = FoldTaskAfter(inc, late, now);
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->possible);
  // A task whose last change does not name its last applied note is not trusted either.
  json::object odd = inc;
  odd["extensions"].as_object()[policy::kCoordinationExtensionId].as_object().erase("last_change");
  std::vector<TaskUpdate> next{Update(Note("000000000060", "2026-12-01T10:00:00.000Z", kAssignee, "ongoing"))};
  EXPECT_FALSE(FoldTaskAfter(odd, next, now)->possible);
  EXPECT_TRUE(FoldTaskAfter(inc, next, now)->possible);
}

// A long-lived task: each version names only the last kAppliedTail notes it
// folded and counts them all, so a version does not grow with the updates;
// the incremental fold still equals the full one; a note applied before the
// tail, delivered again, changes nothing once the full set is folded; a late
// note older than the tail is counted.
TEST(TaskFoldTest, AVersionNamesTheLastUpdatesItFoldedAndCountsThemAll) {
  const int kUpdates = 150;
  std::vector<TaskUpdate> all;
  for (int i = 0; i < kUpdates; ++i) {
    char n[32], created[64];
    std::snprintf(n, sizeof n, "%012d", 1000 + i);
    std::snprintf(created, sizeof created, "2026-12-01T%02d:%02d:00.000Z", 9 + i / 60, i % 60);
    all.push_back(Update(Note(n, created, i % 2 ? kOwner : kAssignee, i % 5 ? "ongoing" : "", i % 101)));
  }
  json::object inc = Task();
  int64_t now = kNow;
  size_t size_at_100 = 0;
  for (size_t from = 0; from < all.size(); from += 10) {
    std::vector<TaskUpdate> batch(all.begin() + static_cast<ptrdiff_t>(from), all.begin() + static_cast<ptrdiff_t>(from + 10));
    std::vector<TaskUpdate> so_far(all.begin(), all.begin() + static_cast<ptrdiff_t>(from + 10));
    auto full = FoldTask(inc, so_far, now);
    auto step = FoldTaskAfter(inc, batch, now);
    ASSERT_TRUE(full.ok() && step.ok() && step->possible && full->has_value() && step->next) << from;
    EXPECT_EQ(json::parse(**full), json::parse(*step->next)) << from;
    inc = json::parse(*step->next).as_object();
    if (from + 10 == 100) size_at_100 = step->next->size();
    now += 1000;
  }
  json::object c = Coordination(inc);
  EXPECT_EQ(c.at("applied_count").as_int64(), kUpdates);
  const json::array& tail = c.at("applied_updates").as_array();
  ASSERT_EQ(tail.size(), kAppliedTail);
  for (size_t i = 0; i < kAppliedTail; ++i) {
    EXPECT_EQ(tail[i].as_string(), all[kUpdates - kAppliedTail + i].note_id) << i;
  }
  EXPECT_EQ(c.at("last_change").as_object().at("note").as_string(), all.back().note_id);
  EXPECT_EQ(c.at("progress").as_int64(), (kUpdates - 1) % 101);
  EXPECT_EQ(ReadTaskCoordination(inc).applied_count, kUpdates);
  // The same size at 100 and at 150 updates (the same digits in every id).
  EXPECT_EQ(json::serialize(inc).size(), size_at_100);

  // An update applied before the tail, delivered again: only the full set
  // tells, and it changes nothing.
  std::vector<TaskUpdate> old{all[3]};
  auto again = FoldTaskAfter(inc, old, now);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->possible);
  auto refold = FoldTask(inc, all, now);
  ASSERT_TRUE(refold.ok());
  EXPECT_FALSE(refold->has_value()) << "the same set wrote a version";
  // A late update older than the tail: counted, the tail and the state as before.
  std::vector<TaskUpdate> with_late = all;
  with_late.push_back(Update(Note("000000000999", "2026-12-01T09:00:30.000Z", kAssignee, "cancelled")));
  json::object v = Fold(inc, with_late, now);
  EXPECT_EQ(Coordination(v).at("applied_count").as_int64(), kUpdates + 1);
  EXPECT_EQ(Coordination(v).at("applied_updates"), c.at("applied_updates"));
  EXPECT_EQ(v.at("outcome"), inc.at("outcome"));
}

}  // namespace
}  // namespace kizuna::coord
