// The coordination API and CLI across two real hubs (issue 11): an incident
// opened on the US hub, a task assigned to an organization on the Japanese
// hub, updated there and seen on the first; concurrent updates from both
// sides (nothing lost, one order); a hub down while the assignee reports
// (converges); the policy on every coordination path (a third organization
// sees nothing: not the incident, not a count); bad input refused with a
// clear 4xx that changes nothing.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "coordination_support.h"
#include "federation_support.h"
#include "policy/extensions.h"
#include "harness.h"

namespace kizuna::testing {
namespace {

TEST_F(CoordinationTest, AnAssigneesUpdateOnItsOwnHubShowsOnTheOwnersHub) {
  std::string incident = Open("Grid campaign");
  std::string task = AddTask(incident, "JP Centre");
  // The task reaches the Japanese hub by federation; the assignee reports there.
  ASSERT_TRUE(WaitUntil([&] { return !TaskIn(Show(*jp_, "kenji", incident), task).empty(); }));
  HttpResponse r = Api(*jp_, "kenji", "POST", "tasks/" + task + "/updates",
                       R"({"outcome":"ongoing","progress":40,"note":"resolvers updated in Tokyo"})");
  ASSERT_EQ(r.status, 201) << r.body;
  std::string note = Field(Body(r), "id");
  // The owner's view shows it, attributed.
  json::object t;
  ASSERT_TRUE(WaitUntil([&] {
    t = TaskIn(Show(*us_, "alice", incident), task);
    return Field(t, "outcome") == "ongoing";
  })) << json::serialize(t);
  EXPECT_EQ(Field(t, "progress"), "40");
  ASSERT_TRUE(t.contains("last_change"));
  const json::object& lc = t.at("last_change").as_object();
  EXPECT_EQ(Field(lc, "author"), "kenji@jp-hub");
  EXPECT_EQ(Field(lc, "organization"), kJpCentre);
  EXPECT_EQ(Field(lc, "note"), note);
  EXPECT_EQ(Field(t.at("assignee").as_object(), "name"), "JP Centre");
  // The fold travels back: the assignee's hub shows the owner's canonical view.
  ASSERT_TRUE(WaitUntil([&] {
    json::object jt = TaskIn(Show(*jp_, "kenji", incident), task);
    return Field(jt, "outcome") == "ongoing" && Field(jt, "updates_pending") == "[]";
  }));
}

// A metric of `hub`'s /metrics (-1 when absent).
int64_t Metric(const TestHub& hub, const std::string& name) {
  HttpResponse r = HttpRequest(hub.port(), "GET", "/metrics", {});
  std::istringstream lines(r.body);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + " ", 0) == 0) return std::stoll(line.substr(name.size() + 1));
  }
  return -1;
}

// The owner's hub stores an update note and the task's version that folds
// it in one commit, whether the note comes from a peer (the inbound link) or
// from its own API: the update is in the owner's show as soon as the note
// is stored, and nothing is left for the fold worker to write afterwards.
TEST_F(CoordinationTest, TheOwnersHubFoldsAnUpdateInTheCommitThatStoresIt) {
  std::string incident = Open("Folded on arrival");
  std::string task = AddTask(incident, "JP Centre");
  ASSERT_TRUE(WaitUntil([&] { return !TaskIn(Show(*jp_, "kenji", incident), task).empty(); }));
  const int64_t with_before = Metric(*us_, "kizuna_coordination_folds_with_notes_total");
  const int64_t after_before = Metric(*us_, "kizuna_coordination_folds_after_total");
  ASSERT_GE(with_before, 0);
  ASSERT_GE(after_before, 0);
  const int kUpdates = 3;
  std::string last;
  for (int i = 1; i <= kUpdates; ++i) {
    // From the assignee's hub, then (the last one) from the owner's own API.
    const TestHub& hub = i < kUpdates ? *jp_ : *us_;
    HttpResponse r = Api(hub, i < kUpdates ? "kenji" : "alice", "POST", "tasks/" + task + "/updates",
                         R"({"outcome":"ongoing","progress":)" + std::to_string(i * 10) + "}");
    ASSERT_EQ(r.status, 201) << r.body;
    last = Field(Body(r), "id");
    // Once the note is on the owner's hub, its show already folds it.
    ASSERT_TRUE(WaitUntil([&] {
      return us_->Get("alice", std::string("/api1/collections/") + kColl + "/objects/" + last + "/").status == 200;
    }));
    json::object t = TaskIn(Show(*us_, "alice", incident), task);
    EXPECT_EQ(Field(t, "progress"), std::to_string(i * 10)) << json::serialize(t);
    EXPECT_EQ(Field(t, "updates_pending"), "[]");
    ASSERT_TRUE(t.contains("last_change"));
    EXPECT_EQ(Field(t.at("last_change").as_object(), "note"), last);
  }
  // Each fold was written with its note; the worker found them applied.
  EXPECT_EQ(Metric(*us_, "kizuna_coordination_folds_with_notes_total"), with_before + kUpdates);
  EXPECT_EQ(Metric(*us_, "kizuna_coordination_folds_after_total"), after_before);
  EXPECT_EQ(Metric(*us_, "kizuna_coordination_fold_failures_total"), 0);
}

TEST_F(CoordinationTest, ConcurrentUpdatesFromBothSidesAreAllKeptInOneOrder) {
  std::string incident = Open("Concurrent updates");
  std::string task = AddTask(incident, "JP Centre");
  ASSERT_TRUE(WaitUntil([&] { return !TaskIn(Show(*jp_, "kenji", incident), task).empty(); }));
  const int kEach = 5;
  std::thread us_side([&] {
    for (int i = 0; i < kEach; ++i) {
      HttpResponse r = Api(*us_, "alice", "POST", "tasks/" + task + "/updates",
                           R"({"note":"owner note )" + std::to_string(i) + R"("})");
      EXPECT_EQ(r.status, 201) << r.body;
    }
  });
  std::thread jp_side([&] {
    for (int i = 0; i < kEach; ++i) {
      HttpResponse r = Api(*jp_, "kenji", "POST", "tasks/" + task + "/updates",
                           R"({"outcome":"ongoing","progress":)" + std::to_string(10 * (i + 1)) + "}");
      EXPECT_EQ(r.status, 201) << r.body;
    }
  });
  us_side.join();
  jp_side.join();
  json::object us_task, jp_task;
  ASSERT_TRUE(WaitUntil([&] {
    us_task = TaskIn(Show(*us_, "alice", incident), task);
    jp_task = TaskIn(Show(*jp_, "kenji", incident), task);
    return Field(us_task, "updates_applied") == std::to_string(2 * kEach) &&
           Field(jp_task, "updates_applied") == std::to_string(2 * kEach);
  })) << json::serialize(us_task);
  // Both hubs hold the same canonical task: same notes, same order, same result.
  auto applied = [](const json::object& t) {
    return json::serialize(t.at("task").as_object().at("extensions").as_object().at(
        "extension-definition--2a5e6e5a-a061-424b-9e90-d6394f58d6e6").as_object().at("applied_updates"));
  };
  EXPECT_EQ(applied(us_task), applied(jp_task));
  EXPECT_EQ(Field(us_task, "progress"), "50");
  EXPECT_EQ(Field(us_task, "outcome"), "ongoing");
}

