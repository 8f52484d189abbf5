// fuzz-deps: core pattern
// Evaluator on arbitrary input: the first line is the pattern, the rest a
// JSON array of observed-data (or bundles). The first byte of the pattern
// line picks the STIX version ('0' selects 2.0). A small step limit keeps
// each run short; the limit must fail cleanly, never hang or crash.
#include <boost/json.hpp>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pattern/evaluator.h"
#include "pattern/observation.h"
#include "pattern/validator.h"

using namespace kizuna::pattern;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  if (nl == std::string_view::npos || nl == 0) return 0;
  std::string_view pattern = in.substr(1, nl - 1);
  SpecVersion v = in[0] == '0' ? SpecVersion::k20 : SpecVersion::k21;
  CheckOptions co;
  co.spec_version = v;
  CheckResult c = Check(pattern, co);
  if (!c.ok()) return 0;
  std::error_code ec;
  boost::json::value json = boost::json::parse(in.substr(nl + 1), ec);
  if (ec || !json.is_array()) return 0;
  auto set = ObservationSet::Build(json.get_array(), v);
  if (!set.ok()) return 0;
  EvalOptions eo;
  eo.max_steps = 20000;
  eo.max_binding_size = 64;
  auto r = Evaluate(*c.pattern, *set, eo);
  if (r.ok()) {
    if (!r->matched && !r->observations.empty()) std::abort();
    for (size_t i : r->observations) {
      if (i >= set->size()) std::abort();
    }
  }
  return 0;
}
