#pragma once
// SqliteStore: the embedded Store backend. One database file in WAL mode;
// one writer thread that groups concurrent Write() calls into shared commits;
// a syncer thread that flushes the WAL (fdatasync) after commits and only
// then calls back and notifies listeners, so a callback's success means the
// commit is on disk, while the writer already prepares the next group;
// a pool of read connections for queries. A reader in this process never
// sees a commit before its flush (readers in other processes may, for the
// few milliseconds of a flush).
//
// Schema and measurements: schema.cc and docs/DECISIONS.md ("Store
// schema"). Objects live in one table per collection whose rowid IS
// date_added (microseconds, strictly increasing across the store), so
// appends are sequential and added_after paging is a rowid range scan; ids
// are found through an in-memory index (id_index.h); `flags` marks the
// first and last version of each object so match[version]=first|last needs
// no per-row probe.
//
// Thread-safe (see Store). Several processes may open the same file; each
// follows the others' changes.
//
// The implementation (sqlite_store*.cc) is listed in sqlite_store_internal.h.

#include <functional>
#include <memory>
#include <string>

#include "core/time.h"
#include "store/store.h"

namespace kizuna::store {

struct SqliteOptions {
  std::string path;               // database file; created if absent
  bool durable = true;            // flush before acknowledging (false: an OS crash may lose them)
  int64_t cache_mib = 256;        // page cache of the writer connection
  int max_batch_objects = 20000;  // upper bound of objects per group commit
  const Clock* clock = &SystemClock::Get();
  // Added with the implementation (defaults measured in docs/BENCHMARKS.md):
  int64_t reader_cache_mib = 16;  // page cache per read connection
  int64_t mmap_mib = 0;           // memory-mapped reads per connection (0 = off)
  int64_t checkpoint_mib = 64;    // WAL size that starts a background checkpoint
  int max_idle_readers = 16;      // read connections kept open between queries
  int page_size = 16384;          // for a new file only (docs/DECISIONS.md, "Store schema")
  // Longest wait of the group-commit leader for the writers seen in recent
  // commits (bounded also by half the recent commit time).
  int group_commit_wait_us = 2000;
  // The in-memory id index (see id_index.h) is loaded on the first object
  // write or id query. true: load it on a background thread right after
  // open, so a server's first request does not wait (about 40 ms for a
  // million objects after a clean close; a rebuild takes ~0.5 s).
  bool warm_id_index = false;
  // Tests only: called by the syncer thread before each flush of the WAL.
  std::function<void()> before_flush_for_test;
};

class SqliteStore;

// Opens (and migrates) the database. IoError when the file cannot be opened
// or is not a Kizuna database of a supported schema version.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

// The schema version this build writes.
int SqliteSchemaVersion();

}  // namespace kizuna::store
