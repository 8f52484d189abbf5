#include "ui/service.h"

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "auth/secret.h"
#include "core/time.h"
#include "http/target.h"
#include "taxii/errors.h"
#include "ui/explorer.h"
#include "ui/reading.h"

namespace kizuna::ui {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kMarker = "x-kizuna-session";  // set by ApplySession (never from the client)
constexpr int64_t kMaxSignInBody = 4096;
constexpr uintmax_t kMaxFileBytes = 32u << 20;

bool Safe(std::string_view method) { return method == "GET" || method == "HEAD" || method == "OPTIONS"; }

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// The session's secret the request's cookie carries ("" when none).
std::string SessionSecret(const http::Request& r) {
  std::string v = CookieValue(r, r.tls ? kSecureCookie : kCookie);
  if (v.empty() && !r.tls) v = CookieValue(r, kSecureCookie);
  return v;
}

std::string SetCookie(const http::Request& r, std::string_view value, int64_t max_age_s) {
  std::string c = r.tls ? kSecureCookie : kCookie;
  c += '=';
  c += value;
  c += "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_s);
  if (r.tls) c += "; Secure";
  return c;
}

// Does the request's Origin (when it names one) match this hub?
bool SameOrigin(const http::Request& r) {
  const std::string* origin = r.FindHeader("origin");
  if (origin == nullptr) return true;  // not a cross-site browser request (they all send it)
  const std::string* host = r.FindHeader("host");
  if (host == nullptr) return false;
  return *origin == std::string(r.tls ? "https://" : "http://") + *host;
}

http::Response JsonResponse(int status, const json::object& body) {
  http::Response r;
  r.status = status;
  r.headers.push_back({"content-type", "application/json"});
  r.headers.push_back({"cache-control", "no-store"});
  r.body = json::serialize(body);
  return r;
}

// An error for the browser: the TAXII error body without the Basic
// challenge (a fetch would otherwise open the browser's password dialog).
http::Response UiError(int status, std::string_view title, std::string_view description) {
  http::Response r = taxii::Error(status, title, description);
  UiService::WithoutChallenge(&r);
  r.SetHeader("cache-control", "no-store");
  return r;
}

// The answer to anything but GET or HEAD on a read-only dashboard API.
http::Response NotGet() {
  http::Response r = UiError(405, "Method Not Allowed", "GET");
  r.headers.push_back({"allow", "GET, HEAD"});
  return r;
}

http::Response UiErrorFor(const Status& s) {
  http::Response r = taxii::ErrorFor(s);
  UiService::WithoutChallenge(&r);
  r.SetHeader("cache-control", "no-store");
  return r;
}

json::object Who(const auth::Principal& p, const std::string& csrf, int64_t expires_us) {
  json::array roles;
  for (const auto& r : p.roles) roles.emplace_back(r);
  return json::object{{"username", p.username},
                      {"organization", p.organization},
                      {"roles", std::move(roles)},
                      {"csrf_token", csrf},
                      {"expires", taxii::FormatVersion(expires_us)}};
}

std::string ContentType(const fs::path& p) {
  const std::string ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

// Shown when the application is not built: no script, both languages.
constexpr const char* kNotBuilt =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<title>Kizuna</title></head><body>"
    "<h1>Kizuna</h1>"
    "<p>The dashboard is not built on this hub. Build it with <code>make build</code> "
    "(or set <code>[ui] dir</code>); the TAXII, channel and coordination APIs work without it.</p>"
    "<p lang=\"ja\">このハブにはダッシュボードがビルドされていません。<code>make build</code> "
    "でビルドしてください（または <code>[ui] dir</code> を設定）。TAXII・チャネル・連携 API はそのまま使えます。</p>"
    "</body></html>\n";

}  // namespace

std::string CookieValue(const http::Request& request, std::string_view name) {
  for (const auto& h : request.headers) {
    if (h.name != "cookie") continue;
    std::string_view v = h.value;
    while (!v.empty()) {
      size_t semi = v.find(';');
      std::string_view pair = v.substr(0, semi);
      v = semi == std::string_view::npos ? std::string_view() : v.substr(semi + 1);
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      if (Trim(pair.substr(0, eq)) == name) return Trim(pair.substr(eq + 1));
    }
  }
  return "";
}

Result<SignInRequest> ReadSignIn(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  const json::object* o = !ec && v.is_object() ? &v.get_object() : nullptr;
  const json::value* user = o ? o->if_contains("username") : nullptr;
  const json::value* password = o ? o->if_contains("password") : nullptr;
  if (!user || !password || !user->is_string() || !password->is_string()) {
    return InvalidArgument("the body must be a JSON object with string username and password");
  }
  return SignInRequest{std::string(user->get_string()), std::string(password->get_string())};
}

UiService::UiService(auth::Authenticator* authenticator, store::Store* store,
                     policy::DecisionPoint* decisions, UiOptions options)
    : auth_(authenticator),
      decisions_(decisions),
      options_(std::move(options)),
      store_(store),
      overview_(store),
      pool_(std::make_unique<ThreadPool>(1)) {}

UiService::~UiService() {
  {
    std::lock_guard lock(ahead_->mu);
    ahead_->alive = false;
  }
  pool_.reset();
}

void UiService::ReadAhead() {
  (void)overview_.Read([](int64_t, int64_t, std::string_view, const OverviewTuple&, int64_t) {});
}

void UiService::Warm() {
  store_->AddCommitListener([this, ahead = ahead_](const store::CommitNotice&) {
    std::lock_guard lock(ahead->mu);
    if (!ahead->alive || ahead->queued) return;
    ahead->queued = true;
    pool_->Post([this, ahead] {
      {
        std::lock_guard l(ahead->mu);
        ahead->queued = false;
      }
      ReadAhead();
    });
  });
  pool_->Post([this] { ReadAhead(); });
}

void UiService::Overview(http::Request request, http::Respond respond) {
  JsonRead(std::move(request), std::move(respond),
           [this](const http::Request& req, const auth::Principal& reader,
                  const std::string& remote) -> Result<std::string> {
             int days = 30;
             ASSIGN_OR_RETURN(auto pairs, http::QueryPairs(req.raw_query));
             for (const auto& [k, v] : pairs) {
               if (k != "days") return InvalidArgument("the overview takes one parameter: days");
               ASSIGN_OR_RETURN(days, IntParam("days", v, 1, 3660));
             }
             return OverviewFor(overview_, *decisions_, reader, days, SystemClock::Get().NowMicros(), remote);
           });
}

void UiService::JsonRead(http::Request request, http::Respond respond, Reader read) {
  Answer(std::move(request), std::move(respond), "application/json", std::move(read));
}

void UiService::Answer(http::Request request, http::Respond respond, std::string content_type, Reader read) {
  const std::string* authz = request.FindHeader("authorization");
  std::string remote = request.RemoteHost();
  auth_->Authenticate(authz, remote, [this, request = std::move(request), respond, remote,
                                      read = std::move(read), content_type = std::move(content_type)](
                                         Result<auth::PrincipalPtr> p) mutable {
    if (!p.ok()) return respond(UiErrorFor(p.error()));
    auth::PrincipalPtr principal = std::move(p).value();
    pool_->Post([principal, remote, respond, read = std::move(read), request = std::move(request),
                 content_type = std::move(content_type)] {
      auto body = read(request, *principal, remote);
      if (!body.ok()) return respond(UiErrorFor(body.error()));
      http::Response r;
      r.headers.push_back({"content-type", content_type});
      r.headers.push_back({"cache-control", "no-store"});
      r.body = std::move(*body);
      r.principal = principal->username;
      respond(std::move(r));
    });
  });
}

void UiService::Briefing(http::Request request, http::Respond respond) {
  Answer(std::move(request), std::move(respond), "text/html; charset=utf-8",
         [this](const http::Request& req, const auth::Principal& principal,
                const std::string& remote) -> Result<std::string> {
           const int64_t now = SystemClock::Get().NowMicros();
           ASSIGN_OR_RETURN(BriefingQuery q, ReadBriefingQuery(req.raw_query, now));
           // The cap is the reader's own ceiling: every read below goes
           // through the decision point with it.
           auth::Principal reader = principal;
           reader.tlp_ceiling = std::string(stix::TlpName(q.max_tlp)).substr(4);  // "TLP:GREEN" -> "GREEN"
           BriefingInputs in;
           in.overview = &overview_;
           in.decisions = decisions_;
           in.store = store_;
           in.incidents = options_.incidents;
           in.hub_name = options_.hub_name;
           return BriefingHtml(in, reader, q, now, remote);
         });
}

int64_t UiService::BodyLimit(const http::Request& head) {
  return head.path == kSessionPath && head.method == "POST" ? kMaxSignInBody : 0;
}

void UiService::AddSecurityHeaders(http::Response* r, bool tls) {
  r->SetHeader("content-security-policy",
               "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
               "form-action 'self'; frame-ancestors 'none'");
  r->SetHeader("x-content-type-options", "nosniff");
  r->SetHeader("x-frame-options", "DENY");
  r->SetHeader("referrer-policy", "no-referrer");
  r->SetHeader("cross-origin-opener-policy", "same-origin");
  if (tls) r->SetHeader("strict-transport-security", "max-age=31536000");
}

void UiService::WithoutChallenge(http::Response* r) {
  std::erase_if(r->headers, [](const http::Header& h) { return h.name == "www-authenticate"; });
}

bool UiService::UsesSession(const http::Request& request) { return request.FindHeader(kMarker) != nullptr; }

std::optional<http::Response> UiService::ApplySession(http::Request* request) {
  // Never trust the marker from the client.
  std::erase_if(request->headers, [](const http::Header& h) { return h.name == kMarker; });
  if (request->FindHeader("authorization") != nullptr) return std::nullopt;
  if (request->path == kSessionPath) return std::nullopt;  // the session endpoint reads the cookie itself
  std::string secret = SessionSecret(*request);
  if (secret.empty()) return std::nullopt;
  if (!Safe(request->method)) {
    if (!SameOrigin(*request)) {
      return UiError(403, "Forbidden", "a request from another site may not use this hub's session");
    }
    auto session = auth_->sessions().Find(secret);
    if (!session.ok()) return UiErrorFor(session.error());
    const std::string* csrf = request->FindHeader(kCsrfHeader);
    if (csrf == nullptr || !auth::ConstantTimeEquals(*csrf, session->csrf)) {
      return UiError(403, "Forbidden", "missing or wrong CSRF token (X-CSRF-Token)");
    }
  }
  request->headers.push_back({"authorization", "Session " + secret});
  request->headers.push_back({kMarker, "1"});
  return std::nullopt;
}

void UiService::Handle(http::Request request, http::Respond respond) {
  const bool tls = request.tls;
  auto send = [respond, tls](http::Response r) {
    AddSecurityHeaders(&r, tls);
    respond(std::move(r));
  };
  const bool read = request.method == "GET" || request.method == "HEAD";
  if (request.path == kSessionPath) {
    if (request.method == "POST") {
      SignIn(std::move(request), send);
      return;
    }
    if (request.method == "GET" || request.method == "HEAD") return send(Whoami(request));
    if (request.method == "DELETE") return send(SignOut(request));
    http::Response r = UiError(405, "Method Not Allowed", "GET, POST or DELETE");
    r.headers.push_back({"allow", "GET, HEAD, POST, DELETE"});
    return send(std::move(r));
  }
  if (request.path == "/ui/api/overview") {
    if (!read) return send(NotGet());
    return Overview(std::move(request), send);
  }
  if (request.path == "/ui/api/briefing") {
    if (!read) return send(NotGet());
    // Its own policy: the page's style block by hash, nothing else; framed
    // only by the dashboard.
    return Briefing(std::move(request), [respond, tls](http::Response r) {
      std::string csp = r.status == 200 ? BriefingCsp(r.body) : std::string();
      AddSecurityHeaders(&r, tls);
      if (!csp.empty()) {
        r.SetHeader("content-security-policy", std::move(csp));
        r.SetHeader("x-frame-options", "SAMEORIGIN");
      }
      respond(std::move(r));
    });
  }
  if (request.path == "/ui/api/federation") {
    if (!read) return send(NotGet());
    return JsonRead(std::move(request), send,
                    [this](const http::Request&, const auth::Principal& reader,
                           const std::string&) -> Result<std::string> {
                      std::vector<PeerStatus> peers;
                      if (options_.federation) peers = options_.federation();
                      return FederationJson(peers, options_.hub_name, reader, SystemClock::Get().NowMicros());
                    });
  }
  if (request.path == "/ui/api/sectors") {
    if (!read) return send(NotGet());
    return JsonRead(std::move(request), send,
                    [this](const http::Request&, const auth::Principal&, const std::string&) -> Result<std::string> {
                      ASSIGN_OR_RETURN(auto model, decisions_->Model());
                      return SectorCrosswalkJson(*model);
                    });
  }
  if (request.path == "/ui/api/search" || request.path == "/ui/api/object") {
    if (!read) return send(NotGet());
    if (request.path == "/ui/api/search") {
      return JsonRead(std::move(request), send,
                      [this](const http::Request& req, const auth::Principal& reader,
                             const std::string& remote) -> Result<std::string> {
                        ASSIGN_OR_RETURN(SearchQuery q, ReadSearchQuery(req.raw_query));
                        return SearchFor(store_, *decisions_, reader, q, SystemClock::Get().NowMicros(), remote);
                      });
    }
    return JsonRead(std::move(request), send,
                    [this](const http::Request& req, const auth::Principal& reader,
                           const std::string& remote) -> Result<std::string> {
                      ASSIGN_OR_RETURN(auto pairs, http::QueryPairs(req.raw_query));
                      std::string id;
                      for (const auto& [k, v] : pairs) {
                        if (k != "id") return InvalidArgument("the object takes one parameter: id");
                        id = v;
                      }
                      if (id.empty() || id.size() > 300) return InvalidArgument("'id' is a STIX id");
                      return ObjectFor(store_, *decisions_, reader, id, remote);
                    });
  }
  if (request.path.rfind("/ui/api/", 0) == 0) return send(UiError(404, "Not Found", "no such dashboard API"));
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response r = UiError(405, "Method Not Allowed", "the dashboard's files are read with GET");
    r.headers.push_back({"allow", "GET, HEAD"});
    return send(std::move(r));
  }
  if (request.path == kUiPrefix) {
    http::Response r;
    r.status = 301;
    r.headers.push_back({"location", "/ui/"});
    return send(std::move(r));
  }
  send(File(request));
}

