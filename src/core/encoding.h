#pragma once
// Base64 (RFC 4648, standard and URL-safe alphabets) and hexadecimal.

#include <optional>
#include <string>
#include <string_view>

namespace kizuna {

std::string Base64Encode(std::string_view data, bool url_safe = false, bool pad = true);
// Accepts either alphabet, with or without padding; nullopt on bad input.
std::optional<std::string> Base64Decode(std::string_view text);
std::string HexEncode(std::string_view data);
// Either case; nullopt on odd length or a non-hex digit.
std::optional<std::string> HexDecode(std::string_view text);

}  // namespace kizuna
