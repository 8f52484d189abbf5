// The Incident Core suite (issue 11): the incident property-extension, the
// event, task and impact SDOs, their vocabularies and cross-property rules,
// each test naming the property and the rule the diagnostic must carry; and
// the shared examples of ../shared/data/incident, each valid or refused with
// the clause docs/incident-core.md lists.

#include "stix/incident_core.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "stix/bundle.h"
#include "stix/object.h"

namespace kizuna::stix {
namespace {

namespace json = boost::json;

constexpr const char* kIncident = R"({
  "type": "incident", "spec_version": "2.1",
  "id": "incident--6f5bd4a7-4a07-4b0b-a8b4-7c1c0a8f0f11",
  "created": "2026-12-01T08:00:00.000Z", "modified": "2026-12-01T08:00:00.000Z",
  "name": "Grid operator phishing campaign",
  "extensions": {
    "extension-definition--ef765651-680c-498d-9894-99799f2fa126": {
      "extension_type": "property-extension",
      "determination": "confirmed",
      "investigation_status": "open",
      "criticality": 70,
      "detection_methods": ["human-review"],
      "incident_types": ["dissemination-phishing-emails"],
      "impacted_entity_counts": {"employee": 12},
      "recoverability": "regular",
      "scores": [{"name": "NCISS", "value": 61.5}],
      "events": [
        {"event_ref": "event--0b8c8d8e-6a53-4c4b-9c3c-7f0b7d1d2e01",
         "next_steps": [{"event_ref": "event--0b8c8d8e-6a53-4c4b-9c3c-7f0b7d1d2e02",
                         "condition_type": "required", "transition_type": "success"}]},
        {"event_ref": "event--0b8c8d8e-6a53-4c4b-9c3c-7f0b7d1d2e02", "sequence_start": false}],
      "tasks": [{"task_ref": "task--1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"}],
      "impact_refs": ["impact--2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f60"]
    }
  }
})";

constexpr const char* kTask = R"({
  "type": "task", "spec_version": "2.1",
  "id": "task--1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
  "created": "2026-12-01T08:00:00.000Z", "modified": "2026-12-01T08:00:00.000Z",
  "name": "Block the phishing domain at the resolvers",
  "outcome": "ongoing", "priority": 80, "task_types": ["containment"],
  "start_time": "2026-12-01T08:00:00.000Z",
  "extensions": {"extension-definition--2074a052-8be4-4932-849e-f5e7798e0030":
                 {"extension_type": "new-sdo"}}
})";

constexpr const char* kEvent = R"({
  "type": "event", "spec_version": "2.1",
  "id": "event--0b8c8d8e-6a53-4c4b-9c3c-7f0b7d1d2e01",
  "created": "2026-12-01T08:00:00.000Z", "modified": "2026-12-01T08:00:00.000Z",
  "status": "occurred", "event_types": ["dissemination-phishing-emails"],
  "start_time": "2026-11-30T22:00:00.000Z", "end_time": "2026-11-30T22:00:00.000Z",
  "sighting_refs": ["sighting--3e4f5a6b-7c8d-4e9f-8a1b-2c3d4e5f6a70"],
  "changed_objects": [{"state_change_type": "caused",
                       "result_ref": "impact--2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f60"}],
  "extensions": {"extension-definition--4ca6de00-5b0d-45ef-a1dc-ea7279ea910e":
                 {"extension_type": "new-sdo"}}
})";

constexpr const char* kImpact = R"({
  "type": "impact", "spec_version": "2.1",
  "id": "impact--2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f60",
  "created": "2026-12-01T08:00:00.000Z", "modified": "2026-12-01T08:00:00.000Z",
  "impact_category": "monetary", "criticality": 40,
  "start_time": "2026-11-30T22:00:00.000Z",
  "extensions": {
    "extension-definition--7cc33dd6-f6a1-489b-98ea-522d351d71b9": {"extension_type": "new-sdo"},
    "monetary": {"variety": "response-and-recovery", "currency": "JPY",
                 "min_amount": 1000000, "max_amount": 5000000}
  }
})";

struct Outcome {
  bool ok = false;
  std::vector<Diagnostic> diags;
  bool Has(Diagnostic::Severity sev, std::string_view property, std::string_view rule) const {
    for (const Diagnostic& d : diags) {
      if (d.severity == sev && d.property == property && d.rule == rule) return true;
    }
    return false;
  }
  int Errors() const {
    int n = 0;
    for (const Diagnostic& d : diags) n += d.severity == Diagnostic::Severity::kError;
    return n;
  }
  std::string Dump() const {
    std::string s = ok ? "valid" : "invalid";
    for (const Diagnostic& d : diags) s += "\n  " + d.ToString();
    return s;
  }
};

