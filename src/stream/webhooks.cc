#include "stream/webhooks.h"

#include <openssl/hmac.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <random>

#include "auth/secret.h"
#include "core/encoding.h"
#include "core/uuid.h"
#include "http/url.h"
#include "stix/markings.h"

namespace kizuna::stream {

namespace json = boost::json;

namespace {

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(out), len));
}

}  // namespace

std::string WebhookCursorName(std::string_view id) { return "webhook/" + std::string(id); }

std::string SignWebhook(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  std::string t = std::to_string(unix_seconds);
  std::string data = t + "." + std::string(body);
  return "t=" + t + ",v1=" + Hmac(secret, data);
}

Status VerifyWebhookSignature(std::string_view secret, std::string_view header,
                              std::string_view body, int64_t now_seconds,
                              int64_t tolerance_seconds) {
  std::string t, v1;
  size_t start = 0;
  while (start < header.size()) {
    size_t comma = header.find(',', start);
    if (comma == std::string_view::npos) comma = header.size();
    std::string_view part = header.substr(start, comma - start);
    start = comma + 1;
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.rfind("t=", 0) == 0) t = std::string(part.substr(2));
    if (part.rfind("v1=", 0) == 0) v1 = std::string(part.substr(3));
  }
  if (t.empty() || v1.empty() || t.size() > 12) return InvalidArgument("malformed signature header");
  for (char c : t)
    if (c < '0' || c > '9') return InvalidArgument("malformed signature timestamp");
  int64_t ts = std::stoll(t);
  if (ts > now_seconds + tolerance_seconds || ts < now_seconds - tolerance_seconds) {
    return PermissionDenied("signature timestamp outside the tolerance");
  }
  std::string expect = Hmac(secret, t + "." + std::string(body));
  if (!auth::ConstantTimeEquals(expect, v1)) return PermissionDenied("signature does not match");
  return Status::Ok();
}

std::string EncodeWebhookConfig(const WebhookConfig& w) {
  json::array types, markings;
  for (const auto& t : w.types) types.push_back(json::string(t));
  for (const auto& m : w.markings) markings.push_back(json::string(m));
  json::object o{{"id", w.id},
                 {"account", w.account},
                 {"api_root", w.api_root},
                 {"collection", w.collection},
                 {"url", w.url},
                 {"secret", w.secret},
                 {"types", types},
                 {"markings", markings},
                 {"max_attempts", w.max_attempts},
                 {"max_batch", w.max_batch},
                 {"allow_plain_http", w.allow_plain_http},
                 {"ca_file", w.ca_file},
                 {"insecure_skip_verify", w.insecure_skip_verify},
                 {"suspended", w.suspended},
                 {"last_error", w.last_error},
                 {"created_us", w.created_us},
                 {"from_start", w.from_start}};
  return json::serialize(o);
}

Status ValidateWebhookConfig(const WebhookConfig& w) {
  if (!IsUuidSyntax(w.id)) return InvalidArgument("webhook id must be a UUID");
  if (w.account.empty() || w.account.size() > 64) return InvalidArgument("webhook needs an account");
  if (w.api_root.empty()) return InvalidArgument("webhook needs an API root");
  if (!IsUuidSyntax(w.collection)) return InvalidArgument("webhook collection must be a collection id");
  // The URL as the delivery client reads it (http/url.h): the host checked
  // here is the host the client connects to.
  auto u = http::ParseHttpUrl(w.url);
  if (!u.ok()) {
    return InvalidArgument("webhook URL must be an http or https URL without credentials: " +
                           u.error().message());
  }
  if (!u->tls && !w.allow_plain_http && !http::IsLoopbackHost(*u)) {
    return InvalidArgument("webhook URL '" + w.url +
                           "' must be https: plain http only to a loopback host (127.0.0.0/8, [::1], "
                           "localhost), or with --allow-plain-http");
  }
  if (w.max_attempts < 1 || w.max_attempts > 1000) return InvalidArgument("max attempts must be 1 to 1000");
  if (w.max_batch < 1 || w.max_batch > 10000) return InvalidArgument("max batch must be 1 to 10000");
  for (const auto& m : w.markings) {
    if (stix::TlpOfLevelName(m) == stix::Tlp::kNone) {
      return InvalidArgument("webhook marking '" + m + "' must be clear, green, amber, amber+strict or red");
    }
  }
  for (const auto& t : w.types) {
    if (t.empty() || t.size() > 250) return InvalidArgument("webhook types must be STIX type names");
  }
  return Status::Ok();
}

