#include "app/hub.h"

#include "app/admin.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <filesystem>

#include "auth/authenticator.h"
#include "auth/sealed.h"
#include "coord/folder.h"
#include "coord/service.h"
#include "core/metrics.h"
#include "export/feeds.h"  // frontline feeds (/feeds/...)
#include "federation/federation.h"
#include "http/server.h"
#include "policy/decision_point.h"
#include "store/audit_log.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#include "stream/channel_service.h"
#include "stream/webhooks.h"
#include "taxii/service.h"
#include "ui/service.h"

namespace kizuna::app {

struct Hub::Impl {
  Config config;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::AuditLog> audit;
  std::unique_ptr<auth::Authenticator> auth;
  std::unique_ptr<policy::DecisionPoint> policy;
  std::unique_ptr<taxii::Service> taxii;
  // Federation and channels (issue 5).
  std::unique_ptr<auth::SecretSealer> sealer;  // null when the key file is unusable
  std::unique_ptr<stream::ChannelService> channels;
  std::unique_ptr<stream::WebhookService> webhooks;
  std::unique_ptr<federation::FederationService> federation;
  std::unique_ptr<http::Server> server;
  // /feeds/{api-root}/{collection}/{format}; after server: destroyed (and
  // its workers joined) before the server.
  std::unique_ptr<exports::FeedService> feeds;
  // The fold of task updates and /coordination/v1/... (issue 11); destroyed
  // before the server like the feeds, the service (whose requests fold with
  // the folder) before the folder.
  std::unique_ptr<coord::Folder> folder;
  std::unique_ptr<coord::Service> coordination;
  // /ui/: browser sessions and the dashboard (issue 13).
  std::unique_ptr<ui::UiService> ui;

