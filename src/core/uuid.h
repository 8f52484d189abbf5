#pragma once
// UUIDs (RFC 4122): random v4 ids for new objects, name-based v5 ids for STIX
// cyber-observables (STIX 2.1 §2.9), and syntax checks.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace kizuna {

using UuidBytes = std::array<uint8_t, 16>;

// The STIX 2.1 SCO namespace, 00abedb4-aa42-466c-9c01-fed23315a9b7.
extern const UuidBytes kStixScoNamespace;

// A random (v4) UUID in canonical lower-case form. Thread-safe.
std::string NewUuidV4();
// A name-based SHA-1 (v5) UUID. Thread-safe.
std::string UuidV5(const UuidBytes& ns, std::string_view name);

// True for 8-4-4-4-12 hexadecimal digits (either case).
bool IsUuidSyntax(std::string_view s);
// Parses canonical text; false on bad syntax.
bool ParseUuid(std::string_view s, UuidBytes* out);
std::string FormatUuid(const UuidBytes& b);
// The version nibble (1-8) of a syntactically valid UUID text.
int UuidVersion(std::string_view s);
// True when the variant bits are RFC 4122's (10xx).
bool IsRfc4122Variant(std::string_view s);

}  // namespace kizuna
