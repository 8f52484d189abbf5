#pragma once
// Server-Sent Events (WHATWG HTML, "Server-sent events", the
// text/event-stream format): formatting for the channel endpoint, and an
// incremental parser for the clients that read channels (federation links,
// tests, benchmarks).
//
// Thread-safe: the functions are pure; an SseParser belongs to one stream.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace kizuna::stream {

struct SseEvent {
  std::string id;     // the event's id field ("" when it had none)
  bool has_id = false;
  std::string event;  // the event type ("" = "message")
  std::string data;   // data lines joined with "\n"
};

// Appends one event. `data` is split at CR, LF and CRLF into data lines (so
// a reader gets it back with LF line ends). `id` and `event` must not contain
// line breaks (REQUIRES).
void AppendSseEvent(std::string* out, std::string_view id, std::string_view event,
                    std::string_view data);
// Appends a comment line (": text"), which readers ignore: keeps proxies and
// idle timers from closing a quiet stream.
void AppendSseComment(std::string* out, std::string_view text);

// Parses a text/event-stream incrementally: lines end with CRLF, LF or CR
// (also across Feed calls); "field: value" with one optional space after the
// colon; comments and unknown fields are ignored; a blank line dispatches the
// event when its data is non-empty; an id containing NUL is ignored. A
// leading UTF-8 BOM is skipped.
//
// Bounded: an event (or a line) larger than `max_event_bytes` fails the
// parser with InvalidArgument (it stays failed): a hostile server cannot
// make the client buffer without bound.
class SseParser {
 public:
  explicit SseParser(size_t max_event_bytes = 16 * 1024 * 1024)
      : max_event_bytes_(max_event_bytes) {}

  // Appends every event completed by `data` to *events.
  Status Feed(std::string_view data, std::vector<SseEvent>* events);

  // The last event id seen (an id field sets it even without data).
  const std::string& last_event_id() const { return last_event_id_; }
  // The last "retry" value in milliseconds, or -1.
  long long retry_ms() const { return retry_ms_; }

 private:
  void Line(std::string_view line, std::vector<SseEvent>* events);

  size_t max_event_bytes_;
  std::string line_;          // the current incomplete line
  bool skip_lf_ = false;      // the previous chunk ended with CR
  bool started_ = false;      // BOM check done
  SseEvent pending_;          // fields of the event being built
  bool pending_data_ = false; // pending_ has at least one data line
  std::string last_event_id_;
  long long retry_ms_ = -1;
  Status failed_ = Status::Ok();
};

}  // namespace kizuna::stream
