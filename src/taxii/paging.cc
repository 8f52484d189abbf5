#include "taxii/paging.h"

#include <openssl/sha.h>

#include <algorithm>

#include "core/encoding.h"

namespace kizuna::taxii {
namespace {

void PutU64(std::string* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}

uint64_t GetU64(std::string_view s) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | static_cast<uint8_t>(s[static_cast<size_t>(i)]);
  return v;
}

void AddList(std::string* out, char tag, std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  out->push_back(tag);
  for (const auto& i : items) {
    out->append(i);
    out->push_back('\x1f');
  }
  out->push_back('\x1e');
}

constexpr char kTokenVersion = 1;

}  // namespace

uint64_t QueryFingerprint(Endpoint endpoint, int64_t collection_key, std::string_view object_id,
                          const Filters& f) {
  std::string d;
  d.push_back(static_cast<char>(endpoint));
  PutU64(&d, static_cast<uint64_t>(collection_key));
  d.append(object_id);
  d.push_back('\x1e');
  PutU64(&d, f.added_after_us ? static_cast<uint64_t>(*f.added_after_us) : ~uint64_t{0});
  AddList(&d, 'i', f.ids);
  AddList(&d, 't', f.types);
  AddList(&d, 's', f.spec_versions);
  std::vector<std::string> v;
  if (f.versions.first) v.push_back("first");
  if (f.versions.last) v.push_back("last");
  if (f.versions.all) v.push_back("all");
  for (int64_t us : f.versions.versions_us) v.push_back(std::to_string(us));
  AddList(&d, 'v', std::move(v));
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(d.data()), d.size(), digest);
  return GetU64(std::string_view(reinterpret_cast<char*>(digest), 8));
}

std::string EncodeNextToken(int64_t last_date_added_us, uint64_t fingerprint) {
  std::string raw;
  raw.push_back(kTokenVersion);
  PutU64(&raw, static_cast<uint64_t>(last_date_added_us));
  PutU64(&raw, fingerprint);
  return Base64Encode(raw, /*url_safe=*/true, /*pad=*/false);
}

Result<int64_t> DecodeNextToken(std::string_view token, uint64_t fingerprint) {
  auto raw = Base64Decode(token);
  if (!raw || raw->size() != 17 || (*raw)[0] != kTokenVersion) {
    return InvalidArgument("invalid query parameter 'next': malformed token");
  }
  std::string_view r(*raw);
  if (GetU64(r.substr(9, 8)) != fingerprint) {
    return InvalidArgument(
        "invalid query parameter 'next': the token belongs to a different query (repeat the "
        "original filters with it)");
  }
  int64_t cursor = static_cast<int64_t>(GetU64(r.substr(1, 8)));
  if (cursor < 0) return InvalidArgument("invalid query parameter 'next': malformed token");
  return cursor;
}

}  // namespace kizuna::taxii
