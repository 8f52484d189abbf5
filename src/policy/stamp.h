#pragma once
// Stamping: what the policy records about an object when it is received,
// before it is stored: the effective marking (the strictest TLP marking on
// the object, TLP 1.0 ids mapped to TLP 2.0; else the collection's default,
// fixed at ingest so that changing a default later never loosens old
// objects), the producing organization and account (the authenticated
// poster, not the object's created_by_ref), the audience (the Kizuna
// audience extension), and whether it has granular markings.
//
// Rejects (InvalidArgument, reported per object in the TAXII status) a
// TLP:RED object without an audience of accounts, a malformed audience, a
// created_by_ref that is not the poster's organization (Poster::must_be_creator),
// and granular markings on the properties that identify or mark the object
// (id, type, spec_version, created, modified, object_marking_refs,
// granular_markings, extensions): a redacted copy must keep them.
//
// Who produces objects is decided here, from the authenticated principal
// (ProducerFor: the role decisions), not by callers: an account posts as
// itself (contributors must be the creator), a peer hub's account posts as
// that hub (StampFromPeer, policy/federation.h), offline imports and the
// hub's own built-in definitions have producers of their own.
//
// Thread-safe: pure.

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>

#include "auth/principal.h"
#include "core/status.h"
#include "policy/federation.h"
#include "policy/model.h"
#include "store/store.h"

namespace kizuna::policy {

struct Poster {
  std::string account;       // username ("" for imports without an account)
  std::string organization;  // identity--...
  // When set, an object's created_by_ref must be the poster's organization:
  // contributors post as themselves; relaying others' objects (keeping their
  // creator) is for coordinators, admins, peers and offline imports.
  bool must_be_creator = false;
};

Status Stamp(const TrustModel& model, int64_t collection, const Poster& poster,
             const boost::json::object& object, store::NewObject* out);

// Every kind of producer, as the policy stamps its objects.
struct Producer {
  enum class Kind : uint8_t {
    kAccount,  // a local account (TAXII POST): `poster`
    kImport,   // `kizuna import`, demo seeding: `poster` (no creator rule)
    kPeer,     // a peer hub (TAXII POST by its account, or pulled): `peer`
    kBuiltin,  // the hub's own definitions: TLP:CLEAR, no producer
  };
  Kind kind = Kind::kBuiltin;
  Poster poster;
  PeerSender peer;
};

// The producer an authenticated principal posts as: a `peer` account (with
// federation on, `self_hub` non-empty) posts as its hub; coordinators and
// admins may relay others' objects; everyone else must be the creator.
Producer ProducerFor(const auth::Principal& principal, std::string_view self_hub);
Producer ImportProducer(std::string organization, std::string account = "");
Producer PeerProducer(std::string self_hub, std::string sender_hub);
Producer BuiltinProducer();

// Stamps one object from `producer`; `meta` is the peer's per-object
// federation metadata (kPeer only; may be null).
Status StampObject(const TrustModel& model, int64_t collection, const Producer& producer,
                   const PeerObjectMeta* meta, const boost::json::object& object,
                   store::NewObject* out);

}  // namespace kizuna::policy
