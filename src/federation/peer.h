#pragma once
// Peer configuration (issue 5): what this hub knows about a partner hub,
// stored as a store::ConfigRecord of kind "peer" (JSON, below) and
// administered with `kizuna admin peer ...`.
//
//  - name: the peer hub's name. The peer's account here has this username and
//    the role "peer"; organizations homed on the peer name it as home_hub.
//  - url: the peer's TAXII 2.1 discovery URL (".../taxii2/"; its default API
//    root is used, or its only one) or an API root URL.
//  - kind: "kizuna" (channels with federation metadata, polling as the
//    fallback) or "taxii" (any TAXII 2.1 server: polling with added_after;
//    pushes are plain TAXII POSTs).
//  - credentials this hub presents there: remote_user (default: this hub's
//    name) and a secret, sealed in the store (auth/sealed.h) or named as
//    "file:PATH" (a file readable by the hub's user only); scheme "basic"
//    (password) or "bearer" (API token).
//  - flows: local collection <-> the peer's collection, direction in (the
//    peer's objects come here), out (this hub's objects go there) or both.
//    "in" is pulled by this hub; "out" is pulled by the peer (it holds a read
//    grant here) unless push is set, in which case this hub POSTs them.
//
// Thread-safe: pure functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace kizuna::federation {

inline constexpr const char* kPeerRecordKind = "peer";

struct PeerFlow {
  std::string local_collection;   // collection id here
  std::string remote_collection;  // collection id on the peer
  bool in = false;
  bool out = false;
};

struct PeerConfig {
  std::string name;
  std::string url;
  std::string kind = "kizuna";   // "kizuna" or "taxii"
  std::string api_root;          // the local API root of the flows' collections
  std::string remote_user;       // "" = this hub's name
  std::string scheme = "basic";  // "basic" or "bearer"
  std::string secret;            // sealed:v1:... or file:PATH
  bool push = false;
  int64_t poll_interval_ms = 1000;
  std::string ca_file;              // https: CA bundle for the peer ("" = system)
  bool insecure_skip_verify = false;  // https without verification (tests only)
  bool disabled = false;
  std::vector<PeerFlow> flows;
};

std::string EncodePeerConfig(const PeerConfig& peer);
// Parses and validates a stored record's value. InvalidArgument naming the
// problem (unknown keys, wrong types, bad names, URLs or flows).
Result<PeerConfig> DecodePeerConfig(std::string_view json);
// Checks every field (hub name, URL scheme, kind, scheme, flows, interval).
Status ValidatePeerConfig(const PeerConfig& peer);

// Parses a flow given on the command line: "LOCAL[=REMOTE]:in|out|both".
Result<PeerFlow> ParseFlowSpec(std::string_view spec);

// Store cursor names.
// Inbound: the peer's date_added (its timestamp text) of the last object
// brought from `remote_collection` into `local_key`.
std::string InboundCursorName(std::string_view peer, int64_t local_key,
                              std::string_view remote_collection);
// Outbound push: the local date_added (microseconds) of the last object
// acknowledged by the peer.
std::string OutboundCursorName(std::string_view peer, int64_t local_key);

}  // namespace kizuna::federation