// A note is an update only from the organization that wrote it: a party in
// the audience that posts a note naming the assignee as its creator (a copy,
// its own lineage) does not speak for the assignee, and the owner's hub does
// not fold it; the assignee's own update still is.
TEST_F(CoordinationTest, ANoteRelayedByAnotherPartyNeverSpeaksForTheAssignee) {
  std::string incident = Open("Relayed note");
  std::string task = AddTask(incident, "JP Power");
  json::object jp_task;
  ASSERT_TRUE(WaitUntil([&] {
    jp_task = TaskIn(Show(*jp_, "kenji", incident), task);
    return !jp_task.empty();
  }));
  const json::object& stored = jp_task.at("task").as_object();
  const std::string forged_id = "note--0f0f0f0f-0000-4000-8000-000000000001";
  json::object forged{
      {"type", "note"},
      {"spec_version", "2.1"},
      {"id", forged_id},
      {"created", "2026-12-07T00:00:00.000Z"},
      {"modified", "2026-12-07T00:00:00.000Z"},
      {"created_by_ref", kJpPower},
      {"content", "cancel it"},
      {"object_refs", json::array{json::string(task)}},
      {"object_marking_refs", stored.at("object_marking_refs")},
      {"extensions", stored.at("extensions")}};
  json::object& exts = forged["extensions"].as_object();
  exts.erase("extension-definition--2074a052-8be4-4932-849e-f5e7798e0030");
  exts[policy::kCoordinationExtensionId] = json::object{{"extension_type", "property-extension"},
                                                         {"task_ref", task},
                                                         {"author", "hana@jp-hub"},
                                                         {"outcome", "cancelled"}};
  // A coordinator of JP Centre relays it (its own lineage of an object naming JP Power).
  HttpResponse posted = jp_->Post("taro", kColl, {json::serialize(forged)});
  ASSERT_EQ(posted.status, 202) << posted.body;
  ASSERT_NE(posted.body.find("\"success_count\":1"), std::string::npos) << posted.body;
  ASSERT_TRUE(WaitUntil([&] {
    return us_->Get("alice", std::string("/api1/collections/") + kColl + "/objects/" + forged_id + "/").status == 200;
  }));
  // The assignee's own update, after it, is folded; the relayed one is not.
  HttpResponse r = Api(*jp_, "hana", "POST", "tasks/" + task + "/updates", R"({"outcome":"ongoing","progress":30})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string real = std::string(Body(r)["id"].as_string());
  json::object us_task;
  ASSERT_TRUE(WaitUntil([&] {
    us_task = TaskIn(Show(*us_, "alice", incident), task);
    return us_task.contains("last_change") && Field(us_task.at("last_change").as_object(), "note") == real;
  })) << json::serialize(us_task);
  EXPECT_EQ(Field(us_task, "outcome"), "ongoing");
  EXPECT_EQ(Field(us_task, "updates_applied"), "1");
  EXPECT_EQ(json::serialize(us_task).find(forged_id), std::string::npos) << json::serialize(us_task);
}

// The notes on an incident are chosen per reader: a note addressed to one
// organization of the incident's audience is listed and counted for it and
// for nobody else (not in `notes`, not in `notes_total`).
TEST_F(CoordinationTest, ANoteIsListedAndCountedOnlyForThoseWhoMaySeeIt) {
  std::string incident = Open("Per-reader notes");
  ASSERT_TRUE(WaitUntil([&] { return !Show(*jp_, "hana", incident).empty(); }));
  HttpResponse r = Api(*jp_, "hana", "POST", "incidents/" + incident + "/notes", R"({"content":"for all"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string narrow_id = "note--0e0e0e0e-0000-4000-8000-000000000002";
  json::object narrow{
      {"type", "note"},
      {"spec_version", "2.1"},
      {"id", narrow_id},
      {"created", "2026-12-07T01:00:00.000Z"},
      {"modified", "2026-12-07T01:00:00.000Z"},
      {"created_by_ref", kJpCentre},
      {"content", "for JP Centre only"},
      {"object_refs", json::array{json::string(incident)}},
      {"object_marking_refs", json::array{kTlpAmberStrict}},
      {"extensions", json::object{{policy::kAudienceExtensionId,
                                   json::object{{"extension_type", "property-extension"},
                                                {"organizations", json::array{kJpCentre}}}}}}};
  HttpResponse posted = jp_->Post("kenji", kColl, {json::serialize(narrow)});
  ASSERT_NE(posted.body.find("\"success_count\":1"), std::string::npos) << posted.body;
  json::object kenji = Show(*jp_, "kenji", incident);
  json::object hana = Show(*jp_, "hana", incident);
  ASSERT_TRUE(kenji.contains("notes_total") && hana.contains("notes_total"));
  EXPECT_EQ(kenji.at("notes_total").as_int64(), 2);
  EXPECT_EQ(hana.at("notes_total").as_int64(), 1);
  EXPECT_NE(json::serialize(kenji.at("notes")).find(narrow_id), std::string::npos);
  EXPECT_EQ(json::serialize(hana).find(narrow_id), std::string::npos);
  // notes=0 lists none but still counts.
  HttpResponse none = Api(*jp_, "kenji", "GET", "incidents/" + incident + "?notes=0");
  ASSERT_EQ(none.status, 200);
  EXPECT_EQ(Body(none).at("notes").as_array().size(), 0u);
  EXPECT_EQ(Body(none).at("notes_total").as_int64(), 2);
  // The bundle has every note the reader may see.
  HttpResponse bundle = Api(*jp_, "hana", "GET", "incidents/" + incident + "/bundle");
  EXPECT_NE(bundle.body.find("for all"), std::string::npos);
  EXPECT_EQ(bundle.body.find(narrow_id), std::string::npos);
}

TEST_F(CoordinationTest, AnUpdateMadeWhileTheOwnersHubIsDownConvergesWhenItReturns) {
  std::string incident = Open("Owner hub down");
  std::string task = AddTask(incident, "JP Power");
  ASSERT_TRUE(WaitUntil([&] { return !TaskIn(Show(*jp_, "hana", incident), task).empty(); }));
  us_->Kill();
  HttpResponse r = Api(*jp_, "hana", "POST", "tasks/" + task + "/updates",
                       R"({"outcome":"successful","note":"substation isolated"})");
  ASSERT_EQ(r.status, 201) << r.body;
  // The assignee's hub shows its update as pending until the owner folds it.
  json::object pending = TaskIn(Show(*jp_, "hana", incident), task);
  EXPECT_EQ(Field(pending, "updates_pending"), "[\"" + Field(Body(r), "id") + "\"]");
  us_->Start();
  ASSERT_TRUE(WaitUntil([&] {
    return Field(TaskIn(Show(*us_, "alice", incident), task), "outcome") == "successful";
  }));
}

// The owner's hub killed (SIGKILL) while an assignee's updates stream in:
// notes it had stored but not folded, and those that arrive after it
// returns, are all folded once it restarts (its fold cursor is committed
// only after the folds), on both hubs, in one order.
TEST_F(CoordinationTest, TheOwnersHubKilledWhileUpdatesStreamInConverges) {
  std::string incident = Open("Killed mid-update");
  std::string task = AddTask(incident, "JP Power");
  ASSERT_TRUE(WaitUntil([&] { return !TaskIn(Show(*jp_, "hana", incident), task).empty(); }));
  const int kUpdates = 24;
  std::map<std::string, int> progress_of;  // note id -> the progress it reported
  for (int i = 0; i < kUpdates; ++i) {
    HttpResponse r = Api(*jp_, "hana", "POST", "tasks/" + task + "/updates",
                         R"({"outcome":"ongoing","progress":)" + std::to_string(i * 4) + "}");
    ASSERT_EQ(r.status, 201) << r.body;
    progress_of[std::string(Body(r).at("id").as_string())] = i * 4;
    if (i == kUpdates / 3) us_->Kill();  // mid-stream: some notes stored there, not all folded
    if (i == 2 * kUpdates / 3) us_->Start();
  }
  json::object us_task, jp_task;
  ASSERT_TRUE(WaitUntil([&] {
    us_task = TaskIn(Show(*us_, "alice", incident), task);
    jp_task = TaskIn(Show(*jp_, "hana", incident), task);
    return Field(us_task, "updates_applied") == std::to_string(kUpdates) &&
           Field(jp_task, "updates_applied") == std::to_string(kUpdates);
  })) << json::serialize(us_task);
  EXPECT_EQ(Field(us_task, "updates_pending"), "[]");
  EXPECT_EQ(Field(jp_task, "updates_pending"), "[]");
  auto applied = [](const json::object& t) {
    return t.at("task").as_object().at("extensions").as_object().at(
        policy::kCoordinationExtensionId).as_object().at("applied_updates").as_array();
  };
  EXPECT_EQ(json::serialize(applied(us_task)), json::serialize(applied(jp_task)));
  // The progress is the last one in the fold's order, (created, note id):
  // two updates in one millisecond are ordered by id, on every hub alike.
  const std::string last = std::string(applied(us_task).back().as_string());
  ASSERT_TRUE(progress_of.count(last)) << last;
  EXPECT_EQ(Field(us_task, "progress"), std::to_string(progress_of[last]));
  EXPECT_EQ(Field(jp_task, "progress"), std::to_string(progress_of[last]));
}

// A task with more updates than its versions name (kAppliedTail, 64): a
// version names the last ones and counts them all, and a late update (older
// than every named one) is still folded on the owner's hub, which then reads
// every update of the task from its note index.
TEST_F(CoordinationTest, ALateUpdateOlderThanTheNamedOnesIsStillFolded) {
  std::string incident = Open("Long-lived task");
  std::string task = AddTask(incident, "JP Centre");
  ASSERT_TRUE(WaitUntil([&] { return !TaskIn(Show(*jp_, "kenji", incident), task).empty(); }));
  const int kUpdates = 70;
  std::string first_note;
  for (int i = 0; i < kUpdates; ++i) {
    HttpResponse r = Api(*jp_, "kenji", "POST", "tasks/" + task + "/updates",
                         R"({"outcome":"ongoing","progress":)" + std::to_string(i % 101) + "}");
    ASSERT_EQ(r.status, 201) << r.body;
    if (i == 0) first_note = Field(Body(r), "id");
  }
  json::object us_task;
  ASSERT_TRUE(WaitUntil([&] {
    us_task = TaskIn(Show(*us_, "alice", incident), task);
    return Field(us_task, "updates_applied") == std::to_string(kUpdates);
  })) << json::serialize(us_task);
  auto coordination = [](const json::object& t) {
    return t.at("task").as_object().at("extensions").as_object().at(policy::kCoordinationExtensionId).as_object();
  };
  EXPECT_EQ(coordination(us_task).at("applied_updates").as_array().size(), 64u);
  EXPECT_EQ(coordination(us_task).at("applied_count").as_int64(), kUpdates);
  EXPECT_EQ(Field(us_task, "updates_pending"), "[]");
  EXPECT_EQ(Field(us_task, "progress"), std::to_string((kUpdates - 1) % 101));

  // The late one: a copy of the first update under a new id, written a day
  // earlier, posted by its author's organization through TAXII.
  HttpResponse got = jp_->Get("kenji", std::string("/api1/collections/") + kColl + "/objects/" + first_note + "/");
  ASSERT_EQ(got.status, 200) << got.body;
  json::object late = json::parse(got.body).as_object().at("objects").as_array().at(0).as_object();
  const std::string late_id = "note--1a7e0000-0000-4000-8000-000000000001";
  late["id"] = late_id;
  late["created"] = "2026-01-01T00:00:00.000Z";
  late["modified"] = "2026-01-01T00:00:00.000Z";
  late["extensions"].as_object()[policy::kCoordinationExtensionId].as_object()["outcome"] = "failed";
  HttpResponse posted = jp_->Post("kenji", kColl, {json::serialize(late)});
  ASSERT_NE(posted.body.find("\"success_count\":1"), std::string::npos) << posted.body;
  ASSERT_TRUE(WaitUntil([&] {
    us_task = TaskIn(Show(*us_, "alice", incident), task);
    return Field(us_task, "updates_applied") == std::to_string(kUpdates + 1);
  })) << json::serialize(us_task);
  // Folded in its place in the order: the later updates still decide.
  EXPECT_EQ(Field(us_task, "outcome"), "ongoing");
  EXPECT_EQ(Field(us_task, "progress"), std::to_string((kUpdates - 1) % 101));
  EXPECT_EQ(coordination(us_task).at("applied_updates").as_array().size(), 64u);
  // And the fold travels back.
  ASSERT_TRUE(WaitUntil([&] {
    return Field(TaskIn(Show(*jp_, "kenji", incident), task), "updates_applied") == std::to_string(kUpdates + 1);
  }));
}

TEST_F(CoordinationTest, NobodyOutsideTheAudienceSeesAnythingOnAnyPath) {
  std::string incident = Open("Restricted");
  std::string task = AddTask(incident, "JP Centre");
  ASSERT_TRUE(WaitUntil([&] { return !TaskIn(Show(*jp_, "kenji", incident), task).empty(); }));
  // bob (US ISAC, same hub, same group) and yuki (JP Vendor) are not in the
  // audience: the incident is a 404 like a missing one, it is not listed,
  // not counted, and its task cannot be reported on.
  for (auto [hub, user] : {std::pair{us_, "bob"}, std::pair{jp_, "yuki"}}) {
    HttpResponse show = Api(*hub, user, "GET", "incidents/" + incident);
    HttpResponse missing = Api(*hub, user, "GET", "incidents/incident--00000000-0000-4000-8000-000000000000");
    EXPECT_EQ(show.status, 404) << user;
    EXPECT_EQ(show.body, std::string(missing.body).replace(
                             missing.body.find("incident--00000000-0000-4000-8000-000000000000"),
                             std::string("incident--00000000-0000-4000-8000-000000000000").size(),
                             incident))
        << "the answer tells a hidden incident from a missing one";
    HttpResponse list = Api(*hub, user, "GET", "incidents");
    ASSERT_EQ(list.status, 200);
    EXPECT_EQ(list.body.find(incident), std::string::npos) << user;
    EXPECT_EQ(Api(*hub, user, "GET", "incidents/" + incident + "/bundle").status, 404);
    EXPECT_EQ(Api(*hub, user, "POST", "tasks/" + task + "/updates", R"({"outcome":"failed"})").status, 404);
    EXPECT_EQ(Api(*hub, user, "POST", "incidents/" + incident + "/notes", R"({"content":"x"})").status, 404);
  }
  // Over TAXII too: yuki's hub holds the objects (the peer may receive them
  // for kenji) but releases none of them to yuki.
  HttpResponse taxii = jp_->Get("yuki", std::string("/api1/collections/") + kColl + "/objects/?match[id]=" + incident);
  EXPECT_EQ(taxii.body.find(incident), std::string::npos) << taxii.body;
}

TEST_F(CoordinationTest, BadInputIsRefusedClearlyAndChangesNothing) {
  std::string incident = Open("Bad input");
  auto versions = [&] {
    return us_->Get("alice", std::string("/api1/collections/") + kColl +
                                 "/objects/" + incident + "/versions/").body;
  };
  std::string before = versions();
  struct Bad {
    std::string user, method, path, body;
    int status;
    std::string says;
  };
  std::vector<Bad> bad = {
      {"alice", "POST", "incidents/" + incident + "/tasks", R"({"assignee":"Nobody Org","name":"x"})", 400, "unknown assignee"},
      {"alice", "POST", "incidents/" + incident + "/update", R"({"determination":"maybe"})", 400, "incident-determination-enum"},
      {"alice", "POST", "incidents/" + incident + "/update", R"({"status":"open","extra":1})", 400, "'extra'"},
      {"alice", "POST", "incidents/" + incident + "/update", R"({"status":)", 400, "request body"},
      {"kenji", "POST", "incidents/" + incident + "/update", R"({"status":"closed"})", 403, "only the organization"},
      {"alice", "POST", "incidents/incident--00000000-0000-4000-8000-000000000001/tasks",
       R"({"assignee":"JP Centre","name":"x"})", 404, "you may see"},
      {"alice", "POST", "incidents/" + incident + "/tasks", R"({"assignee":"JP Vendor","name":"x"})", 400, "audience"},
      {"alice", "POST", "incidents/" + incident + "/links",
       R"({"object_refs":["indicator--00000000-0000-4000-8000-000000000009"]})", 404, "you may see"},
      {"alice", "GET", "incidents/" + incident + "?notes=-1", "", 400, "'notes'"},
      {"alice", "GET", "incidents/" + incident + "?limit=5", "", 400, "'limit'"},
  };
  ASSERT_TRUE(WaitUntil([&] { return !Show(*jp_, "kenji", incident).empty(); }));
  for (const auto& b : bad) {
    const TestHub& hub = b.user == "kenji" ? *jp_ : *us_;
    HttpResponse r = Api(hub, b.user, b.method, b.path, b.body);
    EXPECT_EQ(r.status, b.status) << b.path << " " << b.body << ": " << r.body;
    EXPECT_NE(r.body.find(b.says), std::string::npos) << r.body;
  }
  EXPECT_EQ(versions(), before);
  // A closed incident is not changed until it is reopened.
  ASSERT_EQ(Api(*us_, "alice", "POST", "incidents/" + incident + "/update", R"({"status":"closed"})").status, 200);
  std::string closed = versions();
  HttpResponse r = Api(*us_, "alice", "POST", "incidents/" + incident + "/tasks",
                       R"({"assignee":"JP Centre","name":"late"})");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("closed"), std::string::npos) << r.body;
  EXPECT_EQ(Api(*us_, "alice", "POST", "incidents/" + incident + "/update", R"({"criticality":10})").status, 422);
  EXPECT_EQ(versions(), closed);
  EXPECT_EQ(Api(*us_, "alice", "POST", "incidents/" + incident + "/update", R"({"status":"open"})").status, 200);
}

// Impacts are the owner's, superseded over time (the history stays, priority
// reads only the current ones); opinions, like notes, come from anyone in
// the audience, on any hub.
TEST_F(CoordinationTest, ImpactsAreSupersededOverTimeAndOpinionsTravel) {
  std::string incident = Open("Impacts");
  auto score = [&] {
    json::object s = Show(*us_, "alice", incident);
    return s.contains("priority") ? s.at("priority").as_object().at("score").as_int64() : -1;
  };
  int64_t before = score();
  HttpResponse r = Api(*us_, "alice", "POST", "incidents/" + incident + "/impacts",
                       R"({"category":"availability","criticality":40,"description":"one substation",)"
                       R"("details":{"availability_impact":40}})");
  ASSERT_EQ(r.status, 201) << r.body;
  std::string first = std::string(Body(r)["id"].as_string());
  EXPECT_EQ(score(), before) << "an impact below the incident's own criticality changes nothing";
  r = Api(*us_, "alice", "POST", "incidents/" + incident + "/impacts",
          json::serialize(json::object{{"category", "availability"},
                                       {"criticality", 95},
                                       {"recoverability", "extended"},
                                       {"description", "the regional grid"},
                                       {"details", json::object{{"availability_impact", 95}}},
                                       {"supersedes", first}}));
  ASSERT_EQ(r.status, 201) << r.body;
  std::string second = std::string(Body(r)["id"].as_string());
  json::object show = Show(*us_, "alice", incident);
  ASSERT_EQ(show.at("impacts").as_array().size(), 2u) << json::serialize(show);
  for (const auto& i : show.at("impacts").as_array()) {
    if (i.as_object().at("id").as_string() == first) {
      EXPECT_EQ(Field(i.as_object(), "superseded_by_ref"), second);
      EXPECT_FALSE(Field(i.as_object(), "end_time").empty());
    } else {
      EXPECT_EQ(Field(i.as_object(), "id"), second);
      EXPECT_FALSE(i.as_object().contains("superseded_by_ref"));
    }
  }
  int64_t worse = score();
  EXPECT_GT(worse, before);

  // Refused, nothing written: a history never forks, a category's details
  // are validated, only this incident's impacts can be superseded.
  auto versions = [&] {
    return us_->Get("alice", std::string("/api1/collections/") + kColl + "/objects/" + incident +
                                 "/versions/").body;
  };
  std::string kept = versions();
  struct Bad {
    std::string body;
    int status;
    std::string says;
  };
  std::vector<Bad> bad = {
      {R"({"category":"availability","details":{"availability_impact":10},"supersedes":")" + first + "\"}", 422,
       "already superseded"},
      {R"({"category":"availability","details":{"availability_impact":150}})", 400, "availability_impact"},
      {R"({"category":"availability"})", 400, "availability"},
      {R"({"category":"weather","details":{}})", 400, "impact-category"},
      {R"({"category":"availability","details":{"availability_impact":10},)"
       R"("supersedes":"impact--00000000-0000-4000-8000-000000000001"})", 404, "no impact"},
      {R"({"category":"availability","details":[1]})", 400, "'details'"},
  };
  for (const auto& b : bad) {
    HttpResponse x = Api(*us_, "alice", "POST", "incidents/" + incident + "/impacts", b.body);
    EXPECT_EQ(x.status, b.status) << b.body << ": " << x.body;
    EXPECT_NE(x.body.find(b.says), std::string::npos) << x.body;
  }
  EXPECT_EQ(versions(), kept);
  EXPECT_EQ(score(), worse);
  // Only the owner records impacts.
  ASSERT_TRUE(WaitUntil([&] { return Show(*jp_, "kenji", incident).contains("impacts") &&
                                     Show(*jp_, "kenji", incident).at("impacts").as_array().size() == 2; }));
  EXPECT_EQ(Api(*jp_, "kenji", "POST", "incidents/" + incident + "/impacts",
                R"({"category":"availability","details":{"availability_impact":10}})").status, 403);

  // An opinion from the Japanese centre on its own hub reaches the owner's show.
  r = Api(*jp_, "kenji", "POST", "incidents/" + incident + "/opinions",
          json::serialize(json::object{{"opinion", "agree"},
                                       {"explanation", "same loader seen here"},
                                       {"object_refs", json::array{second}}}));
  ASSERT_EQ(r.status, 201) << r.body;
  std::string opinion = std::string(Body(r)["id"].as_string());
  ASSERT_TRUE(WaitUntil([&] {
    json::object s = Show(*us_, "alice", incident);
    if (!s.contains("opinions")) return false;
    for (const auto& o : s.at("opinions").as_array()) {
      if (o.as_object().at("id").as_string() == opinion) return true;
    }
    return false;
  }));
  EXPECT_EQ(Api(*jp_, "kenji", "POST", "incidents/" + incident + "/opinions", R"({"opinion":"maybe"})").status, 400);
  // Outside the audience: the incident does not exist.
  EXPECT_EQ(Api(*jp_, "yuki", "POST", "incidents/" + incident + "/opinions", R"({"opinion":"agree"})").status, 404);
}

