#include "coord/members.h"

#include <boost/json.hpp>

namespace kizuna::coord::detail {

namespace json = boost::json;

const json::object* Ext(const json::object& o, std::string_view id) {
  const json::value* e = o.if_contains("extensions");
  if (!e || !e->is_object()) return nullptr;
  const json::value* x = e->get_object().if_contains(id);
  return x && x->is_object() ? &x->get_object() : nullptr;
}

std::string Str(const json::object* o, std::string_view key) {
  if (o == nullptr) return "";
  const json::value* v = o->if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

std::vector<std::string> Strs(const json::object* o, std::string_view key, std::string_view member) {
  std::vector<std::string> out;
  if (o == nullptr) return out;
  const json::value* v = o->if_contains(key);
  if (!v || !v->is_array()) return out;
  for (const json::value& e : v->get_array()) {
    if (member.empty()) {
      if (e.is_string()) out.emplace_back(e.get_string());
    } else if (e.is_object()) {
      std::string s = Str(&e.get_object(), member);
      if (!s.empty()) out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace kizuna::coord::detail
