// fuzz-deps: http
// The WebSocket frame decoder (frames from untrusted clients) on arbitrary
// bytes, both sides of the masking rule, whole and in pieces.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "http/websocket.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  for (bool mask : {true, false}) {
    kizuna::http::ws::FrameDecoder whole(mask, 4096);
    std::vector<kizuna::http::ws::Frame> a;
    bool ok_whole = whole.Feed(s, &a).ok();
    kizuna::http::ws::FrameDecoder pieces(mask, 4096);
    std::vector<kizuna::http::ws::Frame> b;
    bool ok_pieces = true;
    for (size_t i = 0; i < size && ok_pieces; i += 3) ok_pieces = pieces.Feed(s.substr(i, 3), &b).ok();
    if (ok_whole != ok_pieces && size % 3 == 0) {
      // The same bytes give the same verdict however they arrive.
      __builtin_trap();
    }
    if (ok_whole && ok_pieces && a.size() != b.size()) __builtin_trap();
    for (const auto& f : a) {
      if (f.payload.size() > 4096) __builtin_trap();
    }
  }
  return 0;
}
