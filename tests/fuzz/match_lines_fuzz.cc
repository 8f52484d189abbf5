// fuzz-deps: match
// The plain-lines reader, whole lines and CSV columns (the first input byte
// picks the column and the delimiter).
#include <cstdint>

#include "match_fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kizuna::match::ReaderOptions o;
  if (size > 0) {
    o.csv_column = data[0] % 4;
    o.csv_delimiter = (data[0] & 0x80) ? ';' : ',';
  }
  auto reader = kizuna::match::MakeLinesReader(o);
  kizuna::match::fuzz::RunLines(*reader, data, size);
  return 0;
}
