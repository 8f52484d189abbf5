#include "http/websocket.h"

#include <openssl/sha.h>

#include "core/encoding.h"

namespace kizuna::http::ws {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (Lower(a[i]) != Lower(b[i])) return false;
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True when the comma-separated header value lists `token`.
bool ListsToken(std::string_view value, std::string_view token) {
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string_view::npos) comma = value.size();
    if (EqualsIgnoreCase(Trim(value.substr(start, comma - start)), token)) return true;
    start = comma + 1;
  }
  return false;
}

bool IsKnownOpcode(uint8_t op) { return op <= 2 || (op >= 8 && op <= 10); }

}  // namespace

bool IsUpgradeRequest(const Request& request) {
  if (request.method != "GET") return false;
  const std::string* upgrade = request.FindHeader("upgrade");
  const std::string* connection = request.FindHeader("connection");
  const std::string* version = request.FindHeader("sec-websocket-version");
  const std::string* key = request.FindHeader("sec-websocket-key");
  if (!upgrade || !connection || !version || !key) return false;
  if (!ListsToken(*upgrade, "websocket") || !ListsToken(*connection, "upgrade")) return false;
  if (Trim(*version) != "13") return false;
  auto decoded = Base64Decode(Trim(*key));
  return decoded.has_value() && decoded->size() == 16;
}

std::string AcceptKey(std::string_view client_key) {
  static constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string text(Trim(client_key));
  text.append(kGuid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

void AppendFrameHeader(std::string* out, Opcode opcode, uint64_t length) {
  out->push_back(static_cast<char>(0x80 | static_cast<uint8_t>(opcode)));
  if (length < 126) {
    out->push_back(static_cast<char>(length));
  } else if (length <= 0xffff) {
    out->push_back(static_cast<char>(126));
    out->push_back(static_cast<char>((length >> 8) & 0xff));
    out->push_back(static_cast<char>(length & 0xff));
  } else {
    out->push_back(static_cast<char>(127));
    for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>((length >> shift) & 0xff));
  }
}

void AppendFrame(std::string* out, Opcode opcode, std::string_view payload, const uint8_t* mask) {
  size_t head = out->size();
  AppendFrameHeader(out, opcode, payload.size());
  if (mask == nullptr) {
    out->append(payload);
    return;
  }
  (*out)[head + 1] = static_cast<char>(static_cast<uint8_t>((*out)[head + 1]) | 0x80);
  out->append(reinterpret_cast<const char*>(mask), 4);
  size_t start = out->size();
  out->append(payload);
  for (size_t i = 0; i < payload.size(); ++i) (*out)[start + i] ^= static_cast<char>(mask[i % 4]);
}

std::string ClosePayload(uint16_t code, std::string_view reason) {
  std::string p;
  p.push_back(static_cast<char>(code >> 8));
  p.push_back(static_cast<char>(code & 0xff));
  p.append(reason.substr(0, 123));
  return p;
}

Status FrameDecoder::Feed(std::string_view data, std::vector<Frame>* frames) {
  if (!failed_.ok()) return failed_;
  buffer_.append(data);
  size_t pos = 0;
  auto fail = [&](std::string_view why) {
    failed_ = InvalidArgument("websocket: " + std::string(why));
    buffer_.clear();
    return failed_;
  };
  for (;;) {
    const size_t avail = buffer_.size() - pos;
    if (avail < 2) break;
    const auto* p = reinterpret_cast<const uint8_t*>(buffer_.data() + pos);
    const bool fin = (p[0] & 0x80) != 0;
    if ((p[0] & 0x70) != 0) return fail("reserved bits set without an extension");
    const uint8_t op = p[0] & 0x0f;
    if (!IsKnownOpcode(op)) return fail("unknown opcode");
    const bool masked = (p[1] & 0x80) != 0;
    if (require_mask_ && !masked) return fail("client frames must be masked");
    if (!require_mask_ && masked) return fail("server frames must not be masked");
    uint64_t length = p[1] & 0x7f;
    size_t header = 2;
    if (length == 126) {
      if (avail < 4) break;
      length = (uint64_t{p[2]} << 8) | p[3];
      header = 4;
    } else if (length == 127) {
      if (avail < 10) break;
      if (p[2] & 0x80) return fail("64-bit length with the most significant bit set");
      length = 0;
      for (int i = 0; i < 8; ++i) length = (length << 8) | p[2 + i];
      header = 10;
    }
    const bool control = op >= 8;
    if (control && (!fin || length > 125)) return fail("control frames must be whole and at most 125 bytes");
    if (length > max_payload_) return fail("frame larger than the limit");
    const size_t mask_bytes = masked ? 4 : 0;
    if (avail < header + mask_bytes + length) break;
    Frame f;
    f.opcode = static_cast<Opcode>(op);
    f.fin = fin;
    f.payload.assign(buffer_.data() + pos + header + mask_bytes, static_cast<size_t>(length));
    if (masked) {
      const uint8_t* key = p + header;
      for (size_t i = 0; i < f.payload.size(); ++i) f.payload[i] ^= static_cast<char>(key[i % 4]);
    }
    frames->push_back(std::move(f));
    pos += header + mask_bytes + static_cast<size_t>(length);
  }
  buffer_.erase(0, pos);
  return Status::Ok();
}

}  // namespace kizuna::http::ws
