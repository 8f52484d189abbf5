// Server-Sent Events: formatting and the incremental parser.
#include "stream/sse.h"

#include <gtest/gtest.h>

namespace kizuna::stream {
namespace {

using namespace std::string_literals;

std::vector<SseEvent> ParseAll(std::string_view text, size_t piece = 0, SseParser* parser = nullptr) {
  SseParser local;
  SseParser& p = parser ? *parser : local;
  std::vector<SseEvent> out;
  if (piece == 0) {
    EXPECT_TRUE(p.Feed(text, &out).ok());
  } else {
    for (size_t i = 0; i < text.size(); i += piece) EXPECT_TRUE(p.Feed(text.substr(i, piece), &out).ok());
  }
  return out;
}

TEST(SseTest, FormatsAndParsesBackEveryLineEnding) {
  std::string out;
  AppendSseEvent(&out, "2026-01-01T00:00:00.000001Z", "objects", "{\"a\":\r\n1,\r\"b\":\n2}");
  AppendSseComment(&out, "heart\nbeat");
  AppendSseEvent(&out, "", "", "plain");
  EXPECT_EQ(out.substr(0, 47), "id: 2026-01-01T00:00:00.000001Z\nevent: objects\n");
  for (size_t piece : {size_t{0}, size_t{1}, size_t{3}, size_t{7}}) {
    auto events = ParseAll(out, piece);
    ASSERT_EQ(events.size(), 2u) << piece;
    EXPECT_EQ(events[0].id, "2026-01-01T00:00:00.000001Z");
    EXPECT_TRUE(events[0].has_id);
    EXPECT_EQ(events[0].event, "objects");
    EXPECT_EQ(events[0].data, "{\"a\":\n1,\n\"b\":\n2}");  // CR, CRLF and LF all become LF
    EXPECT_EQ(events[1].event, "");
    EXPECT_FALSE(events[1].has_id);
    EXPECT_EQ(events[1].data, "plain");
  }
}

TEST(SseTest, FollowsTheFieldRules) {
  SseParser p;
  auto events = ParseAll(
      "\xEF\xBB\xBF: comment\n"
      "retry: 1500\n"
      "id: 7\n\n"                    // an id without data: no event, but the last id moves
      "data:no space\n"
      "data:  two spaces\n"
      "unknown: ignored\n"
      "event\n"                      // a field without a colon: empty value
      "\r\n"
      "id: a\0b\ndata: x\n\n"s,
      0, &p);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].data, "no space\n two spaces");
  EXPECT_EQ(events[0].event, "");
  EXPECT_EQ(p.retry_ms(), 1500);
  EXPECT_EQ(events[1].data, "x");
  EXPECT_FALSE(events[1].has_id);  // an id with NUL is ignored
  EXPECT_EQ(p.last_event_id(), "7");
}

TEST(SseTest, ABomSplitAcrossFeedsIsSkipped) {
  SseParser p;
  std::vector<SseEvent> out;
  ASSERT_TRUE(p.Feed("\xEF", &out).ok());
  ASSERT_TRUE(p.Feed("\xBB", &out).ok());
  ASSERT_TRUE(p.Feed("\xBF" "data: hi\n\n", &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].data, "hi");
}

TEST(SseTest, OversizedEventsFailAndStayFailed) {
  SseParser p(64);
  std::vector<SseEvent> out;
  EXPECT_FALSE(p.Feed("data: " + std::string(100, 'x') + "\n", &out).ok());
  EXPECT_FALSE(p.Feed("data: ok\n\n", &out).ok());
  SseParser q(64);
  std::string many;
  for (int i = 0; i < 20; ++i) many += "data: 0123456789\n";
  EXPECT_FALSE(q.Feed(many, &out).ok());
  SseParser r(64);
  EXPECT_FALSE(r.Feed(std::string(100, 'y'), &out).ok());  // a line without an end
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace kizuna::stream
