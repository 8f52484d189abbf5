#pragma once
// Client: a synchronous HTTP/1.1 client (Boost.Beast parser, Asio sockets,
// OpenSSL TLS) for tests, benchmarks and federation. It keeps one
// connection alive and reuses it while requests go to the same origin
// (scheme, host, port).
//
// Every step has a deadline: connect (including name resolution and the TLS
// handshake), each write, and each read (an inactivity timeout: a response
// that keeps arriving is not cut off, a silent peer is).
//
// Retries: when a reused keep-alive connection turns out to be closed by the
// server (the failure came before any response byte), the request is sent
// again on a new connection, up to `retries` times: always if the request
// could not be written, and only for idempotent methods (GET, HEAD, PUT,
// DELETE, OPTIONS) if it was (RFC 9110 §9.2.2). Other failures are returned.
//
// URLs are read by ParseHttpUrl (http/url.h), the reading every plain-http
// check uses; a "localhost" URL is connected to only at loopback addresses.
//
// Errors: InvalidArgument for a bad URL, method or header; Unavailable for
// connection, TLS (including certificate verification) and I/O failures and
// timeouts (the message says which); PayloadTooLarge for a response body
// over max_response_body; Unavailable for a malformed response.
//
// Not thread-safe: use one Client per thread (Interrupt() excepted).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "http/message.h"

namespace kizuna::http {

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  // https: the CA certificates (PEM) that verify the server; empty means the
  // system's default trust store. The host name is always checked.
  std::string ca_file;
  // https without any verification. For tests against throwaway
  // certificates only.
  bool insecure_skip_verify = false;
  int retries = 1;
  uint64_t max_response_body = 256ull * 1024 * 1024;
  uint32_t max_header_bytes = 64 * 1024;
};

struct ClientResponse {
  int status = 0;
  std::vector<Header> headers;  // names lower-cased
  std::string body;             // empty for SendStreaming

  const std::string* FindHeader(std::string_view lower_name) const {
    for (const auto& h : headers)
      if (h.name == lower_name) return &h.value;
    return nullptr;
  }
};

class Client {
 public:
  explicit Client(ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends one request to `url` ("http://host:port/path?query" or https) and
  // reads the whole response. `headers` are added as given (names are
  // case-insensitive); Host, Content-Length and a User-Agent (unless given)
  // are added by the client.
  Result<ClientResponse> Send(std::string_view method, std::string_view url,
                              const std::vector<Header>& headers = {}, std::string_view body = {});

  // Receives body bytes as they arrive; return false to stop reading (the
  // connection is then closed). Calls may split or join the server's chunks.
  using DataCallback = std::function<bool(std::string_view data)>;

  // As Send, but hands the response body to `on_data` incrementally (for
  // Server-Sent Events and other long responses) instead of collecting it.
  // Returns the status and headers once the body has ended or `on_data`
  // returned false. The read timeout applies between two arrivals.
  Result<ClientResponse> SendStreaming(std::string_view method, std::string_view url,
                                       const std::vector<Header>& headers, std::string_view body,
                                       const DataCallback& on_data);

  // Closes the kept-alive connection, if any.
  void Disconnect();

  // The one thread-safe method: makes the request in progress (if any) fail
  // soon with Unavailable("interrupted"), and every later request fail at
  // once. For stopping a thread that is blocked in Send or SendStreaming.
  void Interrupt();

  // Connections opened so far (to observe keep-alive reuse).
  uint64_t connections_opened() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kizuna::http