void UiService::SignIn(http::Request request, http::Respond respond) {
  const std::string* type = request.FindHeader("content-type");
  if (type == nullptr || type->rfind("application/json", 0) != 0) {
    // A form posted from another site cannot send JSON without asking first.
    return respond(UiError(415, "Unsupported Media Type", "sign in with a JSON body {\"username\", \"password\"}"));
  }
  if (!SameOrigin(request)) {
    return respond(UiError(403, "Forbidden", "a sign-in from another site is refused"));
  }
  auto in = ReadSignIn(request.body);
  if (!in.ok()) return respond(UiErrorFor(in.error()));
  auth::Authenticator* auth = auth_;
  auth_->SignIn(in->username, in->password, request.RemoteHost(),
                [auth, request = std::move(request), respond](Result<auth::PrincipalPtr> p) {
                  if (!p.ok()) {
                    if (p.error().code() == StatusCode::kUnauthenticated) {
                      // One answer for an unknown account and a wrong password.
                      return respond(UiError(401, "Unauthorized", "wrong username or password"));
                    }
                    http::Response r = UiErrorFor(p.error());
                    if (r.status == 429) r.SetHeader("retry-after", "60");
                    return respond(std::move(r));
                  }
                  // A sign-in over an open session ends that one (no pile of sessions).
                  if (std::string old = SessionSecret(request); !old.empty()) auth->sessions().Remove(old);
                  auth::IssuedSession s = auth->sessions().Create(**p);
                  http::Response r = JsonResponse(201, Who(**p, s.csrf, s.expires_us));
                  r.headers.push_back({"set-cookie", SetCookie(request, s.secret, auth->sessions().max_age_s())});
                  r.principal = (*p)->username;
                  respond(std::move(r));
                });
}