// Ownership handover (TheHive #2067): the US centre offers its incident to
// the Japanese centre, which accepts from its own hub; the new incident is
// the Japanese centre's (its tasks' updates are folded by the Japanese hub),
// the old one is closed by the US hub with `handed_to`, and nobody wrote the
// other's objects.
TEST_F(CoordinationTest, AnIncidentIsHandedToAnOrganizationOnAnotherHub) {
  std::string incident = Open("Handed over");
  std::string open_task = AddTask(incident, "JP Power");
  std::string done_task = AddTask(incident, "JP Centre");
  ASSERT_TRUE(WaitUntil([&] { return !TaskIn(Show(*jp_, "kenji", incident), done_task).empty(); }));
  ASSERT_EQ(Api(*jp_, "kenji", "POST", "tasks/" + done_task + "/updates", R"({"outcome":"successful"})").status, 201);
  ASSERT_TRUE(WaitUntil([&] {
    return Field(TaskIn(Show(*us_, "alice", incident), done_task), "outcome") == "successful";
  }));
  // Only the owner offers, only the organization offered accepts.
  EXPECT_EQ(Api(*us_, "alice", "POST", "incidents/" + incident + "/handover", R"({"to":"JP Vendor"})").status, 400);
  ASSERT_EQ(Api(*us_, "alice", "POST", "incidents/" + incident + "/handover", R"({"to":"JP Centre"})").status, 200);
  ASSERT_TRUE(WaitUntil([&] { return Show(*jp_, "hana", incident).contains("handover_to"); }));
  EXPECT_EQ(Api(*jp_, "hana", "POST", "incidents/" + incident + "/accept").status, 403);
  HttpResponse accepted = Api(*jp_, "kenji", "POST", "incidents/" + incident + "/accept");
  ASSERT_EQ(accepted.status, 201) << accepted.body;
  const std::string taken = Field(Body(accepted), "id");
  EXPECT_EQ(Api(*jp_, "kenji", "POST", "incidents/" + incident + "/accept").status, 409);

  // The old incident: closed by its owner's hub, naming the new one.
  json::object old_show;
  ASSERT_TRUE(WaitUntil([&] {
    old_show = Show(*us_, "alice", incident);
    return Field(old_show, "status") == "closed";
  })) << json::serialize(old_show);
  EXPECT_EQ(Field(old_show.at("handed_to").as_object(), "incident"), taken);
  EXPECT_EQ(Field(old_show.at("handed_to").as_object(), "organization"), kJpCentre);
  // The new one: the Japanese centre's, with a copy of the open task only
  // (the finished one kept as history).
  json::object new_show = Show(*jp_, "kenji", taken);
  ASSERT_FALSE(new_show.empty());
  EXPECT_EQ(Field(new_show.at("owner").as_object(), "id"), kJpCentre);
  EXPECT_EQ(Field(new_show, "derived_from"), incident);
  std::string copy;
  for (const auto& t : new_show.at("tasks").as_array()) {
    const json::object& to = t.as_object();
    if (Field(to, "id") == done_task) {
      EXPECT_EQ(Field(to, "outcome"), "successful");
    } else {
      copy = Field(to, "id");
      EXPECT_EQ(Field(to.at("assignee").as_object(), "id"), kJpPower);
    }
  }
  ASSERT_FALSE(copy.empty()) << json::serialize(new_show);
  // The copied task is now folded by the Japanese hub: its owner lives there.
  ASSERT_EQ(Api(*jp_, "hana", "POST", "tasks/" + copy + "/updates", R"({"outcome":"ongoing","progress":20})").status, 201);
  ASSERT_TRUE(WaitUntil([&] { return Field(TaskIn(Show(*jp_, "kenji", taken), copy), "progress") == "20"; }));
  ASSERT_TRUE(WaitUntil([&] { return Field(TaskIn(Show(*us_, "alice", taken), copy), "progress") == "20"; }));
  // The old owner can no longer change the new incident, nor the old one.
  EXPECT_EQ(Api(*us_, "alice", "POST", "incidents/" + taken + "/update", R"({"criticality":1})").status, 403);
  EXPECT_EQ(Api(*us_, "alice", "POST", "incidents/" + incident + "/tasks",
                R"({"assignee":"JP Centre","name":"late"})").status, 422);
}

