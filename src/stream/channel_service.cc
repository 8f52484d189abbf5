#include "stream/channel_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_map>

#include "http/access_log.h"
#include "http/stream.h"
#include "http/websocket.h"
#include "policy/federation.h"
#include "stream/sse.h"
#include "taxii/query.h"
#include "taxii/errors.h"

namespace kizuna::stream {

namespace {

constexpr int64_t kCatchUpPageObjects = 1000;
constexpr int64_t kRoundFetchLimit = 2000;

std::string Ts(int64_t us) { return FormatTimestamp(std::max<int64_t>(us, 0), 6); }

using http::AppendJsonString;  // http/access_log.h

Result<stix::Tlp> ParseMarking(std::string_view v) {
  if (stix::Tlp named = stix::TlpOfLevelName(v); named != stix::Tlp::kNone) return named;
  stix::Tlp t = stix::TlpOfMarkingRef(v);
  if (t != stix::Tlp::kNone) return t;
  return InvalidArgument("match[marking]: '" + std::string(v) +
                         "' is not a TLP name (clear, green, amber, amber+strict, red) or a TLP "
                         "marking-definition id");
}

}  // namespace

// ---- query -------------------------------------------------------------------

Result<ChannelQuery> ParseChannelQuery(std::string_view raw) {
  ChannelQuery q;
  if (raw.size() > 16 * 1024) return InvalidArgument("query string longer than 16 KiB");
  size_t start = 0;
  bool seen_after = false, seen_last = false, seen_hb = false;
  while (start < raw.size()) {
    size_t amp = raw.find('&', start);
    if (amp == std::string_view::npos) amp = raw.size();
    std::string_view pair = raw.substr(start, amp - start);
    start = amp + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto name = taxii::DecodeQueryComponent(pair.substr(0, eq));
    auto value = taxii::DecodeQueryComponent(eq == std::string_view::npos ? std::string_view()
                                                                          : pair.substr(eq + 1));
    if (!name || !value) return InvalidArgument("malformed percent-encoding in the query string");
    auto list = [&](auto add) -> Status {
      size_t s = 0;
      while (s <= value->size()) {
        size_t comma = value->find(',', s);
        if (comma == std::string::npos) comma = value->size();
        std::string item = value->substr(s, comma - s);
        if (item.empty()) return InvalidArgument(*name + ": empty value");
        RETURN_IF_ERROR(add(item));
        s = comma + 1;
      }
      return Status::Ok();
    };
    auto timestamp = [&](bool* seen, std::optional<int64_t>* out) -> Status {
      if (*seen) return InvalidArgument(*name + ": given more than once");
      *seen = true;
      auto t = ParseTimestamp(*value);
      if (!t.ok()) return InvalidArgument(*name + ": " + t.error().message());
      *out = t->micros;
      return Status::Ok();
    };
    if (*name == "match[type]") {
      RETURN_IF_ERROR(list([&](const std::string& t) -> Status {
        if (t.size() > 250) return InvalidArgument("match[type]: type too long");
        q.types.push_back(t);
        return Status::Ok();
      }));
    } else if (*name == "match[marking]") {
      RETURN_IF_ERROR(list([&](const std::string& m) -> Status {
        ASSIGN_OR_RETURN(stix::Tlp t, ParseMarking(m));
        q.markings.push_back(t);
        return Status::Ok();
      }));
    } else if (*name == "added_after") {
      RETURN_IF_ERROR(timestamp(&seen_after, &q.added_after_us));
    } else if (*name == "last_event_id") {
      RETURN_IF_ERROR(timestamp(&seen_last, &q.last_event_id_us));
    } else if (*name == "heartbeat") {
      if (seen_hb) return InvalidArgument("heartbeat: given more than once");
      seen_hb = true;
      bool digits = !value->empty() && value->size() <= 6;
      for (char c : *value) digits = digits && c >= '0' && c <= '9';
      if (!digits) return InvalidArgument("heartbeat: milliseconds between 1000 and 300000");
      int64_t ms = std::stoll(*value);
      if (ms < 1000 || ms > 300000) return InvalidArgument("heartbeat: milliseconds between 1000 and 300000");
      q.heartbeat_ms = ms;
    } else {
      return InvalidArgument(*name + ": unknown parameter for the channel");
    }
    if (q.types.size() > 100 || q.markings.size() > 100) return InvalidArgument("too many filter values");
  }
  return q;
}

// ---- state ---------------------------------------------------------------------

struct ChannelService::Subscriber {
  uint64_t serial = 0;
  std::shared_ptr<http::StreamWriter> writer;
  auth::PrincipalPtr principal;
  int64_t collection = 0;
  std::string collection_id;
  std::string remote;
  std::vector<std::string> types;
  std::vector<stix::Tlp> markings;
  bool websocket = false;
  bool federation = false;
  std::string peer;  // the peer hub's name when the principal is a peer account
  int64_t heartbeat_ms = 15'000;

