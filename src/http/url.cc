#include "http/url.h"

#include <fmt/format.h>

#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>
#include <boost/url/parse.hpp>

namespace kizuna::http {

namespace {

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

Status Bad(std::string_view url, std::string_view why) {
  return InvalidArgument(fmt::format("bad URL '{}': {}", url, why));
}

// A registered name as a resolver takes it: letters, digits, '-', '.', '_'.
// (RFC 3986 allows sub-delims and percent-escapes in a reg-name; no host
// name uses them, and an escape would be checked decoded but resolved as
// written.)
bool IsPlainName(std::string_view s) {
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return Bad(url, parsed.error().message());
  const boost::urls::url_view& u = *parsed;
  HttpUrl out;
  std::string scheme(u.scheme());
  for (auto& c : scheme) c = ToLower(c);
  if (scheme == "https") {
    out.tls = true;
  } else if (scheme != "http") {
    return Bad(url, "scheme must be http or https");
  }
  if (!u.has_authority() || u.encoded_host().empty()) return Bad(url, "no host");
  if (u.has_userinfo()) return Bad(url, "credentials belong in a header");
  // RFC 3986 section 3.3: after an authority the path is empty or absolute.
  // Boost.URL 1.81 accepts "http://127.0.0.1.example.org/" as host 127.0.0.1
  // and path ".example.org/" (and "http://h:1x/" as port 1, path "x/").
  if (!u.encoded_path().empty() && u.encoded_path().front() != '/') {
    return Bad(url, "the host must end at ':', '/', '?' or '#'");
  }
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
      out.host_kind = HostKind::kIpv4;
      break;
    case boost::urls::host_type::ipv6:
      out.host_kind = HostKind::kIpv6;
      break;
    case boost::urls::host_type::name:
      out.host_kind = HostKind::kName;
      if (!IsPlainName(u.encoded_host())) {
        return Bad(url, "a host name holds only letters, digits, '-', '.' and '_'");
      }
      break;
    default:
      return Bad(url, "the host must be a name, an IPv4 address or an IPv6 address");
  }
  out.host = std::string(u.encoded_host_address());  // no brackets
  if (u.has_port()) {
    // Boost.URL 1.81's port_number() wraps ("99999" reads as 34463): the
    // digits are read here.
    std::string_view p = u.port();
    uint32_t n = 0;
    for (char c : p) {
      if (c < '0' || c > '9' || n > 65535) return Bad(url, "bad port");
      n = n * 10 + static_cast<uint32_t>(c - '0');
    }
    if (p.empty() || n == 0 || n > 65535) return Bad(url, "bad port");
    out.port = static_cast<uint16_t>(n);
  } else {
    out.port = out.tls ? 443 : 80;
  }
  out.host_header = std::string(u.encoded_host_and_port());
  out.target = std::string(u.encoded_target());  // excludes the fragment
  if (out.target.empty() || out.target[0] != '/') out.target.insert(0, "/");
  out.origin = fmt::format("{}://{}:{}", scheme, out.host, out.port);
  return out;
}

bool IsLocalhostName(std::string_view host) {
  static constexpr std::string_view kLocalhost = "localhost";
  if (host.size() != kLocalhost.size()) return false;
  for (size_t i = 0; i < host.size(); ++i) {
    if (ToLower(host[i]) != kLocalhost[i]) return false;
  }
  return true;
}

bool IsLoopbackHost(const HttpUrl& url) {
  switch (url.host_kind) {
    case HostKind::kIpv4: {
      auto a = boost::urls::parse_ipv4_address(url.host);
      return a && a->is_loopback();  // 127.0.0.0/8
    }
    case HostKind::kIpv6: {
      auto a = boost::urls::parse_ipv6_address(url.host);
      return a && a->is_loopback();  // ::1 only (not ::ffff:127.0.0.1)
    }
    case HostKind::kName:
      return IsLocalhostName(url.host);
  }
  return false;
}

}  // namespace kizuna::http
