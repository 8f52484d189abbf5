#pragma once
// Nations: ISO 3166-1 alpha-2 country codes, the nation of an organization
// and of a hub.

#include <string_view>

namespace kizuna::policy {

// True for an officially assigned ISO 3166-1 alpha-2 code, upper-case ("JP").
bool IsIso3166Alpha2(std::string_view code);

}  // namespace kizuna::policy
