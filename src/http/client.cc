#include "http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
// GCC 12 with sanitizers reports a false "may be used uninitialized" on a
// boost::optional inside Beast's parser; the warning is silenced for Beast's
// headers only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#include <fmt/format.h>
#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <boost/asio/post.hpp>
#include <optional>

#include "http/url.h"

namespace kizuna::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lower(std::string_view s) {
  std::string out(s.size(), '\0');
  for (size_t i = 0; i < s.size(); ++i) out[i] = ToLower(s[i]);
  return out;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool IsFieldValue(std::string_view s) {
  for (unsigned char c : s)
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  return true;
}

bool IsIdempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS";
}

// A failure that means the server closed a kept-alive connection.
bool IsConnectionClosed(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == bhttp::error::end_of_stream ||
         ec == ssl::error::stream_truncated;
}

// The client connects to what ParseHttpUrl reads (http/url.h), the same
// reading every plain-http check uses.
using Target = HttpUrl;

class ResponseParser final : public bhttp::basic_parser<false> {
 public:
  ResponseParser(ClientResponse* out, const Client::DataCallback* on_data, uint64_t max_body,
                 uint32_t max_header)
      : out_(out), on_data_(on_data), max_body_(max_body) {
    header_limit(max_header);
    body_limit(boost::none);
  }
  bool stopped() const { return stopped_; }

 private:
  void on_request_impl(bhttp::verb, beast::string_view, beast::string_view, int,
                       error_code&) override {}
  void on_response_impl(int code, beast::string_view, int, error_code&) override {
    out_->status = code;
  }
  void on_field_impl(bhttp::field, beast::string_view name, beast::string_view value,
                     error_code&) override {
    Header& h = out_->headers.emplace_back();
    h.name = Lower(std::string_view(name.data(), name.size()));
    h.value.assign(value.data(), value.size());
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code& ec) override {
    if (on_data_ || !length) return;
    if (*length > max_body_) {
      ec = bhttp::error::body_limit;
      return;
    }
    out_->body.reserve(static_cast<size_t>(*length));
  }
  std::size_t on_body_impl(beast::string_view body, error_code& ec) override {
    return Deliver(std::string_view(body.data(), body.size()), ec);
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view body, error_code& ec) override {
    return Deliver(std::string_view(body.data(), body.size()), ec);
  }
  void on_finish_impl(error_code&) override {}

  size_t Deliver(std::string_view data, error_code& ec) {
    if (on_data_) {
      if (!(*on_data_)(data)) {
        stopped_ = true;
        ec = asio::error::operation_aborted;
        return 0;
      }
      return data.size();
    }
    if (data.size() > max_body_ - out_->body.size()) {
      ec = bhttp::error::body_limit;
      return 0;
    }
    out_->body.append(data);
    return data.size();
  }

  ClientResponse* out_;
  const Client::DataCallback* on_data_;
  uint64_t max_body_;
  bool stopped_ = false;
};

}  // namespace

class Client::Impl {
 public:
  explicit Impl(ClientOptions options) : options_(std::move(options)) {
    SSL_CTX_set_min_proto_version(ssl_ctx_.native_handle(), TLS1_2_VERSION);
    try {
      if (options_.insecure_skip_verify) {
        ssl_ctx_.set_verify_mode(ssl::verify_none);
      } else {
        ssl_ctx_.set_verify_mode(ssl::verify_peer);
        if (!options_.ca_file.empty()) {
          ssl_ctx_.load_verify_file(options_.ca_file);
        } else {
          ssl_ctx_.set_default_verify_paths();
        }
      }
    } catch (const boost::system::system_error& e) {
      tls_init_ = Unavailable(fmt::format("TLS trust store '{}': {}", options_.ca_file, e.what()));
    }
  }
  ~Impl() { Disconnect(); }

