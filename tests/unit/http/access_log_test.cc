#include "http/access_log.h"

#include <gtest/gtest.h>

#include <fstream>

#include "test_support.h"

namespace kizuna::http {
namespace {

std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

TEST(AccessLogTest, EscapesJsonStrings) {
  EXPECT_EQ(Json("plain"), "\"plain\"");
  EXPECT_EQ(Json("q\"b\\n\nt\tc\x01\x7f"), "\"q\\\"b\\\\n\\nt\\tc\\u0001\\u007f\"");
  EXPECT_EQ(Json("caf\xC3\xA9 \xE6\x97\xA5 \xF0\x9F\x94\x91"),
            "\"caf\xC3\xA9 \xE6\x97\xA5 \xF0\x9F\x94\x91\"");
  // Invalid UTF-8: lone continuation, truncated sequence, overlong, surrogate.
  EXPECT_EQ(Json("a\x80z"), "\"a\\ufffdz\"");
  EXPECT_EQ(Json("a\xE6\x97"), "\"a\\ufffd\\ufffd\"");
  EXPECT_EQ(Json("\xC0\xAF"), "\"\\ufffd\\ufffd\"");
  EXPECT_EQ(Json("\xED\xA0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");
  EXPECT_EQ(Json(std::string("a\0b", 3)), "\"a\\u0000b\"");
}

TEST(AccessLogTest, FormatsOneLine) {
  AccessRecord r;
  r.time_micros = 1709288130123456;  // 2024-03-01T10:15:30.123456Z
  r.remote = "127.0.0.1:5000";
  r.tls = true;
  r.method = "GET";
  r.path = "/taxii2/\"x\"";
  r.query = "match%5Bid%5D=a";
  r.route = "taxii.discovery";
  r.status = 200;
  r.bytes_in = 80;
  r.bytes_out = 1234;
  r.duration_us = 57;
  r.principal = "alice@csirt";
  EXPECT_EQ(AccessLog::FormatLine(r),
            "{\"time\":\"2024-03-01T10:15:30.123456Z\",\"remote\":\"127.0.0.1:5000\",\"tls\":true,"
            "\"method\":\"GET\",\"path\":\"/taxii2/\\\"x\\\"\",\"query\":\"match%5Bid%5D=a\","
            "\"route\":\"taxii.discovery\",\"status\":200,\"bytes_in\":80,\"bytes_out\":1234,"
            "\"duration_us\":57,\"principal\":\"alice@csirt\"}");
  r.time_micros = 1709288130000001;  // same second, cached prefix
  EXPECT_TRUE(AccessLog::FormatLine(r).starts_with("{\"time\":\"2024-03-01T10:15:30.000001Z\""));
  r.time_micros = 1709288131000000;
  EXPECT_TRUE(AccessLog::FormatLine(r).starts_with("{\"time\":\"2024-03-01T10:15:31.000000Z\""));
}

TEST(AccessLogTest, OffAndBadPaths) {
  auto off = AccessLog::Open("off");
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE((*off)->enabled());
  (*off)->Record(AccessRecord());  // no-op
  // A path under a regular file can never be opened.
  testing::TempDir dir;
  std::ofstream(dir.File("plain")) << "x";
  auto bad = AccessLog::Open(dir.File("plain") + "/access.log");
  EXPECT_EQ(bad.status().code(), StatusCode::kIoError);
}

TEST(AccessLogTest, WritesLinesToAFile) {
  testing::TempDir dir;
  std::string path = dir.File("a.log");
  {
    auto log = AccessLog::Open(path);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    AccessRecord r;
    r.method = "GET";
    (*log)->Record(r);
    (*log)->WriteLines("{\"n\":1}\n{\"n\":2}");
  }
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_TRUE(lines[0].starts_with("{\"time\":\"1970-01-01T00:00:00.000000Z\""));
  EXPECT_EQ(lines[1], "{\"n\":1}");
  EXPECT_EQ(lines[2], "{\"n\":2}");
}

}  // namespace
}  // namespace kizuna::http