Outcome Check(const json::object& o) {
  Outcome r;
  r.ok = ValidateObject(o, ValidateOptions(), &r.diags).ok();
  return r;
}

json::object Obj(const char* text) { return json::parse(text).as_object(); }
json::object& Ext(json::object& o, std::string_view id) {
  return o["extensions"].as_object()[id].as_object();
}
constexpr std::string_view kIncExt = kIncidentCoreIncidentExtension;
const std::string kIncPath = "extensions." + std::string(kIncExt);

#define EXPECT_VALID(run) EXPECT_TRUE((run).ok && (run).Errors() == 0) << (run).Dump()
#define EXPECT_ERROR(run, property, rule)                                            \
  do {                                                                               \
    auto r_ = (run);                                                                 \
    EXPECT_FALSE(r_.ok) << r_.Dump();                                                \
    EXPECT_TRUE(r_.Has(Diagnostic::Severity::kError, property, rule)) << r_.Dump(); \
  } while (0)
#define EXPECT_WARNING(run, property, rule) \
  EXPECT_TRUE((run).Has(Diagnostic::Severity::kWarning, property, rule)) << (run).Dump()

TEST(IncidentCoreTest, WellFormedObjectsOfTheSuiteAreValidSdos) {
  for (const char* text : {kIncident, kTask, kEvent, kImpact}) {
    std::vector<Diagnostic> diags;
    auto info = ValidateObject(Obj(text), ValidateOptions(), &diags);
    ASSERT_TRUE(info.ok()) << info.error().message();
    EXPECT_TRUE(info->is_sdo) << info->type;
    EXPECT_FALSE(info->is_custom) << info->type;
    for (const Diagnostic& d : diags) {
      EXPECT_NE(d.severity, Diagnostic::Severity::kError) << d.ToString();
    }
  }
}

TEST(IncidentCoreTest, DeterminationAcceptsTheProseAndTheSchemaValuesOnly) {
  for (const char* v : {"confirmed", "suspected", "blocked", "failed-attempt", "false-positive",
                        "low-value", "successful-attempt"}) {
    json::object o = Obj(kIncident);
    Ext(o, kIncExt)["determination"] = v;
    EXPECT_VALID(Check(o)) << v;
  }
  json::object o = Obj(kIncident);
  Ext(o, kIncExt)["determination"] = "likely";
  EXPECT_ERROR(Check(o), kIncPath + ".determination", "enum");
  Ext(o, kIncExt).erase("determination");
  EXPECT_ERROR(Check(o), kIncPath + ".determination", "required");
}

TEST(IncidentCoreTest, TheIncidentExtensionIsClosedAndTyped) {
  json::object o = Obj(kIncident);
  Ext(o, kIncExt)["attacker_activities"] = json::array{"x"};  // an older draft's property
  EXPECT_ERROR(Check(o), kIncPath + ".attacker_activities", "unknown-property");
  o = Obj(kIncident);
  Ext(o, kIncExt)["extension_type"] = "new-sdo";
  EXPECT_ERROR(Check(o), kIncPath + ".extension_type", "extension-type");
  o = Obj(kIncident);
  Ext(o, kIncExt)["criticality"] = 101;
  EXPECT_ERROR(Check(o), kIncPath + ".criticality", "range");
  o = Obj(kIncident);
  Ext(o, kIncExt)["recoverability"] = "quick";
  EXPECT_ERROR(Check(o), kIncPath + ".recoverability", "enum");
  o = Obj(kIncident);
  Ext(o, kIncExt)["impact_refs"] = json::array{"indicator--2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f60"};
  EXPECT_ERROR(Check(o), kIncPath + ".impact_refs[0]", "reference");
  o = Obj(kIncident);
  Ext(o, kIncExt)["impacted_entity_counts"] = json::object{{"employee", -1}};
  EXPECT_ERROR(Check(o), kIncPath + ".impacted_entity_counts.employee", "range");
  o = Obj(kIncident);
  Ext(o, kIncExt)["scores"] = json::array{json::object{{"value", 1}}};
  EXPECT_ERROR(Check(o), kIncPath + ".scores[0].name", "required");
  // An open vocabulary warns only.
  o = Obj(kIncident);
  Ext(o, kIncExt)["investigation_status"] = "triage";
  Outcome r = Check(o);
  EXPECT_VALID(r);
  EXPECT_WARNING(r, kIncPath + ".investigation_status", "incident-investigation-ov");
  // The property extension belongs on incidents.
  json::object t = Obj(kTask);
  t["extensions"].as_object()[kIncExt] = Ext(o, kIncExt);
  EXPECT_ERROR(Check(t), kIncPath, "extension-type");
}

