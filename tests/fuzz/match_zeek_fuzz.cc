// fuzz-deps: match
// The Zeek readers on untrusted logs: TSV (header lines inside the input
// change how later lines are read) and JSON (flat, nested, wrapped), line by
// line, with matching and observed-data conversion of every event.
#include <cstdint>

#include "match_fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto tsv = kizuna::match::MakeZeekTsvReader();
  kizuna::match::fuzz::RunLines(*tsv, data, size);
  auto json = kizuna::match::MakeZeekJsonReader();
  kizuna::match::fuzz::RunLines(*json, data, size);
  return 0;
}
