#pragma once
// Matcher: the compiled, incrementally updated index of a set of STIX
// indicators, and the lookups a log event needs.
//
// Indicators are compiled with pattern::CompileForIndex. Every index entry
// becomes a key:
//  - ipv4-addr/ipv6-addr values (and network-traffic src_ref/dst_ref
//    values): single addresses go to the value index, blocks to a CIDR
//    index. A block compared with '=' is matched by containment, as feeds
//    mean it (STIX 2.1 §9.4 would compare whole networks; log records carry
//    single addresses, so strict equality could never hit);
//  - domain-name values: the value index, hit by the queried name and, when
//    MatcherOptions::subdomains, by each of its parent names;
//  - url values: normalized (normalize.h); email addresses: lower-cased;
//  - hashes.MD5/SHA-1/SHA-256/SHA-512 of file, artifact and x509-certificate:
//    binary digests (case-insensitive, unlike the evaluator's string
//    comparison, because logs print digests in either case);
//  - any other equality on an SCO property: the value index under the
//    property's path ("file:name").
// A hit on an entry of an exact disjunct (compiler.h) is a match. A hit on
// an entry of an indexed disjunct is a candidate: the PatternEngine runs the
// evaluator on the event converted to observed-data. Patterns with a scan
// disjunct are evaluated on every event.
//
// Validity: a hit counts only while valid_from <= now < valid_until (second
// resolution) and the indicator is neither revoked nor replaced by a newer
// version. Expiry needs no update: it is checked at each hit.
//
// Updates (Apply): the first batch builds the base index; later batches go
// to a small delta index rebuilt per batch, and replaced or revoked
// indicators become tombstones. When the delta outgrows max(65,536, base/8)
// keys, base and delta are merged from their keys (no pattern is parsed
// again). Each batch publishes a new Snapshot with an atomic shared_ptr
// store (RCU): scans keep the snapshot they loaded and pick up the new one
// at their next chunk, so updates never pause a scan.
//
// Memory: 32 bytes of metadata per indicator, about 17 bytes per distinct
// key, 8 bytes per indicator in the id table, names and marking lists
// interned (MemoryBytes() reports the total).
//
// Thread-safety: Apply is serialized internally and may run while any
// number of threads use snapshots. Snapshots are immutable.

#include <array>
#include <cstdlib>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/time.h"
#include "core/uuid.h"
#include "match/cidr_index.h"
#include "match/event.h"
#include "match/fingerprint.h"
#include "match/indicator.h"
#include "match/value_index.h"

namespace kizuna::match {

class PatternEngine;

// Append-only storage with stable element addresses: readers may read
// element i < size() published to them while the single writer appends.
template <typename T, int kShift = 14>
class AppendOnly {
 public:
  static constexpr size_t kSegment = size_t{1} << kShift;
  static constexpr size_t kMaxSegments = 1 << 12;
  static constexpr size_t kCapacity = kSegment * kMaxSegments;
  AppendOnly() : segments_(new std::unique_ptr<T[]>[kMaxSegments]) {}
  size_t size() const { return size_.load(std::memory_order_acquire); }
  const T& operator[](size_t i) const { return segments_[i >> kShift][i & (kSegment - 1)]; }
  T& Mutable(size_t i) { return segments_[i >> kShift][i & (kSegment - 1)]; }
  // REQUIRES: one writer at a time, size() < kCapacity. Returns the new
  // element's index.
  size_t Push(T v) {
    size_t n = size_.load(std::memory_order_relaxed);
    if (n >= kCapacity) std::abort();  // callers check full() first
    if ((n & (kSegment - 1)) == 0) segments_[n >> kShift].reset(new T[kSegment]);
    segments_[n >> kShift][n & (kSegment - 1)] = std::move(v);
    size_.store(n + 1, std::memory_order_release);
    return n;
  }
  bool full() const { return size() >= kCapacity; }
  size_t MemoryBytes() const {
    size_t segs = (size() + kSegment - 1) / kSegment;
    return segs * kSegment * sizeof(T) + kMaxSegments * sizeof(void*);
  }

