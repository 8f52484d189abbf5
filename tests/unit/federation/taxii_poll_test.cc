// Polling a plain TAXII 2.1 server (issue 17): the client against the test
// TAXII server (tests/fixtures/taxii_server.h) in each of the forms the
// specification leaves optional and each server behaviour seen in the field.
#include "federation/taxii_poll.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>

#include "core/time.h"
#include "http/client.h"
#include "taxii_server.h"

namespace kizuna::federation {
namespace {

using testing::FixtureTimestamp;
using testing::TestTaxiiServer;
namespace json = boost::json;

std::string Indicator(int n, const std::string& modified = "2025-01-01T00:00:00.000Z") {
  char id[80];
  std::snprintf(id, sizeof id, "indicator--%08x-0000-4000-8000-%012d", 0xabc00000, n);
  return std::string("{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"") + id +
         "\",\"created\":\"2025-01-01T00:00:00.000Z\",\"modified\":\"" + modified +
         "\",\"pattern\":\"[ipv4-addr:value = '198.51.100.7']\",\"pattern_type\":\"stix\","
         "\"valid_from\":\"2025-01-01T00:00:00Z\"}";
}

std::vector<std::string> Indicators(int from, int to) {
  std::vector<std::string> out;
  for (int n = from; n < to; ++n) out.push_back(Indicator(n));
  return out;
}

// What a link would have stored: every (id, modified) delivered, and the
// cursors handed over, in order.
struct Sink {
  std::multiset<std::string> objects;
  std::vector<std::string> cursors;
  int pages = 0;
  std::function<void()> after_page;

  PageSink Fn() {
    return [this](const ObjectsPage& page, const std::string& cursor) {
      for (std::string_view o : page.objects) {
        json::object v = json::parse(o).as_object();
        objects.insert(std::string(v["id"].as_string()) + "|" +
                       std::string(v["modified"].as_string()));
      }
      cursors.push_back(cursor);
      ++pages;
      if (after_page) after_page();
      return true;
    };
  }
  std::set<std::string> Distinct() const { return {objects.begin(), objects.end()}; }
  std::string cursor() const { return cursors.empty() ? "" : cursors.back(); }
};

class TaxiiPollTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start());
    TestTaxiiServer::Behaviour b;
    b.user = "admin";
    b.password = "Password0";
    server_.SetBehaviour(b);
  }

  TestTaxiiServer::Behaviour Behaviour() { return server_.behaviour(); }

  TaxiiClient Client() {
    TaxiiClientOptions o;
    o.initial_backoff_ms = 1;
    o.max_backoff_ms = 5;
    return TaxiiClient(o, AuthorizationHeader("basic", "admin", "Password0"));
  }

  // One pass from `cursor`, with the page size the hub asks for.
  Status Pass(TaxiiClient& client, const std::string& cursor, Sink* sink,
              PollCounters* counters = nullptr) {
    PollOptions o;
    o.page = 1000;
    return PollCollection(client, server_.api_root_url(), server_.behaviour().collection, cursor, o,
                          sink->Fn(), counters);
  }

  static std::set<std::string> Expected(int from, int to) {
    std::set<std::string> out;
    for (int n = from; n < to; ++n) {
      json::object v = json::parse(Indicator(n)).as_object();
      out.insert(std::string(v["id"].as_string()) + "|" + std::string(v["modified"].as_string()));
    }
    return out;
  }

  TestTaxiiServer server_;
};

