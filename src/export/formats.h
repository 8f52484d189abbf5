#pragma once
// Exporter: writes indicators in the formats detection tools read.
//
//  - suricata: Suricata 6/7 rules. Addresses and blocks: `alert ip [..] any
//    <> $HOME_NET any`; domains: one rule each on dns.query, tls.sni and
//    http.host with `dotprefix; content:".name"; endswith` (the name and its
//    subdomains); http:// URLs: http.host + http.uri exact. Hashes, e-mail
//    addresses and file names have no list-free rule form: use the plain
//    lists (md5, sha1, sha256) with filemd5/filesha1/filesha256.
//  - snort: Snort 2.9 rules: addresses as above; domains as DNS query
//    content in wire format (|04|evil|03|com|00|, label-aligned, so it also
//    hits subdomains); http:// URLs with http_uri and http_header contents.
//  - zeek-intel: a Zeek Intel framework input file (#fields indicator
//    indicator_type meta.source meta.desc meta.url) with Intel::ADDR, SUBNET,
//    DOMAIN, URL (without the scheme, as Zeek records URLs), EMAIL,
//    FILE_HASH, CERT_HASH, FILE_NAME, SOFTWARE, USER_NAME.
//  - csv: indicator,name,type,value,valid_from,valid_until,confidence,tlp,labels
//    (RFC 4180 quoting), one row per value.
//  - stix: a STIX 2.1 bundle of the objects, verbatim (every object, not only
//    indicators).
//  - misp: one MISP event (JSON) with an attribute per value (to_ids) and
//    tlp: tags.
//  - plain: one value per line of one kind (PlainKind), deduplicated: for
//    firewalls and tool lists.
// Rules carry the indicator id in their metadata; sids are stable per
// indicator (derived from its id, collisions resolved in output order).
// Revoked and expired indicators (valid_until <= now) are left out, and
// so are, except in stix, indicators whose pattern is not a plain list of
// values (ExportStats::not_expressible).
//
// Not thread-safe; one Exporter per export.

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "export/items.h"

namespace kizuna::exports {

enum class Format : uint8_t { kSuricata, kSnort, kZeekIntel, kCsv, kStix, kMisp, kPlain };
bool ParseFormat(std::string_view name, Format* out);  // "suricata", "zeek-intel", ...
std::string_view FormatName(Format f);
std::string_view ContentType(Format f);

// Plain lists: which values.
enum class PlainKind : uint8_t { kIpv4, kIpv6, kDomains, kUrls, kEmails, kMd5, kSha1, kSha256 };
bool ParsePlainKind(std::string_view name, PlainKind* out);  // "ipv4", "domains", "urls", ...

struct ExportOptions {
  Format format = Format::kStix;
  PlainKind plain = PlainKind::kIpv4;
  int64_t now_us = 0;              // for valid_until; 0 = no expiry check
  uint32_t sid_base = 9'100'000;   // rules: sids in [sid_base, sid_base + 2^20)
  std::string source = "kizuna";   // zeek-intel meta.source, MISP event info
};

struct ExportStats {
  int64_t objects = 0;
  int64_t indicators = 0;
  int64_t exported = 0;         // indicators with at least one value written
  int64_t values = 0;           // rules / rows / lines written
  int64_t not_expressible = 0;  // patterns that are not a list of values
  int64_t skipped_kind = 0;     // values this format cannot carry
  int64_t expired = 0, revoked = 0, invalid = 0;
};

class Exporter {
 public:
  explicit Exporter(ExportOptions options);
  // Adds one STIX object (its JSON text, as stored).
  void Add(std::string_view raw);
  // The output produced since the last call (stream it out as it comes).
  std::string TakeOutput();
  // Ends the export; returns the rest of the output.
  std::string Finish();
  const ExportStats& stats() const { return stats_; }

 private:
  void Rules(const IndicatorInfo& info, bool snort);
  uint32_t Sid(std::string_view id);
  void Row(const IndicatorInfo& info);

  ExportOptions options_;
  ExportStats stats_;
  std::string out_;
  bool started_ = false;
  bool first_ = true;
  std::set<uint32_t> sids_;
  std::unordered_set<std::string> seen_;  // plain: values written
};

}  // namespace kizuna::exports
