// ParseHttpUrl and IsLoopbackHost (http/url.h): the one reading of a URL
// that plain-http checks and the client share, and the loopback rule.
#include "http/url.h"

#include <gtest/gtest.h>

#include "http/client.h"

namespace kizuna::http {
namespace {

// True when `url` parses and its host is loopback.
bool Loopback(std::string_view url) {
  auto u = ParseHttpUrl(url);
  return u.ok() && IsLoopbackHost(*u);
}

TEST(HttpUrlTest, ReadsWhatTheClientConnectsTo) {
  auto u = ParseHttpUrl("http://127.0.0.1:8080/a/b?c=d#frag");
  ASSERT_TRUE(u.ok()) << u.error().message();
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->host_kind, HostKind::kIpv4);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->host_header, "127.0.0.1:8080");
  EXPECT_EQ(u->target, "/a/b?c=d");  // the fragment is never sent
  EXPECT_EQ(u->origin, "http://127.0.0.1:8080");

  u = ParseHttpUrl("HTTPS://[::1]");
  ASSERT_TRUE(u.ok()) << u.error().message();
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host_kind, HostKind::kIpv6);
  EXPECT_EQ(u->host, "::1");  // no brackets: what is connected to
  EXPECT_EQ(u->host_header, "[::1]");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/");
  EXPECT_EQ(u->origin, "https://::1:443");

  u = ParseHttpUrl("http://hub.example.org?x=1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host_kind, HostKind::kName);
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->target, "/?x=1");
}

TEST(HttpUrlTest, LoopbackHosts) {
  for (const char* url :
       {"http://127.0.0.1/", "http://127.0.0.1:9/hook", "http://127.1.2.3/",
        "http://127.255.255.255/", "http://[::1]/", "http://[::1]:9/", "http://[0:0:0:0:0:0:0:1]/",
        "http://localhost/", "http://LOCALHOST:9/", "http://LocalHost/", "https://127.0.0.1/",
        // Only the part after '?' or '#' names another host.
        "http://127.0.0.1?@evil.example/", "http://127.0.0.1/#@evil.example"}) {
    EXPECT_TRUE(Loopback(url)) << url;
  }
}

TEST(HttpUrlTest, NamesThatLookLikeLoopbackAreNot) {
  for (const char* url : {
           "http://127.example.org/",           // a DNS name like any other
           "http://127.attacker.example/hook",  // the review's example
           "http://localhost./",                // absolute name: asks DNS, not /etc/hosts
           "http://localhost.example.org/", "http://sub.localhost/",
           "http://2130706433/",  // inet_aton would read 127.0.0.1; a URL host reads a name
           "http://0x7f000001/",
           "http://127.1/",               // likewise (not four dotted parts)
           "http://0177.0.0.1/",          // octal in inet_aton
           "http://127.0.0.01/",          // leading zero: a name, not an IPv4 address (RFC 3986)
           "http://[::ffff:127.0.0.1]/",  // IPv4-mapped: refused, write 127.0.0.1
           "http://[::]/", "http://0.0.0.0/", "http://10.0.0.5/", "http://[2001:db8::1]/",
           "http://evil.example#@127.0.0.1/",  // the host is evil.example
       }) {
    auto u = ParseHttpUrl(url);
    ASSERT_TRUE(u.ok()) << url << ": " << u.error().message();
    EXPECT_FALSE(IsLoopbackHost(*u)) << url;
  }
}

TEST(HttpUrlTest, RefusesWhatWouldReadAsOneHostAndConnectToAnother) {
  for (const char* url :
       {// Boost.URL 1.81 reads these as host 127.0.0.1 and a path that
        // does not start with '/'.
        "http://127.0.0.1.example.org/", "http://127.0.0.1.example.org", "http://127.0.0.1.",
        "http://127.0.0.1:80.example.org/", "http://127.0.0.1x/", "http://h:1x/",
        // Userinfo: credentials belong in a header, and the host is
        // after the '@'.
        "http://127.0.0.1@evil.example/", "http://user:pw@127.0.0.1/", "http://@127.0.0.1/",
        // A percent-escaped name is checked decoded but resolved as written.
        "http://localhos%74/", "http://127%2e0.0.1/",
        // Not a host name a resolver takes.
        "http://a!b/", "http://[v1.x]/",
        // Ports Boost.URL would wrap or read as 0.
        "http://127.0.0.1:0/", "http://127.0.0.1:65536/", "http://127.0.0.1:99999/",
        "http://127.0.0.1:/",
        // No host, another scheme, not absolute.
        "http:///x", "http://:80/", "ftp://127.0.0.1/", "127.0.0.1:80", "/relative", "",
        "http://127.0.0.1 /"}) {
    EXPECT_FALSE(ParseHttpUrl(url).ok()) << url;
  }
  EXPECT_EQ(ParseHttpUrl("http://127.0.0.1:65535/")->port, 65535);
  EXPECT_EQ(ParseHttpUrl("http://127.0.0.1:080/")->port, 80);
}

TEST(HttpUrlTest, LocalhostName) {
  EXPECT_TRUE(IsLocalhostName("localhost"));
  EXPECT_TRUE(IsLocalhostName("LOCALHOST"));
  EXPECT_FALSE(IsLocalhostName("localhost."));
  EXPECT_FALSE(IsLocalhostName("localhost.localdomain"));
  EXPECT_FALSE(IsLocalhostName("127.0.0.1"));
  EXPECT_FALSE(IsLocalhostName(""));
}

// The client refuses, before any connection, every URL the shared reading
// refuses (it uses the same reading).
TEST(HttpUrlTest, TheClientRefusesTheSameUrls) {
  Client client;
  for (const char* url : {"http://127.0.0.1.example.org/", "http://127.0.0.1@evil.example/",
                          "http://localhos%74/", "http://127.0.0.1:99999/"}) {
    auto r = client.Send("GET", url);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument) << url << ": " << r.error().message();
  }
  EXPECT_EQ(client.connections_opened(), 0u);
}

}  // namespace
}  // namespace kizuna::http
