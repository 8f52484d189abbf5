#include "http/session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/error.hpp>

#include "core/time.h"
#include "http/target.h"

namespace kizuna::http::internal {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;

template <typename Stream>
void SessionImpl<Stream>::Start() {
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

template <typename Stream>
void SessionImpl<Stream>::OnResponse(uint64_t generation, Response response, bool dropped) {
  if (phase_ != Phase::kHandling || generation != generation_) return;
  if (dropped) {
    response = core_.MakeError(500, "the request handler did not respond", request_);
  }
  if (response.stream) return StartStream(std::move(response));
  WriteResponse(std::move(response), !keep_alive_);
}

template <typename Stream>
void SessionImpl<Stream>::OnDeadline() {
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
    case Phase::kHeadCheck:
      // No read is pending: answer now; the late verdict is ignored.
      SendServerError(503, "the request could not be checked in time");
      break;
    case Phase::kHandling:
      deadline = kNever;
      break;
    default:
      Close();
  }
}

template <typename Stream>
void SessionImpl<Stream>::OnDrain() {
  draining_ = true;
  keep_alive_ = false;
  if (phase_ == Phase::kIdle || phase_ == Phase::kHandshake) {
    Close();
  } else if (phase_ == Phase::kStreaming && writer_) {
    writer_->Close();
  }
}

template <typename Stream>
void SessionImpl<Stream>::Close() {
  if (phase_ == Phase::kClosed) return;
  bool was_streaming = phase_ == Phase::kStreaming;
  phase_ = Phase::kClosed;
  deadline = kNever;
  worker_.Unlink(this);
  ReleaseBody();
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

template <typename Stream>
void SessionImpl<Stream>::StartRequest() {
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

template <typename Stream>
void SessionImpl<Stream>::BeginHeader() {
  phase_ = Phase::kHeader;
  request_start_ = SteadyClock::now();
  if (core_.access_log->enabled()) request_wall_micros_ = SystemClock::Get().NowMicros();
  deadline = request_start_ + core_.options.read_header_timeout;
}

template <typename Stream>
void SessionImpl<Stream>::ReadMore() {
  size_t size = phase_ == Phase::kBody ? kBodyReadSize : kHeaderReadSize;
  stream_.async_read_some(buffer_.prepare(size),
                          [s = Self()](const error_code& ec, size_t n) { s->OnRead(ec, n); });
}

template <typename Stream>
void SessionImpl<Stream>::OnRead(const error_code& ec, size_t n) {
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

template <typename Stream>
void SessionImpl<Stream>::Parse() {
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

template <typename Stream>
void SessionImpl<Stream>::ParseFailed(const beast::error_code& ec) {
  if (ec == bhttp::error::header_limit) return SendServerError(431, "request header too large");
  if (ec == bhttp::error::body_limit) return SendServerError(413, BodyLimitMessage());
  if (ec == RequestParser::BudgetError()) return RejectOverBudget();
  if (ec == bhttp::error::bad_version) return SendServerError(505, "HTTP version not supported");
  SendServerError(400, fmt::format("malformed request: {}", ec.message()));
}

template <typename Stream>
std::string SessionImpl<Stream>::BodyLimitMessage() const {
  return fmt::format("request body is larger than the limit of {} bytes", body_limit_);
}

template <typename Stream>
bool SessionImpl<Stream>::OnHeaderDone() {
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
  // The body timeout runs from here, through the head check.
  deadline = SteadyClock::now() + core_.options.read_body_timeout;
  uint64_t length = 0;
  const bool has_body = parser_->chunked() || (parser_->DeclaredLength(&length) && length > 0);
  if (has_body && core_.head_check) {
    StartHeadCheck();
    return false;
  }
  return AcceptBody();
}

template <typename Stream>
void SessionImpl<Stream>::StartHeadCheck() {
  phase_ = Phase::kHeadCheck;
  ++generation_;
  auto responder = std::make_shared<HeadResponder>(weak_from_this(), generation_,
                                                   worker_.executor(), core_.lifeline);
  HeadVerdict verdict = [responder = std::move(responder)](std::optional<Response> r) {
    responder->Call(std::move(r));
  };
  // A check that throws, or returns without keeping `verdict`, drops it:
  // the HeadResponder's destructor then answers 500.
  try {
    core_.head_check(request_, std::move(verdict));
  } catch (const std::exception& e) {
    spdlog::error("http: head check threw: {}", e.what());
  } catch (...) {
    spdlog::error("http: head check threw");
  }
}

template <typename Stream>
void SessionImpl<Stream>::OnHeadVerdict(uint64_t generation, std::optional<Response> verdict,
                                        bool dropped) {
  if (phase_ != Phase::kHeadCheck || generation != generation_) return;
  if (dropped) return SendServerError(500, "the request check did not answer");
  if (verdict) {
    // Answered from the head: the body is never read.
    core_.metrics.head_check_rejected->Inc();
    verdict->stream = nullptr;
    verdict->websocket = false;
    return RespondAndClose(std::move(*verdict));
  }
  if (AcceptBody()) Parse();
}

template <typename Stream>
bool SessionImpl<Stream>::AcceptBody() {
  uint64_t length = 0;
  const bool declared = parser_->DeclaredLength(&length);
  if (declared && length > body_limit_) {
    SendServerError(413, BodyLimitMessage());
    return false;
  }
  // The declared length is reserved now, before any of it is read; a
  // chunked body reserves each chunk as its header arrives.
  if (declared && !ReserveBody(length)) {
    RejectOverBudget();
    return false;
  }
  if (parser_->chunked()) {
    parser_->set_chunk_reserve([this](uint64_t size) { return ReserveBody(size); });
  }
  parser_->eager(true);
  if (parser_->is_done()) return true;
  phase_ = Phase::kBody;
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

template <typename Stream>
bool SessionImpl<Stream>::ReserveBody(uint64_t bytes) {
  if (!core_.ReserveBody(bytes)) return false;
  body_reserved_ += bytes;
  return true;
}

template <typename Stream>
void SessionImpl<Stream>::ReleaseBody() {
  core_.ReleaseBody(body_reserved_);
  body_reserved_ = 0;
}

template <typename Stream>
void SessionImpl<Stream>::RejectOverBudget() {
  core_.metrics.body_budget_rejected->Inc();
  SendServerError(503, "too many request bodies in flight; try again later");
}

template <typename Stream>
void SessionImpl<Stream>::Dispatch() {
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

template <typename Stream>
void SessionImpl<Stream>::SendServerError(int status, std::string_view message) {
  RespondAndClose(core_.MakeError(status, message, request_));
}

template <typename Stream>
void SessionImpl<Stream>::RespondAndClose(Response r) {
  keep_alive_ = false;
  if (method_.empty()) method_.assign(request_.method);
  if (core_.access_log->enabled()) {
    path_.assign(request_.path);
    query_.assign(request_.raw_query);
  }
  if (phase_ == Phase::kIdle || request_start_ == SteadyClock::time_point()) BeginHeader();
  WriteResponse(std::move(r), /*close=*/true);
}

template <typename Stream>
bool SessionImpl<Stream>::SerializeHead(Response& r, bool close, bool streaming) {
  if (r.status < 200 || r.status > 599) return false;
  for (const Header& h : r.headers)
    if (!IsValidHeader(h)) return false;
  head_.clear();
  fmt::format_to(std::back_inserter(head_), "HTTP/1.1 {} {}\r\n", r.status, ReasonPhrase(r.status));
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

template <typename Stream>
void SessionImpl<Stream>::WriteResponse(Response r, bool close) {
  // The request is complete: its body no longer counts against the budget.
  ReleaseBody();
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
  asio::async_write(stream_, buffers,
                    [s = Self()](const error_code& ec, size_t n) { s->OnResponseWritten(ec, n); });
}

template <typename Stream>
void SessionImpl<Stream>::OnResponseWritten(const error_code& ec, size_t n) {
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

template <typename Stream>
void SessionImpl<Stream>::RecordRequest() {
  auto end = SteadyClock::now();
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(end - request_start_).count();
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

template <typename Stream>
void SessionImpl<Stream>::LingerClose() {
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

template <typename Stream>
void SessionImpl<Stream>::Drain() {
  auto& socket = beast::get_lowest_layer(stream_);
  socket.async_read_some(buffer_.prepare(kHeaderReadSize),
                         [s = Self()](const error_code& ec, size_t n) {
                           if (s->phase_ != Phase::kLingering) return;
                           s->lingered_ += n;
                           if (ec || s->lingered_ > kMaxLingerBytes) return s->Close();
                           s->Drain();
                         });
}

void StartSession(ServerCore& core, Worker& worker, tcp::socket socket, bool rejected) {
  error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  tcp::endpoint remote = socket.remote_endpoint(ec);
  if (ec || (core.stopping && !rejected)) {
    socket.close(ec);
    core.SessionClosed(rejected);
    return;
  }
  std::string remote_text = FormatEndpoint(remote);
  if (core.ssl_ctx) {
    auto s = std::make_shared<TlsSession>(
        core, worker, ssl::stream<tcp::socket>(std::move(socket), *core.ssl_ctx),
        std::move(remote_text), rejected);
    s->Start();
  } else {
    auto s = std::make_shared<PlainSession>(core, worker, std::move(socket), std::move(remote_text),
                                            rejected);
    s->Start();
  }
}

// The members defined in this file, for both kinds of connection (the
// streaming members are instantiated in session_stream.cc).
template class SessionImpl<tcp::socket>;
template class SessionImpl<ssl::stream<tcp::socket>>;

}  // namespace kizuna::http::internal
