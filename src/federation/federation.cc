#include "federation/federation.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <algorithm>
#include <deque>

#include "federation/taxii_poll.h"
#include "ingest/ingest.h"
#include "policy/decide.h"
#include "policy/federation.h"
#include "taxii/errors.h"

namespace kizuna::federation {

namespace json = boost::json;

namespace {

// Sleeps up to `ms`, waking early when `stop` becomes true.
template <typename Stop>
void SleepUnless(std::mutex& mu, std::condition_variable& cv, int64_t ms, Stop stop) {
  std::unique_lock lock(mu);
  cv.wait_for(lock, std::chrono::milliseconds(ms), stop);
}

// The omitted objects of a channel event ({"id", "version"} entries).
std::vector<std::pair<std::string, std::string>> OmittedObjects(std::string_view data) {
  std::vector<std::pair<std::string, std::string>> out;
  if (data.find("\"x_kizuna_omitted\"") == std::string_view::npos) return out;
  boost::system::error_code ec;
  json::value v = json::parse(data, ec);
  if (ec || !v.is_object()) return out;
  const json::value* list = v.get_object().if_contains("x_kizuna_omitted");
  if (!list || !list->is_array()) return out;
  for (const auto& e : list->get_array()) {
    if (!e.is_object()) continue;
    const json::value* id = e.get_object().if_contains("id");
    const json::value* ver = e.get_object().if_contains("version");
    if (id && id->is_string() && ver && ver->is_string()) {
      out.emplace_back(std::string(id->get_string()), std::string(ver->get_string()));
    }
  }
  return out;
}

// A link's failures, logged once per streak (issue 17: a peer that keeps
// answering the same thing is not reported every second): the first failure
// and every change of message as warnings, repeats at debug, the first
// success after them at info.
class FailureLog {
 public:
  explicit FailureLog(std::string peer) : peer_(std::move(peer)) {}

  void Failed(std::string_view what, const Status& s) {
    std::string line = std::string(what) + " failed: " + s.message();
    if (line == last_) {
      ++repeats_;
      spdlog::debug("federation: {}: {} (again, {} times)", peer_, line, repeats_ + 1);
      return;
    }
    spdlog::warn("federation: {}: {} (retrying with backoff; repeats are logged at debug)", peer_,
                 line);
    last_ = std::move(line);
    repeats_ = 0;
  }

  void Succeeded(std::string_view what) {
    if (last_.empty()) return;
    spdlog::info("federation: {}: {} works again", peer_, what);
    last_.clear();
    repeats_ = 0;
  }

 private:
  std::string peer_;
  std::string last_;  // the failure last logged, "" when the link works
  int64_t repeats_ = 0;
};

}  // namespace

// ---- inbound ------------------------------------------------------------------------

class FederationService::InboundLink {
 public:
  InboundLink(FederationService* svc, PeerConfig peer, PeerFlow flow, int64_t local_key,
              std::string authorization)
      : svc_(svc),
        peer_(std::move(peer)),
        flow_(std::move(flow)),
        local_key_(local_key),
        cursor_name_(InboundCursorName(peer_.name, local_key_, flow_.remote_collection)),
        client_(ClientOptions(), std::move(authorization)),
        backoff_(svc->options_.client.initial_backoff_ms, svc->options_.link_max_backoff_ms),
        failures_(peer_.name),
        refused_(svc->store_) {}

  ~InboundLink() { Stop(); }

  void Start() {
    reader_ = std::thread([this] { Run(); });
    writer_ = std::thread([this] { WriterLoop(); });
  }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    cv_.notify_all();
    client_.Interrupt();
    if (reader_.joinable()) reader_.join();
    if (writer_.joinable()) writer_.join();
  }

 private:
  struct Pending {
    store::WriteBatch batch;
  };

  TaxiiClientOptions ClientOptions() const {
    TaxiiClientOptions o = svc_->options_.client;
    o.http.ca_file = peer_.ca_file;
    o.http.insecure_skip_verify = peer_.insecure_skip_verify;
    return o;
  }

  bool stopping() {
    std::lock_guard lock(mu_);
    return stopping_;
  }

  void Sleep(int64_t ms) {
    SleepUnless(mu_, cv_, ms, [this] { return stopping_; });
  }