  Result<ClientResponse> Exchange(std::string_view method, std::string_view url,
                                  const std::vector<Header>& headers, std::string_view body,
                                  const DataCallback* on_data) {
    if (interrupted_.load()) return Unavailable("interrupted");
    if (!IsToken(method)) return InvalidArgument(fmt::format("bad method '{}'", method));
    ASSIGN_OR_RETURN(Target t, ParseHttpUrl(url));
    if (t.tls && !tls_init_.ok()) return tls_init_;

    std::string head =
        fmt::format("{} {} HTTP/1.1\r\nHost: {}\r\n", method, t.target, t.host_header);
    bool has_agent = false;
    for (const Header& h : headers) {
      if (!IsToken(h.name) || !IsFieldValue(h.value))
        return InvalidArgument(fmt::format("bad request header '{}'", h.name));
      std::string name = Lower(h.name);
      if (name == "host" || name == "content-length" || name == "transfer-encoding") continue;
      if (name == "user-agent") has_agent = true;
      head.append(h.name);
      head.append(": ");
      head.append(h.value);
      head.append("\r\n");
    }
    if (!has_agent) head.append("User-Agent: kizuna\r\n");
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
      fmt::format_to(std::back_inserter(head), "Content-Length: {}\r\n", body.size());
    head.append("\r\n");

    for (int attempt = 0;; ++attempt) {
      bool can_retry = attempt < options_.retries;
      bool reused = connected_ && origin_ == t.origin;
      if (!reused) {
        Disconnect();
        RETURN_IF_ERROR(Connect(t));
      }
      error_code ec = Write(head, body);
      if (ec) {
        Disconnect();
        if (reused && can_retry && IsConnectionClosed(ec)) continue;
        return IoFailure("writing the request", ec);
      }
      ClientResponse response;
      bool got_bytes = false;
      bool keep_alive = false;
      Status st = Read(method, on_data, &response, &got_bytes, &keep_alive);
      if (!st.ok()) {
        Disconnect();
        if (reused && can_retry && !got_bytes && IsIdempotent(method) && last_read_closed_)
          continue;
        return st;
      }
      if (!keep_alive) Disconnect();
      return response;
    }
  }

  void Disconnect() {
    error_code ignored;
    if (tls_) {
      tls_->next_layer().close(ignored);
      tls_.reset();
    }
    if (plain_) {
      plain_->close(ignored);
      plain_.reset();
    }
    connected_ = false;
    origin_.clear();
    buffer_.clear();
  }

  uint64_t connections_opened() const { return connections_opened_; }

  void Interrupt() {
    interrupted_.store(true);
    // Runs on the requesting thread inside its next run_for: closing the
    // socket completes the pending operation with an error.
    asio::post(ioc_, [this] {
      error_code ignored;
      if (tls_ || plain_) Socket().close(ignored);
    });
  }

 private:
  static Status IoFailure(std::string_view what, const error_code& ec) {
    if (ec == asio::error::timed_out) return Unavailable(fmt::format("timeout {}", what));
    return Unavailable(fmt::format("{}: {}", what, ec.message()));
  }

  tcp::socket& Socket() { return tls_ ? tls_->next_layer() : *plain_; }