  void Handle(http::Request req, http::Respond respond);
  void Health(http::Respond respond);
  void Metrics(http::Request req, http::Respond respond);
  std::string StoreMetrics();
};

void Hub::Impl::Health(http::Respond respond) {
  http::Response r;
  r.route = "healthz";
  r.headers.push_back({"content-type", "application/json"});
  r.headers.push_back({"cache-control", "no-store"});
  // Terse on purpose: /healthz needs no credentials, so details of a failure
  // go to the server log, not to the caller.
  Status s = store->Ping();
  if (!s.ok()) spdlog::error("health check: store: {}", s.message());
  const bool audit_ok = audit->Healthy();
  r.status = s.ok() && audit_ok ? 200 : 503;
  boost::json::object o{{"status", s.ok() && audit_ok ? "ok" : "unavailable"},
                        {"store", s.ok() ? "ok" : "unavailable"},
                        {"audit", audit_ok ? "ok" : "unavailable"}};
  r.body = boost::json::serialize(o);
  respond(std::move(r));
}

std::string Hub::Impl::StoreMetrics() {
  store::StoreStats st = store->Stats();
  std::string out;
  auto line = [&](const char* name, const char* type, const char* help, int64_t v) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
           name + " " + std::to_string(v) + "\n";
  };
  line("kizuna_store_objects", "gauge", "Object versions stored.", st.objects);
  line("kizuna_store_commits_total", "counter", "Durable commits.", st.commits);
  line("kizuna_store_batches_total", "counter", "Write batches committed.", st.batches);
  // Group commit: how many write batches shared each commit.
  out +=
      "# HELP kizuna_store_group_commit_batches Write batches per durable commit.\n"
      "# TYPE kizuna_store_group_commit_batches histogram\n";
  static const char* kBounds[] = {"1", "2", "4", "8", "16", "32", "64"};
  int64_t cumulative = 0;
  for (size_t i = 0; i < st.group_sizes_histogram.size() && i < 7; ++i) {
    cumulative += st.group_sizes_histogram[i];
    if (i < 6) {
      out += std::string("kizuna_store_group_commit_batches_bucket{le=\"") + kBounds[i] + "\"} " +
             std::to_string(cumulative) + "\n";
    }
  }
  out += "kizuna_store_group_commit_batches_bucket{le=\"+Inf\"} " + std::to_string(st.commits) + "\n";
  out += "kizuna_store_group_commit_batches_sum " + std::to_string(st.batches) + "\n";
  out += "kizuna_store_group_commit_batches_count " + std::to_string(st.commits) + "\n";
  const auto& c = taxii->counters();
  line("kizuna_taxii_objects_accepted_total", "counter", "Objects added by TAXII POSTs.",
       c.objects_accepted.load());
  line("kizuna_taxii_objects_duplicate_total", "counter",
       "Objects re-posted with a version already stored.", c.objects_duplicate.load());
  line("kizuna_taxii_objects_rejected_total", "counter", "Objects that failed validation.",
       c.objects_rejected.load());
  line("kizuna_taxii_objects_served_total", "counter", "Objects returned by TAXII GETs.",
       c.objects_served.load());
  line("kizuna_taxii_response_cache_hits_total", "counter",
       "GET responses served from the response cache.", c.response_cache_hits.load());
  line("kizuna_taxii_response_cache_misses_total", "counter",
       "Cacheable GET responses built from the store.", c.response_cache_misses.load());
  line("kizuna_policy_release_failures_total", "counter",
       "Object versions withheld because their release step failed.",
       policy->Stats().release_failures);
  line("kizuna_auth_cache_hits_total", "counter", "Credential checks answered from the cache.",
       auth->cache_hits());
  line("kizuna_auth_verifications_total", "counter", "argon2id verifications.",
       auth->verifications());
  line("kizuna_auth_failures_total", "counter", "Failed authentications.", auth->failures());
  // Federation and channels (issue 5).
  stream::ChannelStats cs = channels->Stats();
  line("kizuna_channel_subscribers", "gauge", "Open channel subscriptions.", cs.subscribers);
  line("kizuna_channel_catching_up", "gauge", "Channel subscribers reading history.", cs.catching_up);
  line("kizuna_channel_events_total", "counter", "Channel events sent.", cs.events);
  line("kizuna_channel_objects_total", "counter", "Objects sent on channels.", cs.objects);
  line("kizuna_channel_dropped_total", "counter", "Stalled channel subscribers dropped.", cs.dropped);
  line("kizuna_channel_demoted_total", "counter",
       "Live channel subscribers moved to catch-up (slow readers).", cs.demoted);
  // Coordination (issue 11).
  coord::FolderStats fst = folder->Stats();
  line("kizuna_coordination_folds_with_notes_total", "counter",
       "Task versions folded in the commit that stored their update notes.", fst.folds_with_notes);
  line("kizuna_coordination_folds_after_total", "counter",
       "Task versions folded after their update notes' commit (start-up, TAXII pushes, retries).",
       fst.folds);
  line("kizuna_coordination_fold_failures_total", "counter", "Task folds that could not be written.",
       fst.failures);
  stream::WebhookStats ws = webhooks->Stats();
  line("kizuna_webhooks_active", "gauge", "Webhooks delivering.", ws.active);
  line("kizuna_webhook_deliveries_total", "counter", "Webhook batches delivered.", ws.deliveries);
  line("kizuna_webhook_failures_total", "counter", "Failed webhook delivery attempts.", ws.failures);
  line("kizuna_webhook_suspended_total", "counter", "Webhooks suspended after their attempts.",
       ws.suspended);
  federation::FederationStats fs = federation->Stats();
  line("kizuna_federation_peers", "gauge", "Peers with running links.", fs.peers);
  line("kizuna_federation_channels_open", "gauge", "Open channels to peers.", fs.channels_open);
  line("kizuna_federation_objects_in_total", "counter", "Objects added from peers.", fs.objects_in);
  line("kizuna_federation_objects_out_total", "counter", "Objects peers accepted from pushes.",
       fs.objects_out);
  line("kizuna_federation_polls_total", "counter", "TAXII pages polled from peers.", fs.polls);
  line("kizuna_federation_channel_failures_total", "counter", "Failed channel subscriptions.",
       fs.channel_failures);
  line("kizuna_federation_push_failures_total", "counter", "Failed pushes.", fs.push_failures);
  line("kizuna_federation_rejected_total", "counter", "Objects from peers refused.", fs.rejected_in);
  line("kizuna_federation_looped_total", "counter",
       "Objects from peers skipped because they had passed this hub.", fs.looped);
  return out;
}

