#include "taxii/service.h"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <shared_mutex>

#include "core/uuid.h"
#include "http/access_log.h"
#include "http/status_map.h"
#include "ingest/ingest.h"
#include "policy/federation.h"
#include "policy/stamp.h"
#include "taxii/errors.h"
#include "taxii/paging.h"
#include "taxii/query.h"
#include "taxii/response_cache.h"

namespace kizuna::taxii {

namespace json = boost::json;

namespace {

constexpr int64_t kSmallBodyLimit = 64 * 1024;

http::Response JsonResponse(int status, const json::value& v) {
  http::Response r;
  r.status = status;
  r.headers.push_back({"content-type", kTaxiiMediaType});
  r.body = json::serialize(v);
  return r;
}

// Lower-cases ASCII and strips spaces and tabs.
std::string Normalize(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == ' ' || c == '\t') continue;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

// TAXII 2.1 §1.6.8: the media type of every TAXII response is
// application/taxii+json;version=2.1; a request whose Accept header names
// neither it (with or without the version parameter) nor a wildcard gets 406.
bool AcceptsTaxii(const http::Request& req) {
  const std::string* accept = req.FindHeader("accept");
  if (accept == nullptr || accept->empty()) return true;
  std::string a = Normalize(*accept);
  size_t start = 0;
  while (start <= a.size()) {
    size_t comma = a.find(',', start);
    if (comma == std::string::npos) comma = a.size();
    std::string_view item(a.data() + start, comma - start);
    start = comma + 1;
    // Split off parameters.
    size_t semi = item.find(';');
    std::string_view type = item.substr(0, semi);
    std::string_view params = semi == std::string_view::npos ? "" : item.substr(semi);
    if (type == "*/*" || type == "application/*") return true;
    if (type == "application/taxii+json") {
      if (params.empty()) return true;
      // Accept q-values and version=2.1 in any order.
      if (params.find("version=") == std::string_view::npos) return true;
      if (params.find("version=2.1") != std::string_view::npos) return true;
    }
  }
  return false;
}

// TAXII 2.1 §5.4: the body of Add Objects is application/taxii+json;version=2.1
// (without a version parameter it means the current version, 2.1).
bool IsTaxiiContentType(const http::Request& req) {
  const std::string* ct = req.FindHeader("content-type");
  if (ct == nullptr) return false;
  std::string c = Normalize(*ct);
  size_t semi = c.find(';');
  if (c.substr(0, semi) != "application/taxii+json") return false;
  if (semi == std::string::npos) return true;
  std::string_view params(c.data() + semi, c.size() - semi);
  if (params.find("version=") == std::string_view::npos) return true;
  return params.find("version=2.1") != std::string_view::npos;
}

std::string MethodNotAllowedList(std::initializer_list<const char*> methods) {
  std::string s;
  for (const char* m : methods) {
    if (!s.empty()) s += ", ";
    s += m;
  }
  return s;
}

using http::AppendJsonString;  // http/access_log.h

json::object StatusToJson(const store::StatusRecord& s) {
  json::object o;
  o["id"] = s.id;
  o["status"] = s.status;
  o["request_timestamp"] = FormatTimestamp(s.request_timestamp_us, 6);
  auto details = [](const std::vector<store::StatusDetail>& v, bool with_message) {
    json::array a;
    a.reserve(v.size());
    for (const auto& d : v) {
      json::object e;
      e["id"] = d.id;
      e["version"] = d.version;
      if (with_message && !d.message.empty()) e["message"] = d.message;
      a.push_back(std::move(e));
    }
    return a;
  };
  int64_t total = static_cast<int64_t>(s.successes.size() + s.failures.size() + s.pendings.size());
  o["total_count"] = total;
  o["success_count"] = static_cast<int64_t>(s.successes.size());
  o["failure_count"] = static_cast<int64_t>(s.failures.size());
  o["pending_count"] = static_cast<int64_t>(s.pendings.size());
  if (!s.successes.empty()) o["successes"] = details(s.successes, false);
  if (!s.failures.empty()) o["failures"] = details(s.failures, true);
  if (!s.pendings.empty()) o["pendings"] = details(s.pendings, false);
  return o;
}

}  // namespace

// ---- routes -----------------------------------------------------------------

struct Service::Route {
  enum class Kind {
    kDiscovery,
    kApiRoot,
    kStatus,
    kCollections,
    kCollection,
    kObjects,
    kObject,
    kVersions,
    kManifest,
    kUnknown,
  };
  Kind kind = Kind::kUnknown;
  std::string api_root, collection, object_id, status_id;

