// fuzz-deps: core stix
// SplitObjects and SplitDocument on untrusted bundles, envelopes, arrays and
// single objects: every element it returns
// must be a complete JSON object (Boost.JSON agrees, up to its number
// range), and ValidateBundle on
// the parsed document must never crash.

#include <boost/json.hpp>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "stix/bundle.h"
#include "stix/object.h"

namespace {

// Each element lies inside the input and is one JSON object.
void CheckElements(std::string_view text,
                   const kizuna::Result<std::vector<kizuna::stix::RawObject>>& raw) {
  if (!raw.ok()) return;
  boost::json::parse_options opt;
  opt.max_depth = kizuna::stix::kMaxDepth;
  for (const kizuna::stix::RawObject& r : *raw) {
    if (r.bytes.data() < text.data() || r.bytes.data() + r.bytes.size() > text.data() + text.size()) {
      std::abort();
    }
    boost::json::error_code ec;
    boost::json::value v = boost::json::parse(r.bytes, ec, {}, opt);
    // Boost.JSON refuses exponents beyond its range, which JSON allows;
    // ParseJson then rejects the object, so that is no disagreement.
    if (ec == boost::json::error::exponent_overflow) continue;
    if (ec || !v.is_object()) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckElements(text, kizuna::stix::SplitObjects(text));
  // The same guarantees for whole documents (single objects, arrays).
  CheckElements(text, kizuna::stix::SplitDocument(text));
  kizuna::Result<boost::json::value> doc = kizuna::stix::ParseJson(text);
  if (doc.ok() && doc->is_object()) {
    std::vector<kizuna::stix::Diagnostic> diags;
    (void)kizuna::stix::ValidateBundle(doc->get_object(), kizuna::stix::ValidateOptions(), &diags);
  }
  return 0;
}
