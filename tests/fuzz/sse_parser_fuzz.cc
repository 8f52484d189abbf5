// fuzz-deps: stream
// The Server-Sent Events parser (federation links read peers' channels with
// it) on arbitrary bytes, fed whole and in pieces; the two must agree.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "stream/sse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  kizuna::stream::SseParser whole(4096);
  std::vector<kizuna::stream::SseEvent> a;
  bool ok_whole = whole.Feed(s, &a).ok();
  kizuna::stream::SseParser pieces(4096);
  std::vector<kizuna::stream::SseEvent> b;
  bool ok_pieces = true;
  const size_t step = size > 0 ? 1 + data[0] % 7 : 1;
  for (size_t i = 0; i < size && ok_pieces; i += step) ok_pieces = pieces.Feed(s.substr(i, step), &b).ok();
  if (ok_whole && ok_pieces) {
    if (a.size() != b.size()) __builtin_trap();
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].data != b[i].data || a[i].id != b[i].id || a[i].event != b[i].event) __builtin_trap();
    }
  }
  return 0;
}
