#include "store/sqlite/codec.h"

#include <gtest/gtest.h>

namespace kizuna::store::sqlite {
namespace {

TEST(CodecTest, StringListsRoundTrip) {
  for (const std::vector<std::string>& list :
       {std::vector<std::string>{}, std::vector<std::string>{"energy"},
        std::vector<std::string>{"a b", "\"quoted\"", "", "\x1f", "\xe6\x97\xa5\xe6\x9c\xac"}}) {
    auto back = DecodeStringList(EncodeStringList(list));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, list);
  }
}

TEST(CodecTest, CorruptListsAreIoErrors) {
  for (const char* bad : {"", "[", "{}", "[1]", "[\"a\",null]"}) {
    auto r = DecodeStringList(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), StatusCode::kIoError);
  }
}

TEST(CodecTest, StatusDetailsRoundTrip) {
  StatusRecord in;
  in.successes = {{"indicator--1", "2024-01-01T00:00:00.000Z", ""}};
  in.failures = {{"malware--2", "", "property 'name': required"}, {"x--3", "v", ""}};
  in.pendings = {{"report--4", "v4", ""}};
  StatusRecord out;
  ASSERT_TRUE(DecodeStatusDetails(EncodeStatusDetails(in), &out).ok());
  ASSERT_EQ(out.successes.size(), 1u);
  EXPECT_EQ(out.successes[0].id, "indicator--1");
  EXPECT_EQ(out.successes[0].version, "2024-01-01T00:00:00.000Z");
  ASSERT_EQ(out.failures.size(), 2u);
  EXPECT_EQ(out.failures[0].message, "property 'name': required");
  EXPECT_EQ(out.failures[1].id, "x--3");
  ASSERT_EQ(out.pendings.size(), 1u);
  EXPECT_EQ(out.pendings[0].version, "v4");
  StatusRecord bad;
  EXPECT_EQ(DecodeStatusDetails("{\"successes\":3}", &bad).code(), StatusCode::kIoError);
  EXPECT_EQ(DecodeStatusDetails("not json", &bad).code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace kizuna::store::sqlite
