#pragma once
// Private to ui/: small readers shared by the overview, the explorer, the
// briefing and the service (collections a reader may read, what to call an
// object, its effective TLP, integer parameters).

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include "core/result.h"
#include "policy/model.h"
#include "stix/markings.h"
#include "store/store.h"

namespace kizuna::ui {

// The collections of every API root `reader` has a read grant on.
Result<std::vector<store::Collection>> ReadableCollections(store::Store* store, const auth::Principal& reader);

// A string member of `o` ("" when absent or not a string).
std::string JsonString(const boost::json::object& o, std::string_view key);

// What to call an object: its name, else an SCO's value, else its pattern
// ("" when none; for `raw`, also when it is not a JSON object).
std::string LabelOf(const boost::json::object& o);
std::string LabelOfRaw(std::string_view raw);

// The effective TLP of a stored version: its marking's, else its
// collection's default (AMBER when the collection has no policy), as
// Decide takes it.
stix::Tlp EffectiveTlp(std::string_view marking, const policy::TrustModel& model, int64_t collection);

// `v` as an integer from `lo` to `hi`; InvalidArgument naming `name` otherwise.
Result<int> IntParam(const std::string& name, const std::string& v, int lo, int hi);

}  // namespace kizuna::ui
