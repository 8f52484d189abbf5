// The dashboard's side of the hub (issue 13, docs/ui.md), against the real
// `kizuna serve`: sign-in into a browser session (the cookie's flags, one
// answer for a wrong password and an unknown account, the login rate limit,
// no Basic challenge), the session cookie as credentials on the TAXII and
// coordination APIs with the CSRF and same-origin rules for every
// state-changing request (refused requests change nothing), sign-out, a
// disabled account ending its sessions, and the built application served
// under /ui/ with a strict Content-Security-Policy and nothing outside its
// directory.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <string>
#include <vector>

#include "federation_support.h"
#include "harness.h"

namespace kizuna::testing {
namespace {

namespace json = boost::json;

constexpr const char* kOrg = "identity--5e551011-0000-4000-8000-000000000001";
constexpr const char* kColl = "5e551011-0000-4000-8000-0000000000c1";

class UiSessionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    app_ = new TempDir();
    {
      std::ofstream(app_->File("index.html")) << "<!doctype html><title>Kizuna dashboard</title>";
      std::filesystem::create_directories(app_->File("assets"));
      std::ofstream(app_->File("assets/app-1a2b3c.js")) << "console.log('kizuna');";
    }
    // Three failed sign-ins per address and minute: the fourth is refused.
    hub_ = new TestHub("ui-hub", "[auth]\nmax_failures = 3\n[ui]\ndir = \"" + app_->path() + "\"\n");
    hub_->Setup({{kOrg, "US Centre", "US", "ui-hub"}}, {kOrg}, {}, {kColl},
                {{"alice", "US Centre", "contributor"}, {"carol", "US Centre", "contributor"},
                 {"dave", "US Centre", "contributor"}});
    hub_->Start();
  }
  static void TearDownTestSuite() {
    if (hub_) hub_->Stop();
    delete hub_;
    delete app_;
  }

