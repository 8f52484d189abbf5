#pragma once
// ObservationSet: the observed-data a pattern is evaluated against, indexed
// for the evaluator (STIX 2.1 §4.14 observed-data; STIX 2.0 Part 1 §2.13).
//
// Input is a list of JSON values, each an observed-data object, a bundle, or
// (2.1) an SCO. Under 2.1 an observed-data names its SCOs in `object_refs`;
// they are looked up among all SCOs of the input (bundles are flattened).
// The deprecated inline `objects` dictionary (the only form in 2.0) is used
// when an observed-data has no `object_refs`. Under 2.0 every top-level
// object that is not a bundle is taken as an observed-data, whatever its type.
//
// The set points into the JSON it was built from: that JSON must outlive it.
// Immutable after construction; thread-safe for concurrent readers.

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "pattern/ast.h"

namespace kizuna::pattern {

struct Observation {
  std::string_view id;         // the observed-data id; empty when it has none
  int64_t first_observed = 0;  // microseconds since the epoch
  int64_t last_observed = 0;
  int64_t number_observed = 1;
  // The SCOs this observation is about (candidates for the object type of a
  // comparison). SDOs and SROs listed in object_refs are skipped.
  std::vector<const boost::json::object*> objects;
  // Reference resolution: in the inline form "_ref" values are keys of
  // `inline_objects`; otherwise they are STIX ids looked up in `by_id` (the
  // SCOs of object_refs, sorted by id).
  const boost::json::object* inline_objects = nullptr;
  std::vector<std::pair<std::string_view, const boost::json::object*>> by_id;  // sorted

  // The SCO a reference value names, or null when it does not resolve.
  const boost::json::object* Resolve(std::string_view ref) const;
};

class ObservationSet {
 public:
  ObservationSet() = default;

  // Builds the set from `inputs` (each an observed-data, bundle or SCO).
  // Errors (kInvalidArgument) name the offending observed-data: a missing or
  // invalid first_observed/last_observed, number_observed not an integer >= 1,
  // object_refs not a list, or an element that is not a JSON object.
  static Result<ObservationSet> Build(std::span<const boost::json::value> inputs,
                                      SpecVersion version);
  // Same, from a JSON array.
  static Result<ObservationSet> Build(const boost::json::array& inputs, SpecVersion version);

  const std::vector<Observation>& observations() const { return observations_; }
  size_t size() const { return observations_.size(); }

 private:
  std::vector<Observation> observations_;
};

}  // namespace kizuna::pattern
