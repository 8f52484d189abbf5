#include "http/request_parser.h"

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>

namespace kizuna::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

RequestParser::RequestParser(Request* request, uint32_t max_header_bytes) : request_(request) {
  header_limit(max_header_bytes);
  body_limit(boost::none);  // our own limit, decided after the header
}

void RequestParser::on_request_impl(bhttp::verb, beast::string_view method_str,
                                    beast::string_view target, int version, beast::error_code&) {
  request_->method.assign(method_str.data(), method_str.size());
  request_->target.assign(target.data(), target.size());
  version_ = version;
}

void RequestParser::on_field_impl(bhttp::field name, beast::string_view name_string,
                                  beast::string_view value, beast::error_code&) {
  switch (name) {
    case bhttp::field::host:
      ++host_count_;
      break;
    case bhttp::field::expect:
      if (EqualsIgnoreCase(Trim(value), "100-continue")) expect_continue_ = true;
      break;
    case bhttp::field::transfer_encoding:
      // Several Transfer-Encoding lines form one list; only a lone
      // "chunked" is accepted.
      transfer_encoding_chunked_only_ =
          !has_transfer_encoding_ && EqualsIgnoreCase(Trim(value), "chunked");
      has_transfer_encoding_ = true;
      break;
    case bhttp::field::content_length:
      has_content_length_ = true;
      break;
    default:
      break;
  }
  Header& h = request_->headers.emplace_back();
  h.name.resize(name_string.size());
  for (size_t i = 0; i < name_string.size(); ++i) h.name[i] = ToLower(name_string[i]);
  h.value.assign(value.data(), value.size());
}

void RequestParser::on_header_impl(beast::error_code&) {}

bool RequestParser::DeclaredLength(uint64_t* length) const {
  auto declared = content_length();
  if (!declared) return false;
  *length = *declared;
  return true;
}

int RequestParser::FramingError(std::string_view* message) const {
  if (has_transfer_encoding_) {
    if (version_ < 11) {
      *message = "Transfer-Encoding is not allowed in an HTTP/1.0 request";
      return 400;
    }
    if (has_content_length_) {
      *message = "Transfer-Encoding and Content-Length must not both be present";
      return 400;
    }
    if (!transfer_encoding_chunked_only_) {
      *message = "only the chunked transfer coding is supported";
      return 501;
    }
  }
  if (version_ >= 11 && host_count_ != 1) {
    *message = "an HTTP/1.1 request needs exactly one Host header";
    return 400;
  }
  return 0;
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      beast::error_code& ec) {
  if (content_length) {
    if (*content_length > body_limit_) {
      ec = bhttp::error::body_limit;
      return;
    }
    // No reserve(*content_length): the declared length is the client's
    // claim, not bytes received. Memory grows with the body as it arrives
    // (std::string's geometric growth), so a header declaring 30 MB and
    // sending nothing costs nothing.
  }
}

std::size_t RequestParser::on_body_impl(beast::string_view body, beast::error_code& ec) {
  body_received_ += body.size();
  if (body_received_ > body_limit_) {
    ec = bhttp::error::body_limit;
    return 0;
  }
  request_->body.append(body.data(), body.size());
  return body.size();
}

beast::error_code RequestParser::BudgetError() { return boost::asio::error::no_buffer_space; }

void RequestParser::on_chunk_header_impl(std::uint64_t size, beast::string_view,
                                         beast::error_code& ec) {
  if (size > body_limit_ - body_received_) {
    ec = bhttp::error::body_limit;
    return;
  }
  if (size > 0 && chunk_reserve_ && !chunk_reserve_(size)) ec = BudgetError();
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, beast::string_view body,
                                              beast::error_code& ec) {
  return on_body_impl(body, ec);
}

void RequestParser::on_finish_impl(beast::error_code&) {}

}  // namespace kizuna::http
