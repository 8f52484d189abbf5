#include "http/server.h"

#include <fmt/format.h>
#include <malloc.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/error.hpp>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "core/metrics.h"
#include "core/time.h"
#include "http/access_log.h"
#include "http/request_parser.h"
#include "http/stream.h"
#include "http/target.h"
#include "http/websocket.h"

namespace kizuna::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;
using Executor = asio::io_context::executor_type;

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Content";
    case 425:
      return "Too Early";
    case 426:
      return "Upgrade Required";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

namespace {

constexpr size_t kHeaderReadSize = 4096;
constexpr size_t kBodyReadSize = 64 * 1024;
constexpr size_t kKeptBufferBytes = 16 * 1024;
constexpr size_t kMergeBodyForTls = 16 * 1024;
constexpr size_t kMaxLingerBytes = 1024 * 1024;
constexpr size_t kLogBatchBytes = 32 * 1024;
// Largest WebSocket message a client may send (the server only reads
// control frames and discards data).
constexpr size_t kMaxWebSocketInbound = 64 * 1024;
constexpr auto kMaxLinger = std::chrono::milliseconds(2000);
constexpr SteadyClock::time_point kNever = SteadyClock::time_point::max();

// The IMF-fixdate of the current second (RFC 9110 §5.6.7), cached per thread.
std::string_view HttpDate() {
  struct Cache {
    std::time_t second = -1;
    char text[32] = {};
    size_t size = 0;
  };
  thread_local Cache cache;
  std::time_t now = std::time(nullptr);
  if (now != cache.second) {
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm tm{};
    gmtime_r(&now, &tm);
    auto r =
        fmt::format_to_n(cache.text, sizeof(cache.text) - 1,
                         "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT", kDays[tm.tm_wday], tm.tm_mday,
                         kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cache.size = r.size;
    cache.second = now;
  }
  return std::string_view(cache.text, cache.size);
}

// A fixed label set for methods: arbitrary method tokens must not create
// metric series.
std::string_view MethodLabel(std::string_view m) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"})
    if (m == known) return known;
  return "other";
}

bool IsTokenChar(unsigned char c) {
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= '0' && c <= '9') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

// Handler-supplied header fields must not be able to split the response.
bool IsValidHeader(const Header& h) {
  if (h.name.empty()) return false;
  for (unsigned char c : h.name)
    if (!IsTokenChar(c)) return false;
  for (unsigned char c : h.value)
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  return true;
}

bool IsManagedHeader(std::string_view lower_name) {
  return lower_name == "content-length" || lower_name == "date" || lower_name == "connection" ||
         lower_name == "transfer-encoding";
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string FormatEndpoint(const tcp::endpoint& ep) {
  if (ep.address().is_v6()) return fmt::format("[{}]:{}", ep.address().to_string(), ep.port());
  return fmt::format("{}:{}", ep.address().to_string(), ep.port());
}

Result<tcp::endpoint> ParseListenAddress(std::string_view text) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return InvalidArgument(fmt::format("listen address '{}': expected [v6]:port", text));
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos)
      return InvalidArgument(fmt::format("listen address '{}': expected host:port", text));
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return InvalidArgument(fmt::format("listen address '{}': bad port", text));
  int port_number = std::stoi(std::string(port));
  if (port_number > 65535)
    return InvalidArgument(fmt::format("listen address '{}': bad port", text));
  if (host == "localhost") host = "127.0.0.1";
  error_code ec;
  auto address = asio::ip::make_address(std::string(host), ec);
  if (ec)
    return InvalidArgument(
        fmt::format("listen address '{}': host must be a numeric IP address or localhost", text));
  return tcp::endpoint(address, static_cast<uint16_t>(port_number));
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

// Lets Responders and StreamWriters, which may outlive the server, post to a
// worker's io_context only while it exists.
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

class Worker;

// One connection. Lives on one worker thread; every method runs there.
class Session : public std::enable_shared_from_this<Session> {
 public:
  virtual ~Session() = default;
  virtual void OnResponse(uint64_t generation, Response response, bool dropped) = 0;
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

// Completes one request; shared by every copy of its Respond.
class Responder {
 public:
  Responder(std::weak_ptr<Session> session, uint64_t generation, Executor executor,
            std::shared_ptr<Lifeline> lifeline)
      : session_(std::move(session)),
        generation_(generation),
        executor_(executor),
        lifeline_(std::move(lifeline)) {}
  ~Responder() {
    if (!done_.exchange(true)) Deliver(Response(), true);
  }
  void Call(Response response) {
    if (done_.exchange(true)) return;  // "exactly once": later calls are ignored
    Deliver(std::move(response), false);
  }

 private:
  void Deliver(Response response, bool dropped) {
    // The executor is only touched while the server exists (Lifeline).
    lifeline_->Run([&] {
      if (executor_.running_in_this_thread()) {
        if (auto s = session_.lock()) s->OnResponse(generation_, std::move(response), dropped);
        return;
      }
      asio::post(executor_, [weak = session_, generation = generation_,
                             response = std::move(response), dropped]() mutable {
        if (auto s = weak.lock()) s->OnResponse(generation, std::move(response), dropped);
      });
    });
  }