  bool kizuna() const { return peer_.kind == "kizuna"; }
  // This link in the peer's health: one per remote collection.
  std::string LinkKey() const { return "in:" + flow_.remote_collection; }

  // Re-reads the committed cursor after a failure (or at start), once the
  // writer has nothing in flight.
  bool Reset() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return stopping_ || (queue_.empty() && !writing_); });
    if (stopping_) return false;
    failed_ = false;
    lock.unlock();
    auto c = svc_->store_->GetCursor(cursor_name_);
    if (!c.ok()) {
      spdlog::warn("federation: {}: cannot read cursor: {}", peer_.name, c.error().message());
      return false;
    }
    cursor_ = c->value_or("");
    return true;
  }

  void Run() {
    int64_t next_channel_ms = 0;
    std::string api_root;
    while (!stopping()) {
      // Polls start every poll_interval_ms (not that long after the last one
      // ended): an object waits at most the interval plus one pass.
      const auto cycle_start = std::chrono::steady_clock::now();
      if (!Reset()) {
        Sleep(backoff_.NextMs());
        continue;
      }
      if (api_root.empty()) {
        auto r = client_.ResolveApiRoot(peer_.url);
        if (!r.ok()) {
          if (stopping()) break;
          failures_.Failed("discovery", r.error());
          svc_->NoteHealth(peer_.name, LinkKey(), "discovery failed: " + r.error().message());
          Sleep(backoff_.NextMs());
          continue;
        }
        failures_.Succeeded("discovery");
        api_root = r->url;
        if (!r->advertised.empty()) {
          spdlog::info("federation: {}: discovery names the API root {}; using {} (this link's "
                       "credentials go only to the configured host)",
                       peer_.name, r->advertised, api_root);
        }
      }
      const int64_t now_ms = svc_->clock_->NowMicros() / 1000;
      if (kizuna() && now_ms >= next_channel_ms) {
        bool delivered = false;
        Status st = RunChannel(api_root, &delivered);
        if (stopping()) break;
        if (delivered) {
          backoff_.Reset();
          next_channel_ms = 0;
          if (!st.ok()) spdlog::info("federation: {}: channel ended: {}", peer_.name, st.message());
          Sleep(100);  // reconnect soon, resuming after the cursor
          continue;
        }
        svc_->channel_failures_.fetch_add(1);
        spdlog::info("federation: {}: channel unavailable ({}); polling", peer_.name, st.message());
        next_channel_ms = now_ms + svc_->options_.channel_retry_ms;
        if (st.code() == StatusCode::kPermissionDenied || st.code() == StatusCode::kNotFound) {
          Sleep(backoff_.NextMs());
          continue;
        }
      }
      Status st = Poll(api_root);
      if (stopping()) break;
      if (!st.ok()) {
        failures_.Failed("polling", st);
        svc_->NoteHealth(peer_.name, LinkKey(), "polling failed: " + st.message());
        Sleep(backoff_.NextMs());
        continue;
      }
      failures_.Succeeded("polling");
      svc_->NoteHealth(peer_.name, LinkKey(), "");
      backoff_.Reset();
      const int64_t elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now() - cycle_start)
                                     .count();
      int64_t wait = peer_.poll_interval_ms - elapsed_ms;
      if (kizuna()) {
        wait = std::min<int64_t>(wait, std::max<int64_t>(0, next_channel_ms - svc_->clock_->NowMicros() / 1000));
      }
      Sleep(std::max<int64_t>(wait, 10));
    }
  }

  // Prepares a page and queues it with its cursor. False when the link must
  // restart (stopping, or the writer failed).
  bool Ingest(const ObjectsPage& page, const std::string& cursor,
              std::vector<ObjectsPage>* extra = nullptr) {
    auto model = svc_->policy_->Model();
    if (!model.ok()) {
      spdlog::warn("federation: {}: no policy model: {}", peer_.name, model.error().message());
      return false;
    }
    const policy::Producer from = policy::PeerProducer(svc_->options_.self_hub, peer_.name);
    // A TLP look-alike on a later page of this delivery is refused before
    // the objects of earlier pages that reference it are prepared.
    if (extra) {
      for (const auto& e : *extra) ingest::ScanForLookalikes(e.objects, &refused_);
    }
    ingest::Prepared p = ingest::PrepareObjects(page.objects, local_key_, **model, from, &refused_,
                                                page.meta ? &*page.meta : nullptr);
    if (extra) {
      for (const auto& e : *extra) {
        ingest::Prepared q = ingest::PrepareObjects(e.objects, local_key_, **model, from, &refused_,
                                                    e.meta ? &*e.meta : nullptr);
        for (auto& o : q.batch.objects) p.batch.objects.push_back(std::move(o));
        for (auto& r : q.batch.refused_markings) p.batch.refused_markings.push_back(std::move(r));
        for (auto& f : q.failures) p.failures.push_back(std::move(f));
        p.looped.insert(p.looped.end(), q.looped.begin(), q.looped.end());
      }
    }
    if (!p.failures.empty()) {
      svc_->rejected_in_.fetch_add(static_cast<int64_t>(p.failures.size()));
      const auto& f = p.failures.front();
      spdlog::warn("federation: {}: {} object(s) refused, first: {} {}", peer_.name,
                   p.failures.size(), f.id, f.message);
    }
    svc_->looped_.fetch_add(static_cast<int64_t>(p.looped.size()));
    store::WriteBatch batch = std::move(p.batch);
    batch.collection = local_key_;
    batch.cursor = store::CursorUpdate{cursor_name_, cursor};
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] {
      return stopping_ || failed_ || queued_objects_ < svc_->options_.max_queue_objects;
    });
    if (stopping_ || failed_) return false;
    queued_objects_ += batch.objects.size();
    queue_.push_back(Pending{std::move(batch)});
    cursor_ = cursor;
    lock.unlock();
    cv_.notify_all();
    return true;
  }

  Status RunChannel(const std::string& api_root, bool* delivered) {
    const auto idle = std::chrono::milliseconds(svc_->options_.channel_heartbeat_ms * 3);
    bool open = false;
    Status inner = Status::Ok();
    // A link without a cursor wants everything, not "from now".
    const std::string from = cursor_.empty() ? FormatTimestamp(0, 6) : cursor_;
    Status st = client_.Subscribe(api_root, flow_.remote_collection, from, /*federation=*/true,
                                  svc_->options_.channel_heartbeat_ms, idle,
                                  [&](stream::SseEvent&& e) {
                                    return OnEvent(std::move(e), api_root, &open, delivered, &inner);
                                  });
    if (open) {
      svc_->channels_open_.fetch_sub(1);
      svc_->NoteHealth(peer_.name, LinkKey(), "", -1);
    }
    if (!inner.ok()) return inner;
    return st;
  }

  bool OnEvent(stream::SseEvent&& e, const std::string& api_root, bool* open, bool* delivered,
               Status* inner) {
    if (stopping()) return false;
    {
      std::lock_guard lock(mu_);
      if (failed_) {
        *inner = Unavailable("the store write failed");
        return false;
      }
    }
    // Every event is contact with the peer (heartbeats every few seconds).
    svc_->NoteHealth(peer_.name, LinkKey(), "", e.event == "open" && !*open ? 1 : 0);
    if (e.event == "open") {
      if (!*open) {
        *open = true;
        svc_->channels_open_.fetch_add(1);
      }
      *delivered = true;
      return true;
    }
    if (e.event == "heartbeat") {
      // Everything up to the heartbeat's id was considered for us: keep the
      // cursor there (in order, through the writer) so a restart does not
      // rescan what we may not see.
      if (!e.id.empty() && e.id != cursor_) {
        ObjectsPage empty;
        return Ingest(empty, e.id);
      }
      return true;
    }
    if (e.event == "end") {
      *inner = Unavailable("the peer ended the channel");
      return false;
    }
    if (e.event != "objects") return true;
    if (e.id.empty()) {
      *inner = InvalidArgument("channel event without an id");
      return false;
    }
    ObjectsPage page;
    page.body = std::move(e.data);
    Status ps = ParseEnvelope(&page);
    if (!ps.ok()) {
      *inner = ps;
      return false;
    }
    // Objects the peer left out as too large for the stream: fetched with
    // TAXII GET and stored with this event, before its cursor moves.
    std::vector<ObjectsPage> extra;
    for (const auto& [id, version] : OmittedObjects(page.body)) {
      auto one = client_.GetObjectVersion(api_root, flow_.remote_collection, id, version, true);
      if (!one.ok()) {
        *inner = one.error();
        return false;
      }
      extra.push_back(std::move(*one));
    }
    if (!Ingest(page, e.id, &extra)) {
      *inner = Unavailable("the link is restarting");
      return false;
    }
    return true;
  }

  Status Poll(const std::string& api_root) {
    PollOptions o;
    o.page = svc_->options_.poll_page;
    o.federation = kizuna();
    PollCounters counters;
    Status st = PollCollection(
        client_, api_root, flow_.remote_collection, cursor_, o,
        [this](const ObjectsPage& page, const std::string& cursor) { return Ingest(page, cursor); },
        &counters, [this] { return stopping(); });
    svc_->polls_.fetch_add(counters.pages);
    return st;
  }

  void WriterLoop() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      cv_.wait(lock, [this] { return stopping_ || (!queue_.empty() && !failed_); });
      if (stopping_) break;
      // Merge what is queued into one commit (one fsync), in order.
      store::WriteBatch batch = std::move(queue_.front().batch);
      queue_.pop_front();
      while (!queue_.empty() &&
             batch.objects.size() + queue_.front().batch.objects.size() <= svc_->options_.max_batch_objects) {
        store::WriteBatch& next = queue_.front().batch;
        for (auto& o : next.objects) batch.objects.push_back(std::move(o));
        for (auto& r : next.refused_markings) batch.refused_markings.push_back(std::move(r));
        batch.cursor = std::move(next.cursor);
        queue_.pop_front();
      }
      writing_ = true;
      const size_t n = batch.objects.size();
      lock.unlock();
      cv_.notify_all();
      std::shared_ptr<void> held;
      if (svc_->options_.before_write) held = svc_->options_.before_write(&batch);
      auto r = svc_->store_->WriteSync(std::move(batch));
      held.reset();
      int64_t added = 0;
      if (r.ok()) {
        // The peer's objects only (derived ones follow them).
        for (size_t i = 0; i < std::min(n, r->outcomes.size()); ++i) {
          added += r->outcomes[i] == store::AddOutcome::kAdded;
        }
        svc_->objects_in_.fetch_add(added);
      } else {
        spdlog::error("federation: {}: storing objects failed: {}", peer_.name, r.error().message());
      }
      lock.lock();
      writing_ = false;
      queued_objects_ -= std::min(queued_objects_, n);
      if (!r.ok()) {
        failed_ = true;
        queue_.clear();
        queued_objects_ = 0;
      }
      cv_.notify_all();
    }
  }

  FederationService* svc_;
  PeerConfig peer_;
  PeerFlow flow_;
  int64_t local_key_;
  std::string cursor_name_;
  TaxiiClient client_;
  Backoff backoff_;
  FailureLog failures_;  // reader thread
  std::string cursor_;  // reader thread: the cursor of the last queued batch
  // Reader thread: TLP look-alikes this link refused (queued pages may not
  // be committed yet) over the store's record.
  ingest::RefusedMarkings refused_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;  // GUARDED_BY(mu_)
  size_t queued_objects_ = 0;  // GUARDED_BY(mu_)
  bool writing_ = false;       // GUARDED_BY(mu_)
  bool failed_ = false;        // GUARDED_BY(mu_)
  bool stopping_ = false;      // GUARDED_BY(mu_)
  std::thread reader_, writer_;
};

