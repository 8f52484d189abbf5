#include "http/server_core.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>

namespace kizuna::http::internal {

// The IMF-fixdate of the current second (RFC 9110 §5.6.7), cached per thread.
std::string_view HttpDate() {
  struct Cache {
    std::time_t second = -1;
    char text[32] = {};
    size_t size = 0;
  };
  thread_local Cache cache;
  std::time_t now = std::time(nullptr);
  if (now != cache.second) {
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm tm{};
    gmtime_r(&now, &tm);
    auto r =
        fmt::format_to_n(cache.text, sizeof(cache.text) - 1,
                         "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT", kDays[tm.tm_wday], tm.tm_mday,
                         kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cache.size = r.size;
    cache.second = now;
  }
  return std::string_view(cache.text, cache.size);
}

// A fixed label set for methods: arbitrary method tokens must not create
// metric series.
std::string_view MethodLabel(std::string_view m) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"})
    if (m == known) return known;
  return "other";
}

bool IsTokenChar(unsigned char c) {
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= '0' && c <= '9') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

// Handler-supplied header fields must not be able to split the response.
bool IsValidHeader(const Header& h) {
  if (h.name.empty()) return false;
  for (unsigned char c : h.name)
    if (!IsTokenChar(c)) return false;
  for (unsigned char c : h.value)
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  return true;
}

bool IsManagedHeader(std::string_view lower_name) {
  return lower_name == "content-length" || lower_name == "date" || lower_name == "connection" ||
         lower_name == "transfer-encoding";
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string FormatEndpoint(const tcp::endpoint& ep) {
  if (ep.address().is_v6()) return fmt::format("[{}]:{}", ep.address().to_string(), ep.port());
  return fmt::format("{}:{}", ep.address().to_string(), ep.port());
}

Result<tcp::endpoint> ParseListenAddress(std::string_view text) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return InvalidArgument(fmt::format("listen address '{}': expected [v6]:port", text));
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos)
      return InvalidArgument(fmt::format("listen address '{}': expected host:port", text));
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return InvalidArgument(fmt::format("listen address '{}': bad port", text));
  int port_number = std::stoi(std::string(port));
  if (port_number > 65535)
    return InvalidArgument(fmt::format("listen address '{}': bad port", text));
  if (host == "localhost") host = "127.0.0.1";
  error_code ec;
  auto address = asio::ip::make_address(std::string(host), ec);
  if (ec)
    return InvalidArgument(
        fmt::format("listen address '{}': host must be a numeric IP address or localhost", text));
  return tcp::endpoint(address, static_cast<uint16_t>(port_number));
}

// ---- Worker -------------------------------------------------------------------

void Worker::CountRequest(std::string_view route, std::string_view method, int status,
                          double seconds) {
  key_.assign(route);
  key_.push_back('\x1f');
  key_.append(method);
  key_.push_back('\x1f');
  char code[8];
  auto r = fmt::format_to_n(code, sizeof(code), "{}", status);
  std::string_view code_sv(code, r.size);
  key_.append(code_sv);
  auto it = counters_.find(std::string_view(key_));
  if (it == counters_.end())
    it = counters_.emplace(key_, &metrics_.requests->WithLabels({route, method, code_sv})).first;
  it->second->Inc();
  auto hit = latency_.find(route);
  if (hit == latency_.end())
    hit = latency_.emplace(std::string(route), &metrics_.latency->WithLabels({route})).first;
  hit->second->Observe(seconds);
}

void Worker::FlushLog(AccessLog* log) {
  if (log_batch_.empty()) return;
  log_batch_.pop_back();  // the sink ends the batch with its own newline
  log->WriteLines(log_batch_);
  log_batch_.clear();
}

// ---- ServerCore ---------------------------------------------------------------

bool ServerCore::ReserveBody(uint64_t bytes) {
  if (bytes == 0) return true;
  const uint64_t max = options.max_inflight_body_bytes;
  uint64_t now = inflight_body.load(std::memory_order_relaxed);
  do {
    if (max != 0 && (bytes > max || now > max - bytes)) return false;
  } while (!inflight_body.compare_exchange_weak(now, now + bytes, std::memory_order_relaxed));
  metrics.inflight_body_bytes->Add(static_cast<double>(bytes));
  return true;
}

void ServerCore::ReleaseBody(uint64_t bytes) {
  if (bytes == 0) return;
  inflight_body.fetch_sub(bytes, std::memory_order_relaxed);
  metrics.inflight_body_bytes->Add(-static_cast<double>(bytes));
}

void ServerCore::SessionClosed(bool rejected) {
  size_t left;
  if (rejected) {
    rejecting.fetch_sub(1);
    left = open.load() + rejecting.load();
  } else {
    metrics.connections_open->Dec();
    open.fetch_sub(1);
    left = open.load() + rejecting.load();
  }
  if (left == 0 && stopping.load()) {
    std::lock_guard<std::mutex> lock(stop_mu);
    stop_cv.notify_all();
  }
}

Response ServerCore::MakeError(int status, std::string_view message, const Request& head) const {
  Response r;
  bool formatted = false;
  if (error_formatter) {
    try {
      r = error_formatter(status, message, head);
      formatted = true;
    } catch (const std::exception& e) {
      spdlog::warn("http: error formatter threw: {}", e.what());
    } catch (...) {
      spdlog::warn("http: error formatter threw");
    }
  }
  if (!formatted) {
    r = Response();
    r.status = status;
    r.SetHeader("content-type", "text/plain; charset=utf-8");
    r.body = std::string(message);
    r.body.push_back('\n');
  }
  r.stream = nullptr;
  if (status == 503) r.SetHeader("retry-after", "1");
  return r;
}

}  // namespace kizuna::http::internal
