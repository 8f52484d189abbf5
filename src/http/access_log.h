#pragma once
// Structured access log: one JSON object per line and per request, written
// by a background thread (spdlog async logger). The request path only formats
// its line into a per-thread batch; the server hands batches of lines to the
// log (WriteLines) when they grow or at its next timeout sweep, so a request
// costs no lock, queue push or thread wake-up.
//
// Line fields: time (RFC 3339 UTC, microseconds), remote, tls, method, path
// (percent-decoded), query (raw), route, status, bytes_in, bytes_out,
// duration_us, principal. Strings are JSON-escaped; bytes that are not UTF-8
// become U+FFFD, so every line is valid JSON.
//
// Thread-safe. When the queue is full (the disk cannot keep up), the oldest
// queued lines are dropped rather than slowing requests down.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace spdlog {
class logger;
namespace details {
class thread_pool;
class periodic_worker;
}  // namespace details
}  // namespace spdlog

namespace kizuna::http {

struct AccessRecord {
  int64_t time_micros = 0;  // when the request started (Unix epoch)
  std::string_view remote;
  bool tls = false;
  std::string_view method;
  std::string_view path;
  std::string_view query;
  std::string_view route;  // "other" when the handler set none
  int status = 0;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  int64_t duration_us = 0;
  std::string_view principal;
};

class AccessLog {
 public:
  // `sink`: "off" (or empty) for no log, "stderr", or a file path opened for
  // appending (missing parent directories are created). Returns IoError if
  // the file cannot be opened.
  static Result<std::unique_ptr<AccessLog>> Open(std::string_view sink, size_t queue_lines = 16384);
  // Writes every queued line, then closes the sink.
  ~AccessLog();

  bool enabled() const { return logger_ != nullptr; }
  // Queues one line. Cheap no-op when disabled.
  void Record(const AccessRecord& record);
  // Queues lines formatted by AppendLine, separated by '\n' (no trailing
  // newline). No-op when disabled or empty.
  void WriteLines(std::string_view lines);

  // Appends the JSON line (without a newline) for `record` to *out.
  static void AppendLine(std::string* out, const AccessRecord& record);
  static std::string FormatLine(const AccessRecord& record);

 private:
  AccessLog() = default;

  std::shared_ptr<spdlog::details::thread_pool> pool_;
  std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<spdlog::details::periodic_worker> flusher_;
};

// Appends `s` as a JSON string (with quotes) to *out; invalid UTF-8 bytes
// become U+FFFD.
void AppendJsonString(std::string* out, std::string_view s);

}  // namespace kizuna::http
