#pragma once
// Seeding of demo hubs: `kizuna demo` (one hub with everything) and
// `kizuna demo-federation` (a US and a Japanese hub, each with its own
// nation's accounts and objects).

#include <boost/json/fwd.hpp>
#include <filesystem>
#include <string>

#include "core/result.h"
#include "store/store.h"

namespace kizuna::app {

struct DemoSeedOptions {
  // "" = the single-hub demo. Else the hub's nation ("US" or "JP"): only the
  // accounts and objects of that nation's organizations, with audience
  // accounts of the other nation written "user@<peer_hub>".
  std::string nation;
  std::string peer_hub;
};

// Creates the directory and content of a new demo hub. Returns the accounts
// with their passwords as JSON (without URLs).
Result<boost::json::array> SeedDemoHub(store::Store* store, const DemoSeedOptions& options);

// Writes `content` to `path` through a temporary file and a rename, so a
// reader never sees a half-written demo file (credentials, configuration).
Status WriteFileAtomically(const std::filesystem::path& path, const std::string& content);

}  // namespace kizuna::app
