#pragma once
// STIX indicators as the matcher needs them: the properties read from each
// indicator object (STIX 2.1 §4.7), and readers for indicator files (a
// bundle, a TAXII envelope or JSON lines; gzip and zstd accepted).
//
// IndicatorParser is not thread-safe (it owns a simdjson parser and
// buffers); use one per thread. The file functions are thread-safe.

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace kizuna::match {

inline constexpr int64_t kNoTime = std::numeric_limits<int64_t>::max();

struct IndicatorRecord {
  std::string id;            // "indicator--<uuid>"
  std::string spec_version;  // "2.1" (absent in 2.0 objects: "2.0")
  std::string name;
  std::string pattern;
  std::string pattern_type = "stix";  // 2.0 objects have none: stix
  int64_t modified_us = 0;            // modified, else created
  int64_t valid_from_us = 0;          // STIX 2.1 §4.7: required
  int64_t valid_until_us = kNoTime;   // absent: no end
  bool revoked = false;
  int confidence = -1;  // 0-100; -1 when absent
  std::vector<std::string> markings;  // object_marking_refs
};

class IndicatorParser {
 public:
  IndicatorParser();
  ~IndicatorParser();
  // Reads one STIX object. nullopt when it is not an indicator (any other
  // type). InvalidArgument for malformed JSON, an indicator without id or
  // pattern, or unparseable timestamps.
  Result<std::optional<IndicatorRecord>> Parse(std::string_view json);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads a whole file, decompressing gzip (1f 8b) or zstd (28 b5 2f fd)
// content. "-" reads standard input.
Result<std::string> ReadFileDecompressed(const std::string& path);

struct IndicatorFileStats {
  int64_t objects = 0;     // STIX objects seen
  int64_t indicators = 0;  // indicators passed to the callback
  std::vector<std::string> errors;  // "file:line: message" (at most 100 kept)
  int64_t error_count = 0;
};

// Calls `sink` with every indicator of `data` (a bundle, an envelope
// {"objects": [...]}, or JSON lines of objects or bundles), in file order.
// Malformed objects are counted in stats->errors and skipped.
void ReadIndicators(std::string_view data, std::string_view file_name,
                    const std::function<void(IndicatorRecord&&)>& sink,
                    IndicatorFileStats* stats);

}  // namespace kizuna::match
