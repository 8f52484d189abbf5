// The OASIS Incident Core extension suite for STIX 2.1 (version 2.0 draft,
// revision 05): the incident property-extension and the new SDOs event, task
// and impact (with impact's category extensions), as tables for the engine in
// validate.cc plus the rules the tables cannot say.
//
// Where the suite's JSON schemas and its prose disagree, the union is
// accepted (docs/incident-core.md lists each case and what Kizuna emits).

#include <boost/json.hpp>

#include "stix/incident_core.h"
#include "stix/spec.h"

namespace kizuna::stix {
namespace internal {
namespace {

namespace json = boost::json;
using SV = std::string_view;
using namespace build;  // NOLINT: table builders

// ---------------------------------------------------------------------------
// Vocabularies (prose section 5; schema values added where they differ).

constexpr SV kDeterminationV[] = {"blocked",         "confirmed", "failed-attempt",
                                  "false-positive",  "suspected",
                                  // the schema's values beside the prose's
                                  "low-value",       "successful-attempt"};
constexpr SV kInvestigationV[] = {"closed", "new", "open"};
constexpr SV kDetectionMethodsV[] = {"automated-tool",        "commercial-solution",
                                     "external-notification", "human-review",
                                     "message-from-attacker", "propriety-solution",
                                     "system-outage",         "user-reporting"};
constexpr SV kRecoverabilityV[] = {"extended", "not-applicable", "not-recoverable", "regular",
                                   "supplemented"};
constexpr SV kConditionV[] = {"optional", "required", "unknown"};
constexpr SV kTransitionV[] = {"completion", "failure", "success", "unknown"};
constexpr SV kEventStatusV[] = {"ongoing", "occurred", "not-occurred", "pending", "undetermined"};
constexpr SV kTaskOutcomeV[] = {"cancelled", "failed", "ongoing", "pending", "successful",
                                "unknown"};
constexpr SV kFidelityV[] = {"day", "hour", "minute", "month", "second", "year"};
constexpr SV kStateChangeV[] = {"caused", "contributed-to", "input", "mitigated", "output",
                                "resolved"};
constexpr SV kTaskTypeV[] = {"administrative",
                             "attribution",
                             "containment",
                             "declared",
                             "detected",
                             "eradication",
                             "escalated",
                             "exercised-control",
                             "external-intelligence",
                             "external-outreach",
                             "external-support",
                             "implemented-control",
                             "investigation",
                             "negotiation",
                             "playbook-execution",
                             "playbook-step-execution",
                             "ransom-payment",
                             "recovery",
                             "reported",
                             "routine-updates",
                             "victim-notification"};
constexpr SV kEventTypeV[] = {"aggregation-information-phishing-schemes",
                              "benign",
                              "blocked",
                              "brute-force-attempt",
                              "c&c-server-hosting",
                              "compromised-system",
                              "confirmed",
                              "connection-malware-port",
                              "connection-malware-system",
                              "content-forbidden-by-law",
                              "control-system-bypass",
                              "copyrighted-content",
                              "data-exfiltration",
                              "deferred",
                              "deletion-information",
                              "denial-of-service",
                              "destruction",
                              "dictionary-attack-attempt",
                              "discarded",
                              "disruption-data-transmission",
                              "dissemination-malware-email",
                              "dissemination-phishing-emails",
                              "dns-cache-poisoning",
                              "dns-local-resolver-hijacking",
                              "dns-spoofing-registered",
                              "dns-rebinding",
                              "dns-server-compromise",
                              "dns-spoofing-unregistered",
                              "dns-stub-resolver-hijacking",
                              "dns-zone-transfer",
                              "domain-name-compromise",
                              "duplicate",
                              "email-flooding",
                              "equipment-loss",
                              "equipment-theft",
                              "exploit",
                              "exploit-attempt",
                              "exploit-framework-exhausting-resources",
                              "exploit-tool-exhausting-resources",
                              "failed",
                              "file-inclusion",
                              "file-inclusion-attempt",
                              "hosting-malware-webpage",
                              "hosting-phishing-sites",
                              "illegitimate-use-name",
                              "illegitimate-use-resources",
                              "infected-by-known-malware",
                              "insufficient-data",
                              "known-malware",
                              "lame-delegations",
                              "major",
                              "modification-information",
                              "misconfiguration",
                              "natural",
                              "negotiation",
                              "network-scanning",
                              "no-apt",
                              "packet-flood",
                              "password-cracking-attempt",
                              "policy-violation",
                              "ransomware",
                              "ransomware-payment",
                              "refuted",
                              "scan-probe",
                              "silently-discarded",
                              "supply-chain-customer",
                              "supply-chain-vendor",
                              "spam",
                              "sql-injection",
                              "sql-injection-attempt",
                              "successful",
                              "system-probe",
                              "theft-access-credentials",
                              "unattributed",
                              "unauthorized-access-information",
                              "unauthorized-access-system",
                              "unauthorized-equipment",
                              "unauthorized-release",
                              "unauthorized-use",
                              "undetermined",
                              "unintentional",
                              "unknown-apt",
                              "unspecified",
                              "vandalism",
                              "wiretapping",
                              "worm-spreading",
                              "xss",
                              "xss-attempt"};
constexpr SV kEntityTypeV[] = {"computers-mobile",
                               "computers-personal",
                               "computers-server",
                               "customer",
                               "customer-individual",
                               "customer-organization",
                               "domain-controller",
                               "employee",
                               "group",
                               "ics-actuator",
                               "ics-engineering-workstation",
                               "ics-historian",
                               "ics-hmi",
                               "ics-other",
                               "ics-plc",
                               "ics-safety-system",
                               "ics-sensor",
                               "individual",
                               "network-device",
                               "organization",
                               "system",
                               "vehicles",
                               // the schema's examples beside the prose's vocabulary
                               "individuals",
                               "organizations",
                               "business-units",
                               "facilities",
                               "information-systems"};
constexpr SV kInformationTypeV[] = {"classified-material",
                                    "communication",
                                    "credentials-admin",
                                    "credentials-user",
                                    "financial",
                                    "legal",
                                    "payment",
                                    "phi",
                                    "pii",
                                    "proprietary",
                                    "system"};
constexpr SV kExternalImpactV[] = {"economic",         "emergency-services", "foreign-relations",
                                   "national-security", "public-confidence", "public-health",
                                   "public-safety"};
constexpr SV kMonetaryV[] = {"asset-and-fraud",      "brand-damage",          "business-disruption",
                             "competitive-advantage", "legal-and-regulatory", "operating-costs",
                             "ransom-demand",        "ransom-payment",        "response-and-recovery",
                             "uncategorized"};
constexpr SV kAssetTypeV[] = {"building-doors",
                              "building-windows",
                              "buildings",
                              "computers-mobile",
                              "computers-personal",
                              "computers-server",
                              "environment",
                              "ics-actuator",
                              "ics-engineering-workstation",
                              "ics-historian",
                              "ics-hmi",
                              "ics-other",
                              "ics-plc",
                              "ics-safety-system",
                              "ics-sensor",
                              "inventory",
                              "network-device",
                              "private-infrastructure",
                              "public-infrastructure",
                              "security-containers",
                              "vehicles"};
constexpr SV kLossTypeV[] = {"confirmed-loss", "contained", "exploited-loss", "none",
                             "suspected-loss"};
constexpr SV kAlterationV[] = {"potential-destruction", "potential-modification",
                               "partial-destruction",   "partial-modification",
                               "full-destruction",      "full-modification",
                               "none"};
constexpr SV kPhysicalImpactV[] = {"damaged-functional", "damaged-nonfunctional", "destruction",
                                   "none", "unknown"};
constexpr SV kTraceabilityV[] = {"accountability-lost", "partial-accountability",
                                 "provable-accountability"};
constexpr SV kImpactCategoryV[] = {"availability", "confidentiality", "external", "integrity",
                                   "monetary",     "physical",        "traceability"};

constexpr Vocab kDetermination{"incident-determination-enum", kDeterminationV};
constexpr Vocab kInvestigation{"incident-investigation-ov", kInvestigationV};
constexpr Vocab kDetectionMethods{"detection-methods-ov", kDetectionMethodsV};
constexpr Vocab kRecoverability{"recoverability-enum", kRecoverabilityV};
constexpr Vocab kCondition{"activity-condition-enum", kConditionV};
constexpr Vocab kTransition{"activity-transition-enum", kTransitionV};
constexpr Vocab kEventStatus{"event-status-enum", kEventStatusV};
constexpr Vocab kTaskOutcome{"task-outcome-enum", kTaskOutcomeV};
constexpr Vocab kFidelity{"timestamp-fidelity-enum", kFidelityV};
constexpr Vocab kStateChange{"state-change-type-ov", kStateChangeV};
constexpr Vocab kTaskType{"task-type-ov", kTaskTypeV};
constexpr Vocab kEventType{"event-type-ov", kEventTypeV};
constexpr Vocab kEntityType{"entity-type-ov", kEntityTypeV};
constexpr Vocab kInformationType{"information-type-ov", kInformationTypeV};
constexpr Vocab kExternalImpact{"external-impact-ov", kExternalImpactV};
constexpr Vocab kMonetary{"monetary-impact-type-ov", kMonetaryV};
constexpr Vocab kAssetType{"asset-type-ov", kAssetTypeV};
constexpr Vocab kLossType{"incident-confidentiality-loss-enum", kLossTypeV};
constexpr Vocab kAlteration{"integrity-alteration-enum", kAlterationV};
constexpr Vocab kPhysicalImpact{"physical-impact-enum", kPhysicalImpactV};
constexpr Vocab kTraceability{"traceability-enum", kTraceabilityV};
constexpr Vocab kImpactCategory{"impact-category", kImpactCategoryV};

// ---------------------------------------------------------------------------
// Reference targets.

constexpr SV kEventT[] = {"event"};
constexpr SV kTaskT[] = {"task"};
constexpr SV kEventTaskT[] = {"event", "task"};
constexpr SV kImpactT[] = {"impact"};
constexpr SV kSightingT[] = {"sighting"};
constexpr RefTarget kToEvent{kEventT, 0, "an event"};
constexpr RefTarget kToTask{kTaskT, 0, "a task"};
constexpr RefTarget kToEventOrTask{kEventTaskT, 0, "an event or a task"};
constexpr RefTarget kToImpact{kImpactT, 0, "an impact"};
constexpr RefTarget kToSighting{kSightingT, 0, "a sighting"};
constexpr RefTarget kToAnyObject{{}, kRefAny, "a STIX object"};

constexpr int64_t kMaxI = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinI = std::numeric_limits<int64_t>::min();

// ---------------------------------------------------------------------------
// Cross-property rules.

const json::string* StringMember(const json::object& o, SV key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? &v->get_string() : nullptr;
}

SV TypeOfId(SV id) {
  size_t d = id.find("--");
  return d == SV::npos ? SV() : id.substr(0, d);
}

// entity-count (section 3): keys SHOULD come from entity-type-ov; values
// are integers >= 0 (the dictionary's key syntax is checked by its kind).
void CheckEntityCounts(Ctx& ctx, const json::object& o) {
  const json::value* v = o.if_contains("impacted_entity_counts");
  if (!v || !v->is_object()) return;
  PathScope scope(ctx, "impacted_entity_counts");
  for (const auto& kv : v->get_object()) {
    const json::value& n = kv.value();
    bool ok = n.is_uint64() || (n.is_int64() && n.get_int64() >= 0) ||
              (n.is_double() && n.get_double() >= 0 &&
               n.get_double() == static_cast<double>(static_cast<int64_t>(n.get_double())));
    if (!ok) ctx.Error("range", "an entity count must be an integer of at least 0", kv.key());
    if (ctx.wants_warnings() && !kEntityType.Contains(kv.key())) {
      ctx.Warn("entity-type-ov", Cat({"'", kv.key(), "' is not a value of entity-type-ov"}),
               kv.key());
    }
  }
}

// event-entry / task-entry lists (section 3): every next step names an
// entry of the same list, and at least one entry starts a sequence
// (sequence_start defaults to true).
void CheckSequence(Ctx& ctx, const json::object& o, SV list, std::initializer_list<SV> ref_keys,
                   std::initializer_list<SV> step_keys) {
  const json::value* v = o.if_contains(list);
  if (!v || !v->is_array() || v->get_array().empty()) return;
  const json::array& a = v->get_array();
  auto ref_of = [](const json::object& e, std::initializer_list<SV> keys) -> SV {
    for (SV k : keys) {
      if (const json::string* s = StringMember(e, k)) return *s;
    }
    return {};
  };
  bool any_start = false;
  for (const json::value& e : a) {
    if (!e.is_object()) return;  // reported by the element check
    const json::value* s = e.get_object().if_contains("sequence_start");
    if (!s || !s->is_bool() || s->get_bool()) any_start = true;
  }
  PathScope scope(ctx, list);
  if (!any_start) {
    ctx.Error("sequence-start", "at least one entry must start a sequence (sequence_start true)");
  }
  size_t i = 0;
  for (const json::value& e : a) {
    PathScope entry(ctx, i++);
    const json::value* steps = e.get_object().if_contains("next_steps");
    if (!steps || !steps->is_array()) continue;
    size_t j = 0;
    for (const json::value& step : steps->get_array()) {
      PathScope step_scope(ctx, "next_steps");
      PathScope index(ctx, j++);
      if (!step.is_object()) continue;
      SV target = ref_of(step.get_object(), step_keys);
      if (target.empty()) continue;
      bool found = false;
      for (const json::value& other : a) {
        if (ref_of(other.get_object(), ref_keys) == target) found = true;
      }
      if (!found) {
        ctx.Error("sequence-ref",
                  Cat({"'", target, "' is not an entry of the same ", list, " list"}));
      }
    }
  }
}

// One of two alternative names (prose vs schema) must be present.
void RequireOneOf(Ctx& ctx, const json::object& o, SV prose, SV schema) {
  bool a = o.contains(prose), b = o.contains(schema);
  if (!a && !b) {
    ctx.Error("required", Cat({prose, " is required"}), prose);
  } else if (a && b) {
    ctx.Error("exclusive", Cat({"give ", prose, " or ", schema, ", not both"}), schema);
  }
}

void CheckTaskEntry(Ctx& ctx, const json::object& o) {
  RequireOneOf(ctx, o, "task_ref", "activity_ref");
}
void CheckTaskStep(Ctx& ctx, const json::object& o) { RequireOneOf(ctx, o, "task_ref", "step_ref"); }

// state-change (section 3).
void CheckStateChange(Ctx& ctx, const json::object& o) {
  const json::string* initial = StringMember(o, "initial_ref");
  const json::string* result = StringMember(o, "result_ref");
  if (!o.contains("initial_ref") && !o.contains("result_ref")) {
    ctx.Error("at-least-one", "a state change needs initial_ref or result_ref");
  }
  if (initial && result && TypeOfId(*initial) != TypeOfId(*result)) {
    ctx.Error("same-type", "initial_ref and result_ref must refer to objects of the same type",
              "result_ref");
  }
  if (const json::string* t = StringMember(o, "state_change_type")) {
    if (*t == "input" && !o.contains("initial_ref")) {
      ctx.Error("required", "an input state change needs initial_ref", "initial_ref");
    }
    if (*t == "output" && !o.contains("result_ref")) {
      ctx.Error("required", "an output state change needs result_ref", "result_ref");
    }
  }
}

// The new-SDO extension (STIX 2.1 section 7.3): present, of extension_type
// new-sdo.
void CheckNewSdoExtension(Ctx& ctx, const json::object& o, SV ext_id) {
  const json::value* e = o.if_contains("extensions");
  const json::value* mine =
      e && e->is_object() ? e->get_object().if_contains(ext_id) : nullptr;
  if (!mine) {
    ctx.Error("required", Cat({"this object type needs its extension ", ext_id}), "extensions");
  }
}

// "end_time MUST be later than start_time": read as "not earlier": the
// suite's own examples record instantaneous events with equal times.
void CheckTimes(Ctx& ctx, const json::object& o) {
  CheckTimestampOrder(ctx, o, "start_time", "end_time", /*strict=*/false);
}

void CheckEvent(Ctx& ctx, const json::object& o) {
  CheckNewSdoExtension(ctx, o, kIncidentCoreEventExtension);
  CheckTimes(ctx, o);
  CheckSequence(ctx, o, "subevents", {"event_ref"}, {"event_ref"});
}

void CheckTask(Ctx& ctx, const json::object& o) {
  CheckNewSdoExtension(ctx, o, kIncidentCoreTaskExtension);
  CheckEntityCounts(ctx, o);
  CheckSequence(ctx, o, "subtasks", {"task_ref", "activity_ref"}, {"task_ref", "step_ref"});
  if (o.contains("task_type") && o.contains("task_types")) {
    ctx.Error("exclusive", "give task_types or task_type, not both", "task_type");
  }
}

void CheckImpact(Ctx& ctx, const json::object& o) {
  CheckNewSdoExtension(ctx, o, kIncidentCoreImpactExtension);
  CheckTimes(ctx, o);
  CheckEntityCounts(ctx, o);
  if (o.contains("superseded_by_ref") && !o.contains("end_time")) {
    ctx.Error("required", "an impact superseded by another needs end_time", "end_time");
  }
  // Section 2.3.2: every impact has the extension named by its category.
  const json::string* category = StringMember(o, "impact_category");
  if (!category) return;
  if (ctx.wants_warnings() && !kImpactCategory.Contains(*category)) {
    ctx.Warn("impact-category",
             Cat({"'", SV(*category), "' is not one of the impact categories of the suite"}),
             "impact_category");
  }
  const json::value* e = o.if_contains("extensions");
  if (!e || !e->is_object()) return;
  std::string alias = std::string(*category) + "-impact";
  if (!e->get_object().contains(*category) && !e->get_object().contains(alias)) {
    ctx.Error("impact-category",
              Cat({"an impact of category '", SV(*category), "' needs the extension '",
                   SV(*category), "' with its details"}),
              "extensions");
  }
}

void CheckIncidentCore(Ctx& ctx, const json::object& o) {
  CheckEntityCounts(ctx, o);
  CheckSequence(ctx, o, "events", {"event_ref"}, {"event_ref"});
  CheckSequence(ctx, o, "tasks", {"task_ref", "activity_ref"}, {"task_ref", "step_ref"});
}

// Information type is required unless nothing was lost or altered.
void CheckInformationType(Ctx& ctx, const json::object& o, SV what) {
  const json::string* w = StringMember(o, what);
  if (w && *w != "none" && !o.contains("information_type")) {
    ctx.Error("required", Cat({"information_type is required when ", what, " is not none"}),
              "information_type");
  }
}
void CheckConfidentiality(Ctx& ctx, const json::object& o) {
  CheckInformationType(ctx, o, "loss_type");
}
void CheckIntegrity(Ctx& ctx, const json::object& o) { CheckInformationType(ctx, o, "alteration"); }
void CheckPhysical(Ctx& ctx, const json::object& o) {
  const json::string* t = StringMember(o, "impact_type");
  if (t && *t != "none" && !o.contains("asset_type")) {
    ctx.Error("required", "asset_type is required when impact_type is not none", "asset_type");
  }
}
void CheckMonetary(Ctx& ctx, const json::object& o) {
  bool min = o.contains("min_amount"), max = o.contains("max_amount");
  if (min != max) {
    ctx.Error("required", "min_amount and max_amount go together", min ? "max_amount" : "min_amount");
  }
  if ((min || max) && !o.contains("currency")) {
    ctx.Error("required", "an amount needs its currency", "currency");
  }
  if (o.contains("currency_actual") && !o.contains("currency")) {
    ctx.Error("required", "currency_actual needs currency", "currency");
  }
  if (o.contains("conversion_rate")) {
    if (!o.contains("currency_actual")) {
      ctx.Error("required", "conversion_rate needs currency_actual", "currency_actual");
    }
    if (!o.contains("conversion_time")) {
      ctx.Error("required", "conversion_rate needs conversion_time", "conversion_time");
    }
  }
  const json::value* lo = o.if_contains("min_amount");
  const json::value* hi = o.if_contains("max_amount");
  if (lo && hi && lo->is_number() && hi->is_number() && lo->to_number<double>() > hi->to_number<double>()) {
    ctx.Error("range", "min_amount must not exceed max_amount", "min_amount");
  }
}

// ---------------------------------------------------------------------------
// Tables.

constexpr PropSpec kScore[] = {Req(Str("name")), Req(Num("value", kMinI, kMaxI)),
                               Str("description")};
constexpr ObjectSpec kScoreSpec{"incident-score", kScore, nullptr, true};

constexpr PropSpec kEventStep[] = {Req(En("condition_type", kCondition)),
                                   Req(Ref("event_ref", kToEvent)),
                                   Req(En("transition_type", kTransition))};
constexpr ObjectSpec kEventStepSpec{"event-sequence-entry", kEventStep, nullptr, true};
constexpr PropSpec kEventEntry[] = {Req(Ref("event_ref", kToEvent)), Bool("sequence_start"),
                                    Objs("next_steps", kEventStepSpec)};
constexpr ObjectSpec kEventEntrySpec{"event-entry", kEventEntry, nullptr, true};

// task_ref (prose) or activity_ref (task schema); task_ref or step_ref.
constexpr PropSpec kTaskStep[] = {Req(En("condition_type", kCondition)),
                                  Ref("task_ref", kToTask), Ref("step_ref", kToEventOrTask),
                                  Req(En("transition_type", kTransition))};
constexpr ObjectSpec kTaskStepSpec{"task-sequence-entry", kTaskStep, CheckTaskStep, true};
constexpr PropSpec kTaskEntry[] = {Ref("task_ref", kToTask), Ref("activity_ref", kToTask),
                                   Bool("sequence_start"), Objs("next_steps", kTaskStepSpec)};
constexpr ObjectSpec kTaskEntrySpec{"task-entry", kTaskEntry, CheckTaskEntry, true};

constexpr PropSpec kStateChangeProps[] = {Req(Ov("state_change_type", kStateChange)),
                                          Ref("initial_ref", kToAnyObject),
                                          Ref("result_ref", kToAnyObject)};
constexpr ObjectSpec kStateChangeSpec{"state-change", kStateChangeProps, CheckStateChange, true};

constexpr PropSpec kIncidentCoreProps[] = {
    Req(Str("extension_type")),
    Req(En("determination", kDetermination)),
    Req(Ov("investigation_status", kInvestigation)),
    Int("criticality", 0, 100),
    Ovs("detection_methods", kDetectionMethods),
    Objs("events", kEventEntrySpec),
    Refs("impact_refs", kToImpact),
    Dict("impacted_entity_counts"),
    Ovs("incident_types", kEventType),
    En("recoverability", kRecoverability),
    Objs("scores", kScoreSpec),
    Objs("tasks", kTaskEntrySpec),
};
constexpr ObjectSpec kIncidentCoreSpec{"the Incident Core extension", kIncidentCoreProps,
                                       CheckIncidentCore, true};

constexpr PropSpec kEvent[] = {Req(En("status", kEventStatus)),
                               Objs("changed_objects", kStateChangeSpec),
                               Str("description"),
                               Ts("end_time"),
                               En("end_time_fidelity", kFidelity),
                               Ovs("event_types", kEventType),
                               Str("goal"),
                               Str("name"),
                               Refs("sighting_refs", kToSighting),
                               Ts("start_time"),
                               En("start_time_fidelity", kFidelity),
                               Objs("subevents", kEventEntrySpec)};
constexpr ObjectSpec kEventSpec{"event", kEvent, CheckEvent};

constexpr PropSpec kTask[] = {Req(En("outcome", kTaskOutcome)),
                              Objs("changed_objects", kStateChangeSpec),
                              Str("description"),
                              Ts("end_time"),
                              En("end_time_fidelity", kFidelity),
                              Str("error"),
                              Dict("impacted_entity_counts"),
                              Str("name"),
                              Int("priority", 0, 100),
                              Ts("start_time"),
                              En("start_time_fidelity", kFidelity),
                              Objs("subtasks", kTaskEntrySpec),
                              Ovs("task_types", kTaskType),
                              Ov("task_type", kTaskType)};  // the schema's single form
constexpr ObjectSpec kTaskSpec{"task", kTask, CheckTask};

constexpr PropSpec kImpact[] = {Req(Str("impact_category")),
                                Int("criticality", 0, 100),
                                Str("description"),
                                Ts("end_time"),
                                En("end_time_fidelity", kFidelity),
                                Dict("impacted_entity_counts"),
                                Refs("impacted_refs", kToAnyObject),
                                En("recoverability", kRecoverability),
                                Ts("start_time"),
                                En("start_time_fidelity", kFidelity),
                                Ref("superseded_by_ref", kToImpact)};
constexpr ObjectSpec kImpactSpec{"impact", kImpact, CheckImpact};

constexpr PropSpec kAvailability[] = {Req(Int("availability_impact", 0, 100))};
constexpr PropSpec kConfidentiality[] = {Req(En("loss_type", kLossType)),
                                         Ov("information_type", kInformationType),
                                         Int("record_count", 0), Int("record_size", 0)};
constexpr PropSpec kExternal[] = {Req(Ov("impact_type", kExternalImpact))};
constexpr PropSpec kIntegrity[] = {Req(En("alteration", kAlteration)),
                                   Ov("information_type", kInformationType),
                                   Int("record_count", 0), Int("record_size", 0)};
constexpr PropSpec kMonetaryProps[] = {Req(Ov("variety", kMonetary)),
                                       Str("currency"),
                                       Str("currency_actual"),
                                       Num("conversion_rate", 0, kMaxI),
                                       Ts("conversion_time"),
                                       Num("max_amount", 0, kMaxI),
                                       Num("min_amount", 0, kMaxI)};
constexpr PropSpec kPhysical[] = {Req(En("impact_type", kPhysicalImpact)),
                                  Ov("asset_type", kAssetType)};
constexpr PropSpec kTraceabilityProps[] = {Req(En("traceability_impact", kTraceability))};

constexpr ObjectSpec kAvailabilitySpec{"availability", kAvailability, nullptr, true};
constexpr ObjectSpec kConfidentialitySpec{"confidentiality", kConfidentiality,
                                          CheckConfidentiality, true};
constexpr ObjectSpec kExternalSpec{"external", kExternal, nullptr, true};
constexpr ObjectSpec kIntegritySpec{"integrity", kIntegrity, CheckIntegrity, true};
constexpr ObjectSpec kMonetarySpec{"monetary", kMonetaryProps, CheckMonetary, true};
constexpr ObjectSpec kPhysicalSpec{"physical", kPhysical, CheckPhysical, true};
constexpr ObjectSpec kTraceabilitySpec{"traceability", kTraceabilityProps, nullptr, true};

// The category extensions by the schema's key names, and by the
// "<category>-impact" names of the prose and of earlier drafts.
constexpr ExtensionSpec kImpactExtensions[] = {
    {"availability", &kAvailabilitySpec},
    {"confidentiality", &kConfidentialitySpec},
    {"external", &kExternalSpec},
    {"integrity", &kIntegritySpec},
    {"monetary", &kMonetarySpec},
    {"physical", &kPhysicalSpec},
    {"traceability", &kTraceabilitySpec},
    {"availability-impact", &kAvailabilitySpec},
    {"confidentiality-impact", &kConfidentialitySpec},
    {"external-impact", &kExternalSpec},
    {"integrity-impact", &kIntegritySpec},
    {"monetary-impact", &kMonetarySpec},
    {"physical-impact", &kPhysicalSpec},
    {"traceability-impact", &kTraceabilitySpec},
};

constexpr TypeSpec kIncidentCoreTypes[] = {
    {"event", Category::kSdo, &kEventSpec, {}},
    {"task", Category::kSdo, &kTaskSpec, {}},
    {"impact", Category::kSdo, &kImpactSpec, kImpactExtensions},
};

constexpr PropSpec kNewSdoExtProps[] = {Req(Str("extension_type"))};
constexpr ObjectSpec kNewSdoExtSpec{"a new-sdo extension", kNewSdoExtProps, nullptr, true};

struct DefinedExtension {
  SV id;
  SV type;  // the object type it belongs on
  SV extension_type;
  const ObjectSpec* spec;
};
constexpr DefinedExtension kDefined[] = {
    {kIncidentCoreIncidentExtension, "incident", "property-extension", &kIncidentCoreSpec},
    {kIncidentCoreEventExtension, "event", "new-sdo", &kNewSdoExtSpec},
    {kIncidentCoreTaskExtension, "task", "new-sdo", &kNewSdoExtSpec},
    {kIncidentCoreImpactExtension, "impact", "new-sdo", &kNewSdoExtSpec},
};

}  // namespace

const TypeSpec* FindIncidentCoreType(std::string_view type) {
  for (const TypeSpec& t : kIncidentCoreTypes) {
    if (t.type == type) return &t;
  }
  return nullptr;
}

bool CheckDefinedExtension(Ctx& ctx, std::string_view type, std::string_view id,
                           const json::object& ext) {
  for (const DefinedExtension& d : kDefined) {
    if (d.id != id) continue;
    const json::string* et = StringMember(ext, "extension_type");
    if (et && *et != d.extension_type) {
      ctx.Error("extension-type",
                Cat({"extension_type must be ", d.extension_type, " for this extension"}),
                "extension_type");
    }
    if (type != d.type) {
      ctx.Error("extension-type",
                d.extension_type == "new-sdo"
                    ? Cat({"this extension defines another object type than '", type, "'"})
                    : Cat({"the Incident Core extension applies to ", d.type, " objects only"}));
      return true;
    }
    CheckObject(ctx, *d.spec, ext);
    return true;
  }
  return false;
}

}  // namespace internal

std::vector<std::string> IncidentCoreDefinitions(std::string_view created_by_ref) {
  namespace json = boost::json;
  constexpr std::string_view kBase =
      "https://raw.githubusercontent.com/oasis-open/cti-stix-common-objects/main/"
      "extension-definition-specifications/incident-core/";
  struct Def {
    std::string_view id, name, description, schema_path, type;
  };
  const Def defs[] = {
      {kIncidentCoreIncidentExtension, "Incident Core",
       "OASIS Incident Core extension (version 2.0) of the STIX incident: determination, "
       "investigation status, criticality, detection methods, incident types, impacted entity "
       "counts, recoverability, scores, and the incident's events, tasks and impacts.",
       "extension-definition--ef765651-680c-498d-9894-99799f2fa126.json", "property-extension"},
      {kIncidentCoreEventExtension, "Incident Core: event",
       "The event object of the OASIS Incident Core extension suite: something that happened "
       "during an incident, with its status, times, sightings and state changes.",
       "event/extension-definition--4ca6de00-5b0d-45ef-a1dc-ea7279ea910e.json", "new-sdo"},
      {kIncidentCoreTaskExtension, "Incident Core: task",
       "The task object of the OASIS Incident Core extension suite: work done or to be done in "
       "response to an incident, with its outcome, priority, times and state changes.",
       "task/extension-definition--2074a052-8be4-4932-849e-f5e7798e0030.json", "new-sdo"},
      {kIncidentCoreImpactExtension, "Incident Core: impact",
       "The impact object of the OASIS Incident Core extension suite: an effect of an incident "
       "in one category (availability, confidentiality, external, integrity, monetary, "
       "physical, traceability), superseded over time.",
       "impact/extension-definition--7cc33dd6-f6a1-489b-98ea-522d351d71b9.json", "new-sdo"},
  };
  std::vector<std::string> out;
  for (const Def& d : defs) {
    json::object o{{"type", "extension-definition"},
                   {"spec_version", "2.1"},
                   {"id", d.id},
                   {"created_by_ref", created_by_ref},
                   {"created", "2026-12-07T00:00:00.000Z"},
                   {"modified", "2026-12-07T00:00:00.000Z"},
                   {"name", d.name},
                   {"description", d.description},
                   {"schema", std::string(kBase) + std::string(d.schema_path)},
                   {"version", "2.0.0"},
                   {"extension_types", json::array{json::string(d.type)}}};
    out.push_back(json::serialize(o));
  }
  return out;
}

std::span<const std::string_view> IncidentCoreEnum(std::string_view name) {
  using namespace internal;  // NOLINT
  for (const Vocab* v : {&kDetermination, &kInvestigation, &kRecoverability, &kEventStatus,
                         &kTaskOutcome, &kFidelity, &kLossType, &kAlteration, &kPhysicalImpact,
                         &kTraceability, &kEventType, &kTaskType, &kDetectionMethods,
                         &kEntityType, &kImpactCategory}) {
    if (v->name == name) return v->values;
  }
  return {};
}

}  // namespace kizuna::stix