  // Owned by the thread that holds the subscriber (catch-up or dispatcher);
  // hand-overs go through mu_.
  int64_t cursor = 0;
  bool opened = false;
  bool ended = false;
  std::optional<policy::ReleaseScope> scope;
  int64_t scope_started_us = 0;
  int64_t generation = -1;
  int64_t last_write_us = 0;
  size_t stall_pending = 0;
  int64_t stall_since_us = 0;

  std::atomic<bool> closed{false};
};

struct ChannelService::CollectionState {
  bool tail_known = false;
  int64_t tail = 0;   // date_added of the last record fetched
  int64_t floor = 0;  // every record in (floor, tail] is in the ring
  std::deque<RecordPtr> ring;
  size_t ring_bytes = 0;
  std::vector<std::shared_ptr<Subscriber>> live;
};

ChannelService::ChannelService(store::Store* store, auth::Authenticator* auth,
                               policy::DecisionPoint* policy, ChannelOptions options,
                               const Clock* clock)
    : store_(store), auth_(auth), policy_(policy), options_(std::move(options)), clock_(clock) {}

ChannelService::~ChannelService() { Stop(); }

void ChannelService::Start() {
  {
    std::lock_guard lock(mu_);
    if (started_) return;
    started_ = true;
  }
  store_->AddCommitListener([this](const store::CommitNotice& n) { OnCommit(n); });
  dispatcher_ = std::thread([this] { DispatcherLoop(); });
  catchup_ = std::thread([this] { CatchUpLoop(); });
}

void ChannelService::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!started_ || stopping_) return;
    stopping_ = true;
  }
  dispatch_cv_.notify_all();
  catchup_cv_.notify_all();
  if (dispatcher_.joinable()) dispatcher_.join();
  if (catchup_.joinable()) catchup_.join();
  // The threads are gone: this thread owns every subscriber now.
  std::vector<std::shared_ptr<Subscriber>> all;
  {
    std::lock_guard lock(mu_);
    for (auto& [k, cs] : collections_)
      for (auto& s : cs->live) all.push_back(s);
    for (auto& s : catching_up_) all.push_back(s);
  }
  for (auto& s : all) {
    if (!s->closed.load()) EndSubscriber(*s, "the hub is stopping");
    Remove(s);
  }
}

bool ChannelService::IsChannelPath(std::string_view path) {
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  // /{root}/collections/{id}/stream
  std::vector<std::string_view> seg;
  size_t start = 1;
  if (path.empty() || path[0] != '/') return false;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    seg.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return seg.size() == 4 && !seg[0].empty() && seg[1] == "collections" && !seg[2].empty() &&
         seg[3] == "stream";
}

ChannelStats ChannelService::Stats() const {
  ChannelStats s;
  std::lock_guard lock(mu_);
  s.subscribers = subscribers_.load();
  for (const auto& [k, cs] : collections_) s.live += static_cast<int64_t>(cs->live.size());
  s.catching_up = static_cast<int64_t>(catching_up_.size());
  s.events = events_.load();
  s.objects = objects_.load();
  s.dropped = dropped_.load();
  s.demoted = demoted_.load();
  return s;
}

// ---- requests -----------------------------------------------------------------------

void ChannelService::Handle(http::Request request, http::Respond respond) {
  auto finish = [respond](http::Response r, const std::string& who) {
    r.route = "stream";
    r.principal = who;
    respond(std::move(r));
  };
  std::string remote = request.remote_address;
  if (size_t colon = remote.rfind(':'); colon != std::string::npos) remote.resize(colon);
  const std::string* authz = request.FindHeader("authorization");
  auth_->Authenticate(authz, remote,
                      [this, request = std::move(request), finish, respond](
                          Result<auth::PrincipalPtr> p) mutable {
                        if (!p.ok()) {
                          finish(taxii::ErrorFor(p.error()), "");
                          return;
                        }
                        Dispatch(std::move(request), std::move(p).value(), std::move(respond));
                      });
}

