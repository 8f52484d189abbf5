#pragma once
// The dashboard's side of the hub (issue 13, docs/ui.md): sessions for the
// browser and the built web application under /ui/.
//
// - `POST /ui/api/session` signs in with an account's username and password
//   (JSON {"username", "password"}; verified, cached and rate-limited as HTTP
//   Basic is) and answers with the session cookie (HttpOnly, SameSite=Strict,
//   Path=/, Max-Age; `__Host-` prefixed and Secure under TLS) and the CSRF
//   token; `GET` says who is signed in (and the CSRF token again, for a
//   reloaded page); `DELETE` signs out.
// - Every other path of the hub accepts the session cookie as credentials
//   (ApplySession, called by the hub before routing): the request is then
//   the account's, through the same decision point as with a password, and
//   a state-changing one (any method but GET, HEAD and OPTIONS) must repeat
//   the session's CSRF token in `X-CSRF-Token` and, when it says where it
//   comes from (`Origin`), come from this hub: 403 otherwise.
// - `GET /ui/api/overview?days=N` (1-3660, default 30): the reader's overview
//   counts (overview.h), with any credentials the hub accepts.
// - `GET /ui/api/search?...` and `GET /ui/api/object?id=ID`: the object
//   explorer's reads (explorer.h).
// - `GET /ui/api/federation`: the federation's health (FederationJson).
// - `GET /ui/api/briefing?since=7d&lang=en|ja&max_tlp=green`: the reader's
//   briefing (briefing.h) as one self-contained HTML page, capped at
//   max_tlp, with a CSP of its own (its style block by hash, no script).
// - `GET /ui/...` serves the built application (web/dist): index.html for
//   the application's own routes, hashed assets with a long cache. Every
//   /ui/ response carries a strict Content-Security-Policy (no inline
//   script, nothing from elsewhere), nosniff, no framing, no referrer.
//
// Thread-safe.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authenticator.h"
#include "core/result.h"
#include "core/thread_pool.h"
#include "http/message.h"
#include "policy/decision_point.h"
#include "ui/briefing.h"
#include "ui/overview.h"

namespace kizuna::ui {

inline constexpr std::string_view kUiPrefix = "/ui";
inline constexpr std::string_view kSessionPath = "/ui/api/session";
inline constexpr const char* kCsrfHeader = "x-csrf-token";
// The session cookie's names: with TLS the `__Host-` prefix (the browser
// then insists on Secure, Path=/ and no Domain).
inline constexpr const char* kCookie = "kizuna_session";
inline constexpr const char* kSecureCookie = "__Host-kizuna_session";

// One federation peer's links, as the hub reports them (federation health).
struct PeerStatus {
  std::string peer;
  int64_t inbound_ok_us = 0;  // last poll round or channel event (0: never)
  int64_t push_ok_us = 0;     // last completed push (0: never)
  int64_t channels_open = 0;
  std::string error;  // "" when working; shown to admins only
  int64_t error_since_us = 0;
};

struct UiOptions {
  std::string dir;  // the built application (index.html and its assets); "" or missing: a notice page
  std::string hub_name;     // on briefings
  IncidentLister incidents;  // a briefing's incidents (the coordination API's list); empty: none
  std::function<std::vector<PeerStatus>()> federation;  // the federation's links; empty: none
};

class UiService {
 public:
  // `authenticator`, `store` and `decisions` must outlive the service.
  UiService(auth::Authenticator* authenticator, store::Store* store, policy::DecisionPoint* decisions,
            UiOptions options);
  ~UiService();

  // Reads the store into the overview's counts on a worker, and from then on
  // after each commit (coalesced), so that no request waits for a bulk
  // import to be counted. Call once, before serving.
  void Warm();

  static bool IsUiPath(std::string_view path) {
    return path == kUiPrefix || path.substr(0, kUiPrefix.size() + 1) == "/ui/";
  }
  // The largest body a /ui/ request may carry (its head): a sign-in's.
  static int64_t BodyLimit(const http::Request& head);

  void Handle(http::Request request, http::Respond respond);

  // For a request to any path: when it carries no Authorization header and
  // has the session cookie, checks the CSRF rules and, if they hold, gives
  // it the session as credentials ("Authorization: Session ..."), noting
  // that it did (UsesSession). Returns the 403 to send when they do not.
  // The sign-in itself is left alone.
  std::optional<http::Response> ApplySession(http::Request* request);
  static bool UsesSession(const http::Request& request);

  // Drops the Basic challenge from an answer to a browser (fetch would open
  // its password dialog).
  static void WithoutChallenge(http::Response* response);

  // The security headers every /ui/ response carries.
  static void AddSecurityHeaders(http::Response* response, bool tls);

 private:
  void SignIn(http::Request request, http::Respond respond);
  http::Response Whoami(const http::Request& request);
  http::Response SignOut(const http::Request& request);
  http::Response File(const http::Request& request);
  void Overview(http::Request request, http::Respond respond);
  void Briefing(http::Request request, http::Respond respond);
  // An authenticated GET answered with a body computed on the pool.
  using Reader = std::function<Result<std::string>(const http::Request&, const auth::Principal&,
                                                   const std::string& remote)>;
  void Answer(http::Request request, http::Respond respond, std::string content_type, Reader read);
  void JsonRead(http::Request request, http::Respond respond, Reader read);

  auth::Authenticator* auth_;
  policy::DecisionPoint* decisions_;
  UiOptions options_;
  store::Store* store_;
  OverviewIndex overview_;
  // Read-ahead after commits; `alive` false once the service is going (the
  // store's listener outlives it).
  struct Ahead {
    std::mutex mu;
    bool alive = true;
    bool queued = false;
  };
  std::shared_ptr<Ahead> ahead_ = std::make_shared<Ahead>();
  void ReadAhead();
  std::unique_ptr<ThreadPool> pool_;  // last: joined first
};

// The federation's health for `reader` at `now_us`: {"hub", "peers":
// [{"peer", "state" (ok, failing, waiting), "last_sync", "lag_s",
// "last_push", "channels_open", "since"}]}; the failure's text ("error")
// only for admins (it may name hosts and credentials' fate). No object is
// released: peers and their state only.
std::string FederationJson(const std::vector<PeerStatus>& peers, const std::string& hub,
                           const auth::Principal& reader, int64_t now_us);

// The value of cookie `name` in a request's Cookie headers ("" when absent).
std::string CookieValue(const http::Request& request, std::string_view name);

// A sign-in's body: {"username": string, "password": string}.
struct SignInRequest {
  std::string username;
  std::string password;
};
Result<SignInRequest> ReadSignIn(std::string_view body);

}  // namespace kizuna::ui
