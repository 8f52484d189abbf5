#include "core/time.h"

#include <chrono>
#include <cstdio>

namespace kizuna {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

Status Bad(std::string_view text, std::string_view why) {
  std::string m = "invalid timestamp '";
  m.append(text.substr(0, 64));
  m += "': ";
  m.append(why);
  return InvalidArgument(m);
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Result<Timestamp> ParseTimestamp(std::string_view s) {
  // 0123456789012345678
  // YYYY-MM-DDTHH:MM:SS
  int year, mon, day, hour, min, sec;
  if (s.size() < 20) return Bad(s, "expected YYYY-MM-DDTHH:MM:SS[.s]Z");
  if (!Digits(s, 0, 4, &year) || s[4] != '-' || !Digits(s, 5, 2, &mon) || s[7] != '-' ||
      !Digits(s, 8, 2, &day) || s[10] != 'T' || !Digits(s, 11, 2, &hour) || s[13] != ':' ||
      !Digits(s, 14, 2, &min) || s[16] != ':' || !Digits(s, 17, 2, &sec)) {
    return Bad(s, "expected YYYY-MM-DDTHH:MM:SS[.s]Z");
  }
  if (mon < 1 || mon > 12) return Bad(s, "month out of range");
  if (day < 1 || day > DaysInMonth(year, mon)) return Bad(s, "day out of range");
  if (hour > 23) return Bad(s, "hour out of range");
  if (min > 59) return Bad(s, "minute out of range");
  if (sec > 60) return Bad(s, "second out of range");
  size_t pos = 19;
  int64_t frac_ns = 0;
  int digits = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits >= 9) return Bad(s, "more than 9 fractional digits");
      frac_ns = frac_ns * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return Bad(s, "empty fraction");
    for (int i = digits; i < 9; ++i) frac_ns *= 10;
  }
  if (pos != s.size() - 1 || s[pos] != 'Z') return Bad(s, "must end in 'Z' (UTC)");
  Timestamp t;
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(mon), static_cast<unsigned>(day));
  int64_t secs = days * 86400 + hour * 3600 + min * 60 + (sec == 60 ? 59 : sec);
  if (sec == 60) frac_ns = 999999999;
  t.micros = secs * 1000000 + frac_ns / 1000;
  t.nanos_rem = static_cast<int32_t>(frac_ns % 1000);
  t.frac_digits = static_cast<int8_t>(digits);
  return t;
}

std::string FormatTimestamp(int64_t micros, int frac_digits) {
  int64_t secs = micros >= 0 ? micros / 1000000 : (micros - 999999) / 1000000;
  int64_t frac = micros - secs * 1000000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t sod = secs - days * 86400;
  // civil_from_days (Hinnant)
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                        static_cast<long long>(y), m, d, static_cast<long long>(sod / 3600),
                        static_cast<long long>(sod / 60 % 60), static_cast<long long>(sod % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (frac_digits > 0) {
    char fb[24];
    std::snprintf(fb, sizeof fb, "%06lld", static_cast<long long>(frac));
    out += '.';
    for (int i = 0; i < frac_digits; ++i) out += i < 6 ? fb[i] : '0';
  }
  out += 'Z';
  return out;
}

int64_t SystemClock::NowMicros() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const SystemClock& SystemClock::Get() {
  static const SystemClock clock;
  return clock;
}

}  // namespace kizuna