  static HttpResponse Call(const std::string& method, const std::string& target,
                           std::vector<std::pair<std::string, std::string>> headers = {},
                           const std::string& body = "") {
    return HttpRequest(hub_->port(), method, target, headers, body);
  }
  static HttpResponse SignIn(const std::string& user, const std::string& password,
                             std::vector<std::pair<std::string, std::string>> extra = {}) {
    extra.push_back({"Content-Type", "application/json"});
    return Call("POST", "/ui/api/session", extra,
                json::serialize(json::object{{"username", user}, {"password", password}}));
  }
  struct Session {
    std::string cookie;  // "kizuna_session=..."
    std::string csrf;
  };
  static Session Open(const std::string& user) {
    HttpResponse r = SignIn(user, Password(user));
    EXPECT_EQ(r.status, 201) << r.body;
    std::string set = r.Header("set-cookie");
    Session s;
    s.cookie = set.substr(0, set.find(';'));
    auto body = json::parse(r.body).as_object();
    s.csrf = std::string(body.at("csrf_token").as_string());
    return s;
  }
  static std::string Origin() { return "http://127.0.0.1:" + std::to_string(hub_->port()); }
  static std::string Incidents() { return "/coordination/v1/api1/incidents"; }
  static std::string OpenBody(const std::string& name) {
    return json::serialize(json::object{{"collection", kColl}, {"name", name}, {"marking", "green"}});
  }
  static int64_t IncidentCount(const Session& s) {
    HttpResponse r = Call("GET", Incidents(), {{"Cookie", s.cookie}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body).as_object().at("total").as_int64() : -1;
  }

  static inline TempDir* app_ = nullptr;
  static inline TestHub* hub_ = nullptr;
};

TEST_F(UiSessionTest, ASignInSetsAStrictHttpOnlyCookieAndNoPasswordIsNeededAfter) {
  HttpResponse r = SignIn("alice", Password("alice"));
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string cookie = r.Header("set-cookie");
  EXPECT_EQ(cookie.rfind("kizuna_session=", 0), 0u) << cookie;
  for (const char* flag : {"; HttpOnly", "; SameSite=Strict", "; Path=/", "; Max-Age=43200"}) {
    EXPECT_NE(cookie.find(flag), std::string::npos) << flag << " in " << cookie;
  }
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "plain HTTP: no Secure flag";
  auto body = json::parse(r.body).as_object();
  EXPECT_EQ(body.at("username").as_string(), "alice");
  EXPECT_EQ(body.at("organization").as_string(), kOrg);
  EXPECT_GE(body.at("csrf_token").as_string().size(), 40u);
  EXPECT_EQ(body.find("password"), body.end());
  EXPECT_NE(r.Header("content-security-policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(r.Header("cache-control"), "no-store");

  // The cookie alone reads the coordination API and TAXII as alice.
  const std::string session = cookie.substr(0, cookie.find(';'));
  EXPECT_EQ(Call("GET", Incidents(), {{"Cookie", session}}).status, 200);
  EXPECT_EQ(Call("GET", std::string("/api1/collections/") + kColl + "/objects/",
                 {{"Cookie", session}, {"Accept", "application/taxii+json;version=2.1"}})
                .status,
            200);
  HttpResponse who = Call("GET", "/ui/api/session", {{"Cookie", session}});
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(json::parse(who.body).as_object().at("csrf_token"), body.at("csrf_token"));
  // Without it, or with a made-up one: 401, and never a Basic challenge to a browser.
  for (const std::string& c : {std::string(), std::string("kizuna_session=not-a-session")}) {
    std::vector<std::pair<std::string, std::string>> h;
    if (!c.empty()) h.push_back({"Cookie", c});
    HttpResponse denied = Call("GET", Incidents(), h);
    EXPECT_EQ(denied.status, 401) << c;
    if (!c.empty()) {
      EXPECT_EQ(denied.Header("www-authenticate"), "") << c;
    }
    EXPECT_EQ(Call("GET", "/ui/api/session", h).status, 401) << c;
  }
}

// (Before the tests that spend the sign-in rate limit.)
// Every API the dashboard reads refuses a request without credentials (a
// 401 without the Basic challenge a browser would answer with a dialog),
// and answers the same request with a session.
TEST_F(UiSessionTest, EveryApiTheDashboardUsesRefusesARequestWithoutASession) {
  const std::vector<std::string> reads = {
      "/ui/api/session",
      "/ui/api/overview?days=30",
      "/ui/api/briefing?since=7d&lang=ja&max_tlp=green",
      "/ui/api/search?q=x",
      "/ui/api/object?id=indicator--5e551011-0000-4000-8000-000000000099",
      "/ui/api/federation",
      "/ui/api/sectors",
      Incidents(),
      "/api1/collections/",
  };
  Session s = Open("alice");  // (carol's password stays out of the cache for the rate-limit test)
  for (const auto& target : reads) {
    HttpResponse anonymous = Call("GET", target);
    EXPECT_EQ(anonymous.status, 401) << target;
    if (target.rfind("/ui/", 0) == 0) {
      EXPECT_EQ(anonymous.Header("www-authenticate"), "") << target;
    }
    HttpResponse signed_in = Call("GET", target, {{"Cookie", s.cookie}, {"Accept", "application/taxii+json;version=2.1"}});
    // With the session: answered (the object is missing: its 404).
    EXPECT_EQ(signed_in.status, target.find("/ui/api/object") == 0 ? 404 : 200) << target << ": " << signed_in.body;
  }
}

TEST_F(UiSessionTest, BadSignInsGetOneAnswerAndChangeNothing) {
  HttpResponse wrong = SignIn("carol", "not-her-password");
  HttpResponse unknown = SignIn("nobody-here", "whatever-password");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.body, unknown.body) << "the answer tells an unknown account from a wrong password";
  EXPECT_EQ(wrong.Header("set-cookie"), "");
  EXPECT_EQ(wrong.Header("www-authenticate"), "");
  // Not JSON (a form another site could post), malformed, from another site.
  EXPECT_EQ(Call("POST", "/ui/api/session", {{"Content-Type", "application/x-www-form-urlencoded"}},
                 "username=carol&password=x")
                .status,
            415);
  EXPECT_EQ(Call("POST", "/ui/api/session", {{"Content-Type", "application/json"}}, "{\"username\":1}").status,
            400);
  HttpResponse foreign = SignIn("carol", Password("carol"), {{"Origin", "https://evil.example"}});
  EXPECT_EQ(foreign.status, 403);
  EXPECT_EQ(foreign.Header("set-cookie"), "");
  EXPECT_EQ(Call("PUT", "/ui/api/session").status, 405);
}

TEST_F(UiSessionTest, StateChangesNeedTheCsrfTokenAndThisHubsOrigin) {
  Session s = Open("alice");
  const int64_t before = IncidentCount(s);
  // No token, a wrong one, the right one from another site: 403, nothing written.
  std::vector<std::vector<std::pair<std::string, std::string>>> refused = {
      {{"Cookie", s.cookie}},
      {{"Cookie", s.cookie}, {"X-CSRF-Token", "wrong"}},
      {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}, {"Origin", "https://evil.example"}},
  };
  for (auto& h : refused) {
    h.push_back({"Content-Type", "application/json"});
    HttpResponse r = Call("POST", Incidents(), h, OpenBody("refused"));
    EXPECT_EQ(r.status, 403) << r.body;
  }
  // The same for a TAXII POST.
  HttpResponse taxii = Call("POST", std::string("/api1/collections/") + kColl + "/objects/",
                            {{"Cookie", s.cookie},
                             {"Content-Type", "application/taxii+json;version=2.1"},
                             {"Accept", "application/taxii+json;version=2.1"}},
                            R"({"objects":[]})");
  EXPECT_EQ(taxii.status, 403) << taxii.body;
  EXPECT_EQ(IncidentCount(s), before);
  // With the token, from this hub's page (or with no Origin): written as alice.
  HttpResponse ok = Call("POST", Incidents(),
                         {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}, {"Origin", Origin()},
                          {"Content-Type", "application/json"}},
                         OpenBody("from the dashboard"));
  EXPECT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(IncidentCount(s), before + 1);
  // An Authorization header is used as such (the cookie is then ignored).
  HttpResponse basic = Call("POST", Incidents(),
                            {{"Authorization", BasicAuth("alice", Password("alice"))},
                             {"Cookie", "kizuna_session=ignored"},
                             {"Content-Type", "application/json"}},
                            OpenBody("with a password"));
  EXPECT_EQ(basic.status, 201) << basic.body;
}