void ChannelService::Dispatch(http::Request request, auth::PrincipalPtr principal,
                              http::Respond respond) {
  const std::string who = principal->username;
  auto answer = [&](http::Response r) {
    r.route = "stream";
    r.principal = who;
    respond(std::move(r));
  };
  if (request.method != "GET") {
    http::Response r = taxii::Error(405, "Method Not Allowed", "allowed methods: GET");
    r.headers.push_back({"allow", "GET"});
    return answer(std::move(r));
  }
  std::string_view path = request.path;
  if (path.back() == '/') path.remove_suffix(1);
  // /{root}/collections/{id}/stream
  size_t a = path.find('/', 1);
  std::string root(path.substr(1, a - 1));
  size_t b = path.find('/', a + 1);
  size_t c = path.find('/', b + 1);
  std::string coll_id(path.substr(b + 1, c - b - 1));
  auto found = store_->FindCollection(root, coll_id);
  if (!found.ok()) return answer(taxii::ErrorFor(found.error()));
  auth::CollectionAccess access =
      found->has_value() ? principal->Access((*found)->key) : auth::CollectionAccess{};
  if (!found->has_value() || (!access.can_read && !access.can_write)) {
    return answer(taxii::Error(404, "Not Found", "no such collection"));
  }
  if (!access.can_read) {
    return answer(taxii::Error(403, "Forbidden", "this account may not read this collection"));
  }
  auto query = ParseChannelQuery(request.raw_query);
  if (!query.ok()) return answer(taxii::ErrorFor(query.error()));
  std::optional<int64_t> cursor = query->last_event_id_us ? query->last_event_id_us : query->added_after_us;
  if (const std::string* last = request.FindHeader("last-event-id"); last && !last->empty()) {
    auto t = ParseTimestamp(*last);
    if (!t.ok()) {
      return answer(taxii::Error(400, "Bad Request",
                                          "Last-Event-ID must be an event id of this channel (a timestamp)"));
    }
    cursor = t->micros;
  }
  if (static_cast<size_t>(subscribers_.load()) >= options_.max_subscribers) {
    http::Response r = taxii::Error(503, "Service Unavailable", "too many channel subscribers");
    r.headers.push_back({"retry-after", "5"});
    return answer(std::move(r));
  }
  auto sub = std::make_shared<Subscriber>();
  sub->serial = next_serial_.fetch_add(1);
  sub->principal = principal;
  sub->collection = (*found)->key;
  sub->collection_id = (*found)->id;
  std::string remote = request.remote_address;
  if (size_t colon = remote.rfind(':'); colon != std::string::npos) remote.resize(colon);
  sub->remote = remote;
  sub->types = query->types;
  sub->markings = query->markings;
  sub->websocket = http::ws::IsUpgradeRequest(request);
  if (policy::IsPeerPrincipal(*principal)) sub->peer = principal->username;
  const std::string* fed = request.FindHeader("x-kizuna-federation");
  sub->federation = !sub->peer.empty() && fed && *fed == "1" && !options_.self_hub.empty();
  sub->heartbeat_ms = query->heartbeat_ms.value_or(options_.heartbeat_ms);
  if (cursor) {
    sub->cursor = *cursor;
  } else {
    // From now: after everything committed so far.
    std::lock_guard lock(mu_);
    sub->cursor = std::max(latest_commit_us_, clock_->NowMicros());
  }
  http::Response r;
  r.status = 200;
  r.route = "stream";
  r.principal = who;
  r.websocket = sub->websocket;
  if (!sub->websocket) {
    r.headers.push_back({"content-type", "text/event-stream; charset=utf-8"});
    r.body = "retry: 2000\n\n";
  }
  r.headers.push_back({"cache-control", "no-store"});
  r.headers.push_back({"x-accel-buffering", "no"});
  r.stream = [this, sub](std::shared_ptr<http::StreamWriter> writer) {
    sub->writer = writer;
    {
      std::lock_guard lock(mu_);
      if (stopping_) {
        writer->Close();
        return;
      }
      subscribers_.fetch_add(1);
      catching_up_.push_back(sub);
    }
    std::weak_ptr<Subscriber> weak = sub;
    writer->SetClosedCallback([this, weak] {
      if (auto s = weak.lock()) s->closed.store(true);
      dispatch_cv_.notify_all();
      catchup_cv_.notify_all();
    });
    catchup_cv_.notify_all();
  };
  respond(std::move(r));
}

