#pragma once
// Server: the HTTP/1.1 server (Boost.Beast parser, Boost.Asio sockets,
// OpenSSL TLS) under every Kizuna endpoint. It reads requests, hands each to
// the Handler as a plain Request (http/message.h) and writes the Response
// the handler completes, possibly from another thread. It knows nothing of
// TAXII.
//
// Model: one io_context per thread; a connection lives on one thread for its
// whole life, so it needs no locks. One acceptor per listen address hands
// connections round-robin to the threads.
//
// Handlers: `respond` may be called on the handler's thread (the write
// starts before it returns) or later from any thread (it is posted to the
// connection's thread). A Respond dropped without a call answers 500, and so
// does a handler that throws. There is no handler timeout: a handler that
// keeps its Respond without calling it holds the connection until Stop()
// (which closes it after stop_timeout).
//
// Per connection: at most one request in flight. A pipelined request is not
// read before the previous response is written: it waits in the read buffer
// and the kernel's socket buffer, so a pipelining client costs one request's
// memory and is slowed by TCP flow control, never buffered without bound.
//
// A request with a body, in order, before any body byte is read:
//  1. the HeadCheck, if given (http/message.h), decides from the head alone
//     (e.g. credentials and permissions): a response it gives is sent with
//     `Connection: close` and the body is never read;
//  2. the body limit from BodyLimit or the default (413 and close);
//  3. the in-flight body budget (max_inflight_body_bytes): the declared
//     Content-Length is reserved against a server-wide budget shared by all
//     connections, and released when the response is sent (or the
//     connection closes); a chunked body reserves each chunk as its header
//     arrives. A request that does not fit gets 503 with Retry-After and
//     close, at once, or at the chunk that overflows.
// Only then does an `Expect: 100-continue` client get 100 Continue and is
// the body read. The body is buffered as it arrives: a declared length is
// never allocated up front.
//
// Limits and timeouts (ServerOptions): header size (431), body size (413),
// in-flight body bytes (503), connections (503 and close), read-header and
// read-body timeouts (408 and close; a head check still unanswered when the
// body timeout ends gets 503), idle keep-alive timeout (close), write
// timeout (close). Every error the server itself produces goes through the
// ErrorFormatter.
//
// Security: plain HTTP is refused on a non-loopback address unless
// allow_plain_http is set; TLS is 1.2 or newer; request targets must be
// origin-form without dot segments (http/target.h); ambiguous framing
// (Transfer-Encoding beside Content-Length, or other than chunked) is
// refused.
//
// Observability: per request, the Prometheus registry gets
// kizuna_http_requests_total{route,method,code}, the latency histogram
// kizuna_http_request_duration_seconds{route}, and bytes in/out; connection
// gauges and counters; requests answered by the head check
// (kizuna_http_head_check_rejected_total), refused over the body budget
// (kizuna_http_body_budget_rejected_total) and the body bytes reserved now
// (kizuna_http_inflight_body_bytes); and the access log gets one JSON line
// (http/access_log.h).
//
// Layout (internal headers): listener.h (acceptors, threads, hand-off,
// Start/Stop), session.h (one connection's state machine), session_handles.h
// (Respond and StreamWriter behind the scenes), server_core.h (what they
// share).
//
// Thread-safety: Start, Stop and the accessors may be called from any thread
// but not concurrently with each other, and never from a handler or another
// server thread (Stop joins them).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "http/message.h"

namespace kizuna::metrics {
class Registry;
}

namespace kizuna::http {

struct ServerOptions {
  // "host:port" with a numeric IPv4 address, "[v6]:port", or
  // "localhost:port". Port 0 picks a free port (see Server::port()).
  std::vector<std::string> listen = {"127.0.0.1:0"};
  // Server threads; 0 means one per core.
  int threads = 0;

  // TLS on every listener when both are set (PEM files; the certificate file
  // may hold the chain). TLS 1.2 and 1.3 only.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Plain HTTP on an address other than loopback is refused by Start()
  // unless this is set (for deployments behind a TLS-terminating proxy).
  bool allow_plain_http = false;

  // Request line plus header fields, in bytes (431 beyond).
  uint32_t max_header_bytes = 16 * 1024;
  // Body limit when BodyLimit is absent or returns -1 (413 beyond).
  uint64_t default_body_limit = 10 * 1024 * 1024;
  // Open connections; beyond, a connection gets 503 and is closed.
  size_t max_connections = 10000;
  // Body bytes that requests in flight may hold, across all connections
  // (each request reserves its declared Content-Length once its body is
  // accepted); beyond, 503. 0 = no budget. The default leaves room for 25
  // bodies at the default body limit; keep it at least as large as the
  // largest body limit, or such a body can never be accepted.
  uint64_t max_inflight_body_bytes = 256ull * 1024 * 1024;

  // From the first byte of a request (or from accept, for the first request
  // and the TLS handshake) to the end of its header.
  std::chrono::milliseconds read_header_timeout{10'000};
  // From the end of the header to the end of the body.
  std::chrono::milliseconds read_body_timeout{60'000};
  // Between the end of a response and the first byte of the next request.
  std::chrono::milliseconds idle_timeout{60'000};
  // For each write to make progress (one response, one batch of stream
  // chunks).
  std::chrono::milliseconds write_timeout{30'000};
  // How long Stop() lets in-flight requests finish before closing them.
  std::chrono::milliseconds stop_timeout{10'000};

  // Bytes a StreamWriter may hold unsent (see http/stream.h).
  size_t max_stream_pending_bytes = 1024 * 1024;

  // Raise glibc's malloc trim and mmap thresholds (process-wide, at Start)
  // so that freeing a response body does not hand its pages back to the
  // kernel: without it, a 60 KB response per request costs page faults and
  // zeroing on every request (3x the CPU per response here; see
  // docs/BENCHMARKS.md). Memory freed stays in the process for reuse, up to
  // 64 MiB per malloc arena.
  bool tune_allocator = true;

  // Access log: "off", "stderr", or a file path (appended to).
  std::string access_log = "off";
  // Where the server's metrics go; nullptr means metrics::Registry::Default().
  // Must outlive the server.
  metrics::Registry* metrics = nullptr;
};

class Server {
 public:
  // `handler` is required; `body_limit`, `error_formatter` and `head_check`
  // may be empty (default limit; plain-text error bodies; every head passes).
  Server(ServerOptions options, Handler handler, BodyLimit body_limit = nullptr,
         ErrorFormatter error_formatter = nullptr, HeadCheck head_check = nullptr);
  // Stops the server if it is running.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every listen address and starts the threads. Errors:
  // InvalidArgument for a malformed address or options; FailedPrecondition
  // for plain HTTP on a non-loopback address without allow_plain_http;
  // IoError when an address cannot be bound or the TLS files cannot be
  // loaded. On error nothing is left running. REQUIRES: not running.
  Status Start();

  // Graceful stop: stops accepting, closes idle connections, lets in-flight
  // requests finish (their responses carry Connection: close) for up to
  // stop_timeout, ends streams, then closes whatever is left and joins the
  // threads. A Respond still held afterwards becomes a no-op. Idempotent.
  void Stop();

  bool running() const;
  // The bound addresses in listen order, e.g. "127.0.0.1:40123" (after Start).
  std::vector<std::string> listening() const;
  // The bound port of listen address `i` (after Start).
  uint16_t port(size_t i = 0) const;
  // Connections open now (for tests and health checks).
  size_t open_connections() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// The reason phrase of a status code ("Not Found"), "Unknown" if unknown.
std::string_view ReasonPhrase(int status);

}  // namespace kizuna::http
