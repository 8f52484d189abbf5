#pragma once
// Absolute http/https URLs as the hub's HTTP client (http/client.h) reads
// them, and the one rule for which hosts count as loopback. Every caller that
// decides whether a URL may be used over plain http (peer URLs, webhook URLs)
// asks IsLoopbackHost() about the HttpUrl that ParseHttpUrl() returns, and the
// client connects to exactly that HttpUrl's host and port: the check and the
// connection cannot disagree on the host.
//
// Parsing (RFC 3986 via Boost.URL, plus what Boost.URL 1.81 lets through):
// - the scheme is http or https, in any case;
// - there is an authority with a non-empty host; no userinfo
//   ("user:pass@"): credentials belong in a header, and "http://127.0.0.1@
//   evil.example/" would read as loopback to a careless eye;
// - the host is an IPv4 address (dotted decimal, four parts, RFC 3986
//   section 3.2.2), an IPv6 address in brackets, or a registered name
//   without percent-escapes (a resolver never sees a decoded name, so
//   "localhos%74" is refused rather than checked as one name and resolved as
//   another); IPvFuture literals are refused;
// - after the authority the path is empty or starts with '/' (RFC 3986
//   section 3.3). Boost.URL 1.81 reads "http://127.0.0.1.example.org/" as
//   host 127.0.0.1 and path ".example.org/"; such a URL is refused;
// - the port, when given, is 1-65535;
// - a fragment is allowed and never sent (RFC 9110 section 4.2.4).
//
// Loopback (IsLoopbackHost), the hosts plain http may reach without
// crossing the network:
// - an IPv4 literal in 127.0.0.0/8 (127.0.0.1, 127.1.2.3);
// - the IPv6 literal ::1 ([::1], [0:0:0:0:0:0:0:1]);
// - the name "localhost" in any case (RFC 6761 section 6.3), without a
//   trailing dot. The client connects to "localhost" only at the loopback
//   addresses it resolves to (Client drops any other), so a resolver that
//   answered otherwise cannot turn the check into a lie.
// Not loopback: every other name, even one that starts like a loopback
// address ("127.example.org", "127.0.0.1.example.org", "localhost.",
// "localhost.example.org") or that a C library would read as a number
// ("2130706433", "0x7f000001", "127.1"); the IPv4-mapped IPv6 address
// [::ffff:127.0.0.1] (write 127.0.0.1 instead: one spelling per address
// keeps the rule small); 0.0.0.0 and [::].
//
// Pure functions; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace kizuna::http {

enum class HostKind { kIpv4, kIpv6, kName };

struct HttpUrl {
  bool tls = false;  // https
  HostKind host_kind = HostKind::kName;
  // What is resolved and connected to, and the name TLS checks: an IPv4
  // address, an IPv6 address without brackets, or a name as written.
  std::string host;
  std::string host_header;  // host[:port] as written (IPv6 in brackets)
  uint16_t port = 0;        // as given, else 80 or 443
  std::string target;       // path and query, starting with '/'; never the fragment
  std::string origin;       // "<scheme>://<host>:<port>", the scheme lower-case
};

// InvalidArgument("bad URL '<url>': <why>") unless `url` is an absolute
// http or https URL as described above.
Result<HttpUrl> ParseHttpUrl(std::string_view url);

// True when plain http to `url`'s host stays on this machine (the rule
// above).
bool IsLoopbackHost(const HttpUrl& url);

// True for the name "localhost" in any case (no trailing dot).
bool IsLocalhostName(std::string_view host);

}  // namespace kizuna::http