TEST(ParseEnvelopeFormsTest, EveryMemberIsOptional) {
  struct Case {
    std::string body;
    size_t objects;
    bool more;
    std::string next;
  };
  const std::vector<Case> cases = {
      {"{}", 0, false, ""},
      {" { } ", 0, false, ""},
      {R"({"more":false})", 0, false, ""},
      {R"({"objects":[]})", 0, false, ""},
      {R"({"objects":null,"more":false})", 0, false, ""},
      {R"({"objects":[{"id":"a"}]})", 1, false, ""},
      {R"({"objects":[{"id":"a"}],"more":true})", 1, true, ""},         // more without next
      {R"({"objects":[{"id":"a"}],"next":"t\u0031"})", 1, true, "t1"},  // next without more
      {R"({"next":"abc","more":false,"objects":[{"id":"a"}]})", 1, false, "abc"},
      {R"({"more":true,"next":"x","objects":[]})", 0, true, "x"},
      {R"({"more":null,"next":null})", 0, false, ""},
      {R"({"objects":[{"more":true,"next":"inner"}], "title":"{\"more\":true}"})", 1, false, ""},
  };
  for (const auto& c : cases) {
    ObjectsPage p;
    p.body = c.body;
    Status s = ParseEnvelope(&p);
    ASSERT_TRUE(s.ok()) << c.body << ": " << s.message();
    EXPECT_EQ(p.objects.size(), c.objects) << c.body;
    EXPECT_EQ(p.more, c.more) << c.body;
    EXPECT_EQ(p.next, c.next) << c.body;
  }
}

TEST(ParseEnvelopeFormsTest, MalformedPagesAreErrorsThatQuoteTheAnswer) {
  for (std::string body :
       {R"({"objects":{"id":"a"}})", R"({"objects":[1,2]})", R"({"more":"yes"})", R"({"next":5})",
        "[]", "<html>Internal error</html>", "", "{\"objects\":["}) {
    ObjectsPage p;
    p.body = body;
    Status s = ParseEnvelope(&p);
    ASSERT_FALSE(s.ok()) << body;
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << body;
    EXPECT_NE(s.message().find("the peer answered: " + (body.empty() ? "(an empty body)" : body)),
              std::string::npos)
        << s.message();
  }
  ObjectsPage big;
  big.body = "{\"objects\":" + std::string(5000, '[');
  Status s = ParseEnvelope(&big);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("(5011 bytes)"), std::string::npos) << s.message();
  EXPECT_LT(s.message().size(), 400u);
}

TEST(ApiRootOnConfiguredOriginTest, ResolvesAndNeverLeavesTheConfiguredOrigin) {
  struct Case {
    std::string advertised, want;
    bool moved;
  };
  const std::string conf = "http://127.0.0.1:5555/taxii2/";
  const std::vector<Case> cases = {
      {"http://127.0.0.1:5555/trustgroup1/", "http://127.0.0.1:5555/trustgroup1/", false},
      {"http://127.0.0.1:5555/api1", "http://127.0.0.1:5555/api1/", false},
      {"HTTP://127.0.0.1:5555/api1/", "HTTP://127.0.0.1:5555/api1/", false},
      {"http://localhost:5000/trustgroup1/", "http://127.0.0.1:5555/trustgroup1/", true},
      {"http://127.0.0.1:5000/api1/", "http://127.0.0.1:5555/api1/", true},
      {"https://127.0.0.1:5555/api1/", "http://127.0.0.1:5555/api1/", true},
      {"http://user:pw@127.0.0.1:5555/api1/", "http://127.0.0.1:5555/api1/", true},
      {"http://evil.example.org/api1/?x=1#y", "http://127.0.0.1:5555/api1/", true},
      {"//evil.example.org/api1/", "http://127.0.0.1:5555/api1/", true},
      {"/api1/", "http://127.0.0.1:5555/api1/", false},
      {"../api2/", "http://127.0.0.1:5555/api2/", false},
      {"api3/", "http://127.0.0.1:5555/taxii2/api3/", false},
  };
  for (const auto& c : cases) {
    bool moved = false;
    auto r = ApiRootOnConfiguredOrigin(conf, c.advertised, &moved);
    ASSERT_TRUE(r.ok()) << c.advertised << ": " << r.error().message();
    EXPECT_EQ(*r, c.want) << c.advertised;
    EXPECT_EQ(moved, c.moved) << c.advertised;
  }
  bool moved = false;
  EXPECT_FALSE(ApiRootOnConfiguredOrigin(conf, "http://[bad", &moved).ok());
  // https configured: the default port is 443 either way.
  auto r = ApiRootOnConfiguredOrigin("https://hub.example.org/taxii2/",
                                     "https://hub.example.org:443/a/", &moved);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(moved);
}