Result<WebhookConfig> DecodeWebhookConfig(std::string_view text) {
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 4;
  json::value v = json::parse(text, ec, {}, opts);
  if (ec || !v.is_object()) return InvalidArgument("webhook record: not a JSON object");
  const json::object& o = v.get_object();
  static const char* kKeys[] = {"id", "account", "api_root", "collection", "url", "secret", "types",
                                "markings", "max_attempts", "max_batch", "allow_plain_http",
                                "ca_file", "insecure_skip_verify", "suspended", "last_error",
                                "created_us", "from_start"};
  for (const auto& kv : o) {
    bool known = false;
    for (const char* k : kKeys) known = known || kv.key() == k;
    if (!known) return InvalidArgument("webhook record: unknown key '" + std::string(kv.key()) + "'");
  }
  WebhookConfig w;
  auto str = [&](const char* key, std::string* out, bool required) -> Status {
    const json::value* f = o.if_contains(key);
    if (!f) return required ? InvalidArgument(std::string("webhook record: missing ") + key) : Status::Ok();
    if (!f->is_string()) return InvalidArgument(std::string("webhook record: ") + key + " must be a string");
    *out = f->get_string();
    return Status::Ok();
  };
  auto boolean = [&](const char* key, bool* out) -> Status {
    const json::value* f = o.if_contains(key);
    if (!f) return Status::Ok();
    if (!f->is_bool()) return InvalidArgument(std::string("webhook record: ") + key + " must be true or false");
    *out = f->get_bool();
    return Status::Ok();
  };
  auto integer = [&](const char* key, int64_t* out) -> Status {
    const json::value* f = o.if_contains(key);
    if (!f) return Status::Ok();
    if (!f->is_int64()) return InvalidArgument(std::string("webhook record: ") + key + " must be an integer");
    *out = f->get_int64();
    return Status::Ok();
  };
  auto list = [&](const char* key, std::vector<std::string>* out) -> Status {
    const json::value* f = o.if_contains(key);
    if (!f) return Status::Ok();
    if (!f->is_array() || f->get_array().size() > 100) {
      return InvalidArgument(std::string("webhook record: ") + key + " must be a list of at most 100");
    }
    for (const auto& e : f->get_array()) {
      if (!e.is_string()) return InvalidArgument(std::string("webhook record: ") + key + " must hold strings");
      out->emplace_back(e.get_string());
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(str("id", &w.id, true));
  RETURN_IF_ERROR(str("account", &w.account, true));
  RETURN_IF_ERROR(str("api_root", &w.api_root, true));
  RETURN_IF_ERROR(str("collection", &w.collection, true));
  RETURN_IF_ERROR(str("url", &w.url, true));
  RETURN_IF_ERROR(str("secret", &w.secret, true));
  RETURN_IF_ERROR(str("ca_file", &w.ca_file, false));
  RETURN_IF_ERROR(str("last_error", &w.last_error, false));
  RETURN_IF_ERROR(list("types", &w.types));
  RETURN_IF_ERROR(list("markings", &w.markings));
  int64_t attempts = w.max_attempts, batch = w.max_batch;
  RETURN_IF_ERROR(integer("max_attempts", &attempts));
  RETURN_IF_ERROR(integer("max_batch", &batch));
  RETURN_IF_ERROR(integer("created_us", &w.created_us));
  if (attempts < 1 || attempts > 1000 || batch < 1 || batch > 10000) {
    return InvalidArgument("webhook record: max_attempts or max_batch out of range");
  }
  w.max_attempts = static_cast<int>(attempts);
  w.max_batch = static_cast<int>(batch);
  RETURN_IF_ERROR(boolean("allow_plain_http", &w.allow_plain_http));
  RETURN_IF_ERROR(boolean("insecure_skip_verify", &w.insecure_skip_verify));
  RETURN_IF_ERROR(boolean("suspended", &w.suspended));
  RETURN_IF_ERROR(boolean("from_start", &w.from_start));
  RETURN_IF_ERROR(ValidateWebhookConfig(w));
  return w;
}

// ---- delivery -------------------------------------------------------------------------

class WebhookService::Worker {
 public:
  Worker(WebhookService* svc, WebhookConfig config, std::string record, std::string secret,
         int64_t collection_key)
      : svc_(svc),
        config_(std::move(config)),
        record_(std::move(record)),
        secret_(std::move(secret)),
        collection_key_(collection_key),
        client_(ClientOptions()),
        rng_(std::random_device{}()) {
    for (const auto& m : config_.markings) tlps_.push_back(stix::TlpOfLevelName(m));
  }
  ~Worker() { Stop(); }

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
  http::ClientOptions ClientOptions() const {
    http::ClientOptions o = svc_->options_.http;
    o.ca_file = config_.ca_file;
    o.insecure_skip_verify = config_.insecure_skip_verify;
    o.retries = 0;
    return o;
  }

  // Waits `ms` or until stopped (true = stopped).
  bool Wait(int64_t ms, uint64_t* seen = nullptr) {
    std::unique_lock lock(svc_->commit_mu_);
    svc_->commit_cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] {
      return stopping_ || (seen != nullptr && svc_->commits_ != *seen);
    });
    return stopping_;
  }

  // Stops delivering and records the suspension on the webhook's record.
  // The record may be removed (`webhook remove`, `peer remove`) or rewritten
  // (`webhook resume`) by another process at any moment, and the supervisor
  // notices only at its next reload, so the suspension is written as a
  // compare-and-swap on the record exactly as this worker was started from
  // (Store::UpdateConfigRecord), never as a whole-record put: a webhook
  // removed meanwhile stays removed (nothing is written), and one changed
  // meanwhile is left as it is (the supervisor restarts its worker from the
  // new record, which checks again). The caller returns from Run afterwards;
  // the record change stops this worker's entry (the supervisor sees it).
  void Suspend(const std::string& error) {
    svc_->suspended_.fetch_add(1);
    WebhookConfig c = config_;
    c.suspended = true;
    c.last_error = error;
    Status s = svc_->store_->UpdateConfigRecord(
        store::ConfigRecord{kWebhookRecordKind, c.id, EncodeWebhookConfig(c)}, record_);
    if (s.ok()) {
      spdlog::warn("webhook {}: suspended: {}", c.id, error);
    } else if (s.code() == StatusCode::kNotFound) {
      spdlog::info("webhook {}: stopped ({}); it was removed meanwhile and stays removed", c.id, error);
    } else if (s.code() == StatusCode::kFailedPrecondition) {
      spdlog::info("webhook {}: stopped ({}); its record changed meanwhile and is left as it is", c.id,
                   error);
    } else {
      spdlog::error("webhook {}: suspended ({}) but cannot record it: {}", c.id, error, s.message());
    }
  }

  void Run() {
    auto c = svc_->store_->GetCursor(WebhookCursorName(config_.id));
    // A new webhook starts at its registration unless asked for everything.
    int64_t cursor = config_.from_start ? 0 : config_.created_us;
    if (c.ok() && c->has_value()) cursor = std::strtoll((*c)->c_str(), nullptr, 10);
    auto account = svc_->store_->FindAccount(config_.account);
    if (!account.ok() || !account->has_value()) {
      Suspend("the account '" + config_.account + "' does not exist");
      return;
    }
    if ((*account)->disabled) {
      Suspend(Stopped("the account was disabled"));
      return;
    }
    {
      auto loaded = svc_->auth_->LoadPrincipal((*account)->key);
      if (!loaded.ok()) {
        Suspend(Stopped(loaded.error().message()));
        return;
      }
      account_ = *loaded;
    }
    for (;;) {
      uint64_t seen;
      {
        std::lock_guard lock(svc_->commit_mu_);
        if (stopping_) return;
        seen = svc_->commits_;
      }
      auto principal = CheckAccount();
      if (!principal.ok()) {
        if (principal.error().code() == StatusCode::kFailedPrecondition) return;  // suspended
        if (Wait(1000)) return;
        continue;
      }
      auto scope = svc_->policy_->Begin(**principal, collection_key_, config_.collection,
                                        policy::Path::kWebhook, config_.url);
      if (!scope.ok()) {
        if (Wait(1000)) return;
        continue;
      }
      store::ObjectQuery q;
      q.added_after_us = cursor;
      q.types = config_.types;
      q.versions.all = true;
      q.limit = config_.max_batch;
      q.with_raw = true;
      auto page = scope->Read(std::move(q), std::nullopt, [this](const store::ObjectRecord& r) {
        return tlps_.empty() || std::find(tlps_.begin(), tlps_.end(),
                                          stix::TlpOfMarkingRef(r.marking)) != tlps_.end();
      });
      if (!page.ok()) {
        if (page.error().code() == StatusCode::kUnavailable) {
          Suspend("policy release step failed: " + page.error().message());
          return;
        }
        if (Wait(1000)) return;
        continue;
      }
      // Where the cursor may move once this batch is delivered (past what
      // was scanned and is not for this webhook, when the scan ended).
      const int64_t covered = page->more ? page->last_us : std::max(page->scanned_us, page->last_us);
      if (page->records.empty()) {
        if (covered > cursor) {
          cursor = covered;
          (void)svc_->store_->PutCursor(store::CursorUpdate{WebhookCursorName(config_.id), std::to_string(cursor)});
        }
        scope->Finish();
        if (page->more) continue;
        if (Wait(1000, &seen)) return;
        continue;
      }
      size_t n = 0, bytes = 0;
      while (n < page->records.size() &&
             (n == 0 || bytes + page->records[n].raw.size() <= svc_->options_.max_batch_bytes)) {
        bytes += page->records[n].raw.size();
        ++n;
      }
      const bool cut = n < page->records.size();
      page->records.resize(n);
      const int64_t last = page->records.back().date_added_us;
      std::string body = "{\"event\":\"objects\",\"id\":\"" + FormatTimestamp(last, 6) +
                         "\",\"webhook\":\"" + config_.id + "\",\"objects\":[";
      for (size_t i = 0; i < n; ++i) {
        if (i) body += ',';
        body += page->records[i].raw;
      }
      body += "]}";
      if (!Deliver(body, last)) return;  // stopped or suspended
      scope->Finish();
      cursor = cut ? last : covered;
      (void)svc_->store_->PutCursor(store::CursorUpdate{WebhookCursorName(config_.id), std::to_string(cursor)});
      svc_->deliveries_.fetch_add(1);
      svc_->objects_.fetch_add(static_cast<int64_t>(n));
    }
  }

  std::string Stopped(const std::string& why) const {
    return "delivering as '" + config_.account + "' stopped: " + why;
  }

  // The webhook delivers as its account, so the account is re-checked as
  // the directory says now before each batch and before each attempt to
  // deliver one (docs/channels.md, "The webhook's account"): it exists, is
  // enabled and may read the collection. Otherwise the webhook is suspended
  // with the reason (FailedPrecondition). Another error: the store failed
  // (the caller tries again later).
  Result<auth::PrincipalPtr> CheckAccount() {
    auto p = svc_->auth_->Revalidate(*account_);
    if (!p.ok()) {
      if (p.error().code() != StatusCode::kUnauthenticated) {
        spdlog::warn("webhook {}: cannot check its account: {}", config_.id, p.error().message());
        return p.error();
      }
      Suspend(Stopped(p.error().message()));
      return FailedPrecondition("suspended");
    }
    if (!(*p)->Access(collection_key_).can_read) {
      Suspend(Stopped("the account may no longer read the collection"));
      return FailedPrecondition("suspended");
    }
    account_ = *p;
    return p;
  }

  // POSTs until a 2xx answer (true), the attempts run out (suspends; false),
  // the account may no longer receive (suspends; false) or the worker stops
  // (false).
  bool Deliver(const std::string& body, int64_t last) {
    const std::string delivery = NewUuidV4();
    std::string error;
    for (int attempt = 1; attempt <= config_.max_attempts; ++attempt) {
      // The batch was released as the account was when it was read: not
      // delivered once the account may no longer receive it.
      for (;;) {
        auto account = CheckAccount();
        if (account.ok()) break;
        if (account.error().code() == StatusCode::kFailedPrecondition) return false;  // suspended
        if (Wait(1000)) return false;
      }
      const int64_t now_s = svc_->clock_->NowMicros() / 1'000'000;
      std::vector<http::Header> h = {
          {"content-type", "application/json"},
          {"x-kizuna-webhook", config_.id},
          {"x-kizuna-delivery", delivery},
          {"x-kizuna-event-id", FormatTimestamp(last, 6)},
          {"x-kizuna-attempt", std::to_string(attempt)},
          {"x-kizuna-signature", SignWebhook(secret_, now_s, body)}};
      auto r = client_.Send("POST", config_.url, h, body);
      if (r.ok() && r->status >= 200 && r->status < 300) return true;
      error = r.ok() ? "HTTP " + std::to_string(r->status) : r.error().message();
      svc_->failures_.fetch_add(1);
      {
        std::lock_guard lock(svc_->commit_mu_);
        if (stopping_) return false;
      }
      if (attempt == config_.max_attempts) break;
      // Exponential backoff with full jitter.
      int64_t cap = svc_->options_.initial_backoff_ms;
      for (int i = 1; i < attempt && cap < svc_->options_.max_backoff_ms; ++i) cap *= 2;
      cap = std::min(cap, svc_->options_.max_backoff_ms);
      std::uniform_int_distribution<int64_t> d(cap / 2, cap);
      if (Wait(d(rng_))) return false;
    }
    Suspend("delivery failed " + std::to_string(config_.max_attempts) + " times: " + error);
    return false;
  }

  WebhookService* svc_;
  WebhookConfig config_;
  std::string record_;  // the stored record config_ was decoded from (Suspend compares it)
  std::string secret_;
  int64_t collection_key_;
  auth::PrincipalPtr account_;  // the account as last checked (Run's thread only)
  std::vector<stix::Tlp> tlps_;
  http::Client client_;
  std::mt19937_64 rng_;
  bool stopping_ = false;  // GUARDED_BY(svc_->commit_mu_)
  std::thread thread_;
};