// ---- commits ----------------------------------------------------------------------------

void ChannelService::OnCommit(const store::CommitNotice& n) {
  {
    std::lock_guard lock(mu_);
    latest_commit_us_ = std::max(latest_commit_us_, n.last_date_added_us);
    auto it = collections_.find(n.collection);
    if (it == collections_.end() || it->second->live.empty()) return;
    dirty_.insert(n.collection);
  }
  dispatch_cv_.notify_one();
}

// ---- sending ------------------------------------------------------------------------------

std::string ChannelService::Frame(const Subscriber& sub, std::string_view event, int64_t id_us,
                                  std::string_view json) {
  std::string chunk;
  if (sub.websocket) {
    chunk.assign(json);
  } else {
    AppendSseEvent(&chunk, Ts(id_us), event, json);
  }
  return chunk;
}

bool ChannelService::WriteEvent(Subscriber& sub, std::string_view event, int64_t id_us,
                                std::string_view json) {
  return WriteChunk(sub, Frame(sub, event, id_us, json));
}

bool ChannelService::WriteChunk(Subscriber& sub, std::string chunk) {
  return WriteChunk(sub, std::make_shared<const std::string>(std::move(chunk)));
}

bool ChannelService::WriteChunk(Subscriber& sub, std::shared_ptr<const std::string> chunk) {
  if (sub.writer->pending_bytes() + chunk->size() > options_.max_pending_bytes) return false;
  if (!sub.writer->WriteShared(std::move(chunk))) {
    sub.closed.store(true);
    return false;
  }
  sub.last_write_us = clock_->NowMicros();
  events_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void ChannelService::Heartbeat(Subscriber& sub, int64_t now_us) {
  std::string json = "{\"event\":\"heartbeat\",\"id\":\"" + Ts(sub.cursor) + "\",\"time\":\"" +
                     Ts(now_us) + "\"}";
  (void)WriteEvent(sub, "heartbeat", sub.cursor, json);
  sub.last_write_us = now_us;
}

void ChannelService::EndSubscriber(Subscriber& sub, std::string_view reason) {
  if (sub.ended) return;
  sub.ended = true;
  std::string json = "{\"event\":\"end\",\"id\":\"" + Ts(sub.cursor) + "\",\"reason\":";
  AppendJsonString(&json, reason);
  json += '}';
  (void)WriteEvent(sub, "end", sub.cursor, json);
  sub.writer->Close();
  sub.closed.store(true);
}

bool ChannelService::RecheckCredential(Subscriber& sub, int64_t now_us) {
  // The credential that opened the stream ends it at its expiry, even when
  // nothing else changes: this runs before every delivery, and for live
  // subscribers every 100 ms from the dispatcher's housekeeping (the
  // catch-up loop checks its subscribers before each page).
  if (sub.principal->expires_us && now_us >= *sub.principal->expires_us) {
    EndSubscriber(sub, "credentials no longer valid: the API token expired");
    return false;
  }
  // The directory generation, read at most every 200 ms for all subscribers.
  int64_t gen = directory_generation_.load();
  if (now_us - generation_checked_us_.load() >= 200'000 || gen < 0) {
    auto fresh = store_->DirectoryGeneration();
    if (fresh.ok()) {
      gen = *fresh;
      directory_generation_.store(gen);
      generation_checked_us_.store(now_us);
    }
  }
  if (sub.generation == gen) return true;
  // The directory changed since the last check (or this is the first one:
  // the principal may come from the login cache, read before a change):
  // the credential is re-checked (token revoked or expired, password
  // changed, account disabled or removed), then the read grant.
  auto p = auth_->Revalidate(*sub.principal);
  if (!p.ok()) {
    if (p.error().code() != StatusCode::kUnauthenticated) {
      spdlog::warn("stream: cannot re-check the credentials of {}: {}", sub.principal->username,
                   p.error().message());
    }
    EndSubscriber(sub, p.error().code() == StatusCode::kUnauthenticated
                           ? "credentials no longer valid: " + p.error().message()
                           : std::string("the hub could not re-check the credentials"));
    return false;
  }
  if (!(*p)->Access(sub.collection).can_read) {
    EndSubscriber(sub, "access to the collection was revoked");
    return false;
  }
  sub.principal = *p;
  sub.peer = policy::IsPeerPrincipal(**p) ? (*p)->username : std::string();
  if (sub.peer.empty()) sub.federation = false;
  sub.generation = gen;
  sub.scope_started_us = 0;  // the next scope is begun with the fresh principal
  return true;
}

bool ChannelService::RenewScope(Subscriber& sub, int64_t now_us) {
  if (sub.ended) return false;
  // A long-lived subscription sees directory changes (docs/channels.md,
  // "Credentials"): the credential revoked, the account disabled, the grant
  // revoked, the policy changed.
  if (!RecheckCredential(sub, now_us)) return false;  // ended
  if (sub.scope && now_us - sub.scope_started_us < options_.audit_period_ms * 1000) return true;
  sub.scope.reset();  // finishes the previous period's audit event
  auto scope = policy_->Begin(*sub.principal, sub.collection, sub.collection_id,
                              policy::Path::kStream, sub.remote);
  if (!scope.ok()) {
    spdlog::warn("stream: cannot open a release scope: {}", scope.error().message());
    EndSubscriber(sub, "the hub could not apply its policy");
    return false;
  }
  sub.scope.emplace(std::move(*scope));
  sub.scope_started_us = now_us;
  return true;
}

bool ChannelService::Send(Subscriber& sub, const std::vector<RecordPtr>& records,
                          int64_t scanned_upto, EventCache* cache) {
  const int64_t now = clock_->NowMicros();
  if (!RenewScope(sub, now)) return true;  // ended
  // The subscriber's own filters first (types, markings), then the policy's
  // whole release: decisions (a peer never gets what has passed it),
  // redaction and audit.
  std::vector<const store::ObjectRecord*> sel;
  for (const RecordPtr& r : records) {
    if (r->date_added_us <= sub.cursor) continue;
    if (!Wants(sub, *r)) continue;
    sel.push_back(r.get());
  }
  auto released = sub.scope->Release(sel);
  if (!released.ok()) {
    spdlog::error("stream: release step failed: {}", released.error().message());
    EndSubscriber(sub, "the hub could not apply its policy");
    return true;
  }
  return Deliver(sub, *released, scanned_upto, cache);
}

bool ChannelService::Wants(const Subscriber& sub, const store::ObjectRecord& r) {
  if (!sub.types.empty() && std::find(sub.types.begin(), sub.types.end(), r.type) == sub.types.end()) {
    return false;
  }
  return sub.markings.empty() ||
         std::find(sub.markings.begin(), sub.markings.end(), stix::TlpOfMarkingRef(r.marking)) !=
             sub.markings.end();
}

bool ChannelService::Deliver(Subscriber& sub, const std::vector<policy::Released>& sel,
                             int64_t scanned_upto, EventCache* cache) {
  size_t i = 0;
  while (i < sel.size()) {
    // One event: up to max_event_objects objects and max_event_bytes bytes
    // (a single larger object goes alone).
    size_t j = i;
    size_t bytes = 0;
    const size_t event_limit = std::min(options_.max_event_bytes, options_.max_pending_bytes / 2);
    while (j < sel.size() && static_cast<int>(j - i) < options_.max_event_objects) {
      size_t sz = sel[j].raw().size();
      if (j > i && bytes + sz > event_limit) break;
      bytes += sz;
      ++j;
    }
    const int64_t id = sel[j - 1].record->date_added_us;
    // Subscribers that receive the same objects the same way share the
    // formatted event (granular-marked copies are per reader: never shared).
    std::string key;
    bool cacheable = cache != nullptr;
    for (size_t k = i; k < j && cacheable; ++k) cacheable = !sel[k].record->granular;
    if (cacheable) {
      key.push_back(sub.websocket ? 'w' : 's');
      key.push_back(sub.federation ? 'f' : '-');
      for (size_t k = i; k < j; ++k) {
        const store::ObjectRecord* p = sel[k].record;
        key.append(reinterpret_cast<const char*>(&p), sizeof p);
      }
      auto hit = cache->find(key);
      if (hit != cache->end()) {
        if (!WriteChunk(sub, hit->second)) return false;
        objects_.fetch_add(static_cast<int64_t>(j - i), std::memory_order_relaxed);
        sub.cursor = id;
        i = j;
        continue;
      }
    }
    std::string json;
    json.reserve(bytes + 128 + (sub.federation ? (j - i) * 200 : 0));
    json += "{\"event\":\"objects\",\"id\":\"";
    json += Ts(id);
    json += "\",\"objects\":[";
    std::string omitted;
    bool first = true;
    std::vector<policy::PeerObjectMeta> metas;
    for (size_t k = i; k < j; ++k) {
      const store::ObjectRecord& r = *sel[k].record;
      const std::string_view raw = sel[k].raw();
      if (raw.size() > options_.max_pending_bytes / 2) {
        // Too large for this stream: named, to be fetched with TAXII GET.
        if (!omitted.empty()) omitted += ',';
        omitted += "{\"id\":";
        AppendJsonString(&omitted, r.id);
        omitted += ",\"version\":\"" + taxii::FormatVersion(r.version_us) + "\"}";
        continue;
      }
      if (!first) json += ',';
      first = false;
      json += raw;
      if (sub.federation) metas.push_back(policy::MetaForPeer(r, options_.self_hub));
    }
    json += ']';
    if (!omitted.empty()) json += ",\"x_kizuna_omitted\":[" + omitted + "]";
    if (sub.federation) {
      json += ",\"";
      json += policy::kFederationMember;
      json += "\":";
      policy::AppendPeerMetaJson(&json, options_.self_hub, metas);
    }
    json += '}';
    auto chunk = std::make_shared<const std::string>(Frame(sub, "objects", id, json));
    if (cacheable) cache->emplace(std::move(key), chunk);
    if (!WriteChunk(sub, std::move(chunk))) return false;
    objects_.fetch_add(static_cast<int64_t>(j - i), std::memory_order_relaxed);
    sub.cursor = id;
    i = j;
  }
  sub.cursor = std::max(sub.cursor, scanned_upto);
  return true;
}

void ChannelService::Remove(const std::shared_ptr<Subscriber>& sub) {
  bool found = false;
  {
    std::lock_guard lock(mu_);
    auto cit = std::find(catching_up_.begin(), catching_up_.end(), sub);
    if (cit != catching_up_.end()) {
      catching_up_.erase(cit);
      found = true;
    }
    auto it = collections_.find(sub->collection);
    if (it != collections_.end()) {
      auto& live = it->second->live;
      auto lit = std::find(live.begin(), live.end(), sub);
      if (lit != live.end()) {
        live.erase(lit);
        found = true;
      }
      if (live.empty()) collections_.erase(it);
    }
    if (found) subscribers_.fetch_sub(1);
  }
  sub->scope.reset();
  if (!sub->closed.load()) sub->writer->Close();
}

// ---- the dispatcher (live subscribers) ---------------------------------------------------

void ChannelService::Round(int64_t collection) {
  int64_t from = 0;
  {
    std::lock_guard lock(mu_);
    auto it = collections_.find(collection);
    if (it == collections_.end() || it->second->live.empty() || !it->second->tail_known) return;
    from = it->second->tail;
  }
  std::vector<RecordPtr> fresh;
  bool more = false;
  {
    store::ObjectQuery q;
    q.collection = collection;
    q.added_after_us = from;
    q.versions.all = true;
    q.limit = static_cast<int>(kRoundFetchLimit);
    q.with_raw = true;
    auto page = store_->Query(q, std::nullopt);
    if (!page.ok()) {
      spdlog::warn("stream: reading new objects failed: {}", page.error().message());
      return;
    }
    more = page->more;
    fresh.reserve(page->records.size());
    for (auto& r : page->records) fresh.push_back(std::make_shared<store::ObjectRecord>(std::move(r)));
  }
  std::vector<std::shared_ptr<Subscriber>> live;
  std::vector<RecordPtr> window;
  int64_t tail = 0, floor = 0;
  {
    std::lock_guard lock(mu_);
    auto it = collections_.find(collection);
    if (it == collections_.end()) return;
    CollectionState& cs = *it->second;
    for (auto& r : fresh) {
      cs.ring_bytes += r->raw.size();
      cs.tail = r->date_added_us;
      cs.ring.push_back(std::move(r));
    }
    while (!cs.ring.empty() &&
           (cs.ring.size() > options_.ring_records || cs.ring_bytes > options_.ring_bytes)) {
      cs.floor = cs.ring.front()->date_added_us;
      cs.ring_bytes -= cs.ring.front()->raw.size();
      cs.ring.pop_front();
    }
    tail = cs.tail;
    floor = cs.floor;
    live = cs.live;
    int64_t min_cursor = tail;
    for (const auto& s : live) min_cursor = std::min(min_cursor, s->cursor);
    for (auto rit = cs.ring.rbegin(); rit != cs.ring.rend() && (*rit)->date_added_us > min_cursor; ++rit) {
      window.push_back(*rit);
    }
    std::reverse(window.begin(), window.end());
    if (more) dirty_.insert(collection);
  }
  EventCache cache;
  for (const auto& sub : live) {
    if (sub->closed.load() || sub->ended) {
      Remove(sub);
      continue;
    }
    bool ok = sub->cursor >= floor && Send(*sub, window, tail, &cache);
    if (sub->closed.load() || sub->ended) {
      Remove(sub);
      continue;
    }
    if (!ok) {
      // It cannot take more now: the catch-up thread serves it from the
      // store at its own pace.
      demoted_.fetch_add(1, std::memory_order_relaxed);
      {
        std::lock_guard lock(mu_);
        auto it = collections_.find(collection);
        if (it != collections_.end()) {
          auto& l = it->second->live;
          l.erase(std::remove(l.begin(), l.end(), sub), l.end());
          if (l.empty()) collections_.erase(it);
        }
        sub->stall_since_us = clock_->NowMicros();
        sub->stall_pending = sub->writer->pending_bytes();
        catching_up_.push_back(sub);
      }
      catchup_cv_.notify_all();
    }
  }
}

void ChannelService::DispatcherLoop() {
  int64_t last_round_us = 0, last_poll_us = 0, last_housekeeping_us = 0;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    dispatch_cv_.wait_for(lock, std::chrono::milliseconds(100),
                          [this] { return stopping_ || !dirty_.empty(); });
    if (stopping_) break;
    // Many subscribers: batch a little (each round costs a write per subscriber).
    size_t live = 0;
    for (const auto& [k, cs] : collections_) live += cs->live.size();
    int64_t delay = std::min<int64_t>(options_.max_coalesce_us, static_cast<int64_t>(live) * 5);
    int64_t now = clock_->NowMicros();
    if (!dirty_.empty() && delay > 0 && now - last_round_us < delay) {
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::microseconds(delay - (now - last_round_us)));
      lock.lock();
      if (stopping_) break;
      now = clock_->NowMicros();
    }
    if (now - last_poll_us >= options_.poll_ms * 1000) {
      last_poll_us = now;
      for (const auto& [k, cs] : collections_)
        if (!cs->live.empty()) dirty_.insert(k);
    }
    std::set<int64_t> work;
    work.swap(dirty_);
    lock.unlock();
    for (int64_t c : work) Round(c);
    if (!work.empty()) last_round_us = clock_->NowMicros();
    now = clock_->NowMicros();
    if (now - last_housekeeping_us >= 100'000) {
      last_housekeeping_us = now;
      std::vector<std::shared_ptr<Subscriber>> subs;
      {
        std::lock_guard l2(mu_);
        for (const auto& [k, cs] : collections_)
          for (const auto& s : cs->live) subs.push_back(s);
      }
      for (const auto& s : subs) {
        if (s->closed.load() || s->ended) {
          Remove(s);
          continue;
        }
        (void)RenewScope(*s, now);  // the credential's expiry and directory changes, the audit period
        if (!s->ended && now - s->last_write_us >= s->heartbeat_ms * 1000) Heartbeat(*s, now);
        if (s->closed.load() || s->ended) Remove(s);
      }
    }
    lock.lock();
  }
}

