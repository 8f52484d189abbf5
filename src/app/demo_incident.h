#pragma once
// The cross-border incident of `kizuna demo-federation` (issue 11): a
// campaign against a US utility and a Japanese power company, opened by the
// US national centre on the US hub, with tasks for organizations on both
// hubs (some done, reported from each assignee's own hub), a timeline event,
// a linked indicator and a sighting of it on the Japanese hub that
// correlates the incident. Everything is written through the hubs' own
// TAXII and coordination APIs as the demo accounts, exactly as users would.

#include <map>
#include <string>

#include "core/status.h"

namespace kizuna::app {

struct DemoHubAccess {
  std::string base_url;                          // "http://127.0.0.1:PORT"
  std::map<std::string, std::string> passwords;  // demo account -> password
};

// Seeds the incident (the hubs must be running and peered). Waits, with a
// deadline, for federation to bring each assignee its task.
Status SeedDemoIncident(const DemoHubAccess& us, const DemoHubAccess& jp);

}  // namespace kizuna::app