WebhookService::WebhookService(store::Store* store, auth::Authenticator* auth,
                               policy::DecisionPoint* policy, const auth::SecretSealer* sealer,
                               WebhookOptions options, const Clock* clock)
    : store_(store),
      auth_(auth),
      policy_(policy),
      sealer_(sealer),
      options_(std::move(options)),
      clock_(clock) {}

WebhookService::~WebhookService() { Stop(); }

void WebhookService::Start() {
  {
    std::lock_guard lock(mu_);
    if (started_) return;
    started_ = true;
  }
  store_->AddCommitListener([this](const store::CommitNotice& n) { OnCommit(n); });
  supervisor_ = std::thread([this] { Supervise(); });
}

void WebhookService::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!started_ || stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
  for (auto& [id, w] : workers_) w->Stop();
  workers_.clear();
}

void WebhookService::OnCommit(const store::CommitNotice&) {
  {
    std::lock_guard lock(commit_mu_);
    ++commits_;
  }
  commit_cv_.notify_all();
}

WebhookStats WebhookService::Stats() const {
  WebhookStats s;
  s.active = active_.load();
  s.deliveries = deliveries_.load();
  s.objects = objects_.load();
  s.failures = failures_.load();
  s.suspended = suspended_.load();
  return s;
}

void WebhookService::Supervise() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    Reload();
    lock.lock();
    cv_.wait_for(lock, std::chrono::milliseconds(options_.reload_ms), [this] { return stopping_; });
  }
}

