// fuzz-deps: federation
// What a peer hub sends: TAXII envelopes and channel events with federation
// metadata (split, metadata decoded and matched to the objects), and the
// stored peer records (decoded and validated).
#include <cstddef>
#include <cstdint>
#include <string>

#include "federation/peer.h"
#include "federation/taxii_client.h"
#include "policy/federation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  kizuna::federation::ObjectsPage page;
  page.body = s;
  if (kizuna::federation::ParseEnvelope(&page).ok() && page.meta) {
    if (page.meta->objects.size() != page.objects.size()) __builtin_trap();
  }
  (void)kizuna::policy::DecodePeerMeta(s, 1000);
  auto peer = kizuna::federation::DecodePeerConfig(s);
  if (peer.ok()) {
    // What decodes, encodes and decodes to the same.
    auto again = kizuna::federation::DecodePeerConfig(kizuna::federation::EncodePeerConfig(*peer));
    if (!again.ok() || again->name != peer->name || again->flows.size() != peer->flows.size()) __builtin_trap();
  }
  (void)kizuna::federation::ParseFlowSpec(s);
  return 0;
}