  std::weak_ptr<Session> session_;
  uint64_t generation_;
  Executor executor_;
  std::shared_ptr<Lifeline> lifeline_;
  std::atomic<bool> done_{false};
};

class StreamWriterImpl final : public StreamWriter {
 public:
  StreamWriterImpl(std::weak_ptr<Session> session, Executor executor,
                   std::shared_ptr<Lifeline> lifeline, size_t max_pending)
      : session_(std::move(session)),
        executor_(executor),
        lifeline_(std::move(lifeline)),
        max_pending_(max_pending) {}

  bool Write(std::string chunk) override {
    if (chunk.empty()) return !closed();
    return WriteShared(std::make_shared<const std::string>(std::move(chunk)));
  }

  bool WriteShared(std::shared_ptr<const std::string> chunk) override {
    std::unique_lock<std::mutex> lock(mu_);
    if (ended_ || aborting_ || close_requested_) return false;
    if (!chunk || chunk->empty()) return true;
    if (chunk->size() > max_pending_ - pending_) {
      aborting_ = true;
      lock.unlock();
      Post(&Session::OnStreamAbort);
      return false;
    }
    pending_ += chunk->size();
    queue_.push_back(std::move(chunk));
    bool kick = !kick_posted_;
    kick_posted_ = true;
    lock.unlock();
    if (kick) Post(&Session::OnStreamKick);
    return true;
  }

  void Close() override {
    std::unique_lock<std::mutex> lock(mu_);
    if (ended_ || close_requested_) return;
    close_requested_ = true;
    bool kick = !kick_posted_;
    kick_posted_ = true;
    lock.unlock();
    if (kick) Post(&Session::OnStreamKick);
  }

  void Abort() override {
    std::unique_lock<std::mutex> lock(mu_);
    if (ended_ || aborting_) return;
    aborting_ = true;
    lock.unlock();
    Post(&Session::OnStreamAbort);
  }

  void SetClosedCallback(std::function<void()> callback) override {
    std::unique_lock<std::mutex> lock(mu_);
    if (ended_) {
      lock.unlock();
      if (callback) callback();
      return;
    }
    callback_ = std::move(callback);
  }

  bool closed() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return ended_ || aborting_ || close_requested_;
  }

  size_t pending_bytes() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return pending_;
  }

  // Session side (connection thread).
  void TakeQueued(std::vector<std::shared_ptr<const std::string>>* out, bool* close_requested) {
    std::lock_guard<std::mutex> lock(mu_);
    kick_posted_ = false;
    out->swap(queue_);
    *close_requested = close_requested_;
  }
  void Release(size_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_ -= std::min(bytes, pending_);
  }
  void MarkEnded() {
    std::unique_lock<std::mutex> lock(mu_);
    if (ended_) return;
    ended_ = true;
    queue_.clear();
    pending_ = 0;
    std::function<void()> callback = std::move(callback_);
    callback_ = nullptr;
    lock.unlock();
    if (callback) {
      try {
        callback();
      } catch (const std::exception& e) {
        spdlog::warn("http: stream closed-callback threw: {}", e.what());
      } catch (...) {
        spdlog::warn("http: stream closed-callback threw");
      }
    }
  }

 private:
  void Post(void (Session::*method)()) {
    lifeline_->Post(executor_, [weak = session_, method] {
      if (auto s = weak.lock()) ((*s).*method)();
    });
  }

  const std::weak_ptr<Session> session_;
  const Executor executor_;
  const std::shared_ptr<Lifeline> lifeline_;
  const size_t max_pending_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<const std::string>> queue_;  // guarded by mu_
  size_t pending_ = 0;              // queued + being written; guarded by mu_
  bool kick_posted_ = false;        // guarded by mu_
  bool close_requested_ = false;    // guarded by mu_
  bool aborting_ = false;           // guarded by mu_
  bool ended_ = false;              // guarded by mu_
  std::function<void()> callback_;  // guarded by mu_
};

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
};

// One thread, one io_context, the sessions it owns, its metric lookups.
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

  void CountRequest(std::string_view route, std::string_view method, int status, double seconds) {
    key_.assign(route);
    key_.push_back('\x1f');
    key_.append(method);
    key_.push_back('\x1f');
    char code[8];
    auto r = fmt::format_to_n(code, sizeof(code), "{}", status);
    std::string_view code_sv(code, r.size);
    key_.append(code_sv);
    auto it = counters_.find(std::string_view(key_));
    if (it == counters_.end())
      it = counters_.emplace(key_, &metrics_.requests->WithLabels({route, method, code_sv})).first;
    it->second->Inc();
    auto hit = latency_.find(route);
    if (hit == latency_.end())
      hit = latency_.emplace(std::string(route), &metrics_.latency->WithLabels({route})).first;
    hit->second->Observe(seconds);
  }

  const ServerMetrics& metrics() const { return metrics_; }

  // Access-log lines of this thread not yet handed to the log.
  std::string& log_batch() { return log_batch_; }
  void FlushLog(AccessLog* log) {
    if (log_batch_.empty()) return;
    log_batch_.pop_back();  // the sink ends the batch with its own newline
    log->WriteLines(log_batch_);
    log_batch_.clear();
  }

  std::unique_ptr<asio::io_context> ioc_ = std::make_unique<asio::io_context>(1);
  std::unique_ptr<asio::steady_timer> sweep_ = std::make_unique<asio::steady_timer>(*ioc_);
  std::optional<asio::executor_work_guard<Executor>> guard_{ioc_->get_executor()};
  std::thread thread_;

 private:
  const ServerMetrics& metrics_;
  Session* head_ = nullptr;
  std::string key_;
  std::unordered_map<std::string, metrics::Counter*, StringHash, std::equal_to<>> counters_;
  std::unordered_map<std::string, metrics::Histogram*, StringHash, std::equal_to<>> latency_;
  std::string log_batch_;
};