// ---- outbound pushes -------------------------------------------------------------------

class FederationService::Pusher {
 public:
  struct Flow {
    PeerFlow flow;
    int64_t local_key = 0;
    std::optional<int64_t> cursor;
  };

  Pusher(FederationService* svc, PeerConfig peer, std::vector<Flow> flows, std::string authorization)
      : svc_(svc),
        peer_(std::move(peer)),
        flows_(std::move(flows)),
        client_(ClientOptions(), std::move(authorization)),
        backoff_(svc->options_.client.initial_backoff_ms, svc->options_.link_max_backoff_ms),
        failures_(peer_.name) {}
  ~Pusher() { Stop(); }

  void Start() { thread_ = std::thread([this] { Run(); }); }
  void Stop() {
    {
      std::lock_guard lock(svc_->commit_mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    svc_->commit_cv_.notify_all();
    client_.Interrupt();
    if (thread_.joinable()) thread_.join();
  }

 private:
  TaxiiClientOptions ClientOptions() const {
    TaxiiClientOptions o = svc_->options_.client;
    o.http.ca_file = peer_.ca_file;
    o.http.insecure_skip_verify = peer_.insecure_skip_verify;
    return o;
  }

  bool stopping() {
    std::lock_guard lock(svc_->commit_mu_);
    return stopping_;
  }

  void Run() {
    std::string api_root;
    uint64_t seen = 0;
    while (!stopping()) {
      {
        std::lock_guard lock(svc_->commit_mu_);
        seen = svc_->commits_;
      }
      bool more = false;
      Status st = Status::Ok();
      if (api_root.empty()) {
        auto r = client_.ResolveApiRoot(peer_.url);
        if (r.ok()) {
          api_root = r->url;
        } else {
          st = r.error();
        }
      }
      if (st.ok()) {
        for (auto& f : flows_) {
          bool m = false;
          st = PushOnce(api_root, f, &m);
          if (!st.ok()) break;
          more = more || m;
        }
      }
      if (!st.ok()) {
        if (stopping()) break;
        svc_->push_failures_.fetch_add(1);
        failures_.Failed("push", st);
        svc_->NoteHealth(peer_.name, "push", "push failed: " + st.message());
        int64_t ms = backoff_.NextMs();
        std::unique_lock lock(svc_->commit_mu_);
        svc_->commit_cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_; });
        continue;
      }
      failures_.Succeeded("push");
      svc_->NoteHealth(peer_.name, "push", "");
      backoff_.Reset();
      if (more) continue;
      std::unique_lock lock(svc_->commit_mu_);
      svc_->commit_cv_.wait_for(lock, std::chrono::seconds(1),
                                [&] { return stopping_ || svc_->commits_ != seen; });
    }
  }

