#pragma once
// Scanner: reads logs (files, gzip or zstd compressed, or standard input),
// splits them into chunks at line boundaries, parses and matches the chunks
// on worker threads, and hands the matches to a sink in input order with
// their 1-based line numbers.
//
// Parallelism: one reading thread (the caller's; decompression is
// sequential) and `threads` workers. With threads == 1 everything runs on
// the calling thread. Each chunk is matched against the matcher snapshot
// current when its processing starts, so indicator updates take effect
// within one chunk (chunk_bytes; 1 MiB is about a millisecond of work).
//
// Zeek TSV header lines are tracked by the reading thread, so a chunk that
// starts in the middle of a log knows the #fields in force; concatenated
// logs with new headers are read correctly.
//
// Malformed lines are counted and reported to the sink with file and line;
// they never stop the scan. Thread-safe: one Scan at a time per Scanner;
// Stop() may be called from any thread.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "match/matcher.h"
#include "match/reader.h"

namespace kizuna::match {

struct ScanOptions {
  LogFormat format = LogFormat::kEve;
  ReaderOptions reader;
  int threads = 0;                  // 0: one per core
  size_t chunk_bytes = 1 << 20;     // work unit
  bool follow = false;              // keep reading files (and stdin) as they grow, until Stop()
  int poll_ms = 200;                // follow: how often to look for new data
};

// The texts are valid during MatchSink::OnMatch only (copy what is kept).
struct MatchRecord {
  std::string_view file;
  int64_t line = 0;  // 1-based
  uint32_t ordinal = 0;
  How how = How::kExact;
  std::string_view value;     // the matched text as in the log ("" for scan patterns)
  std::string_view field;     // the log field it came from
  std::string_view log_type;  // "dns", "http", ... ("" when unknown)
  int64_t time_us = 0;   // the event time; 0 when the log has none
  FieldKind kind = FieldKind::kGeneric;  // of the field that hit
  const GenericPath* generic = nullptr;  // kGeneric
};

class MatchSink {
 public:
  virtual ~MatchSink() = default;
  // Called one at a time, in input order.
  virtual void OnMatch(const MatchRecord& match) = 0;
  virtual void OnMalformed(std::string_view file, int64_t line, std::string_view reason) {
    (void)file;
    (void)line;
    (void)reason;
  }
  // Called after each input's last chunk, and periodically in follow mode.
  virtual void OnProgress() {}
};

struct ScanStats {
  int64_t bytes = 0;  // after decompression
  int64_t lines = 0;
  int64_t events = 0;
  int64_t malformed = 0;
  int64_t matches = 0;
};

class Scanner {
 public:
  Scanner(Matcher* matcher, ScanOptions options);
  ~Scanner();

  // Scans `inputs` in order ("-" is standard input). Errors: IoError when a
  // file cannot be opened or read, InvalidArgument for corrupt compressed
  // data; matches found before the error have been delivered.
  Result<ScanStats> Scan(const std::vector<std::string>& inputs, MatchSink* sink);
  // Ends a follow-mode scan (after the data already read is processed).
  void Stop() { stop_.store(true); }

 private:
  struct Impl;
  Matcher* matcher_;
  ScanOptions options_;
  std::atomic<bool> stop_{false};
};

// One JSON line for a match: file, line, value, indicator (id), name,
// markings, tlp, confidence, type (the value's kind), field, log, how, time.
std::string MatchJson(const MatchRecord& m, const Matcher& matcher);

}  // namespace kizuna::match
