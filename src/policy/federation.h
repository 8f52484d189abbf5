#pragma once
// Federation metadata and stamping (issue 5): what a hub tells a peer hub
// about each object it sends beside the object's exact bytes, and how the
// receiving hub stamps the object so that the same trust rules hold on every
// hop.
//
// Per object the sender gives: its effective marking (the receiver keeps the
// stricter of it and its own reading of the object: an object without a TLP
// marking took the sender's collection default, which must not loosen on the
// way), the producing organization, the producing account ("user@hub"), and
// the path of hubs the object has travelled (origin first, sender last).
//
// Wire form: the TAXII 2.1 custom property "x_kizuna_federation" of an
// envelope (TAXII GET/POST bodies and channel events), beside "objects":
//   "x_kizuna_federation": {"hub": "us-hub",
//     "objects": [{"marking": "marking-definition--...", "producer": "identity--...",
//                  "producer_account": "alice@us-hub", "path": ["us-hub"]}, ...]}
// with one entry per element of "objects", in the same order.
//
// Account names: stored audience tokens are relative to the hub that stores
// them ("bob" is an account here, "kenji@jp-hub" one of a peer). The audience
// extension inside an object is relative to the object's origin hub. A
// receiving hub qualifies unqualified names with the origin hub and strips
// its own "@<self>" suffix.
//
// Origin path: NewObject::origin holds the hubs an object travelled, space
// separated, origin first, the hub it came from last ("" = published here).
// A hub never accepts an object whose path names itself, and never sends an
// object to a hub its path names: objects never loop, in rings of any size.
//
// Thread-safe: pure functions.

#include <boost/json/fwd.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "policy/model.h"
#include "store/store.h"

namespace kizuna::policy {

inline constexpr std::string_view kFederationMember = "x_kizuna_federation";

// Hub names: 1-63 of [a-z0-9.-], starting with a letter or digit (they are
// also the usernames of peer accounts and the suffix of "user@hub").
bool IsValidHubName(std::string_view name);

struct PeerObjectMeta {
  std::string marking;           // effective marking-definition id at the sender ("" = none)
  std::string producer;          // identity--... ("" = unknown)
  std::string producer_account;  // "user@hub" ("" = unknown)
  std::vector<std::string> path; // hubs travelled, origin first, sender last
};

struct PeerEnvelopeMeta {
  std::string hub;  // the sender
  std::vector<PeerObjectMeta> objects;
};

// The metadata `self_hub` sends for a stored record: names qualified with
// self_hub, path = the stored origin path followed by self_hub.
PeerObjectMeta MetaForPeer(const store::ObjectRecord& record, std::string_view self_hub);

// Appends the JSON value of the member (an object) to *out.
void AppendPeerMetaJson(std::string* out, std::string_view sender_hub,
                        const std::vector<PeerObjectMeta>& objects);

// Parses the member's value, which comes from a peer (untrusted): every
// field's type and syntax is checked (marking and producer ids, hub names,
// account names, at most `max_objects` entries, paths of at most 32 hubs).
// InvalidArgument naming the problem.
Result<PeerEnvelopeMeta> DecodePeerMeta(std::string_view json, size_t max_objects = 100000);

// Origin paths (NewObject::origin).
std::vector<std::string> SplitOriginPath(std::string_view origin);
std::string JoinOriginPath(const std::vector<std::string>& path);
bool OriginPathContains(std::string_view origin, std::string_view hub);

// "x" from the hub `origin` becomes "x@origin"; "x@self" becomes "x"; other
// qualified names are kept.
std::string LocalizeAccount(std::string_view account, std::string_view origin,
                            std::string_view self);

struct PeerSender {
  std::string self_hub;    // this hub's name
  std::string sender_hub;  // the peer that sent the object (authenticated)
};

// True when the object must not be accepted from `sender` because it has
// already passed this hub (its path names self).
bool IsLoop(const PeerObjectMeta* meta, std::string_view self_hub);

// The producer of objects from `hub` whose producing organization is not
// known here: "identity--" + a name-based UUID of the hub's name (the same
// on every hub). No organization has it: it only keeps such objects in a
// lineage of the sending hub's own.
std::string HubProducerId(std::string_view hub);

// Stamps an object received from a peer hub (Kizuna, with `meta`; or a plain
// TAXII server, meta == nullptr): effective marking = the stricter of the
// sender's and this hub's reading (the object's TLP markings, else this
// collection's default); the collection's trust group, as for local posts;
// audience accounts localized as above; origin = the path (or the sender).
// Producer: a peer speaks only for organizations homed on a hub of the
// object's path (path = the metadata's path plus the sender): a producer
// homed here, or homed on a hub off the path, is refused; a producer unknown
// here (or none) becomes HubProducerId(sender), so a peer can never add a
// version to (revoke, rename, shadow) another party's lineage. The
// producing account likewise must be "user@hub" of a hub on the path, never
// this hub (an unqualified name is the sender's).
// InvalidArgument for any of those, a TLP:RED object without an audience of
// accounts, a malformed audience, or a path that names this hub (a loop).
Status StampFromPeer(const TrustModel& model, int64_t collection, const PeerSender& from,
                     const PeerObjectMeta* meta, const boost::json::object& object,
                     store::NewObject* out);

}  // namespace kizuna::policy