// Correlation: the same indicator linked by incidents of the US and the
// Japanese centre, and sighted on the Japanese hub, shows on each incident
// (other incidents, sightings, nations), raises its priority, and never names
// an incident the reader may not see.
TEST_F(CoordinationTest, CorrelationShowsTheMultiVictimPictureAndLeaksNothing) {
  const std::string indicator = IndicatorId(7, 1);
  ObjectSpec spec{indicator, {kTlpAmber}};
  spec.extra = std::string(",\"created_by_ref\":\"") + kUsCentre + "\"";
  ASSERT_EQ(us_->Post("alice", kColl, {IndicatorJson(spec)}).status, 202);
  auto open = [](const TestHub& hub, const std::string& user, const std::string& name,
                 const std::string& marking, const json::array& audience) {
    json::object b{{"collection", kColl}, {"name", name}, {"criticality", 50},
                   {"determination", "confirmed"}, {"sectors", json::array{"energy-electric"}},
                   {"marking", marking}};
    if (!audience.empty()) b["audience"] = audience;
    HttpResponse r = Api(hub, user, "POST", "incidents", json::serialize(b));
    EXPECT_EQ(r.status, 201) << r.body;
    return Field(Body(r), "id");
  };
  std::string us_incident = open(*us_, "alice", "US side", "amber", {});
  std::string secret = open(*us_, "alice", "US only", "amber+strict", json::array{"US Centre"});
  for (const auto& id : {us_incident, secret}) {
    HttpResponse r = Api(*us_, "alice", "POST", "incidents/" + id + "/links",
                         R"({"object_refs":[")" + indicator + R"("]})");
    ASSERT_EQ(r.status, 201) << r.body;
  }
  ASSERT_TRUE(WaitUntil([&] {
    return jp_->Get("kenji", std::string("/api1/collections/") + kColl + "/objects/" + indicator + "/").status == 200;
  }));
  std::string jp_incident = open(*jp_, "kenji", "JP side", "amber", {});
  ASSERT_EQ(Api(*jp_, "kenji", "POST", "incidents/" + jp_incident + "/links",
                R"({"object_refs":[")" + indicator + R"("]})").status, 201);
  json::object sighting{{"type", "sighting"}, {"spec_version", "2.1"},
                        {"id", "sighting--00000000-0000-4000-8000-0000000c0001"},
                        {"created", "2026-12-01T00:00:00.000Z"}, {"modified", "2026-12-01T00:00:00.000Z"},
                        {"created_by_ref", kJpPower}, {"sighting_of_ref", indicator},
                        {"object_marking_refs", json::array{kTlpAmber}}};
  ASSERT_EQ(jp_->Post("hana", kColl, {json::serialize(sighting)}).status, 202);

  json::object show;
  ASSERT_TRUE(WaitUntil([&] {
    show = Show(*us_, "alice", us_incident);
    if (!show.contains("correlation")) return false;
    const json::object& c = show.at("correlation").as_object();
    return Field(c, "sightings") == "1" && Field(c, "incidents").find(jp_incident) != std::string::npos;
  })) << json::serialize(show);
  const json::object& c = show.at("correlation").as_object();
  EXPECT_EQ(Field(c, "nations"), R"(["JP","US"])");
  // alice may see her other incident too; both are correlated.
  EXPECT_NE(Field(c, "incidents").find(secret), std::string::npos);
  const json::object& p = show.at("priority").as_object();
  EXPECT_GT(p.at("factors").as_object().at("raised_by_correlation").as_int64(), 0) << json::serialize(p);
  // The list (read from the whole picture) and the show (from the link
  // index) give the same correlation and priority, for every reader.
  for (auto [hub, user] : {std::pair{us_, "alice"}, std::pair{jp_, "kenji"}}) {
    json::object listed = Body(Api(*hub, user, "GET", "incidents?limit=10000"));
    int compared = 0;
    for (const auto& i : listed.at("incidents").as_array()) {
      const std::string iid = std::string(i.as_object().at("id").as_string());
      json::object one = Show(*hub, user, iid);
      ASSERT_TRUE(one.contains("correlation")) << iid;
      EXPECT_EQ(json::serialize(i.as_object().at("correlation")), json::serialize(one.at("correlation"))) << user << " " << iid;
      EXPECT_EQ(json::serialize(i.as_object().at("priority")), json::serialize(one.at("priority"))) << user << " " << iid;
      ++compared;
    }
    EXPECT_GE(compared, 2) << user;
  }

  // kenji sees the US incident and the sighting, never the AMBER+STRICT one.
  json::object jp_show;
  ASSERT_TRUE(WaitUntil([&] {
    jp_show = Show(*jp_, "kenji", jp_incident);
    return jp_show.contains("correlation") &&
           Field(jp_show.at("correlation").as_object(), "incidents").find(us_incident) != std::string::npos;
  })) << json::serialize(jp_show);
  EXPECT_EQ(json::serialize(jp_show).find(secret), std::string::npos) << "a correlation named a hidden incident";
  HttpResponse jp_list = Api(*jp_, "kenji", "GET", "incidents?limit=10000");
  EXPECT_EQ(jp_list.body.find(secret), std::string::npos);

  // Filters: the sector crosswalk (a US sector name finds a Kizuna code) and priority.
  HttpResponse by_sector = Api(*us_, "alice", "GET", "incidents?sector=Energy&limit=10000");
  ASSERT_EQ(by_sector.status, 200) << by_sector.body;
  EXPECT_NE(by_sector.body.find(us_incident), std::string::npos);
  HttpResponse other_sector = Api(*us_, "alice", "GET", "incidents?sector=rail&limit=10000");
  EXPECT_EQ(other_sector.body.find(us_incident), std::string::npos);
  const int64_t score = p.at("score").as_int64();
  HttpResponse at_least = Api(*us_, "alice", "GET", "incidents?limit=10000&priority=" + std::to_string(score));
  EXPECT_NE(at_least.body.find(us_incident), std::string::npos);
  HttpResponse above = Api(*us_, "alice", "GET", "incidents?limit=10000&priority=" + std::to_string(score + 1));
  EXPECT_EQ(above.body.find(us_incident), std::string::npos);
  EXPECT_EQ(Api(*us_, "alice", "GET", "incidents?priority=urgent").status, 400);
}

