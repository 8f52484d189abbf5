#pragma once
// Reading an object's members without assuming its shape (objects from peers
// and stores are valid STIX, but the coordination members are optional):
// the extension `id` (nullptr when absent or not an object); a string member
// ("" otherwise); a list of strings, or of objects' `member` strings ({}
// otherwise). `o` may be nullptr. Thread-safe: pure functions.

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace kizuna::coord::detail {

const boost::json::object* Ext(const boost::json::object& o, std::string_view id);
std::string Str(const boost::json::object* o, std::string_view key);
std::vector<std::string> Strs(const boost::json::object* o, std::string_view key, std::string_view member = {});

}  // namespace kizuna::coord::detail
