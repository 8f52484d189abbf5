#include "http/listener.h"

#include <fmt/format.h>
#include <malloc.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/ssl.hpp>

#include "http/session.h"

namespace kizuna::http::internal {

namespace ssl = boost::asio::ssl;

namespace {

bool IsLoopback(const tcp::endpoint& ep) { return ep.address().is_loopback(); }

}  // namespace

Listener::Listener(ServerOptions options, Handler handler, BodyLimit body_limit,
                   ErrorFormatter formatter, HeadCheck head_check) {
  core_.options = std::move(options);
  core_.handler = std::move(handler);
  core_.body_limit = std::move(body_limit);
  core_.head_check = std::move(head_check);
  core_.error_formatter = std::move(formatter);
}

Listener::~Listener() { Stop(); }

Status Listener::Start() {
  if (running_) return FailedPrecondition("server already running");
  const ServerOptions& o = core_.options;
  if (!core_.handler) return InvalidArgument("server needs a handler");
  if (o.listen.empty()) return InvalidArgument("server needs at least one listen address");
  if (o.tls_cert_file.empty() != o.tls_key_file.empty())
    return InvalidArgument("TLS needs both a certificate file and a key file");
  if (o.max_header_bytes < 256) return InvalidArgument("max_header_bytes must be at least 256");
  if (o.max_connections == 0) return InvalidArgument("max_connections must be at least 1");
  for (auto t : {o.read_header_timeout, o.read_body_timeout, o.idle_timeout, o.write_timeout})
    if (t.count() <= 0) return InvalidArgument("timeouts must be positive");
  bool tls = !o.tls_cert_file.empty();

  std::vector<tcp::endpoint> endpoints;
  for (const std::string& text : o.listen) {
    Result<tcp::endpoint> ep = ParseListenAddress(text);
    if (!ep.ok()) return ep.status();
    if (!tls && !o.allow_plain_http && !IsLoopback(*ep))
      return FailedPrecondition(fmt::format(
          "refusing plain HTTP on non-loopback address {}: configure TLS (certificate and key) "
          "or set allow_plain_http",
          text));
    endpoints.push_back(*ep);
  }

  if (tls) {
    RETURN_IF_ERROR(MakeTlsContext());
  }
  {
    Result<std::unique_ptr<AccessLog>> log = AccessLog::Open(o.access_log);
    if (!log.ok()) return log.status();
    core_.access_log = std::move(log).value();
  }
  RegisterMetrics();
  if (o.tune_allocator) {
    mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
  }

  int threads = o.threads > 0 ? o.threads : static_cast<int>(std::thread::hardware_concurrency());
  if (threads <= 0) threads = 1;
  workers_.clear();
  for (int i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>(core_.metrics));

  for (const tcp::endpoint& ep : endpoints) {
    auto acceptor = std::make_unique<tcp::acceptor>(workers_[0]->ioc());
    error_code ec;
    acceptor->open(ep.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && ep.address().is_v6()) acceptor->set_option(asio::ip::v6_only(true), ec);
    if (!ec) acceptor->bind(ep, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      Status st = IoError(fmt::format("cannot listen on {}: {}", FormatEndpoint(ep), ec.message()));
      acceptors_.clear();
      workers_.clear();
      core_.access_log.reset();
      core_.ssl_ctx.reset();
      return st;
    }
    bound_.push_back(acceptor->local_endpoint(ec));
    acceptors_.push_back(std::move(acceptor));
  }

  auto min_timeout =
      std::min({o.read_header_timeout, o.read_body_timeout, o.idle_timeout, o.write_timeout});
  sweep_interval_ = std::clamp<std::chrono::milliseconds>(
      min_timeout / 4, std::chrono::milliseconds(5), std::chrono::milliseconds(250));
  core_.stopping = false;
  core_.lifeline = std::make_shared<Lifeline>();
  for (auto& w : workers_) {
    Worker* worker = w.get();
    ScheduleSweep(worker);
    worker->thread_ = std::thread([worker] {
      for (;;) {
        try {
          worker->ioc().run();
          break;
        } catch (const std::exception& e) {
          spdlog::error("http: server thread caught: {}", e.what());
        }
      }
    });
  }
  for (size_t i = 0; i < acceptors_.size(); ++i) {
    asio::post(workers_[0]->ioc(), [this, i] { Accept(i); });
  }
  running_ = true;
  return Status::Ok();
}

void Listener::Stop() {
  if (!running_) return;
  core_.stopping = true;
  asio::post(workers_[0]->ioc(), [this] {
    for (auto& a : acceptors_) {
      error_code ignored;
      a->close(ignored);
    }
  });
  for (auto& w : workers_) {
    Worker* worker = w.get();
    asio::post(worker->ioc(),
               [worker] { worker->ForEachSession([](Session& s) { s.OnDrain(); }); });
  }
  auto all_closed = [this] { return core_.open.load() + core_.rejecting.load() == 0; };
  {
    std::unique_lock<std::mutex> lock(core_.stop_mu);
    core_.stop_cv.wait_for(lock, core_.options.stop_timeout, all_closed);
  }
  if (!all_closed()) {
    for (auto& w : workers_) {
      Worker* worker = w.get();
      asio::post(worker->ioc(),
                 [worker] { worker->ForEachSession([](Session& s) { s.Close(); }); });
    }
    std::unique_lock<std::mutex> lock(core_.stop_mu);
    core_.stop_cv.wait_for(lock, std::chrono::seconds(5), all_closed);
  }
  for (auto& w : workers_) {
    w->guard_.reset();
    w->ioc().stop();
  }
  for (auto& w : workers_)
    if (w->thread_.joinable()) w->thread_.join();
  // The threads are gone: close what is left from here.
  for (auto& w : workers_) w->ForEachSession([](Session& s) { s.Close(); });
  for (auto& w : workers_) w->FlushLog(core_.access_log.get());
  core_.lifeline->Kill();
  acceptors_.clear();
  for (auto& w : workers_) {
    w->sweep_.reset();
    w->ioc_.reset();  // destroys pending handlers, and with them the sessions
  }
  workers_.clear();
  bound_.clear();
  core_.access_log.reset();
  core_.ssl_ctx.reset();
  running_ = false;
}

std::vector<std::string> Listener::listening() const {
  std::vector<std::string> out;
  for (const auto& ep : bound_) out.push_back(FormatEndpoint(ep));
  return out;
}

Status Listener::MakeTlsContext() {
  const ServerOptions& o = core_.options;
  try {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                     ssl::context::single_dh_use);
    SSL_CTX* native = ctx->native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    // TLS 1.2: forward-secret AEAD suites only (TLS 1.3 suites are all fine).
    SSL_CTX_set_cipher_list(native,
                            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                            "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                            "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
    SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    ctx->use_certificate_chain_file(o.tls_cert_file);
    ctx->use_private_key_file(o.tls_key_file, ssl::context::pem);
    if (SSL_CTX_check_private_key(native) != 1)
      return IoError("TLS private key does not match the certificate");
    core_.ssl_ctx = std::move(ctx);
  } catch (const boost::system::system_error& e) {
    return IoError(fmt::format("cannot load TLS certificate '{}' / key '{}': {}", o.tls_cert_file,
                               o.tls_key_file, e.what()));
  }
  return Status::Ok();
}

void Listener::RegisterMetrics() {
  metrics::Registry& r =
      core_.options.metrics ? *core_.options.metrics : metrics::Registry::Default();
  ServerMetrics& m = core_.metrics;
  m.requests = &r.AddCounter("kizuna_http_requests_total",
                             "HTTP requests answered, by route, method and status code.",
                             {"route", "method", "code"});
  m.latency = &r.AddHistogram(
      "kizuna_http_request_duration_seconds",
      "Time from the first byte of a request to the last byte of its response, by route.",
      {"route"}, metrics::LatencyBuckets());
  m.bytes_in = &r.AddCounter("kizuna_http_received_bytes_total", "Bytes read from clients.").Get();
  m.bytes_out = &r.AddCounter("kizuna_http_sent_bytes_total", "Bytes written to clients.").Get();
  m.connections_open = &r.AddGauge("kizuna_http_connections_open", "Open connections.").Get();
  m.connections_total =
      &r.AddCounter("kizuna_http_connections_total", "Connections accepted.").Get();
  m.connections_rejected = &r.AddCounter("kizuna_http_connections_rejected_total",
                                         "Connections refused over the connection limit.")
                                .Get();
  m.streams_open = &r.AddGauge("kizuna_http_streams_open", "Streamed responses open.").Get();
  m.head_check_rejected =
      &r.AddCounter("kizuna_http_head_check_rejected_total",
                    "Requests answered from their head by the head check, body unread.")
           .Get();
  m.body_budget_rejected =
      &r.AddCounter("kizuna_http_body_budget_rejected_total",
                    "Requests refused (503) because their body did not fit the in-flight budget.")
           .Get();
  m.inflight_body_bytes = &r.AddGauge("kizuna_http_inflight_body_bytes",
                                      "Request body bytes reserved by requests in flight.")
                               .Get();
}

void Listener::ScheduleSweep(Worker* worker) {
  worker->sweep_->expires_after(sweep_interval_);
  worker->sweep_->async_wait([this, worker](const error_code& ec) {
    if (ec) return;
    auto now = SteadyClock::now();
    worker->ForEachSession([now](Session& s) {
      if (s.deadline <= now) s.OnDeadline();
    });
    worker->FlushLog(core_.access_log.get());
    ScheduleSweep(worker);
  });
}

void Listener::Accept(size_t i) {
  Worker* target = workers_[next_worker_++ % workers_.size()].get();
  acceptors_[i]->async_accept(
      target->ioc(), [this, i, target](const error_code& ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || core_.stopping || !acceptors_[i]->is_open())
          return;
        if (ec) {
          // EMFILE and friends: back off instead of spinning.
          spdlog::warn("http: accept failed: {}", ec.message());
          auto timer = std::make_shared<asio::steady_timer>(workers_[0]->ioc(),
                                                            std::chrono::milliseconds(50));
          timer->async_wait([this, i, timer](const error_code& tec) {
            if (!tec && !core_.stopping) Accept(i);
          });
          return;
        }
        OnAccepted(target, std::move(socket));
        Accept(i);
      });
}

void Listener::OnAccepted(Worker* worker, tcp::socket socket) {
  core_.metrics.connections_total->Inc();
  bool rejected = false;
  if (core_.open.fetch_add(1) + 1 > core_.options.max_connections) {
    core_.open.fetch_sub(1);
    core_.metrics.connections_rejected->Inc();
    // Answering 503 is itself bounded: past that, connections are just closed.
    if (core_.rejecting.fetch_add(1) + 1 >
        std::max<size_t>(64, core_.options.max_connections / 8)) {
      core_.rejecting.fetch_sub(1);
      error_code ignored;
      socket.close(ignored);
      return;
    }
    rejected = true;
  } else {
    core_.metrics.connections_open->Inc();
  }
  asio::post(worker->ioc(), [this, worker, rejected, socket = std::move(socket)]() mutable {
    StartSession(core_, *worker, std::move(socket), rejected);
  });
}

}  // namespace kizuna::http::internal
