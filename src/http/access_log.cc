#include "http/access_log.h"

#include <fmt/format.h>
#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/details/periodic_worker.h>
#include <spdlog/details/thread_pool.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <climits>

#include "core/time.h"

namespace kizuna::http {

namespace {

// Length of the UTF-8 sequence starting at s[i] if it is well-formed
// (RFC 3629: no overlongs, no surrogates, at most U+10FFFF), else 0.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  auto cont = [&](size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  unsigned char c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(1) > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
    if (c == 0xF4 && b(1) > 0x8F) return 0;  // over U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = Utf8SequenceLength(s, i);
      if (n == 0) {
        out->append("\\ufffd");
        ++i;
      } else {
        out->append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xF]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

// RFC 3339 UTC with microseconds; the text up to the seconds is cached per
// thread and second.
void AppendTime(std::string* out, int64_t micros) {
  struct Cache {
    int64_t second = INT64_MIN;
    std::string prefix;  // "2024-03-01T10:15:30."
  };
  thread_local Cache cache;
  int64_t second = micros >= 0 ? micros / 1000000 : -((-micros + 999999) / 1000000);
  if (second != cache.second) {
    cache.prefix = FormatTimestamp(second * 1000000, 0);
    cache.prefix.back() = '.';  // "...:30Z" -> "...:30."
    cache.second = second;
  }
  out->append(cache.prefix);
  fmt::format_to(std::back_inserter(*out), "{:06}Z", micros - second * 1000000);
}

void AccessLog::AppendLine(std::string* out, const AccessRecord& r) {
  out->append("{\"time\":\"");
  AppendTime(out, r.time_micros);
  out->append("\",\"remote\":");
  AppendJsonString(out, r.remote);
  out->append(r.tls ? ",\"tls\":true,\"method\":" : ",\"tls\":false,\"method\":");
  AppendJsonString(out, r.method);
  out->append(",\"path\":");
  AppendJsonString(out, r.path);
  out->append(",\"query\":");
  AppendJsonString(out, r.query);
  out->append(",\"route\":");
  AppendJsonString(out, r.route);
  fmt::format_to(
      std::back_inserter(*out),
      ",\"status\":{},\"bytes_in\":{},\"bytes_out\":{},\"duration_us\":{},\"principal\":", r.status,
      r.bytes_in, r.bytes_out, r.duration_us);
  AppendJsonString(out, r.principal);
  out->push_back('}');
}

std::string AccessLog::FormatLine(const AccessRecord& r) {
  std::string line;
  line.reserve(256 + r.path.size() + r.query.size());
  AppendLine(&line, r);
  return line;
}

Result<std::unique_ptr<AccessLog>> AccessLog::Open(std::string_view sink, size_t queue_lines) {
  std::unique_ptr<AccessLog> log(new AccessLog());
  if (sink.empty() || sink == "off") return log;
  try {
    spdlog::sink_ptr s;
    if (sink == "stderr") {
      s = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    } else {
      s = std::make_shared<spdlog::sinks::basic_file_sink_mt>(std::string(sink), false);
    }
    s->set_pattern("%v");
    log->pool_ = std::make_shared<spdlog::details::thread_pool>(queue_lines, 1);
    log->logger_ = std::make_shared<spdlog::async_logger>(
        "access", std::move(s), log->pool_, spdlog::async_overflow_policy::overrun_oldest);
    log->logger_->set_level(spdlog::level::info);
    log->logger_->flush_on(spdlog::level::err);
    // Lines reach the file within a second without a write(2) per line.
    std::weak_ptr<spdlog::logger> weak = log->logger_;
    log->flusher_ = std::make_unique<spdlog::details::periodic_worker>(
        [weak] {
          if (auto l = weak.lock()) l->flush();
        },
        std::chrono::seconds(1));
  } catch (const std::exception& e) {
    return IoError(fmt::format("access log '{}': {}", sink, e.what()));
  }
  return log;
}

AccessLog::~AccessLog() {
  flusher_.reset();
  if (logger_) logger_->flush();
  logger_.reset();
  // The pool's destructor drains the queue and joins its thread.
  pool_.reset();
}

void AccessLog::Record(const AccessRecord& record) {
  if (!logger_) return;
  std::string line = FormatLine(record);
  WriteLines(line);
}

void AccessLog::WriteLines(std::string_view lines) {
  if (!logger_ || lines.empty()) return;
  logger_->log(spdlog::level::info, spdlog::string_view_t(lines.data(), lines.size()));
}

}  // namespace kizuna::http
