#pragma once
// Exportable items: the values of an indicator's pattern that a detection
// tool can look for on its own. Only the exact disjuncts of a pattern
// (pattern/compiler.h) export: a hit on one of their values proves the
// pattern; values of other disjuncts (AND, FOLLOWEDBY, ...) would turn into
// false positives in a rule, so those indicators count as not expressible.
//
// Pure functions; thread-safe.

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace kizuna::exports {

enum class ItemKind : uint8_t {
  kIpv4,      // one address
  kIpv6,
  kCidr4,     // a block
  kCidr6,
  kDomain,    // a domain (and, for the tools that can, its subdomains)
  kUrl,
  kEmail,
  kMd5,
  kSha1,
  kSha256,
  kSha512,
  kCertSha1,  // x509-certificate SHA-1
  kFileName,
  kSoftware,
  kUserName,
};
std::string_view ItemKindName(ItemKind k);  // "ipv4", "domain", ...

struct Item {
  ItemKind kind;
  std::string value;  // normalized (domains lower case, URLs normalized, hashes lower-case hex)
};

// What an export needs of one indicator.
struct IndicatorInfo {
  std::string id;
  std::string name;
  std::string description;
  std::vector<std::string> labels;  // labels + indicator_types
  std::vector<std::string> markings;
  std::string created, modified, valid_from, valid_until;  // RFC 3339 as in the object
  int64_t modified_us = 0, valid_from_us = 0, valid_until_us = 0;  // 0 until: none
  int confidence = -1;
  bool revoked = false;
  std::vector<Item> items;
  bool expressible = false;  // every disjunct of the pattern is exact
};

// Reads an indicator object. NotFound for other object types (a caller
// skips those); InvalidArgument for an indicator whose pattern does not
// parse or validate, or that is not a STIX pattern.
Result<IndicatorInfo> ReadIndicator(const boost::json::object& object);

}  // namespace kizuna::exports
