// fuzz-deps: core pattern
// Parser, validator, printer and compiler on arbitrary text. The first byte
// picks the STIX version. Checks the round-trip property: whatever parses
// prints to text that parses to an equal AST.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pattern/compiler.h"
#include "pattern/parser.h"
#include "pattern/validator.h"

using namespace kizuna::pattern;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ParseOptions o;
  o.spec_version = (data[0] & 1) ? SpecVersion::k20 : SpecVersion::k21;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  Diagnostic d;
  kizuna::Result<Pattern> p = Parse(text, o, &d);
  if (!p.ok()) {
    if (d.message.empty() || d.offset > text.size()) std::abort();
    return 0;
  }
  std::vector<Diagnostic> diags = Validate(*p);
  for (const Diagnostic& x : diags) {
    if (x.message.empty() || x.offset > text.size()) std::abort();
  }
  std::string printed = ToString(*p);
  kizuna::Result<Pattern> q = Parse(printed, o);
  if (!q.ok()) {
    std::fprintf(stderr, "printed form does not parse: %s\n%s\n", printed.c_str(),
                 q.error().ToString().c_str());
    std::abort();
  }
  if (!Equal(p->root(), q->root())) {
    std::fprintf(stderr, "round trip changed the AST: %s\n", printed.c_str());
    std::abort();
  }
  if (ToString(*q) != printed) std::abort();
  CompiledPattern c = CompileForIndex(*p);
  for (const IndexEntry& e : c.entries) {
    if (e.disjunct >= c.disjuncts.size()) std::abort();
  }
  return 0;
}