TEST(IncidentCoreTest, SequencesPointIntoTheirOwnListAndStartSomewhere) {
  json::object o = Obj(kIncident);
  auto& events = Ext(o, kIncExt)["events"].as_array();
  events[0].as_object()["next_steps"].as_array()[0].as_object()["event_ref"] =
      "event--0b8c8d8e-6a53-4c4b-9c3c-7f0b7d1d2e99";
  EXPECT_ERROR(Check(o), kIncPath + ".events[0].next_steps[0]", "sequence-ref");
  o = Obj(kIncident);
  Ext(o, kIncExt)["events"].as_array()[0].as_object()["sequence_start"] = false;
  EXPECT_ERROR(Check(o), kIncPath + ".events", "sequence-start");
  o = Obj(kIncident);
  Ext(o, kIncExt)["tasks"] = json::array{json::object{{"sequence_start", true}}};
  EXPECT_ERROR(Check(o), kIncPath + ".tasks[0].task_ref", "required");
  // The task schema's names are accepted beside the prose's.
  json::object t = Obj(kTask);
  t["subtasks"] = json::array{
      json::object{{"activity_ref", "task--1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e60"},
                   {"next_steps", json::array{json::object{
                                      {"step_ref", "task--1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e61"},
                                      {"condition_type", "optional"},
                                      {"transition_type", "completion"}}}}},
      json::object{{"task_ref", "task--1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e61"},
                   {"sequence_start", false}}};
  EXPECT_VALID(Check(t));
}

TEST(IncidentCoreTest, TaskRules) {
  json::object t = Obj(kTask);
  t["outcome"] = "done";
  EXPECT_ERROR(Check(t), "outcome", "enum");
  t = Obj(kTask);
  t.erase("outcome");
  EXPECT_ERROR(Check(t), "outcome", "required");
  t = Obj(kTask);
  t["priority"] = 120;
  EXPECT_ERROR(Check(t), "priority", "range");
  t = Obj(kTask);
  t["task_type"] = "containment";
  EXPECT_ERROR(Check(t), "task_type", "exclusive");
  t = Obj(kTask);
  t.erase("task_types");
  t["task_type"] = "containment";  // the schema's single form
  EXPECT_VALID(Check(t));
  // A new SDO carries its extension definition, of extension_type new-sdo.
  t = Obj(kTask);
  t.erase("extensions");
  EXPECT_ERROR(Check(t), "extensions", "required");
  t = Obj(kTask);
  Ext(t, kIncidentCoreTaskExtension)["extension_type"] = "property-extension";
  EXPECT_ERROR(Check(t), "extensions." + std::string(kIncidentCoreTaskExtension) + ".extension_type",
               "extension-type");
  t = Obj(kTask);
  t["extensions"] = json::object{
      {kIncidentCoreEventExtension, json::object{{"extension_type", "new-sdo"}}}};
  EXPECT_ERROR(Check(t), "extensions." + std::string(kIncidentCoreEventExtension), "extension-type");
}

TEST(IncidentCoreTest, EventRules) {
  json::object e = Obj(kEvent);
  e["status"] = "happened";
  EXPECT_ERROR(Check(e), "status", "enum");
  e = Obj(kEvent);
  e["end_time"] = "2026-11-30T21:00:00.000Z";  // before start_time
  EXPECT_ERROR(Check(e), "end_time", "timestamp-order");
  e = Obj(kEvent);
  e["start_time_fidelity"] = "week";
  EXPECT_ERROR(Check(e), "start_time_fidelity", "enum");
  e = Obj(kEvent);
  e["sighting_refs"] = json::array{"indicator--3e4f5a6b-7c8d-4e9f-8a1b-2c3d4e5f6a70"};
  EXPECT_ERROR(Check(e), "sighting_refs[0]", "reference");
  e = Obj(kEvent);
  e["changed_objects"] = json::array{json::object{{"state_change_type", "caused"}}};
  EXPECT_ERROR(Check(e), "changed_objects[0]", "at-least-one");
  e = Obj(kEvent);
  e["changed_objects"] = json::array{
      json::object{{"state_change_type", "mitigated"},
                   {"initial_ref", "impact--2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f60"},
                   {"result_ref", "task--1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"}}};
  EXPECT_ERROR(Check(e), "changed_objects[0].result_ref", "same-type");
  e = Obj(kEvent);
  e["changed_objects"] = json::array{json::object{
      {"state_change_type", "input"}, {"result_ref", "impact--2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f60"}}};
  EXPECT_ERROR(Check(e), "changed_objects[0].initial_ref", "required");
}

