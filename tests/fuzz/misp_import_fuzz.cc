// fuzz-deps: export
// MISP event JSON to STIX: any input either fails cleanly or gives objects
// that are JSON objects with a type and an id.
#include <boost/json.hpp>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "export/misp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  kizuna::exports::MispImportStats stats;
  auto out = kizuna::exports::MispToStix(text, &stats);
  if (!out.ok()) return 0;
  for (const auto& o : *out) {
    boost::json::error_code ec;
    boost::json::value v = boost::json::parse(o, ec);
    if (ec || !v.is_object() || !v.as_object().contains("type") || !v.as_object().contains("id")) {
      std::abort();
    }
  }
  return 0;
}