  Status PushOnce(const std::string& api_root, Flow& f, bool* more) {
    if (!f.cursor) {
      ASSIGN_OR_RETURN(auto c, svc_->store_->GetCursor(OutboundCursorName(peer_.name, f.local_key)));
      f.cursor = 0;
      if (c && !c->empty()) f.cursor = std::strtoll(c->c_str(), nullptr, 10);
    }
    ASSIGN_OR_RETURN(auto model, svc_->policy_->Model());
    auto scope = svc_->policy_->BeginAs(policy::MakePeerReader(*model, peer_.name), f.local_key,
                                        f.flow.local_collection, policy::Path::kFederation, peer_.url);
    if (!scope.ok()) return scope.error();
    store::ObjectQuery q;
    q.added_after_us = *f.cursor;
    q.versions.all = true;
    q.limit = svc_->options_.push_page;
    q.with_raw = true;
    ASSIGN_OR_RETURN(auto page, scope->Read(std::move(q), std::nullopt));
    // Where the cursor may move once this page is delivered: past what was
    // scanned and withheld (this peer may never receive it) when the scan
    // ended, else past the page.
    const int64_t covered =
        page.more ? page.last_us : std::max(page.scanned_us, page.last_us);
    if (page.records.empty()) {
      if (covered > *f.cursor) {
        RETURN_IF_ERROR(svc_->store_->PutCursor(
            store::CursorUpdate{OutboundCursorName(peer_.name, f.local_key), std::to_string(covered)}));
        f.cursor = covered;
      }
      *more = page.more;
      return Status::Ok();
    }
    // Cut the page at the byte budget of one POST.
    size_t bytes = 0, n = 0;
    while (n < page.records.size() && (n == 0 || bytes + page.records[n].raw.size() <= svc_->options_.push_max_bytes)) {
      bytes += page.records[n].raw.size();
      ++n;
    }
    const bool cut = n < page.records.size();
    page.records.resize(n);
    std::string body;
    body.reserve(bytes + 64 + n * 200);
    body += "{\"objects\":[";
    std::vector<policy::PeerObjectMeta> metas;
    for (size_t i = 0; i < n; ++i) {
      if (i) body += ',';
      body += page.records[i].raw;
      if (peer_.kind == "kizuna") metas.push_back(policy::MetaForPeer(page.records[i], svc_->options_.self_hub));
    }
    body += ']';
    if (peer_.kind == "kizuna") {
      body += ",\"";
      body += policy::kFederationMember;
      body += "\":";
      policy::AppendPeerMetaJson(&body, svc_->options_.self_hub, metas);
    }
    body += '}';
    ASSIGN_OR_RETURN(auto added, client_.AddObjects(api_root, f.flow.remote_collection, body));
    if (added.failures > 0) {
      spdlog::warn("federation: {}: the peer refused {} object(s){}{}", peer_.name, added.failures,
                   added.failure_messages.empty() ? "" : ", first: ",
                   added.failure_messages.empty() ? "" : added.failure_messages.front());
    }
    svc_->objects_out_.fetch_add(added.successes);
    const int64_t next = cut ? page.records.back().date_added_us : covered;
    RETURN_IF_ERROR(svc_->store_->PutCursor(
        store::CursorUpdate{OutboundCursorName(peer_.name, f.local_key), std::to_string(next)}));
    f.cursor = next;
    *more = page.more || cut;
    return Status::Ok();
  }