void Hub::Impl::Metrics(http::Request req, http::Respond respond) {
  auto render = [this](http::Respond respond) {
    http::Response r;
    r.route = "metrics";
    r.headers.push_back({"content-type", std::string(metrics::kPrometheusContentType)});
    r.body = metrics::Registry::Default().RenderPrometheus() + StoreMetrics();
    respond(std::move(r));
  };
  if (config.metrics_public) {
    render(std::move(respond));
    return;
  }
  std::string remote = req.RemoteHost();
  auth->Authenticate(req.FindHeader("authorization"), remote,
                     [render, respond](Result<auth::PrincipalPtr> p) mutable {
                       if (!p.ok()) {
                         http::Response r = taxii::ErrorFor(p.error());
                         r.route = "metrics";
                         respond(std::move(r));
                         return;
                       }
                       if (!policy::MayReadMetrics(**p)) {
                         http::Response r =
                             taxii::Error(403, "Forbidden", "metrics need the admin role");
                         r.route = "metrics";
                         r.principal = (*p)->username;
                         respond(std::move(r));
                         return;
                       }
                       render(std::move(respond));
                     });
}

void Hub::Impl::Handle(http::Request req, http::Respond respond) {
  // The session cookie is credentials on every path (with its CSRF rules).
  if (auto refused = ui->ApplySession(&req)) {
    respond(std::move(*refused));
    return;
  }
  if (ui::UiService::UsesSession(req)) {
    // A browser: no Basic challenge (fetch would open a password dialog).
    respond = [respond = std::move(respond)](http::Response r) {
      ui::UiService::WithoutChallenge(&r);
      respond(std::move(r));
    };
  }
  if (ui::UiService::IsUiPath(req.path)) {
    ui->Handle(std::move(req), std::move(respond));
    return;
  }
  if (req.path == "/healthz") {
    Health(std::move(respond));
    return;
  }
  if (req.path == "/metrics") {
    Metrics(std::move(req), std::move(respond));
    return;
  }
  if (stream::ChannelService::IsChannelPath(req.path)) {
    channels->Handle(std::move(req), std::move(respond));
    return;
  }
  // Frontline feeds (rules and lists), released through the policy (Path::kFeed).
  if (req.path.rfind(exports::kFeedPrefix, 0) == 0) {
    feeds->Handle(std::move(req), std::move(respond));
    return;
  }
  if (coord::Service::IsCoordinationPath(req.path)) {
    coordination->Handle(std::move(req), std::move(respond));
    return;
  }
  taxii->Handle(std::move(req), std::move(respond));
}

namespace {

// The built dashboard: [ui] dir, else web/dist in the working directory or
// beside the binary's checkout (build/<preset>/kizuna); "" when none exists.
std::string UiDir(const Config& config) {
  if (!config.ui_dir.empty()) return config.Resolve(config.ui_dir);
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<fs::path> candidates = {fs::current_path(ec) / "web" / "dist"};
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path() / "web" / "dist");
    candidates.push_back(exe.parent_path().parent_path().parent_path() / "web" / "dist");
  }
  for (const auto& c : candidates) {
    if (fs::is_regular_file(c / "index.html", ec)) return c.string();
  }
  return "";
}

}  // namespace