  // Runs one asynchronous operation to completion or until `timeout`; on
  // timeout the socket is closed (cancelling the operation) and timed_out
  // is returned.
  template <typename Start>
  error_code Run(std::chrono::milliseconds timeout, Start start) {
    std::optional<error_code> result;
    start([&result](const error_code& ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run_for(timeout);
    if (result && interrupted_.load()) return asio::error::operation_aborted;
    if (!result) {
      error_code ignored;
      if (tls_ || plain_) Socket().close(ignored);
      ioc_.restart();
      ioc_.run();
      return asio::error::timed_out;
    }
    return *result;
  }

  Status Connect(const Target& t) {
    tcp::resolver resolver(ioc_);
    tcp::resolver::results_type endpoints;
    std::optional<error_code> resolved;
    resolver.async_resolve(t.host, std::to_string(t.port),
                           [&](const error_code& ec, tcp::resolver::results_type r) {
                             resolved = ec;
                             endpoints = std::move(r);
                           });
    ioc_.restart();
    ioc_.run_for(options_.connect_timeout);
    if (!resolved) {
      resolver.cancel();
      ioc_.restart();
      ioc_.run();
      return Unavailable(fmt::format("timeout resolving {}", t.host));
    }
    if (*resolved) return Unavailable(fmt::format("resolving {}: {}", t.host, resolved->message()));
    // "localhost" counts as loopback for plain http (http/url.h): it is
    // connected to only at loopback addresses, whatever the resolver says.
    const bool only_loopback = t.host_kind == HostKind::kName && IsLocalhostName(t.host);
    std::vector<tcp::endpoint> candidates;
    for (const auto& e : endpoints) {
      if (only_loopback && !e.endpoint().address().is_loopback()) continue;
      candidates.push_back(e.endpoint());
    }
    if (candidates.empty()) {
      return Unavailable(
          fmt::format("resolving {}: no {}address", t.host, only_loopback ? "loopback " : ""));
    }

    if (t.tls) {
      tls_.emplace(ioc_, ssl_ctx_);
    } else {
      plain_.emplace(ioc_);
    }
    error_code ec = Run(options_.connect_timeout, [&](auto handler) {
      asio::async_connect(Socket(), candidates, std::move(handler));
    });
    if (ec) {
      Disconnect();
      return IoFailure(fmt::format("connecting to {}:{}", t.host, t.port), ec);
    }
    ++connections_opened_;
    Socket().set_option(tcp::no_delay(true), ec);
    if (t.tls) {
      error_code addr_ec;
      asio::ip::make_address(t.host, addr_ec);
      if (addr_ec) SSL_set_tlsext_host_name(tls_->native_handle(), t.host.c_str());
      if (!options_.insecure_skip_verify)
        tls_->set_verify_callback(ssl::host_name_verification(t.host));
      ec = Run(options_.connect_timeout, [&](auto handler) {
        tls_->async_handshake(ssl::stream_base::client, std::move(handler));
      });
      if (ec) {
        Disconnect();
        return IoFailure(fmt::format("TLS handshake with {}:{}", t.host, t.port), ec);
      }
    }
    connected_ = true;
    origin_ = t.origin;
    buffer_.clear();
    return Status::Ok();
  }

  error_code Write(const std::string& head, std::string_view body) {
    std::array<asio::const_buffer, 2> buffers = {asio::buffer(head),
                                                 asio::buffer(body.data(), body.size())};
    return Run(options_.write_timeout, [&](auto handler) {
      if (tls_) {
        asio::async_write(*tls_, buffers, std::move(handler));
      } else {
        asio::async_write(*plain_, buffers, std::move(handler));
      }
    });
  }

  Status Read(std::string_view method, const DataCallback* on_data, ClientResponse* response,
              bool* got_bytes, bool* keep_alive) {
    last_read_closed_ = false;
    for (;;) {
      response->status = 0;
      response->headers.clear();
      response->body.clear();
      ResponseParser parser(response, on_data, options_.max_response_body,
                            options_.max_header_bytes);
      if (method == "HEAD") parser.skip(true);
      while (!parser.is_done()) {
        error_code ec = Run(options_.read_timeout, [&](auto handler) {
          if (tls_) {
            bhttp::async_read_some(*tls_, buffer_, parser, std::move(handler));
          } else {
            bhttp::async_read_some(*plain_, buffer_, parser, std::move(handler));
          }
        });
        *got_bytes = *got_bytes || parser.got_some();
        if (parser.stopped()) {
          *keep_alive = false;
          return Status::Ok();
        }
        if (ec) {
          last_read_closed_ = IsConnectionClosed(ec);
          if (ec == bhttp::error::body_limit)
            return PayloadTooLarge(
                fmt::format("response body over {} bytes", options_.max_response_body));
          if (ec == asio::error::timed_out) return Unavailable("timeout reading the response");
          return Unavailable(fmt::format("reading the response: {}", ec.message()));
        }
      }
      // RFC 9110 §15.2: skip interim responses (100 Continue and the like).
      if (response->status >= 100 && response->status < 200 && response->status != 101) continue;
      *keep_alive = parser.keep_alive();
      return Status::Ok();
    }
  }

  ClientOptions options_;
  asio::io_context ioc_{1};
  ssl::context ssl_ctx_{ssl::context::tls_client};
  Status tls_init_;
  std::optional<tcp::socket> plain_;
  std::optional<ssl::stream<tcp::socket>> tls_;
  bool connected_ = false;
  std::string origin_;
  beast::flat_buffer buffer_;
  uint64_t connections_opened_ = 0;
  bool last_read_closed_ = false;
  std::atomic<bool> interrupted_{false};
};

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Client::~Client() = default;

Result<ClientResponse> Client::Send(std::string_view method, std::string_view url,
                                    const std::vector<Header>& headers, std::string_view body) {
  return impl_->Exchange(method, url, headers, body, nullptr);
}

Result<ClientResponse> Client::SendStreaming(std::string_view method, std::string_view url,
                                             const std::vector<Header>& headers,
                                             std::string_view body, const DataCallback& on_data) {
  return impl_->Exchange(method, url, headers, body, &on_data);
}

void Client::Disconnect() { impl_->Disconnect(); }
void Client::Interrupt() { impl_->Interrupt(); }
uint64_t Client::connections_opened() const { return impl_->connections_opened(); }

}  // namespace kizuna::http
