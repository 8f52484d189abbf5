#pragma once
// AuditLog: the append-only record of releases and denials. One event per
// release decision taken for a request: who (account, organization, or peer
// hub), when, by which path, which object versions were released (AMBER,
// AMBER+STRICT and RED ones) or denied.
//
// Events are appended asynchronously and written in batches by a background
// thread (a request never waits for the audit disk); Flush() waits until
// everything appended so far is on disk. Each event carries the SHA-256 of
// its content chained with the previous event's hash, so that removing or
// altering an event is detectable (Verify()); the table rejects UPDATE and
// DELETE.
//
// Thread-safe.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace kizuna::store {

struct AuditObject {
  std::string id;
  int64_t version_us = 0;
  std::string marking;  // TLP name, e.g. "TLP:AMBER"
};

struct AuditEvent {
  int64_t seq = 0;       // assigned by the log
  int64_t time_us = 0;
  std::string path;      // "taxii.objects", "export", "federation", ...
  std::string account;   // username, "peer:<hub>", or "" (anonymous)
  std::string organization;
  std::string collection;  // collection id
  std::string remote;      // client address
  bool allowed = true;     // false: a denied attempt
  std::string reason;      // why it was denied
  std::vector<AuditObject> objects;  // released (allowed) or denied objects
  int64_t withheld = 0;    // objects a scan skipped for this reader (not listed)
};

struct AuditQuery {
  std::string object_id;     // events that list this object
  std::string account;
  std::string organization;
  std::optional<int64_t> from_us, to_us;
  std::optional<bool> allowed;
  int64_t limit = 1000;
  int64_t after_seq = 0;
};

class AuditLog {
 public:
  virtual ~AuditLog() = default;
  virtual void Append(AuditEvent event) = 0;
  // Blocks until every event appended before the call is durable.
  virtual Status Flush() = 0;
  // Events in sequence order.
  virtual Result<std::vector<AuditEvent>> Query(const AuditQuery& query) = 0;
  // Recomputes the hash chain; IoError naming the first broken event.
  virtual Status Verify() = 0;
  virtual int64_t Appended() const = 0;  // events appended since open
  // False while writes are failing (events are kept and retried).
  virtual bool Healthy() const = 0;
};

// Opens (creating) the audit log at `path` (an SQLite file of its own, beside
// the hub's database).
Result<std::unique_ptr<AuditLog>> OpenSqliteAuditLog(const std::string& path);

// The audit log path for a hub database path: "<db>.audit".
std::string AuditPathFor(const std::string& db_path);

}  // namespace kizuna::store