  FederationService* svc_;
  PeerConfig peer_;
  std::vector<Flow> flows_;
  TaxiiClient client_;
  Backoff backoff_;
  FailureLog failures_;
  bool stopping_ = false;  // GUARDED_BY(svc_->commit_mu_)
  std::thread thread_;
};

// ---- the service ---------------------------------------------------------------------------

struct FederationService::Running {
  std::string record;  // the peer record's value it was started from
  std::vector<std::unique_ptr<InboundLink>> inbound;
  std::unique_ptr<Pusher> pusher;
  void Stop() {
    for (auto& l : inbound) l->Stop();
    if (pusher) pusher->Stop();
  }
};

FederationService::FederationService(store::Store* store, policy::DecisionPoint* policy,
                                     const auth::SecretSealer* sealer, FederationOptions options,
                                     const Clock* clock)
    : store_(store), policy_(policy), sealer_(sealer), options_(std::move(options)), clock_(clock) {}

FederationService::~FederationService() { Stop(); }

void FederationService::NoteHealth(const std::string& peer, const std::string& link, const std::string& error,
                                   int channels) {
  const int64_t now = clock_->NowMicros();
  std::lock_guard lock(health_mu_);
  LinkHealth& h = health_[peer][link];
  h.channels_open += channels;
  if (!error.empty()) {
    if (h.error != error) h.error_since_us = now;
    h.error = error;
    return;
  }
  h.ok_us = now;
  h.error.clear();
  h.error_since_us = 0;
}

