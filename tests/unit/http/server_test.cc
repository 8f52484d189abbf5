#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "core/metrics.h"
#include "http/client.h"
#include "server_support.h"
#include "test_support.h"

namespace kizuna::http {
namespace {

using namespace std::chrono_literals;
using testing::RawConnection;
using testing::RawResponse;
using testing::TempDir;

using testing::Echo;
using testing::TestServer;
using testing::Text;

TEST(ServerTest, ServesRequestWithDecodedFields) {
  Request seen;
  std::mutex mu;
  TestServer s({}, [&](Request req, Respond respond) {
    {
      std::lock_guard<std::mutex> lock(mu);
      seen = req;
    }
    Response r = Text(201, "made");
    r.SetHeader("x-kizuna", "yes");
    respond(std::move(r));
  });
  ASSERT_TRUE(s.status.ok()) << s.status.ToString();
  Client client;
  auto r = client.Send("POST", s.Url("/taxii2/col%20one/objects/?match%5Bid%5D=x&limit=2"),
                       {{"X-Custom", "Value"}}, "payload");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "made");
  ASSERT_NE(r->FindHeader("x-kizuna"), nullptr);
  EXPECT_EQ(*r->FindHeader("x-kizuna"), "yes");
  ASSERT_NE(r->FindHeader("content-length"), nullptr);
  EXPECT_EQ(*r->FindHeader("content-length"), "4");
  EXPECT_NE(r->FindHeader("date"), nullptr);

  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/taxii2/col%20one/objects/?match%5Bid%5D=x&limit=2");
  EXPECT_EQ(seen.path, "/taxii2/col one/objects/");
  EXPECT_EQ(seen.raw_query, "match%5Bid%5D=x&limit=2");
  EXPECT_EQ(seen.body, "payload");
  ASSERT_NE(seen.FindHeader("x-custom"), nullptr);
  EXPECT_EQ(*seen.FindHeader("x-custom"), "Value");
  EXPECT_TRUE(seen.remote_address.starts_with("127.0.0.1:")) << seen.remote_address;
  EXPECT_FALSE(seen.tls);
}

TEST(ServerTest, KeepAliveReusesOneConnection) {
  std::mutex mu;
  std::set<std::string> remotes;
  TestServer s({}, [&](Request req, Respond respond) {
    {
      std::lock_guard<std::mutex> lock(mu);
      remotes.insert(req.remote_address);
    }
    respond(Text(200, "ok"));
  });
  ASSERT_TRUE(s.status.ok());
  Client client;
  for (int i = 0; i < 5; ++i) {
    auto r = client.Send("GET", s.Url("/x"));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ(client.connections_opened(), 1u);
  EXPECT_EQ(remotes.size(), 1u);
}

TEST(ServerTest, PipelinedRequestsAnsweredInOrderOneAtATime) {
  std::atomic<int> in_flight{0};
  std::atomic<int> max_in_flight{0};
  std::mutex mu;
  std::vector<std::thread> threads;
  TestServer s({}, [&](Request req, Respond respond) {
    int now = ++in_flight;
    int prev = max_in_flight.load();
    while (now > prev && !max_in_flight.compare_exchange_weak(prev, now)) {
    }
    // Complete later, from another thread.
    std::lock_guard<std::mutex> lock(mu);
    threads.emplace_back([&in_flight, path = req.path, respond = std::move(respond)] {
      std::this_thread::sleep_for(20ms);
      --in_flight;
      respond(Text(200, path));
    });
  });
  ASSERT_TRUE(s.status.ok());
  RawConnection c(s.port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(
      c.Send("GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\n"
             "GET /three HTTP/1.1\r\nHost: a\r\n\r\n"));
  for (const char* expected : {"/one", "/two", "/three"}) {
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value()) << expected;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, expected);
  }
  EXPECT_EQ(max_in_flight.load(), 1);
  std::lock_guard<std::mutex> lock(mu);
  for (auto& t : threads) t.join();
}

TEST(ServerTest, RejectsBadTargetsWith400) {
  std::atomic<int> calls{0};
  TestServer s({}, [&](Request req, Respond respond) {
    ++calls;
    Echo(std::move(req), std::move(respond));
  });
  ASSERT_TRUE(s.status.ok());
  for (const char* target :
       {"/taxii2/../etc/passwd", "/a/%2e%2E/b", "/a/./b", "/a/..", "/a%zz", "/a%0", "/a%00b",
        "/a%2Fb", "http://example.com/", "*", "/a#frag", "/a\\b"}) {
    RawConnection c(s.port());
    ASSERT_TRUE(c.Send(std::string("GET ") + target + " HTTP/1.1\r\nHost: a\r\n\r\n"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value()) << target;
    EXPECT_EQ(r->status, 400) << target;
    EXPECT_FALSE(r->keep_alive) << target;
    EXPECT_TRUE(c.WaitClosed()) << target;
  }
  EXPECT_EQ(calls.load(), 0);
}

TEST(ServerTest, MalformedRequestsGetErrorsAndClose) {
  std::atomic<int> calls{0};
  TestServer s({}, [&](Request req, Respond respond) {
    ++calls;
    Echo(std::move(req), std::move(respond));
  });
  ASSERT_TRUE(s.status.ok());
  struct Case {
    std::string bytes;
    int status;
  };
  std::vector<Case> cases = {
      {"GARBAGE\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\n\r\n", 400},                        // no Host
      {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},  // two Hosts
      {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
      {"GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: "
       "chunked\r\n\r\n0\r\n\r\n",
       400},
      {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nxyz", 501},
      {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc", 400},
      {"GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(20000, 'a') + "\r\n\r\n", 431},
  };
  for (const Case& k : cases) {
    RawConnection c(s.port());
    ASSERT_TRUE(c.Send(k.bytes));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value()) << k.bytes.substr(0, 60);
    EXPECT_EQ(r->status, k.status) << k.bytes.substr(0, 60);
    EXPECT_TRUE(c.WaitClosed()) << k.bytes.substr(0, 60);
  }
  EXPECT_EQ(calls.load(), 0);
}

TEST(ServerTest, BodyOverLimitGets413BeforeTheBodyIsSent) {
  std::atomic<int> calls{0};
  ServerOptions o;
  o.default_body_limit = 1000;
  TestServer s(o, [&](Request req, Respond respond) {
    ++calls;
    Echo(std::move(req), std::move(respond));
  });
  ASSERT_TRUE(s.status.ok());
  RawConnection c(s.port());
  // Only the header: the body is never sent, so a 413 here proves the server
  // decided without buffering it.
  ASSERT_TRUE(c.Send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 10000000000\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_EQ(calls.load(), 0);
}

TEST(ServerTest, BodyLimitHookChoosesPerRequest) {
  ServerOptions o;
  o.default_body_limit = 1000;
  std::atomic<int> hook_calls{0};
  TestServer s(o, Echo, [&](const Request& head) -> int64_t {
    ++hook_calls;
    EXPECT_TRUE(head.body.empty());
    return head.path == "/small" ? 10 : -1;
  });
  ASSERT_TRUE(s.status.ok());
  Client client;
  auto small = client.Send("POST", s.Url("/small"), {}, std::string(11, 'x'));
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  EXPECT_EQ(small->status, 413);
  auto fits = client.Send("POST", s.Url("/small"), {}, std::string(10, 'x'));
  ASSERT_TRUE(fits.ok()) << fits.status().ToString();
  EXPECT_EQ(fits->status, 200);
  auto big = client.Send("POST", s.Url("/big"), {}, std::string(999, 'y'));
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->status, 200);
  EXPECT_EQ(big->body, "POST /big?|" + std::string(999, 'y'));
  EXPECT_EQ(hook_calls.load(), 3);
}

TEST(ServerTest, ChunkedBodiesAreDecodedAndLimited) {
  ServerOptions o;
  o.default_body_limit = 8;
  TestServer s(o, Echo);
  ASSERT_TRUE(s.status.ok());
  {
    RawConnection c(s.port());
    ASSERT_TRUE(
        c.Send("POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
               "chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "POST /c?|abcde");
  }
  {
    RawConnection c(s.port());
    ASSERT_TRUE(
        c.Send("POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
               "chunked\r\n\r\n5\r\nabcde\r\n5\r\nfghij\r\n"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 413);
    EXPECT_TRUE(c.WaitClosed());
  }
}

TEST(ServerTest, ExpectContinueOnlyForAcceptableBodies) {
  ServerOptions o;
  o.default_body_limit = 100;
  TestServer s(o, Echo);
  ASSERT_TRUE(s.status.ok());
  {
    RawConnection c(s.port());
    ASSERT_TRUE(
        c.Send("PUT /e HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
    auto interim = c.ReadResponse();
    ASSERT_TRUE(interim.has_value());
    EXPECT_EQ(interim->status, 100);
    ASSERT_TRUE(c.Send("hello"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "PUT /e?|hello");
  }
  {
    RawConnection c(s.port());
    ASSERT_TRUE(c.Send(
        "PUT /e HTTP/1.1\r\nHost: a\r\nContent-Length: 500\r\nExpect: 100-continue\r\n\r\n"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 413);
  }
}

TEST(ServerTest, SlowHeaderGets408) {
  ServerOptions o;
  o.read_header_timeout = 200ms;
  TestServer s(o, Echo);
  ASSERT_TRUE(s.status.ok());
  RawConnection c(s.port());
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: a\r\n"));  // never finished
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 408);
  EXPECT_TRUE(c.WaitClosed());
}

TEST(ServerTest, SlowBodyGets408) {
  ServerOptions o;
  o.read_body_timeout = 200ms;
  TestServer s(o, Echo);
  ASSERT_TRUE(s.status.ok());
  RawConnection c(s.port());
  ASSERT_TRUE(c.Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 408);
  EXPECT_TRUE(c.WaitClosed());
}

TEST(ServerTest, SilentNewConnectionIsClosedAfterHeaderTimeout) {
  ServerOptions o;
  o.read_header_timeout = 200ms;
  TestServer s(o, Echo);
  ASSERT_TRUE(s.status.ok());
  RawConnection c(s.port());
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_TRUE(c.pending().empty());
}

TEST(ServerTest, IdleKeepAliveConnectionIsClosedQuietly) {
  ServerOptions o;
  o.idle_timeout = 200ms;
  TestServer s(o, Echo);
  ASSERT_TRUE(s.status.ok());
  RawConnection c(s.port());
  ASSERT_TRUE(c.Send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->keep_alive);
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_TRUE(c.pending().empty());  // closed without a response
}

TEST(ServerTest, ConnectionsOverTheLimitGet503) {
  ServerOptions o;
  o.max_connections = 2;
  TestServer s(o, Echo);
  ASSERT_TRUE(s.status.ok());
  RawConnection a(s.port()), b(s.port());
  for (RawConnection* c : {&a, &b}) {
    ASSERT_TRUE(c->Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
    auto r = c->ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
  }
  RawConnection third(s.port());
  auto r = third.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503);
  EXPECT_TRUE(r->Header("retry-after").has_value());
  EXPECT_TRUE(third.WaitClosed());
  // The first two still work; closing one frees a slot.
  a.Close();
  for (int i = 0; i < 200 && s.server->open_connections() > 1; ++i)
    std::this_thread::sleep_for(10ms);
  RawConnection fourth(s.port());
  ASSERT_TRUE(fourth.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  auto r4 = fourth.ReadResponse();
  ASSERT_TRUE(r4.has_value());
  EXPECT_EQ(r4->status, 200);
}

TEST(ServerTest, RespondFromAnotherThread) {
  std::vector<std::thread> threads;
  std::mutex mu;
  TestServer s({}, [&](Request req, Respond respond) {
    std::lock_guard<std::mutex> lock(mu);
    threads.emplace_back([req = std::move(req), respond = std::move(respond)]() mutable {
      std::this_thread::sleep_for(10ms);
      respond(Text(200, "later " + req.path));
    });
  });
  ASSERT_TRUE(s.status.ok());
  Client client;
  for (int i = 0; i < 3; ++i) {
    auto r = client.Send("GET", s.Url("/p" + std::to_string(i)));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->body, "later /p" + std::to_string(i));
  }
  std::lock_guard<std::mutex> lock(mu);
  for (auto& t : threads) t.join();
}

TEST(ServerTest, DroppedRespondAnswers500AndKeepsTheConnection) {
  TestServer s({}, [](Request req, Respond respond) {
    if (req.path == "/drop") return;  // `respond` dies here without a call
    respond(Text(200, "fine"));
  });
  ASSERT_TRUE(s.status.ok());
  Client client;
  auto dropped = client.Send("GET", s.Url("/drop"));
  ASSERT_TRUE(dropped.ok()) << dropped.status().ToString();
  EXPECT_EQ(dropped->status, 500);
  auto fine = client.Send("GET", s.Url("/ok"));
  ASSERT_TRUE(fine.ok());
  EXPECT_EQ(fine->status, 200);
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST(ServerTest, DroppedRespondOnAnotherThreadAnswers500) {
  std::vector<std::thread> threads;
  std::mutex mu;
  TestServer s({}, [&](Request, Respond respond) {
    std::lock_guard<std::mutex> lock(mu);
    threads.emplace_back([respond = std::move(respond)] { std::this_thread::sleep_for(10ms); });
  });
  ASSERT_TRUE(s.status.ok());
  Client client;
  auto r = client.Send("GET", s.Url("/x"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 500);
  std::lock_guard<std::mutex> lock(mu);
  for (auto& t : threads) t.join();
}

TEST(ServerTest, ThrowingHandlerAnswers500) {
  TestServer s({}, [](Request, Respond) { throw std::runtime_error("boom"); });
  ASSERT_TRUE(s.status.ok());
  Client client;
  auto r = client.Send("GET", s.Url("/x"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 500);
}

TEST(ServerTest, SecondRespondIsIgnored) {
  TestServer s({}, [](Request, Respond respond) {
    Respond copy = respond;
    respond(Text(200, "first"));
    copy(Text(500, "second"));
  });
  ASSERT_TRUE(s.status.ok());
  Client client;
  for (int i = 0; i < 2; ++i) {
    auto r = client.Send("GET", s.Url("/x"));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "first");
  }
}

TEST(ServerTest, ResponseHeaderInjectionIsRefused) {
  TestServer s({}, [](Request, Respond respond) {
    Response r = Text(200, "x");
    r.SetHeader("x-bad", "a\r\nSet-Cookie: evil=1");
    respond(std::move(r));
  });
  ASSERT_TRUE(s.status.ok());
  RawConnection c(s.port());
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 500);
  EXPECT_FALSE(r->Header("set-cookie").has_value());
}

TEST(ServerTest, InvalidStatusIsRefused) {
  TestServer s({}, [](Request req, Respond respond) {
    respond(Text(req.path == "/interim" ? 101 : 1000, "x"));
  });
  ASSERT_TRUE(s.status.ok());
  for (const char* path : {"/interim", "/huge"}) {
    RawConnection c(s.port());
    ASSERT_TRUE(c.Send(std::string("GET ") + path + " HTTP/1.1\r\nHost: a\r\n\r\n"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(r->status, 500) << path;
  }
}

TEST(ServerTest, ObsoleteLineFoldingNeverReachesHandlers) {
  std::atomic<int> folded{0};
  TestServer s({}, [&](Request req, Respond respond) {
    const std::string* x = req.FindHeader("x");
    if (x && x->find('\n') != std::string::npos) ++folded;
    respond(Text(200, "ok"));
  });
  ASSERT_TRUE(s.status.ok());
  RawConnection c(s.port());
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  // RFC 9112 §5.2: reject, or replace the fold with spaces; never pass CR LF on.
  EXPECT_TRUE(r->status == 400 || r->status == 200) << r->status;
  EXPECT_EQ(folded.load(), 0);
}

TEST(ServerTest, ErrorFormatterShapesServerErrors) {
  std::atomic<int> formatted{0};
  TestServer s({}, Echo, nullptr, [&](int status, std::string_view message, const Request& head) {
    ++formatted;
    Response r;
    r.status = status;
    r.SetHeader("content-type", "application/taxii+json;version=2.1");
    r.body = "{\"http_status\":\"" + std::to_string(status) + "\",\"title\":\"" +
             std::string(message.substr(0, 20)) + "\",\"target\":\"" + head.target + "\"}";
    return r;
  });
  ASSERT_TRUE(s.status.ok());
  RawConnection c(s.port());
  ASSERT_TRUE(c.Send("GET /a/../b HTTP/1.1\r\nHost: a\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->Header("content-type").value_or(""), "application/taxii+json;version=2.1");
  EXPECT_NE(r->body.find("\"http_status\":\"400\""), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("\"target\":\"/a/../b\""), std::string::npos) << r->body;
  EXPECT_EQ(formatted.load(), 1);
}

TEST(ServerTest, HeadGetsLengthWithoutBody) {
  TestServer s({}, [](Request, Respond respond) { respond(Text(200, "twelve bytes")); });
  ASSERT_TRUE(s.status.ok());
  RawConnection c(s.port());
  ASSERT_TRUE(c.Send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  auto head = c.ReadResponse(/*head_request=*/true);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->Header("content-length").value_or(""), "12");
  EXPECT_TRUE(head->body.empty());
  auto get = c.ReadResponse();  // would fail if HEAD had sent body bytes
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(get->body, "twelve bytes");
}

TEST(ServerTest, Http10ClosesUnlessKeepAliveAsked) {
  TestServer s({}, Echo);
  ASSERT_TRUE(s.status.ok());
  {
    RawConnection c(s.port());
    ASSERT_TRUE(c.Send("GET /old HTTP/1.0\r\n\r\n"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_TRUE(c.WaitClosed());
  }
  {
    RawConnection c(s.port());
    ASSERT_TRUE(c.Send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->Header("connection").value_or(""), "keep-alive");
    ASSERT_TRUE(c.Send("GET /again HTTP/1.0\r\n\r\n"));
    auto r2 = c.ReadResponse();
    ASSERT_TRUE(r2.has_value());
    EXPECT_EQ(r2->body, "GET /again?|");
  }
}

TEST(ServerTest, HandlerCanAskToClose) {
  TestServer s({}, [](Request, Respond respond) {
    Response r = Text(200, "bye");
    r.SetHeader("connection", "close");
    respond(std::move(r));
  });
  ASSERT_TRUE(s.status.ok());
  RawConnection c(s.port());
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->keep_alive);
  EXPECT_TRUE(c.WaitClosed());
}

TEST(ServerTest, StopFinishesInFlightRequests) {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Respond> held;
  auto registry = std::make_unique<metrics::Registry>();
  ServerOptions o;
  o.metrics = registry.get();
  o.threads = 2;
  Server server(o, [&](Request, Respond respond) {
    std::lock_guard<std::mutex> lock(mu);
    held = std::move(respond);
    cv.notify_all();
  });
  ASSERT_TRUE(server.Start().ok());
  uint16_t port = server.port();
  RawConnection busy(port);
  RawConnection idle(port);
  ASSERT_TRUE(busy.Send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n"));
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return held.has_value(); }));
  }
  std::thread stopper([&] { server.Stop(); });
  EXPECT_TRUE(idle.WaitClosed());  // idle connections go at once
  {
    std::lock_guard<std::mutex> lock(mu);
    (*held)(Text(200, "finished"));
  }
  auto r = busy.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "finished");
  EXPECT_FALSE(r->keep_alive);
  busy.Close();  // spares Stop the wait for the server's lingering close
  stopper.join();
  EXPECT_FALSE(server.running());
  RawConnection after(port);
  EXPECT_FALSE(after.connected());
  // A Respond held past Stop is a harmless no-op.
  std::lock_guard<std::mutex> lock(mu);
  held.reset();
}

TEST(ServerTest, StopClosesRequestsThatNeverFinish) {
  std::optional<Respond> held;
  std::mutex mu;
  ServerOptions o;
  metrics::Registry registry;
  o.metrics = &registry;
  o.stop_timeout = 100ms;
  Server server(o, [&](Request, Respond respond) {
    std::lock_guard<std::mutex> lock(mu);
    held = std::move(respond);
  });
  ASSERT_TRUE(server.Start().ok());
  RawConnection c(server.port());
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (held) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  server.Stop();
  EXPECT_TRUE(c.WaitClosed());
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_TRUE(held.has_value());
  (*held)(Text(200, "too late"));  // no-op, must not crash
}

TEST(ServerTest, PlainHttpOnPublicAddressIsRefused) {
  metrics::Registry registry;
  ServerOptions o;
  o.metrics = &registry;
  o.listen = {"0.0.0.0:0"};
  Server refused(o, Echo);
  Status st = refused.Start();
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_NE(st.message().find("allow_plain_http"), std::string::npos);
  EXPECT_FALSE(refused.running());

  o.allow_plain_http = true;
  Server allowed(o, Echo);
  EXPECT_TRUE(allowed.Start().ok());
  EXPECT_NE(allowed.port(), 0);
}

TEST(ServerTest, BadOptionsAreRejected) {
  metrics::Registry registry;
  for (std::string addr : {"127.0.0.1", "example.com:80", "127.0.0.1:99999", "[::1", "1.2.3.4:x"}) {
    ServerOptions o;
    o.metrics = &registry;
    o.listen = {addr};
    Server s(o, Echo);
    EXPECT_EQ(s.Start().code(), StatusCode::kInvalidArgument) << addr;
  }
  ServerOptions o;
  o.metrics = &registry;
  o.tls_cert_file = "/nonexistent.crt";
  Server half(o, Echo);
  EXPECT_EQ(half.Start().code(), StatusCode::kInvalidArgument);
  o.tls_key_file = "/nonexistent.key";
  Server missing(o, Echo);
  EXPECT_EQ(missing.Start().code(), StatusCode::kIoError);
}

TEST(ServerTest, ListensOnSeveralAddresses) {
  ServerOptions o;
  o.listen = {"127.0.0.1:0", "[::1]:0"};
  TestServer s(o, Echo);
  if (!s.status.ok() && s.status.message().find("::1") != std::string::npos)
    GTEST_SKIP() << "no IPv6 loopback here: " << s.status.ToString();
  ASSERT_TRUE(s.status.ok()) << s.status.ToString();
  auto addrs = s.server->listening();
  ASSERT_EQ(addrs.size(), 2u);
  EXPECT_TRUE(addrs[1].starts_with("[::1]:"));
  Client client;
  auto r = client.Send("GET", "http://" + addrs[1] + "/six");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "GET /six?|");
}

TEST(ServerTest, RecordsMetrics) {
  TestServer s({}, [](Request req, Respond respond) {
    Response r = Text(req.path == "/missing" ? 404 : 200, "body");
    r.route = "test.route";
    respond(std::move(r));
  });
  ASSERT_TRUE(s.status.ok());
  Client client;
  ASSERT_TRUE(client.Send("GET", s.Url("/a")).ok());
  ASSERT_TRUE(client.Send("GET", s.Url("/b")).ok());
  ASSERT_TRUE(client.Send("GET", s.Url("/missing")).ok());
  RawConnection bad(s.port());
  ASSERT_TRUE(bad.Send("GET /../x HTTP/1.1\r\nHost: a\r\n\r\n"));
  ASSERT_TRUE(bad.ReadResponse().has_value());
  ASSERT_TRUE(bad.WaitClosed());
  bad.Close();
  for (int i = 0; i < 500 && s.server->open_connections() > 1; ++i)
    std::this_thread::sleep_for(10ms);
  std::string text = s.registry.RenderPrometheus();
  EXPECT_NE(
      text.find("kizuna_http_requests_total{route=\"test.route\",method=\"GET\",code=\"200\"} 2"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("kizuna_http_requests_total{route=\"test.route\",method=\"GET\",code=\"404\"} 1"),
      std::string::npos);
  EXPECT_NE(text.find("kizuna_http_requests_total{route=\"other\",method=\"GET\",code=\"400\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("kizuna_http_request_duration_seconds_count{route=\"test.route\"} 3"),
            std::string::npos);
  EXPECT_NE(text.find("kizuna_http_connections_open 1"), std::string::npos);
  EXPECT_NE(text.find("kizuna_http_connections_total 2"), std::string::npos);
  EXPECT_EQ(text.find("kizuna_http_received_bytes_total 0\n"), std::string::npos);
}

TEST(ServerTest, WritesOneJsonAccessLogLinePerRequest) {
  TempDir dir;
  std::string log_path = dir.File("access.log");
  {
    ServerOptions o;
    o.access_log = log_path;
    TestServer s(o, [](Request, Respond respond) {
      Response r = Text(200, "hello");
      r.route = "demo.route";
      r.principal = "alice";
      respond(std::move(r));
    });
    ASSERT_TRUE(s.status.ok());
    Client client;
    ASSERT_TRUE(client.Send("GET", s.Url("/p%C3%A9?limit=1")).ok());
    ASSERT_TRUE(client.Send("POST", s.Url("/q"), {}, "abc").ok());
  }  // the server's destruction flushes the log
  std::ifstream in(log_path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[0].starts_with("{\"time\":\"")) << lines[0];
  EXPECT_TRUE(lines[0].ends_with("}")) << lines[0];
  for (const char* field :
       {"\"method\":\"GET\"", "\"path\":\"/p\xC3\xA9\"", "\"query\":\"limit=1\"",
        "\"route\":\"demo.route\"", "\"status\":200", "\"principal\":\"alice\"",
        "\"bytes_out\":", "\"duration_us\":", "\"remote\":\"127.0.0.1:", "\"tls\":false"})
    EXPECT_NE(lines[0].find(field), std::string::npos) << field << " in " << lines[0];
  EXPECT_NE(lines[1].find("\"method\":\"POST\""), std::string::npos);
}

TEST(ServerTest, RestartsAfterStop) {
  metrics::Registry registry;
  ServerOptions o;
  o.metrics = &registry;
  Server s(o, Echo);
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(s.Start().ok());
    Client client;
    auto r = client.Send("GET", "http://127.0.0.1:" + std::to_string(s.port()) + "/r");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    s.Stop();
  }
}

}  // namespace
}  // namespace kizuna::http