void WebhookService::Reload() {
  auto gen = store_->DirectoryGeneration();
  if (!gen.ok() || *gen == generation_) return;
  auto records = store_->ListConfigRecords(kWebhookRecordKind);
  if (!records.ok()) return;
  generation_ = *gen;
  std::map<std::string, std::string> desired;
  for (const auto& r : *records) desired[r.name] = r.value;
  for (auto it = workers_.begin(); it != workers_.end();) {
    auto d = desired.find(it->first);
    if (d == desired.end() || d->second != records_[it->first]) {
      it->second->Stop();
      records_.erase(it->first);
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [id, value] : desired) {
    if (workers_.count(id)) continue;
    auto w = DecodeWebhookConfig(value);
    if (!w.ok()) {
      spdlog::warn("webhook {}: {}", id, w.error().message());
      continue;
    }
    if (w->suspended) continue;
    if (sealer_ == nullptr) continue;
    auto secret = sealer_->Open(w->secret);
    if (!secret.ok()) {
      spdlog::warn("webhook {}: cannot open its secret: {}", id, secret.error().message());
      continue;
    }
    auto c = store_->FindCollection(w->api_root, w->collection);
    if (!c.ok() || !c->has_value()) {
      spdlog::warn("webhook {}: no collection {} in API root {}", id, w->collection, w->api_root);
      continue;
    }
    auto worker = std::make_unique<Worker>(this, *w, value, *secret, (*c)->key);
    worker->Start();
    workers_[id] = std::move(worker);
    records_[id] = value;
  }
  active_.store(static_cast<int64_t>(workers_.size()));
}

}  // namespace kizuna::stream
