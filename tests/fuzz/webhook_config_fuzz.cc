// fuzz-deps: stream
// Webhook records, signature headers and channel parameters on arbitrary
// bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "stream/channel_service.h"
#include "stream/webhooks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  auto w = kizuna::stream::DecodeWebhookConfig(s);
  if (w.ok()) {
    auto again = kizuna::stream::DecodeWebhookConfig(kizuna::stream::EncodeWebhookConfig(*w));
    if (!again.ok() || again->id != w->id || again->url != w->url) __builtin_trap();
  }
  (void)kizuna::stream::VerifyWebhookSignature("key", s, "body", 1000);
  (void)kizuna::stream::ParseChannelQuery(s);
  return 0;
}
