#include "match/event.h"

#include "core/time.h"

namespace kizuna::match {

uint64_t GenericTag(std::string_view path) {
  // Fixed seeds: tags must be equal in every process (they name paths).
  return Hash64(path, 0x9e3779b97f4a7c15ull) | (1ull << 63);
}

namespace {

GenericPath Make(std::string_view p) { return GenericPath{p, GenericTag(p)}; }

}  // namespace

const GenericPath& PathFileName() {
  static const GenericPath p = Make("file:name");
  return p;
}
const GenericPath& PathX509Subject() {
  static const GenericPath p = Make("x509-certificate:subject");
  return p;
}
const GenericPath& PathX509Issuer() {
  static const GenericPath p = Make("x509-certificate:issuer");
  return p;
}
const GenericPath& PathX509Serial() {
  static const GenericPath p = Make("x509-certificate:serial_number");
  return p;
}
const GenericPath& PathUserAgent() {
  static const GenericPath p =
      Make("network-traffic:extensions.http-request-ext.request_header.User-Agent");
  return p;
}
const GenericPath& PathAccountLogin() {
  static const GenericPath p = Make("user-account:account_login");
  return p;
}
const GenericPath& PathEmailSubject() {
  static const GenericPath p = Make("email-message:subject");
  return p;
}
const GenericPath& PathSoftwareName() {
  static const GenericPath p = Make("software:name");
  return p;
}

namespace {

int Digits(std::string_view s, size_t at, size_t n) {
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// "2017-03-24T13:44:41.573609+0000" (Suricata), also "+00:00" and "Z".
}  // namespace

bool ParseLogTime(std::string_view s, int64_t* us) {
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':') {
    return false;
  }
  int y = Digits(s, 0, 4), mo = Digits(s, 5, 2), d = Digits(s, 8, 2), h = Digits(s, 11, 2),
      mi = Digits(s, 14, 2), se = Digits(s, 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
      se < 0 || se > 60) {
    return false;
  }
  size_t i = 19;
  int64_t frac = 0;
  int digits = 0;
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (digits < 6) {
        frac = frac * 10 + (s[i] - '0');
        ++digits;
      }
    }
  }
  while (digits < 6) {
    frac *= 10;
    ++digits;
  }
  int64_t offset_s = 0;
  if (i < s.size()) {
    if (s[i] == 'Z') {
      ++i;
    } else if (s[i] == '+' || s[i] == '-') {
      int sign = s[i] == '-' ? -1 : 1;
      int oh = Digits(s, i + 1, 2);
      size_t m = i + 3;
      if (m < s.size() && s[m] == ':') ++m;
      int om = Digits(s, m, 2);
      if (oh < 0 || om < 0) return false;
      offset_s = sign * (oh * 3600 + om * 60);
      i = m + 2;
    }
  }
  if (i != s.size()) return false;
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - offset_s;
  *us = secs * 1'000'000 + frac;
  return true;
}

bool ParseEpochTime(std::string_view s, int64_t* us) {
  int64_t sec = 0, frac = 0;
  int digits = 0;
  size_t i = 0;
  if (s.empty()) return false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    sec = sec * 10 + (s[i] - '0');
    if (sec > 99'999'999'999) return false;
  }
  if (i == 0) return false;
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (digits < 6) {
        frac = frac * 10 + (s[i] - '0');
        ++digits;
      }
    }
  }
  if (i != s.size()) return false;
  while (digits < 6) {
    frac *= 10;
    ++digits;
  }
  *us = sec * 1'000'000 + frac;
  return true;
}

bool DigestAlgoByLength(std::string_view hex, HashAlgo* algo) {
  size_t n = 0;
  for (char c : hex) n += c != ':';
  switch (n) {
    case 32:
      *algo = HashAlgo::kMd5;
      return true;
    case 40:
      *algo = HashAlgo::kSha1;
      return true;
    case 64:
      *algo = HashAlgo::kSha256;
      return true;
    case 128:
      *algo = HashAlgo::kSha512;
      return true;
    default:
      return false;
  }
}

}  // namespace kizuna::match
