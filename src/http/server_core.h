#pragma once
// Internal to http/: what the listener (http/listener.h) and the sessions
// (http/session.h) of a Server share. Not part of the server's contract
// (http/server.h is).
//
// - ServerCore: the options, the hooks (handler, body limit, head check,
//   error formatter), the TLS context, the access log, the metric series,
//   the connection counts and the in-flight body budget. Owned by the
//   listener; outlives every session (sessions die with the io_contexts at
//   the latest).
// - Worker: one thread with its io_context, the intrusive list of the
//   sessions it owns and its per-thread metric lookups.
// - Session: what a worker (and the handles of http/session_handles.h) may
//   ask of a connection; every method runs on the connection's thread.
// - Lifeline: lets handles that may outlive the server post to a worker only
//   while it exists.
// - Small wire helpers shared by the pieces.
//
// Thread-safety: ServerCore's atomics may be used from any thread; everything else belongs to one
// worker thread, as noted per class.

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "core/metrics.h"
#include "core/result.h"
#include "http/access_log.h"
#include "http/message.h"
#include "http/server.h"

namespace kizuna::http::internal {

namespace asio = boost::asio;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;
using Executor = asio::io_context::executor_type;

inline constexpr SteadyClock::time_point kNever = SteadyClock::time_point::max();

// ---- wire helpers -------------------------------------------------------------

// The IMF-fixdate of the current second (RFC 9110 §5.6.7), cached per thread.
std::string_view HttpDate();
// A fixed label set for methods: arbitrary method tokens must not create
// metric series.
std::string_view MethodLabel(std::string_view method);
// Handler-supplied header fields must not be able to split the response.
bool IsValidHeader(const Header& h);
// Fields the server writes itself (a handler's copy is skipped).
bool IsManagedHeader(std::string_view lower_name);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string FormatEndpoint(const tcp::endpoint& ep);
// "host:port", "[v6]:port" or "localhost:port" (InvalidArgument otherwise).
Result<tcp::endpoint> ParseListenAddress(std::string_view text);

// ---- Lifeline -----------------------------------------------------------------

// Lets Responders and StreamWriters, which may outlive the server, post to a
// worker's io_context only while it exists. Thread-safe.
class Lifeline {
 public:
  // Runs f unless the server is gone; f may post to or query a worker's
  // executor. Returns false if f did not run.
  template <typename F>
  bool Run(F&& f) {
    users_.fetch_add(1);
    bool alive = !dead_.load();
    if (alive) f();
    users_.fetch_sub(1);
    return alive;
  }
  template <typename F>
  void Post(const Executor& ex, F&& f) {
    Run([&] { asio::post(ex, std::forward<F>(f)); });
  }
  // After this returns, Run never calls its function again. REQUIRES: no
  // worker thread is running.
  void Kill() {
    dead_.store(true);
    while (users_.load() != 0) std::this_thread::yield();
  }

 private:
  std::atomic<int> users_{0};
  std::atomic<bool> dead_{false};
};

// ---- Session ------------------------------------------------------------------

// One connection, as its worker and its handles see it. Lives on one worker
// thread; every method runs there.
class Session : public std::enable_shared_from_this<Session> {
 public:
  virtual ~Session() = default;
  // The handler's response to request `generation` (dropped: the Respond
  // died without a call).
  virtual void OnResponse(uint64_t generation, Response response, bool dropped) = 0;
  // The head check's verdict on request `generation` (nullopt: read the
  // body; dropped: the verdict died without a call).
  virtual void OnHeadVerdict(uint64_t generation, std::optional<Response> verdict,
                             bool dropped) = 0;
  virtual void OnStreamKick() = 0;
  virtual void OnStreamAbort() = 0;
  virtual void OnDeadline() = 0;
  virtual void OnDrain() = 0;
  virtual void Close() = 0;

