#pragma once
// WebSocket (RFC 6455) pieces for the server's upgrade support and for
// clients in tests and tools: the opening handshake check and accept key,
// frame encoding, and an incremental frame decoder for bytes from an
// untrusted peer.
//
// What the server does with them (http/session_stream.cc): a handler answers an
// upgrade request with Response::websocket; the server sends 101 Switching
// Protocols, then every StreamWriter::Write as one text message (unmasked,
// RFC 6455 §5.1), answers pings with pongs and a close with a close, and
// discards data messages from the client.
//
// Thread-safe: pure functions; a FrameDecoder belongs to one connection.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "http/message.h"

namespace kizuna::http::ws {

enum class Opcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// RFC 6455 §4.2.1: GET, HTTP/1.1 (checked by the server), "Upgrade:
// websocket", "Connection" listing "upgrade", "Sec-WebSocket-Version: 13" and
// a "Sec-WebSocket-Key" that is 16 bytes in base64. Header names and tokens
// are compared case-insensitively.
bool IsUpgradeRequest(const Request& request);

// RFC 6455 §4.2.2: base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
std::string AcceptKey(std::string_view client_key);

// Appends one complete frame (FIN set) to *out. `mask` (4 bytes) masks the
// payload as clients must (§5.3); servers pass nullptr.
void AppendFrame(std::string* out, Opcode opcode, std::string_view payload,
                 const uint8_t* mask = nullptr);
// The header of an unmasked frame with FIN set and `length` payload bytes.
void AppendFrameHeader(std::string* out, Opcode opcode, uint64_t length);

// A close frame's payload: the status code (big-endian) and a reason.
std::string ClosePayload(uint16_t code, std::string_view reason = {});

struct Frame {
  Opcode opcode = Opcode::kText;
  bool fin = true;
  std::string payload;  // unmasked
};

// Decodes frames from a byte stream. Rejects (InvalidArgument, and stays
// failed) what RFC 6455 forbids: reserved bits without an extension,
// unknown opcodes, control frames that are fragmented or longer than 125
// bytes, a 64-bit length with the top bit set, unmasked frames where masking
// is required (server side) or masked ones where it is forbidden (client
// side), and payloads over `max_payload`.
class FrameDecoder {
 public:
  FrameDecoder(bool require_mask, size_t max_payload)
      : require_mask_(require_mask), max_payload_(max_payload) {}

  // Consumes all of `data`, appending every completed frame to *frames.
  Status Feed(std::string_view data, std::vector<Frame>* frames);

  // Bytes held for an incomplete frame.
  size_t buffered() const { return buffer_.size(); }

 private:
  bool require_mask_;
  size_t max_payload_;
  std::string buffer_;
  Status failed_ = Status::Ok();
};

}  // namespace kizuna::http::ws
