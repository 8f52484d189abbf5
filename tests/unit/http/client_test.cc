#include "http/client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>

#include "core/metrics.h"
#include "http/server.h"
#include "test_support.h"

namespace kizuna::http {
namespace {

using namespace std::chrono_literals;

// A scripted server over POSIX sockets: `serve(fd)` runs for each accepted
// connection, one at a time, until the server is destroyed.
class RawServer {
 public:
  explicit RawServer(std::function<void(int fd)> serve) : serve_(std::move(serve)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(listen_fd_, 16);
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      for (;;) {
        int fd = ::accept(listen_fd_, nullptr, nullptr);
        if (fd < 0) return;
        ++accepted_;
        timeval tv{10, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        serve_(fd);
        ::close(fd);
      }
    });
  }
  ~RawServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    thread_.join();
  }
  uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }
  std::string Url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }

  // Reads up to the end of a request header; false on EOF.
  static bool ReadHeader(int fd) {
    std::string got;
    char c;
    while (got.find("\r\n\r\n") == std::string::npos) {
      if (::recv(fd, &c, 1, 0) != 1) return false;
      got.push_back(c);
    }
    return true;
  }
  static void Write(int fd, std::string_view s) { ::send(fd, s.data(), s.size(), MSG_NOSIGNAL); }

 private:
  std::function<void(int)> serve_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

TEST(ClientTest, RetriesIdempotentRequestWhenKeptConnectionWasClosed) {
  // Answers one request per connection, then closes without saying so: the
  // client's kept connection is stale when it sends the next request.
  std::atomic<int> served{0};
  RawServer server([&](int fd) {
    if (!RawServer::ReadHeader(fd)) return;
    RawServer::Write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    ++served;
  });
  Client client;
  auto first = client.Send("GET", server.Url("/1"));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  for (int i = 0; i < 500 && served.load() < 1; ++i) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(50ms);  // let the close reach the client
  auto second = client.Send("GET", server.Url("/2"));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->body, "ok");
  EXPECT_EQ(client.connections_opened(), 2u);
}

TEST(ClientTest, DoesNotRetryNonIdempotentRequestAfterSendingIt) {
  std::atomic<int> served{0};
  RawServer server([&](int fd) {
    if (!RawServer::ReadHeader(fd)) return;
    RawServer::Write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    ++served;
  });
  Client client;
  ASSERT_TRUE(client.Send("GET", server.Url("/1")).ok());
  for (int i = 0; i < 500 && served.load() < 1; ++i) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(50ms);
  auto post = client.Send("POST", server.Url("/2"), {}, "x");
  EXPECT_FALSE(post.ok());
  EXPECT_EQ(post.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(client.connections_opened(), 1u);
  // The client recovers on the next request.
  auto again = client.Send("POST", server.Url("/3"), {}, "x");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
}

TEST(ClientTest, ReadTimeout) {
  RawServer server([](int fd) {
    RawServer::ReadHeader(fd);
    char c;
    ::recv(fd, &c, 1, 0);  // hold the connection until the client gives up
  });
  ClientOptions o;
  o.read_timeout = 200ms;
  Client client(o);
  auto r = client.Send("GET", server.Url("/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("timeout"), std::string::npos) << r.status().ToString();
}

TEST(ClientTest, TimeoutIsNotRetried) {
  std::atomic<int> requests{0};
  RawServer server([&](int fd) {
    while (RawServer::ReadHeader(fd)) {
      if (++requests == 1) {
        RawServer::Write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
      }  // later requests are never answered
    }
  });
  ClientOptions o;
  o.read_timeout = 200ms;
  Client client(o);
  ASSERT_TRUE(client.Send("GET", server.Url("/a")).ok());
  auto r = client.Send("GET", server.Url("/b"));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(requests.load(), 2);
}

TEST(ClientTest, ConnectionRefused) {
  uint16_t port;
  {
    RawServer server([](int) {});
    port = server.port();
  }
  Client client;
  auto r = client.Send("GET", "http://127.0.0.1:" + std::to_string(port) + "/");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
}

TEST(ClientTest, RejectsBadInput) {
  Client client;
  for (const char* url :
       {"ftp://x/", "not a url", "http:///path", "http://user:pw@host/", "http://127.0.0.1:0/"}) {
    auto r = client.Send("GET", url);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << url;
  }
  EXPECT_EQ(client.Send("G ET", "http://127.0.0.1:1/").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(client.Send("GET", "http://127.0.0.1:1/", {{"x", "a\r\nInjected: 1"}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(client.connections_opened(), 0u);
}

TEST(ClientTest, ResponseBodyLimit) {
  metrics::Registry registry;
  ServerOptions so;
  so.metrics = &registry;
  Server server(so, [](Request, Respond respond) {
    Response r;
    r.body = std::string(5000, 'b');
    respond(std::move(r));
  });
  ASSERT_TRUE(server.Start().ok());
  ClientOptions o;
  o.max_response_body = 4096;
  Client client(o);
  auto r = client.Send("GET", "http://127.0.0.1:" + std::to_string(server.port()) + "/");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPayloadTooLarge);
}

TEST(ClientTest, ChunkedAndCloseDelimitedResponses) {
  RawServer server([](int fd) {
    if (!RawServer::ReadHeader(fd)) return;
    RawServer::Write(fd,
                     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n");
    if (!RawServer::ReadHeader(fd)) return;
    RawServer::Write(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
  });
  Client client;
  auto chunked = client.Send("GET", server.Url("/1"));
  ASSERT_TRUE(chunked.ok()) << chunked.status().ToString();
  EXPECT_EQ(chunked->body, "abcdefg");
  auto closed = client.Send("GET", server.Url("/2"));
  ASSERT_TRUE(closed.ok()) << closed.status().ToString();
  EXPECT_EQ(closed->body, "until the end");
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST(ClientTest, SkipsInterimResponses) {
  RawServer server([](int fd) {
    while (RawServer::ReadHeader(fd)) {
      RawServer::Write(fd,
                       "HTTP/1.1 100 Continue\r\n\r\n"
                       "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
      RawServer::Write(fd, "hello");
    }
  });
  Client client;
  auto r = client.Send("GET", server.Url("/x"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
}

TEST(ClientTest, StreamingCallbackCanStop) {
  RawServer server([](int fd) {
    if (!RawServer::ReadHeader(fd)) return;
    RawServer::Write(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 100; ++i) {
      RawServer::Write(fd, "6\r\nevent\n\r\n");
      std::this_thread::sleep_for(1ms);
    }
    RawServer::Write(fd, "0\r\n\r\n");
  });
  Client client;
  int seen = 0;
  std::string got;
  auto r = client.SendStreaming("GET", server.Url("/s"), {}, "", [&](std::string_view d) {
    got.append(d);
    return ++seen < 3;
  });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(seen, 3);
  EXPECT_TRUE(got.starts_with("event\n"));
}

}  // namespace
}  // namespace kizuna::http
