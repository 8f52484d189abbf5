#include "ui/reading.h"

#include <boost/json.hpp>
#include <cstdlib>

namespace kizuna::ui {

namespace json = boost::json;

Result<std::vector<store::Collection>> ReadableCollections(store::Store* store, const auth::Principal& reader) {
  std::vector<store::Collection> out;
  ASSIGN_OR_RETURN(auto roots, store->ListApiRoots());
  for (const auto& root : roots) {
    ASSIGN_OR_RETURN(auto collections, store->ListCollections(root.name));
    for (auto& c : collections) {
      if (reader.Access(c.key).can_read) out.push_back(std::move(c));
    }
  }
  return out;
}

std::string JsonString(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string LabelOf(const json::object& o) {
  for (const char* key : {"name", "value", "pattern"}) {
    if (std::string s = JsonString(o, key); !s.empty()) return s;
  }
  return "";
}

std::string LabelOfRaw(std::string_view raw) {
  json::error_code ec;
  json::value v = json::parse(raw, ec);
  return ec || !v.is_object() ? std::string() : LabelOf(v.get_object());
}

stix::Tlp EffectiveTlp(std::string_view marking, const policy::TrustModel& model, int64_t collection) {
  stix::Tlp tlp = stix::TlpOfMarkingRef(marking);
  if (tlp != stix::Tlp::kNone) return tlp;
  const policy::CollectionPolicy* cp = model.FindCollection(collection);
  return cp ? cp->default_tlp : stix::Tlp::kAmber;
}

Result<int> IntParam(const std::string& name, const std::string& v, int lo, int hi) {
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < lo || n > hi) {
    return InvalidArgument("'" + name + "' must be an integer from " + std::to_string(lo) + " to " +
                           std::to_string(hi));
  }
  return static_cast<int>(n);
}

}  // namespace kizuna::ui
