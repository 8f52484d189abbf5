// WebSocket (RFC 6455): the codec, and the server's upgrade support through
// a raw client.
#include "http/websocket.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/metrics.h"
#include "http/client.h"
#include "http/server.h"
#include "http/stream.h"
#include "test_support.h"

namespace kizuna::http {
namespace {

using namespace std::chrono_literals;
using testing::RawConnection;

const uint8_t kMask[4] = {0x37, 0xfa, 0x21, 0x3d};

TEST(WebSocketCodecTest, AcceptKeyMatchesTheRfcExample) {
  // RFC 6455 §1.3.
  EXPECT_EQ(ws::AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketCodecTest, RecognisesUpgradeRequests) {
  Request r;
  r.method = "GET";
  r.headers = {{"upgrade", "WebSocket"},
               {"connection", "keep-alive, Upgrade"},
               {"sec-websocket-version", "13"},
               {"sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="}};
  EXPECT_TRUE(ws::IsUpgradeRequest(r));
  Request post = r;
  post.method = "POST";
  EXPECT_FALSE(ws::IsUpgradeRequest(post));
  Request v8 = r;
  v8.headers[2].value = "8";
  EXPECT_FALSE(ws::IsUpgradeRequest(v8));
  Request short_key = r;
  short_key.headers[3].value = "c2hvcnQ=";
  EXPECT_FALSE(ws::IsUpgradeRequest(short_key));
  Request no_conn = r;
  no_conn.headers[1].value = "keep-alive";
  EXPECT_FALSE(ws::IsUpgradeRequest(no_conn));
}

TEST(WebSocketCodecTest, DecodesMaskedFramesOfEveryLengthAcrossFeeds) {
  std::string wire;
  std::string small = "hello";
  std::string medium(300, 'm');
  std::string large(70000, 'L');
  ws::AppendFrame(&wire, ws::Opcode::kText, small, kMask);
  ws::AppendFrame(&wire, ws::Opcode::kBinary, medium, kMask);
  ws::AppendFrame(&wire, ws::Opcode::kText, large, kMask);
  ws::AppendFrame(&wire, ws::Opcode::kPing, "p", kMask);
  ws::FrameDecoder d(/*require_mask=*/true, 1 << 20);
  std::vector<ws::Frame> frames;
  // One byte at a time for the start, then the rest in big pieces.
  for (size_t i = 0; i < 20; ++i) ASSERT_TRUE(d.Feed(wire.substr(i, 1), &frames).ok());
  ASSERT_TRUE(d.Feed(wire.substr(20), &frames).ok());
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_EQ(frames[0].payload, small);
  EXPECT_EQ(frames[0].opcode, ws::Opcode::kText);
  EXPECT_EQ(frames[1].payload, medium);
  EXPECT_EQ(frames[1].opcode, ws::Opcode::kBinary);
  EXPECT_EQ(frames[2].payload, large);
  EXPECT_EQ(frames[3].opcode, ws::Opcode::kPing);
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(WebSocketCodecTest, RejectsWhatTheRfcForbids) {
  auto fails = [](const std::string& wire, bool require_mask, size_t max = 1 << 20) {
    ws::FrameDecoder d(require_mask, max);
    std::vector<ws::Frame> frames;
    return !d.Feed(wire, &frames).ok();
  };
  std::string unmasked, masked, big_ping, fragmented_ping, reserved, unknown_op, huge;
  ws::AppendFrame(&unmasked, ws::Opcode::kText, "x");
  ws::AppendFrame(&masked, ws::Opcode::kText, "x", kMask);
  EXPECT_TRUE(fails(unmasked, /*require_mask=*/true));   // client frames must be masked
  EXPECT_TRUE(fails(masked, /*require_mask=*/false));    // server frames must not be
  EXPECT_FALSE(fails(masked, true));
  EXPECT_FALSE(fails(unmasked, false));
  ws::AppendFrame(&big_ping, ws::Opcode::kPing, std::string(126, 'p'), kMask);
  EXPECT_TRUE(fails(big_ping, true));
  fragmented_ping = masked;
  fragmented_ping[0] = static_cast<char>(0x09);  // FIN clear, ping
  EXPECT_TRUE(fails(fragmented_ping, true));
  reserved = masked;
  reserved[0] = static_cast<char>(0xC1);  // RSV1 without an extension
  EXPECT_TRUE(fails(reserved, true));
  unknown_op = masked;
  unknown_op[0] = static_cast<char>(0x83);
  EXPECT_TRUE(fails(unknown_op, true));
  ws::AppendFrame(&huge, ws::Opcode::kText, std::string(2000, 'h'), kMask);
  EXPECT_TRUE(fails(huge, true, /*max=*/1000));
  std::string top_bit = "\x81\xff\x80";
  top_bit.append(7, '\0');
  top_bit.append(4, 'k');
  EXPECT_TRUE(fails(top_bit, true));
  // A failed decoder stays failed.
  ws::FrameDecoder d(true, 1 << 20);
  std::vector<ws::Frame> frames;
  EXPECT_FALSE(d.Feed(unmasked, &frames).ok());
  EXPECT_FALSE(d.Feed(masked, &frames).ok());
  EXPECT_TRUE(frames.empty());
}

// ---- the server's upgrade support --------------------------------------------------

struct Upgrades {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::shared_ptr<StreamWriter>> writers;
  int closed = 0;

  Handler MakeHandler() {
    return [this](Request req, Respond respond) {
      Response r;
      r.route = "ws.test";
      r.websocket = req.path == "/ws" || req.path == "/ws-plain";
      r.body = req.path == "/ws" ? "welcome" : "";
      r.SetHeader("x-test", "1");
      r.stream = [this](std::shared_ptr<StreamWriter> writer) {
        writer->SetClosedCallback([this] {
          std::lock_guard<std::mutex> lock(mu);
          ++closed;
          cv.notify_all();
        });
        std::lock_guard<std::mutex> lock(mu);
        writers.push_back(std::move(writer));
        cv.notify_all();
      };
      respond(std::move(r));
    };
  }
  std::shared_ptr<StreamWriter> WaitWriter(size_t i) {
    std::unique_lock<std::mutex> lock(mu);
    if (!cv.wait_for(lock, 10s, [&] { return writers.size() > i; })) return nullptr;
    return writers[i];
  }
  bool WaitClosed(int n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, 10s, [&] { return closed >= n; });
  }
};

std::string UpgradeRequest(const std::string& path) {
  return "GET " + path +
         " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
}

// Reads frames until `n` arrived (or the connection ends).
std::vector<ws::Frame> ReadFrames(RawConnection& c, size_t n) {
  ws::FrameDecoder d(/*require_mask=*/false, 1 << 20);
  std::vector<ws::Frame> frames;
  std::string& pending = c.pending();
  for (;;) {
    if (!pending.empty()) {
      EXPECT_TRUE(d.Feed(pending, &frames).ok());
      pending.clear();
    }
    if (frames.size() >= n) break;
    if (c.Fill() <= 0) break;
  }
  return frames;
}

class WebSocketServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.metrics = &registry_;
    o.threads = 1;
    server_ = std::make_unique<Server>(o, upgrades_.MakeHandler());
    ASSERT_TRUE(server_->Start().ok());
  }
  metrics::Registry registry_;
  Upgrades upgrades_;
  std::unique_ptr<Server> server_;
};

TEST_F(WebSocketServerTest, HandshakeThenMessagesAsTextFrames) {
  RawConnection c(server_->port());
  ASSERT_TRUE(c.Send(UpgradeRequest("/ws")));
  auto head = c.ReadResponse();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 101);
  EXPECT_EQ(head->Header("sec-websocket-accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(head->Header("x-test"), "1");
  auto writer = upgrades_.WaitWriter(0);
  ASSERT_NE(writer, nullptr);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(writer->Write("message " + std::to_string(i)));
  auto frames = ReadFrames(c, 51);
  ASSERT_EQ(frames.size(), 51u);
  EXPECT_EQ(frames[0].payload, "welcome");
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(frames[i + 1].opcode, ws::Opcode::kText);
    EXPECT_EQ(frames[i + 1].payload, "message " + std::to_string(i));
  }
  // Close(): a close frame with 1000, then the connection ends.
  writer->Close();
  frames = ReadFrames(c, 1);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].opcode, ws::Opcode::kClose);
  EXPECT_EQ(frames[0].payload.substr(0, 2), std::string("\x03\xe8", 2));
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_TRUE(upgrades_.WaitClosed(1));
}

