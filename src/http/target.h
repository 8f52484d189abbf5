#pragma once
// Request-target checks and percent-decoding (RFC 9112 §3.2, RFC 3986 §2.1).
// Pure functions over untrusted bytes; thread-safe.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace kizuna::http {

// Splits an origin-form request target (RFC 9112 §3.2.1:
// absolute-path [ "?" query ]) into its percent-decoded path and the raw
// query (without '?', not decoded: the layer above decodes its own
// parameters).
//
// Returns InvalidArgument, naming the rule broken, for:
// - a target that does not start with '/' (absolute-form, authority-form,
//   asterisk-form: this server only serves origin-form);
// - a '#' (fragments are never sent, RFC 9112 §3.2);
// - a raw byte outside RFC 3986 pchar / "/" in the path, or a control
//   character, space or non-ASCII byte in the query;
// - a malformed escape ('%' not followed by two hex digits);
// - an escape that decodes to NUL or another control character, or to '/'
//   (an encoded slash would make routing ambiguous);
// - a "." or ".." segment, raw or encoded (no path traversal, no ambiguous
//   paths: RFC 3986 §5.2.4 leaves their removal to the client).
// On error *path and *raw_query are unspecified.
Status ParseTarget(std::string_view target, std::string* path, std::string* raw_query);

// Percent-decodes `in` (no '+' handling: that belongs to form encoding).
// Returns false on a malformed escape; then *out is unspecified.
bool PercentDecode(std::string_view in, std::string* out);

// A query string's name=value pairs in order, form-decoded ('+' is a space,
// then percent-decoding; a pair without '=' has an empty value; empty pairs
// are skipped). InvalidArgument on a malformed escape.
Result<std::vector<std::pair<std::string, std::string>>> QueryPairs(std::string_view raw_query);

}  // namespace kizuna::http
