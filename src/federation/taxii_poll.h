#pragma once
// PollCollection: one polling pass over a peer's collection with TAXII 2.1
// GET .../objects/ (match[version]=all, added_after the link's cursor), as
// any TAXII 2.1 server may answer it (issue 17):
//
//  - pages follow while the envelope says so ("more", or a "next" without
//    "more"); an empty page, {} included, with nothing after it ends the pass:
//    "nothing new" is a success, not an error;
//  - a server may cap `limit` silently (medallion: 100): fewer objects than
//    asked is not the end, only the envelope says that;
//  - a continuation ("next") repeats the filters of the request that gave it
//    (servers bind tokens to them). A token the server refuses (4xx other than
//    401/403/429: expired, as medallion's after 30 s, or forgotten by a
//    restart) restarts the pass from the cursor;
//  - "more" without "next": the next request asks added_after the page's
//    X-TAXII-Date-Added-Last (paging by added_after, as TAXII 2.1 describes it);
//  - no X-TAXII-Date-Added-Last: the cursor comes from the manifest
//    (TaxiiClient::LastDateAddedFromManifest).
//
// The cursor handed over with a page: the page's last date_added, except
// while the pass goes on with a token: then just before it (1 us), since the
// objects of later pages may share that date_added (medallion gives every
// object of one POST the same one): a restart (a refused token, a crash)
// reads them again (the store is idempotent) instead of skipping them. The
// pass's last page hands over the exact date_added (with an empty page when
// the pass ended on one).
//
// Not thread-safe (uses the link's client).

#include <cstdint>
#include <functional>
#include <string>

#include "core/result.h"
#include "federation/taxii_client.h"

namespace kizuna::federation {

struct PollOptions {
  int page = 1000;          // the limit asked for
  bool federation = false;  // ask a Kizuna peer for its federation metadata
  int max_restarts = 3;     // refused tokens in one pass before it fails
};

struct PollCounters {
  int64_t pages = 0;             // GET pages read
  int64_t restarts = 0;          // passes restarted after a refused token
  int64_t manifest_lookups = 0;  // cursors taken from the manifest
};

// Receives each page that has objects (or that only moves the cursor) with
// the cursor to store with it; false stops the pass (the link restarts).
using PageSink = std::function<bool(const ObjectsPage& page, const std::string& cursor)>;

// Runs one pass from `cursor` ("" = from the beginning). OK when the pass
// reached the end (or `stopping` returned true); Unavailable when `deliver`
// returned false; otherwise the error of the call that failed.
Status PollCollection(TaxiiClient& client, const std::string& api_root,
                      const std::string& collection, std::string cursor, const PollOptions& options,
                      const PageSink& deliver, PollCounters* counters = nullptr,
                      const std::function<bool()>& stopping = {});

// The cursor just before `date_added` (1 microsecond earlier), or
// `date_added` itself when it is not an RFC 3339 timestamp.
std::string JustBefore(const std::string& date_added);

// Whether a continuation was refused: HTTP 400, 404, 410 or 422 (the server
// no longer knows the token, or not with these filters).
bool IsRefusedContinuation(int http_status);

}  // namespace kizuna::federation
