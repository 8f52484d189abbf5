#include "coord/priority.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <set>

namespace kizuna::coord {
namespace {

namespace json = boost::json;
using SV = std::string_view;

// The lifeline sectors: a hit on one of them has national consequences.
constexpr std::array<SV, 10> kLifelines = {"energy-electric", "energy-gas", "energy-oil", "nuclear",
                                           "water",           "telecom",    "finance",    "health",
                                           "rail",            "aviation"};

int64_t Recoverability(SV r) {
  if (r == "not-recoverable") return 100;
  if (r == "extended") return 75;
  if (r == "supplemented") return 50;
  if (r == "regular") return 25;
  return 0;  // not-applicable, or not stated
}

int64_t LossOfInformation(SV loss) {
  if (loss == "confirmed-loss" || loss == "exploited-loss") return 100;
  if (loss == "suspected-loss") return 60;
  if (loss == "contained") return 30;
  return 0;
}

int64_t Alteration(SV a) {
  if (a == "full-destruction" || a == "full-modification") return 100;
  if (a == "partial-destruction" || a == "partial-modification") return 75;
  if (a == "potential-destruction" || a == "potential-modification") return 40;
  return 0;
}

const json::object* Category(const json::object& impact, SV name) {
  const json::value* e = impact.if_contains("extensions");
  if (!e || !e->is_object()) return nullptr;
  for (const std::string& key : {std::string(name), std::string(name) + "-impact"}) {
    const json::value* c = e->get_object().if_contains(key);
    if (c && c->is_object()) return &c->get_object();
  }
  return nullptr;
}

std::string Str(const json::object* o, SV key) {
  if (!o) return "";
  const json::value* v = o->if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

int64_t Int(const json::object* o, SV key) {
  if (!o) return -1;
  const json::value* v = o->if_contains(key);
  return v && v->is_int64() ? v->get_int64() : -1;
}

}  // namespace

std::string_view PriorityLevel(int64_t score) {
  if (score >= 90) return "emergency";
  if (score >= 75) return "severe";
  if (score >= 55) return "high";
  if (score >= 35) return "medium";
  if (score >= 15) return "low";
  return "baseline";
}

int PriorityLevelRank(std::string_view level) {
  constexpr std::array<SV, 6> kLevels = {"baseline", "low", "medium", "high", "severe", "emergency"};
  for (size_t i = 0; i < kLevels.size(); ++i) {
    if (kLevels[i] == level) return static_cast<int>(i);
  }
  return -1;
}

Priority ComputePriority(const PriorityInputs& in) {
  Priority p;
  // Functional impact: the incident's criticality, or the worst impact's
  // criticality or availability impact.
  int64_t functional = in.criticality.value_or(0);
  int64_t information = 0;
  int64_t recover = Recoverability(in.recoverability);
  for (const json::object* impact : in.impacts) {
    if (impact == nullptr) continue;
    functional = std::max(functional, Int(impact, "criticality"));
    functional = std::max(functional, Int(Category(*impact, "availability"), "availability_impact"));
    information = std::max(information, LossOfInformation(Str(Category(*impact, "confidentiality"), "loss_type")));
    information = std::max(information, Alteration(Str(Category(*impact, "integrity"), "alteration")));
    recover = std::max(recover, Recoverability(Str(impact, "recoverability")));
  }
  p.functional = std::clamp<int64_t>(functional, 0, 100);
  p.information = information;
  p.recoverability = recover;
  // Cross-sector dependency: how many sectors are involved, and whether a
  // lifeline sector is one of them.
  std::set<std::string> sectors(in.sectors.begin(), in.sectors.end());
  sectors.insert(in.correlation.sectors.begin(), in.correlation.sectors.end());
  const size_t n = sectors.size();
  p.cross_sector = n == 0 ? 0 : n == 1 ? 25 : n == 2 ? 60 : 100;
  for (const std::string& s : sectors) {
    if (std::find(kLifelines.begin(), kLifelines.end(), SV(s)) != kLifelines.end()) {
      p.cross_sector = std::max<int64_t>(p.cross_sector, 50);
    }
  }
  // Potential impact: how sure we are that harm was done.
  const SV d = in.determination;
  p.potential = d == "confirmed" || d == "successful-attempt" ? 100
                : d == "suspected" || d.empty()                ? 60
                : d == "low-value"                             ? 30
                : d == "blocked" || d == "failed-attempt"      ? 20
                                                               : 0;
  if (d == "false-positive") {  // not an incident: score 0
    p.level = std::string(PriorityLevel(0));
    return p;
  }
  // The weighted mean (NCISS weighs functional and potential impact most).
  int64_t weighted = 30 * p.functional + 15 * p.information + 15 * p.recoverability +
                     15 * p.cross_sector + 25 * p.potential;
  int64_t score = (weighted + 50) / 100;
  // Raised for the multi-victim picture: only when correlation found another
  // incident or a sighting.
  const CorrelationFacts& c = in.correlation;
  int64_t raise = 0;
  if (!c.incidents.empty() || c.sightings > 0) {
    std::set<std::string> orgs(c.organizations.begin(), c.organizations.end());
    std::set<std::string> nations(c.nations.begin(), c.nations.end());
    std::set<std::string> across(c.sectors.begin(), c.sectors.end());
    if (orgs.size() > 1) raise += 5 * std::min<int64_t>(static_cast<int64_t>(orgs.size()) - 1, 3);
    if (c.sightings > 0) raise += 5;
    if (across.size() > 1) raise += 10;
    if (nations.size() > 1) raise += 10;
  }
  p.raised = raise;
  p.score = std::min<int64_t>(100, score + raise);
  p.level = std::string(PriorityLevel(p.score));
  return p;
}

std::pair<int64_t, int64_t> PriorityBounds(PriorityInputs in) {
  in.correlation = {};
  const int64_t low = ComputePriority(in).score;
  // Every raise at its most: another incident and a sighting, four
  // organizations, two nations, three sectors or more (one a lifeline).
  in.correlation.incidents = {"another"};
  in.correlation.sightings = 1;
  in.correlation.organizations = {"a", "b", "c", "d"};
  in.correlation.nations = {"a", "b"};
  in.correlation.sectors = {"energy-electric", "water", "health", "other"};
  return {low, ComputePriority(in).score};
}

}  // namespace kizuna::coord
