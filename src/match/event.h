#pragma once
// Event: one log record as the readers hand it to the matcher: its time, its
// log type and the observable values it carries, each tagged with what kind
// of value it is and the log field it came from.
//
// Values are views into the line being read, into the JSON parser's string
// buffer, or into the event's own scratch storage: they are valid until the
// reader parses the next line. Not thread-safe; one Event per worker.

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "match/normalize.h"

namespace kizuna::match {

// Seconds since the epoch with an optional fraction ("1300475167.096535",
// Zeek's ts) to microseconds. False for anything else.
bool ParseEpochTime(std::string_view s, int64_t* us);

enum class FieldKind : uint8_t {
  kIp,       // an IPv4 or IPv6 address
  kHost,     // an address or a domain name (HTTP Host, DNS answers)
  kDomain,   // a domain name
  kUrl,      // a URL (absolute, or host + path already joined)
  kEmail,    // an email address, possibly "Name <a@b>"
  kHash,     // a hex digest; the algorithm follows from its length
  kGeneric,  // any other SCO property: see GenericPath
};

enum class Role : uint8_t { kNone, kSrc, kDst };
enum class HashGroup : uint8_t { kFile, kCert };  // file/artifact hashes, x509 hashes

// A STIX object path the readers can fill ("file:name"), with its index tag.
struct GenericPath {
  std::string_view path;  // "type:prop.sub" (dots between steps, no quotes)
  uint64_t tag;
};
// The tag of a generic path (a fixed hash of its text).
uint64_t GenericTag(std::string_view path);

// The generic paths the readers produce.
const GenericPath& PathFileName();        // file:name
const GenericPath& PathX509Subject();     // x509-certificate:subject
const GenericPath& PathX509Issuer();      // x509-certificate:issuer
const GenericPath& PathX509Serial();      // x509-certificate:serial_number
const GenericPath& PathUserAgent();       // network-traffic:extensions.http-request-ext.request_header.User-Agent
const GenericPath& PathAccountLogin();    // user-account:account_login
const GenericPath& PathEmailSubject();    // email-message:subject
const GenericPath& PathSoftwareName();    // software:name

struct Field {
  FieldKind kind = FieldKind::kGeneric;
  Role role = Role::kNone;
  HashGroup group = HashGroup::kFile;
  std::string_view name;   // the log field ("dns.rrname", "query")
  std::string_view value;  // as in the log (JSON-unescaped, Zeek-unescaped)
  const GenericPath* generic = nullptr;  // kGeneric
};

struct Event {
  int64_t time_us = 0;       // event time (microseconds since the epoch); 0 = unknown
  std::string_view epoch;    // or its text, "1300475167.096535", read by Time() when needed
  std::string_view log_type;  // "dns", "http", "conn", "alert", ... ("" = unknown)
  std::vector<Field> fields;

  // The event time: time_us, else `epoch` read now; 0 when unknown.
  int64_t Time() const {
    int64_t us = 0;
    if (time_us == 0 && !epoch.empty() && ParseEpochTime(epoch, &us)) return us;
    return time_us;
  }

  void Clear() {
    time_us = 0;
    epoch = {};
    log_type = {};
    fields.clear();
    used_ = 0;
  }
  // Stores `s` for the lifetime of this event and returns a view of it.
  std::string_view Keep(std::string_view s) {
    if (used_ == scratch_.size()) scratch_.emplace_back();
    std::string& slot = scratch_[used_++];
    slot.assign(s);
    return slot;
  }
  void Add(FieldKind kind, std::string_view name, std::string_view value, Role role = Role::kNone) {
    if (value.empty()) return;
    Field f;
    f.kind = kind;
    f.role = role;
    f.name = name;
    f.value = value;
    fields.push_back(f);
  }
  void AddHash(std::string_view name, std::string_view value, HashGroup group) {
    if (value.empty()) return;
    Field f;
    f.kind = FieldKind::kHash;
    f.group = group;
    f.name = name;
    f.value = value;
    fields.push_back(f);
  }
  void AddGeneric(const GenericPath& path, std::string_view name, std::string_view value) {
    if (value.empty()) return;
    Field f;
    f.kind = FieldKind::kGeneric;
    f.generic = &path;
    f.name = name;
    f.value = value;
    fields.push_back(f);
  }

 private:
  std::deque<std::string> scratch_;  // deque: references stay valid as it grows
  size_t used_ = 0;
};

// The algorithm of a hex digest from its length (32, 40, 64, 128 hex digits,
// ignoring ':' separators); false for other lengths.
bool DigestAlgoByLength(std::string_view hex, HashAlgo* algo);

// Log timestamps: "2017-03-24T13:44:41.573609+0000" (Suricata), with
// "+00:00" or "Z" (Zeek JSON::TS_ISO8601). False when it is none of these.
bool ParseLogTime(std::string_view s, int64_t* us);

}  // namespace kizuna::match
