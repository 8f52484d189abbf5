// Streams end with their credentials (issue 10, finding 4), on a real hub:
// an SSE or WebSocket stream opened with an API token ends, with an `end`
// event naming the reason, when the token is revoked (`kizuna admin token
// revoke` on the running hub's database) or when it expires (with no other
// change at all); one opened with HTTP Basic ends when the account's
// password is changed. Each time the connection then closes. Waits have
// generous deadlines; nothing here is timed.
#include <poll.h>

#include "federation_support.h"

namespace kizuna::testing {
namespace {

constexpr const char* kColl = "c4ed0000-0000-4000-8000-000000000001";
const char* kOrg = "identity--c4000000-0000-4000-8000-000000000001";

std::string Stream() { return std::string("/api1/collections/") + kColl + "/stream"; }

class StreamCredentialsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    hub_ = new TestHub("creds", "[channels]\nheartbeat_ms = 1000\n");
    // One account per test: each test changes its account's credentials.
    hub_->Setup({{kOrg, "Org One", "US", ""}}, {kOrg}, {}, {kColl},
                {{"poster", "Org One", "contributor"},
                 {"tok-sse", "Org One", "reader"},
                 {"tok-ws", "Org One", "reader"},
                 {"tok-exp", "Org One", "reader"},
                 {"pw-user", "Org One", "reader"}});
    hub_->Start();
  }
  static void TearDownTestSuite() {
    if (hub_) hub_->Stop();
    delete hub_;
  }

  struct Token {
    std::string id, bearer;
  };
  static Token CreateToken(const std::string& user, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"--json", "token", "create", user, "--label", "stream"};
    args.insert(args.end(), extra.begin(), extra.end());
    ProcessResult r = hub_->AdminResult(args);
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    if (r.exit_code != 0) return {};
    json::object o = json::parse(r.out).as_object();
    return {std::string(o["id"].as_string()), std::string(o["token"].as_string())};
  }

  // Posts one CLEAR indicator as `poster`; returns its id.
  static std::string Publish() {
    ObjectSpec s{IndicatorId(50, next_id_++), {kTlpClear}};
    HttpResponse r = hub_->Post("poster", kColl, {IndicatorJson(s)});
    EXPECT_EQ(r.status, 202) << r.body;
    return s.id;
  }

  // Opens the stream, reads its `open` event, and checks that it delivers
  // (so that a stream that ends later ends for the reason we test).
  static void OpenAndCheckDelivery(StreamReader& s, const std::string& authorization,
                                   bool websocket) {
    ASSERT_TRUE(s.Open(hub_->port(), Stream(), {{"Authorization", authorization}}, websocket));
    ASSERT_EQ(s.status(), websocket ? 101 : 200) << s.head();
    auto open = s.Next();
    ASSERT_TRUE(open.has_value());
    ASSERT_EQ(open->event, "open");
    std::string id = Publish();
    for (;;) {
      auto e = s.Next(60000);
      ASSERT_TRUE(e.has_value()) << "the stream delivered nothing";
      if (e->event != "objects") continue;
      ASSERT_EQ(EventObjectIds(*e), std::vector<std::string>{id});
      break;
    }
  }

  // Reads until the `end` event (skipping heartbeats and objects), with a
  // generous deadline; returns its reason, or "" when none came.
  static std::string WaitForEnd(StreamReader& s, std::vector<std::string>* objects_after = nullptr) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      auto e = s.Next(5000);
      if (!e) {
        if (s.ended()) return "";
        continue;
      }
      if (e->event == "objects" && objects_after) {
        for (auto& id : EventObjectIds(*e)) objects_after->push_back(id);
      }
      if (e->event == "end") {
        json::object o = json::parse(e->data).as_object();
        return o.contains("reason") ? std::string(o["reason"].as_string()) : "(no reason)";
      }
    }
    return "";
  }

  // After the end: the stream has no further events and the server closes
  // the connection (EOF on our socket).
  static bool ClosedByTheServer(StreamReader& s) {
    if (s.Next(30000).has_value()) return false;
    if (s.fd() < 0) return false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    char tmp[4096];
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{s.fd(), POLLIN, 0};
      if (poll(&p, 1, 1000) <= 0) continue;
      ssize_t n = recv(s.fd(), tmp, sizeof tmp, 0);
      if (n <= 0) return true;
    }
    return false;
  }

  static TestHub* hub_;
  static int next_id_;
};
TestHub* StreamCredentialsTest::hub_ = nullptr;
int StreamCredentialsTest::next_id_ = 1;

