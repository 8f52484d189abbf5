#include "federation/taxii_client.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <boost/url.hpp>
#include <map>
#include <set>
#include <thread>

#include "core/encoding.h"
#include "core/time.h"
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

// The top-level members of a JSON object text that has been checked to be
// valid JSON (by stix::SplitObjects or boost::json): keys as written (between
// the quotes), values as their exact bytes.
struct Member {
  std::string_view key, value;
};

size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  return i;
}

// REQUIRES: s[i] == '"'. Returns the index after the closing quote.
size_t SkipString(std::string_view s, size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return s.size();
}

std::vector<Member> TopLevelMembers(std::string_view s) {
  std::vector<Member> out;
  size_t i = SkipSpace(s, 0);
  if (i >= s.size() || s[i] != '{') return out;
  ++i;
  while (true) {
    i = SkipSpace(s, i);
    if (i >= s.size() || s[i] != '"') return out;  // '}' or the end
    size_t key_end = SkipString(s, i);
    std::string_view key = s.substr(i + 1, key_end - i - 2);
    i = SkipSpace(s, key_end);
    if (i >= s.size() || s[i] != ':') return out;
    i = SkipSpace(s, i + 1);
    size_t begin = i;
    if (i < s.size() && s[i] == '"') {
      i = SkipString(s, i);
    } else if (i < s.size() && (s[i] == '{' || s[i] == '[')) {
      int depth = 0;
      while (i < s.size()) {
        char c = s[i];
        if (c == '"') {
          i = SkipString(s, i);
          continue;
        }
        if (c == '{' || c == '[') ++depth;
        if (c == '}' || c == ']') --depth;
        ++i;
        if (depth == 0) break;
      }
    } else {
      while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ' ' && s[i] != '\t' &&
             s[i] != '\n' && s[i] != '\r') {
        ++i;
      }
    }
    out.push_back({key, s.substr(begin, i - begin)});
    i = SkipSpace(s, i);
    if (i >= s.size() || s[i] != ',') return out;
    ++i;
  }
}

Status Malformed(const std::string& what, std::string_view body) {
  return InvalidArgument("peer envelope: " + what + "; the peer answered: " + AnswerExcerpt(body));
}

// A timestamp (RFC 3339, as STIX and TAXII write them), or nullopt.
std::optional<Timestamp> Parsed(std::string_view text) {
  auto t = ParseTimestamp(text);
  if (!t.ok()) return std::nullopt;
  return *t;
}

}  // namespace

std::string AnswerExcerpt(std::string_view body, size_t max) {
  std::string out;
  out.reserve(std::min(body.size(), max) + 32);
  for (size_t i = 0; i < body.size() && i < max; ++i) {
    unsigned char c = static_cast<unsigned char>(body[i]);
    out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  }
  if (body.empty()) return "(an empty body)";
  if (body.size() > max) out += "... (" + std::to_string(body.size()) + " bytes)";
  return out;
}