 private:
  std::unique_ptr<std::unique_ptr<T[]>[]> segments_;
  std::atomic<size_t> size_{0};
};

struct IndicatorMeta {
  UuidBytes id{};              // the UUID of "indicator--<uuid>"
  uint32_t valid_from_s = 0;   // seconds since the epoch, rounded up
  uint32_t valid_until_s = 0;  // seconds since the epoch, rounded down; UINT32_MAX: none
  uint32_t name = 0;           // index into the name table
  uint16_t markings = 0;       // index into the marking-list table
  int8_t confidence = -1;      // 0-100; -1: none
  uint8_t flags = 0;           // kMetaComplex, kMetaScan
};
static_assert(sizeof(IndicatorMeta) == 32);
inline constexpr uint8_t kMetaComplex = 1;  // the PatternEngine holds its pattern
inline constexpr uint8_t kMetaScan = 2;     // evaluated on every event

enum class How : uint8_t { kExact, kSubdomain, kCidr, kPattern };
std::string_view HowName(How h);  // "exact", "subdomain", "cidr", "pattern"

struct Hit {
  uint32_t ordinal = 0;
  uint16_t field = 0;  // index into Event::fields
  How how = How::kExact;
  bool needs_eval = false;
};

// The interned tables behind the metadata (names, marking lists).
class IndicatorTables {
 public:
  AppendOnly<IndicatorMeta> meta;
  AppendOnly<std::string_view> names;                    // views into name_chunks_
  AppendOnly<std::vector<std::string>, 8> marking_lists;  // object_marking_refs lists

  // Writer side.
  uint32_t InternName(std::string_view name);
  uint16_t InternMarkings(const std::vector<std::string>& markings);
  size_t MemoryBytes() const;

 private:
  std::vector<std::unique_ptr<char[]>> name_chunks_;
  size_t chunk_used_ = 0;
  size_t name_bytes_ = 0;
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return Hash64(s, 0x1234); }
  };
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> name_ids_;  // writer only
  std::unordered_map<std::string, uint16_t> marking_ids_;
  // The previous lookups (feeds repeat names and markings in runs).
  std::string last_name_;
  uint32_t last_name_id_ = 0;
  bool has_last_name_ = false;
  static constexpr size_t kRecentMarkings = 8;
  std::vector<std::pair<std::vector<std::string>, uint16_t>> recent_markings_;  // most used first
};

// The keys of one build: values plus CIDR blocks.
struct IndexParts {
  ValueIndex values;
  CidrIndex4 v4;
  CidrIndex6 v6;
  uint64_t domain_labels = 0;  // bit n set: a domain key with n labels (capped at 63)
  uint32_t kinds = 0;          // bit per ValueTag present
  std::vector<uint64_t> generic_tags;  // sorted: generic paths with keys
  size_t MemoryBytes() const {
    return values.MemoryBytes() + v4.MemoryBytes() + v6.MemoryBytes() + generic_tags.capacity() * 8;
  }
};

struct MatcherOptions {
  bool subdomains = true;  // a domain indicator also matches its subdomains
  const Clock* clock = nullptr;  // nullptr: the system clock
};

// A worker's memory of field values that found nothing: logs repeat their
// addresses and names, and most of them match no indicator. An entry holds
// the whole value (compared in full: never a false "nothing") and is valid
// for one snapshot at one validity second only, so a memo changes no
// result. Values longer than kMaxValue are not remembered. One memo per
// thread and per Matcher; 256 KiB.
class MatchMemo {
 public:
  static constexpr size_t kMaxValue = 50;
  MatchMemo() : slots_(kSlots) {}

 private:
  friend class Snapshot;
  static constexpr size_t kSlots = 4096;
  static constexpr size_t kRecent = 16;  // fields of an event with a slot of their own
  struct alignas(64) Slot {
    uint64_t version = 0;  // 0: empty (snapshot versions start at 1)
    uint32_t now_s = 0;
    uint8_t kind = 0;
    uint8_t len = 0;
    char text[kMaxValue] = {};

    // Whether this slot says `value` of `kind` found nothing in snapshot
    // `v` at second `s`. REQUIRES: value.size() <= kMaxValue (also Set).
    bool Holds(uint64_t v, uint32_t s, FieldKind k, std::string_view value) const;
    void Set(uint64_t v, uint32_t s, FieldKind k, std::string_view value);
  };
  std::vector<Slot> slots_;
  // By field index: the field's last value that found nothing (a column
  // often repeats the previous line's value; no hashing needed then).
  std::vector<Slot> recent_ = std::vector<Slot>(kRecent);
};

class Snapshot {
 public:
  // Looks up every field of `event` and appends the valid hits (deduplicated
  // per indicator and field). `now_s`: the validity time (seconds). `memo`
  // (optional) skips values that found nothing before (see MatchMemo).
  void Match(const Event& event, uint32_t now_s, std::vector<Hit>* hits,
             MatchMemo* memo = nullptr) const;
  // Indicators with a scan disjunct (evaluate on every event).
  const std::vector<uint32_t>& scan() const { return *scan_; }
  bool Live(uint32_t ordinal, uint32_t now_s) const;
  uint32_t limit() const { return limit_; }
  uint64_t version() const { return version_; }
  const IndicatorTables& tables() const { return *tables_; }

