#pragma once
// StreamWriter: the handle a handler gets for a streamed response
// (Response::stream in http/message.h), for Server-Sent Events and other
// long-lived responses. The server frames each chunk (chunked transfer
// coding); the caller writes whole events.
//
// Back-pressure: the writer holds at most ServerOptions::max_stream_pending_bytes
// not yet written to the socket. A Write that would exceed the bound returns
// false and aborts the stream (the connection is closed): a slow reader costs
// bounded memory, and never sees a silent gap. The caller drops the
// subscriber; the client reconnects and resumes from its cursor
// (Last-Event-ID).
//
// Thread-safe: every method may be called from any thread. Shared ownership:
// the handler (or its subscriber list) keeps the shared_ptr; it stays valid
// after the stream ends (methods become no-ops).

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace kizuna::http {

class StreamWriter {
 public:
  virtual ~StreamWriter() = default;

  // Queues `chunk` (an empty chunk is ignored). Returns false, without
  // queueing, when the stream has ended, or when the pending bytes would
  // exceed the bound (the stream is then aborted).
  virtual bool Write(std::string chunk) = 0;

  // As Write, for a chunk shared with other streams: it is not copied (the
  // writer keeps a reference until it is sent). Counts against the bound
  // like any chunk.
  virtual bool WriteShared(std::shared_ptr<const std::string> chunk) = 0;

  // Ends the stream after the queued chunks are written (terminating chunk,
  // then the connection closes). Idempotent.
  virtual void Close() = 0;

  // Ends the stream now: queued chunks are dropped and the connection is
  // closed without a terminating chunk (for a reader that makes no
  // progress). Idempotent.
  virtual void Abort() = 0;

  // Calls `callback` exactly once when the stream ends for any reason:
  // Close() completed, the peer went away, a write failed or timed out, the
  // bound was exceeded, or the server stopped. If the stream has already
  // ended, `callback` runs at once on the calling thread; otherwise it runs
  // on the connection's thread. Replaces a previously set callback.
  // The callback may call Write (which returns false) but must not block.
  virtual void SetClosedCallback(std::function<void()> callback) = 0;

  // True once the stream has ended (or is being aborted).
  virtual bool closed() const = 0;

  // Bytes queued or being written, never more than the bound.
  virtual size_t pending_bytes() const = 0;
};

}  // namespace kizuna::http