  const char* Label() const {
    switch (kind) {
      case Kind::kDiscovery: return "taxii.discovery";
      case Kind::kApiRoot: return "taxii.api_root";
      case Kind::kStatus: return "taxii.status";
      case Kind::kCollections: return "taxii.collections";
      case Kind::kCollection: return "taxii.collection";
      case Kind::kObjects: return "taxii.objects";
      case Kind::kObject: return "taxii.object";
      case Kind::kVersions: return "taxii.versions";
      case Kind::kManifest: return "taxii.manifest";
      case Kind::kUnknown: return "taxii.unknown";
    }
    return "taxii.unknown";
  }

  static Route Parse(std::string_view path) {
    Route r;
    std::vector<std::string_view> seg;
    size_t start = 1;
    if (path.empty() || path[0] != '/') return r;
    while (start < path.size()) {
      size_t slash = path.find('/', start);
      if (slash == std::string_view::npos) slash = path.size();
      std::string_view s = path.substr(start, slash - start);
      if (s.empty()) return r;  // "//" is not a TAXII path
      seg.push_back(s);
      start = slash + 1;
    }
    if (seg.size() == 1 && seg[0] == "taxii2") {
      r.kind = Kind::kDiscovery;
      return r;
    }
    if (seg.empty()) return r;
    r.api_root = std::string(seg[0]);
    if (seg.size() == 1) {
      r.kind = Kind::kApiRoot;
    } else if (seg.size() == 3 && seg[1] == "status") {
      r.kind = Kind::kStatus;
      r.status_id = std::string(seg[2]);
    } else if (seg[1] == "collections") {
      if (seg.size() == 2) {
        r.kind = Kind::kCollections;
        return r;
      }
      r.collection = std::string(seg[2]);
      if (seg.size() == 3) {
        r.kind = Kind::kCollection;
      } else if (seg.size() == 4 && seg[3] == "objects") {
        r.kind = Kind::kObjects;
      } else if (seg.size() == 4 && seg[3] == "manifest") {
        r.kind = Kind::kManifest;
      } else if (seg.size() >= 5 && seg[3] == "objects") {
        r.object_id = std::string(seg[4]);
        if (seg.size() == 5) {
          r.kind = Kind::kObject;
        } else if (seg.size() == 6 && seg[5] == "versions") {
          r.kind = Kind::kVersions;
        }
      }
    }
    return r;
  }
};

// ---- directory cache ----------------------------------------------------------

// API roots and collections, reloaded when the store's directory generation
// changes (checked at most every 200 ms), so a request does not pay for a
// database round trip to resolve its path.
class Service::Directory {
 public:
  struct Snapshot {
    std::vector<store::ApiRoot> roots;
    std::map<std::string, std::vector<store::Collection>> collections;  // by API root

    const store::ApiRoot* FindRoot(std::string_view name) const {
      for (const auto& r : roots)
        if (r.name == name) return &r;
      return nullptr;
    }
    const store::Collection* FindCollection(const std::string& root, std::string_view id) const {
      auto it = collections.find(root);
      if (it == collections.end()) return nullptr;
      for (const auto& c : it->second)
        if (c.id == id || (!c.alias.empty() && c.alias == id)) return &c;
      return nullptr;
    }
  };

  Directory(store::Store* store, const Clock* clock) : store_(store), clock_(clock) {}