  // The worker's intrusive list of open sessions, and the reference that
  // keeps an open session alive between I/O operations.
  Session* prev = nullptr;
  Session* next = nullptr;
  std::shared_ptr<Session> self;
  SteadyClock::time_point deadline = kNever;
};

// ---- metrics ------------------------------------------------------------------

// Server-wide metric series.
struct ServerMetrics {
  metrics::CounterFamily* requests = nullptr;
  metrics::HistogramFamily* latency = nullptr;
  metrics::Counter* bytes_in = nullptr;
  metrics::Counter* bytes_out = nullptr;
  metrics::Gauge* connections_open = nullptr;
  metrics::Counter* connections_total = nullptr;
  metrics::Counter* connections_rejected = nullptr;
  metrics::Gauge* streams_open = nullptr;
  metrics::Counter* head_check_rejected = nullptr;
  metrics::Counter* body_budget_rejected = nullptr;
  metrics::Gauge* inflight_body_bytes = nullptr;
};

// ---- Worker -------------------------------------------------------------------

// One thread, one io_context, the sessions it owns, its metric lookups.
// Everything but construction runs on the worker's thread (or after it has
// been joined).
class Worker {
 public:
  explicit Worker(const ServerMetrics& m) : metrics_(m) {}

  asio::io_context& ioc() { return *ioc_; }
  Executor executor() { return ioc_->get_executor(); }

  void Link(Session* s) {
    s->prev = nullptr;
    s->next = head_;
    if (head_) head_->prev = s;
    head_ = s;
  }
  void Unlink(Session* s) {
    if (s->prev) s->prev->next = s->next;
    if (s->next) s->next->prev = s->prev;
    if (head_ == s) head_ = s->next;
    s->prev = s->next = nullptr;
  }
  // Calls f(session) for every open session, robust to f closing it.
  template <typename F>
  void ForEachSession(F f) {
    for (Session* s = head_; s != nullptr;) {
      Session* next = s->next;
      std::shared_ptr<Session> hold = s->self;
      if (hold) f(*hold);
      s = next;
    }
  }

  void CountRequest(std::string_view route, std::string_view method, int status, double seconds);

  const ServerMetrics& metrics() const { return metrics_; }

  // Access-log lines of this thread not yet handed to the log.
  std::string& log_batch() { return log_batch_; }
  void FlushLog(AccessLog* log);

  std::unique_ptr<asio::io_context> ioc_ = std::make_unique<asio::io_context>(1);
  std::unique_ptr<asio::steady_timer> sweep_ = std::make_unique<asio::steady_timer>(*ioc_);
  std::optional<asio::executor_work_guard<Executor>> guard_{ioc_->get_executor()};
  std::thread thread_;

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  const ServerMetrics& metrics_;
  Session* head_ = nullptr;
  std::string key_;
  std::unordered_map<std::string, metrics::Counter*, StringHash, std::equal_to<>> counters_;
  std::unordered_map<std::string, metrics::Histogram*, StringHash, std::equal_to<>> latency_;
  std::string log_batch_;
};

// ---- ServerCore ---------------------------------------------------------------

// Everything the sessions share (see the top of this file).
class ServerCore {
 public:
  ServerOptions options;
  Handler handler;
  BodyLimit body_limit;
  HeadCheck head_check;
  ErrorFormatter error_formatter;
  std::unique_ptr<asio::ssl::context> ssl_ctx;
  std::unique_ptr<AccessLog> access_log;
  ServerMetrics metrics;
  std::shared_ptr<Lifeline> lifeline = std::make_shared<Lifeline>();

  std::atomic<size_t> open{0};       // sessions counted against max_connections
  std::atomic<size_t> rejecting{0};  // sessions answering 503
  std::atomic<bool> stopping{false};
  std::mutex stop_mu;
  std::condition_variable stop_cv;

  // Body bytes reserved by requests in flight, against
  // options.max_inflight_body_bytes.
  std::atomic<uint64_t> inflight_body{0};

  // Reserves `bytes` of the in-flight body budget; false (nothing reserved)
  // if they do not fit. Thread-safe.
  bool ReserveBody(uint64_t bytes);
  // Gives back bytes reserved by ReserveBody. Thread-safe.
  void ReleaseBody(uint64_t bytes);

  void SessionClosed(bool rejected);

  // The Response for an error the server produces itself.
  Response MakeError(int status, std::string_view message, const Request& head) const;
};

}  // namespace kizuna::http::internal
