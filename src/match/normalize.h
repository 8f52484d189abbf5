#pragma once
// Normal forms of the values the matcher compares, shared by the index
// builder (indicator side), the log readers (observation side) and the
// exports, so that both sides meet:
//  - IPv4/IPv6: binary; text forms of RFC 4291 (IPv6 zone ids are dropped).
//  - domain names: ASCII lower case, without a trailing dot (DNS names are
//    case-insensitive, RFC 4343).
//  - URLs: scheme and host lower-cased, default port removed, empty path
//    made "/", fragment removed, percent-escapes upper-cased (RFC 3986
//    §6.2.2); a URL without a scheme is read as http://.
//  - email addresses: lower case, surrounding "<...>" and spaces removed.
//  - hash digests: binary, from hex (either case; ':' separators allowed).
//
// Pure functions; thread-safe.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "match/fingerprint.h"

namespace kizuna::match {

// Dotted quad (no leading zeros, as Zeek and Suricata print them).
bool ParseIpv4(std::string_view s, uint32_t* out);
// Any RFC 4291 text form, with an optional "%zone" suffix (dropped).
bool ParseIpv6(std::string_view s, Uint128* out);
std::string FormatIpv4(uint32_t a);
std::string FormatIpv6(Uint128 a);

// Writes the normal form of a domain name into `buf` and returns a view of
// it; empty when `s` is not plausibly a host name (empty, spaces, control
// characters, "..", longer than 253 bytes).
// `labels`, when given, receives the number of labels.
std::string_view NormalizeDomain(std::string_view s, std::string* buf, int* labels = nullptr);
// Number of labels of a normalized domain ("a.b.c" -> 3).
int LabelCount(std::string_view domain);

// The normal form of a URL; empty when there is no host.
std::string NormalizeUrl(std::string_view s);
// The host of a normalized URL ("http://a.b:8080/x" -> "a.b").
std::string_view UrlHost(std::string_view normalized_url);

std::string_view NormalizeEmail(std::string_view s, std::string* buf);

// The value of a hex digit (either case), or -1: a table lookup, without
// the branches a range test costs on random hex.
inline int HexDigitValue(char c) {
  static constexpr auto kTable = [] {
    std::array<int8_t, 256> t{};
    for (auto& v : t) v = -1;
    for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<int8_t>(i);
    for (int i = 0; i < 6; ++i) {
      t['a' + i] = static_cast<int8_t>(10 + i);
      t['A' + i] = static_cast<int8_t>(10 + i);
    }
    return t;
  }();
  return kTable[static_cast<unsigned char>(c)];
}

// Decodes a hex digest of exactly `bytes` bytes; ':' and '-' separators and
// either case are accepted. False on anything else.
bool ParseDigest(std::string_view s, size_t bytes, uint8_t* out);

// The hash algorithms the index keeps as binary digests.
enum class HashAlgo : uint8_t { kMd5, kSha1, kSha256, kSha512 };
inline constexpr size_t DigestBytes(HashAlgo a) {
  return a == HashAlgo::kMd5 ? 16 : a == HashAlgo::kSha1 ? 20 : a == HashAlgo::kSha256 ? 32 : 64;
}
// STIX hash dictionary keys ("MD5", "SHA-256", "sha256", ...); nullopt for
// the others (SSDEEP, TLSH, SHA3-*, ...), which are indexed as strings.
std::optional<HashAlgo> HashAlgoOf(std::string_view stix_key);
std::string_view HashAlgoName(HashAlgo a);  // "MD5", "SHA-1", "SHA-256", "SHA-512"

}  // namespace kizuna::match