Hub::Hub(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Hub::~Hub() { Stop(); }

Result<std::unique_ptr<Hub>> Hub::Open(const Config& config) {
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  store::SqliteOptions so;
  so.path = config.Resolve(config.store_path);
  so.durable = config.durable;
  so.cache_mib = config.cache_mib;
  so.warm_id_index = true;  // load the id index in the background: the first request does not wait
  ASSIGN_OR_RETURN(impl->store, store::OpenSqliteStore(so));
  ASSIGN_OR_RETURN(impl->audit, store::OpenSqliteAuditLog(store::AuditPathFor(so.path)));
  RETURN_IF_ERROR(EnsureDefinitions(impl->store.get()));
  impl->policy = std::make_unique<policy::DecisionPoint>(impl->store.get(), impl->audit.get());
  auth::AuthenticatorOptions ao;
  ao.max_failures = config.max_auth_failures;
  ao.failure_window_us = config.auth_failure_window_s * 1'000'000;
  ao.sessions.idle_us = config.session_idle_s * 1'000'000;
  ao.sessions.absolute_us = config.session_max_s * 1'000'000;
  impl->auth = std::make_unique<auth::Authenticator>(impl->store.get(), ao);
  ui::UiOptions uo;
  uo.dir = UiDir(config);
  uo.hub_name = config.hub_name.empty() ? config.title : config.hub_name;
  // A briefing's incidents: the coordination API's list, read in process as
  // the briefing's (capped) reader. The service is built below.
  uo.federation = [hub = impl.get()] {
    std::vector<ui::PeerStatus> out;
    if (!hub->federation) return out;
    for (const federation::PeerHealth& h : hub->federation->Health()) {
      out.push_back(ui::PeerStatus{h.peer, h.inbound_ok_us, h.push_ok_us, h.channels_open, h.error,
                                   h.error_since_us});
    }
    return out;
  };
  uo.incidents = [hub = impl.get()](const auth::Principal& reader, const std::string& root,
                                    const std::string& query, const std::string& remote) -> Result<std::string> {
    if (!hub->coordination) return std::string(R"({"total":0,"incidents":[]})");
    http::Request req;
    req.method = "GET";
    req.path = "/coordination/v1/" + root + "/incidents";
    req.raw_query = query;
    req.target = req.path + "?" + query;
    req.remote_address = remote + ":0";  // RemoteHost() drops the port: the audit names the client
    http::Response r = hub->coordination->Read(req, reader);
    if (r.status != 200) return Internal("the incident list answered " + std::to_string(r.status));
    return std::move(r.body);
  };
  impl->ui = std::make_unique<ui::UiService>(impl->auth.get(), impl->store.get(), impl->policy.get(), uo);
  taxii::ServiceOptions to;
  to.title = config.title;
  to.description = config.description;
  to.contact = config.contact;
  to.default_api_root = config.default_api_root;
  to.public_base_url = config.public_base_url;
  to.default_page = config.default_page;
  to.max_page = config.max_page;
  to.response_cache_bytes = static_cast<size_t>(config.response_cache_mib) << 20;
  // Federation and channels (issue 5).
  {
    const std::string key_path = config.secrets_key.empty()
                                     ? auth::SealerKeyPathFor(so.path)
                                     : config.Resolve(config.secrets_key);
    auto sealer = auth::SecretSealer::LoadOrCreate(key_path);
    if (sealer.ok()) {
      impl->sealer = std::make_unique<auth::SecretSealer>(std::move(*sealer));
    } else {
      spdlog::warn("sealed secrets unavailable ({}): peers and webhooks with sealed secrets will not run",
                   sealer.error().message());
    }
  }
  to.hub_name = config.hub_name;
  impl->taxii = std::make_unique<taxii::Service>(impl->store.get(), impl->auth.get(),
                                                 impl->policy.get(), to);
  stream::ChannelOptions co;
  co.self_hub = config.hub_name;
  co.heartbeat_ms = config.channel_heartbeat_ms;
  co.max_subscribers = static_cast<size_t>(config.channel_max_subscribers);
  co.max_pending_bytes = static_cast<size_t>(config.channel_max_pending_kib) * 1024;
  co.stall_timeout_ms = config.channel_stall_timeout_ms;
  impl->channels = std::make_unique<stream::ChannelService>(impl->store.get(), impl->auth.get(),
                                                            impl->policy.get(), co);
  stream::WebhookOptions wo;
  wo.reload_ms = config.webhook_reload_ms;
  impl->webhooks = std::make_unique<stream::WebhookService>(
      impl->store.get(), impl->auth.get(), impl->policy.get(), impl->sealer.get(), wo);
  federation::FederationOptions fo;
  fo.self_hub = config.hub_name;
  fo.link_max_backoff_ms = config.federation_retry_max_ms;
  // Task updates from peers are folded in the commit that stores them (the
  // folder is built below and outlives every link: Stop ends them first).
  Impl* folding = impl.get();
  fo.before_write = [folding](store::WriteBatch* batch) { return folding->folder->FoldInto(batch); };
  impl->federation = std::make_unique<federation::FederationService>(
      impl->store.get(), impl->policy.get(), impl->sealer.get(), fo);
  impl->feeds = std::make_unique<exports::FeedService>(impl->store.get(), impl->auth.get(),
                                                       impl->policy.get());
  coord::ServiceOptions coord_options;
  coord_options.hub_name = config.hub_name;
  impl->coordination = std::make_unique<coord::Service>(impl->store.get(), impl->auth.get(),
                                                        impl->policy.get(), coord_options);
  coord::Service* coordination = impl->coordination.get();
  impl->folder = std::make_unique<coord::Folder>(
      impl->store.get(), impl->policy.get(), config.hub_name,
      [coordination](std::string_view id) -> std::mutex& { return coordination->LockFor(id); });
  coordination->FoldWith(impl->folder.get());
  impl->folder->ReadNotesWith([coordination](int64_t collection, const std::string& task) {
    return coordination->TaskUpdateNotes(collection, task);
  });

  http::ServerOptions ho;
  ho.listen = config.listen;
  ho.threads = config.threads;
  ho.tls_cert_file = config.tls_cert.empty() ? "" : config.Resolve(config.tls_cert);
  ho.tls_key_file = config.tls_key.empty() ? "" : config.Resolve(config.tls_key);
  ho.allow_plain_http = config.allow_plain_http;
  ho.max_connections = static_cast<size_t>(config.max_connections);
  ho.max_inflight_body_bytes = static_cast<uint64_t>(config.max_inflight_body_mib) << 20;
  ho.max_header_bytes = static_cast<uint32_t>(config.max_header_bytes);
  ho.read_header_timeout = std::chrono::milliseconds(config.header_timeout_ms);
  ho.read_body_timeout = std::chrono::milliseconds(config.body_timeout_ms);
  ho.idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms);
  ho.max_stream_pending_bytes = static_cast<size_t>(config.channel_max_pending_kib) * 1024;
  ho.access_log = config.access_log == "off" || config.access_log == "stderr"
                      ? config.access_log
                      : config.Resolve(config.access_log);
  Impl* raw = impl.get();
  impl->server = std::make_unique<http::Server>(
      ho, [raw](http::Request req, http::Respond respond) { raw->Handle(std::move(req), std::move(respond)); },
      [raw](const http::Request& head) -> int64_t {
        if (head.path == "/healthz" || head.path == "/metrics") return 0;
        if (stream::ChannelService::IsChannelPath(head.path)) return 0;
        if (head.path.rfind(exports::kFeedPrefix, 0) == 0) return 0;
        if (coord::Service::IsCoordinationPath(head.path)) return coord::kMaxRequestBody;
        if (ui::UiService::IsUiPath(head.path)) return ui::UiService::BodyLimit(head);
        return raw->taxii->BodyLimit(head);
      },
      [](int status, std::string_view message, const http::Request&) {
        return taxii::Error(status, status == 413 ? "Payload Too Large" : "Error", message);
      },
      // Issue 10, finding 3: credentials and permissions are checked on the
      // head, before any body byte is read. The other endpoints take no
      // body (limit 0 above: 413 from the head).
      [raw](http::Request head, http::HeadVerdict verdict) {
        if (ui::UiService::IsUiPath(head.path)) return verdict(std::nullopt);  // the sign-in has no credentials yet
        if (auto refused = raw->ui->ApplySession(&head)) return verdict(std::move(refused));
        if (head.path == "/healthz" || head.path == "/metrics" ||
            stream::ChannelService::IsChannelPath(head.path) ||
            head.path.rfind(exports::kFeedPrefix, 0) == 0) {
          return verdict(std::nullopt);
        }
        if (coord::Service::IsCoordinationPath(head.path)) {
          return raw->coordination->CheckHead(std::move(head), std::move(verdict));
        }
        raw->taxii->CheckHead(std::move(head), std::move(verdict));
      });
  return std::unique_ptr<Hub>(new Hub(std::move(impl)));
}

