// fuzz-deps: taxii
// The TAXII query-string parser and the `next` token decoder on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "taxii/paging.h"
#include "taxii/query.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  for (auto ep : {kizuna::taxii::Endpoint::kGetObjects, kizuna::taxii::Endpoint::kGetObject,
                  kizuna::taxii::Endpoint::kDeleteObject, kizuna::taxii::Endpoint::kVersions}) {
    auto f = kizuna::taxii::ParseQuery(s, ep);
    if (f.ok() && f->next) {
      (void)kizuna::taxii::DecodeNextToken(*f->next, 0);
    }
  }
  (void)kizuna::taxii::DecodeNextToken(s, 12345);
  return 0;
}