TEST_F(WebSocketServerTest, AnswersPingsAndTheClientsClose) {
  RawConnection c(server_->port());
  ASSERT_TRUE(c.Send(UpgradeRequest("/ws-plain")));
  auto head = c.ReadResponse();
  ASSERT_TRUE(head.has_value());
  ASSERT_EQ(head->status, 101);
  ASSERT_NE(upgrades_.WaitWriter(0), nullptr);
  std::string out;
  ws::AppendFrame(&out, ws::Opcode::kText, "ignored data", kMask);
  ws::AppendFrame(&out, ws::Opcode::kPing, "are you there", kMask);
  ASSERT_TRUE(c.Send(out));
  auto frames = ReadFrames(c, 1);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].opcode, ws::Opcode::kPong);
  EXPECT_EQ(frames[0].payload, "are you there");
  out.clear();
  ws::AppendFrame(&out, ws::Opcode::kClose, ws::ClosePayload(1001), kMask);
  ASSERT_TRUE(c.Send(out));
  frames = ReadFrames(c, 1);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].opcode, ws::Opcode::kClose);
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_TRUE(upgrades_.WaitClosed(1));
}

TEST_F(WebSocketServerTest, UnmaskedClientFramesGetAProtocolErrorClose) {
  RawConnection c(server_->port());
  ASSERT_TRUE(c.Send(UpgradeRequest("/ws-plain")));
  ASSERT_TRUE(c.ReadResponse().has_value());
  ASSERT_NE(upgrades_.WaitWriter(0), nullptr);
  std::string out;
  ws::AppendFrame(&out, ws::Opcode::kText, "not masked");
  ASSERT_TRUE(c.Send(out));
  auto frames = ReadFrames(c, 1);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].opcode, ws::Opcode::kClose);
  EXPECT_EQ(frames[0].payload.substr(0, 2), std::string("\x03\xea", 2));  // 1002
  EXPECT_TRUE(c.WaitClosed());
}

