#include "http/target.h"

#include <array>

namespace kizuna::http {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 §3.3: pchar = unreserved / pct-encoded / sub-delims / ":" / "@";
// the path adds "/". '%' is checked separately.
constexpr std::array<bool, 256> MakePathTable() {
  std::array<bool, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (char c : std::string_view("-._~!$&'()*+,;=:@/")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr std::array<bool, 256> kPathChar = MakePathTable();

// The query is passed on raw, so only bytes that can never be part of a
// request line (or would be unsafe in logs) are refused; '[' and ']' are
// let through because TAXII clients send "match[id]" unencoded.
bool IsQueryChar(unsigned char c) { return c > 0x20 && c < 0x7f && c != '#'; }

bool IsDotSegment(std::string_view segment) { return segment == "." || segment == ".."; }

}  // namespace

bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c != '%') {
      out->push_back(c);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int hi = HexValue(in[i + 1]);
    int lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

Result<std::vector<std::pair<std::string, std::string>>> QueryPairs(std::string_view raw) {
  std::vector<std::pair<std::string, std::string>> out;
  auto decode = [](std::string_view in, std::string* s) {
    std::string plus(in);
    for (char& c : plus) c = c == '+' ? ' ' : c;
    return PercentDecode(plus, s);
  };
  while (!raw.empty()) {
    const size_t amp = raw.find('&');
    const std::string_view pair = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string name, value;
    if (!decode(pair.substr(0, eq), &name) ||
        (eq != std::string_view::npos && !decode(pair.substr(eq + 1), &value))) {
      return InvalidArgument("the query string has a malformed percent escape");
    }
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

Status ParseTarget(std::string_view target, std::string* path, std::string* raw_query) {
  if (target.empty() || target[0] != '/')
    return InvalidArgument("request target must be an absolute path (origin-form)");
  size_t q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);

  for (unsigned char c : query) {
    if (c == '#') return InvalidArgument("request target must not contain a fragment");
    if (!IsQueryChar(c)) return InvalidArgument("query contains a character that must be encoded");
  }

  path->clear();
  path->reserve(raw_path.size());
  size_t segment_start = 0;  // in *path, just after the last '/'
  for (size_t i = 0; i < raw_path.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(raw_path[i]);
    if (c == '#') return InvalidArgument("request target must not contain a fragment");
    if (c == '%') {
      if (i + 2 >= raw_path.size()) return InvalidArgument("malformed percent-escape in path");
      int hi = HexValue(raw_path[i + 1]);
      int lo = HexValue(raw_path[i + 2]);
      if (hi < 0 || lo < 0) return InvalidArgument("malformed percent-escape in path");
      unsigned char d = static_cast<unsigned char>(hi * 16 + lo);
      if (d < 0x20 || d == 0x7f)
        return InvalidArgument("path escape decodes to a control character");
      if (d == '/') return InvalidArgument("path must not contain an encoded '/'");
      path->push_back(static_cast<char>(d));
      i += 2;
      continue;
    }
    if (!kPathChar[c]) return InvalidArgument("path contains a character that must be encoded");
    if (c == '/') {
      if (IsDotSegment(std::string_view(*path).substr(segment_start)))
        return InvalidArgument("path must not contain '.' or '..' segments");
      path->push_back('/');
      segment_start = path->size();
      continue;
    }
    path->push_back(static_cast<char>(c));
  }
  if (IsDotSegment(std::string_view(*path).substr(segment_start)))
    return InvalidArgument("path must not contain '.' or '..' segments");
  raw_query->assign(query);
  return Status::Ok();
}

}  // namespace kizuna::http