http::Response UiService::Whoami(const http::Request& request) {
  std::string secret = SessionSecret(request);
  if (secret.empty()) return UiError(401, "Unauthorized", "not signed in");
  auto s = auth_->sessions().Find(secret);
  if (!s.ok()) {
    http::Response r = UiErrorFor(s.error());
    if (s.error().code() == StatusCode::kUnauthenticated) {
      r.headers.push_back({"set-cookie", SetCookie(request, "", 0)});
    }
    return r;
  }
  http::Response r = JsonResponse(200, Who(*s->principal, s->csrf, s->expires_us));
  r.principal = s->principal->username;
  return r;
}

http::Response UiService::SignOut(const http::Request& request) {
  std::string secret = SessionSecret(request);
  if (!secret.empty()) {
    auto s = auth_->sessions().Find(secret);
    if (s.ok()) {
      // Signing someone out is a state change: the same CSRF rules.
      const std::string* csrf = request.FindHeader(kCsrfHeader);
      if (!SameOrigin(request) || csrf == nullptr || !auth::ConstantTimeEquals(*csrf, s->csrf)) {
        return UiError(403, "Forbidden", "missing or wrong CSRF token (X-CSRF-Token)");
      }
      auth_->sessions().Remove(secret);
    }
  }
  http::Response r;
  r.status = 204;
  r.headers.push_back({"cache-control", "no-store"});
  r.headers.push_back({"set-cookie", SetCookie(request, "", 0)});
  return r;
}