TEST(IncidentCoreTest, ImpactCategoriesAndTheirExtensions) {
  json::object i = Obj(kImpact);
  i["impact_category"] = "availability";  // but only a monetary extension
  EXPECT_ERROR(Check(i), "extensions", "impact-category");
  i = Obj(kImpact);
  i["superseded_by_ref"] = "impact--2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f61";
  EXPECT_ERROR(Check(i), "end_time", "required");
  i["end_time"] = "2026-12-02T00:00:00.000Z";
  EXPECT_VALID(Check(i));
  i["superseded_by_ref"] = "task--1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
  EXPECT_ERROR(Check(i), "superseded_by_ref", "reference");

  auto with = [](std::string_view category, json::object details) {
    json::object o = Obj(kImpact);
    o["impact_category"] = category;
    json::object& exts = o["extensions"].as_object();
    exts.erase("monetary");
    exts[category] = std::move(details);
    return o;
  };
  EXPECT_VALID(Check(with("availability", {{"availability_impact", 75}})));
  EXPECT_ERROR(Check(with("availability", {{"availability_impact", 175}})),
               "extensions.availability.availability_impact", "range");
  EXPECT_ERROR(Check(with("availability", {{"availability_impact", 75}, {"x_other", 1}})),
               "extensions.availability.x_other", "unknown-property");
  EXPECT_VALID(Check(with("confidentiality", {{"loss_type", "none"}})));
  EXPECT_ERROR(Check(with("confidentiality", {{"loss_type", "confirmed-loss"}})),
               "extensions.confidentiality.information_type", "required");
  EXPECT_VALID(Check(with("external", {{"impact_type", "public-confidence"}})));
  EXPECT_ERROR(Check(with("external", {{"impact_category", "external"}})),
               "extensions.external.impact_type", "required");
  EXPECT_ERROR(Check(with("integrity", {{"alteration", "unauthorized-modification"},
                                      {"information_type", "system"}})),
               "extensions.integrity.alteration", "enum");
  EXPECT_ERROR(Check(with("integrity", {{"alteration", "full-modification"}})),
               "extensions.integrity.information_type", "required");
  EXPECT_VALID(Check(with("physical", {{"impact_type", "unknown"}, {"asset_type", "ics-plc"}})));
  EXPECT_ERROR(Check(with("physical", {{"impact_type", "destruction"}})),
               "extensions.physical.asset_type", "required");
  EXPECT_ERROR(Check(with("traceability", {{"traceability_impact", "partial"}})),
               "extensions.traceability.traceability_impact", "enum");
  EXPECT_ERROR(Check(with("monetary", {{"variety", "ransom-demand"}, {"min_amount", 0}})),
               "extensions.monetary.max_amount", "required");
  EXPECT_ERROR(Check(with("monetary", {{"variety", "ransom-demand"},
                                     {"currency", "USD"},
                                     {"min_amount", 9},
                                     {"max_amount", 1}})),
               "extensions.monetary.min_amount", "range");
  EXPECT_ERROR(Check(with("monetary", {{"variety", "ransom-payment"},
                                     {"currency", "USD"},
                                     {"currency_actual", "BTC"},
                                     {"conversion_rate", 0.00001}})),
               "extensions.monetary.conversion_time", "required");
  // The prose's "<category>-impact" key names the same extension.
  json::object alias = Obj(kImpact);
  alias["impact_category"] = "integrity";
  json::object& exts = alias["extensions"].as_object();
  exts.erase("monetary");
  exts["integrity-impact"] = json::object{{"alteration", "none"}};
  EXPECT_VALID(Check(alias));
}

TEST(IncidentCoreTest, TheHubsExtensionDefinitionsAreValidAndStable) {
  const std::string creator = "identity--8d3a4c1e-6f0a-4d6f-9a39-5f1b0a2c7e10";
  auto defs = IncidentCoreDefinitions(creator);
  ASSERT_EQ(defs.size(), 4u);
  std::vector<std::string> ids;
  for (const auto& d : defs) {
    std::vector<Diagnostic> diags;
    auto info = ValidateObject(json::parse(d).as_object(), ValidateOptions(), &diags);
    ASSERT_TRUE(info.ok()) << info.error().message();
    EXPECT_EQ(info->type, "extension-definition");
    EXPECT_EQ(info->created_by_ref, creator);
    ids.push_back(info->id);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{std::string(kIncidentCoreIncidentExtension),
                                           std::string(kIncidentCoreEventExtension),
                                           std::string(kIncidentCoreTaskExtension),
                                           std::string(kIncidentCoreImpactExtension)}));
  EXPECT_EQ(defs, IncidentCoreDefinitions(creator));  // same bytes: idempotent seeding
  EXPECT_EQ(IncidentCoreEnum("task-outcome-enum").size(), 6u);
  EXPECT_TRUE(IncidentCoreEnum("no-such-vocabulary").empty());
}

