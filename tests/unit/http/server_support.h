#pragma once
// The server the http tests start (port 0, two threads, its own metrics
// registry) and two small handlers.

#include <memory>
#include <string>
#include <string_view>

#include "core/metrics.h"
#include "http/server.h"

namespace kizuna::http::testing {

// A started server with its own metrics registry.
struct TestServer {
  explicit TestServer(ServerOptions options, Handler handler, BodyLimit body_limit = nullptr,
                      ErrorFormatter formatter = nullptr, HeadCheck head_check = nullptr) {
    options.metrics = &registry;
    if (options.threads == 0) options.threads = 2;
    server = std::make_unique<Server>(std::move(options), std::move(handler), std::move(body_limit),
                                      std::move(formatter), std::move(head_check));
    status = server->Start();
  }
  uint16_t port() const { return server->port(); }
  std::string Url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port()) + std::string(path);
  }

  metrics::Registry registry;
  std::unique_ptr<Server> server;
  Status status;
};

inline Response Text(int status, std::string body) {
  Response r;
  r.status = status;
  r.SetHeader("content-type", "text/plain");
  r.body = std::move(body);
  return r;
}

// Answers "<method> <path>?<query>|<body>".
inline void Echo(Request req, Respond respond) {
  respond(Text(200, req.method + " " + req.path + "?" + req.raw_query + "|" + req.body));
}

}  // namespace kizuna::http::testing
