#pragma once
// Splitting a STIX bundle or a TAXII envelope into objects, keeping each
// object's exact bytes, and writing a bundle around stored objects.
// Thread-safe: pure functions.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace kizuna::stix {

// One object of a container: its exact bytes as they appear in the input.
struct RawObject {
  std::string_view bytes;  // points into the caller's buffer
};

// Parses `json` (a bundle {"type":"bundle","objects":[...]} or a TAXII
// envelope {"objects":[...]}) and returns views of each element of its
// "objects" array. InvalidArgument for malformed JSON (with the byte offset),
// a missing or non-array "objects", or elements that are not JSON objects.
// Nesting deeper than kMaxDepth is rejected, never recursed into.
Result<std::vector<RawObject>> SplitObjects(std::string_view json);

// As above, and also returns in *member_bytes the exact bytes of the value of
// the top-level member named `member` (empty when absent), e.g. the Kizuna
// federation metadata "x_kizuna_federation" beside "objects" in a TAXII
// envelope. A repeated `member` is InvalidArgument.
Result<std::vector<RawObject>> SplitObjects(std::string_view json, std::string_view member,
                                            std::string_view* member_bytes);

// A whole STIX document as people keep them in files: a bundle, a TAXII
// envelope, a JSON array of objects, or a single object (a top-level object
// with a "type" and no "objects" member). Views point into `json`; a bundle
// with no "objects" gives no objects. InvalidArgument as SplitObjects (JSON
// lines are not a document: the caller splits lines itself).
Result<std::vector<RawObject>> SplitDocument(std::string_view json);

inline constexpr int kMaxDepth = 64;

// Serializes a STIX 2.1 bundle (section 8) around objects kept verbatim:
// {"type":"bundle","id":"<bundle_id>","objects":[<o1>,<o2>,...]}, without
// "objects" when there are none (section 2.12 prohibits empty lists).
// REQUIRES: bundle_id is "bundle--<UUID>" and every element is one complete
// JSON object (bytes from SplitObjects or the store). Never fails.
std::string WriteBundle(std::string_view bundle_id, std::span<const std::string_view> objects);

// A new bundle id: "bundle--" + a random UUIDv4 (section 2.9).
std::string NewBundleId();

}  // namespace kizuna::stix
