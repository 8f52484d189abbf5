#pragma once
// Encodings of the composite values the SQLite store keeps in single
// columns: string lists (organization sectors, account roles) and the
// per-object details of a status resource. Both are JSON text so that the
// database stays readable with the sqlite3 shell.
//
// Thread-safe: pure functions.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace kizuna::store::sqlite {

std::string EncodeStringList(const std::vector<std::string>& list);
// IoError when the stored text is not a JSON array of strings.
Result<std::vector<std::string>> DecodeStringList(std::string_view text);

std::string EncodeStatusDetails(const StatusRecord& status);
// Fills status->successes, failures and pendings. IoError on malformed text.
Status DecodeStatusDetails(std::string_view text, StatusRecord* status);

}  // namespace kizuna::store::sqlite
