#include "pattern/observation.h"

#include <algorithm>
#include <boost/json.hpp>

namespace kizuna::pattern {

namespace json = boost::json;

namespace {

std::string_view Str(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return {};
  const json::string& s = it->value().get_string();
  return {s.data(), s.size()};
}

// STIX 2.1 §4: SDO and SRO type names; an object_refs entry of one of these
// types is not an SCO and is not matched by patterns.
bool IsSdoOrSro(std::string_view type) {
  static constexpr std::string_view kTypes[] = {"attack-pattern",
                                                "bundle",
                                                "campaign",
                                                "course-of-action",
                                                "extension-definition",
                                                "grouping",
                                                "identity",
                                                "incident",
                                                "indicator",
                                                "infrastructure",
                                                "intrusion-set",
                                                "language-content",
                                                "location",
                                                "malware",
                                                "malware-analysis",
                                                "marking-definition",
                                                "note",
                                                "observed-data",
                                                "opinion",
                                                "relationship",
                                                "report",
                                                "threat-actor",
                                                "tool",
                                                "sighting",
                                                "vulnerability"};
  return std::find(std::begin(kTypes), std::end(kTypes), type) != std::end(kTypes);
}

Status Bad(size_t index, std::string_view id, std::string_view what) {
  std::string msg = "observed-data ";
  if (!id.empty()) {
    msg += id;
  } else {
    msg += std::string("#") + std::to_string(index);
  }
  msg += ": ";
  msg += what;
  return InvalidArgument(msg);
}

Status ReadTimes(const json::object& od, size_t index, Observation* obs) {
  std::string_view id = obs->id;
  for (auto [key, out] : {std::pair{"first_observed", &obs->first_observed},
                          std::pair{"last_observed", &obs->last_observed}}) {
    auto it = od.find(key);
    if (it == od.end()) return Bad(index, id, std::string("has no ") + key);
    if (!it->value().is_string()) return Bad(index, id, std::string(key) + " is not a string");
    const json::string& s = it->value().get_string();
    Result<Timestamp> ts = ParseTimestamp(std::string_view(s.data(), s.size()));
    if (!ts.ok()) {
      return Bad(index, id,
                 std::string(key) + " is not a valid timestamp: " + ts.error().message());
    }
    *out = ts->micros;
  }
  auto it = od.find("number_observed");
  if (it == od.end()) return Bad(index, id, "has no number_observed");
  const json::value& n = it->value();
  int64_t count = 0;
  if (n.is_int64()) {
    count = n.get_int64();
  } else if (n.is_uint64()) {
    count = n.get_uint64() > static_cast<uint64_t>(INT64_MAX)
                ? INT64_MAX
                : static_cast<int64_t>(n.get_uint64());
  } else {
    return Bad(index, id, "number_observed is not an integer");
  }
  // STIX 2.1 §4.14: number_observed MUST be an integer between 1 and 999,999,999.
  if (count < 1) return Bad(index, id, "number_observed must be at least 1");
  obs->number_observed = count;
  return Status::Ok();
}

}  // namespace

const json::object* Observation::Resolve(std::string_view ref) const {
  if (inline_objects != nullptr) {
    auto it = inline_objects->find(ref);
    if (it == inline_objects->end() || !it->value().is_object()) return nullptr;
    return &it->value().get_object();
  }
  auto it = std::lower_bound(by_id.begin(), by_id.end(), ref,
                             [](const auto& e, std::string_view r) { return e.first < r; });
  if (it == by_id.end() || it->first != ref) return nullptr;
  return it->second;
}

Result<ObservationSet> ObservationSet::Build(const json::array& inputs, SpecVersion version) {
  return Build(std::span<const json::value>(inputs.data(), inputs.size()), version);
}

Result<ObservationSet> ObservationSet::Build(std::span<const json::value> inputs,
                                             SpecVersion version) {
  // Flatten bundles; collect observed-data and index every SCO by id.
  std::vector<const json::object*> observed;
  std::vector<std::pair<std::string_view, const json::object*>> scos;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const json::value& v = inputs[i];
    if (!v.is_object()) {
      return InvalidArgument(std::string("input #") + std::to_string(i) + " is not a JSON object");
    }
    const json::object& o = v.get_object();
    std::string_view type = Str(o, "type");
    if (type == "bundle") {
      auto it = o.find("objects");
      if (it == o.end()) continue;
      if (!it->value().is_array()) {
        return InvalidArgument(std::string("bundle ") + std::string(Str(o, "id")) +
                               ": objects is not a list");
      }
      for (const json::value& e : it->value().get_array()) {
        if (!e.is_object()) {
          return InvalidArgument(std::string("bundle ") + std::string(Str(o, "id")) +
                                 ": an element of objects is not a JSON object");
        }
        const json::object& eo = e.get_object();
        std::string_view et = Str(eo, "type");
        if (et == "observed-data") {
          observed.push_back(&eo);
        } else if (!IsSdoOrSro(et)) {
          std::string_view id = Str(eo, "id");
          if (!id.empty()) scos.emplace_back(id, &eo);
        }
      }
    } else if (type == "observed-data" || version == SpecVersion::k20) {
      // STIX 2.0 inputs are observed-data by position: the OASIS 2.0 matcher
      // takes every top-level object as one (some 2.0 tools wrap them as
      // "cybox-container").
      observed.push_back(&o);
    } else if (!IsSdoOrSro(type)) {
      std::string_view id = Str(o, "id");
      if (!id.empty()) scos.emplace_back(id, &o);
    }
  }
  std::stable_sort(scos.begin(), scos.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  auto find_sco = [&](std::string_view id) -> const json::object* {
    auto it = std::lower_bound(scos.begin(), scos.end(), id,
                               [](const auto& e, std::string_view r) { return e.first < r; });
    if (it == scos.end() || it->first != id) return nullptr;
    return it->second;
  };

  ObservationSet set;
  set.observations_.reserve(observed.size());
  for (size_t i = 0; i < observed.size(); ++i) {
    const json::object& od = *observed[i];
    Observation obs;
    obs.id = Str(od, "id");
    RETURN_IF_ERROR(ReadTimes(od, i, &obs));
    auto refs = od.find("object_refs");
    if (refs != od.end()) {
      if (!refs->value().is_array()) return Bad(i, obs.id, "object_refs is not a list");
      for (const json::value& r : refs->value().get_array()) {
        if (!r.is_string()) return Bad(i, obs.id, "an object_refs entry is not a string");
        std::string_view id(r.get_string().data(), r.get_string().size());
        const json::object* sco = find_sco(id);
        if (sco == nullptr) continue;  // not in the input: nothing to match
        obs.objects.push_back(sco);
        obs.by_id.emplace_back(id, sco);
      }
      std::sort(obs.by_id.begin(), obs.by_id.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
    } else {
      auto inl = od.find("objects");
      if (inl != od.end()) {
        if (!inl->value().is_object()) return Bad(i, obs.id, "objects is not a dictionary");
        obs.inline_objects = &inl->value().get_object();
        for (const auto& kv : *obs.inline_objects) {
          if (!kv.value().is_object()) {
            return Bad(i, obs.id,
                       std::string("objects['") + std::string(kv.key()) + "'] is not an object");
          }
          if (IsSdoOrSro(Str(kv.value().get_object(), "type"))) continue;
          obs.objects.push_back(&kv.value().get_object());
        }
      }
    }
    set.observations_.push_back(std::move(obs));
  }
  return set;
}

}  // namespace kizuna::pattern