TEST(JustBeforeTest, OneMicrosecondEarlier) {
  EXPECT_EQ(JustBefore("2026-01-01T00:00:00.000000Z"), "2025-12-31T23:59:59.999999Z");
  EXPECT_EQ(JustBefore("2014-05-08T09:00:00Z"), "2014-05-08T08:59:59.999999Z");
  EXPECT_EQ(JustBefore("2014-05-08T09:00:00.123456789Z"), "2014-05-08T09:00:00.123456Z");
  EXPECT_EQ(JustBefore("not a time"), "not a time");
}

TEST_F(TaxiiPollTest, BracesForNothingNewAreASuccess) {
  TaxiiClient client = Client();
  Sink sink;
  PollCounters counters;
  ASSERT_TRUE(Pass(client, "", &sink, &counters).ok());
  EXPECT_EQ(sink.pages, 0);
  EXPECT_EQ(counters.pages, 1);
  const std::string d = server_.Add(Indicators(0, 3));
  ASSERT_TRUE(Pass(client, "", &sink).ok());
  EXPECT_EQ(sink.Distinct(), Expected(0, 3));
  EXPECT_EQ(sink.cursor(), d);
  // Nothing new: {} again, one request, no error, nothing delivered.
  server_.ClearRequests();
  Sink again;
  ASSERT_TRUE(Pass(client, sink.cursor(), &again).ok());
  EXPECT_EQ(again.pages, 0);
  EXPECT_EQ(server_.ObjectPageRequests(), 1);
  EXPECT_EQ(client.last_attempts(), 1);
}

TEST_F(TaxiiPollTest, EveryEnvelopeFormDeliversEverythingAndKeepsTheCursor) {
  struct Form {
    const char* name;
    bool send_more, send_next, braces, empty_list;
    bool one_pass;  // the envelope says that more follows: one pass reads all
  };
  const std::vector<Form> forms = {
      {"more and next", true, true, true, false, true},
      {"next without more", false, true, true, false, true},
      {"more without next", true, false, true, false, true},
      {"neither", false, false, true, false, false},
      {"objects: [] when empty", true, true, false, true, true},
      {"only more when empty", true, true, false, false, true},
  };
  for (const Form& f : forms) {
    SCOPED_TRACE(f.name);
    TestTaxiiServer server;
    ASSERT_TRUE(server.Start());
    TestTaxiiServer::Behaviour b;
    b.max_page = 10;
    b.send_more = f.send_more;
    b.send_next = f.send_next;
    b.empty_as_braces = f.braces;
    b.empty_objects_list = f.empty_list;
    server.SetBehaviour(b);
    std::string last;
    for (int n = 0; n < 25; ++n) last = server.Add({Indicator(n)});  // distinct date_added
    TaxiiClient client = Client();
    Sink sink;
    PollOptions o;
    int passes = 0;
    for (; passes < 10; ++passes) {
      const int before = sink.pages;
      Status s =
          PollCollection(client, server.api_root_url(), b.collection, sink.cursor(), o, sink.Fn());
      ASSERT_TRUE(s.ok()) << s.message();
      if (sink.pages == before) break;
    }
    EXPECT_EQ(sink.Distinct(), Expected(0, 25));
    EXPECT_EQ(sink.objects.size(), 25u) << "nothing read twice";
    EXPECT_EQ(sink.cursor(), last);
    if (f.one_pass) {
      EXPECT_EQ(passes, 1);
    } else {
      EXPECT_EQ(passes, 3);  // a page per pass, then the pass that finds nothing
    }
    // A later object arrives in the next pass, exactly once.
    const std::string d = server.Add({Indicator(99)});
    Sink later;
    ASSERT_TRUE(
        PollCollection(client, server.api_root_url(), b.collection, sink.cursor(), o, later.Fn())
            .ok());
    EXPECT_EQ(later.Distinct(), Expected(99, 100));
    EXPECT_EQ(later.cursor(), d);
  }
}

