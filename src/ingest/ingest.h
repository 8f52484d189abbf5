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
// TLP look-alikes (docs/policy.md): a marking definition that imitates TLP
// under a non-OASIS id (stix::FindTlpLookalike) is refused (rule
// "tlp-lookalike") and recorded in the batch (WriteBatch::refused_markings,
// committed with it); an object whose object_marking_refs or granular
// markings reference a refused definition is refused (rule
// "tlp-lookalike-ref"), whether the definition was refused in the same call
// (before or after the object), earlier by the same RefusedMarkings (an
// import's earlier batches, a federation link's earlier pages, committed or
// not), or earlier by the hub (the store's record).
//
// Thread-safe: pure functions of their arguments, except for the
// RefusedMarkings they are given (read from the store, updated in memory).

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "policy/federation.h"
#include "policy/model.h"
#include "policy/stamp.h"
#include "store/store.h"

namespace kizuna::ingest {

// The marking definitions refused as TLP look-alikes that one stream of
// objects (a TAXII request, a `kizuna import` or `kizuna validate` run, a
// federation link) must know about: those it refused itself, which may not
// be committed yet, and the store's durable record of every earlier refusal.
// Thread-compatible: one per stream, used by one thread at a time.
class RefusedMarkings {
 public:
  // `store` may be null (offline validation: only this stream's refusals).
  explicit RefusedMarkings(store::Store* store) : store_(store) {}

  // Remembers a refusal; `id` in lower case.
  void Remember(const std::string& id, const std::string& reason);
  // The reasons of those of `ids` (lower case) that were refused: first
  // this stream's, then the store's record. IoError etc. when the store
  // cannot be read.
  Result<std::map<std::string, std::string>> Find(const std::set<std::string>& ids);

 private:
  store::Store* store_;
  std::unordered_map<std::string, std::string> remembered_;
};

struct Prepared {
  store::WriteBatch batch;                     // valid objects, in input order
  std::vector<store::StatusDetail> successes;  // one per object in batch.objects
  std::vector<store::StatusDetail> failures;   // invalid or refused objects, with messages
  std::vector<store::StatusDetail> looped;     // from a peer, skipped: already passed this hub
};

// Validates, indexes and stamps `objects` (each one JSON object's exact
// bytes). `refused` (null: only this call's refusals count; for the hub's
// built-in objects) is consulted and told of this call's refusals. `meta` (a
// peer producer's federation metadata; null for others and for plain TAXII
// peers) has one entry per object.
Prepared PrepareObjects(const std::vector<std::string_view>& objects, int64_t collection_key,
                        const policy::TrustModel& model, const policy::Producer& producer,
                        RefusedMarkings* refused, const policy::PeerEnvelopeMeta* meta = nullptr);

// Remembers in `refused` the TLP look-alike marking definitions among
// `objects` without preparing anything, so that objects of the same stream
// prepared before them (an import's earlier batches, the earlier pages of
// one federation delivery) are refused too. Parses only the objects that may
// be marking definitions (their bytes hold `marking-definition"` or a \u
// escape).
void ScanForLookalikes(const std::vector<std::string_view>& objects, RefusedMarkings* refused);

// What PrepareObjects checks of the objects themselves, without the
// policy's stamping, which needs a hub's directory (`kizuna validate`):
// parsing, validation and the TLP look-alike rules. `spec_version` ("2.0",
// "2.1" or empty for the STIX 2.1 rule) is the version of objects without a
// spec_version (stix::ValidateOptions::default_spec_version).
struct Checked {
  std::vector<store::StatusDetail> successes;
  std::vector<store::StatusDetail> failures;
};
Checked CheckObjects(const std::vector<std::string_view>& objects, RefusedMarkings* refused,
                     std::string_view spec_version = {});

// Splits a container (STIX bundle, TAXII envelope) and prepares its objects.
// From a peer producer, the envelope's federation member
// (policy::kFederationMember) is read and must name the sending hub; looped
// objects are reported as successes (they are here).
// InvalidArgument when the container or the metadata is malformed (nothing
// prepared).
Result<Prepared> PrepareEnvelope(std::string_view body, int64_t collection_key,
                                 const policy::TrustModel& model, const policy::Producer& producer,
                                 RefusedMarkings* refused);

}  // namespace kizuna::ingest
