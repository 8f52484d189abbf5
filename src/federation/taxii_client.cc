#include "federation/taxii_client.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <thread>

#include "core/encoding.h"
#include "stix/bundle.h"

namespace kizuna::federation {

namespace json = boost::json;

namespace {

constexpr const char* kTaxii = "application/taxii+json;version=2.1";

std::string WithSlash(std::string url) {
  if (url.empty() || url.back() != '/') url.push_back('/');
  return url;
}

// Percent-encodes a query value (RFC 3986 unreserved characters kept).
std::string QueryEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '.' || c == '_' || c == '~' || c == ':';
    if (keep) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// Path segment encoding for ids (STIX ids and UUIDs need none; be safe).
std::string SegmentEncode(std::string_view s) { return QueryEncode(s); }

}  // namespace

Backoff::Backoff(int64_t initial_ms, int64_t max_ms)
    : initial_ms_(std::max<int64_t>(1, initial_ms)),
      max_ms_(std::max(initial_ms_, max_ms)),
      rng_(std::random_device{}()) {}

int64_t Backoff::NextMs() {
  int64_t cap = initial_ms_;
  for (int i = 0; i < attempt_ && cap < max_ms_; ++i) cap *= 2;
  cap = std::min(cap, max_ms_);
  ++attempt_;
  std::uniform_int_distribution<int64_t> d(0, cap);
  return d(rng_);
}

Status StatusForHttp(int code, std::string_view body) {
  if (code >= 200 && code < 300) return Status::Ok();
  std::string detail;
  boost::system::error_code ec;
  json::value v = json::parse(body.substr(0, 64 * 1024), ec);
  if (!ec && v.is_object()) {
    if (auto* d = v.get_object().if_contains("description"); d && d->is_string()) detail = d->get_string();
    else if (auto* t = v.get_object().if_contains("title"); t && t->is_string()) detail = t->get_string();
  }
  if (detail.size() > 300) detail.resize(300);
  std::string msg = "peer answered HTTP " + std::to_string(code) + (detail.empty() ? "" : ": " + detail);
  if (code == 401 || code == 403) return PermissionDenied(msg);
  if (code == 404) return NotFound(msg);
  if (code == 429 || code == 500 || code == 502 || code == 503 || code == 504) return Unavailable(msg);
  if (code == 413) return PayloadTooLarge(msg);
  return InvalidArgument(msg);
}

bool IsRetryable(const Status& s) { return s.code() == StatusCode::kUnavailable; }

std::string AuthorizationHeader(std::string_view scheme, std::string_view user,
                                std::string_view secret) {
  if (scheme == "bearer") return "Bearer " + std::string(secret);
  std::string cred = std::string(user) + ":" + std::string(secret);
  return "Basic " + Base64Encode(cred);
}

Status ParseEnvelope(ObjectsPage* page) {
  std::string_view meta_bytes;
  auto objs = stix::SplitObjects(page->body, policy::kFederationMember, &meta_bytes);
  if (!objs.ok()) return InvalidArgument("peer envelope: " + objs.error().message());
  page->objects.clear();
  page->objects.reserve(objs->size());
  for (const auto& o : *objs) page->objects.push_back(o.bytes);
  page->meta.reset();
  if (!meta_bytes.empty()) {
    auto m = policy::DecodePeerMeta(meta_bytes, page->objects.size());
    if (!m.ok()) return m.error();
    if (m->objects.size() != page->objects.size()) {
      return InvalidArgument("peer envelope: federation metadata does not match the objects");
    }
    page->meta = std::move(*m);
  }
  // TAXII 2.1 §3.7: "more" says whether another page follows. Read without
  // parsing the objects again: the member outside the objects' bytes.
  page->more = false;
  page->next.clear();
  const char* base = page->body.data();
  size_t objects_begin = page->objects.empty() ? page->body.size()
                                               : static_cast<size_t>(page->objects.front().data() - base);
  size_t objects_end = page->objects.empty()
                           ? page->body.size()
                           : static_cast<size_t>(page->objects.back().data() - base) + page->objects.back().size();
  for (size_t pos = page->body.find("\"more\""); pos != std::string::npos;
       pos = page->body.find("\"more\"", pos + 1)) {
    if (!page->objects.empty() && pos >= objects_begin && pos < objects_end) continue;
    size_t colon = page->body.find_first_not_of(" \t\r\n", pos + 6);
    if (colon == std::string::npos || page->body[colon] != ':') continue;
    size_t value = page->body.find_first_not_of(" \t\r\n", colon + 1);
    page->more = value != std::string::npos && page->body.compare(value, 4, "true") == 0;
    break;
  }
  return Status::Ok();
}

TaxiiClient::TaxiiClient(TaxiiClientOptions options, std::string authorization)
    : options_(std::move(options)),
      authorization_(std::move(authorization)),
      client_(options_.http),
      backoff_(options_.initial_backoff_ms, options_.max_backoff_ms) {}

void TaxiiClient::Interrupt() {
  std::lock_guard lock(stream_mu_);
  interrupted_.store(true);
  client_.Interrupt();
  if (stream_client_ != nullptr) stream_client_->Interrupt();
}

void TaxiiClient::Sleep(int64_t ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!interrupted_.load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(ms, 20)));
  }
}

