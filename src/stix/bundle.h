#pragma once
// Splitting a STIX bundle, a TAXII envelope or a JSON-lines stream into
// objects, keeping each object's exact bytes.

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

inline constexpr int kMaxDepth = 64;

}  // namespace kizuna::stix
