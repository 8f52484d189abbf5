#pragma once
// Objects received from a peer hub, on their way into the store: the loop
// check (an object whose path names this hub is skipped: it has been here),
// validation (src/ingest, as for every producer) and stamping by the policy
// with the sender's metadata (policy::StampFromPeer). One path for objects
// pulled by this hub (channels, polling) and pushed by the peer (TAXII POST
// from a peer account).
//
// Thread-safe: pure functions.

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ingest/ingest.h"
#include "policy/federation.h"
#include "policy/model.h"

namespace kizuna::federation {

struct PeerPrepared {
  ingest::Prepared prepared;                   // valid, stamped objects
  std::vector<store::StatusDetail> looped;     // skipped: already passed this hub
};

// `meta` (may be null: a plain TAXII peer) has one entry per object.
PeerPrepared PreparePeerObjects(const std::vector<std::string_view>& objects,
                                const policy::PeerEnvelopeMeta* meta, int64_t collection_key,
                                const policy::TrustModel& model, const policy::PeerSender& from);

// For a TAXII POST by a peer account: splits the envelope, reads the
// federation metadata (whose "hub" must be the authenticated peer) and
// prepares. Looped objects are reported as successes (they are here).
// InvalidArgument for a malformed envelope or metadata.
Result<ingest::Prepared> PreparePeerEnvelope(std::string_view body, int64_t collection_key,
                                             const policy::TrustModel& model,
                                             const policy::PeerSender& from);

}  // namespace kizuna::federation
