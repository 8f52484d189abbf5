#pragma once
// The national priority of an incident (issue 11, docs/coordination.md,
// "Priority"): a score from 0 to 100 and a level, in the style of CISA's
// National Cyber Incident Scoring System (NCISS): a weighted mean of
// functional impact, information impact, recoverability, cross-sector
// dependency and potential impact, each scored 0-100 from the incident and
// its impacts, then raised for what correlation shows (the same indicators
// or observables in other organizations', sectors' and nations' incidents
// and sightings: the multi-victim picture NCISS does not cover). The
// weights and the scale of each factor are documented and tested; nothing
// here reads the store.
//
// Thread-safe: pure functions.

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kizuna::coord {

// What correlation found for one incident, counted over what the reader may see.
struct CorrelationFacts {
  int64_t sightings = 0;                  // sightings of the incident's linked objects
  std::vector<std::string> incidents;     // other incidents sharing a linked object
  std::vector<std::string> organizations; // every organization involved (owner included)
  std::vector<std::string> sectors;       // Kizuna sector codes involved
  std::vector<std::string> nations;       // nations involved
};

struct PriorityInputs {
  std::optional<int64_t> criticality;  // the incident's (Incident Core)
  std::string determination;           // the incident's
  std::string recoverability;          // the incident's (recoverability-enum)
  std::vector<std::string> sectors;    // the incident's own and its owner's
  // The incident's impact objects (Incident Core `impact`), as read.
  std::vector<const boost::json::object*> impacts;
  CorrelationFacts correlation;
};

struct Priority {
  int64_t score = 0;      // 0-100
  std::string level;      // baseline, low, medium, high, severe, emergency
  int64_t functional = 0, information = 0, recoverability = 0, cross_sector = 0, potential = 0;
  int64_t raised = 0;     // points added for correlation
};

Priority ComputePriority(const PriorityInputs& in);

// The least and the most `in`'s score can be whatever its correlation is
// (correlation only raises a score): a list filtered by priority settles an
// incident on its own facts when both bounds fall on one side.
std::pair<int64_t, int64_t> PriorityBounds(PriorityInputs in);

// The level of a score: emergency >= 90, severe >= 75, high >= 55, medium >= 35,
// low >= 15, else baseline.
std::string_view PriorityLevel(int64_t score);
// 0-5 for the level names above (baseline 0 ... emergency 5); -1 if unknown.
int PriorityLevelRank(std::string_view level);

}  // namespace kizuna::coord