std::vector<http::Header> TaxiiClient::Headers(bool federation, bool post) const {
  std::vector<http::Header> h;
  h.push_back({"accept", kTaxii});
  if (!authorization_.empty()) h.push_back({"authorization", authorization_});
  if (post) h.push_back({"content-type", kTaxii});
  if (federation) h.push_back({"x-kizuna-federation", "1"});
  return h;
}

Result<http::ClientResponse> TaxiiClient::SendWithRetries(std::string_view method,
                                                          const std::string& url,
                                                          const std::vector<http::Header>& headers,
                                                          std::string_view body) {
  backoff_.Reset();
  Status last = Unavailable("not attempted");
  for (int attempt = 1; attempt <= std::max(1, options_.max_attempts); ++attempt) {
    last_attempts_ = attempt;
    if (interrupted_.load()) return Unavailable("interrupted");
    auto r = client_.Send(method, url, headers, body);
    if (r.ok()) {
      Status s = StatusForHttp(r->status, r->body);
      if (s.ok()) return r;
      last = s;
    } else {
      last = r.error();
    }
    if (!IsRetryable(last) || attempt == options_.max_attempts) break;
    Sleep(backoff_.NextMs());
  }
  return last;
}

Result<std::string> TaxiiClient::ResolveApiRoot(const std::string& url) {
  std::string u = WithSlash(url);
  static constexpr std::string_view kDiscovery = "/taxii2/";
  if (u.size() < kDiscovery.size() || u.compare(u.size() - kDiscovery.size(), kDiscovery.size(), kDiscovery) != 0) {
    return u;
  }
  ASSIGN_OR_RETURN(auto r, SendWithRetries("GET", u, Headers(false, false), {}));
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec || !v.is_object()) return InvalidArgument("peer discovery: not a JSON object");
  const json::object& o = v.get_object();
  if (auto* d = o.if_contains("default"); d && d->is_string() && !d->get_string().empty()) {
    return WithSlash(std::string(d->get_string()));
  }
  if (auto* roots = o.if_contains("api_roots"); roots && roots->is_array() &&
                                                roots->get_array().size() == 1 &&
                                                roots->get_array()[0].is_string()) {
    return WithSlash(std::string(roots->get_array()[0].get_string()));
  }
  return InvalidArgument("peer discovery names no default API root and not exactly one: give the API root URL");
}

Result<ObjectsPage> TaxiiClient::GetObjects(const std::string& api_root,
                                            const std::string& collection,
                                            const std::string& added_after, int limit,
                                            bool federation) {
  std::string url = api_root + "collections/" + SegmentEncode(collection) +
                    "/objects/?match%5Bversion%5D=all&limit=" + std::to_string(limit);
  if (!added_after.empty()) url += "&added_after=" + QueryEncode(added_after);
  ASSIGN_OR_RETURN(auto r, SendWithRetries("GET", url, Headers(federation, false), {}));
  ObjectsPage page;
  page.body = std::move(r.body);
  if (const std::string* last = r.FindHeader("x-taxii-date-added-last")) page.date_added_last = *last;
  RETURN_IF_ERROR(ParseEnvelope(&page));
  return page;
}