TEST_F(TaxiiPollTest, ACappedLimitIsFollowedAndTokensKeepTheirFilters) {
  auto b = Behaviour();
  b.max_page = 7;
  server_.SetBehaviour(b);
  const std::string first = server_.Add(Indicators(0, 5));
  const std::string d = server_.Add(Indicators(5, 35));  // 30 objects, one date_added
  TaxiiClient client = Client();
  server_.ClearRequests();
  Sink sink;
  ASSERT_TRUE(Pass(client, first, &sink).ok());
  EXPECT_EQ(sink.Distinct(), Expected(5, 35));
  EXPECT_EQ(sink.objects.size(), 30u);
  // Asked for 1000, got 7 at a time: 5 pages, each request repeating the
  // filters of the first (the server refuses a token otherwise).
  auto requests = server_.Requests();
  ASSERT_EQ(requests.size(), 5u);
  const std::string filters = requests[0].query;
  EXPECT_NE(filters.find("limit=1000"), std::string::npos);
  EXPECT_NE(filters.find("added_after="), std::string::npos);
  for (size_t i = 1; i < requests.size(); ++i) {
    EXPECT_EQ(requests[i].query.substr(0, filters.size() + 1), filters + "&") << requests[i].query;
    EXPECT_NE(requests[i].query.find("&next="), std::string::npos);
  }
  // While a token leads on, the cursor stays just before the shared
  // date_added; the pass's end hands over the date_added itself.
  ASSERT_EQ(sink.cursors.size(), 5u);
  for (size_t i = 0; i + 1 < sink.cursors.size(); ++i) EXPECT_EQ(sink.cursors[i], JustBefore(d));
  EXPECT_EQ(sink.cursor(), d);
}

TEST_F(TaxiiPollTest, ARefusedTokenRestartsFromTheCursorWithoutLosingObjects) {
  auto b = Behaviour();
  b.max_page = 100;
  b.refuse_tokens = 1;  // expired, as medallion's are after 30 s
  server_.SetBehaviour(b);
  const std::string d = server_.Add(Indicators(0, 250));  // one POST: one date_added
  TaxiiClient client = Client();
  Sink sink;
  PollCounters counters;
  ASSERT_TRUE(Pass(client, "", &sink, &counters).ok());
  EXPECT_EQ(counters.restarts, 1);
  EXPECT_EQ(sink.Distinct(), Expected(0, 250));
  EXPECT_EQ(sink.cursor(), d);
  // Tokens forgotten while a pass is under way (a server restart).
  Sink again;
  again.after_page = [&] {
    if (again.pages == 1) server_.ExpireTokens();
  };
  const std::string d2 = server_.Add(Indicators(250, 480));
  counters = {};
  ASSERT_TRUE(Pass(client, d, &again, &counters).ok());
  EXPECT_GE(counters.restarts, 1);
  EXPECT_EQ(again.Distinct(), Expected(250, 480));
  EXPECT_EQ(again.cursor(), d2);
}

TEST_F(TaxiiPollTest, TokensRefusedAgainAndAgainFailThePass) {
  auto b = Behaviour();
  b.max_page = 10;
  b.refuse_tokens = 1000;
  server_.SetBehaviour(b);
  server_.Add(Indicators(0, 30));
  TaxiiClient client = Client();
  Sink sink;
  Status s = Pass(client, "", &sink);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("'next' not valid"), std::string::npos) << s.message();
  // What was delivered came with a cursor that reads the boundary again.
  EXPECT_EQ(sink.Distinct(), Expected(0, 10));
}