// ---- catch-up ---------------------------------------------------------------------------------

void ChannelService::CatchUpOne(const std::shared_ptr<Subscriber>& sub, bool* progressed) {
  Subscriber& s = *sub;
  if (s.closed.load() || s.ended) {
    Remove(sub);
    return;
  }
  const int64_t now = clock_->NowMicros();
  if (!s.opened) {
    s.opened = true;
    std::string json = "{\"event\":\"open\",\"id\":\"" + Ts(s.cursor) + "\",\"collection\":";
    AppendJsonString(&json, s.collection_id);
    json += '}';
    (void)WriteEvent(s, "open", s.cursor, json);
  }
  size_t pending = s.writer->pending_bytes();
  if (pending > options_.max_pending_bytes / 2) {
    if (pending != s.stall_pending) {
      s.stall_pending = pending;
      s.stall_since_us = now;
    } else if (now - s.stall_since_us >= options_.stall_timeout_ms * 1000) {
      // No progress at all for the stall timeout: drop it (it resumes from
      // its last event id when it reconnects).
      dropped_.fetch_add(1, std::memory_order_relaxed);
      s.writer->Abort();
      s.closed.store(true);
      Remove(sub);
    }
    return;
  }
  s.stall_pending = pending;
  s.stall_since_us = now;
  if (!RenewScope(s, now)) {
    Remove(sub);
    return;
  }
  store::ObjectQuery q;
  q.added_after_us = s.cursor;
  q.types = s.types;
  q.versions.all = true;
  q.limit = static_cast<int>(kCatchUpPageObjects);
  q.with_raw = true;
  auto page = s.scope->Read(std::move(q), std::nullopt,
                            [&s](const store::ObjectRecord& r) { return Wants(s, r); });
  if (!page.ok()) {
    spdlog::warn("stream: catch-up read failed: {}", page.error().message());
    if (page.error().code() == StatusCode::kUnavailable) {
      EndSubscriber(s, "the hub could not apply its policy");
      Remove(sub);
    }
    return;
  }
  std::vector<policy::Released> released;
  released.reserve(page->records.size());
  for (const auto& r : page->records) released.push_back(policy::Released{&r, {}, false});
  const int64_t upto = page->more ? page->last_us : std::max(page->scanned_us, page->last_us);
  const int64_t before = s.cursor;
  bool all = Deliver(s, released, std::max(upto, s.cursor));
  if (s.closed.load() || s.ended) {
    Remove(sub);
    return;
  }
  if (s.cursor != before) *progressed = true;
  if (!all || page->more) return;
  if (now - s.last_write_us >= s.heartbeat_ms * 1000) Heartbeat(s, now);
  // Caught up: join live delivery if the ring still covers our cursor.
  bool joined = false;
  {
    std::lock_guard lock(mu_);
    auto& slot = collections_[s.collection];
    if (!slot) slot = std::make_unique<CollectionState>();
    CollectionState& cs = *slot;
    if (!cs.tail_known) {
      cs.tail_known = true;
      cs.tail = cs.floor = s.cursor;
    }
    if (s.cursor >= cs.floor) {
      cs.live.push_back(sub);
      catching_up_.erase(std::remove(catching_up_.begin(), catching_up_.end(), sub), catching_up_.end());
      if (s.cursor < cs.tail) dirty_.insert(s.collection);
      joined = true;
    } else if (cs.live.empty()) {
      collections_.erase(s.collection);
    }
  }
  if (joined) {
    *progressed = true;
    dispatch_cv_.notify_one();
  }
}

void ChannelService::CatchUpLoop() {
  std::unique_lock lock(mu_);
  bool progressed = true;
  while (!stopping_) {
    if (catching_up_.empty()) {
      catchup_cv_.wait(lock, [this] { return stopping_ || !catching_up_.empty(); });
      continue;
    }
    if (!progressed) {
      // Everyone is waiting for their connection to drain: look again soon.
      catchup_cv_.wait_for(lock, std::chrono::milliseconds(5));
      if (stopping_) break;
    }
    std::vector<std::shared_ptr<Subscriber>> subs = catching_up_;
    lock.unlock();
    progressed = false;
    for (const auto& s : subs) {
      bool p = false;
      CatchUpOne(s, &p);
      progressed = progressed || p;
    }
    lock.lock();
  }
}

}  // namespace kizuna::stream
