#pragma once
// Ingest: turns received STIX objects (exact bytes) into a store WriteBatch
// plus the per-object outcome a TAXII status resource reports. One path for
// every producer (policy::Producer): TAXII Add Objects by an account or by a
// peer hub's account, objects pulled from peers (channels, polling),
// `kizuna import`, demo seeding and the hub's built-in definitions.
//
// Each object is parsed once (stix::ParseJson: I-JSON, duplicate member
// names rejected, nesting bounded by stix::kMaxDepth, the limit every later
// reader of the stored bytes uses, so that what is accepted can always be
// released), validated (stix::ValidateObject, with STIX patterns checked by
// src/pattern), indexed, and stamped by the policy (policy::StampObject:
// effective marking, producer, audience, trust group, origin path). Invalid
// objects become failures with the message that names the object, the
// property and the rule, and are not written. Objects from a peer whose
// origin path names this hub are skipped (they have been here). Nothing
// here writes: the caller submits the batch.
//
// Thread-safe: pure functions.

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "policy/federation.h"
#include "policy/model.h"
#include "policy/stamp.h"
#include "store/store.h"

namespace kizuna::ingest {

struct Prepared {
  store::WriteBatch batch;                     // valid objects, in input order
  std::vector<store::StatusDetail> successes;  // one per object in batch.objects
  std::vector<store::StatusDetail> failures;   // invalid or refused objects, with messages
  std::vector<store::StatusDetail> looped;     // from a peer, skipped: already passed this hub
};

// Validates, indexes and stamps `objects` (each one JSON object's exact
// bytes). `meta` (a peer producer's federation metadata; null for others
// and for plain TAXII peers) has one entry per object.
Prepared PrepareObjects(const std::vector<std::string_view>& objects, int64_t collection_key,
                        const policy::TrustModel& model, const policy::Producer& producer,
                        const policy::PeerEnvelopeMeta* meta = nullptr);

// Splits a container (STIX bundle, TAXII envelope) and prepares its objects.
// From a peer producer, the envelope's federation member
// (policy::kFederationMember) is read and must name the sending hub; looped
// objects are reported as successes (they are here).
// InvalidArgument when the container or the metadata is malformed (nothing
// prepared).
Result<Prepared> PrepareEnvelope(std::string_view body, int64_t collection_key,
                                 const policy::TrustModel& model,
                                 const policy::Producer& producer);

}  // namespace kizuna::ingest
