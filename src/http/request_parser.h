#pragma once
// Internal to http/: the Beast parser callbacks that fill a Request directly
// (method, target, lower-cased headers, body), without Beast's own fields
// container. Beast does the HTTP/1.1 grammar (RFC 9112); this class adds the
// framing rules Beast leaves to the user (RFC 9112 §6.1, §3.2) and the body
// limit chosen after the header. The body grows with the bytes received:
// nothing is reserved for a declared Content-Length.
//
// One parser per request (Beast parsers are single-use). Not thread-safe.

// GCC 12 with sanitizers reports a false "may be used uninitialized" on a
// boost::optional inside Beast's parser; the warning is silenced for Beast's
// headers only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/beast/http/basic_parser.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <cstdint>
#include <functional>
#include <string_view>

#include "http/message.h"

namespace kizuna::http {

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  // Fills *request (which must outlive the parser). Headers over
  // `header_limit` bytes fail with beast::http::error::header_limit. The
  // body is unlimited until set_request_body_limit().
  RequestParser(Request* request, uint32_t max_header_bytes);

  // The body limit, checked against Content-Length at the first body byte
  // and against the running total of chunked bodies.
  void set_request_body_limit(uint64_t limit) { body_limit_ = limit; }

  // Called with the size of each chunk of a chunked body as its chunk
  // header arrives, before any of its bytes are stored; returning false
  // fails the parse with BudgetError(). Unset: every chunk is accepted.
  void set_chunk_reserve(std::function<bool(uint64_t size)> reserve) {
    chunk_reserve_ = std::move(reserve);
  }
  // The error of a chunk the reserve hook refused.
  static boost::beast::error_code BudgetError();

  // The Content-Length after the header, if the request has one.
  // REQUIRES: is_header_done().
  bool DeclaredLength(uint64_t* length) const;

  int http_version() const { return version_; }  // 10 or 11
  bool expects_continue() const { return expect_continue_; }

  // After the header: the HTTP status that the framing rules Beast does not
  // enforce call for (0 if none), with a message. RFC 9112 §3.2: an HTTP/1.1
  // request needs exactly one Host; §6.1: a Transfer-Encoding other than
  // "chunked" is refused (501), as is one in an HTTP/1.0 request or beside
  // Content-Length (400: ambiguous framing, the smuggling vector).
  int FramingError(std::string_view* message) const;

 private:
  void on_request_impl(boost::beast::http::verb method, boost::beast::string_view method_str,
                       boost::beast::string_view target, int version,
                       boost::beast::error_code& ec) override;
  void on_response_impl(int, boost::beast::string_view, int, boost::beast::error_code&) override {}
  void on_field_impl(boost::beast::http::field name, boost::beast::string_view name_string,
                     boost::beast::string_view value, boost::beast::error_code& ec) override;
  void on_header_impl(boost::beast::error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         boost::beast::error_code& ec) override;
  std::size_t on_body_impl(boost::beast::string_view body, boost::beast::error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, boost::beast::string_view extensions,
                            boost::beast::error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, boost::beast::string_view body,
                                 boost::beast::error_code& ec) override;
  void on_finish_impl(boost::beast::error_code& ec) override;

  Request* request_;
  std::function<bool(uint64_t)> chunk_reserve_;
  uint64_t body_limit_ = UINT64_MAX;
  uint64_t body_received_ = 0;
  int version_ = 11;
  int host_count_ = 0;
  bool expect_continue_ = false;
  bool has_transfer_encoding_ = false;
  bool transfer_encoding_chunked_only_ = false;
  bool has_content_length_ = false;
};

}  // namespace kizuna::http
