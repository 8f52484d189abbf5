// The national priority score (coord/priority.h): each factor's scale, the
// weights, the levels, and the raise for correlation across organizations,
// sectors and nations, checked against values worked out by hand from the
// documented formula (docs/coordination.md, "Priority").
#include "coord/priority.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

namespace kizuna::coord {
namespace {

namespace json = boost::json;

TEST(PriorityTest, LevelsFollowTheDocumentedThresholds) {
  EXPECT_EQ(PriorityLevel(0), "baseline");
  EXPECT_EQ(PriorityLevel(14), "baseline");
  EXPECT_EQ(PriorityLevel(15), "low");
  EXPECT_EQ(PriorityLevel(35), "medium");
  EXPECT_EQ(PriorityLevel(55), "high");
  EXPECT_EQ(PriorityLevel(75), "severe");
  EXPECT_EQ(PriorityLevel(90), "emergency");
  EXPECT_EQ(PriorityLevelRank("high"), 3);
  EXPECT_EQ(PriorityLevelRank("urgent"), -1);
}

TEST(PriorityTest, TheWeightedMeanOfTheFactors) {
  PriorityInputs in;
  in.criticality = 70;            // functional 70
  in.determination = "confirmed";  // potential 100
  in.recoverability = "extended";  // 75
  in.sectors = {"energy-electric"};  // one lifeline sector: 50
  Priority p = ComputePriority(in);
  EXPECT_EQ(p.functional, 70);
  EXPECT_EQ(p.information, 0);
  EXPECT_EQ(p.recoverability, 75);
  EXPECT_EQ(p.cross_sector, 50);
  EXPECT_EQ(p.potential, 100);
  // (30*70 + 15*0 + 15*75 + 15*50 + 25*100) / 100 = 64.75 -> 65
  EXPECT_EQ(p.score, 65);
  EXPECT_EQ(p.level, "high");
  EXPECT_EQ(p.raised, 0);
}

TEST(PriorityTest, ImpactsRaiseFunctionalAndInformationImpact) {
  json::object availability = json::parse(R"({"type":"impact","criticality":40,
    "extensions":{"availability":{"availability_impact":90}}})").as_object();
  json::object confidentiality = json::parse(R"({"type":"impact","recoverability":"not-recoverable",
    "extensions":{"confidentiality-impact":{"loss_type":"confirmed-loss"}}})").as_object();
  PriorityInputs in;
  in.determination = "suspected";  // 60
  in.impacts = {&availability, &confidentiality};
  Priority p = ComputePriority(in);
  EXPECT_EQ(p.functional, 90);
  EXPECT_EQ(p.information, 100);
  EXPECT_EQ(p.recoverability, 100);
  EXPECT_EQ(p.cross_sector, 0);
  // (30*90 + 15*100 + 15*100 + 0 + 25*60) / 100 = 72
  EXPECT_EQ(p.score, 72);
}

TEST(PriorityTest, CorrelationAcrossOrganizationsSectorsAndBordersRaisesIt) {
  PriorityInputs in;
  in.criticality = 50;
  in.determination = "confirmed";
  in.sectors = {"energy-electric"};
  Priority alone = ComputePriority(in);
  // (30*50 + 0 + 0 + 15*50 + 25*100) / 100 = 47.5 -> 48
  EXPECT_EQ(alone.score, 48);
  in.correlation.incidents = {"incident--00000000-0000-4000-8000-000000000002"};
  in.correlation.sightings = 2;
  in.correlation.organizations = {"identity--a", "identity--b", "identity--c"};
  in.correlation.sectors = {"energy-electric", "rail"};
  in.correlation.nations = {"JP", "US"};
  Priority together = ComputePriority(in);
  // Two sectors involved: cross-sector 60 -> (1500 + 900 + 2500) / 100 = 49;
  // raised by 2 other organizations (10), sightings (5), sectors (10), nations (10).
  EXPECT_EQ(together.cross_sector, 60);
  EXPECT_EQ(together.raised, 35);
  EXPECT_EQ(together.score, 84);
  EXPECT_EQ(together.level, "severe");
  // Facts without any correlated incident or sighting raise nothing.
  in.correlation.incidents.clear();
  in.correlation.sightings = 0;
  EXPECT_EQ(ComputePriority(in).raised, 0);
}

// The bounds hold for every correlation: a list filtered by priority settles
// an incident on them alone.
TEST(PriorityTest, TheBoundsHoldWhateverTheCorrelation) {
  const std::vector<std::string> sectors = {"energy-electric", "rail", "water", "chemical", "finance"};
  for (int criticality : {0, 30, 70, 100}) {
    for (const char* determination : {"confirmed", "suspected", "blocked", "false-positive", ""}) {
      PriorityInputs in;
      in.criticality = criticality;
      in.determination = determination;
      in.sectors = {"chemical"};
      auto [low, high] = PriorityBounds(in);
      EXPECT_LE(low, high);
      EXPECT_EQ(low, ComputePriority(in).score);
      int64_t most = 0;
      for (int mask = 0; mask < 64; ++mask) {
        PriorityInputs c = in;
        if (mask & 1) c.correlation.incidents = {"incident--x"};
        if (mask & 2) c.correlation.sightings = 3;
        for (int k = 0; k < 1 + (mask >> 4); ++k) c.correlation.organizations.push_back("identity--" + std::to_string(k));
        for (size_t k = 0; k < static_cast<size_t>((mask >> 2) & 3) + 1; ++k) c.correlation.sectors.push_back(sectors[k]);
        if (mask & 8) c.correlation.nations = {"JP", "US"};
        const int64_t score = ComputePriority(c).score;
        EXPECT_GE(score, low) << criticality << determination << mask;
        EXPECT_LE(score, high) << criticality << determination << mask;
        most = std::max(most, score);
      }
      EXPECT_EQ(most, high) << criticality << " " << determination;  // the bound is reached
    }
  }
}

TEST(PriorityTest, AFalsePositiveIsBaseline) {
  PriorityInputs in;
  in.criticality = 100;
  in.determination = "false-positive";
  in.correlation.sightings = 5;
  Priority p = ComputePriority(in);
  EXPECT_EQ(p.score, 0);
  EXPECT_EQ(p.level, "baseline");
}

TEST(PriorityTest, ScoresAreCappedAt100) {
  PriorityInputs in;
  in.criticality = 100;
  in.determination = "confirmed";
  in.recoverability = "not-recoverable";
  in.sectors = {"energy-electric", "rail", "water", "finance"};
  in.correlation.incidents = {"incident--x"};
  in.correlation.sightings = 1;
  in.correlation.organizations = {"a", "b", "c", "d", "e"};
  in.correlation.sectors = {"rail", "water"};
  in.correlation.nations = {"JP", "US"};
  Priority p = ComputePriority(in);
  EXPECT_EQ(p.score, 100);
  EXPECT_EQ(p.level, "emergency");
}

}  // namespace
}  // namespace kizuna::coord
