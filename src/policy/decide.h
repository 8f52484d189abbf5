#pragma once
// The one policy decision point: may this reader receive this object version
// by this path? Every path that releases an object (TAXII get objects, get
// object, versions, manifest, status, exports, feeds, channels, webhooks,
// federation, dashboard) asks Decide(); nothing else filters.
//
// TLP 2.0, from the recipient's side (the strictest marking on an object
// wins; an object without a TLP marking takes its collection's default):
//  - CLEAR: anyone who may read the collection, and public feeds.
//  - GREEN: members of the collection's trust group, on any hub; never
//    anonymous readers.
//  - AMBER: the producer's organization, the recipient organizations (the
//    object's audience organizations if it names any, else the trust group)
//    and their client organizations, and accounts named in the audience.
//  - AMBER+STRICT: as AMBER, without client organizations.
//  - RED: only the accounts named in the audience, and the producing account.
// A peer hub receives an object when at least one principal homed on that
// hub would (RED: a named account "user@hub"; AMBER: a recipient
// organization homed there; GREEN: a trust-group member homed there), and
// never an object whose origin path names it (it has been there: loops).
//
// Decide() reads only the record's metadata (no JSON parsing): it runs once
// per candidate row inside store scans. Objects with granular markings are
// released through Redact(), which removes what the reader may not see.
//
// Thread-safe: pure functions over immutable inputs.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "policy/model.h"
#include "stix/markings.h"
#include "store/store.h"

namespace kizuna::policy {

// Release paths, for decisions and the audit log.
enum class Path : uint8_t {
  kTaxiiObjects,
  kTaxiiObject,
  kTaxiiVersions,
  kTaxiiManifest,
  kTaxiiStatus,
  kTaxiiDelete,
  kExport,
  kFeed,
  kStream,
  kWebhook,
  kFederation,
  kDashboard,
  kCoordination,  // the coordination API (issue 11): incidents, tasks, events, notes
};
std::string_view PathName(Path path);

// Who is reading, with the relations Decide needs precomputed (MakeReader).
struct Reader {
  enum class Kind : uint8_t { kAnonymous, kAccount, kPeer };
  Kind kind = Kind::kAnonymous;
  std::string account;  // username (kAccount)
  std::string org;      // the account's organization (kAccount)
  std::string hub;      // the peer hub's name (kPeer)
  std::vector<std::string> parents;  // organizations that count `org` as a client
  std::vector<std::string> peer_orgs;  // organizations homed on the peer (kPeer)
  // May delete versions other organizations produced (coordinators, admins).
  bool deletes_any = false;
  // Nothing marked above this level is released to this reader (kNone: no
  // ceiling): a reader's own narrowing, for briefings (Principal::tlp_ceiling).
  stix::Tlp ceiling = stix::Tlp::kNone;
};

Reader MakeAccountReader(const TrustModel& model, std::string account, std::string org);
Reader MakePeerReader(const TrustModel& model, std::string hub);
Reader MakeAnonymousReader();

enum class Reason : uint8_t {
  kAllowed,
  kAnonymous,     // anonymous readers get CLEAR only
  kNotInGroup,    // GREEN outside the trust group
  kNotRecipient,  // AMBER / AMBER+STRICT outside the recipients
  kNotNamed,      // RED without being named
  kUnknownCollection,
  kPassedHub,       // a peer never receives an object its origin path names
  kReleaseFailed,   // allowed, but the release step failed for this object (withheld)
  kAboveCeiling,    // marked above the ceiling the reader chose (Reader::ceiling)
};
std::string_view ReasonText(Reason r);

struct Decision {
  bool allow = false;
  Reason reason = Reason::kAllowed;
  stix::Tlp tlp = stix::Tlp::kNone;  // the effective level that was decided on
  bool redact = false;  // allowed, but the object has granular markings: serve Redact()
};

// The object metadata a decision needs (a view over store::ObjectRecord).
struct ObjectMeta {
  std::string_view marking;   // effective marking-definition id ("" = collection default)
  std::string_view producer;  // producing organization
  std::string_view audience;  // policy tokens (see EncodeAudience)
  int64_t collection = 0;
  bool granular = false;
  std::string_view origin;    // hubs the object travelled ("" = published here)
};
inline ObjectMeta MetaOf(const store::ObjectRecord& r, int64_t collection) {
  return ObjectMeta{r.marking, r.producer, r.audience, collection, r.granular, r.origin};
}

Decision Decide(const TrustModel& model, const Reader& reader, const ObjectMeta& object, Path path);

// May `reader` delete this (visible) object version? Only the producing
// organization's accounts, and readers with `deletes_any`; never a peer hub
// (deletions are local: they do not federate, and a peer may not remove
// what it sent or anything else). kAllowed, or the reason.
enum class DeleteRight : uint8_t { kAllowed, kNotProducer, kPeer };
DeleteRight MayDelete(const Reader& reader, const ObjectMeta& object);

// May `reader` see content marked at `tlp` in an object with this metadata?
// (Decide on the object's own level; Redact on each granular marking.)
Decision DecideLevel(const TrustModel& model, const Reader& reader, const ObjectMeta& object,
                     stix::Tlp tlp);

// ---- audience tokens (the store's `audience` column) -------------------------

struct Audience {
  std::string producer_account;              // the account that posted it
  std::vector<std::string> organizations;    // identity--...
  std::vector<std::string> accounts;         // "user" (this hub) or "user@hub"
  std::string trust_group;                   // the collection's group at ingest ("-" = none)
};
// "p:<account> g:<group> o:<org> a:<account> ...": space-separated,
// order-independent.
std::string EncodeAudience(const Audience& a);
Audience DecodeAudience(std::string_view tokens);

// ---- granular markings ---------------------------------------------------------

// The copy of `raw` (an object with granular_markings) that `reader` may
// see: every property selected by a granular marking the reader may not see
// is removed, and the removal is recorded in the Kizuna redaction extension
// (kRedactionExtensionId: {"extension_type": "property-extension",
// "redacted_paths": [...]}). Returns raw unchanged when nothing is removed.
Result<std::string> Redact(const TrustModel& model, const Reader& reader, const ObjectMeta& object,
                           std::string_view raw);

}  // namespace kizuna::policy
