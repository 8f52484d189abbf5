#pragma once
// Ingest: turns received STIX objects (exact bytes) into a store WriteBatch
// plus the per-object outcome a TAXII status resource reports. One path for
// every producer: TAXII Add Objects, `kizuna import`, federation pulls.
//
// Each object is parsed once (stix::ParseJson: I-JSON, duplicate member
// names rejected, so every consumer reads the same markings), validated
// (stix::ValidateObject, with STIX patterns checked by src/pattern), indexed,
// and stamped by the caller's Stamper (the policy: effective marking,
// producer, audience). Invalid objects become failures with the message that
// names the object, the property and the rule, and are not written. Nothing
// here writes: the caller submits the batch.
//
// Thread-safe: pure functions.

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace kizuna::ingest {

struct Producer {
  std::string organization;  // identity--... of the producing organization ("" = unknown)
  std::string origin;        // hub name when the object came from a peer ("" = this hub)
};

// Sets the policy metadata of `out` from the parsed object; a non-OK Status
// rejects the object (its message goes into the status resource).
using Stamper = std::function<Status(const boost::json::object& object, store::NewObject* out)>;

struct Prepared {
  store::WriteBatch batch;                    // valid objects, in input order
  std::vector<store::StatusDetail> successes;  // one per object in batch.objects
  std::vector<store::StatusDetail> failures;   // invalid objects, with messages
};

// Validates and indexes `objects` (each one JSON object's exact bytes).
Prepared PrepareObjects(const std::vector<std::string_view>& objects, int64_t collection_key,
                        const Producer& producer, const Stamper& stamp = nullptr);

// As above, with a stamper that also gets the object's index in `objects`
// (federation: per-object metadata sent beside the objects).
using IndexedStamper =
    std::function<Status(size_t index, const boost::json::object& object, store::NewObject* out)>;
Prepared PrepareObjects(const std::vector<std::string_view>& objects, int64_t collection_key,
                        const Producer& producer, const IndexedStamper& stamp);

// Splits a container (STIX bundle, TAXII envelope) and prepares its objects.
// InvalidArgument when the container itself is malformed (nothing prepared).
Result<Prepared> PrepareEnvelope(std::string_view body, int64_t collection_key,
                                 const Producer& producer, const Stamper& stamp = nullptr);

}  // namespace kizuna::ingest
