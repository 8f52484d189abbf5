#include "stream/sse.h"

#include <algorithm>
#include <cstring>

namespace kizuna::stream {
namespace {

// The first CR or LF at or after `from`, or npos: two SIMD memchr scans (a
// find_first_of tests every byte against the set one by one, which costs
// more than the rest of the channel together on large events).
size_t FindLineBreak(std::string_view data, size_t from) {
  if (from >= data.size()) return std::string_view::npos;
  const char* base = data.data();
  const size_t n = data.size() - from;
  const char* lf = static_cast<const char*>(std::memchr(base + from, '\n', n));
  const char* cr = static_cast<const char*>(std::memchr(base + from, '\r', lf ? static_cast<size_t>(lf - (base + from)) : n));
  const char* first = cr ? cr : lf;
  return first ? static_cast<size_t>(first - base) : std::string_view::npos;
}

}  // namespace

void AppendSseEvent(std::string* out, std::string_view id, std::string_view event,
                    std::string_view data) {
  out->reserve(out->size() + data.size() + id.size() + event.size() + 32);
  if (!id.empty()) {
    out->append("id: ");
    out->append(id);
    out->push_back('\n');
  }
  if (!event.empty()) {
    out->append("event: ");
    out->append(event);
    out->push_back('\n');
  }
  size_t start = 0;
  for (;;) {
    size_t brk = FindLineBreak(data, start);
    std::string_view line = data.substr(start, brk == std::string_view::npos ? data.size() - start : brk - start);
    out->append("data: ");
    out->append(line);
    out->push_back('\n');
    if (brk == std::string_view::npos) break;
    start = brk + 1;
    if (data[brk] == '\r' && start < data.size() && data[start] == '\n') ++start;
  }
  out->push_back('\n');
}

void AppendSseComment(std::string* out, std::string_view text) {
  out->append(": ");
  for (char c : text) out->push_back(c == '\r' || c == '\n' ? ' ' : c);
  out->append("\n\n");
}

Status SseParser::Feed(std::string_view data, std::vector<SseEvent>* events) {
  if (!failed_.ok()) return failed_;
  if (!started_) {
    // Wait for three bytes to decide about a BOM split across calls.
    static constexpr std::string_view kBom = "\xEF\xBB\xBF";
    line_.append(data);
    if (line_.size() < 3 && kBom.substr(0, line_.size()) == line_) return Status::Ok();
    started_ = true;
    std::string buffered = std::move(line_);
    line_.clear();
    std::string_view rest(buffered);
    if (rest.substr(0, 3) == kBom) rest.remove_prefix(3);
    return Feed(rest, events);
  }
  size_t pos = 0;
  while (pos < data.size()) {
    if (skip_lf_) {
      skip_lf_ = false;
      if (data[pos] == '\n') {
        ++pos;
        continue;
      }
    }
    size_t brk = FindLineBreak(data, pos);
    if (brk == std::string_view::npos) {
      if (line_.size() + (data.size() - pos) > max_event_bytes_) {
        failed_ = InvalidArgument("event stream: a line is larger than the limit");
        return failed_;
      }
      line_.append(data.substr(pos));
      break;
    }
    if (line_.empty()) {
      Line(data.substr(pos, brk - pos), events);
    } else {
      if (line_.size() + (brk - pos) > max_event_bytes_) {
        failed_ = InvalidArgument("event stream: a line is larger than the limit");
        return failed_;
      }
      line_.append(data.substr(pos, brk - pos));
      Line(line_, events);
      line_.clear();
    }
    if (pending_.data.size() > max_event_bytes_) {
      failed_ = InvalidArgument("event stream: an event is larger than the limit");
      return failed_;
    }
    if (data[brk] == '\r') {
      if (brk + 1 < data.size()) {
        pos = data[brk + 1] == '\n' ? brk + 2 : brk + 1;
      } else {
        skip_lf_ = true;
        pos = brk + 1;
      }
    } else {
      pos = brk + 1;
    }
  }
  return Status::Ok();
}

void SseParser::Line(std::string_view line, std::vector<SseEvent>* events) {
  if (line.empty()) {
    if (pending_data_) {
      if (pending_.has_id) last_event_id_ = pending_.id;
      events->push_back(std::move(pending_));
    }
    pending_ = SseEvent();
    pending_data_ = false;
    return;
  }
  if (line.front() == ':') return;  // comment
  size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (pending_data_) pending_.data.push_back('\n');
    pending_.data.append(value);
    pending_data_ = true;
  } else if (field == "event") {
    pending_.event = std::string(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) {
      pending_.id = std::string(value);
      pending_.has_id = true;
      last_event_id_ = pending_.id;
    }
  } else if (field == "retry") {
    bool digits = !value.empty() && value.size() <= 12;
    for (char c : value) digits = digits && c >= '0' && c <= '9';
    if (digits) retry_ms_ = std::stoll(std::string(value));
  }
}

}  // namespace kizuna::stream