TEST_F(WebSocketServerTest, WebSocketResponseToAPlainRequestIs500) {
  RawConnection c(server_->port());
  ASSERT_TRUE(c.Send("GET /ws HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 500);
}

TEST_F(WebSocketServerTest, AbortEndsTheStreamAtOnce) {
  RawConnection c(server_->port());
  ASSERT_TRUE(c.Send(UpgradeRequest("/ws-plain")));
  ASSERT_TRUE(c.ReadResponse().has_value());
  auto writer = upgrades_.WaitWriter(0);
  ASSERT_NE(writer, nullptr);
  writer->Abort();
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_TRUE(upgrades_.WaitClosed(1));
  EXPECT_TRUE(writer->closed());
  EXPECT_FALSE(writer->Write("late"));
}

TEST(ClientInterruptTest, InterruptEndsABlockedStreamingRequest) {
  metrics::Registry registry;
  ServerOptions o;
  o.metrics = &registry;
  Upgrades upgrades;  // plain streamed responses for other paths
  Server server(o, upgrades.MakeHandler());
  ASSERT_TRUE(server.Start().ok());
  Client client;
  std::thread stopper([&] {
    ASSERT_NE(upgrades.WaitWriter(0), nullptr);
    client.Interrupt();
  });
  auto r = client.SendStreaming("GET", "http://127.0.0.1:" + std::to_string(server.port()) + "/sse",
                                {}, {}, [](std::string_view) { return true; });
  stopper.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kUnavailable);
  // Later requests fail at once.
  auto again = client.Send("GET", "http://127.0.0.1:" + std::to_string(server.port()) + "/x");
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message().find("interrupted"), std::string::npos);
}

}  // namespace
}  // namespace kizuna::http