TEST_F(UiSessionTest, SignOutEndsTheSessionAndNeedsTheCsrfToken) {
  Session s = Open("alice");
  EXPECT_EQ(Call("DELETE", "/ui/api/session", {{"Cookie", s.cookie}}).status, 403);
  EXPECT_EQ(Call("GET", Incidents(), {{"Cookie", s.cookie}}).status, 200) << "a refused sign-out signed out";
  HttpResponse out = Call("DELETE", "/ui/api/session", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}});
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(out.Header("set-cookie").find("Max-Age=0"), std::string::npos) << out.Header("set-cookie");
  EXPECT_EQ(Call("GET", Incidents(), {{"Cookie", s.cookie}}).status, 401);
  EXPECT_EQ(Call("GET", "/ui/api/session", {{"Cookie", s.cookie}}).status, 401);
  // Another session of the same account is not affected.
  Session other = Open("alice");
  EXPECT_EQ(Call("GET", Incidents(), {{"Cookie", other.cookie}}).status, 200);
  // Signing in again over an open session ends it.
  HttpResponse again = SignIn("alice", Password("alice"), {{"Cookie", other.cookie}});
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(Call("GET", Incidents(), {{"Cookie", other.cookie}}).status, 401);
  const std::string fresh = again.Header("set-cookie");
  EXPECT_EQ(Call("GET", Incidents(), {{"Cookie", fresh.substr(0, fresh.find(';'))}}).status, 200);
}

TEST_F(UiSessionTest, ADisabledAccountsSessionsEnd) {
  Session s = Open("dave");
  ASSERT_EQ(Call("GET", Incidents(), {{"Cookie", s.cookie}}).status, 200);
  hub_->Admin({"account", "disable", "dave"});
  // The account is read again at most every 5 s.
  EXPECT_TRUE(WaitUntil([&] { return Call("GET", Incidents(), {{"Cookie", s.cookie}}).status == 401; }, 30));
  hub_->Admin({"account", "enable", "dave"});
  EXPECT_EQ(Call("GET", Incidents(), {{"Cookie", s.cookie}}).status, 401) << "an ended session came back";
}

TEST_F(UiSessionTest, TheLoginRateLimitHoldsForSignIns) {
  // From this test's address: three failures, then even the right password
  // waits. (After the other sign-ins of this file: the window is per address
  // and minute.)
  // (Earlier tests may have used some of the window.)
  HttpResponse r;
  for (int i = 0; i < 4 && r.status != 429; ++i) {
    r = SignIn("carol", "wrong-" + std::to_string(i));
    EXPECT_TRUE(r.status == 401 || r.status == 429) << r.status;
  }
  EXPECT_EQ(r.status, 429);
  HttpResponse limited = SignIn("carol", Password("carol"));
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_NE(limited.Header("retry-after"), "");
  EXPECT_EQ(limited.Header("set-cookie"), "");
}