// Everything the sessions share. Outlives every session (sessions die with
// the io_contexts at the latest).
class ServerCore {
 public:
  ServerOptions options;
  Handler handler;
  BodyLimit body_limit;
  ErrorFormatter error_formatter;
  std::unique_ptr<ssl::context> ssl_ctx;
  std::unique_ptr<AccessLog> access_log;
  ServerMetrics metrics;
  std::shared_ptr<Lifeline> lifeline = std::make_shared<Lifeline>();

  std::atomic<size_t> open{0};       // sessions counted against max_connections
  std::atomic<size_t> rejecting{0};  // sessions answering 503
  std::atomic<bool> stopping{false};
  std::mutex stop_mu;
  std::condition_variable stop_cv;

  void SessionClosed(bool rejected) {
    size_t left;
    if (rejected) {
      rejecting.fetch_sub(1);
      left = open.load() + rejecting.load();
    } else {
      metrics.connections_open->Dec();
      open.fetch_sub(1);
      left = open.load() + rejecting.load();
    }
    if (left == 0 && stopping.load()) {
      std::lock_guard<std::mutex> lock(stop_mu);
      stop_cv.notify_all();
    }
  }

  // The Response for an error the server produces itself.
  Response MakeError(int status, std::string_view message, const Request& head) const {
    Response r;
    bool formatted = false;
    if (error_formatter) {
      try {
        r = error_formatter(status, message, head);
        formatted = true;
      } catch (const std::exception& e) {
        spdlog::warn("http: error formatter threw: {}", e.what());
      } catch (...) {
        spdlog::warn("http: error formatter threw");
      }
    }
    if (!formatted) {
      r = Response();
      r.status = status;
      r.SetHeader("content-type", "text/plain; charset=utf-8");
      r.body = std::string(message);
      r.body.push_back('\n');
    }
    r.stream = nullptr;
    if (status == 503) r.SetHeader("retry-after", "1");
    return r;
  }
};

template <typename Stream>
class SessionImpl final : public Session {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, tcp::socket>;

  SessionImpl(ServerCore& core, Worker& worker, Stream stream, std::string remote, bool rejected)
      : core_(core),
        worker_(worker),
        stream_(std::move(stream)),
        remote_(std::move(remote)),
        rejected_(rejected) {}

  void Start() {
    self = shared_from_this();
    worker_.Link(this);
    if (rejected_) {
      // Plain HTTP gets a 503; a TLS handshake would cost more than the
      // connection is worth, so TLS connections are just closed.
      if constexpr (kTls) {
        Close();
      } else {
        SendServerError(503, "too many connections");
      }
      return;
    }
    if constexpr (kTls) {
      phase_ = Phase::kHandshake;
      deadline = SteadyClock::now() + core_.options.read_header_timeout;
      stream_.async_handshake(ssl::stream_base::server, [s = Self()](const error_code& ec) {
        if (s->phase_ != Phase::kHandshake) return;
        if (ec) return s->Close();
        s->StartRequest();
      });
    } else {
      StartRequest();
    }
  }

  void OnResponse(uint64_t generation, Response response, bool dropped) override {
    if (phase_ != Phase::kHandling || generation != generation_) return;
    if (dropped) {
      response = core_.MakeError(500, "the request handler did not respond", request_);
    }
    if (response.stream) return StartStream(std::move(response));
    WriteResponse(std::move(response), !keep_alive_);
  }

  void OnStreamKick() override {
    if (phase_ != Phase::kStreaming || stream_writing_) return;
    StreamWriteNext();
  }

  void OnStreamAbort() override {
    if (phase_ != Phase::kStreaming) return;
    EndStream();
  }

  void OnDeadline() override {
    switch (phase_) {
      case Phase::kHeader:
      case Phase::kBody: {
        // The pending read completes with operation_aborted and answers 408.
        deadline = kNever;
        timed_out_ = true;
        error_code ignored;
        beast::get_lowest_layer(stream_).cancel(ignored);
        break;
      }
      case Phase::kStreaming:
        EndStream();
        break;
      case Phase::kHandling:
        deadline = kNever;
        break;
      default:
        Close();
    }
  }

  void OnDrain() override {
    draining_ = true;
    keep_alive_ = false;
    if (phase_ == Phase::kIdle || phase_ == Phase::kHandshake) {
      Close();
    } else if (phase_ == Phase::kStreaming && writer_) {
      writer_->Close();
    }
  }

  void Close() override {
    if (phase_ == Phase::kClosed) return;
    bool was_streaming = phase_ == Phase::kStreaming;
    phase_ = Phase::kClosed;
    deadline = kNever;
    worker_.Unlink(this);
    core_.SessionClosed(rejected_);
    error_code ignored;
    beast::get_lowest_layer(stream_).close(ignored);
    if (writer_) {
      if (was_streaming) RecordRequest();
      core_.metrics.streams_open->Dec();
      auto writer = writer_;
      writer->MarkEnded();
    }
    std::shared_ptr<Session> keep = std::move(self);  // may destroy *this on return
  }

