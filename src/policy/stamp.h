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
// Thread-safe: pure.

#include <boost/json/fwd.hpp>
#include <string>

#include "core/status.h"
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

}  // namespace kizuna::policy
