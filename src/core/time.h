#pragma once
// RFC 3339 UTC timestamps as used by STIX 2.1 and TAXII 2.1, and the clock.
// Times are microseconds since the Unix epoch (int64): the resolution of
// date_added and the unit every store column uses.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace kizuna {

struct Timestamp {
  int64_t micros = 0;   // microseconds since 1970-01-01T00:00:00Z
  int32_t nanos_rem = 0;  // sub-microsecond digits (0-999), kept for ordering ties
  int8_t frac_digits = 0;  // digits after the decimal point in the source text (0-9)

  friend bool operator==(const Timestamp& a, const Timestamp& b) {
    return a.micros == b.micros && a.nanos_rem == b.nanos_rem;
  }
  friend auto operator<=>(const Timestamp& a, const Timestamp& b) {
    if (auto c = a.micros <=> b.micros; c != 0) return c;
    return a.nanos_rem <=> b.nanos_rem;
  }
};

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction]Z" (STIX 2.1 §3.2: UTC, upper-case T
// and Z, fraction of 1 to 9 digits). Lower-case t/z and offsets are rejected.
// Leap second 60 is accepted as 59.999999 (rare, and SQLite-friendly).
Result<Timestamp> ParseTimestamp(std::string_view text);

// Formats micros with exactly `frac_digits` digits (0, 3 or 6 are typical);
// "2016-05-12T08:17:27.000000Z".
std::string FormatTimestamp(int64_t micros, int frac_digits = 6);

// Days since 1970-01-01 for a proleptic Gregorian date (Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

// The source of "now". SystemClock in production; tests inject their own.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMicros() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMicros() const override;
  static const SystemClock& Get();
};

}  // namespace kizuna
