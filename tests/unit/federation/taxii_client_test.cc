// The federation TAXII client: backoff, envelopes from peers, status
// mapping, and retries against an in-process server.
#include "federation/taxii_client.h"

#include <gtest/gtest.h>

#include <atomic>

#include "core/metrics.h"
#include "http/server.h"

namespace kizuna::federation {
namespace {

TEST(BackoffTest, GrowsToTheCapWithJitter) {
  Backoff b(100, 1000);
  for (int round = 0; round < 3; ++round) {
    b.Reset();
    int64_t caps[] = {100, 200, 400, 800, 1000, 1000, 1000};
    for (int64_t cap : caps) {
      int64_t d = b.NextMs();
      EXPECT_GE(d, 0);
      EXPECT_LE(d, cap);
    }
  }
  // Jitter: not every delay the same.
  std::set<int64_t> seen;
  for (int i = 0; i < 50; ++i) {
    Backoff c(100, 100000);
    for (int k = 0; k < 6; ++k) c.NextMs();
    seen.insert(c.NextMs());
  }
  EXPECT_GT(seen.size(), 5u);
}

TEST(ParseEnvelopeTest, SplitsObjectsAndMetadataAndFindsMore) {
  ObjectsPage p;
  p.body = R"({"objects":[{"id":"a","more":true},{"id":"b"}],"more":false,)"
           R"("x_kizuna_federation":{"hub":"us-hub","objects":[{"path":["us-hub"]},{"marking":""}]}})";
  ASSERT_TRUE(ParseEnvelope(&p).ok());
  ASSERT_EQ(p.objects.size(), 2u);
  EXPECT_EQ(p.objects[0], R"({"id":"a","more":true})");
  EXPECT_FALSE(p.more);  // the "more" inside an object does not count
  ASSERT_TRUE(p.meta.has_value());
  EXPECT_EQ(p.meta->hub, "us-hub");
  ObjectsPage q;
  q.body = R"({"more" : true, "objects":[]})";
  ASSERT_TRUE(ParseEnvelope(&q).ok());
  EXPECT_TRUE(q.more);
  EXPECT_FALSE(q.meta.has_value());
  // Metadata that does not match the objects is refused.
  ObjectsPage r;
  r.body = R"({"objects":[{"id":"a"}],"x_kizuna_federation":{"hub":"us-hub","objects":[]}})";
  EXPECT_FALSE(ParseEnvelope(&r).ok());
  ObjectsPage s;
  s.body = R"({"objects":[{"id":"a"}],"x_kizuna_federation":{"hub":"US HUB","objects":[{}]}})";
  EXPECT_FALSE(ParseEnvelope(&s).ok());
  ObjectsPage t;
  t.body = "{\"objects\": [";
  EXPECT_FALSE(ParseEnvelope(&t).ok());
}

TEST(StatusForHttpTest, MapsWhatToRetry) {
  EXPECT_TRUE(StatusForHttp(200, "").ok());
  EXPECT_TRUE(StatusForHttp(202, "").ok());
  EXPECT_EQ(StatusForHttp(401, "").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(StatusForHttp(404, R"({"title":"Not Found","description":"no such collection"})").code(),
            StatusCode::kNotFound);
  EXPECT_NE(StatusForHttp(404, R"({"description":"no such collection"})").message().find("no such collection"),
            std::string::npos);
  for (int code : {429, 500, 502, 503, 504}) EXPECT_TRUE(IsRetryable(StatusForHttp(code, ""))) << code;
  for (int code : {400, 401, 403, 404, 413, 415}) EXPECT_FALSE(IsRetryable(StatusForHttp(code, ""))) << code;
  EXPECT_EQ(AuthorizationHeader("basic", "us-hub", "pw"), "Basic dXMtaHViOnB3");
  EXPECT_EQ(AuthorizationHeader("bearer", "", "kz1.a.b"), "Bearer kz1.a.b");
}

TEST(TaxiiClientTest, RetriesTransientFailuresThenSucceeds) {
  metrics::Registry registry;
  http::ServerOptions o;
  o.metrics = &registry;
  std::atomic<int> calls{0};
  http::Server server(o, [&](http::Request req, http::Respond respond) {
    http::Response r;
    int n = ++calls;
    if (n <= 2) {
      r.status = 503;
    } else {
      r.status = 200;
      r.headers.push_back({"x-taxii-date-added-last", "2026-01-01T00:00:00.000001Z"});
      r.body = R"({"more":false,"objects":[{"id":"indicator--1"}]})";
    }
    EXPECT_NE(req.raw_query.find("match%5Bversion%5D=all"), std::string::npos);
    EXPECT_NE(req.raw_query.find("added_after=2025-01-01T00:00:00Z"), std::string::npos);
    respond(std::move(r));
  });
  ASSERT_TRUE(server.Start().ok());
  TaxiiClientOptions co;
  co.initial_backoff_ms = 1;
  co.max_backoff_ms = 5;
  TaxiiClient client(co, "Basic x");
  auto page = client.GetObjects("http://127.0.0.1:" + std::to_string(server.port()) + "/api1/", "c1",
                                "2025-01-01T00:00:00Z", 10, false);
  ASSERT_TRUE(page.ok()) << page.error().message();
  EXPECT_EQ(client.last_attempts(), 3);
  EXPECT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->date_added_last, "2026-01-01T00:00:00.000001Z");
  // Not retried: a client error.
  calls = -100;
  http::Server refusing(o, [&](http::Request, http::Respond respond) {
    http::Response r;
    r.status = 403;
    ++calls;
    respond(std::move(r));
  });
  ASSERT_TRUE(refusing.Start().ok());
  auto denied = client.GetObjects("http://127.0.0.1:" + std::to_string(refusing.port()) + "/api1/", "c1", "",
                                  10, false);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(client.last_attempts(), 1);
}

TEST(TaxiiClientTest, ResolvesDiscoveryToTheDefaultApiRoot) {
  metrics::Registry registry;
  http::ServerOptions o;
  o.metrics = &registry;
  http::Server server(o, [&](http::Request, http::Respond respond) {
    http::Response r;
    r.body = R"({"title":"t","default":"http://h/api9","api_roots":["http://h/api9/","http://h/x/"]})";
    respond(std::move(r));
  });
  ASSERT_TRUE(server.Start().ok());
  TaxiiClient client(TaxiiClientOptions{}, "");
  const std::string origin = "http://127.0.0.1:" + std::to_string(server.port());
  auto root = client.ResolveApiRoot(origin + "/taxii2/");
  ASSERT_TRUE(root.ok()) << root.error().message();
  // Another host named by the discovery document: its path on the
  // configured host (the credentials go nowhere else).
  EXPECT_EQ(root->url, origin + "/api9/");
  EXPECT_EQ(root->advertised, "http://h/api9");
  auto direct = client.ResolveApiRoot("http://h/api1");
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(direct->url, "http://h/api1/");
  EXPECT_EQ(direct->advertised, "");
}

}  // namespace
}  // namespace kizuna::federation
