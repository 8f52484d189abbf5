#pragma once
// Log readers: each turns one line of a log into an Event (event.h).
//
//  - EVE: Suricata EVE JSON (alert, dns v1/v2/v3, http, tls, flow, fileinfo,
//    smtp/email, and any event carrying those objects), read with simdjson
//    On-Demand.
//  - Zeek TSV: the ASCII writer's format; the #separator, #set_separator,
//    #empty_field, #unset_field, #path and #fields header lines say how to
//    read the data lines that follow (ZeekHeader).
//  - Zeek JSON: one object per line with Zeek's field names (flat
//    "id.orig_h" or nested "id": {...}); also the {"dns": {...}} wrapping
//    that log shippers such as Apache Metron use.
//  - lines: one value per line (an address, a domain, a URL, an email
//    address or a hash digest, recognized by its form), or one column of a
//    CSV file.
// Zeek field names recognized (both Zeek forms): id.orig_h, id.resp_h, src,
// dst, query, answers, host, uri, referrer, user_agent, username, server_name,
// subject, issuer, certificate.subject/issuer/serial, san.dns/email/ip/uri,
// fingerprint, cert_chain_fps, md5, sha1, sha256, filename, orig_filenames,
// resp_filenames, tx_hosts, rx_hosts, mailfrom, rcptto, from, to, cc,
// reply_to, x_originating_ip, path (smtp), name (software, smb_files).
//
// A reader is not thread-safe: use one per thread (Clone()).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "match/event.h"

namespace kizuna::match {

enum class LogFormat : uint8_t { kEve, kZeek, kZeekTsv, kZeekJson, kLines };
// "eve", "zeek", "zeek-tsv", "zeek-json", "lines"; false when unknown.
bool ParseLogFormat(std::string_view name, LogFormat* out);

enum class LineStatus : uint8_t {
  kEvent,      // *event holds the record
  kSkip,       // an empty line, a comment or a header line
  kMalformed,  // *error says why
};

// The bytes JSON readers may read past the end of a line (simdjson reads
// ahead): callers give them lines inside buffers with at least this much
// readable memory after the line.
inline constexpr size_t kReadPadding = 64;

// The state a Zeek TSV header sets (Zeek's logging framework, ASCII writer).
struct ZeekHeader {
  char separator = '\t';
  std::string set_separator = ",";
  std::string empty_field = "(empty)";
  std::string unset_field = "-";
  std::string path;                 // #path
  std::vector<std::string> fields;  // #fields
  std::vector<std::string> types;   // #types (follows #fields)
  // Applies one header line ("#fields\tts\tuid..."); false if it is none.
  bool Apply(std::string_view line);
};

struct ReaderOptions {
  int csv_column = 0;  // lines: 1-based column of a CSV file; 0 = the whole line
  char csv_delimiter = ',';
};

class LogReader {
 public:
  virtual ~LogReader() = default;
  // Parses `line` (without its line break). `capacity`: bytes readable
  // from line.data(), at least line.size() + kReadPadding.
  virtual LineStatus Parse(std::string_view line, size_t capacity, Event* event,
                           std::string* error) = 0;
  // A fresh reader with the same options (and, for Zeek TSV, the header in
  // force now).
  virtual std::unique_ptr<LogReader> Clone() const = 0;
  // Zeek TSV: the header in force (nullptr for other readers).
  virtual const ZeekHeader* header() const { return nullptr; }
  virtual void SetHeader(const ZeekHeader&) {}
};

std::unique_ptr<LogReader> MakeEveReader();
std::unique_ptr<LogReader> MakeZeekTsvReader();
std::unique_ptr<LogReader> MakeZeekJsonReader();
std::unique_ptr<LogReader> MakeLinesReader(const ReaderOptions& options);
// The reader for `format`; kZeek picks TSV or JSON from the first
// non-blank byte of `sample` ('{' is JSON).
std::unique_ptr<LogReader> MakeReader(LogFormat format, std::string_view sample,
                                      const ReaderOptions& options);

}  // namespace kizuna::match
