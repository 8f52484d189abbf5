#pragma once
// HubClient: the matcher's link to a Kizuna (or any TAXII 2.1) hub: pulls a
// collection's indicators with an added_after cursor (TAXII 2.1 §5.3:
// objects in date_added order; X-TAXII-Date-Added-Last gives the cursor for
// the next poll; `next` pages within one poll), and posts objects back
// (sightings) as an envelope (§5.4).
//
// Credentials: HTTP Basic (user + password) or a Bearer API token.
// Not thread-safe: one HubClient per thread.

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "match/indicator.h"

#include "http/message.h"

namespace kizuna::http {
class Client;
}

namespace kizuna::match {

struct HubOptions {
  std::string url;         // "https://hub.example.org" or an API root URL ".../api1/"
  std::string api_root;    // API root name; "" = from the URL path, else discovery's default
  std::string collection;  // collection id or alias
  std::string user, password;
  std::string token;    // "kz1.<id>.<secret>"; wins over user/password
  std::string ca_file;  // PEM CAs for https; "" = system
  bool insecure = false;
  int page_limit = 1000;
};

struct PullResult {
  std::vector<IndicatorRecord> indicators;
  int64_t objects = 0;  // objects received (indicators and others)
  int64_t pages = 0;
  std::vector<std::string> errors;  // objects that did not parse
};

class HubClient {
 public:
  explicit HubClient(HubOptions options);
  ~HubClient();

  // Fetches the indicators added after `*cursor` ("" = from the start), all
  // pages, and advances `*cursor`. Errors: Unauthenticated / NotFound /
  // Unavailable as the hub answers (the message has its status and title).
  Result<PullResult> Pull(std::string* cursor);
  // Posts `objects` (JSON texts) in one envelope. Returns how many the hub
  // accepted (success_count); an error when the request fails or any object
  // is rejected (the message lists the first failures).
  Result<int64_t> Post(const std::vector<std::string>& objects);

 private:
  Status ResolveRoot();
  std::vector<http::Header> Headers(bool post) const;
  std::string ObjectsUrl() const;

  HubOptions options_;
  std::string base_;  // scheme://host:port
  std::unique_ptr<http::Client> client_;
};

}  // namespace kizuna::match