  Result<std::shared_ptr<const Snapshot>> Get() {
    int64_t now = clock_->NowMicros();
    {
      std::shared_lock lock(mu_);
      if (snapshot_ && now - checked_us_ < 200'000) return snapshot_;
    }
    std::unique_lock lock(mu_);
    if (snapshot_ && now - checked_us_ < 200'000) return snapshot_;
    ASSIGN_OR_RETURN(int64_t gen, store_->DirectoryGeneration());
    checked_us_ = now;
    if (snapshot_ && gen == generation_) return snapshot_;
    auto snap = std::make_shared<Snapshot>();
    ASSIGN_OR_RETURN(snap->roots, store_->ListApiRoots());
    for (const auto& r : snap->roots) {
      ASSIGN_OR_RETURN(snap->collections[r.name], store_->ListCollections(r.name));
    }
    snapshot_ = std::move(snap);
    generation_ = gen;
    return snapshot_;
  }

 private:
  store::Store* store_;
  const Clock* clock_;
  std::shared_mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_;  // GUARDED_BY(mu_)
  int64_t generation_ = -1;                   // GUARDED_BY(mu_)
  int64_t checked_us_ = 0;                    // GUARDED_BY(mu_)
};

// ---- service ------------------------------------------------------------------

Service::Service(store::Store* store, auth::Authenticator* authenticator,
                 policy::DecisionPoint* policy, ServiceOptions options, const Clock* clock)
    : store_(store),
      auth_(authenticator),
      policy_(policy),
      options_(std::move(options)),
      clock_(clock),
      directory_(std::make_unique<Directory>(store, clock)),
      cache_(std::make_unique<ResponseCache>(options_.response_cache_bytes)) {}

Service::~Service() = default;

namespace {

void AppendKeyPart(std::string* key, std::string_view part) {
  const uint32_t n = static_cast<uint32_t>(part.size());
  key->append(reinterpret_cast<const char*>(&n), sizeof n);
  key->append(part);
}

}  // namespace

std::string Service::CacheKey(const policy::ReleaseScope& scope, int64_t collection, char endpoint,
                              std::string_view object_id, const http::Request& request,
                              bool federation) {
  if (!cache_->enabled()) return {};
  auto version = store_->ObjectsVersion();
  if (!version.ok()) return {};
  // Everything the response depends on, length-prefixed (no ambiguity).
  const policy::Reader& r = scope.reader();
  const int64_t nums[] = {version->generation, version->visible, collection,
                          static_cast<int64_t>(scope.model().serial())};
  std::string key;
  key.reserve(96 + r.account.size() + r.org.size() + object_id.size() + request.raw_query.size());
  key.append(reinterpret_cast<const char*>(nums), sizeof nums);
  key.push_back(endpoint);
  key.push_back(static_cast<char>(r.kind));
  key.push_back(federation ? 'f' : '-');
  AppendKeyPart(&key, r.account);
  AppendKeyPart(&key, r.org);
  AppendKeyPart(&key, r.hub);
  AppendKeyPart(&key, object_id);
  AppendKeyPart(&key, request.raw_query);
  return key;
}

std::optional<http::Response> Service::ServeCached(const std::string& key,
                                                   policy::ReleaseScope* scope, bool count_served) {
  if (key.empty()) return std::nullopt;
  std::shared_ptr<const CachedResponse> hit = cache_->Find(key);
  if (!hit) {
    counters_.response_cache_misses.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  // The release step runs on every hit: each release is decided and audited
  // as if the page had just been read.
  std::vector<const store::ObjectRecord*> candidates;
  candidates.reserve(hit->released.size());
  for (const auto& r : hit->released) candidates.push_back(&r);
  auto released = scope->Release(candidates);
  if (!released.ok()) return ErrorFor(released.error());
  if (released->size() != candidates.size()) {
    // Decided otherwise now (cannot happen under the same model serial):
    // build the response afresh.
    counters_.response_cache_misses.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  counters_.response_cache_hits.fetch_add(1, std::memory_order_relaxed);
  scope->CountWithheld(hit->withheld);
  if (count_served) {
    counters_.objects_served.fetch_add(static_cast<int64_t>(released->size()),
                                       std::memory_order_relaxed);
  }
  http::Response resp;
  resp.status = 200;
  resp.headers = hit->headers;
  resp.body = hit->body;
  return resp;
}

void Service::KeepCached(const std::string& key, const http::Response& response,
                         std::vector<store::ObjectRecord>* records, int64_t withheld) {
  if (key.empty() || response.status != 200) return;
  // Redacted copies are per reader and per request: never cached.
  for (const auto& r : *records) {
    if (r.granular) return;
  }
  auto entry = std::make_shared<CachedResponse>();
  entry->headers = response.headers;
  entry->body = response.body;
  for (auto& r : *records) {
    r.raw.clear();
    r.raw.shrink_to_fit();
  }
  entry->released = std::move(*records);
  entry->withheld = withheld;
  cache_->Put(key, std::move(entry));
}

int64_t Service::BodyLimit(const http::Request& head) {
  if (head.method != "POST") return kSmallBodyLimit;
  Route route = Route::Parse(head.path);
  if (route.kind != Route::Kind::kObjects) return kSmallBodyLimit;
  auto dir = directory_->Get();
  if (!dir.ok()) return options_.default_max_content_length;
  const store::ApiRoot* root = (*dir)->FindRoot(route.api_root);
  if (root == nullptr) return kSmallBodyLimit;
  return root->max_content_length > 0 ? root->max_content_length
                                      : options_.default_max_content_length;
}

void Service::CheckHead(http::Request head, http::HeadVerdict verdict) {
  Route route = Route::Parse(head.path);
  const char* label = route.Label();
  auto answer = [verdict, label](http::Response r, const std::string& principal) {
    r.route = label;
    r.principal = principal;
    verdict(std::move(r));
  };
  if (route.kind == Route::Kind::kUnknown) {
    answer(Error(404, "Not Found", "no TAXII resource at this path"), "");
    return;
  }
  // The same order as Handle and Dispatch, up to the point where the body
  // is needed: credentials (a cache hit answers inline, and makes the full
  // request's own check a cache hit), then what POST objects checks first.
  const std::string* authz = head.FindHeader("authorization");
  std::string remote = head.RemoteHost();
  auth_->Authenticate(authz, remote, [this, route = std::move(route), head = std::move(head),
                                      verdict, answer](Result<auth::PrincipalPtr> p) {
    if (!p.ok()) return answer(ErrorFor(p.error()), "");
    if (route.kind != Route::Kind::kObjects || head.method != "POST") return verdict(std::nullopt);
    if (auto refused = RefusePost(route, head, **p)) return answer(std::move(*refused), (*p)->username);
    verdict(std::nullopt);
  });
}

std::optional<http::Response> Service::RefusePost(const Route& route, const http::Request& head,
                                                  const auth::Principal& principal) {
  if (!AcceptsTaxii(head)) {
    return Error(406, "Not Acceptable", std::string("this server produces ") + kTaxiiMediaType);
  }
  auto dir = directory_->Get();
  if (!dir.ok()) return ErrorFor(dir.error());
  if ((*dir)->FindRoot(route.api_root) == nullptr) return Error(404, "Not Found", "no such API root");
  const store::Collection* c = (*dir)->FindCollection(route.api_root, route.collection);
  auth::CollectionAccess access = c ? principal.Access(c->key) : auth::CollectionAccess{};
  if (c == nullptr || (!access.can_read && !access.can_write)) {
    return Error(404, "Not Found", "no such collection");
  }
  if (!IsTaxiiContentType(head)) {
    return Error(415, "Unsupported Media Type", std::string("the body must be ") + kTaxiiMediaType);
  }
  if (!access.can_write) {
    return Error(403, "Forbidden", "this account may not write to this collection");
  }
  if (!head.raw_query.empty()) {
    auto q = ParseQuery(head.raw_query, Endpoint::kNoFilters);
    if (!q.ok()) return ErrorFor(q.error());
  }
  return std::nullopt;
}

void Service::Handle(http::Request request, http::Respond respond) {
  Route route = Route::Parse(request.path);
  const char* label = route.Label();
  auto finish = [respond, label](http::Response r, const std::string& principal) {
    r.route = label;
    r.principal = principal;
    respond(std::move(r));
  };
  if (route.kind == Route::Kind::kUnknown) {
    finish(Error(404, "Not Found", "no TAXII resource at this path"), "");
    return;
  }
  // Authenticate first: an anonymous client learns nothing, not even whether
  // a path names an API root.
  const std::string* authz = request.FindHeader("authorization");
  std::string remote = request.RemoteHost();
  auth_->Authenticate(
      authz, remote,
      [this, route = std::move(route), request = std::move(request), finish,
       respond](Result<auth::PrincipalPtr> principal) mutable {
        if (!principal.ok()) {
          finish(ErrorFor(principal.error()), "");
          return;
        }
        auth::PrincipalPtr p = std::move(principal).value();
        std::string who = p->username;
        const char* label = route.Label();
        Dispatch(route, std::move(request), std::move(p),
                 [respond, who, label](http::Response r) {
                   r.route = label;
                   r.principal = who;
                   respond(std::move(r));
                 });
      });
}

void Service::Dispatch(const Route& route, http::Request request, auth::PrincipalPtr principal,
                       http::Respond respond) {
  const bool is_get = request.method == "GET" || request.method == "HEAD";
  if (!AcceptsTaxii(request)) {
    respond(Error(406, "Not Acceptable",
                  std::string("this server produces ") + kTaxiiMediaType));
    return;
  }
  auto not_allowed = [&](std::initializer_list<const char*> allowed) {
    http::Response r = Error(405, "Method Not Allowed",
                             "allowed methods: " + MethodNotAllowedList(allowed));
    r.headers.push_back({"allow", MethodNotAllowedList(allowed)});
    respond(std::move(r));
  };

  if (route.kind == Route::Kind::kDiscovery) {
    if (!is_get) return not_allowed({"GET"});
    if (!request.raw_query.empty()) {
      auto q = ParseQuery(request.raw_query, Endpoint::kNoFilters);
      if (!q.ok()) return respond(ErrorFor(q.error()));
    }
    respond(Discovery(request, *principal));
    return;
  }

  auto dir = directory_->Get();
  if (!dir.ok()) {
    respond(ErrorFor(dir.error()));
    return;
  }
  const store::ApiRoot* root = (*dir)->FindRoot(route.api_root);
  if (root == nullptr) {
    respond(Error(404, "Not Found", "no such API root"));
    return;
  }

  // Endpoints without filters reject any query parameter.
  auto no_query = [&]() -> bool {
    if (request.raw_query.empty()) return true;
    auto q = ParseQuery(request.raw_query, Endpoint::kNoFilters);
    if (q.ok()) return true;
    respond(ErrorFor(q.error()));
    return false;
  };

  switch (route.kind) {
    case Route::Kind::kApiRoot:
      if (!is_get) return not_allowed({"GET"});
      if (!no_query()) return;
      respond(ApiRootInfo(*root));
      return;
    case Route::Kind::kStatus:
      if (!is_get) return not_allowed({"GET"});
      if (!no_query()) return;
      respond(GetStatus(route, *principal));
      return;
    case Route::Kind::kCollections:
      if (!is_get) return not_allowed({"GET"});
      if (!no_query()) return;
      respond(ListCollections(route, *principal));
      return;
    default:
      break;
  }

  // Collection-scoped endpoints. TAXII 2.1 §1.6.9 / issue rule: a collection
  // the principal has no grant on is indistinguishable from a missing one.
  const store::Collection* found = (*dir)->FindCollection(route.api_root, route.collection);
  auth::CollectionAccess access =
      found ? principal->Access(found->key) : auth::CollectionAccess{};
  if (found == nullptr || (!access.can_read && !access.can_write)) {
    respond(Error(404, "Not Found", "no such collection"));
    return;
  }
  const store::Collection& c = *found;
  auto need_read = [&]() {
    if (access.can_read) return true;
    respond(Error(403, "Forbidden", "this account may not read this collection"));
    return false;
  };

  switch (route.kind) {
    case Route::Kind::kCollection:
      if (!is_get) return not_allowed({"GET"});
      if (!no_query()) return;
      respond(GetCollection(c, *principal));
      return;
    case Route::Kind::kObjects:
      if (is_get) {
        if (!need_read()) return;
        respond(GetObjects(route, c, request, *principal, /*manifest=*/false));
        return;
      }
      if (request.method == "POST") {
        // The checks the head check made before the body was read, again
        // (the directory may have changed meanwhile): one function for both.
        if (auto refused = RefusePost(route, request, *principal)) return respond(std::move(*refused));
        AddObjects(route, c, std::move(request), *principal, std::move(respond));
        return;
      }
      return not_allowed({"GET", "POST"});
    case Route::Kind::kManifest:
      if (!is_get) return not_allowed({"GET"});
      if (!need_read()) return;
      respond(GetObjects(route, c, request, *principal, /*manifest=*/true));
      return;
    case Route::Kind::kObject:
      if (is_get) {
        if (!need_read()) return;
        respond(GetObject(route, c, request, *principal, /*versions_only=*/false));
        return;
      }
      if (request.method == "DELETE") {
        if (!access.can_write) {
          respond(Error(403, "Forbidden", "this account may not delete from this collection"));
          return;
        }
        if (!need_read()) return;
        respond(DeleteObject(route, c, request, *principal));
        return;
      }
      return not_allowed({"GET", "DELETE"});
    case Route::Kind::kVersions:
      if (!is_get) return not_allowed({"GET"});
      if (!need_read()) return;
      respond(GetObject(route, c, request, *principal, /*versions_only=*/true));
      return;
    default:
      respond(Error(404, "Not Found", "no TAXII resource at this path"));
      return;
  }
}

http::Response Service::Discovery(const http::Request& request, const auth::Principal&) {
  std::string base = options_.public_base_url;
  if (base.empty()) {
    const std::string* host = request.FindHeader("host");
    base = std::string(request.tls ? "https://" : "http://") + (host ? *host : "localhost");
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  json::object o;
  o["title"] = options_.title;
  if (!options_.description.empty()) o["description"] = options_.description;
  if (!options_.contact.empty()) o["contact"] = options_.contact;
  auto dir = directory_->Get();
  if (!dir.ok()) return ErrorFor(dir.error());
  json::array roots;
  for (const auto& r : (*dir)->roots) roots.push_back(json::string(base + "/" + r.name + "/"));
  if (!options_.default_api_root.empty() && (*dir)->FindRoot(options_.default_api_root)) {
    o["default"] = base + "/" + options_.default_api_root + "/";
  }
  o["api_roots"] = std::move(roots);
  return JsonResponse(200, o);
}

http::Response Service::ApiRootInfo(const store::ApiRoot& root) {
  json::object o;
  o["title"] = root.title.empty() ? root.name : root.title;
  if (!root.description.empty()) o["description"] = root.description;
  o["versions"] = json::array{kTaxiiMediaType};
  o["max_content_length"] = root.max_content_length > 0 ? root.max_content_length
                                                        : options_.default_max_content_length;
  return JsonResponse(200, o);
}

http::Response Service::GetStatus(const Route& route, const auth::Principal& principal) {
  auto s = store_->GetStatus(route.api_root, route.status_id);
  if (!s.ok()) return ErrorFor(s.error());
  // A status resource lists object ids: only the account that made the
  // request (or an admin) may see it; others get the same 404 as for a
  // status that does not exist.
  if (!s->has_value() ||
      !policy::MaySeeStatus(principal, (*s)->owner_account)) {
    return Error(404, "Not Found", "no such status resource");
  }
  return JsonResponse(200, StatusToJson(**s));
}

http::Response Service::ListCollections(const Route& route, const auth::Principal& principal) {
  auto dir = directory_->Get();
  if (!dir.ok()) return ErrorFor(dir.error());
  json::array cols;
  auto it = (*dir)->collections.find(route.api_root);
  if (it != (*dir)->collections.end()) {
    for (const auto& c : it->second) {
      auth::CollectionAccess a = principal.Access(c.key);
      if (!a.can_read && !a.can_write) continue;
      http::Response one = GetCollection(c, principal);
      cols.push_back(json::parse(one.body));
    }
  }
  json::object o;
  if (!cols.empty()) o["collections"] = std::move(cols);
  return JsonResponse(200, o);
}

http::Response Service::GetCollection(const store::Collection& c,
                                      const auth::Principal& principal) {
  auth::CollectionAccess a = principal.Access(c.key);
  json::object o;
  o["id"] = c.id;
  o["title"] = c.title;
  if (!c.description.empty()) o["description"] = c.description;
  if (!c.alias.empty()) o["alias"] = c.alias;
  o["can_read"] = a.can_read;
  o["can_write"] = a.can_write;
  o["media_types"] = json::array{kStixMediaType21, kStixMediaType20};
  return JsonResponse(200, o);
}

namespace {

store::ObjectQuery BaseQuery(const store::Collection& c, const Filters& f, int64_t limit) {
  store::ObjectQuery q;
  q.collection = c.key;
  q.added_after_us = f.added_after_us;
  q.ids = f.ids;
  q.types = f.types;
  q.spec_versions = f.spec_versions;
  q.versions = f.versions;
  q.limit = static_cast<int>(limit);
  return q;
}

void SetDateAddedHeaders(http::Response* r, const std::vector<store::ObjectRecord>& recs) {
  if (recs.empty()) return;
  r->headers.push_back({"x-taxii-date-added-first", FormatTimestamp(recs.front().date_added_us, 6)});
  r->headers.push_back({"x-taxii-date-added-last", FormatTimestamp(recs.back().date_added_us, 6)});
}

}  // namespace

namespace {

// Federation (issue 5): is this a peer hub (as the policy reads it) asking
// for the metadata?
bool WantsFederationMeta(const http::Request& r, const policy::ReleaseScope& scope,
                         const std::string& hub) {
  if (hub.empty() || scope.reader().kind != policy::Reader::Kind::kPeer) return false;
  const std::string* h = r.FindHeader("x-kizuna-federation");
  return h != nullptr && *h == "1";
}

void AppendFederationMeta(std::string* body, const std::vector<store::ObjectRecord>& records,
                          const std::string& hub) {
  std::vector<policy::PeerObjectMeta> metas;
  metas.reserve(records.size());
  for (const auto& r : records) metas.push_back(policy::MetaForPeer(r, hub));
  *body += ",\"";
  *body += policy::kFederationMember;
  *body += "\":";
  policy::AppendPeerMetaJson(body, hub, metas);
}

std::string RemoteHost(const http::Request& r) {
  std::string remote = r.RemoteHost();
  return remote;
}

}  // namespace

http::Response Service::GetObjects(const Route& route, const store::Collection& c,
                                   const http::Request& request, const auth::Principal& principal,
                                   bool manifest) {
  const Endpoint ep = manifest ? Endpoint::kManifest : Endpoint::kGetObjects;
  auto filters = ParseQuery(request.raw_query, ep);
  if (!filters.ok()) return ErrorFor(filters.error());
  const uint64_t fp = QueryFingerprint(ep, c.key, "", *filters);
  std::optional<int64_t> cursor;
  if (filters->next) {
    auto cur = DecodeNextToken(*filters->next, fp);
    if (!cur.ok()) return ErrorFor(cur.error());
    cursor = *cur;
  }
  (void)route;
  auto scope = policy_->Begin(principal, c.key, c.id,
                              manifest ? policy::Path::kTaxiiManifest : policy::Path::kTaxiiObjects,
                              RemoteHost(request));
  if (!scope.ok()) return ErrorFor(scope.error());
  const bool federation = !manifest && WantsFederationMeta(request, *scope, options_.hub_name);
  // Pages that name ids also audit denials of the named objects: not cached.
  const std::string cache_key =
      filters->ids.empty()
          ? CacheKey(*scope, c.key, manifest ? 'm' : 'o', "", request, federation)
          : std::string();
  if (auto cached = ServeCached(cache_key, &*scope, !manifest)) return std::move(*cached);
  const int64_t withheld_before = scope->withheld();
  int64_t limit = std::min(filters->limit.value_or(options_.default_page), options_.max_page);
  store::ObjectQuery q = BaseQuery(c, *filters, limit);
  q.with_raw = !manifest;
  auto page = scope->Read(std::move(q), cursor);
  if (!page.ok()) return ErrorFor(page.error());

  std::string body;
  if (manifest) {
    body.reserve(64 + page->records.size() * 160);
  } else {
    size_t total = 64;
    for (const auto& r : page->records) total += r.raw.size() + 1;
    body.reserve(total);
  }
  body += "{\"more\":";
  body += page->more ? "true" : "false";
  if (page->more) {
    body += ",\"next\":\"";
    body += EncodeNextToken(page->last_us, fp);
    body += '"';
  }
  if (!page->records.empty()) {
    body += ",\"objects\":[";
    bool first = true;
    for (const auto& r : page->records) {
      if (!first) body += ',';
      first = false;
      if (manifest) {
        body += "{\"id\":";
        AppendJsonString(&body, r.id);
        body += ",\"date_added\":\"";
        body += FormatTimestamp(r.date_added_us, 6);
        body += "\",\"version\":\"";
        body += FormatVersion(r.version_us);
        body += "\",\"media_type\":\"";
        body += r.spec_version == "2.0" ? kStixMediaType20 : kStixMediaType21;
        body += "\"}";
      } else {
        body += r.raw;
      }
    }
    body += ']';
  }
  if (federation) AppendFederationMeta(&body, page->records, options_.hub_name);
  body += '}';
  if (!manifest) {
    counters_.objects_served.fetch_add(static_cast<int64_t>(page->records.size()),
                                       std::memory_order_relaxed);
  }
  http::Response resp;
  resp.status = 200;
  resp.headers.push_back({"content-type", kTaxiiMediaType});
  SetDateAddedHeaders(&resp, page->records);
  resp.body = std::move(body);
  KeepCached(cache_key, resp, &page->records, scope->withheld() - withheld_before);
  return resp;
}

http::Response Service::GetObject(const Route& route, const store::Collection& c,
                                  const http::Request& request, const auth::Principal& principal,
                                  bool versions_only) {
  const Endpoint ep = versions_only ? Endpoint::kVersions : Endpoint::kGetObject;
  auto filters = ParseQuery(request.raw_query, ep);
  if (!filters.ok()) return ErrorFor(filters.error());
  const uint64_t fp = QueryFingerprint(ep, c.key, route.object_id, *filters);
  std::optional<int64_t> cursor;
  if (filters->next) {
    auto cur = DecodeNextToken(*filters->next, fp);
    if (!cur.ok()) return ErrorFor(cur.error());
    cursor = *cur;
  }
  auto scope = policy_->Begin(principal, c.key, c.id,
                              versions_only ? policy::Path::kTaxiiVersions : policy::Path::kTaxiiObject,
                              RemoteHost(request));
  if (!scope.ok()) return ErrorFor(scope.error());
  const bool federation = !versions_only && WantsFederationMeta(request, *scope, options_.hub_name);
  const std::string cache_key = CacheKey(*scope, c.key, versions_only ? 'v' : 'g',
                                         route.object_id, request, federation);
  if (auto cached = ServeCached(cache_key, &*scope, false)) return std::move(*cached);
  const int64_t withheld_before = scope->withheld();
  int64_t limit = std::min(filters->limit.value_or(options_.default_page), options_.max_page);
  store::ObjectQuery q = BaseQuery(c, *filters, limit);
  q.ids = {route.object_id};
  if (versions_only) {
    // TAXII 2.1 §5.8: every version, oldest date_added first.
    q.versions = store::VersionFilter{};
    q.versions.all = true;
    q.with_raw = false;
  }
  auto page = scope->Read(std::move(q), cursor, nullptr, /*audit_named=*/false);
  if (!page.ok()) return ErrorFor(page.error());
  if (page->records.empty() && !page->more && !cursor) {
    // 404 when the object has no version this reader may see at all (also
    // when it exists but the policy hides it: no existence leak; that denial
    // is audited); an object whose visible versions the filters exclude is
    // an empty 200.
    auto seen = scope->SeesAny(route.object_id);
    if (!seen.ok()) return ErrorFor(seen.error());
    if (!*seen) return Error(404, "Not Found", "no such object in this collection");
  }
  std::string body = "{\"more\":";
  body += page->more ? "true" : "false";
  if (page->more) {
    body += ",\"next\":\"";
    body += EncodeNextToken(page->last_us, fp);
    body += '"';
  }
  if (!page->records.empty()) {
    body += versions_only ? ",\"versions\":[" : ",\"objects\":[";
    bool first = true;
    for (const auto& r : page->records) {
      if (!first) body += ',';
      first = false;
      if (versions_only) {
        body += '"';
        body += FormatVersion(r.version_us);
        body += '"';
      } else {
        body += r.raw;
      }
    }
    body += ']';
  }
  if (federation) AppendFederationMeta(&body, page->records, options_.hub_name);
  body += '}';
  http::Response resp;
  resp.status = 200;
  resp.headers.push_back({"content-type", kTaxiiMediaType});
  SetDateAddedHeaders(&resp, page->records);
  resp.body = std::move(body);
  // Only found objects are cached (the 404 path audits its denials).
  if (!page->records.empty()) {
    KeepCached(cache_key, resp, &page->records, scope->withheld() - withheld_before);
  }
  return resp;
}

http::Response Service::DeleteObject(const Route& route, const store::Collection& c,
                                     const http::Request& request,
                                     const auth::Principal& principal) {
  auto filters = ParseQuery(request.raw_query, Endpoint::kDeleteObject);
  if (!filters.ok()) return ErrorFor(filters.error());
  store::VersionFilter versions = filters->versions;
  // TAXII 2.1 §5.7: without match[version], every version is deleted.
  if (!filters->has_version_filter) {
    versions = store::VersionFilter{};
    versions.all = true;
  }
  // Only versions the principal may see and delete (policy::MayDelete: its
  // own organization's, or any for coordinators; never by a peer hub) are
  // selected through the release scope, then exactly those are deleted; the
  // deletion is audited.
  auto scope = policy_->Begin(principal, c.key, c.id, policy::Path::kTaxiiDelete,
                              RemoteHost(request));
  if (!scope.ok()) return ErrorFor(scope.error());
  auto selected = scope->SelectForDeletion(route.object_id, versions, filters->spec_versions);
  if (!selected.ok()) return ErrorFor(selected.error());
  store::VersionFilter exact;
  for (const auto& r : *selected) exact.rows_us.push_back(r.date_added_us);
  auto n = store_->DeleteObject(c.key, route.object_id, exact);
  if (!n.ok()) return ErrorFor(n.error());
  if (*n == 0) return Error(404, "Not Found", "no such object in this collection");
  http::Response r;
  r.status = 200;
  r.headers.push_back({"content-type", kTaxiiMediaType});
  return r;
}

void Service::AddObjects(const Route& route, const store::Collection& c, http::Request request,
                         const auth::Principal& principal, http::Respond respond) {
  const int64_t request_time = clock_->NowMicros();
  store::WriteBatch batch;
  store::StatusRecord status;
  status.id = NewUuidV4();
  status.api_root = route.api_root;
  status.owner_account = principal.account_key;
  status.request_timestamp_us = request_time;
  status.status = "complete";

  auto model = policy_->Model();
  if (model.ok() && (*model)->FindCollection(c.key) == nullptr) model = policy_->Model(true);
  if (!model.ok()) {
    respond(ErrorFor(model.error()));
    return;
  }
  // Who produces these objects (an account, or a peer hub's account
  // posting as its hub) is the policy's decision.
  // Look-alike marking definitions refused earlier are in the store's record.
  ingest::RefusedMarkings refused(store_);
  auto prepared = ingest::PrepareEnvelope(
      request.body, c.key, **model, policy::ProducerFor(principal, options_.hub_name), &refused);
  if (!prepared.ok()) {
    respond(ErrorFor(prepared.error()));
    return;
  }
  batch = std::move(prepared->batch);
  status.successes = std::move(prepared->successes);
  status.failures = std::move(prepared->failures);
  counters_.objects_rejected.fetch_add(static_cast<int64_t>(status.failures.size()),
                                       std::memory_order_relaxed);
  json::object status_json = StatusToJson(status);
  batch.status = std::move(status);
  // Respond only after the commit is durable: a "success" in the status
  // resource means the object survives a crash.
  store_->Write(std::move(batch), [this, respond = std::move(respond),
                                   status_json = std::move(status_json)](
                                      Result<store::WriteResult> r) mutable {
    if (!r.ok()) {
      respond(ErrorFor(r.error()));
      return;
    }
    int64_t added = 0, dup = 0;
    for (auto o : r->outcomes) (o == store::AddOutcome::kAdded ? added : dup)++;
    counters_.objects_accepted.fetch_add(added, std::memory_order_relaxed);
    counters_.objects_duplicate.fetch_add(dup, std::memory_order_relaxed);
    respond(JsonResponse(202, status_json));
  });
}

}  // namespace kizuna::taxii