TEST_F(CoordinationTest, TheCliOpensAssignsUpdatesAndShows) {
  TempDir dir;
  auto secret = [&](const std::string& user) {
    std::string path = dir.File(user + ".pw");
    std::ofstream(path) << Password(user) << "\n";
    return path;
  };
  const std::string us_root = "http://127.0.0.1:" + std::to_string(us_->port()) + "/api1/";
  const std::string jp_root = "http://127.0.0.1:" + std::to_string(jp_->port()) + "/api1/";
  auto as = [&](const std::string& root, const std::string& user, std::vector<std::string> args) {
    args.insert(args.end(), {"--hub", root, "--user", user, "--password-file", secret(user)});
    return RunKizuna(args);
  };
  ProcessResult open = as(us_root, "alice",
                          {"incident", "open", "--collection", kColl, "--name", "CLI incident",
                           "--criticality", "60", "--marking", "amber", "--audience", "JP Centre"});
  ASSERT_EQ(open.exit_code, 0) << open.err;
  std::string incident = open.out.substr(0, open.out.find('\n'));
  ASSERT_EQ(incident.rfind("incident--", 0), 0u) << open.out;
  ProcessResult task = as(us_root, "alice",
                          {"incident", "task", "add", incident, "--assignee", "kenji@jp-hub",
                           "--name", "Check the historian"});
  ASSERT_EQ(task.exit_code, 0) << task.err;
  std::string task_id = task.out.substr(0, task.out.find('\n'));
  ASSERT_TRUE(WaitUntil([&] {
    return as(jp_root, "kenji", {"incident", "show", incident}).out.find(task_id) != std::string::npos;
  }));
  ProcessResult upd = as(jp_root, "kenji",
                         {"incident", "task", "update", task_id, "--outcome", "successful",
                          "--note", "clean"});
  ASSERT_EQ(upd.exit_code, 0) << upd.err;
  ASSERT_TRUE(WaitUntil([&] {
    ProcessResult show = as(us_root, "alice", {"incident", "show", incident, "--json"});
    if (show.exit_code != 0) return false;
    auto v = json::parse(show.out).as_object();
    json::object t = TaskIn(v, task_id);
    return Field(t, "outcome") == "successful" && Field(t, "assignee_account") == "kenji@jp-hub";
  }));
  ProcessResult list = as(us_root, "alice", {"incident", "list", "--status", "open", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(incident), std::string::npos);
  ProcessResult ev = as(us_root, "alice", {"incident", "event", "add", incident, "--name", "Phishing wave",
                                           "--status", "occurred"});
  EXPECT_EQ(ev.exit_code, 0) << ev.err;
  const std::string indicator = IndicatorId(8, 1);
  ASSERT_EQ(us_->Post("alice", kColl, {IndicatorJson(ObjectSpec{indicator, {kTlpAmber}})}).status, 202);
  ProcessResult link = as(us_root, "alice", {"incident", "link", incident, indicator});
  ASSERT_EQ(link.exit_code, 0) << link.err;
  ProcessResult imp = as(us_root, "alice", {"incident", "impact", "add", incident, "--category", "availability",
                                            "--criticality", "60", "--details", R"({"availability_impact":60})"});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  std::string impact = imp.out.substr(0, imp.out.find('\n'));
  ProcessResult grown = as(us_root, "alice", {"incident", "impact", "add", incident, "--category", "availability",
                                              "--details", R"({"availability_impact":90})", "--supersedes", impact});
  ASSERT_EQ(grown.exit_code, 0) << grown.err;
  ProcessResult bad_details = as(us_root, "alice", {"incident", "impact", "add", incident, "--category",
                                                    "availability", "--details", "{nope"});
  EXPECT_EQ(bad_details.exit_code, 2);
  EXPECT_NE(bad_details.err.find("--details"), std::string::npos) << bad_details.err;
  ProcessResult op = as(jp_root, "kenji", {"incident", "opinion", incident, "--opinion", "agree", "--explanation",
                                           "seen here too"});
  ASSERT_EQ(op.exit_code, 0) << op.err;
  ASSERT_TRUE(WaitUntil([&] {
    ProcessResult text = as(us_root, "alice", {"incident", "show", incident});
    return text.out.find("(superseded by ") != std::string::npos &&
           text.out.find("opinion " + op.out.substr(0, op.out.find('\n')) + "  agree: seen here too") !=
               std::string::npos;
  }));
  // The show lists the latest notes (--notes N) and says how many there are.
  ProcessResult few = as(us_root, "alice", {"incident", "show", incident, "--notes", "0"});
  ASSERT_EQ(few.exit_code, 0) << few.err;
  EXPECT_NE(few.out.find("(the latest 0 of "), std::string::npos) << few.out;
  EXPECT_EQ(few.out.find("  note "), std::string::npos) << few.out;
  // And the latest events (--events N), the same way.
  ProcessResult no_events = as(us_root, "alice", {"incident", "show", incident, "--notes", "0", "--events", "0"});
  ASSERT_EQ(no_events.exit_code, 0) << no_events.err;
  EXPECT_NE(no_events.out.find("(the latest 0 of 1 events"), std::string::npos) << no_events.out;
  EXPECT_EQ(no_events.out.find("  event "), std::string::npos) << no_events.out;
  EXPECT_EQ(no_events.out.find("  note "), std::string::npos) << no_events.out;
  ProcessResult bundle = as(us_root, "alice", {"incident", "export", incident});
  ASSERT_EQ(bundle.exit_code, 0) << bundle.err;
  EXPECT_NE(bundle.out.find("\"type\":\"bundle\""), std::string::npos);
  EXPECT_NE(bundle.out.find(task_id), std::string::npos);
  EXPECT_NE(bundle.out.find(indicator), std::string::npos);
  // As a MISP event: the incident's name and TLP, the linked indicator's
  // value as an attribute, the task as a comment.
  ProcessResult misp = as(us_root, "alice", {"incident", "export", incident, "--format", "misp"});
  ASSERT_EQ(misp.exit_code, 0) << misp.err;
  json::object event = json::parse(misp.out).as_object()["Event"].as_object();
  EXPECT_EQ(event["info"].as_string(), "CLI incident");
  EXPECT_NE(json::serialize(event["Tag"]).find("tlp:amber"), std::string::npos) << misp.out;
  EXPECT_NE(json::serialize(event["Attribute"]).find("198.51.100.7"), std::string::npos) << misp.out;
  EXPECT_NE(json::serialize(event["Attribute"]).find("task: Check the historian - successful"),
            std::string::npos) << misp.out;
  EXPECT_NE(json::serialize(event["Attribute"]).find("event: Phishing wave - occurred"), std::string::npos)
      << misp.out;
  // A refusal names the reason and exits 1; a usage error exits 2.
  ProcessResult refused = as(jp_root, "kenji", {"incident", "update", incident, "--status", "closed"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("only the organization"), std::string::npos) << refused.err;
  ProcessResult usage = RunKizuna({"incident", "show", incident, "--hub", "http://127.0.0.1:1/taxii2/",
                                   "--user", "alice", "--password-file", secret("alice")});
  EXPECT_EQ(usage.exit_code, 2) << usage.err;
}

}  // namespace
}  // namespace kizuna::testing

