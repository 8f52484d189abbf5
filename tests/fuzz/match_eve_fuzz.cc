// fuzz-deps: match
// The Suricata EVE reader on untrusted log lines: every line of the input
// (and the whole input as one line) is parsed; the events are matched
// against a small index and converted to observed-data. Nothing may crash;
// a parsed event's values must lie inside the line or the event's storage.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "match_fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = kizuna::match::MakeEveReader();
  kizuna::match::fuzz::RunLines(*reader, data, size);
  return 0;
}
