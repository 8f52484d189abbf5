// fuzz-deps: core http
// The server's request path for untrusted bytes: the Beast parser with our
// callbacks (http/request_parser.h), fed in two pieces to exercise
// incremental parsing, then the framing rules, the target checks and
// percent-decoding (http/target.h), and the access log's JSON escaping.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/access_log.h"
#include "http/request_parser.h"
#include "http/target.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

// Invariants of a path ParseTarget accepted.
void CheckPath(const std::string& path) {
  Check(!path.empty() && path[0] == '/');
  size_t start = 1;
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      std::string_view seg(path.data() + start, i - start);
      Check(seg != "." && seg != "..");
      start = i + 1;
    }
  }
  for (unsigned char c : path) Check(c >= 0x20 && c != 0x7f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kizuna::http;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = size > 0 ? (static_cast<unsigned char>(input[0]) * size) / 256 : 0;

  Request request;
  RequestParser parser(&request, 4096);
  parser.set_request_body_limit(1 << 16);
  bool header_checked = false;
  // Like the server's read buffer: bytes the parser has not consumed are
  // presented again, followed by the next piece.
  std::string pending;
  for (std::string_view piece : {input.substr(0, split), input.substr(split)}) {
    pending.append(piece);
    while (!pending.empty() && !parser.is_done()) {
      boost::beast::error_code ec;
      size_t used = parser.put(boost::asio::buffer(pending.data(), pending.size()), ec);
      pending.erase(0, used);
      if (ec == boost::beast::http::error::need_more) break;
      if (ec) return 0;
      if (!header_checked && parser.is_header_done()) {
        header_checked = true;
        std::string_view message;
        if (parser.FramingError(&message) != 0) return 0;
        std::string path, query;
        if (ParseTarget(request.target, &path, &query).ok()) {
          CheckPath(path);
          Check(query.find('#') == std::string::npos);
          AccessRecord record;
          record.path = path;
          record.query = query;
          record.method = request.method;
          std::string line = AccessLog::FormatLine(record);
          Check(line.front() == '{' && line.back() == '}');
        }
        parser.eager(true);
      }
      if (used == 0) break;
    }
  }
  if (parser.is_done()) Check(request.body.size() <= (1u << 16));
  std::string decoded;
  PercentDecode(request.target, &decoded);
  return 0;
}
