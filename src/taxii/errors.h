#pragma once
// The TAXII 2.1 media types, error resources (§3.6.1) and timestamp form
// shared by every HTTP path of the hub (TAXII, channels, feeds, the hub's
// own endpoints): one mapping from Status to an HTTP status and an error
// body (http::HttpStatusFor), so that every path answers errors alike.
// Server-side failures (5xx) never carry their internal message.
//
// Thread-safe: pure functions.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/message.h"

namespace kizuna::taxii {

inline constexpr const char* kTaxiiMediaType = "application/taxii+json;version=2.1";
inline constexpr const char* kStixMediaType21 = "application/stix+json;version=2.1";
inline constexpr const char* kStixMediaType20 = "application/stix+json;version=2.0";

// A TAXII error resource with the given HTTP status (401 adds the
// WWW-Authenticate challenge).
http::Response Error(int http_status, std::string_view title, std::string_view description);
// The error resource for a non-OK Status (HTTP status from http::HttpStatusFor;
// the reason phrase as title; the message as description below 500).
http::Response ErrorFor(const Status& status);

// Formats a version or date_added timestamp: milliseconds when the value has
// no finer digits, else microseconds ("2016-05-12T08:17:27.123Z").
std::string FormatVersion(int64_t micros);

}  // namespace kizuna::taxii