http::Response UiService::File(const http::Request& request) {
  http::Response r;
  std::error_code ec;
  const fs::path root = options_.dir.empty() ? fs::path() : fs::weakly_canonical(options_.dir, ec);
  if (root.empty() || ec || !fs::is_regular_file(root / "index.html", ec)) {
    r.headers.push_back({"content-type", "text/html; charset=utf-8"});
    r.headers.push_back({"cache-control", "no-store"});
    r.body = kNotBuilt;
    return r;
  }
  // The path below /ui/: no parent segments, no hidden files, nothing outside the root.
  std::string_view rel = std::string_view(request.path).substr(kUiPrefix.size());
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  bool bad = rel.find('\0') != std::string_view::npos || rel.find('\\') != std::string_view::npos;
  for (const std::string& seg : http::PathSegments(rel)) bad = bad || seg.front() == '.';
  if (bad) return UiError(404, "Not Found", "no such file");
  fs::path file = rel.empty() ? root / "index.html" : fs::weakly_canonical(root / std::string(rel), ec);
  const std::string root_text = root.string() + "/";
  const bool inside = !ec && file.string().rfind(root_text, 0) == 0;
  if (!inside || !fs::is_regular_file(file, ec)) {
    // The application's own routes (no extension) are index.html; a missing asset is a 404.
    const std::string last = http::PathSegments(rel).empty() ? "" : http::PathSegments(rel).back();
    if (last.find('.') != std::string::npos) return UiError(404, "Not Found", "no such file");
    file = root / "index.html";
  }
  const uintmax_t size = fs::file_size(file, ec);
  if (ec || size > kMaxFileBytes) return UiError(404, "Not Found", "no such file");
  std::ifstream in(file, std::ios::binary);
  std::ostringstream data;
  data << in.rdbuf();
  if (!in.good() && !in.eof()) return UiErrorFor(IoError("cannot read " + file.filename().string()));
  r.body = std::move(data).str();
  r.headers.push_back({"content-type", ContentType(file)});
  // Vite names built assets by their content: they never change.
  const bool hashed = rel.rfind("assets/", 0) == 0 && file.filename() != "index.html";
  r.headers.push_back({"cache-control", hashed ? "public, max-age=31536000, immutable" : "no-cache"});
  return r;
}

std::string FederationJson(const std::vector<PeerStatus>& peers, const std::string& hub,
                           const auth::Principal& reader, int64_t now_us) {
  namespace json = boost::json;
  auto when = [](int64_t us) -> json::value {
    if (us <= 0) return nullptr;
    return json::value(FormatTimestamp(us, 3));
  };
  json::array out;
  for (const PeerStatus& p : peers) {
    const char* state = !p.error.empty() ? "failing" : p.inbound_ok_us > 0 || p.push_ok_us > 0 ? "ok" : "waiting";
    json::object o{{"peer", p.peer},
                   {"state", state},
                   {"last_sync", when(p.inbound_ok_us)},
                   {"last_push", when(p.push_ok_us)},
                   {"channels_open", p.channels_open}};
    o["lag_s"] = p.inbound_ok_us > 0 ? json::value((now_us - p.inbound_ok_us) / 1'000'000) : json::value(nullptr);
    if (!p.error.empty()) {
      o["since"] = when(p.error_since_us);
      if (reader.IsAdmin()) o["error"] = p.error;
    }
    out.push_back(std::move(o));
  }
  return json::serialize(json::object{{"hub", hub}, {"peers", std::move(out)}});
}

}  // namespace kizuna::ui
