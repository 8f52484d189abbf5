#include "http/stream.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/metrics.h"
#include "http/client.h"
#include "http/server.h"
#include "test_support.h"

namespace kizuna::http {
namespace {

using namespace std::chrono_literals;
using testing::RawConnection;

// Collects the writers of streamed responses as handlers open them.
struct Streams {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::shared_ptr<StreamWriter>> writers;
  int closed = 0;

  Handler MakeHandler(std::string first_chunk = "") {
    return [this, first_chunk](Request, Respond respond) {
      Response r;
      r.status = 200;
      r.SetHeader("content-type", "text/event-stream");
      r.SetHeader("cache-control", "no-store");
      r.route = "stream.test";
      r.body = first_chunk;
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

std::string Event(int i) {
  return "id: " + std::to_string(i) + "\ndata: event " + std::to_string(i) + "\n\n";
}

TEST(StreamTest, EventsArriveInOrderAndCloseEndsTheStream) {
  metrics::Registry registry;
  ServerOptions o;
  o.metrics = &registry;
  Streams streams;
  Server server(o, streams.MakeHandler(": hello\n\n"));
  ASSERT_TRUE(server.Start().ok());

  std::thread producer([&] {
    auto writer = streams.WaitWriter(0);
    ASSERT_NE(writer, nullptr);
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(writer->Write(Event(i)));
    writer->Close();
    EXPECT_FALSE(writer->Write(Event(999)));
  });

  Client client;
  std::string received;
  auto r =
      client.SendStreaming("GET", "http://127.0.0.1:" + std::to_string(server.port()) + "/events",
                           {{"accept", "text/event-stream"}}, "", [&](std::string_view data) {
                             received.append(data);
                             return true;
                           });
  producer.join();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->FindHeader("content-type") ? *r->FindHeader("content-type") : "",
            "text/event-stream");
  EXPECT_EQ(r->FindHeader("transfer-encoding") ? *r->FindHeader("transfer-encoding") : "",
            "chunked");
  EXPECT_EQ(r->FindHeader("content-length"), nullptr);
  std::string expected = ": hello\n\n";
  for (int i = 0; i < 200; ++i) expected += Event(i);
  EXPECT_EQ(received, expected);
  EXPECT_TRUE(streams.WaitClosed(1));
  EXPECT_TRUE(streams.writers[0]->closed());
  EXPECT_NE(registry.RenderPrometheus().find(
                "kizuna_http_requests_total{route=\"stream.test\",method=\"GET\",code=\"200\"} 1"),
            std::string::npos);
}

TEST(StreamTest, PeerGoingAwayRunsTheClosedCallback) {
  metrics::Registry registry;
  ServerOptions o;
  o.metrics = &registry;
  Streams streams;
  Server server(o, streams.MakeHandler());
  ASSERT_TRUE(server.Start().ok());
  {
    RawConnection c(server.port());
    ASSERT_TRUE(c.Send("GET /events HTTP/1.1\r\nHost: a\r\n\r\n"));
    auto writer = streams.WaitWriter(0);
    ASSERT_NE(writer, nullptr);
    ASSERT_TRUE(writer->Write("data: one\n\n"));
    // The head and the first event arrive.
    while (c.pending().find("data: one") == std::string::npos) ASSERT_GT(c.Fill(), 0);
  }  // the client disconnects
  EXPECT_TRUE(streams.WaitClosed(1));
  auto writer = streams.writers[0];
  EXPECT_TRUE(writer->closed());
  EXPECT_FALSE(writer->Write("data: two\n\n"));
  // A callback set after the end runs at once.
  bool ran = false;
  writer->SetClosedCallback([&] { ran = true; });
  EXPECT_TRUE(ran);
}

TEST(StreamTest, SlowReaderTripsTheBoundWithoutGrowingMemory) {
  metrics::Registry registry;
  ServerOptions o;
  o.metrics = &registry;
  o.max_stream_pending_bytes = 256 * 1024;
  o.write_timeout = std::chrono::milliseconds(60'000);  // the bound, not the timeout, must trip
  Streams streams;
  Server server(o, streams.MakeHandler());
  ASSERT_TRUE(server.Start().ok());

  // A client with a tiny receive window that reads nothing after the request.
  RawConnection c(server.port(), 10s, /*receive_buffer=*/4096);
  ASSERT_TRUE(c.Send("GET /events HTTP/1.1\r\nHost: a\r\n\r\n"));
  auto writer = streams.WaitWriter(0);
  ASSERT_NE(writer, nullptr);

  const std::string chunk = "data: " + std::string(16 * 1024, 'x') + "\n\n";
  size_t accepted = 0;
  bool refused = false;
  size_t max_pending = 0;
  // At most 1 GiB offered: far more than socket buffers and the bound.
  for (int i = 0; i < 65536 && !refused; ++i) {
    if (writer->Write(chunk)) {
      accepted += chunk.size();
    } else {
      refused = true;
    }
    max_pending = std::max(max_pending, writer->pending_bytes());
    if (i % 16 == 0) std::this_thread::sleep_for(1ms);  // let the server flush what it can
  }
  EXPECT_TRUE(refused) << "accepted " << accepted << " bytes";
  EXPECT_LE(max_pending, o.max_stream_pending_bytes);
  EXPECT_TRUE(streams.WaitClosed(1));
  EXPECT_TRUE(writer->closed());
  EXPECT_EQ(writer->pending_bytes(), 0u);
  EXPECT_FALSE(writer->Write("data: more\n\n"));
}

TEST(StreamTest, StopEndsOpenStreams) {
  metrics::Registry registry;
  ServerOptions o;
  o.metrics = &registry;
  Streams streams;
  auto server = std::make_unique<Server>(o, streams.MakeHandler());
  ASSERT_TRUE(server->Start().ok());
  RawConnection c(server->port());
  ASSERT_TRUE(c.Send("GET /events HTTP/1.1\r\nHost: a\r\n\r\n"));
  auto writer = streams.WaitWriter(0);
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(writer->Write("data: x\n\n"));
  server->Stop();
  EXPECT_TRUE(streams.WaitClosed(1));
  EXPECT_TRUE(c.WaitClosed());
  // The stream ended cleanly: the terminating chunk came before the close.
  EXPECT_NE(c.pending().find("data: x\n\n\r\n0\r\n\r\n"), std::string::npos) << c.pending();
  server.reset();
  EXPECT_FALSE(writer->Write("data: after\n\n"));  // the writer outlives the server safely
}

TEST(StreamTest, Http10StreamsAreCloseDelimited) {
  metrics::Registry registry;
  ServerOptions o;
  o.metrics = &registry;
  Streams streams;
  Server server(o, streams.MakeHandler());
  ASSERT_TRUE(server.Start().ok());
  RawConnection c(server.port());
  ASSERT_TRUE(c.Send("GET /events HTTP/1.0\r\n\r\n"));
  auto writer = streams.WaitWriter(0);
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(writer->Write("data: a\n\n"));
  ASSERT_TRUE(writer->Write("data: b\n\n"));
  writer->Close();
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "data: a\n\ndata: b\n\n");
  EXPECT_FALSE(r->Header("transfer-encoding").has_value());
}

TEST(StreamTest, HeadCannotStream) {
  metrics::Registry registry;
  ServerOptions o;
  o.metrics = &registry;
  Streams streams;
  Server server(o, streams.MakeHandler());
  ASSERT_TRUE(server.Start().ok());
  RawConnection c(server.port());
  ASSERT_TRUE(c.Send("HEAD /events HTTP/1.1\r\nHost: a\r\n\r\n"));
  auto r = c.ReadResponse(/*head_request=*/true);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 500);
}

}  // namespace
}  // namespace kizuna::http