std::vector<PeerHealth> FederationService::Health() const {
  std::vector<PeerHealth> out;
  std::lock_guard lock(health_mu_);
  for (const auto& [name, links] : health_) {
    PeerHealth p;
    p.peer = name;
    // The peer's figures are its worst link's: a failing flow is not hidden
    // by a working one, and the lag is the longest.
    bool inbound_seen = false;
    for (const auto& [key, h] : links) {
      p.channels_open += h.channels_open;
      if (key == "push") {
        p.push_ok_us = h.ok_us;
      } else {
        p.inbound_ok_us = inbound_seen ? std::min(p.inbound_ok_us, h.ok_us) : h.ok_us;
        inbound_seen = true;
      }
      if (!h.error.empty() && (p.error.empty() || h.error_since_us < p.error_since_us)) {
        p.error = h.error;
        p.error_since_us = h.error_since_us;
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

void FederationService::Start() {
  {
    std::lock_guard lock(mu_);
    if (started_) return;
    started_ = true;
  }
  store_->AddCommitListener([this](const store::CommitNotice& n) { OnCommit(n); });
  supervisor_ = std::thread([this] { Supervise(); });
}

void FederationService::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!started_ || stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
  for (auto& [name, r] : running_) r->Stop();
  running_.clear();
}

void FederationService::OnCommit(const store::CommitNotice&) {
  {
    std::lock_guard lock(commit_mu_);
    ++commits_;
  }
  commit_cv_.notify_all();
}

FederationStats FederationService::Stats() const {
  FederationStats s;
  s.peers = peers_.load();
  s.channels_open = channels_open_.load();
  s.objects_in = objects_in_.load();
  s.objects_out = objects_out_.load();
  s.polls = polls_.load();
  s.channel_failures = channel_failures_.load();
  s.push_failures = push_failures_.load();
  s.rejected_in = rejected_in_.load();
  s.looped = looped_.load();
  return s;
}

Result<std::string> FederationService::Authorization(const PeerConfig& peer) const {
  std::string secret;
  if (peer.secret.rfind("file:", 0) == 0) {
    ASSIGN_OR_RETURN(secret, auth::ReadSecretFile(peer.secret.substr(5)));
  } else if (auth::SecretSealer::IsSealed(peer.secret)) {
    if (sealer_ == nullptr) return FailedPrecondition("no key to open sealed peer secrets");
    ASSIGN_OR_RETURN(secret, sealer_->Open(peer.secret));
  } else if (peer.secret.empty()) {
    return std::string();
  } else {
    return InvalidArgument("peer secret must be sealed or file:PATH");
  }
  std::string user = peer.remote_user.empty() ? options_.self_hub : peer.remote_user;
  return AuthorizationHeader(peer.scheme, user, secret);
}

void FederationService::Supervise() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    Reload();
    lock.lock();
    cv_.wait_for(lock, std::chrono::milliseconds(options_.reload_ms), [this] { return stopping_; });
  }
}

void FederationService::Reload() {
  auto gen = store_->DirectoryGeneration();
  if (!gen.ok() || *gen == generation_) return;
  auto records = store_->ListConfigRecords(kPeerRecordKind);
  if (!records.ok()) {
    spdlog::warn("federation: cannot read peers: {}", records.error().message());
    return;
  }
  generation_ = *gen;
  std::map<std::string, std::string> desired;
  for (const auto& r : *records) desired[r.name] = r.value;
  // Stop what changed or went away.
  for (auto it = running_.begin(); it != running_.end();) {
    auto d = desired.find(it->first);
    if (d == desired.end() || d->second != it->second->record) {
      spdlog::info("federation: stopping links to {}", it->first);
      it->second->Stop();
      {
        std::lock_guard lock(health_mu_);
        health_.erase(it->first);
      }
      it = running_.erase(it);
    } else {
      ++it;
    }
  }
  if (options_.self_hub.empty()) {
    if (!desired.empty()) spdlog::warn("federation: peers are configured but [federation] hub_name is not set");
    peers_.store(0);
    return;
  }
  for (const auto& [name, value] : desired) {
    if (running_.count(name)) continue;
    auto peer = DecodePeerConfig(value);
    if (!peer.ok()) {
      spdlog::warn("federation: peer {}: {}", name, peer.error().message());
      continue;
    }
    if (peer->disabled) continue;
    auto authorization = Authorization(*peer);
    if (!authorization.ok()) {
      spdlog::warn("federation: peer {}: credentials: {}", name, authorization.error().message());
      continue;
    }
    auto run = std::make_unique<Running>();
    run->record = value;
    std::vector<Pusher::Flow> push_flows;
    bool ok = true;
    for (const auto& f : peer->flows) {
      auto c = store_->FindCollection(peer->api_root, f.local_collection);
      if (!c.ok() || !c->has_value()) {
        spdlog::warn("federation: peer {}: no local collection {} in API root {}", name,
                     f.local_collection, peer->api_root);
        ok = false;
        break;
      }
      if (f.in) {
        run->inbound.push_back(std::make_unique<InboundLink>(this, *peer, f, (*c)->key, *authorization));
      }
      if (f.out && peer->push) push_flows.push_back(Pusher::Flow{f, (*c)->key, std::nullopt});
    }
    if (!ok) continue;
    if (!push_flows.empty()) {
      run->pusher = std::make_unique<Pusher>(this, *peer, std::move(push_flows), *authorization);
    }
    spdlog::info("federation: starting links to {} ({} in, {} pushed)", name, run->inbound.size(),
                 run->pusher ? "some" : "none");
    for (auto& l : run->inbound) l->Start();
    if (run->pusher) run->pusher->Start();
    {
      std::lock_guard lock(health_mu_);
      health_[name];  // listed from the start, before any contact
    }
    running_[name] = std::move(run);
  }
  peers_.store(static_cast<int64_t>(running_.size()));
}

}  // namespace kizuna::federation
