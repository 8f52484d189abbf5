#pragma once
// Administration of federation and channels (issue 5): peers and webhooks.
// `kizuna admin peer|webhook ...` and `kizuna demo-federation` call these;
// each validates its input completely before it writes, so a bad call
// changes nothing.
//
// Credentials: what this hub presents to a peer is sealed in the store
// (auth/sealed.h: the key file beside the database) or named as a file
// ("file:PATH", read when the link starts; mode 0600). Webhook HMAC keys are
// generated here, shown once, and sealed.
//
// Transport: a peer URL must be https, unless its host is loopback
// (127.0.0.0/8, ::1, localhost) or the caller allows plain http explicitly:
// the link carries this hub's credentials and TLP:RED objects.
//
// Removal leaves nothing that lets the removed hub act or receive here: its
// account is disabled and loses its password, its tokens, grants and webhooks
// are removed; organizations homed on it stay homed on its name (never on this
// hub; see RemovePeer).
//
// Thread-compatible.

#include <cstdint>
#include <string>
#include <vector>

#include "auth/sealed.h"
#include "auth/secret.h"
#include "core/result.h"
#include "federation/peer.h"
#include "store/store.h"
#include "stream/webhooks.h"

namespace kizuna::app {

struct NewPeer {
  std::string name;  // the peer hub's name
  std::string url;   // its discovery or API root URL
  std::string kind = "kizuna";
  std::string api_root;  // local API root of the flows' collections ("" = the only one)
  std::vector<std::string> flows;  // "LOCAL[=REMOTE]:in|out|both" (LOCAL: id or alias)
  // What this hub presents there.
  std::string remote_user;         // "" = this hub's name
  std::string scheme = "basic";    // basic or bearer
  std::string remote_secret;       // sealed before it is stored, or
  std::string remote_secret_file;  // a file named instead
  bool push = false;
  int64_t poll_interval_ms = 1000;
  std::string ca_file;
  bool insecure_skip_verify = false;
  // Organizations homed on the peer (ids or names): their home_hub is set.
  std::vector<std::string> home_orgs;
  // The peer's account here (username = name, role peer). Created when
  // absent, with this organization ("" = the first home organization).
  std::string account_org;
  std::string account_password;  // "" = generated (returned once)
  bool replace = false;          // replace an existing peer of this name
  bool allow_plain_http = false;  // an http URL to a host that is not loopback
};

struct AddedPeer {
  federation::PeerConfig config;
  bool account_created = false;
  // The account existed disabled (a removed peer added again): it is enabled
  // with a new password (the one given, else a generated one).
  bool account_reenabled = false;
  std::string account_password;  // when created or re-enabled
};

// What RemovePeer did.
struct RemovedPeer {
  std::string name;
  bool account_disabled = false;  // the peer's account (username = name, role peer)
  int grants_removed = 0;
  int tokens_removed = 0;
  std::vector<std::string> webhooks_removed;  // ids of webhooks of the peer's account
  // Organizations homed on the peer (names): left homed on its name.
  std::vector<std::string> home_orgs;
};

// OK when `url` may carry credentials: https, or http to a loopback host
// (127.0.0.0/8, ::1, localhost: http::IsLoopbackHost, the rule webhooks
// share), or http anywhere with `allow_plain_http`. InvalidArgument saying
// what to do otherwise, or when the federation client would refuse the URL
// (http::ParseHttpUrl).
Status CheckPeerTransport(const std::string& url, bool allow_plain_http);

// Opens the sealer for a database path (its key file is created on first use).
Result<auth::SecretSealer> OpenSealer(const std::string& db_path, const std::string& key_path = "");

Result<AddedPeer> AddPeer(store::Store* store, const auth::SecretSealer& sealer, const NewPeer& peer,
                          auth::HashCost cost = auth::HashCost::kInteractive);
Result<std::vector<federation::PeerConfig>> ListPeers(store::Store* store);
// Removes a peer so that nothing lets it act or receive here: its account
// (when it is a peer account) is disabled and its password cleared, its API
// tokens, grants and webhooks are removed, then the peer record (so a failure
// half-way leaves the record, and running the removal again finishes it).
// Organizations homed on the peer keep home_hub = its name: clearing it would
// home them on THIS hub (their objects and audiences would become local);
// under a name that is no longer a peer nothing receives on their behalf, and
// adding the peer again attaches them again. NotFound when there is no such
// peer.
Result<RemovedPeer> RemovePeer(store::Store* store, const std::string& name);
// Changes the URL of an existing peer (the demo restarts on other ports); the
// transport rule of CheckPeerTransport applies.
Status SetPeerUrl(store::Store* store, const std::string& name, const std::string& url,
                  bool allow_plain_http = false);

struct NewWebhook {
  std::string account;
  std::string api_root;    // "" = the only one
  std::string collection;  // id or alias
  std::string url;
  std::vector<std::string> types;
  std::vector<std::string> markings;
  int max_attempts = 8;
  int max_batch = 100;
  bool allow_plain_http = false;
  std::string ca_file;
  bool insecure_skip_verify = false;
  std::string secret;  // "" = generated
  bool from_start = false;  // also the objects already in the collection
};
struct AddedWebhook {
  stream::WebhookConfig config;
  std::string secret;  // the HMAC key, shown once
};
Result<AddedWebhook> AddWebhook(store::Store* store, const auth::SecretSealer& sealer,
                                const NewWebhook& webhook);
Result<std::vector<stream::WebhookConfig>> ListWebhooks(store::Store* store);
Status RemoveWebhook(store::Store* store, const std::string& id);
// Clears a suspension: delivery continues from the webhook's cursor. Written
// only onto the record as read (Store::UpdateConfigRecord): NotFound when the
// webhook is or was meanwhile removed (it is never put back),
// FailedPrecondition when it changed meanwhile.
Status ResumeWebhook(store::Store* store, const std::string& id);

}  // namespace kizuna::app
