// Streamed responses (chunked or close-delimited, for Server-Sent Events)
// and WebSockets (RFC 6455) of a session: see http/session.h.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include "http/session.h"

namespace kizuna::http::internal {

namespace ssl = boost::asio::ssl;

template <typename Stream>
void SessionImpl<Stream>::OnStreamKick() {
  if (phase_ != Phase::kStreaming || stream_writing_) return;
  StreamWriteNext();
}

template <typename Stream>
void SessionImpl<Stream>::OnStreamAbort() {
  if (phase_ != Phase::kStreaming) return;
  EndStream();
}

template <typename Stream>
void SessionImpl<Stream>::StartStream(Response r) {
  ReleaseBody();  // the request is complete
  websocket_ = r.websocket;
  bool allowed = websocket_ ? !ws_key_.empty() && SerializeUpgradeHead(r)
                            : !is_head_ && r.status >= 200 && r.status != 204 && r.status != 304 &&
                                  SerializeHead(r, /*close=*/true, /*streaming=*/true);
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
  writer_ = std::make_shared<StreamWriterImpl>(weak_from_this(), worker_.executor(), core_.lifeline,
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

template <typename Stream>
bool SessionImpl<Stream>::SerializeUpgradeHead(const Response& r) {
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

template <typename Stream>
void SessionImpl<Stream>::AppendChunk(std::string* out, std::string_view data) {
  if (chunked_) fmt::format_to(std::back_inserter(*out), "{:x}\r\n", data.size());
  out->append(data);
  if (chunked_) out->append("\r\n");
}

template <typename Stream>
void SessionImpl<Stream>::StreamRead() {
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

template <typename Stream>
void SessionImpl<Stream>::OnWebSocketBytes() {
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

template <typename Stream>
void SessionImpl<Stream>::StreamWriteNext() {
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

template <typename Stream>
void SessionImpl<Stream>::WebSocketWriteNext(bool close_requested) {
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

template <typename Stream>
void SessionImpl<Stream>::OnStreamWritten(const error_code& ec, size_t n) {
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

template <typename Stream>
void SessionImpl<Stream>::EndStream() {
  if (phase_ != Phase::kStreaming) return;
  Close();
}

// The members defined in this file, for both kinds of connection (the
// class itself is instantiated once, in session.cc).
#define KIZUNA_SESSION_STREAM_MEMBERS(S)                                     \
  template void SessionImpl<S>::OnStreamKick();                              \
  template void SessionImpl<S>::OnStreamAbort();                             \
  template void SessionImpl<S>::StartStream(Response);                       \
  template bool SessionImpl<S>::SerializeUpgradeHead(const Response&);       \
  template void SessionImpl<S>::AppendChunk(std::string*, std::string_view); \
  template void SessionImpl<S>::StreamRead();                                \
  template void SessionImpl<S>::OnWebSocketBytes();                          \
  template void SessionImpl<S>::StreamWriteNext();                           \
  template void SessionImpl<S>::WebSocketWriteNext(bool);                    \
  template void SessionImpl<S>::OnStreamWritten(const error_code&, size_t);  \
  template void SessionImpl<S>::EndStream();
KIZUNA_SESSION_STREAM_MEMBERS(tcp::socket)
KIZUNA_SESSION_STREAM_MEMBERS(ssl::stream<tcp::socket>)
#undef KIZUNA_SESSION_STREAM_MEMBERS

}  // namespace kizuna::http::internal
