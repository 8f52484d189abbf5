#include <gtest/gtest.h>

#include "pattern/ip.h"
#include "pattern/unicode.h"

namespace kizuna::pattern {
namespace {

TEST(IpTest, ParsesAddressesAndBlocks) {
  auto a = ParseIpNetwork("198.51.100.7");
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->v6);
  EXPECT_EQ(a->prefix, 32);
  EXPECT_EQ(a->ToString(), "198.51.100.7");
  auto b = ParseIpNetwork("10.1.2.3/8");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->ToString(), "10.0.0.0/8");
  EXPECT_EQ(ParseIpNetwork("0.0.0.0/0")->ToString(), "0.0.0.0/0");
  auto c = ParseIpNetwork("2001:DB8::1");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->v6);
  EXPECT_EQ(c->ToString(), "2001:db8::1");
  EXPECT_EQ(ParseIpNetwork("::")->ToString(), "::");
  EXPECT_EQ(ParseIpNetwork("::ffff:1.2.3.4")->ToString(), "::ffff:102:304");
  EXPECT_EQ(ParseIpNetwork("2001:db8:0:0:1:0:0:1")->ToString(), "2001:db8::1:0:0:1");
  EXPECT_EQ(ParseIpNetwork("fe80::1/10")->ToString(), "fe80::/10");
}

TEST(IpTest, RejectsMalformedText) {
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4/33",
                          "1.2.3.4/", "1.2.3.4/-1", "1.2.3.4/08", "a.b.c.d", "1::2::3", ":1::",
                          "1:2:3:4:5:6:7:8:9", "12345::", "2001:db8::/129", "1.2.3.4 ", "1234"}) {
    EXPECT_FALSE(ParseIpNetwork(bad)) << bad;
  }
}

TEST(IpTest, Containment) {
  auto net = *ParseIpNetwork("198.51.100.0/24");
  EXPECT_TRUE(net.Contains(*ParseIpNetwork("198.51.100.255")));
  EXPECT_TRUE(net.Contains(*ParseIpNetwork("198.51.100.128/25")));
  EXPECT_TRUE(net.Contains(net));
  EXPECT_FALSE(net.Contains(*ParseIpNetwork("198.51.0.0/16")));
  EXPECT_FALSE(net.Contains(*ParseIpNetwork("198.51.101.1")));
  EXPECT_FALSE(net.Contains(*ParseIpNetwork("::ffff:198.51.100.1")));  // families differ
  EXPECT_TRUE(ParseIpNetwork("2001:db8::/32")->Contains(*ParseIpNetwork("2001:db8:ffff::1")));
  EXPECT_TRUE(ParseIpNetwork("0.0.0.0/0")->Contains(*ParseIpNetwork("8.8.8.8")));
}

TEST(UnicodeTest, NfcComposesAndReorders) {
  EXPECT_EQ(ToNfc("e\xCC\x81"), "\xC3\xA9");                         // e + acute -> é
  EXPECT_EQ(ToNfc("d\xCC\xA3\xCC\x87"), "\xE1\xB8\x8D\xCC\x87");     // ḍ̇ canonical
  EXPECT_EQ(ToNfc("\xE1\xB8\x8B\xCC\xA3"), "\xE1\xB8\x8D\xCC\x87");  // ḍ̇ reorders to ḍ̇
  EXPECT_EQ(ToNfc("\xE1\x84\x80\xE1\x85\xA1"), "\xEA\xB0\x80");      // Hangul L+V -> 가
  EXPECT_EQ(ToNfc("\xEA\xB0\x80"), "\xEA\xB0\x80");
  EXPECT_EQ(ToNfc("plain ascii"), "plain ascii");
  EXPECT_EQ(ToNfc("\xE2\x84\xAB"), "\xC3\x85");  // Angstrom sign -> Å (singleton)
  EXPECT_EQ(ToNfc(std::string("\xFF\xCC\x81", 3)), std::string("\xFF\xCC\x81", 3));  // invalid kept
}

TEST(UnicodeTest, FastPathDetection) {
  EXPECT_FALSE(MayNeedNfc("abc \xC3\xA9"));  // below U+0300
  EXPECT_TRUE(MayNeedNfc("e\xCC\x81"));
}

}  // namespace
}  // namespace kizuna::pattern