// ---------------------------------------------------------------------------
// The shared examples: every object either validates or is refused for the
// documented reason (docs/incident-core.md, "The suite's own examples").

std::filesystem::path SharedIncidentDir() {
  for (auto p = std::filesystem::current_path(); !p.empty(); p = p.parent_path()) {
    auto candidate = p / ".." / "shared" / "data" / "incident" / "incident-core";
    if (std::filesystem::exists(candidate)) return candidate;
    if (p == p.parent_path()) break;
  }
  return {};
}

TEST(IncidentCoreTest, TheSharedExamplesValidateOrAreRefusedForTheirDocumentedClause) {
  std::filesystem::path dir = SharedIncidentDir();
  ASSERT_FALSE(dir.empty()) << "../shared/data/incident/incident-core not found";
  // Refusals by file and object id (files hold different versions of the
  // same ids): the rule of the first error, as documented.
  const std::map<std::string, std::string> refused = {
      // older draft model (attacker_/defender_activities, *_impacts lists)
      {"Incident with cyber-observables.json|incident--1a074418-9248-4a21-9918-a79d0f1dbc5b", "unknown-property"},
      {"incident duplication.json|incident--bf319a69-abcb-447b-bab4-eaa54316020c", "unknown-property"},
      {"incident duplication.json|incident--d9ce8926-717f-4ef5-a81f-df9002aa17d2", "unknown-property"},
      {"incident_asset_context.json|incident--200de3e1-6545-4d21-80b0-ded3570ec7d8", "unknown-property"},
      {"incident_indicators.json|incident--a089c631-4392-48e5-8d55-7d1999ca9395", "unknown-property"},
      // spec snippet: the extension's properties at the top level, under the
      // event's new-sdo extension
      {"example_2.1.json|incident--b0e7e6a5-6e2c-4a0b-8d5a-8a5e92a5a5bc", "extension-type"},
      // spec snippets without created/modified, or with second precision
      {"example_2.3.2.1.1.json|impact--de425325-5ac8-4f4b-ace7-054301b80863", "timestamp-precision"},
      {"example_2.3.2.2.1.json|impact--c08d9e5a-ba7e-465c-96d5-659683aa9395", "required"},
      {"example_2.3.2.5.1.json|impact--562c7b03-3c27-4adf-8580-57ecce6687c8", "required"},
      {"example_2.3.json|impact--f3e1a6f3-1a95-457a-84a7-887c2d9e5e7c", "required"},
      // values outside the closed enumerations
      {"example_2.3.2.4.1.json|impact--72047fc7-1b34-4cc2-aea7-61b90cdb832d", "enum"},
      {"example_2.3.2.7.1.json|impact--ef58b184-e4b8-4f1f-9ac3-f22aff3f9459", "enum"},
      // superseded without end_time
      {"paid_ransom.json|impact--0c9511ac-e14b-4f48-9d49-54bfc93c9b34", "required"},
  };
  int files = 0, valid = 0, invalid = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".json" || name.rfind("extension-definition--", 0) == 0) {
      continue;  // the JSON schemas
    }
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    auto raws = SplitDocument(text);
    if (!raws.ok()) {
      // The two fragments of the spec's sub-object sections (no type).
      EXPECT_NE(raws.error().message().find("neither \"type\""), std::string::npos)
          << name << ": " << raws.error().message();
      continue;
    }
    ++files;
    for (const RawObject& r : *raws) {
      json::object o = json::parse(r.bytes).as_object();
      std::string id = o.contains("id") ? std::string(o["id"].as_string()) : "";
      auto info = ValidateObject(o, ValidateOptions(), nullptr);
      auto want = refused.find(name + "|" + id);
      if (want == refused.end()) {
        EXPECT_TRUE(info.ok()) << name << ": " << (info.ok() ? "" : info.error().message());
        ++valid;
      } else {
        ASSERT_FALSE(info.ok()) << name << ": " << id << " should be refused";
        EXPECT_NE(info.error().message().find("(" + want->second + ")"), std::string::npos)
            << name << ": " << info.error().message();
        ++invalid;
      }
    }
  }
  EXPECT_GE(files, 20);
  EXPECT_GE(valid, 200);
  EXPECT_EQ(invalid, static_cast<int>(refused.size()));
}

}  // namespace
}  // namespace kizuna::stix
