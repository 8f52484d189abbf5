#pragma once
// Demo data: realistic, generated STIX 2.1 content for `kizuna demo`
// (the project ships no data from elsewhere). Addresses come from the
// documentation ranges (RFC 5737, RFC 3849), domains from the reserved
// .example/.test names, hashes are random; threat actors, malware and
// campaigns are fictional; ATT&CK technique ids are real references.
//
// Deterministic for a given seed (ids, timestamps and values), so two demo
// hubs built with the same seed hold the same objects.

#include <cstdint>
#include <string>
#include <vector>

namespace kizuna::app {

struct DemoOrg {
  std::string id;  // identity--...
  std::string name;
  std::string name_ja;
  std::string nation;
  std::string kind;
  std::vector<std::string> sectors;
};

struct DemoCollectionData {
  std::string key;  // which demo collection: "energy", "rail", "alerts", "sightings"
  std::vector<std::string> objects;  // serialized STIX objects
};

// Generates the demo content for the given organizations. `now_us` anchors
// timestamps (objects are dated in the 60 days before it).
std::vector<DemoCollectionData> GenerateDemoData(const std::vector<DemoOrg>& orgs, uint64_t seed,
                                                 int64_t now_us);

// Generates `n` distinct indicator objects (for benchmarks and load tests),
// each about 600 bytes, with TLP markings mixed as in real feeds.
std::vector<std::string> GenerateIndicators(size_t n, uint64_t seed, int64_t now_us,
                                            const std::string& created_by_ref);

}  // namespace kizuna::app
