#include "core/time.h"

#include <gtest/gtest.h>

namespace kizuna {
namespace {

TEST(TimeTest, ParsesStixTimestampWithMillis) {
  auto t = ParseTimestamp("2016-05-12T08:17:27.123Z");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->micros, 1463041047123000);
  EXPECT_EQ(t->frac_digits, 3);
  EXPECT_EQ(FormatTimestamp(t->micros, 3), "2016-05-12T08:17:27.123Z");
}

TEST(TimeTest, KeepsSubMicrosecondDigitsForOrdering) {
  auto a = ParseTimestamp("2016-05-12T08:17:27.123456789Z");
  auto b = ParseTimestamp("2016-05-12T08:17:27.123456788Z");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->micros, b->micros);
  EXPECT_GT(*a, *b);
}

TEST(TimeTest, RejectsNonUtcAndBadFields) {
  for (const char* bad : {"2016-05-12T08:17:27+01:00", "2016-05-12t08:17:27Z", "2016-02-30T00:00:00Z",
                          "2016-13-01T00:00:00Z", "2016-05-12T24:00:00Z", "2016-05-12T08:17:27.Z",
                          "2016-05-12T08:17:27.1234567890Z", "2016-05-12", ""}) {
    EXPECT_FALSE(ParseTimestamp(bad).ok()) << bad;
  }
}

TEST(TimeTest, FormatsEpochAndPreEpoch) {
  EXPECT_EQ(FormatTimestamp(0, 0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(-1, 6), "1969-12-31T23:59:59.999999Z");
  auto t = ParseTimestamp("1969-12-31T23:59:59.999999Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->micros, -1);
}

TEST(TimeTest, LeapYears) {
  EXPECT_TRUE(ParseTimestamp("2000-02-29T00:00:00Z").ok());
  EXPECT_FALSE(ParseTimestamp("1900-02-29T00:00:00Z").ok());
  EXPECT_TRUE(ParseTimestamp("2024-02-29T00:00:00Z").ok());
}

}  // namespace
}  // namespace kizuna
