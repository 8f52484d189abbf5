// The coordination API's request readers (each member, type and vocabulary
// rule, with the member named in the error) and the objects the builders
// write (valid STIX Incident Core, the incident's release copied).
#include "coord/requests.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "coord/task_fold.h"
#include "policy/extensions.h"
#include "stix/incident_core.h"
#include "stix/object.h"

namespace kizuna::coord {
namespace {

namespace json = boost::json;

template <typename R>
std::string ErrorOf(const Result<R>& r) {
  return r.ok() ? "(accepted)" : r.error().message();
}

// ValidateObjectJson's verdict: "" when valid, else the first error.
std::string Invalid(const std::string& object) {
  std::vector<stix::Diagnostic> diags;
  auto r = stix::ValidateObjectJson(object, stix::ValidateOptions{}, &diags);
  return r.ok() ? "" : r.error().message();
}

const Author kBy{"identity--a1000000-0000-4000-8000-000000000001", "alice@us-hub",
                 1'764'547'200'123'456};  // 2025-12-01T00:00:00.123456Z

TEST(CoordinationRequestsTest, OpenReadsEveryMemberAndRefusesByName) {
  auto r = ReadOpenRequest(
      R"({"collection":"c1","name":"Grid","criticality":70,"determination":"confirmed",)"
      R"("incident_types":["ransomware"],"sectors":["energy"],"marking":"amber+strict","audience":["JP Centre"]})");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->collection, "c1");
  EXPECT_EQ(*r->criticality, 70);
  EXPECT_EQ(r->marking, "amber+strict");
  EXPECT_EQ(r->audience, std::vector<std::string>{"JP Centre"});
  EXPECT_EQ(ReadOpenRequest(R"({"collection":"c1","name":"Grid"})")->determination, "suspected");

  EXPECT_NE(ErrorOf(ReadOpenRequest(R"({"name":"x"})")).find("'collection' is required"), std::string::npos);
  EXPECT_NE(ErrorOf(ReadOpenRequest(R"({"collection":"c","name":""})")).find("'name' must not be empty"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ReadOpenRequest(R"({"collection":"c","name":"n","criticality":101})")).find("'criticality'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ReadOpenRequest(R"({"collection":"c","name":"n","determination":"maybe"})"))
                .find("incident-determination-enum"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ReadOpenRequest(R"({"collection":"c","name":"n","marking":"white"})")).find("'marking'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ReadOpenRequest(R"({"collection":"c","name":"n","marking":"red"})")).find("audience_accounts"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ReadOpenRequest(R"({"collection":"c","name":"n","owner":"x"})")).find("'owner'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ReadOpenRequest(R"({"collection":"c","collection":"d","name":"n"})")).find("request body"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ReadOpenRequest("[1]")).find("JSON object"), std::string::npos);
  EXPECT_NE(ErrorOf(ReadOpenRequest(R"({"collection":"c","name":"n","sectors":[1]})")).find("'sectors'"),
            std::string::npos);
}

TEST(CoordinationRequestsTest, UpdatesTasksEventsLinksAndNotesFollowTheirVocabularies) {
  EXPECT_NE(ErrorOf(ReadUpdateRequest("{}")).find("at least one"), std::string::npos);
  EXPECT_NE(ErrorOf(ReadUpdateRequest(R"({"status":"done"})")).find("incident-investigation-ov"),
            std::string::npos);
  EXPECT_TRUE(ReadUpdateRequest(R"({"status":"closed","determination":"blocked"})").ok());
  EXPECT_NE(ErrorOf(ReadTaskRequest(R"({"name":"x"})")).find("'assignee'"), std::string::npos);
  EXPECT_NE(ErrorOf(ReadTaskRequest(R"({"assignee":"a","name":"x","due":"tomorrow"})")).find("'due'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ReadTaskUpdateRequest(R"({"outcome":"done"})")).find("task-outcome-enum"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ReadTaskUpdateRequest(R"({"progress":-1})")).find("'progress'"), std::string::npos);
  EXPECT_NE(ErrorOf(ReadTaskUpdateRequest("{}")).find("at least one"), std::string::npos);
  EXPECT_NE(ErrorOf(ReadEventRequest(R"({"status":"occurred"})")).find("name or a description"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ReadEventRequest(R"({"name":"e","start_time":"2026-12-02T00:00:00Z","end_time":"2026-12-01T00:00:00Z"})"))
                .find("'end_time'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ReadEventRequest(R"({"name":"e","sighting_refs":["indicator--00000000-0000-4000-8000-000000000001"]})"))
                .find("of a sighting"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ReadLinkRequest(R"({"object_refs":[]})")).find("at least one"), std::string::npos);
  EXPECT_NE(ErrorOf(ReadLinkRequest(R"({"object_refs":["indicator--1"]})")).find("not a STIX identifier"),
            std::string::npos);
  EXPECT_TRUE(ReadLinkRequest(R"({"object_refs":["indicator--00000000-0000-4000-8000-000000000001"]})").ok());
  EXPECT_NE(ErrorOf(ReadNoteRequest(R"({"abstract":"a"})")).find("'content'"), std::string::npos);
}

TEST(CoordinationRequestsTest, TheBuiltObjectsAreValidIncidentCoreWithTheIncidentsRelease) {
  auto open = ReadOpenRequest(R"({"collection":"c","name":"Grid","criticality":70,"sectors":["energy"]})");
  ASSERT_TRUE(open.ok());
  Release release{{std::string(MarkingIdForName("amber+strict"))},
                  {"identity--b1000000-0000-4000-8000-000000000001"},
                  {}};
  const std::string incident_id = "incident--00000000-0000-4000-8000-000000000001";
  std::string incident = BuildIncident(*open, release, kBy, incident_id);
  EXPECT_EQ(Invalid(incident), "") << incident;
  json::object io = json::parse(incident).as_object();
  EXPECT_EQ(io["modified"].as_string(), "2025-12-01T00:00:00.123Z");
  EXPECT_EQ(IncidentStatus(io), "open");
  Release back = ReleaseOf(io);
  EXPECT_EQ(back.marking_refs, release.marking_refs);
  EXPECT_EQ(back.audience_orgs, release.audience_orgs);

  auto task_req = ReadTaskRequest(R"({"assignee":"JP Centre","name":"Block","priority":80})");
  std::string task = BuildTask(*task_req, back, kBy, "task--00000000-0000-4000-8000-000000000002",
                               incident_id, "identity--b1000000-0000-4000-8000-000000000001", "kenji@jp-hub");
  EXPECT_EQ(Invalid(task), "") << task;
  TaskCoordination tc = ReadTaskCoordination(json::parse(task).as_object());
  EXPECT_EQ(tc.incident_ref, incident_id);
  EXPECT_EQ(tc.assignee_account, "kenji@jp-hub");
  EXPECT_EQ(ReleaseOf(json::parse(task).as_object()).audience_orgs, release.audience_orgs);

  auto upd = ReadTaskUpdateRequest(R"({"outcome":"ongoing","progress":40})");
  std::string note = BuildTaskUpdateNote(*upd, back, kBy, "note--00000000-0000-4000-8000-000000000003",
                                         "task--00000000-0000-4000-8000-000000000002", incident_id);
  EXPECT_EQ(Invalid(note), "") << note;
  auto u = ReadTaskUpdate(json::parse(note).as_object());
  ASSERT_TRUE(u.ok()) << u.error().message();
  EXPECT_EQ(*u->outcome, "ongoing");
  EXPECT_EQ(u->author, "alice@us-hub");

  auto ev = ReadEventRequest(R"({"name":"Phishing wave","event_types":["dissemination-phishing-emails"]})");
  EXPECT_EQ(Invalid(BuildEvent(*ev, back, kBy, "event--00000000-0000-4000-8000-000000000004")), "");
  EXPECT_EQ(Invalid(BuildLink(back, kBy, "relationship--00000000-0000-4000-8000-000000000005", incident_id,
                              "indicator--00000000-0000-4000-8000-000000000006")),
            "");
  // The next version: later than the previous by at least 1 ms, edited, attributed.
  Author later = kBy;
  later.now_us -= 10'000'000;  // a clock behind the stored version
  auto next = NextIncidentVersion(io, later, [](json::object& core, json::object&) {
    core["investigation_status"] = "closed";
  });
  ASSERT_TRUE(next.ok());
  json::object no = json::parse(*next).as_object();
  EXPECT_EQ(no["modified"].as_string(), "2025-12-01T00:00:00.124Z");
  EXPECT_EQ(IncidentStatus(no), "closed");
  EXPECT_EQ(Invalid(*next), "") << *next;
}

// An incident posted through TAXII without the Incident Core or the
// coordination extension (as `kizuna demo`'s is): its next version adds both
// and edits both (adding one used to leave the other's reference dangling:
// the hub crashed on the first task added to such an incident).
TEST(CoordinationRequestsTest, TheNextVersionOfABareIncidentGetsBothExtensions) {
  json::object bare{{"type", "incident"},
                    {"spec_version", "2.1"},
                    {"id", "incident--00000000-0000-4000-8000-0000000000b1"},
                    {"created", "2025-12-01T00:00:00.000Z"},
                    {"modified", "2025-12-01T00:00:00.000Z"},
                    {"created_by_ref", "identity--b1000000-0000-4000-8000-000000000001"},
                    {"name", "Bare"}};
  for (int with_other = 0; with_other < 2; ++with_other) {
    json::object in = bare;
    if (with_other) in["extensions"] = json::object{{"x-other-ext", json::object{{"a", 1}}}};
    auto next = NextIncidentVersion(in, kBy, [](json::object& core, json::object& coord) {
      json::value& tasks = core["tasks"];
      tasks = json::array{json::object{{"task_ref", "task--00000000-0000-4000-8000-0000000000b2"}}};
      coord["sectors"] = json::array{"energy"};
    });
    ASSERT_TRUE(next.ok()) << with_other;
    json::object o = json::parse(*next).as_object();
    const json::object& exts = o.at("extensions").as_object();
    EXPECT_EQ(exts.at(stix::kIncidentCoreIncidentExtension).at("tasks").as_array().size(), 1u);
    EXPECT_EQ(exts.at(policy::kCoordinationExtensionId).at("sectors").as_array().size(), 1u);
    EXPECT_EQ(exts.at(policy::kCoordinationExtensionId).at("last_change").at("author").as_string(), "alice@us-hub");
  }
}

TEST(CoordinationRequestsTest, ImpactsAndOpinionsAreReadStrictlyAndBuiltValid) {
  auto r = ReadImpactRequest(
      R"({"category":"availability","criticality":80,"recoverability":"extended",)"
      R"("start_time":"2025-12-01T00:00:00Z","details":{"availability_impact":80},)"
      R"("supersedes":"impact--00000000-0000-4000-8000-000000000007"})");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->category, "availability");
  EXPECT_EQ(r->details, R"({"availability_impact":80})");
  EXPECT_EQ(*r->supersedes, "impact--00000000-0000-4000-8000-000000000007");
  EXPECT_NE(ErrorOf(ReadImpactRequest(R"({"criticality":1})")).find("'category' is required"), std::string::npos);
  EXPECT_NE(ErrorOf(ReadImpactRequest(R"({"category":"weather"})")).find("impact-category"), std::string::npos);
  EXPECT_NE(ErrorOf(ReadImpactRequest(R"({"category":"physical","recoverability":"soon"})")).find("recoverability-enum"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ReadImpactRequest(R"({"category":"physical","details":"x"})")).find("'details' must be an object"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ReadImpactRequest(R"({"category":"physical","details":{"extension_type":"x"}})")).find("extension_type"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ReadImpactRequest(R"({"category":"physical","supersedes":"event--00000000-0000-4000-8000-000000000007"})"))
                .find("not a STIX identifier"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ReadImpactRequest(R"({"category":"physical","start_time":"2025-12-02T00:00:00Z","end_time":"2025-12-01T00:00:00Z"})"))
                .find("'end_time'"),
            std::string::npos);

  Release release{{std::string(MarkingIdForName("amber"))}, {}, {}};
  const std::string old_id = "impact--00000000-0000-4000-8000-000000000007";
  const std::string new_id = "impact--00000000-0000-4000-8000-000000000008";
  std::string impact = BuildImpact(*r, release, kBy, new_id);
  EXPECT_EQ(Invalid(impact), "") << impact;
  // A category's details are checked by the validator: a missing required member is refused.
  auto empty = ReadImpactRequest(R"({"category":"availability"})");
  EXPECT_NE(Invalid(BuildImpact(*empty, release, kBy, new_id)), "");
  // Superseding: the old impact's next version names the new one and ends
  // (never before its own start).
  json::object old = json::parse(BuildImpact(*r, release, kBy, old_id)).as_object();
  auto next = BuildSupersededImpact(old, kBy, new_id, "2025-11-30T00:00:00Z");
  ASSERT_TRUE(next.ok());
  json::object no = json::parse(*next).as_object();
  EXPECT_EQ(no["superseded_by_ref"].as_string(), new_id);
  EXPECT_EQ(no["end_time"].as_string(), "2025-12-01T00:00:00Z");
  EXPECT_EQ(no["modified"].as_string(), "2025-12-01T00:00:00.124Z");
  EXPECT_EQ(Invalid(*next), "") << *next;

  auto op = ReadOpinionRequest(R"({"opinion":"strongly-agree","explanation":"seen here too","object_refs":[")" + new_id + "\"]}");
  ASSERT_TRUE(op.ok()) << op.error().message();
  const std::string incident_id = "incident--00000000-0000-4000-8000-000000000001";
  std::string opinion = BuildOpinion(*op, release, kBy, "opinion--00000000-0000-4000-8000-000000000009", incident_id);
  EXPECT_EQ(Invalid(opinion), "") << opinion;
  json::object oo = json::parse(opinion).as_object();
  EXPECT_EQ(oo["object_refs"].as_array().size(), 2u);
  EXPECT_EQ(oo["object_refs"].as_array()[0].as_string(), incident_id);
  EXPECT_NE(ErrorOf(ReadOpinionRequest(R"({"opinion":"maybe"})")).find("opinion-enum"), std::string::npos);
  EXPECT_NE(ErrorOf(ReadOpinionRequest(R"({"explanation":"x"})")).find("'opinion' is required"), std::string::npos);
  EXPECT_NE(ErrorOf(ReadOpinionRequest(R"({"opinion":"agree","object_refs":["x"]})")).find("STIX identifier"),
            std::string::npos);
}

}  // namespace
}  // namespace kizuna::coord