Result<ObjectsPage> TaxiiClient::GetObjectVersion(const std::string& api_root,
                                                  const std::string& collection,
                                                  const std::string& id, const std::string& version,
                                                  bool federation) {
  std::string url = api_root + "collections/" + SegmentEncode(collection) + "/objects/" +
                    SegmentEncode(id) + "/?match%5Bversion%5D=" + QueryEncode(version);
  ASSIGN_OR_RETURN(auto r, SendWithRetries("GET", url, Headers(federation, false), {}));
  ObjectsPage page;
  page.body = std::move(r.body);
  RETURN_IF_ERROR(ParseEnvelope(&page));
  return page;
}

Result<AddResult> TaxiiClient::AddObjects(const std::string& api_root,
                                          const std::string& collection,
                                          const std::string& envelope) {
  std::string url = api_root + "collections/" + SegmentEncode(collection) + "/objects/";
  ASSIGN_OR_RETURN(auto r, SendWithRetries("POST", url, Headers(false, true), envelope));
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec || !v.is_object()) return InvalidArgument("peer status resource: not a JSON object");
  const json::object& o = v.get_object();
  AddResult out;
  auto count = [&](const char* key) -> int64_t {
    const json::value* c = o.if_contains(key);
    return c && c->is_int64() ? c->get_int64() : 0;
  };
  out.successes = count("success_count");
  out.failures = count("failure_count");
  if (auto* f = o.if_contains("failures"); f && f->is_array()) {
    for (const auto& e : f->get_array()) {
      if (out.failure_messages.size() >= 10 || !e.is_object()) break;
      std::string line;
      if (auto* id = e.get_object().if_contains("id"); id && id->is_string()) line = id->get_string();
      if (auto* m = e.get_object().if_contains("message"); m && m->is_string()) {
        line += ": " + std::string(m->get_string());
      }
      out.failure_messages.push_back(std::move(line));
    }
  }
  return out;
}

Status TaxiiClient::Subscribe(const std::string& api_root, const std::string& collection,
                              const std::string& last_event_id, bool federation,
                              int64_t heartbeat_ms, std::chrono::milliseconds idle_timeout,
                              const std::function<bool(stream::SseEvent&&)>& on_event) {
  if (interrupted_.load()) return Unavailable("interrupted");
  std::string url = api_root + "collections/" + SegmentEncode(collection) + "/stream";
  if (heartbeat_ms > 0) url += "?heartbeat=" + std::to_string(heartbeat_ms);
  std::vector<http::Header> headers = Headers(federation, false);
  headers[0].value = "text/event-stream";
  if (!last_event_id.empty()) headers.push_back({"last-event-id", last_event_id});
  http::ClientOptions o = options_.http;
  o.read_timeout = idle_timeout;
  // A dedicated connection: a stream holds it for its whole life.
  http::Client stream_client(o);
  {
    std::lock_guard lock(stream_mu_);
    if (interrupted_.load()) return Unavailable("interrupted");
    stream_client_ = &stream_client;
  }
  struct Detach {
    TaxiiClient* self;
    ~Detach() {
      std::lock_guard lock(self->stream_mu_);
      self->stream_client_ = nullptr;
    }
  } detach{this};
  stream::SseParser parser;
  std::vector<stream::SseEvent> events;
  Status failure = Status::Ok();
  bool stopped = false;
  auto r = stream_client.SendStreaming("GET", url, headers, {}, [&](std::string_view data) {
    events.clear();
    Status s = parser.Feed(data, &events);
    if (!s.ok()) {
      failure = s;
      return false;
    }
    for (auto& e : events) {
      if (!on_event(std::move(e))) {
        stopped = true;
        return false;
      }
    }
    return true;
  });
  if (!failure.ok()) return failure;
  if (stopped) return Status::Ok();
  if (!r.ok()) return r.error();
  RETURN_IF_ERROR(StatusForHttp(r->status, ""));
  return Unavailable("the peer ended the stream");
}

}  // namespace kizuna::federation