namespace kizuna::testing {
namespace {

// `kizuna demo-federation` seeds a cross-border incident through the hubs'
// APIs: opened by the US centre, tasks on both hubs (one done from the
// Japanese hub, one under way from the US hub), and a sighting on the
// Japanese hub that correlates it. What `make run-federation` shows.
// Three hubs (an ally joins): the US centre's incident, addressed to the
// Japanese and Australian centres, with tasks for an organization on each of
// the other two hubs. Each assignee reports from its own hub; the owner's
// hub folds both; the folded tasks reach every hub of the audience; an
// organization of the third hub outside the audience sees nothing there.
TEST(CoordinationThreeHubsTest, TasksOnTwoOtherHubsAreWorkedFromEachAndSeenOnAll) {
  const char* kAuCentre = "identity--c1000000-0000-4000-8000-0000000000c1";
  const char* kAuVendor = "identity--c1000000-0000-4000-8000-0000000000c2";
  std::vector<OrgDef> orgs = Orgs();
  orgs.push_back({kAuCentre, "AU Centre", "AU", "au-hub"});
  orgs.push_back({kAuVendor, "AU Vendor", "AU", "au-hub"});
  std::vector<std::string> group;
  for (const auto& o : orgs) group.push_back(o.id);
  TestHub us("us-hub"), jp("jp-hub"), au("au-hub");
  us.Setup(orgs, group, {}, {kColl}, {{"alice", "US Centre", "contributor"}});
  jp.Setup(orgs, group, {}, {kColl}, {{"kenji", "JP Centre", "contributor"}});
  au.Setup(orgs, group, {}, {kColl}, {{"liam", "AU Centre", "contributor"}, {"zoe", "AU Vendor", "contributor"}});
  us.Start();
  jp.Start();
  au.Start();
  us.AddPeer(jp, {kColl}, "both", {}, "JP Centre");
  us.AddPeer(au, {kColl}, "both", {}, "AU Centre");
  jp.AddPeer(us, {kColl}, "both", {}, "US Centre");
  au.AddPeer(us, {kColl}, "both", {}, "US Centre");
  auto api = [](const TestHub& hub, const std::string& user, const std::string& method, const std::string& path,
                const std::string& body = "") {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Authorization", BasicAuth(user, Password(user))}, {"Accept", "application/json"}};
    if (!body.empty()) headers.push_back({"Content-Type", "application/json"});
    return HttpRequest(hub.port(), method, "/coordination/v1/api1/" + path, headers, body);
  };
  auto body = [](const HttpResponse& r) { return json::parse(r.body).as_object(); };
  auto task_in = [&](const TestHub& hub, const std::string& user, const std::string& incident,
                     const std::string& task) {
    HttpResponse r = api(hub, user, "GET", "incidents/" + incident);
    if (r.status != 200) return json::object();
    json::object show = body(r);
    for (const auto& t : show.at("tasks").as_array()) {
      if (t.as_object().at("id").as_string() == task) return t.as_object();
    }
    return json::object();
  };
  HttpResponse opened = api(us, "alice", "POST", "incidents",
                            json::serialize(json::object{{"collection", kColl},
                                                         {"name", "Three hubs"},
                                                         {"marking", "amber+strict"},
                                                         {"audience", json::array{"JP Centre", "AU Centre"}}}));
  ASSERT_EQ(opened.status, 201) << opened.body;
  const std::string incident = std::string(body(opened).at("id").as_string());
  std::string tasks[2];
  const char* assignees[2] = {"JP Centre", "AU Centre"};
  for (int i = 0; i < 2; ++i) {
    HttpResponse t = api(us, "alice", "POST", "incidents/" + incident + "/tasks",
                         json::serialize(json::object{{"assignee", assignees[i]}, {"name", "Hunt"}}));
    ASSERT_EQ(t.status, 201) << t.body;
    tasks[i] = std::string(body(t).at("id").as_string());
  }
  ASSERT_TRUE(WaitUntil([&] { return !task_in(jp, "kenji", incident, tasks[0]).empty(); }));
  ASSERT_TRUE(WaitUntil([&] { return !task_in(au, "liam", incident, tasks[1]).empty(); }));
  ASSERT_EQ(api(jp, "kenji", "POST", "tasks/" + tasks[0] + "/updates", R"({"outcome":"successful"})").status, 201);
  ASSERT_EQ(api(au, "liam", "POST", "tasks/" + tasks[1] + "/updates", R"({"outcome":"failed"})").status, 201);
  // Folded on the owner's hub, and back on every hub of the audience.
  struct Seen {
    const TestHub* hub;
    const char* user;
  };
  for (const Seen& s : {Seen{&us, "alice"}, Seen{&jp, "kenji"}, Seen{&au, "liam"}}) {
    ASSERT_TRUE(WaitUntil([&] {
      json::object a = task_in(*s.hub, s.user, incident, tasks[0]);
      json::object b = task_in(*s.hub, s.user, incident, tasks[1]);
      return a.contains("outcome") && a.at("outcome").as_string() == "successful" && b.contains("outcome") &&
             b.at("outcome").as_string() == "failed";
    })) << s.hub->name();
  }
  // The Australian vendor, on the Australian hub, sees nothing of it.
  EXPECT_EQ(api(au, "zoe", "GET", "incidents/" + incident).status, 404);
  HttpResponse list = api(au, "zoe", "GET", "incidents");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.find(incident), std::string::npos);
  EXPECT_EQ(api(au, "zoe", "POST", "tasks/" + tasks[1] + "/updates", R"({"outcome":"cancelled"})").status, 404);
  us.Stop();
  jp.Stop();
  au.Stop();
}

TEST(DemoFederationIncidentTest, TheDemoHasACrossBorderIncidentWorkedFromBothHubs) {
  TempDir dir;
  std::string error;
  auto demo = KizunaProcess::Start({"demo-federation", "--data-dir", dir.path(), "--base-port", "0"}, &error);
  ASSERT_NE(demo, nullptr) << error;
  // SIGTERM, whatever happens below: the demo stops the two hubs it started
  // (a SIGKILL would leave them running).
  struct StopDemo {
    KizunaProcess* p;
    ~StopDemo() { EXPECT_EQ(p->Stop(), 0); }
  } stop_demo{demo.get()};
  auto creds = [&](const std::string& hub) {
    std::ifstream in(dir.File(hub + "/demo-credentials.json"));
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str()).as_object();
  };
  json::object us = creds("us"), jp = creds("jp");
  auto secret = [&](json::object& c, const std::string& user) {
    for (const auto& a : c["accounts"].as_array()) {
      if (a.as_object().at("username").as_string() == user) {
        std::string path = dir.File(user + ".pw");
        std::ofstream(path) << std::string(a.as_object().at("password").as_string());
        return path;
      }
    }
    ADD_FAILURE() << "no demo account " << user;
    return std::string();
  };
  const std::string us_root(us["api_root"].as_string()), jp_root(jp["api_root"].as_string());
  auto cli = [&](const std::string& root, json::object& c, const std::string& user,
                 std::vector<std::string> args) {
    args.insert(args.end(), {"--hub", root, "--user", user, "--password-file", secret(c, user), "--json"});
    ProcessResult r = RunKizuna(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out).as_object() : json::object();
  };
  json::object list = cli(us_root, us, "us-analyst", {"incident", "list"});
  std::string incident;
  for (const auto& i : list["incidents"].as_array()) {
    if (std::string(i.as_object().at("name").as_string()).find("Operation Winter Grid") != std::string::npos) {
      incident = std::string(i.as_object().at("id").as_string());
    }
  }
  ASSERT_FALSE(incident.empty()) << json::serialize(list);
  json::object show;
  ASSERT_TRUE(WaitUntil([&] {
    show = cli(us_root, us, "us-analyst", {"incident", "show", incident});
    return show.contains("correlation") && show.at("correlation").as_object().at("sightings").as_int64() >= 1;
  })) << json::serialize(show);
  std::multiset<std::string> states;
  for (const auto& t : show["tasks"].as_array()) {
    const json::object& to = t.as_object();
    std::string by = to.contains("last_change") ? std::string(to.at("last_change").as_object().at("author").as_string()) : "-";
    states.insert(std::string(to.at("outcome").as_string()) + " " + by);
  }
  EXPECT_EQ(states, (std::multiset<std::string>{"successful jp-power-soc@jp-hub", "ongoing isac-analyst@us-hub",
                                                 "pending -"}));
  EXPECT_EQ(json::serialize(show["correlation"].as_object()["nations"]), R"(["JP","US"])");
  // Its impact as first assessed, superseded when it grew.
  ASSERT_EQ(show["impacts"].as_array().size(), 2u);
  int superseded = 0;
  for (const auto& i : show["impacts"].as_array()) superseded += i.as_object().contains("superseded_by_ref");
  EXPECT_EQ(superseded, 1);
  // The Japanese power company's opinion, written on its hub, reaches the US centre's show.
  ASSERT_TRUE(WaitUntil([&] {
    show = cli(us_root, us, "us-analyst", {"incident", "show", incident});
    return show.contains("opinions") && show.at("opinions").as_array().size() == 1;
  })) << json::serialize(show);
  // The Japanese power company works it from its own hub.
  json::object jp_show = cli(jp_root, jp, "jp-power-soc", {"incident", "show", incident});
  EXPECT_EQ(jp_show["id"].as_string(), incident);
  // A researcher outside the incident's audience does not see it at all.
  ProcessResult hidden = RunKizuna({"incident", "show", incident, "--hub", jp_root, "--user", "researcher",
                                    "--password-file", secret(jp, "researcher")});
  EXPECT_EQ(hidden.exit_code, 1);
  EXPECT_NE(hidden.err.find("404"), std::string::npos) << hidden.err;
}

}  // namespace
}  // namespace kizuna::testing