TEST_F(TaxiiPollTest, WithoutDateHeadersTheCursorComesFromTheManifest) {
  auto b = Behaviour();
  b.date_headers = false;
  b.max_page = 4;
  server_.SetBehaviour(b);
  server_.Add(Indicators(0, 6));
  server_.Add({Indicator(2, "2025-02-01T00:00:00.000Z")});  // a second version of one object
  const std::string d = server_.Add(Indicators(6, 9));
  TaxiiClient client = Client();
  Sink sink;
  PollCounters counters;
  ASSERT_TRUE(Pass(client, "", &sink, &counters).ok());
  EXPECT_EQ(sink.objects.size(), 10u);
  EXPECT_GE(counters.manifest_lookups, 1);
  EXPECT_EQ(sink.cursor(), d);
  // Nothing new: nothing read again.
  Sink again;
  ASSERT_TRUE(Pass(client, sink.cursor(), &again).ok());
  EXPECT_EQ(again.pages, 0);
}

TEST_F(TaxiiPollTest, WithoutDateHeadersOrManifestThePassFailsAndSaysWhy) {
  auto b = Behaviour();
  b.date_headers = false;
  b.manifest = false;
  server_.SetBehaviour(b);
  server_.Add(Indicators(0, 3));
  TaxiiClient client = Client();
  Sink sink;
  Status s = Pass(client, "", &sink);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.message();
  EXPECT_NE(s.message().find("no X-TAXII-Date-Added-Last and its manifest"), std::string::npos)
      << s.message();
  EXPECT_EQ(sink.pages, 0) << "nothing stored without a cursor";
}

TEST_F(TaxiiPollTest, RequestsNameTheVersionedMediaType) {
  server_.Add(Indicators(0, 3));
  TaxiiClient client = Client();
  Sink sink;
  ASSERT_TRUE(Pass(client, "", &sink).ok());
  auto root = client.ResolveApiRoot(server_.discovery_url());
  ASSERT_TRUE(root.ok()) << root.error().message();
  for (const auto& r : server_.Requests()) {
    EXPECT_EQ(r.headers.at("accept"), "application/taxii+json;version=2.1") << r.target;
  }
  // The server does refuse the bare media type (so the above is what works).
  http::Client raw;
  auto bare = raw.Send("GET", server_.discovery_url(),
                       {{"accept", "application/taxii+json"},
                        {"authorization", AuthorizationHeader("basic", "admin", "Password0")}});
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->status, 406);
  EXPECT_EQ(StatusForHttp(bare->status, bare->body).code(), StatusCode::kInvalidArgument);
}

TEST_F(TaxiiPollTest, AnApiRootOnAnotherHostIsUsedOnTheConfiguredOneAndGetsNoCredentials) {
  TestTaxiiServer decoy;
  ASSERT_TRUE(decoy.Start());
  server_.Add(Indicators(0, 3));
  for (const std::string& advertised :
       {decoy.origin() + "/api1/", std::string("http://localhost:5000/api1/"),
        std::string("/api1/"), std::string("../api1/")}) {
    SCOPED_TRACE(advertised);
    auto b = Behaviour();
    b.advertised_root = advertised;
    server_.SetBehaviour(b);
    TaxiiClient client = Client();
    auto root = client.ResolveApiRoot(server_.discovery_url());
    ASSERT_TRUE(root.ok()) << root.error().message();
    EXPECT_EQ(root->url, server_.origin() + "/api1/");
    Sink sink;
    ASSERT_TRUE(PollCollection(client, root->url, b.collection, "", PollOptions{}, sink.Fn()).ok());
    EXPECT_EQ(sink.Distinct(), Expected(0, 3));
  }
  EXPECT_TRUE(decoy.Requests().empty()) << "the decoy host was contacted";
}

TEST_F(TaxiiPollTest, AMalformedPageIsAnErrorQuotingThePeer) {
  auto b = Behaviour();
  b.malformed_body = R"({"objects": {"id": "not a list"}})";
  server_.SetBehaviour(b);
  server_.Add(Indicators(0, 3));
  TaxiiClient client = Client();
  Sink sink;
  Status s = Pass(client, "", &sink);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(b.malformed_body), std::string::npos) << s.message();
  EXPECT_EQ(client.last_attempts(), 1) << "not retried";
  EXPECT_EQ(sink.pages, 0);
}

}  // namespace
}  // namespace kizuna::federation
