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
// TLP:RED object without an audience of accounts, and a malformed audience.
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
};

Status Stamp(const TrustModel& model, int64_t collection, const Poster& poster,
             const boost::json::object& object, store::NewObject* out);

}  // namespace kizuna::policy
