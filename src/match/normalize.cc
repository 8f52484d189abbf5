#include "match/normalize.h"

#include <cstdio>
#include <cstring>

#include "pattern/ip.h"

namespace kizuna::match {

bool ParseIpv4(std::string_view s, uint32_t* out) {
  if (s.size() < 7 || s.size() > 15) return false;
  uint32_t addr = 0;
  size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (i >= s.size()) return false;
    uint32_t v = 0;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3) {
      v = v * 10 + static_cast<uint32_t>(s[i] - '0');
      ++i;
    }
    if (i == start || v > 255 || (i - start > 1 && s[start] == '0')) return false;
    addr = (addr << 8) | v;
    if (part < 3) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
  }
  if (i != s.size()) return false;
  *out = addr;
  return true;
}

bool ParseIpv6(std::string_view s, Uint128* out) {
  if (s.size() < 2 || s.size() > 64) return false;
  // Quick rejection of names (most values tried here are domain names).
  char c0 = s[0];
  if (!(c0 == ':' || (c0 >= '0' && c0 <= '9') || (c0 >= 'a' && c0 <= 'f') || (c0 >= 'A' && c0 <= 'F'))) {
    return false;
  }
  if (size_t pct = s.find('%'); pct != std::string_view::npos) s = s.substr(0, pct);
  // RFC 4291 §2.2: up to eight groups of 1-4 hex digits, one "::", and an
  // optional dotted-quad tail (which takes two groups).
  uint16_t groups[8] = {};
  int n = 0, gap = -1;
  size_t i = 0;
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    gap = 0;
    i = 2;
  } else if (!s.empty() && s[0] == ':') {
    return false;
  }
  while (i < s.size()) {
    if (n >= 8) return false;
    size_t start = i;
    uint32_t v = 0;
    int digits = 0;
    while (i < s.size() && digits <= 4) {
      char c = s[i];
      int d = (c >= '0' && c <= '9') ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (d < 0) break;
      v = v * 16 + static_cast<uint32_t>(d);
      ++digits;
      ++i;
    }
    if (i < s.size() && s[i] == '.') {
      // An IPv4 tail.
      uint32_t v4;
      if (n > 6 || !ParseIpv4(s.substr(start), &v4)) return false;
      groups[n++] = static_cast<uint16_t>(v4 >> 16);
      groups[n++] = static_cast<uint16_t>(v4 & 0xffff);
      i = s.size();
      break;
    }
    if (digits == 0 || digits > 4) return false;
    groups[n++] = static_cast<uint16_t>(v);
    if (i == s.size()) break;
    if (s[i] != ':') return false;
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (gap >= 0) return false;
      gap = n;
      ++i;
    } else if (i == s.size()) {
      return false;  // a trailing single ':'
    }
  }
  if (gap < 0 ? n != 8 : n > 7) return false;
  Uint128 out_v = 0;
  int fill = gap < 0 ? 0 : 8 - n;
  for (int k = 0, src = 0; k < 8; ++k) {
    uint16_t g;
    if (gap >= 0 && k >= gap && k < gap + fill) {
      g = 0;
    } else {
      g = groups[src++];
    }
    out_v = (out_v << 16) | g;
  }
  *out = out_v;
  return true;
}

std::string FormatIpv4(uint32_t a) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
  return buf;
}

std::string FormatIpv6(Uint128 a) {
  pattern::IpNetwork n;
  n.v6 = true;
  n.prefix = 128;
  for (int i = 15; i >= 0; --i) {
    n.bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(a & 0xff);
    a >>= 8;
  }
  return n.ToString();
}

std::string_view NormalizeDomain(std::string_view s, std::string* buf, int* labels) {
  while (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (s.empty() || s.size() > 253 || s.front() == '.') return {};
  bool upper = false;
  char prev = 0;
  int dots = 0;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    // Letters, digits, '-', '_' (seen in real names) and non-ASCII bytes
    // (IDNs written in UTF-8); anything else is no host name.
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || u >= 0x80;
    if (!ok) return {};
    if (c == '.') {
      if (prev == '.') return {};
      ++dots;
    }
    if (c >= 'A' && c <= 'Z') upper = true;
    prev = c;
  }
  if (labels) *labels = dots + 1;
  if (!upper) return s;
  buf->assign(s);
  for (char& c : *buf) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return *buf;
}

int LabelCount(std::string_view domain) {
  if (domain.empty()) return 0;
  int n = 1;
  const char* p = domain.data();
  const char* end = p + domain.size();
  while ((p = static_cast<const char*>(std::memchr(p, '.', static_cast<size_t>(end - p)))) != nullptr) {
    ++n;
    ++p;
  }
  return n;
}

namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

std::string NormalizeUrl(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  std::string out;
  out.reserve(s.size() + 8);
  std::string_view rest = s;
  std::string scheme = "http";
  size_t colon = s.find("://");
  if (colon != std::string_view::npos && colon > 0 && colon < 16) {
    bool ok = true;
    for (size_t i = 0; i < colon; ++i) {
      char c = s[i];
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '+' || c == '-' || c == '.')) {
        ok = false;
      }
    }
    if (ok) {
      scheme.clear();
      for (size_t i = 0; i < colon; ++i) scheme += Lower(s[i]);
      rest = s.substr(colon + 3);
    }
  }
  // RFC 3986 §3.2: authority ends at the first '/', '?' or '#'.
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  std::string_view userinfo;
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    userinfo = authority.substr(0, at + 1);
    authority = authority.substr(at + 1);
  }
  std::string_view host = authority, port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close != std::string_view::npos) {
      host = authority.substr(0, close + 1);
      if (close + 1 < authority.size() && authority[close + 1] == ':') {
        port = authority.substr(close + 2);
      }
    }
  } else if (size_t c = authority.rfind(':'); c != std::string_view::npos) {
    host = authority.substr(0, c);
    port = authority.substr(c + 1);
  }
  while (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty()) return {};
  if ((scheme == "http" && port == "80") || (scheme == "https" && port == "443") ||
      (scheme == "ftp" && port == "21")) {
    port = {};
  }
  out += scheme;
  out += "://";
  out += userinfo;
  for (char c : host) out += Lower(c);
  if (!port.empty()) {
    out += ':';
    out += port;
  }
  if (size_t hash = tail.find('#'); hash != std::string_view::npos) tail = tail.substr(0, hash);
  if (tail.empty() || tail.front() != '/') out += '/';
  for (size_t i = 0; i < tail.size(); ++i) {
    char c = tail[i];
    if (c == '%' && i + 2 < tail.size() && IsHex(tail[i + 1]) &&
        IsHex(tail[i + 2])) {
      out += '%';
      out += Upper(tail[i + 1]);
      out += Upper(tail[i + 2]);
      i += 2;
      continue;
    }
    out += c;
  }
  return out;
}

std::string_view UrlHost(std::string_view u) {
  size_t start = u.find("://");
  if (start == std::string_view::npos) return {};
  std::string_view rest = u.substr(start + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    return close == std::string_view::npos ? authority : authority.substr(1, close - 1);
  }
  return authority.substr(0, authority.rfind(':'));
}

std::string_view NormalizeEmail(std::string_view s, std::string* buf) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '<' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '>' || s.back() == '"')) s.remove_suffix(1);
  if (s.size() < 3 || s.find('@') == std::string_view::npos) return {};
  bool upper = false;
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= 0x20) return {};
    upper |= (c >= 'A' && c <= 'Z');
  }
  if (!upper) return s;
  buf->assign(s);
  for (char& c : *buf) c = Lower(c);
  return *buf;
}

bool ParseDigest(std::string_view s, size_t bytes, uint8_t* out) {
  size_t n = 0;
  int half = -1;
  for (char c : s) {
    const int v = HexDigitValue(c);
    if (v < 0) {
      if (c == ':' || c == '-') continue;
      return false;
    }
    if (half < 0) {
      half = v;
    } else {
      if (n >= bytes) return false;
      out[n++] = static_cast<uint8_t>((half << 4) | v);
      half = -1;
    }
  }
  return half < 0 && n == bytes;
}

std::optional<HashAlgo> HashAlgoOf(std::string_view key) {
  std::string k;
  for (char c : key) {
    if (c == '-' || c == '_' || c == ' ') continue;
    k += Upper(c);
  }
  if (k == "MD5") return HashAlgo::kMd5;
  if (k == "SHA1") return HashAlgo::kSha1;
  if (k == "SHA256") return HashAlgo::kSha256;
  if (k == "SHA512") return HashAlgo::kSha512;
  return std::nullopt;
}

std::string_view HashAlgoName(HashAlgo a) {
  switch (a) {
    case HashAlgo::kMd5:
      return "MD5";
    case HashAlgo::kSha1:
      return "SHA-1";
    case HashAlgo::kSha256:
      return "SHA-256";
    case HashAlgo::kSha512:
      return "SHA-512";
  }
  return "";
}

}  // namespace kizuna::match
