#pragma once
// FeedService: the hub's HTTP feeds of a collection's indicators in the
// formats of formats.h, for sensors and firewalls that cannot speak TAXII:
//
//   GET /feeds/{api-root}/{collection}/{format}
//     format: suricata, snort, zeek-intel, csv, stix, misp, and the plain
//     lists ipv4, ipv6, domains, urls, emails, md5, sha1, sha256
//     (one value per line).
//
// Credentials as for TAXII (HTTP Basic or a Bearer token; 401 otherwise).
// A collection the account has no read grant on answers 404, like one that
// does not exist. Every object is released through the policy decision
// point with Path::kFeed (TLP and audience rules, audit of AMBER and above),
// in date_added pages; the feed holds exactly what the account could get
// over TAXII. Revoked and expired indicators are left out.
//
// Feeds are generated on the service's own worker threads (never on a
// server thread). Thread-safe.

#include <memory>
#include <string>

#include "auth/authenticator.h"
#include "core/thread_pool.h"
#include "core/time.h"
#include "http/message.h"
#include "policy/decision_point.h"
#include "store/store.h"

namespace kizuna::exports {

inline constexpr std::string_view kFeedPrefix = "/feeds/";

class FeedService {
 public:
  // `store`, `authenticator`, `policy` and `clock` must outlive the service.
  FeedService(store::Store* store, auth::Authenticator* authenticator,
              policy::DecisionPoint* policy, const Clock* clock = &SystemClock::Get());
  ~FeedService();

  // The http::Handler for paths under /feeds/.
  void Handle(http::Request request, http::Respond respond);

 private:
  http::Response Generate(const http::Request& request, const auth::Principal& principal);

  store::Store* store_;
  auth::Authenticator* auth_;
  policy::DecisionPoint* policy_;
  const Clock* clock_;
  std::unique_ptr<ThreadPool> pool_;
};

}  // namespace kizuna::exports
