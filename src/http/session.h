#pragma once
// Internal to http/: one connection of a Server (http/server.h holds the
// contract it implements). The listener (http/listener.h) accepts a socket
// and hands it to StartSession on a worker thread; from then on the session
// runs there alone: TLS handshake, then per request read the header, read
// the body, hand the request to the handler, write the response (or run a
// streamed response or a WebSocket until it ends), and either start over
// (keep-alive) or close.
//
// The state machine is SessionImpl<Stream> for a plain TCP socket and for a
// TLS stream. Its request path (read, handle, write) is in session.cc, its
// streamed responses and WebSockets in session_stream.cc.
//
// Thread-safety: a session is used only on its worker's thread. Other
// threads reach it through its handles (http/session_handles.h).

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "http/request_parser.h"
#include "http/server_core.h"
#include "http/session_handles.h"
#include "http/websocket.h"

namespace kizuna::http::internal {

// Takes over an accepted socket on its worker's thread. `rejected`: the
// connection is over the connection limit (it gets 503, or is just closed
// for TLS). REQUIRES: runs on `worker`'s thread.
void StartSession(ServerCore& core, Worker& worker, tcp::socket socket, bool rejected);

inline constexpr size_t kHeaderReadSize = 4096;
inline constexpr size_t kBodyReadSize = 64 * 1024;
inline constexpr size_t kKeptBufferBytes = 16 * 1024;
inline constexpr size_t kMergeBodyForTls = 16 * 1024;
inline constexpr size_t kMaxLingerBytes = 1024 * 1024;
inline constexpr size_t kLogBatchBytes = 32 * 1024;
// Largest WebSocket message a client may send (the server only reads
// control frames and discards data).
inline constexpr size_t kMaxWebSocketInbound = 64 * 1024;
inline constexpr auto kMaxLinger = std::chrono::milliseconds(2000);

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

  void Start();

  void OnResponse(uint64_t generation, Response response, bool dropped) override;
  void OnHeadVerdict(uint64_t generation, std::optional<Response> verdict, bool dropped) override;
  void OnStreamKick() override;
  void OnStreamAbort() override;
  void OnDeadline() override;
  void OnDrain() override;
  void Close() override;

 private:
  enum class Phase {
    kHandshake,  // TLS handshake
    kIdle,       // waiting for the first byte of a request
    kHeader,     // reading a request header
    kHeadCheck,  // the head check has the head; no body byte read yet
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

  // ---- the request path (session.cc) ----
  void StartRequest();
  void BeginHeader();
  void ReadMore();
  void OnRead(const error_code& ec, size_t n);
  void Parse();
  void ParseFailed(const boost::beast::error_code& ec);
  std::string BodyLimitMessage() const;
  // Returns false if it took over (error, head check, or 100 Continue
  // being written).
  bool OnHeaderDone();
  // Hands a copy of the head to the head check (phase kHeadCheck).
  void StartHeadCheck();
  // After the head check passed (or without one): the body limit (413),
  // the in-flight budget (503), 100 Continue. Returns false if it took over.
  bool AcceptBody();
  // The in-flight body budget: reserve for this request (false: does not
  // fit), give back everything it reserved, answer 503.
  bool ReserveBody(uint64_t bytes);
  void ReleaseBody();
  void RejectOverBudget();
  void Dispatch();
  void SendServerError(int status, std::string_view message);
  // Writes a response that ends the connection (server errors, head-check
  // answers) without reading anything more of the request.
  void RespondAndClose(Response r);
  // Serializes the status line and header fields into head_. Returns false
  // for a response the server must not send: a status outside 200-599
  // (interim responses are the server's own business) or a header field
  // that could split the response.
  bool SerializeHead(Response& r, bool close, bool streaming);
  void WriteResponse(Response r, bool close);
  void OnResponseWritten(const error_code& ec, size_t n);
  void RecordRequest();
  // Closes after a response that ends the connection: shut our side down,
  // then read and discard what the peer still sends (for a bounded time and
  // size), so that closing with unread data does not reset the connection
  // before the peer has read our response (RFC 9112 §9.6).
  void LingerClose();
  void Drain();

  // ---- streamed responses and WebSockets (session_stream.cc) ----
  void StartStream(Response r);
  // RFC 6455 §4.2.2: the server's opening handshake.
  bool SerializeUpgradeHead(const Response& r);
  void AppendChunk(std::string* out, std::string_view data);
  // Keeps a read pending to notice the peer going away; bytes it sends on a
  // streamed response are discarded.
  void StreamRead();
  // Frames from a WebSocket client: pings get pongs, a close gets a close
  // (then the stream ends), data messages are discarded, a protocol error
  // gets close 1002.
  void OnWebSocketBytes();
  void StreamWriteNext();
  // One write of pending control frames and queued messages. A close frame
  // (ours or the answer to the client's) is the last thing written.
  void WebSocketWriteNext(bool close_requested);
  void OnStreamWritten(const error_code& ec, size_t n);
  // Ends a stream: after the last chunk (graceful) or on error, overflow,
  // peer close or timeout. Close() records the request, ends the writer and
  // runs its closed-callback. A graceful end closes without lingering: the
  // stream read has been consuming the peer's bytes all along.
  void EndStream();

  ServerCore& core_;
  Worker& worker_;
  Stream stream_;
  const std::string remote_;
  const bool rejected_;

  Phase phase_ = Phase::kIdle;
  boost::beast::flat_buffer buffer_;
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
  uint64_t body_reserved_ = 0;  // of the in-flight body budget, for this request
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
  std::string ws_key_;  // Sec-WebSocket-Key of the current request, if an upgrade
  bool websocket_ = false;
  std::optional<ws::FrameDecoder> ws_decoder_;
  std::string ws_control_;  // control frames waiting to be written
  std::string ws_close_frame_;
  bool ws_closing_ = false;  // a close frame is queued or written: nothing more is sent
  bool close_after_batch_ = false;
};

using PlainSession = SessionImpl<tcp::socket>;
using TlsSession = SessionImpl<asio::ssl::stream<tcp::socket>>;

}  // namespace kizuna::http::internal