TEST_F(UiSessionTest, TheApplicationIsServedWithAStrictPolicyAndNothingOutsideItsDirectory) {
  HttpResponse index = Call("GET", "/ui/");
  ASSERT_EQ(index.status, 200);
  EXPECT_NE(index.body.find("Kizuna dashboard"), std::string::npos);
  EXPECT_EQ(index.Header("content-type"), "text/html; charset=utf-8");
  const std::string csp = index.Header("content-security-policy");
  for (const char* d : {"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'"}) {
    EXPECT_NE(csp.find(d), std::string::npos) << d << " in " << csp;
  }
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(index.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(index.Header("x-frame-options"), "DENY");
  EXPECT_EQ(index.Header("referrer-policy"), "no-referrer");
  // The application's own routes are its index; built assets are cached for good.
  EXPECT_NE(Call("GET", "/ui/incidents/incident--x?lang=ja").body.find("Kizuna dashboard"), std::string::npos);
  HttpResponse js = Call("GET", "/ui/assets/app-1a2b3c.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.Header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_NE(js.Header("cache-control").find("immutable"), std::string::npos);
  EXPECT_EQ(Call("GET", "/ui/assets/missing.js").status, 404);
  EXPECT_EQ(Call("GET", "/ui").status, 301);
  EXPECT_EQ(Call("POST", "/ui/").status, 405);
  EXPECT_EQ(Call("POST", "/ui/", {{"Content-Type", "text/plain"}}, "x").status, 413);  // no body taken
  // Nothing outside the directory, however the path is spelled.
  std::ofstream(app_->File(".hidden")) << "[server] secret";
  for (const char* t : {"/ui/../kizuna.toml", "/ui/%2e%2e/kizuna.toml", "/ui/assets/..%2f..%2fkizuna.toml",
                        "/ui/.hidden", "/ui/%2ehidden", "/ui/%2e%2e%2f%2e%2e%2fetc/passwd.txt"}) {
    HttpResponse r = Call("GET", t);
    EXPECT_EQ(r.body.find("[server]"), std::string::npos) << t;
    EXPECT_EQ(r.body.find("root:"), std::string::npos) << t;
    // The server refuses such paths itself (400); the files below /ui/ answer 404.
    EXPECT_TRUE(r.status == 400 || r.status == 404) << t << ": " << r.status << " " << r.body;
  }
}

TEST(UiNotBuiltTest, AHubWithoutTheApplicationSaysHowToBuildIt) {
  TestHub hub("bare-hub", "[ui]\ndir = \"no-such-directory\"\n");
  hub.Setup({{kOrg, "US Centre", "US", "bare-hub"}}, {kOrg}, {}, {kColl}, {{"alice", "US Centre", "contributor"}});
  hub.Start();
  HttpResponse r = HttpRequest(hub.port(), "GET", "/ui/", {});
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("make build"), std::string::npos);
  EXPECT_NE(r.body.find("ダッシュボード"), std::string::npos);
  EXPECT_NE(r.Header("content-security-policy"), "");
  hub.Stop();
}

// Issue 13: `kizuna briefing` against the real demo hub, as a user runs it:
// HTML in Japanese capped at GREEN (nothing above it on the page, while the
// same account's uncapped briefing has AMBER and RED), the PDF printed by
// Debian's Chromium with a CJK font embedded (Japanese renders), and bad
// options named without a file written.
TEST(BriefingCliTest, WritesACappedBilingualBriefingAsHtmlAndPdf) {
  TempDir dir;
  std::string error;
  auto demo = KizunaProcess::Start({"demo", "--data-dir", dir.path(), "--listen", "127.0.0.1:0"}, &error);
  ASSERT_NE(demo, nullptr) << error;
  // The demo writes its credentials, then says it is ready.
  for (int i = 0; i < 600 && demo->ReadStdout().find("demo hub ready") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_NE(demo->stdout_text().find("demo hub ready"), std::string::npos) << demo->stdout_text();
  std::ifstream in(dir.File("demo-credentials.json"));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string pw;
  const json::value creds = json::parse(ss.str());
  for (const auto& a : creds.as_object().at("accounts").as_array()) {
    if (a.as_object().at("username").as_string() == "us-analyst") pw = a.as_object().at("password").as_string();
  }
  ASSERT_FALSE(pw.empty());
  std::ofstream(dir.File("pw")) << pw;
  auto run = [&](const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> args = {"briefing", "--hub", demo->base_url() + "/taxii2/", "--user", "us-analyst",
                                     "--password-file", dir.File("pw"), "--out", dir.File(out)};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunKizuna(args);
  };
  auto read = [&](const std::string& name) {
    std::ifstream f(dir.File(name), std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  };

  ProcessResult red = run("red.html", {"--since", "30d", "--lang", "en", "--max-tlp", "red"});
  ASSERT_EQ(red.exit_code, 0) << red.err;
  const std::string uncapped = read("red.html");
  // The demo gives this account AMBER and RED intelligence: the cap below has something to withhold.
  ASSERT_NE(uncapped.find("data-tlp=\"TLP:AMBER\""), std::string::npos);
  ASSERT_NE(uncapped.find("TLP:RED <b"), std::string::npos) << "no RED in the uncapped chart's legend";

  ProcessResult green = run("green.html", {"--since", "30d", "--lang", "ja", "--max-tlp", "green"});
  ASSERT_EQ(green.exit_code, 0) << green.err;
  const std::string capped = read("green.html");
  EXPECT_NE(capped.find("<html lang=\"ja\""), std::string::npos);
  EXPECT_NE(capped.find("状況ブリーフィング"), std::string::npos);
  for (const char* above : {"TLP:AMBER", "TLP:RED"}) {
    // Not a label, not a series, not a count: the words appear nowhere.
    EXPECT_EQ(capped.find(above), std::string::npos) << above << " in the GREEN briefing";
  }
  // Self-contained: no script, nothing fetched from anywhere.
  EXPECT_EQ(capped.find("<script"), std::string::npos);
  EXPECT_EQ(capped.find("src=\"http"), std::string::npos);
  EXPECT_EQ(capped.find("href=\"http"), std::string::npos);
  EXPECT_NE(capped.find("http-equiv=\"Content-Security-Policy\""), std::string::npos);

  ProcessResult pdf = run("brief.pdf", {"--since", "7d", "--lang", "ja", "--max-tlp", "green", "--format", "pdf"});
  ASSERT_EQ(pdf.exit_code, 0) << pdf.err;
  const std::string bytes = read("brief.pdf");
  EXPECT_EQ(bytes.rfind("%PDF-", 0), 0u);
  EXPECT_NE(bytes.find("NotoSansCJK"), std::string::npos) << "no CJK font embedded: Japanese would not render";

  // Usage errors: exit 2, the option named, nothing written.
  ProcessResult bad = run("bad.html", {"--since", "soon"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("'since'"), std::string::npos) << bad.err;
  ProcessResult lang = run("bad.html", {"--lang", "fr"});
  EXPECT_EQ(lang.exit_code, 2);
  EXPECT_NE(lang.err.find("--lang"), std::string::npos) << lang.err;
  EXPECT_FALSE(std::filesystem::exists(dir.File("bad.html")));
  EXPECT_EQ(demo->Stop(), 0);
}

// Issue 13: the overview's federation health: each peer's state, last
// sync and lag; when the peer goes away its links are "failing", and only an
// admin reads why (the failure may name hosts). Every account needs
// credentials.
TEST(FederationHealthTest, EachPeersStateIsShownAndWhyItFailsOnlyToAdmins) {
  const std::string us_org = "identity--fed0a001-0000-4000-8000-000000000001";
  const std::string jp_org = "identity--fed0a001-0000-4000-8000-000000000002";
  const std::string coll = "fed0a001-0000-4000-8000-0000000000c1";
  TestHub us("us-hub"), jp("jp-hub");
  const std::vector<OrgDef> orgs = {{us_org, "US Centre", "US", "us-hub"}, {jp_org, "JP Centre", "JP", "jp-hub"}};
  us.Setup(orgs, {us_org, jp_org}, {}, {coll}, {{"alice", "US Centre", "contributor"}, {"root", "US Centre", "admin"}});
  jp.Setup(orgs, {us_org, jp_org}, {}, {coll}, {{"kenji", "JP Centre", "contributor"}});
  us.Start();
  jp.Start();
  us.AddPeer(jp, {coll}, "both", {}, "JP Centre");
  jp.AddPeer(us, {coll}, "both", {}, "US Centre");
  auto health = [&](const std::string& user) {
    HttpResponse r = HttpRequest(us.port(), "GET", "/ui/api/federation",
                                 {{"Authorization", BasicAuth(user, Password(user))}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body) : json::value();
  };
  auto peer_state = [&](const std::string& user) -> std::string {
    json::value h = health(user);
    if (!h.is_object()) return "";
    for (const auto& p : h.as_object().at("peers").as_array()) {
      if (p.as_object().at("peer").as_string() == "jp-hub") return std::string(p.as_object().at("state").as_string());
    }
    return "absent";
  };
  ASSERT_TRUE(WaitUntil([&] { return peer_state("alice") == "ok"; }, 30)) << json::serialize(health("alice"));
  const json::value ok = health("alice");
  EXPECT_EQ(ok.as_object().at("hub").as_string(), "us-hub");
  const json::object& peer = ok.as_object().at("peers").as_array()[0].as_object();
  EXPECT_TRUE(peer.at("last_sync").is_string());
  EXPECT_TRUE(peer.at("lag_s").is_int64());

  jp.Stop();
  ASSERT_TRUE(WaitUntil([&] { return peer_state("root") == "failing"; }, 60)) << json::serialize(health("root"));
  const json::value admin = health("root");
  const json::value analyst = health("alice");
  const json::object& seen_by_admin = admin.as_object().at("peers").as_array()[0].as_object();
  const json::object& seen_by_analyst = analyst.as_object().at("peers").as_array()[0].as_object();
  EXPECT_TRUE(seen_by_admin.contains("error") && !seen_by_admin.at("error").as_string().empty());
  EXPECT_EQ(seen_by_analyst.at("state").as_string(), "failing");
  EXPECT_FALSE(seen_by_analyst.contains("error")) << "the failure's text is for admins";
  EXPECT_TRUE(seen_by_analyst.at("since").is_string());
  EXPECT_EQ(HttpRequest(us.port(), "GET", "/ui/api/federation", {}).status, 401);
  us.Stop();
}

// A peer's health is its worst link's: one flow failing (a collection the
// peer does not have) while another works shows "failing" every time it is
// read, not "ok" whenever the working link last spoke.
TEST(FederationHealthTest, OneFailingFlowIsNotHiddenByAWorkingOne) {
  const std::string us_org = "identity--fed0a002-0000-4000-8000-000000000001";
  const std::string jp_org = "identity--fed0a002-0000-4000-8000-000000000002";
  const std::string coll = "fed0a002-0000-4000-8000-0000000000c1";
  const std::string only_here = "fed0a002-0000-4000-8000-0000000000c2";  // not on the peer
  TestHub us("us-hub"), jp("jp-hub");
  const std::vector<OrgDef> orgs = {{us_org, "US Centre", "US", "us-hub"}, {jp_org, "JP Centre", "JP", "jp-hub"}};
  us.Setup(orgs, {us_org, jp_org}, {}, {coll, only_here}, {{"root", "US Centre", "admin"}});
  jp.Setup(orgs, {us_org, jp_org}, {}, {coll}, {{"kenji", "JP Centre", "contributor"}});
  us.Start();
  jp.Start();
  us.AddPeer(jp, {coll, only_here}, "in", {}, "JP Centre");
  jp.AddPeer(us, {coll}, "out", {}, "US Centre");  // jp serves coll to us
  auto state = [&]() -> std::string {
    HttpResponse r = HttpRequest(us.port(), "GET", "/ui/api/federation",
                                 {{"Authorization", BasicAuth("root", Password("root"))}});
    if (r.status != 200) return "status " + std::to_string(r.status);
    const json::value v = json::parse(r.body);
    const auto& peers = v.as_object().at("peers").as_array();
    return peers.empty() ? "none" : std::string(peers[0].as_object().at("state").as_string());
  };
  // The working flow is working: the peer's objects arrive through it.
  ASSERT_EQ(jp.Post("kenji", coll, {IndicatorJson(ObjectSpec{IndicatorId(7, 1), {kTlpGreen}})}).status, 202);
  ASSERT_TRUE(WaitUntil([&] { return us.Get("root", "/api1/collections/" + coll + "/objects/").body.find(IndicatorId(7, 1)) != std::string::npos; }, 30));
  ASSERT_TRUE(WaitUntil([&] { return state() == "failing"; }, 30));
  // Read it many times while the working flow keeps talking (its channel's
  // heartbeats, its polls): it stays failing.
  std::set<std::string> seen;
  for (int i = 0; i < 40; ++i) {
    seen.insert(state());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(seen, std::set<std::string>{"failing"});
  us.Stop();
  jp.Stop();
}

}  // namespace
}  // namespace kizuna::testing
