#include "pattern/ip.h"

#include <cstdio>

namespace kizuna::pattern {

namespace {

bool ParseV4(std::string_view s, uint8_t out[4]) {
  int part = 0;
  size_t i = 0;
  while (part < 4) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    size_t start = i;
    int v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      v = v * 10 + (s[i] - '0');
      if (v > 255) return false;
      ++i;
    }
    if (i - start > 1 && s[start] == '0') return false;  // no leading zeros
    out[part++] = static_cast<uint8_t>(v);
    if (part < 4) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
  }
  return i == s.size();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ParseV6(std::string_view s, uint8_t out[16]) {
  uint16_t groups[8] = {};
  int n = 0;     // groups written
  int gap = -1;  // index where "::" appeared
  size_t i = 0;
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    gap = 0;
    i = 2;
    if (i == s.size()) {
      for (int k = 0; k < 16; ++k) out[k] = 0;
      return true;
    }
  } else if (!s.empty() && s[0] == ':') {
    return false;
  }
  while (i < s.size()) {
    if (n >= 8) return false;
    // An embedded IPv4 tail (::ffff:1.2.3.4).
    size_t dot = s.find('.', i);
    size_t colon = s.find(':', i);
    if (dot != std::string_view::npos && (colon == std::string_view::npos || dot < colon)) {
      if (n > 6) return false;
      uint8_t v4[4];
      if (!ParseV4(s.substr(i), v4)) return false;
      groups[n++] = static_cast<uint16_t>(v4[0] << 8 | v4[1]);
      groups[n++] = static_cast<uint16_t>(v4[2] << 8 | v4[3]);
      i = s.size();
      break;
    }
    int v = 0, digits = 0;
    while (i < s.size() && HexValue(s[i]) >= 0) {
      v = v * 16 + HexValue(s[i]);
      if (++digits > 4) return false;
      ++i;
    }
    if (digits == 0) return false;
    groups[n++] = static_cast<uint16_t>(v);
    if (i == s.size()) break;
    if (s[i] != ':') return false;
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (gap >= 0) return false;
      gap = n;
      ++i;
      if (i == s.size()) break;
    } else if (i == s.size()) {
      return false;  // trailing single ':'
    }
  }
  uint16_t full[8] = {};
  if (gap >= 0) {
    if (n > 7) return false;
    int tail = n - gap;
    for (int k = 0; k < gap; ++k) full[k] = groups[k];
    for (int k = 0; k < tail; ++k) full[8 - tail + k] = groups[gap + k];
  } else {
    if (n != 8) return false;
    for (int k = 0; k < 8; ++k) full[k] = groups[k];
  }
  for (int k = 0; k < 8; ++k) {
    out[2 * k] = static_cast<uint8_t>(full[k] >> 8);
    out[2 * k + 1] = static_cast<uint8_t>(full[k] & 0xFF);
  }
  return true;
}

void ClearHostBits(IpNetwork* n) {
  int bits = n->v6 ? 128 : 32;
  for (int b = n->prefix; b < bits; ++b) {
    n->bytes[static_cast<size_t>(b / 8)] &= static_cast<uint8_t>(~(0x80u >> (b % 8)));
  }
}

}  // namespace

std::optional<IpNetwork> ParseIpNetwork(std::string_view text) {
  IpNetwork n;
  std::string_view addr = text;
  int prefix = -1;
  size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    std::string_view p = text.substr(slash + 1);
    if (p.empty() || p.size() > 3) return std::nullopt;
    prefix = 0;
    for (char c : p) {
      if (c < '0' || c > '9') return std::nullopt;
      prefix = prefix * 10 + (c - '0');
    }
    if (p.size() > 1 && p[0] == '0') return std::nullopt;
  }
  if (addr.find(':') != std::string_view::npos) {
    n.v6 = true;
    if (!ParseV6(addr, n.bytes.data())) return std::nullopt;
    if (prefix > 128) return std::nullopt;
    n.prefix = prefix < 0 ? 128 : prefix;
  } else {
    if (!ParseV4(addr, n.bytes.data())) return std::nullopt;
    if (prefix > 32) return std::nullopt;
    n.prefix = prefix < 0 ? 32 : prefix;
  }
  ClearHostBits(&n);
  return n;
}

bool IpNetwork::Contains(const IpNetwork& inner) const {
  if (v6 != inner.v6 || inner.prefix < prefix) return false;
  for (int b = 0; b < prefix; ++b) {
    size_t byte = static_cast<size_t>(b / 8);
    uint8_t mask = static_cast<uint8_t>(0x80u >> (b % 8));
    if ((bytes[byte] & mask) != (inner.bytes[byte] & mask)) return false;
  }
  return true;
}

std::string IpNetwork::ToString() const {
  char buf[64];
  std::string out;
  if (!v6) {
    // By hand: snprintf costs more than the rest of an index entry.
    char* p = buf;
    auto decimal = [&p](unsigned v) {
      if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
      if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
      *p++ = static_cast<char>('0' + v % 10);
    };
    for (int k = 0; k < 4; ++k) {
      if (k > 0) *p++ = '.';
      decimal(bytes[k]);
    }
    if (prefix != 32) {
      *p++ = '/';
      decimal(static_cast<unsigned>(prefix));
    }
    return std::string(buf, static_cast<size_t>(p - buf));
  }
  // RFC 5952: lower-case, the longest run (>= 2) of zero groups as "::".
  uint16_t g[8];
  for (int k = 0; k < 8; ++k) g[k] = static_cast<uint16_t>(bytes[2 * k] << 8 | bytes[2 * k + 1]);
  int best = -1, best_len = 0;
  for (int k = 0; k < 8;) {
    if (g[k] != 0) {
      ++k;
      continue;
    }
    int j = k;
    while (j < 8 && g[j] == 0) ++j;
    if (j - k > best_len && j - k >= 2) {
      best = k;
      best_len = j - k;
    }
    k = j;
  }
  for (int k = 0; k < 8; ++k) {
    if (k == best) {
      out += "::";
      k += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buf, sizeof(buf), "%x", g[k]);
    out += buf;
  }
  if (prefix != 128) {
    out += '/';
    out += std::to_string(prefix);
  }
  return out;
}

}  // namespace kizuna::pattern