Result<std::string> ApiRootOnConfiguredOrigin(std::string_view configured,
                                              std::string_view advertised, bool* moved) {
  *moved = false;
  auto base = boost::urls::parse_uri(configured);
  if (!base) return InvalidArgument("bad peer URL '" + std::string(configured) + "'");
  auto ref = boost::urls::parse_uri_reference(advertised);
  if (!ref) {
    return InvalidArgument("peer discovery names an API root that is not a URL: " +
                           AnswerExcerpt(advertised));
  }
  boost::urls::url dest;
  // A discovery document may give API roots as relative URLs: RFC 3986 §5.2.
  if (auto r = boost::urls::resolve(*base, *ref, dest); !r) {
    return InvalidArgument("peer discovery names an API root that does not resolve: " +
                           AnswerExcerpt(advertised));
  }
  auto lower = [](std::string_view v) {
    std::string out(v);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  auto port_of = [&](const boost::urls::url_view_base& u) -> uint16_t {
    if (u.has_port() && u.port_number() != 0) return u.port_number();
    return lower(u.scheme()) == "https" ? 443 : 80;
  };
  const bool same_origin = lower(dest.scheme()) == lower(base->scheme()) &&
                           lower(dest.encoded_host()) == lower(base->encoded_host()) &&
                           port_of(dest) == port_of(*base) && !dest.has_userinfo();
  if (!same_origin) {
    // A discovery document may name any host (medallion's sample data names
    // localhost:5000). The credentials of this link go to the host the
    // administrator configured and nowhere else: take the path there.
    *moved = true;
    dest.set_scheme(base->scheme());
    dest.set_encoded_authority(base->encoded_authority());
  }
  dest.remove_query();
  dest.remove_fragment();
  return WithSlash(std::string(dest.buffer()));
}

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
  // Not a TAXII error message: what the peer said, as it said it.
  if (detail.empty() && !body.empty()) detail = AnswerExcerpt(body);
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
  page->objects.clear();
  page->meta.reset();
  page->more = false;
  page->next.clear();
  std::string_view meta_bytes;
  auto objs = stix::SplitObjects(page->body, policy::kFederationMember, &meta_bytes);
  if (!objs.ok()) {
    // TAXII 2.1 §3.7: every member of an envelope is optional; a page with
    // nothing new may be {} (medallion) or {"more": false}.
    boost::system::error_code ec;
    json::value v = json::parse(page->body, ec);
    const json::value* o = !ec && v.is_object() ? v.get_object().if_contains("objects") : nullptr;
    if (ec || !v.is_object() || (o != nullptr && !o->is_null())) {
      return Malformed(objs.error().message(), page->body);
    }
  } else {
    page->objects.reserve(objs->size());
    for (const auto& o : *objs) page->objects.push_back(o.bytes);
    if (!meta_bytes.empty()) {
      auto m = policy::DecodePeerMeta(meta_bytes, page->objects.size());
      if (!m.ok()) return m.error();
      if (m->objects.size() != page->objects.size()) {
        return InvalidArgument("peer envelope: federation metadata does not match the objects");
      }
      page->meta = std::move(*m);
    }
  }
  // "more" and "next" among the top-level members (never inside an object).
  std::optional<bool> more;
  for (const Member& m : TopLevelMembers(page->body)) {
    if (m.key == "more") {
      if (m.value == "true" || m.value == "false") {
        more = m.value == "true";
      } else if (m.value != "null") {
        return Malformed("\"more\" is not a boolean", page->body);
      }
    } else if (m.key == "next") {
      if (!m.value.empty() && m.value.front() == '"') {
        boost::system::error_code ec;
        json::value v = json::parse(m.value, ec);
        if (ec || !v.is_string()) return Malformed("\"next\" is not a string", page->body);
        page->next = std::string(v.get_string());
      } else if (m.value != "null") {
        return Malformed("\"next\" is not a string", page->body);
      }
    }
  }
  page->more = more.value_or(!page->next.empty());
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
  last_http_status_ = 0;
  Status last = Unavailable("not attempted");
  for (int attempt = 1; attempt <= std::max(1, options_.max_attempts); ++attempt) {
    last_attempts_ = attempt;
    if (interrupted_.load()) return Unavailable("interrupted");
    auto r = client_.Send(method, url, headers, body);
    last_http_status_ = r.ok() ? r->status : 0;
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

Result<ApiRoot> TaxiiClient::ResolveApiRoot(const std::string& url) {
  std::string u = WithSlash(url);
  static constexpr std::string_view kDiscovery = "/taxii2/";
  if (u.size() < kDiscovery.size() || u.compare(u.size() - kDiscovery.size(), kDiscovery.size(), kDiscovery) != 0) {
    return ApiRoot{u, ""};
  }
  ASSIGN_OR_RETURN(auto r, SendWithRetries("GET", u, Headers(false, false), {}));
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec || !v.is_object()) {
    return InvalidArgument("peer discovery: not a JSON object; the peer answered: " + AnswerExcerpt(r.body));
  }
  const json::object& o = v.get_object();
  std::string advertised;
  if (auto* d = o.if_contains("default"); d && d->is_string() && !d->get_string().empty()) {
    advertised = d->get_string();
  } else if (auto* roots = o.if_contains("api_roots"); roots && roots->is_array() &&
                                                       roots->get_array().size() == 1 &&
                                                       roots->get_array()[0].is_string()) {
    advertised = roots->get_array()[0].get_string();
  } else {
    return InvalidArgument("peer discovery names no default API root and not exactly one: give the API root URL");
  }
  bool moved = false;
  ASSIGN_OR_RETURN(std::string root, ApiRootOnConfiguredOrigin(u, advertised, &moved));
  return ApiRoot{root, moved ? advertised : ""};
}

Result<ObjectsPage> TaxiiClient::GetObjects(const std::string& api_root,
                                            const std::string& collection,
                                            const std::string& added_after, int limit,
                                            bool federation, const std::string& next) {
  std::string url = api_root + "collections/" + SegmentEncode(collection) +
                    "/objects/?match%5Bversion%5D=all&limit=" + std::to_string(limit);
  if (!added_after.empty()) url += "&added_after=" + QueryEncode(added_after);
  if (!next.empty()) url += "&next=" + QueryEncode(next);
  ASSIGN_OR_RETURN(auto r, SendWithRetries("GET", url, Headers(federation, false), {}));
  ObjectsPage page;
  page.body = std::move(r.body);
  if (const std::string* last = r.FindHeader("x-taxii-date-added-last")) page.date_added_last = *last;
  RETURN_IF_ERROR(ParseEnvelope(&page));
  return page;
}

Result<std::string> TaxiiClient::LastDateAddedFromManifest(const std::string& api_root,
                                                           const std::string& collection,
                                                           const std::string& added_after,
                                                           const ObjectsPage& page) {
  // The (id, version) pairs of the page; a version of nullopt matches any.
  std::map<std::string, std::vector<std::optional<Timestamp>>> wanted;
  for (std::string_view bytes : page.objects) {
    boost::system::error_code ec;
    json::value v = json::parse(bytes, ec);
    const json::value* id = !ec && v.is_object() ? v.get_object().if_contains("id") : nullptr;
    if (id == nullptr || !id->is_string()) {
      return InvalidArgument("peer object without an id: " + AnswerExcerpt(bytes));
    }
    std::optional<Timestamp> version;
    for (const char* key : {"modified", "created"}) {
      const json::value* t = v.get_object().if_contains(key);
      if (t && t->is_string()) {
        version = Parsed(t->get_string());
        break;
      }
    }
    wanted[std::string(id->get_string())].push_back(version);
  }
  std::optional<Timestamp> best;
  std::string best_text;
  std::set<std::pair<std::string, size_t>> found;
  std::vector<std::string> ids;
  for (const auto& [id, versions] : wanted) ids.push_back(id);
  constexpr size_t kIdsPerRequest = 20;  // keeps the URL short
  for (size_t first = 0; first < ids.size(); first += kIdsPerRequest) {
    std::string id_list;
    for (size_t i = first; i < ids.size() && i < first + kIdsPerRequest; ++i) {
      if (!id_list.empty()) id_list += ',';
      id_list += ids[i];
    }
    std::string base = api_root + "collections/" + SegmentEncode(collection) +
                       "/manifest/?match%5Bversion%5D=all&match%5Bid%5D=" + QueryEncode(id_list);
    std::string after = added_after, next;
    for (int guard = 0; guard < 10000; ++guard) {
      std::string url = base;
      if (!after.empty()) url += "&added_after=" + QueryEncode(after);
      if (!next.empty()) url += "&next=" + QueryEncode(next);
      auto r = SendWithRetries("GET", url, Headers(false, false), {});
      if (!r.ok()) {
        return Status(r.error().code(),
                      "the peer sends no X-TAXII-Date-Added-Last and its manifest (for the cursor) "
                      "failed: " + r.error().message());
      }
      ObjectsPage m;
      m.body = std::move(r->body);
      RETURN_IF_ERROR(ParseEnvelope(&m));
      std::optional<Timestamp> page_last;
      std::string page_last_text;
      for (std::string_view bytes : m.objects) {
        boost::system::error_code ec;
        json::value v = json::parse(bytes, ec);
        if (ec || !v.is_object()) continue;
        const json::object& rec = v.get_object();
        const json::value* id = rec.if_contains("id");
        const json::value* added = rec.if_contains("date_added");
        const json::value* version = rec.if_contains("version");
        if (!id || !id->is_string() || !added || !added->is_string()) {
          return InvalidArgument("peer manifest record without id or date_added: " + AnswerExcerpt(bytes));
        }
        std::optional<Timestamp> added_at = Parsed(added->get_string());
        if (!added_at) {
          return InvalidArgument("peer manifest record with a bad date_added: " + AnswerExcerpt(bytes));
        }
        if (!page_last || *added_at > *page_last) {
          page_last = added_at;
          page_last_text = added->get_string();
        }
        auto w = wanted.find(std::string(id->get_string()));
        if (w == wanted.end()) continue;
        std::optional<Timestamp> rec_version;
        if (version && version->is_string()) rec_version = Parsed(version->get_string());
        for (size_t k = 0; k < w->second.size(); ++k) {
          const auto& want = w->second[k];
          if (want && (!rec_version || *want != *rec_version)) continue;
          found.insert({w->first, k});
          if (!best || *added_at > *best) {
            best = added_at;
            best_text = added->get_string();
          }
        }
      }
      if (!m.more) break;
      if (!m.next.empty()) {
        next = m.next;
      } else if (page_last) {
        // Paging without tokens: added_after the page's last date_added.
        after = page_last_text;
        next.clear();
      } else {
        break;
      }
    }
  }
  for (const auto& [id, versions] : wanted) {
    for (size_t k = 0; k < versions.size(); ++k) {
      if (!found.count({id, k})) {
        return InvalidArgument("the peer sends no X-TAXII-Date-Added-Last and its manifest does not list " + id +
                               "; cannot keep a cursor");
      }
    }
  }
  return best_text;
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