 private:
  enum class Phase {
    kHandshake,  // TLS handshake
    kIdle,       // waiting for the first byte of a request
    kHeader,     // reading a request header
    kBody,       // reading a request body (or writing 100 Continue)
    kHandling,   // the handler has the request
    kWriting,    // writing a response
    kStreaming,  // a streamed response is open
    kLingering,  // closing: our side shut down, draining the peer's bytes
    kClosed,
  };

  std::shared_ptr<SessionImpl> Self() {
    return std::static_pointer_cast<SessionImpl>(shared_from_this());
  }

  void StartRequest() {
    request_ = Request();
    request_.remote_address = remote_;
    request_.tls = kTls;
    parser_.emplace(&request_, core_.options.max_header_bytes);
    header_done_ = false;
    bytes_in_request_ = 0;
    bytes_out_request_ = 0;
    status_ = 0;
    route_.clear();
    principal_.clear();
    if (buffer_.size() > 0) {
      BeginHeader();
      Parse();
      return;
    }
    if (buffer_.capacity() > kKeptBufferBytes) buffer_.shrink_to_fit();
    phase_ = Phase::kIdle;
    deadline = SteadyClock::now() +
               (first_request_ ? core_.options.read_header_timeout : core_.options.idle_timeout);
    ReadMore();
  }

  void BeginHeader() {
    phase_ = Phase::kHeader;
    request_start_ = SteadyClock::now();
    if (core_.access_log->enabled()) request_wall_micros_ = SystemClock::Get().NowMicros();
    deadline = request_start_ + core_.options.read_header_timeout;
  }

  void ReadMore() {
    size_t size = phase_ == Phase::kBody ? kBodyReadSize : kHeaderReadSize;
    stream_.async_read_some(buffer_.prepare(size),
                            [s = Self()](const error_code& ec, size_t n) { s->OnRead(ec, n); });
  }

  void OnRead(const error_code& ec, size_t n) {
    if (phase_ == Phase::kClosed) return;
    if (timed_out_) {
      timed_out_ = false;
      return SendServerError(408, phase_ == Phase::kBody ? "timed out reading the request body"
                                                         : "timed out reading the request header");
    }
    if (ec) return Close();
    buffer_.commit(n);
    core_.metrics.bytes_in->Inc(n);
    if (phase_ == Phase::kIdle) BeginHeader();
    Parse();
  }

  void Parse() {
    while (buffer_.size() > 0) {
      beast::error_code ec;
      size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      bytes_in_request_ += used;
      if (ec == bhttp::error::need_more) break;
      if (ec) return ParseFailed(ec);
      if (!header_done_ && parser_->is_header_done()) {
        header_done_ = true;
        if (!OnHeaderDone()) return;
      }
      if (parser_->is_done()) return Dispatch();
      if (used == 0) break;
    }
    ReadMore();
  }

  void ParseFailed(const beast::error_code& ec) {
    if (ec == bhttp::error::header_limit) return SendServerError(431, "request header too large");
    if (ec == bhttp::error::body_limit) return SendServerError(413, BodyLimitMessage());
    if (ec == bhttp::error::bad_version) return SendServerError(505, "HTTP version not supported");
    SendServerError(400, fmt::format("malformed request: {}", ec.message()));
  }

  std::string BodyLimitMessage() const {
    return fmt::format("request body is larger than the limit of {} bytes", body_limit_);
  }

