#pragma once
// Plain HTTP request and response values handed between the Beast server
// (http/server.h) and the handlers above it (taxii/, app/). No Beast types
// here: handlers never see Beast or Asio.
//
// Thread-compatible values.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kizuna::http {

class StreamWriter;  // http/stream.h

struct Header {
  std::string name;   // lower-case
  std::string value;
};

struct Request {
  std::string method;  // upper-case, e.g. "GET"
  std::string target;  // as received: "/taxii2/?match%5Bid%5D=x"
  std::string path;    // percent-decoded path without the query: "/taxii2/"
  std::string raw_query;  // the query string as received, without '?': "match%5Bid%5D=x"
  std::vector<Header> headers;
  std::string body;
  std::string remote_address;  // "127.0.0.1:54321"
  bool tls = false;

  // The first header with this (lower-case) name, or nullptr.
  const std::string* FindHeader(std::string_view lower_name) const {
    for (const auto& h : headers)
      if (h.name == lower_name) return &h.value;
    return nullptr;
  }
  // The client's address without its port: "127.0.0.1" (audit, rate limits).
  std::string RemoteHost() const {
    std::string remote = remote_address;
    if (size_t colon = remote.rfind(':'); colon != std::string::npos) remote.resize(colon);
    return remote;
  }
};

// The non-empty segments of a path: "/a//b/" -> {"a", "b"}.
inline std::vector<std::string> PathSegments(std::string_view path) {
  std::vector<std::string> out;
  size_t s = 0;
  while (s < path.size()) {
    size_t e = path.find('/', s);
    if (e == std::string_view::npos) e = path.size();
    if (e > s) out.emplace_back(path.substr(s, e - s));
    s = e + 1;
  }
  return out;
}

struct Response {
  int status = 200;
  std::vector<Header> headers;  // Content-Length and Date are added by the server
  std::string body;
  // Low-cardinality route label for metrics and the access log, e.g.
  // "taxii.objects.get". Empty: "other".
  std::string route;
  // Set by the handler for the access log: who made the request ("" = anonymous).
  std::string principal;
  // Streaming (Server-Sent Events and other long-lived responses): when set,
  // the server sends the status and headers with chunked transfer coding
  // (connection-close framing for HTTP/1.0) and no Content-Length, then
  // `body` as the first chunk if non-empty, then calls `stream` once on the
  // connection's thread with the writer for later chunks (http/stream.h).
  // The connection closes when the stream ends. Not allowed for HEAD, 1xx,
  // 204 or 304 (the server answers 500 instead).
  std::function<void(std::shared_ptr<StreamWriter>)> stream;
  // With `stream`, for a request that is a WebSocket upgrade
  // (ws::IsUpgradeRequest, http/websocket.h): the server completes the
  // RFC 6455 opening handshake (101 Switching Protocols; `status` is ignored,
  // `headers` are added) and then sends each StreamWriter::Write as one text
  // message, `body` (if any) first; Close() sends a close frame. The server
  // answers pings and the client's close, and discards the client's data
  // messages. On a request that is not an upgrade the server answers 500.
  bool websocket = false;

  void SetHeader(std::string_view lower_name, std::string value) {
    for (auto& h : headers)
      if (h.name == lower_name) {
        h.value = std::move(value);
        return;
      }
    headers.push_back(Header{std::string(lower_name), std::move(value)});
  }
};

// Completes a request. May be called from any thread, exactly once.
using Respond = std::function<void(Response)>;

// Handles one request. Runs on a server thread; must not block for long
// (hand slow work such as a durable write to another thread and call
// `respond` from there).
using Handler = std::function<void(Request request, Respond respond)>;

// Decides the largest body the server will accept for a request, from its
// head (method, target, path, headers; body still empty), before any body
// byte is read. Return -1 to use the server's default limit. A body over the
// limit gets 413 without being buffered.
using BodyLimit = std::function<int64_t(const Request& head)>;

// The answer of a HeadCheck: a Response to send at once, or nullopt to read
// the body and go on. May be called from any thread; the first call counts.
// Dropped without a call, the server answers 500 (and closes).
using HeadVerdict = std::function<void(std::optional<Response> response)>;

// Decides on a request from its head alone, before any body byte is read:
// called once per request that has a body (Content-Length > 0 or chunked),
// after the framing checks and before the body limit and the in-flight body
// budget are applied. `head` is the request without its body (a copy the
// check may keep). A response given to `verdict` (e.g. 401, 403, 404, 415)
// is sent with `Connection: close` and the connection is closed without
// reading the body; `stream` and `websocket` are ignored. nullopt lets the
// body be read (and an `Expect: 100-continue` client gets its 100 Continue).
// Runs on a server thread; must not block (complete `verdict` later from
// another thread instead). The Respond rules apply to `verdict`.
using HeadCheck = std::function<void(Request head, HeadVerdict verdict)>;

// Builds the body of an error the server itself produces (400 for a
// malformed request, 408 on a read timeout, 413 over the body limit, 431 for
// an oversized header, 500 for a dropped Respond or HeadVerdict or a
// throwing handler, 501 for an unsupported transfer coding, 503 over the
// connection limit or the in-flight body budget (or for a head check that
// did not answer within the body timeout), 505 for an HTTP version other
// than 1.0 and 1.1), so that the layer above can answer
// in its own format (TAXII error resources). `head` may be partially filled
// (empty when the request could not be read at all). Runs on a server
// thread; must not block.
using ErrorFormatter =
    std::function<Response(int status, std::string_view message, const Request& head)>;

}  // namespace kizuna::http