 private:
  friend class Matcher;
  // False when `text` is no address.
  bool LookupIp(std::string_view text, uint16_t field, uint32_t now_s, std::vector<Hit>* hits) const;
  void LookupIpv4(uint32_t v4, uint16_t field, uint32_t now_s, std::vector<Hit>* hits) const;
  void LookupIpv6(Uint128 v6, uint16_t field, uint32_t now_s, std::vector<Hit>* hits) const;
  void LookupDomain(std::string_view text, uint16_t field, uint32_t now_s,
                    std::vector<Hit>* hits) const;
  void LookupKey(const Key& key, uint16_t field, How how, uint32_t now_s,
                 std::vector<Hit>* hits) const;
  // As LookupKey for MakeKey(seeds_, tag, value), computing the second half
  // of the key only when a prefilter lets the first through.
  void LookupValue(uint64_t tag, std::string_view value, uint16_t field, How how, uint32_t now_s,
                   std::vector<Hit>* hits) const;
  void Emit(uint32_t payload, uint16_t field, How how, uint32_t now_s,
            std::vector<Hit>* hits) const;
  bool HasGeneric(uint64_t tag) const;

  std::shared_ptr<const IndexParts> base_, delta_;
  std::shared_ptr<const std::vector<uint64_t>> dead_;  // tombstone bits by ordinal
  std::shared_ptr<const std::vector<uint32_t>> scan_;
  std::shared_ptr<const IndicatorTables> tables_;
  Seeds seeds_;
  uint32_t limit_ = 0;  // ordinals below this are published
  uint64_t version_ = 0;
  bool subdomains_ = true;
};

struct ApplyStats {
  int64_t added = 0;        // new indicators indexed
  int64_t replaced = 0;     // newer versions of known indicators
  int64_t revoked = 0;      // indicators removed by a revoked version
  int64_t stale = 0;        // versions older than the one held (ignored)
  int64_t unsupported = 0;  // pattern_type other than stix
  int64_t invalid = 0;      // patterns that do not parse or validate
  int64_t complex = 0;      // indicators that need the evaluator
  int64_t scan = 0;         // of those, evaluated on every event (no index entry)
  std::vector<std::string> errors;  // at most 100: "indicator--...: message"
};

class Matcher {
 public:
  explicit Matcher(MatcherOptions options = {});
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // Adds, replaces and revokes indicators (see the header comment).
  ApplyStats Apply(std::vector<IndicatorRecord> records);
  // The current snapshot (never null).
  std::shared_ptr<const Snapshot> snapshot() const {
    return std::atomic_load_explicit(&snapshot_, std::memory_order_acquire);
  }
  PatternEngine& engine() { return *engine_; }
  const Clock& clock() const { return *clock_; }

  // For output: the indicator behind an ordinal.
  std::string IndicatorId(uint32_t ordinal) const;
  std::string_view Name(uint32_t ordinal) const;
  const std::vector<std::string>& Markings(uint32_t ordinal) const;
  int Confidence(uint32_t ordinal) const;

  // Indicators currently indexed (not revoked or replaced; expired ones count
  // until they are merged away).
  int64_t live() const;
  // Bytes held by the indexes, metadata and tables (not the pattern engine).
  size_t MemoryBytes() const;
  // Forces a merge of the delta into the base (tests).
  void MergeForTest();

 private:
  struct Pending;
  void Publish();
  void Merge();
  uint32_t FindOrdinal(const UuidBytes& id) const;
  void SetOrdinal(const UuidBytes& id, uint32_t ordinal);
  // Grows the id table (if needed) to hold `n` ids.
  void ReserveIds(size_t n);
  // Hints the CPU to load the first slot FindOrdinal(id) reads.
  void PrefetchOrdinal(const UuidBytes& id) const;

  MatcherOptions options_;
  const Clock* clock_;
  Seeds seeds_;
  mutable std::mutex mu_;  // serializes Apply
  std::shared_ptr<IndicatorTables> tables_;
  std::unique_ptr<PatternEngine> engine_;
  // Writer state, GUARDED_BY(mu_):
  std::shared_ptr<const IndexParts> base_, delta_;
  std::vector<KeyedPayload> delta_values_;
  std::vector<CidrIndex4::Block> delta_v4_;
  std::vector<CidrIndex6::Block> delta_v6_;
  std::shared_ptr<std::vector<uint64_t>> dead_;
  std::vector<uint32_t> scan_list_;
  HugeVector<uint64_t> id_slots_;  // hash tag << 32 | ordinal + 1 (0 = empty)
  std::vector<int64_t> modified_;   // per ordinal: the version held (for stale checks)
  size_t id_count_ = 0;
  int64_t live_ = 0;
  int64_t dead_count_ = 0;
  uint64_t version_ = 0;
  std::shared_ptr<const Snapshot> snapshot_;
};

}  // namespace kizuna::match
