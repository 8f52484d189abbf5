// Webhook records and signatures.
#include "stream/webhooks.h"

#include <gtest/gtest.h>

namespace kizuna::stream {
namespace {

WebhookConfig Valid() {
  WebhookConfig w;
  w.id = "0b6c5b9a-1d2e-4f3a-8b7c-6d5e4f3a2b1c";
  w.account = "alice";
  w.api_root = "api1";
  w.collection = "7f4e6f4c-3b0e-4a8e-9d52-1c2a3b4c5d01";
  w.url = "https://hooks.example.org/kizuna";
  w.secret = "sealed:v1:abc";
  w.types = {"indicator"};
  w.markings = {"green", "amber"};
  w.created_us = 42;
  return w;
}

TEST(WebhookConfigTest, RoundTripsAndValidates) {
  WebhookConfig w = Valid();
  auto back = DecodeWebhookConfig(EncodeWebhookConfig(w));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->url, w.url);
  EXPECT_EQ(back->markings, w.markings);
  EXPECT_EQ(back->created_us, 42);
  EXPECT_EQ(back->max_attempts, 8);
  auto with = [](auto change) {
    WebhookConfig w = Valid();
    change(w);
    return ValidateWebhookConfig(w).ok();
  };
  EXPECT_FALSE(with([](WebhookConfig& w) { w.url = "http://hooks.example.org/x"; }));  // plain, remote
  EXPECT_TRUE(with([](WebhookConfig& w) { w.url = "http://127.0.0.1:9/x"; }));
  EXPECT_TRUE(with([](WebhookConfig& w) {
    w.url = "http://hooks.example.org/x";
    w.allow_plain_http = true;
  }));
  EXPECT_FALSE(with([](WebhookConfig& w) { w.url = "https://user:pw@hooks.example.org/"; }));
  // Plain http only to loopback as http/url.h reads it (the host the
  // delivery client connects to); a name that starts like 127. is not.
  for (const char* url : {"http://127.1.2.3:9/x", "http://[::1]:9/x", "http://LOCALHOST:9/x"}) {
    EXPECT_TRUE(with([&](WebhookConfig& w) { w.url = url; })) << url;
  }
  for (const char* url : {"http://127.attacker.example/hook", "http://127.0.0.1.example.org/x",
                          "http://localhost./x", "http://[::ffff:127.0.0.1]/x", "http://2130706433/x",
                          "http://127.0.0.1@evil.example/x", "http://evil.example#@127.0.0.1/x"}) {
    EXPECT_FALSE(with([&](WebhookConfig& w) { w.url = url; })) << url;
  }
  EXPECT_FALSE(with([](WebhookConfig& w) { w.markings = {"purple"}; }));
  EXPECT_FALSE(with([](WebhookConfig& w) { w.max_attempts = 0; }));
  EXPECT_FALSE(with([](WebhookConfig& w) { w.id = "nope"; }));
  EXPECT_FALSE(with([](WebhookConfig& w) { w.collection = "x"; }));
}

TEST(WebhookConfigTest, RefusesMalformedRecords) {
  for (const char* bad : {"", "[]", "{}", "{\"id\":1}", "{\"unknown\":true}",
                          "{\"id\":\"0b6c5b9a-1d2e-4f3a-8b7c-6d5e4f3a2b1c\",\"account\":\"a\",\"api_root\":\"r\","
                          "\"collection\":\"7f4e6f4c-3b0e-4a8e-9d52-1c2a3b4c5d01\",\"url\":\"https://h/\","
                          "\"secret\":\"s\",\"max_attempts\":\"8\"}"}) {
    EXPECT_FALSE(DecodeWebhookConfig(bad).ok()) << bad;
  }
}

TEST(WebhookSignatureTest, VerifiesAndRejects) {
  const std::string body = "{\"event\":\"objects\"}";
  std::string sig = SignWebhook("key", 1000, body);
  EXPECT_EQ(sig.substr(0, 7), "t=1000,");
  EXPECT_TRUE(VerifyWebhookSignature("key", sig, body, 1000).ok());
  EXPECT_TRUE(VerifyWebhookSignature("key", sig, body, 1200).ok());
  EXPECT_EQ(VerifyWebhookSignature("key", sig, body, 2000).code(), StatusCode::kPermissionDenied);  // too old
  EXPECT_EQ(VerifyWebhookSignature("other", sig, body, 1000).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(VerifyWebhookSignature("key", sig, body + " ", 1000).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(VerifyWebhookSignature("key", "garbage", body, 1000).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyWebhookSignature("key", "t=abc,v1=00", body, 1000).code(), StatusCode::kInvalidArgument);
  // The value computed independently (Python's hmac module).
  EXPECT_EQ(sig, "t=1000,v1=5c978a142ecc386e86c91438d13cd2620ca7bf0defc22f2517834fd12a9b7119");
}

}  // namespace
}  // namespace kizuna::stream
