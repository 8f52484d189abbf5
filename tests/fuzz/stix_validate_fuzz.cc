// fuzz-deps: core stix
// Untrusted STIX content as the TAXII layer sees it: split an envelope or a
// bundle, then parse and validate every element; a single object is
// validated directly. Also checks that CanonicalJson is idempotent and that a
// valid object always yields complete metadata.

#include <boost/json.hpp>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "stix/bundle.h"
#include "stix/markings.h"
#include "stix/object.h"

namespace {

using kizuna::stix::Diagnostic;
using kizuna::stix::ObjectInfo;
using kizuna::stix::ValidateOptions;

void Check(std::string_view bytes, const ValidateOptions& options) {
  std::vector<Diagnostic> diags;
  kizuna::Result<ObjectInfo> info = kizuna::stix::ValidateObjectJson(bytes, options, &diags);
  bool has_error = false;
  for (const Diagnostic& d : diags) {
    has_error = has_error || d.severity == Diagnostic::Severity::kError;
    (void)d.ToString();
  }
  // The verdict with and without diagnostics must agree.
  kizuna::Result<ObjectInfo> quiet = kizuna::stix::ValidateObjectJson(bytes, options, nullptr);
  if (info.ok() != quiet.ok()) std::abort();
  kizuna::Result<boost::json::value> v = kizuna::stix::ParseJson(bytes);
  bool is_object = v.ok() && v->is_object();
  if (info.ok()) {
    // A valid object has no error and complete metadata.
    if (has_error || info->id.empty() || info->type.empty() || info->spec_version.empty()) {
      std::abort();
    }
  } else if (is_object && !has_error) {
    std::abort();  // an invalid object names at least one error
  }
  if (!v.ok()) return;
  std::string canon = kizuna::stix::CanonicalJson(*v);
  kizuna::Result<boost::json::value> again = kizuna::stix::ParseJson(canon);
  if (!again.ok() || kizuna::stix::CanonicalJson(*again) != canon) std::abort();
  if (v->is_object()) {
    (void)kizuna::stix::DeterministicScoId(v->get_object());
    (void)kizuna::stix::ObjectTlp(v->get_object());
    (void)kizuna::stix::CheckTlpMarkingDefinition(v->get_object());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ValidateOptions options;
  ValidateOptions v21;
  v21.default_spec_version = "2.1";
  v21.strict_custom_names = false;
  kizuna::Result<std::vector<kizuna::stix::RawObject>> raw = kizuna::stix::SplitObjects(text);
  if (raw.ok()) {
    for (const kizuna::stix::RawObject& r : *raw) {
      Check(r.bytes, options);
      Check(r.bytes, v21);
    }
  } else {
    Check(text, options);
  }
  return 0;
}