  // Returns false if it took over (error or 100 Continue being written).
  bool OnHeaderDone() {
    std::string_view message;
    if (int status = parser_->FramingError(&message); status != 0) {
      SendServerError(status, message);
      return false;
    }
    if (Status st = ParseTarget(request_.target, &request_.path, &request_.raw_query); !st.ok()) {
      SendServerError(400, st.message());
      return false;
    }
    body_limit_ = core_.options.default_body_limit;
    if (core_.body_limit) {
      int64_t limit = -1;
      try {
        limit = core_.body_limit(request_);
      } catch (const std::exception& e) {
        spdlog::warn("http: body limit hook threw: {}", e.what());
        SendServerError(500, "internal error");
        return false;
      }
      if (limit >= 0) body_limit_ = static_cast<uint64_t>(limit);
    }
    parser_->set_request_body_limit(body_limit_);
    if (uint64_t length = 0; parser_->DeclaredLength(&length) && length > body_limit_) {
      SendServerError(413, BodyLimitMessage());
      return false;
    }
    parser_->eager(true);
    if (parser_->is_done()) return true;
    phase_ = Phase::kBody;
    deadline = SteadyClock::now() + core_.options.read_body_timeout;
    // RFC 9110 §10.1.1: a client that sent Expect: 100-continue waits for
    // this interim response before it sends the body.
    if (parser_->expects_continue() && parser_->http_version() >= 11 && buffer_.size() == 0) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [s = Self()](const error_code& ec, size_t n) {
                          if (s->phase_ != Phase::kBody) return;
                          if (ec) return s->Close();
                          s->bytes_out_request_ += n;
                          s->core_.metrics.bytes_out->Inc(n);
                          s->Parse();
                        });
      return false;
    }
    return true;
  }

  void Dispatch() {
    phase_ = Phase::kHandling;
    deadline = kNever;
    keep_alive_ = parser_->keep_alive() && !draining_;
    version_ = parser_->http_version();
    method_.assign(request_.method);
    is_head_ = method_ == "HEAD";
    if (core_.access_log->enabled()) {
      path_.assign(request_.path);
      query_.assign(request_.raw_query);
    }
    ws_key_.clear();
    if (version_ >= 11 && ws::IsUpgradeRequest(request_)) {
      ws_key_ = *request_.FindHeader("sec-websocket-key");
    }
    ++generation_;
    auto responder = std::make_shared<Responder>(weak_from_this(), generation_, worker_.executor(),
                                                 core_.lifeline);
    Respond respond = [responder = std::move(responder)](Response r) {
      responder->Call(std::move(r));
    };
    // A handler that throws, or returns without keeping `respond`, drops its
    // Respond: the Responder's destructor then answers 500.
    try {
      core_.handler(std::move(request_), std::move(respond));
    } catch (const std::exception& e) {
      spdlog::error("http: handler threw: {}", e.what());
    } catch (...) {
      spdlog::error("http: handler threw");
    }
  }

  void SendServerError(int status, std::string_view message) {
    keep_alive_ = false;
    if (method_.empty()) method_.assign(request_.method);
    if (core_.access_log->enabled()) {
      path_.assign(request_.path);
      query_.assign(request_.raw_query);
    }
    if (phase_ == Phase::kIdle || request_start_ == SteadyClock::time_point()) BeginHeader();
    WriteResponse(core_.MakeError(status, message, request_), /*close=*/true);
  }

  // Serializes the status line and header fields into head_.
  // Returns false for a response the server must not send: a status outside
  // 200-599 (interim responses are the server's own business) or a header
  // field that could split the response.
  bool SerializeHead(Response& r, bool close, bool streaming) {
    if (r.status < 200 || r.status > 599) return false;
    for (const Header& h : r.headers)
      if (!IsValidHeader(h)) return false;
    head_.clear();
    fmt::format_to(std::back_inserter(head_), "HTTP/1.1 {} {}\r\n", r.status,
                   ReasonPhrase(r.status));
    for (const Header& h : r.headers) {
      if (IsManagedHeader(h.name)) continue;
      head_.append(h.name);
      head_.append(": ");
      head_.append(h.value);
      head_.append("\r\n");
    }
    bool no_body = r.status < 200 || r.status == 204 || r.status == 304;
    if (streaming) {
      if (version_ >= 11) head_.append("Transfer-Encoding: chunked\r\n");
    } else if (!no_body) {
      fmt::format_to(std::back_inserter(head_), "Content-Length: {}\r\n", r.body.size());
    }
    head_.append("Date: ");
    head_.append(HttpDate());
    if (close) {
      head_.append("\r\nConnection: close\r\n\r\n");
    } else if (version_ < 11) {
      head_.append("\r\nConnection: keep-alive\r\n\r\n");
    } else {
      head_.append("\r\n\r\n");
    }
    return true;
  }

  void WriteResponse(Response r, bool close) {
    for (const Header& h : r.headers)
      if (h.name == "connection" && EqualsIgnoreCase(h.value, "close")) close = true;
    if (!SerializeHead(r, close, /*streaming=*/false)) {
      spdlog::error("http: handler produced an invalid status or header field; answering 500");
      r = core_.MakeError(500, "internal error: invalid response", request_);
      close = true;
      SerializeHead(r, close, false);
    }
    status_ = r.status;
    route_ = std::move(r.route);
    principal_ = std::move(r.principal);
    bool no_body = r.status < 200 || r.status == 204 || r.status == 304;
    body_.clear();
    if (!no_body && !is_head_) {
      if (kTls && r.body.size() <= kMergeBodyForTls) {
        head_.append(r.body);  // one TLS record instead of two
      } else {
        body_ = std::move(r.body);
      }
    }
    close_after_ = close;
    phase_ = Phase::kWriting;
    deadline = SteadyClock::now() + core_.options.write_timeout;
    std::array<asio::const_buffer, 2> buffers = {asio::buffer(head_), asio::buffer(body_)};
    asio::async_write(stream_, buffers, [s = Self()](const error_code& ec, size_t n) {
      s->OnResponseWritten(ec, n);
    });
  }

  void OnResponseWritten(const error_code& ec, size_t n) {
    if (phase_ != Phase::kWriting) return;
    bytes_out_request_ += n;
    core_.metrics.bytes_out->Inc(n);
    RecordRequest();
    if (body_.capacity() > 0) std::string().swap(body_);
    if (ec) return Close();
    if (close_after_ || draining_) return LingerClose();
    first_request_ = false;
    StartRequest();
  }

  void RecordRequest() {
    auto end = SteadyClock::now();
    auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(end - request_start_).count();
    std::string_view route = route_.empty() ? std::string_view("other") : std::string_view(route_);
    worker_.CountRequest(route, MethodLabel(method_), status_, static_cast<double>(micros) / 1e6);
    if (core_.access_log->enabled()) {
      AccessRecord rec;
      rec.time_micros = request_wall_micros_;
      rec.remote = remote_;
      rec.tls = kTls;
      rec.method = method_;
      rec.path = path_;
      rec.query = query_;
      rec.route = route;
      rec.status = status_;
      rec.bytes_in = bytes_in_request_;
      rec.bytes_out = bytes_out_request_;
      rec.duration_us = micros;
      rec.principal = principal_;
      std::string& batch = worker_.log_batch();
      AccessLog::AppendLine(&batch, rec);
      batch.push_back('\n');
      if (batch.size() >= kLogBatchBytes) worker_.FlushLog(core_.access_log.get());
    }
    method_.clear();
  }

  // Closes after a response that ends the connection: shut our side down,
  // then read and discard what the peer still sends (for a bounded time and
  // size), so that closing with unread data does not reset the connection
  // before the peer has read our response (RFC 9112 §9.6).
  void LingerClose() {
    phase_ = Phase::kLingering;
    deadline = SteadyClock::now() +
               std::min<std::chrono::milliseconds>(kMaxLinger, core_.options.idle_timeout);
    error_code ignored;
    auto& socket = beast::get_lowest_layer(stream_);
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    lingered_ = 0;
    buffer_.clear();
    Drain();
  }

  void Drain() {
    auto& socket = beast::get_lowest_layer(stream_);
    socket.async_read_some(buffer_.prepare(kHeaderReadSize),
                           [s = Self()](const error_code& ec, size_t n) {
                             if (s->phase_ != Phase::kLingering) return;
                             s->lingered_ += n;
                             if (ec || s->lingered_ > kMaxLingerBytes) return s->Close();
                             s->Drain();
                           });
  }

  // --- Streaming ---

  void StartStream(Response r) {
    websocket_ = r.websocket;
    bool allowed = websocket_ ? !ws_key_.empty() && SerializeUpgradeHead(r)
                              : !is_head_ && r.status >= 200 && r.status != 204 &&
                                    r.status != 304 && SerializeHead(r, /*close=*/true, /*streaming=*/true);
    if (!allowed) {
      spdlog::error("http: invalid streamed response; answering 500");
      websocket_ = false;
      return WriteResponse(
          core_.MakeError(500, "internal error: invalid streamed response", request_), true);
    }
    chunked_ = !websocket_ && version_ >= 11;
    if (websocket_) {
      status_ = 101;
      ws_decoder_.emplace(/*require_mask=*/true, kMaxWebSocketInbound);
      if (!r.body.empty()) ws::AppendFrame(&head_, ws::Opcode::kText, r.body);
    } else if (!r.body.empty()) {
      AppendChunk(&head_, r.body);
    }
    if (!websocket_) status_ = r.status;
    route_ = std::move(r.route);
    principal_ = std::move(r.principal);
    auto on_open = std::move(r.stream);
    writer_ =
        std::make_shared<StreamWriterImpl>(weak_from_this(), worker_.executor(), core_.lifeline,
                                           core_.options.max_stream_pending_bytes);
    core_.metrics.streams_open->Inc();
    phase_ = Phase::kStreaming;
    stream_writing_ = true;
    batch_bytes_ = 0;
    deadline = SteadyClock::now() + core_.options.write_timeout;
    asio::async_write(stream_, asio::buffer(head_),
                      [s = Self()](const error_code& ec, size_t n) { s->OnStreamWritten(ec, n); });
    buffer_.clear();
    StreamRead();
    try {
      on_open(writer_);
    } catch (const std::exception& e) {
      spdlog::error("http: stream open callback threw: {}", e.what());
      EndStream();
    } catch (...) {
      spdlog::error("http: stream open callback threw");
      EndStream();
    }
  }

  // RFC 6455 §4.2.2: the server's opening handshake.
  bool SerializeUpgradeHead(const Response& r) {
    for (const Header& h : r.headers)
      if (!IsValidHeader(h)) return false;
    head_.clear();
    head_.append(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: ");
    head_.append(ws::AcceptKey(ws_key_));
    head_.append("\r\n");
    for (const Header& h : r.headers) {
      if (IsManagedHeader(h.name) || h.name == "upgrade" || h.name == "sec-websocket-accept")
        continue;
      head_.append(h.name);
      head_.append(": ");
      head_.append(h.value);
      head_.append("\r\n");
    }
    head_.append("\r\n");
    return true;
  }

  void AppendChunk(std::string* out, std::string_view data) {
    if (chunked_) fmt::format_to(std::back_inserter(*out), "{:x}\r\n", data.size());
    out->append(data);
    if (chunked_) out->append("\r\n");
  }

  // Keeps a read pending to notice the peer going away; bytes it sends on a
  // streamed response are discarded.
  void StreamRead() {
    stream_.async_read_some(buffer_.prepare(kHeaderReadSize),
                            [s = Self()](const error_code& ec, size_t n) {
                              if (s->phase_ != Phase::kStreaming) return;
                              if (ec) return s->EndStream();
                              s->core_.metrics.bytes_in->Inc(n);
                              if (s->websocket_) {
                                s->buffer_.commit(n);
                                s->OnWebSocketBytes();
                              }
                              s->buffer_.clear();
                              if (s->phase_ != Phase::kStreaming) return;
                              s->StreamRead();
                            });
  }

  // Frames from a WebSocket client: pings get pongs, a close gets a close
  // (then the stream ends), data messages are discarded, a protocol error
  // gets close 1002.
  void OnWebSocketBytes() {
    if (ws_closing_) return;
    std::vector<ws::Frame> frames;
    auto data = buffer_.data();
    Status st = ws_decoder_->Feed(
        std::string_view(static_cast<const char*>(data.data()), data.size()), &frames);
    for (const ws::Frame& f : frames) {
      if (f.opcode == ws::Opcode::kPing) {
        ws::AppendFrame(&ws_control_, ws::Opcode::kPong, f.payload);
      } else if (f.opcode == ws::Opcode::kClose) {
        ws::AppendFrame(&ws_control_, ws::Opcode::kClose, ws::ClosePayload(1000));
        ws_closing_ = true;
        break;
      }
    }
    if (!st.ok() && !ws_closing_) {
      ws::AppendFrame(&ws_control_, ws::Opcode::kClose, ws::ClosePayload(1002, "protocol error"));
      ws_closing_ = true;
    }
    if (!ws_control_.empty() && !stream_writing_) StreamWriteNext();
  }

  void StreamWriteNext() {
    bool close_requested = false;
    batch_.clear();
    writer_->TakeQueued(&batch_, &close_requested);
    if (websocket_) return WebSocketWriteNext(close_requested);
    if (batch_.empty()) {
      if (close_requested) {
        if (!chunked_) return EndStream();
        static constexpr std::string_view kLastChunk = "0\r\n\r\n";
        stream_writing_ = true;
        final_chunk_ = true;
        batch_bytes_ = 0;
        deadline = SteadyClock::now() + core_.options.write_timeout;
        asio::async_write(
            stream_, asio::buffer(kLastChunk.data(), kLastChunk.size()),
            [s = Self()](const error_code& ec, size_t n) { s->OnStreamWritten(ec, n); });
      }
      return;
    }
    // Chunk-size lines go into one string, built before any buffer points
    // into it.
    chunk_heads_.clear();
    std::vector<size_t> head_ends;
    head_ends.reserve(batch_.size());
    batch_bytes_ = 0;
    for (const auto& c : batch_) {
      if (chunked_) fmt::format_to(std::back_inserter(chunk_heads_), "{:x}\r\n", c->size());
      head_ends.push_back(chunk_heads_.size());
      batch_bytes_ += c->size();
    }
    buffers_.clear();
    size_t start = 0;
    for (size_t i = 0; i < batch_.size(); ++i) {
      if (chunked_)
        buffers_.push_back(asio::buffer(chunk_heads_.data() + start, head_ends[i] - start));
      buffers_.push_back(asio::buffer(*batch_[i]));
      if (chunked_) buffers_.push_back(asio::buffer("\r\n", 2));
      start = head_ends[i];
    }
    stream_writing_ = true;
    deadline = SteadyClock::now() + core_.options.write_timeout;
    asio::async_write(stream_, buffers_,
                      [s = Self()](const error_code& ec, size_t n) { s->OnStreamWritten(ec, n); });
  }

  // One write of pending control frames and queued messages. A close frame
  // (ours or the answer to the client's) is the last thing written.
  void WebSocketWriteNext(bool close_requested) {
    if (ws_closing_) batch_.clear();  // nothing follows a close frame
    if (close_requested && !ws_closing_) {
      ws_closing_ = true;
      close_after_batch_ = true;
    }
    if (batch_.empty() && ws_control_.empty() && !close_after_batch_) return;
    chunk_heads_.clear();
    chunk_heads_.swap(ws_control_);
    std::vector<size_t> head_ends;
    head_ends.reserve(batch_.size());
    size_t control_end = chunk_heads_.size();
    batch_bytes_ = 0;
    for (const auto& c : batch_) {
      ws::AppendFrameHeader(&chunk_heads_, ws::Opcode::kText, c->size());
      head_ends.push_back(chunk_heads_.size());
      batch_bytes_ += c->size();
    }
    if (close_after_batch_) {
      ws_close_frame_.clear();
      ws::AppendFrame(&ws_close_frame_, ws::Opcode::kClose, ws::ClosePayload(1000));
    }
    buffers_.clear();
    if (control_end > 0) buffers_.push_back(asio::buffer(chunk_heads_.data(), control_end));
    size_t start = control_end;
    for (size_t i = 0; i < batch_.size(); ++i) {
      buffers_.push_back(asio::buffer(chunk_heads_.data() + start, head_ends[i] - start));
      buffers_.push_back(asio::buffer(*batch_[i]));
      start = head_ends[i];
    }
    if (close_after_batch_) buffers_.push_back(asio::buffer(ws_close_frame_));
    // A close frame ends the stream once it is written.
    final_chunk_ = ws_closing_;
    stream_writing_ = true;
    deadline = SteadyClock::now() + core_.options.write_timeout;
    asio::async_write(stream_, buffers_,
                      [s = Self()](const error_code& ec, size_t n) { s->OnStreamWritten(ec, n); });
  }

  void OnStreamWritten(const error_code& ec, size_t n) {
    if (phase_ != Phase::kStreaming) return;
    stream_writing_ = false;
    deadline = kNever;
    bytes_out_request_ += n;
    core_.metrics.bytes_out->Inc(n);
    writer_->Release(batch_bytes_);
    batch_bytes_ = 0;
    batch_.clear();
    if (ec) return EndStream();
    if (final_chunk_) return EndStream();
    StreamWriteNext();
  }

  // Ends a stream: after the last chunk (graceful) or on error, overflow,
  // peer close or timeout. Close() records the request, ends the writer and
  // runs its closed-callback. A graceful end closes without lingering: the
  // stream read has been consuming the peer's bytes all along.
  void EndStream() {
    if (phase_ != Phase::kStreaming) return;
    Close();
  }

  ServerCore& core_;
  Worker& worker_;
  Stream stream_;
  const std::string remote_;
  const bool rejected_;

  Phase phase_ = Phase::kIdle;
  beast::flat_buffer buffer_;
  Request request_;
  std::optional<RequestParser> parser_;
  bool header_done_ = false;
  bool first_request_ = true;
  bool timed_out_ = false;
  bool draining_ = false;
  bool keep_alive_ = true;
  bool close_after_ = false;
  bool is_head_ = false;
  int version_ = 11;
  uint64_t body_limit_ = 0;
  uint64_t generation_ = 0;

  // The response being written.
  std::string head_;
  std::string body_;
  int status_ = 0;
  std::string route_;
  std::string principal_;

  // For metrics and the access log.
  SteadyClock::time_point request_start_{};
  int64_t request_wall_micros_ = 0;
  uint64_t bytes_in_request_ = 0;
  uint64_t bytes_out_request_ = 0;
  std::string method_;
  std::string path_;
  std::string query_;
  size_t lingered_ = 0;

  // Streaming.
  std::shared_ptr<StreamWriterImpl> writer_;
  bool chunked_ = true;
  bool stream_writing_ = false;
  bool final_chunk_ = false;
  std::vector<std::shared_ptr<const std::string>> batch_;
  size_t batch_bytes_ = 0;
  std::string chunk_heads_;
  std::vector<asio::const_buffer> buffers_;

  // WebSocket (RFC 6455) after an upgrade.
  std::string ws_key_;          // Sec-WebSocket-Key of the current request, if an upgrade
  bool websocket_ = false;
  std::optional<ws::FrameDecoder> ws_decoder_;
  std::string ws_control_;      // control frames waiting to be written
  std::string ws_close_frame_;
  bool ws_closing_ = false;     // a close frame is queued or written: nothing more is sent
  bool close_after_batch_ = false;
};

