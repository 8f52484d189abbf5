#pragma once
// SightingAggregator: turns matches into STIX 2.1 sighting objects (§5.7)
// for the hub, aggregated per indicator and sensor: one sighting per
// indicator for the run, re-posted as a new version (same id, later
// `modified`) whenever its count grows, with count, first_seen, last_seen,
// where_sighted_refs (the sensor's identity) and observed_data_refs (one
// observed-data per sighting, §4.14, counting the observations, with the
// SCO of the first value matched). The sensor's identity object (a
// "system" identity) is sent with the first batch when the aggregator
// mints it. Every object is marked with the operator's markings (TLP:AMBER
// by default) and created_by_ref the sensor.
//
// Thread-compatible: Add and Take from one thread at a time (the scanner's
// ordered delivery plus a reporting timer under one lock).

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "match/matcher.h"
#include "match/scanner.h"

namespace kizuna::match {

struct SightingOptions {
  std::string sensor_id;    // "identity--..."; "" = minted (v4) and sent once
  std::string sensor_name;  // name of a minted identity ("kizuna sensor <host>")
  // created_by_ref of the observed-data and sightings: the operator's
  // organization identity. Empty = left out (the hub records the posting
  // account's organization as producer; it refuses a created_by_ref naming
  // another organization, so the sensor identity cannot be the creator).
  std::string created_by;
  std::vector<std::string> markings;  // object_marking_refs; empty = TLP:AMBER
};

class SightingAggregator {
 public:
  explicit SightingAggregator(SightingOptions options);

  void Add(const MatchRecord& match, const Matcher& matcher, int64_t now_us);
  // The objects to post: for every indicator seen since the last call, its
  // observed-data and sighting (new versions), plus the identity on the
  // first call that has any. Empty when nothing new was seen.
  std::vector<std::string> Take(int64_t now_us);
  // Puts objects back after a failed post (they are retried next time).
  void Restore();

  const std::string& sensor_id() const { return sensor_id_; }
  int64_t sightings() const { return static_cast<int64_t>(aggregates_.size()); }

 private:
  struct Aggregate {
    std::string indicator;
    std::string sighting_id;
    std::string observed_id;
    std::string sco;  // the SCO JSON of the first value
    std::string sco_id;
    int64_t count = 0;
    int64_t first_us = 0, last_us = 0;
    int64_t created_us = 0;
    int64_t last_modified_us = 0;
    bool dirty = false;
  };

  SightingOptions options_;
  std::string sensor_id_;
  bool identity_sent_ = false;
  bool identity_pending_ = false;
  std::map<uint32_t, Aggregate> aggregates_;  // by ordinal
  std::vector<uint32_t> taken_;               // dirty set of the last Take
};

}  // namespace kizuna::match