TEST_F(StreamCredentialsTest, RevokingTheTokenEndsAnSseStream) {
  Token t = CreateToken("tok-sse");
  ASSERT_FALSE(t.id.empty());
  StreamReader s;
  ASSERT_NO_FATAL_FAILURE(OpenAndCheckDelivery(s, "Bearer " + t.bearer, /*websocket=*/false));
  hub_->Admin({"token", "revoke", t.id});
  std::string reason = WaitForEnd(s);
  EXPECT_NE(reason.find("revoked"), std::string::npos)
      << "the stream did not end with the token revoked (reason: '" << reason << "')";
  EXPECT_TRUE(ClosedByTheServer(s));
  // And the token no longer opens one.
  EXPECT_EQ(HttpRequest(hub_->port(), "GET", Stream(), {{"Authorization", "Bearer " + t.bearer}}).status,
            401);
}

TEST_F(StreamCredentialsTest, RevokingTheTokenEndsAWebSocketStream) {
  Token t = CreateToken("tok-ws");
  ASSERT_FALSE(t.id.empty());
  StreamReader s;
  ASSERT_NO_FATAL_FAILURE(OpenAndCheckDelivery(s, "Bearer " + t.bearer, /*websocket=*/true));
  hub_->Admin({"token", "revoke", t.id});
  std::string reason = WaitForEnd(s);
  EXPECT_NE(reason.find("revoked"), std::string::npos)
      << "the stream did not end with the token revoked (reason: '" << reason << "')";
  // The close frame follows the end message.
  EXPECT_FALSE(s.Next(30000).has_value());
  EXPECT_TRUE(s.ended());
}

TEST_F(StreamCredentialsTest, TheStreamEndsWhenItsTokenExpires) {
  // Long enough to open the stream on a loaded machine; nothing changes in
  // the directory afterwards: only the expiry can end the stream.
  Token t = CreateToken("tok-exp", {"--expires-seconds", "10"});
  ASSERT_FALSE(t.id.empty());
  StreamReader s;
  ASSERT_NO_FATAL_FAILURE(OpenAndCheckDelivery(s, "Bearer " + t.bearer, /*websocket=*/false));
  std::string reason = WaitForEnd(s);
  EXPECT_NE(reason.find("expired"), std::string::npos)
      << "the stream did not end at the token's expiry (reason: '" << reason << "')";
  EXPECT_TRUE(ClosedByTheServer(s));
}

TEST_F(StreamCredentialsTest, ChangingThePasswordEndsABasicStream) {
  StreamReader s;
  ASSERT_NO_FATAL_FAILURE(
      OpenAndCheckDelivery(s, BasicAuth("pw-user", Password("pw-user")), /*websocket=*/false));
  hub_->Admin({"account", "passwd", "pw-user", "--password-stdin"}, "a-brand-new-password-456\n");
  std::string reason = WaitForEnd(s);
  EXPECT_NE(reason.find("password"), std::string::npos)
      << "the stream did not end with the password change (reason: '" << reason << "')";
  EXPECT_TRUE(ClosedByTheServer(s));
  // The new password opens a new stream.
  StreamReader again;
  ASSERT_TRUE(again.Open(hub_->port(), Stream(),
                         {{"Authorization", BasicAuth("pw-user", "a-brand-new-password-456")}}));
  EXPECT_EQ(again.status(), 200) << again.head();
}

}  // namespace
}  // namespace kizuna::testing
