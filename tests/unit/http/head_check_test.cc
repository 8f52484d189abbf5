// The server's head check and in-flight body budget (issue 10, finding 3):
// a request is decided from its head before any body byte is read, and the
// body bytes in flight across connections are bounded.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "http/server.h"
#include "server_support.h"
#include "test_support.h"

namespace kizuna::http {
namespace {

using namespace std::chrono_literals;
using testing::Echo;
using testing::RawConnection;
using testing::TestServer;
using testing::Text;

// A head check that answers 401 for /deny and lets every other head through,
// keeping the last head it saw.
struct Gate {
  std::atomic<int> calls{0};
  std::mutex mu;
  Request last;

  HeadCheck Check() {
    return [this](Request head, HeadVerdict verdict) {
      ++calls;
      bool deny = head.path == "/deny";
      {
        std::lock_guard<std::mutex> lock(mu);
        last = std::move(head);
      }
      if (!deny) return verdict(std::nullopt);
      Response r = Text(401, "no");
      r.route = "test.denied";
      verdict(std::move(r));
    };
  }
};

TEST(HeadCheckTest, AnswersWithoutReadingTheBody) {
  Gate gate;
  std::atomic<int> handled{0};
  TestServer s(
      {},
      [&](Request req, Respond respond) {
        ++handled;
        Echo(std::move(req), std::move(respond));
      },
      nullptr, nullptr, gate.Check());
  ASSERT_TRUE(s.status.ok());
  {
    // Only the header of a 30 MB body: an answer proves the server decided
    // without reading it (before the fix, it waited for the body).
    RawConnection c(s.port());
    ASSERT_TRUE(
        c.Send("POST /deny HTTP/1.1\r\nHost: a\r\nAuthorization: Basic eA==\r\n"
               "Content-Length: 30000000\r\n\r\n"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 401);
    EXPECT_EQ(r->body, "no");
    EXPECT_EQ(r->Header("connection").value_or(""), "close");
    EXPECT_FALSE(r->keep_alive);
    EXPECT_TRUE(c.WaitClosed());
  }
  {
    // An Expect: 100-continue client gets the answer instead of 100 Continue.
    RawConnection c(s.port());
    ASSERT_TRUE(
        c.Send("PUT /deny HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
               "Transfer-Encoding: chunked\r\n\r\n"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 401);
    EXPECT_TRUE(c.WaitClosed());
  }
  EXPECT_EQ(handled.load(), 0);
  EXPECT_EQ(gate.calls.load(), 2);
  {
    std::lock_guard<std::mutex> lock(gate.mu);
    EXPECT_EQ(gate.last.method, "PUT");
    EXPECT_TRUE(gate.last.body.empty());
    EXPECT_NE(gate.last.FindHeader("expect"), nullptr);
  }
  std::string text = s.registry.RenderPrometheus();
  EXPECT_NE(text.find("kizuna_http_head_check_rejected_total 2"), std::string::npos) << text;
  EXPECT_NE(
      text.find("kizuna_http_requests_total{route=\"test.denied\",method=\"POST\",code=\"401\"} 1"),
      std::string::npos)
      << text;
}

TEST(HeadCheckTest, PassingLetsTheBodyBeRead) {
  Gate gate;
  TestServer s({}, Echo, nullptr, nullptr, gate.Check());
  ASSERT_TRUE(s.status.ok());
  RawConnection c(s.port());
  ASSERT_TRUE(c.Send("POST /ok HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "POST /ok?|hello");
  EXPECT_TRUE(r->keep_alive);
  // 100 Continue only after the check passed.
  ASSERT_TRUE(
      c.Send("PUT /ok HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = c.ReadResponse();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.Send("abc"));
  r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "PUT /ok?|abc");
  ASSERT_TRUE(
      c.Send("POST /ok HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
             "2\r\nde\r\n0\r\n\r\n"));
  r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "POST /ok?|de");
  // Requests without a body are not checked.
  ASSERT_TRUE(
      c.Send("GET /ok HTTP/1.1\r\nHost: a\r\n\r\n"
             "POST /ok HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"));
  for (int i = 0; i < 2; ++i) {
    r = c.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ(gate.calls.load(), 3);
}

TEST(HeadCheckTest, VerdictFromAnotherThread) {
  std::mutex mu;
  std::vector<std::thread> threads;
  HeadCheck later = [&](Request head, HeadVerdict verdict) {
    std::lock_guard<std::mutex> lock(mu);
    threads.emplace_back([path = head.path, verdict = std::move(verdict)] {
      std::this_thread::sleep_for(20ms);
      if (path == "/deny") return verdict(Text(403, "not yours"));
      verdict(std::nullopt);
    });
  };
  TestServer s({}, Echo, nullptr, nullptr, later);
  ASSERT_TRUE(s.status.ok());
  {
    RawConnection c(s.port());
    ASSERT_TRUE(c.Send("POST /deny HTTP/1.1\r\nHost: a\r\nContent-Length: 30000000\r\n\r\n"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 403);
    EXPECT_EQ(r->Header("connection").value_or(""), "close");
    EXPECT_TRUE(c.WaitClosed());
  }
  {
    RawConnection c(s.port());
    ASSERT_TRUE(c.Send("POST /ok HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "POST /ok?|hi");
  }
  std::lock_guard<std::mutex> lock(mu);
  for (auto& t : threads) t.join();
}

TEST(HeadCheckTest, DroppedOrThrowingCheckAnswers500) {
  std::atomic<int> handled{0};
  TestServer s(
      {},
      [&](Request req, Respond respond) {
        ++handled;
        Echo(std::move(req), std::move(respond));
      },
      nullptr, nullptr,
      [](Request head, HeadVerdict) {
        if (head.path == "/throw") throw std::runtime_error("boom");
      });
  ASSERT_TRUE(s.status.ok());
  for (const char* path : {"/drop", "/throw"}) {
    RawConnection c(s.port());
    ASSERT_TRUE(c.Send(std::string("POST ") + path +
                       " HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(r->status, 500) << path;
    EXPECT_TRUE(c.WaitClosed()) << path;
  }
  EXPECT_EQ(handled.load(), 0);
}

TEST(HeadCheckTest, UnansweredCheckGets503AfterTheBodyTimeout) {
  std::mutex mu;
  std::vector<HeadVerdict> held;
  ServerOptions o;
  o.read_body_timeout = 200ms;
  TestServer s(o, Echo, nullptr, nullptr, [&](Request, HeadVerdict verdict) {
    std::lock_guard<std::mutex> lock(mu);
    held.push_back(std::move(verdict));  // never answered while the client waits
  });
  ASSERT_TRUE(s.status.ok());
  RawConnection c(s.port());
  ASSERT_TRUE(c.Send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503);
  EXPECT_TRUE(c.WaitClosed());
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(held.size(), 1u);
  held[0](std::nullopt);  // too late: ignored
}

TEST(HeadCheckTest, ComesBeforeTheBodyLimit) {
  Gate gate;
  ServerOptions o;
  o.default_body_limit = 10;
  TestServer s(o, Echo, nullptr, nullptr, gate.Check());
  ASSERT_TRUE(s.status.ok());
  for (auto [path, status] : {std::pair{"/deny", 401}, std::pair{"/ok", 413}}) {
    RawConnection c(s.port());
    ASSERT_TRUE(c.Send(std::string("POST ") + path +
                       " HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(r->status, status) << path;
  }
}

TEST(BodyBudgetTest, BodiesBeyondTheInflightBudgetGet503) {
  ServerOptions o;
  o.max_inflight_body_bytes = 1000;
  std::atomic<int> handled{0};
  TestServer s(o, [&](Request req, Respond respond) {
    ++handled;
    Echo(std::move(req), std::move(respond));
  });
  ASSERT_TRUE(s.status.ok());
  // `a` holds the whole budget: its 100 Continue says its body was accepted.
  RawConnection a(s.port());
  ASSERT_TRUE(a.Send(
      "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = a.ReadResponse();
  ASSERT_TRUE(interim.has_value());
  ASSERT_EQ(interim->status, 100);
  {
    RawConnection b(s.port());
    ASSERT_TRUE(b.Send("POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx"));
    auto r = b.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 503);
    EXPECT_TRUE(r->Header("retry-after").has_value());
    EXPECT_EQ(r->Header("connection").value_or(""), "close");
    EXPECT_TRUE(b.WaitClosed());
  }
  {
    // Requests without a body are not affected.
    RawConnection g(s.port());
    ASSERT_TRUE(g.Send("GET /g HTTP/1.1\r\nHost: a\r\n\r\n"));
    auto r = g.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
  }
  ASSERT_TRUE(a.Send(std::string(1000, 'a')));
  auto ra = a.ReadResponse();
  ASSERT_TRUE(ra.has_value());
  EXPECT_EQ(ra->status, 200);
  // Released with a's response: the whole budget is free again.
  ASSERT_TRUE(a.Send("POST /c HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n" +
                     std::string(1000, 'c')));
  auto rc = a.ReadResponse();
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(rc->status, 200);
  EXPECT_EQ(handled.load(), 3);
  std::string text = s.registry.RenderPrometheus();
  EXPECT_NE(text.find("kizuna_http_body_budget_rejected_total 1"), std::string::npos) << text;
  EXPECT_NE(text.find("kizuna_http_inflight_body_bytes 0"), std::string::npos) << text;
}

TEST(BodyBudgetTest, ChunkedBodiesCountAsTheyGrow) {
  ServerOptions o;
  o.max_inflight_body_bytes = 10;
  TestServer s(o, Echo);
  ASSERT_TRUE(s.status.ok());
  {
    RawConnection c(s.port());
    ASSERT_TRUE(
        c.Send("POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
               "5\r\nabcde\r\n5\r\nfghij\r\n0\r\n\r\n"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "POST /c?|abcdefghij");
  }
  {
    RawConnection c(s.port());
    ASSERT_TRUE(
        c.Send("POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
               "5\r\nabcde\r\n6\r\n"));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 503);
    EXPECT_TRUE(c.WaitClosed());
  }
}

}  // namespace
}  // namespace kizuna::http