bool IsLoopback(const tcp::endpoint& ep) { return ep.address().is_loopback(); }

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, Handler handler, BodyLimit body_limit, ErrorFormatter formatter) {
    core_.options = std::move(options);
    core_.handler = std::move(handler);
    core_.body_limit = std::move(body_limit);
    core_.error_formatter = std::move(formatter);
  }
  ~Impl() { Stop(); }

  Status Start() {
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
        Status st =
            IoError(fmt::format("cannot listen on {}: {}", FormatEndpoint(ep), ec.message()));
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

  void Stop() {
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

  bool running() const { return running_; }
  std::vector<std::string> listening() const {
    std::vector<std::string> out;
    for (const auto& ep : bound_) out.push_back(FormatEndpoint(ep));
    return out;
  }
  uint16_t port(size_t i) const { return i < bound_.size() ? bound_[i].port() : 0; }
  size_t open_connections() const { return core_.open.load(); }

 private:
  Status MakeTlsContext() {
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

  void RegisterMetrics() {
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
    m.bytes_in =
        &r.AddCounter("kizuna_http_received_bytes_total", "Bytes read from clients.").Get();
    m.bytes_out = &r.AddCounter("kizuna_http_sent_bytes_total", "Bytes written to clients.").Get();
    m.connections_open = &r.AddGauge("kizuna_http_connections_open", "Open connections.").Get();
    m.connections_total =
        &r.AddCounter("kizuna_http_connections_total", "Connections accepted.").Get();
    m.connections_rejected = &r.AddCounter("kizuna_http_connections_rejected_total",
                                           "Connections refused over the connection limit.")
                                  .Get();
    m.streams_open = &r.AddGauge("kizuna_http_streams_open", "Streamed responses open.").Get();
  }

  void ScheduleSweep(Worker* worker) {
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

  void Accept(size_t i) {
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

  void OnAccepted(Worker* worker, tcp::socket socket) {
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
      StartSession(worker, std::move(socket), rejected);
    });
  }

  void StartSession(Worker* worker, tcp::socket socket, bool rejected) {
    error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    tcp::endpoint remote = socket.remote_endpoint(ec);
    if (ec || (core_.stopping && !rejected)) {
      socket.close(ec);
      core_.SessionClosed(rejected);
      return;
    }
    std::string remote_text = FormatEndpoint(remote);
    if (core_.ssl_ctx) {
      auto s = std::make_shared<SessionImpl<ssl::stream<tcp::socket>>>(
          core_, *worker, ssl::stream<tcp::socket>(std::move(socket), *core_.ssl_ctx),
          std::move(remote_text), rejected);
      s->Start();
    } else {
      auto s = std::make_shared<SessionImpl<tcp::socket>>(core_, *worker, std::move(socket),
                                                          std::move(remote_text), rejected);
      s->Start();
    }
  }

  ServerCore core_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors_;
  std::vector<tcp::endpoint> bound_;
  std::atomic<size_t> next_worker_{0};
  std::chrono::milliseconds sweep_interval_{100};
  bool running_ = false;
};

Server::Server(ServerOptions options, Handler handler, BodyLimit body_limit,
               ErrorFormatter error_formatter)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), std::move(body_limit),
                                   std::move(error_formatter))) {}

Server::~Server() = default;

Status Server::Start() { return impl_->Start(); }
void Server::Stop() { impl_->Stop(); }
bool Server::running() const { return impl_->running(); }
std::vector<std::string> Server::listening() const { return impl_->listening(); }
uint16_t Server::port(size_t i) const { return impl_->port(i); }
size_t Server::open_connections() const { return impl_->open_connections(); }

}  // namespace kizuna::http