Status Hub::Start() {
  // Commit listeners are registered before anything is served.
  impl_->channels->Start();
  impl_->webhooks->Start();
  impl_->federation->Start();
  impl_->folder->Start();
  impl_->coordination->Warm();
  impl_->ui->Warm();
  return impl_->server->Start();
}

void Hub::Stop() {
  // Clients of peers and webhook receivers first, then the streams (each
  // gets a clean end), then the server.
  if (impl_ && impl_->folder) impl_->folder->Stop();
  if (impl_ && impl_->federation) impl_->federation->Stop();
  if (impl_ && impl_->webhooks) impl_->webhooks->Stop();
  if (impl_ && impl_->channels) impl_->channels->Stop();
  if (impl_ && impl_->server) impl_->server->Stop();
  if (impl_ && impl_->audit) (void)impl_->audit->Flush();
}

std::vector<std::string> Hub::Listening() const { return impl_->server->listening(); }

std::string Hub::BaseUrl() const {
  auto l = Listening();
  std::string scheme = impl_->config.tls_cert.empty() ? "http://" : "https://";
  return scheme + (l.empty() ? std::string("127.0.0.1") : l[0]);
}

store::Store* Hub::store() { return impl_->store.get(); }

void BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

void WaitForTerminationSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
}

}  // namespace kizuna::app
