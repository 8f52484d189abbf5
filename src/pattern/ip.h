#pragma once
// IPv4/IPv6 addresses and CIDR blocks, for ISSUBSET/ISSUPERSET and for '='
// on address values (STIX 2.1 §9.4, §6.7 ipv4-addr, §6.8 ipv6-addr).
// Value types; thread-safe.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kizuna::pattern {

struct IpNetwork {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // v4 uses the first 4 bytes; host bits are cleared
  int prefix = 0;                   // 0..32 or 0..128

  // True if every address of `inner` lies in this network (this ⊇ inner).
  bool Contains(const IpNetwork& inner) const;
  // "198.51.100.0/24", "2001:db8::/32"; a full-length prefix prints without
  // "/32" or "/128" (a single address).
  std::string ToString() const;
  friend bool operator==(const IpNetwork& a, const IpNetwork& b) {
    return a.v6 == b.v6 && a.prefix == b.prefix && a.bytes == b.bytes;
  }
};

// Parses "a.b.c.d", "a.b.c.d/n", an IPv6 address (RFC 4291 text forms,
// including an embedded IPv4 tail) or "v6/n". A plain address is a /32 or
// /128. Host bits below the prefix are cleared ("10.1.2.3/8" is 10.0.0.0/8).
// Dotted quads must be strict: four decimal parts 0-255, no leading zeros.
std::optional<IpNetwork> ParseIpNetwork(std::string_view text);

}  // namespace kizuna::pattern
