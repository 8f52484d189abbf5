#include "federation/taxii_poll.h"

#include <spdlog/spdlog.h>

#include <optional>

#include "core/time.h"

namespace kizuna::federation {

namespace {

// Whether `a` is an earlier timestamp than `b` (false when either does not parse).
bool Earlier(const std::string& a, const std::string& b) {
  auto ta = ParseTimestamp(a);
  auto tb = ParseTimestamp(b);
  return ta.ok() && tb.ok() && *ta < *tb;
}

}  // namespace

std::string JustBefore(const std::string& date_added) {
  auto t = ParseTimestamp(date_added);
  if (!t.ok()) return date_added;
  // Sub-microsecond digits: the microsecond itself is already earlier.
  return FormatTimestamp(t->nanos_rem > 0 ? t->micros : t->micros - 1, 6);
}

bool IsRefusedContinuation(int http_status) {
  return http_status == 400 || http_status == 404 || http_status == 410 || http_status == 422;
}

Status PollCollection(TaxiiClient& client, const std::string& api_root,
                      const std::string& collection, std::string cursor, const PollOptions& options,
                      const PageSink& deliver, PollCounters* counters,
                      const std::function<bool()>& stopping) {
  PollCounters local;
  PollCounters& c = counters ? *counters : local;
  std::string after = cursor;  // the filters of this pass: fixed while tokens are followed
  std::string next;
  std::string exact;  // the last page's date_added when `cursor` is just before it
  int restarts = 0;
  for (;;) {
    if (stopping && stopping()) return Status::Ok();
    auto page =
        client.GetObjects(api_root, collection, after, options.page, options.federation, next);
    if (!page.ok()) {
      if (!next.empty() && IsRefusedContinuation(client.last_http_status()) &&
          restarts < options.max_restarts) {
        // TAXII 2.1 leaves a token's life to the server: start again from
        // what is stored (objects read twice are stored once).
        spdlog::debug("federation: continuation refused ({}); restarting from {}",
                      page.error().message(), cursor.empty() ? "the beginning" : cursor);
        ++restarts;
        ++c.restarts;
        next.clear();
        exact.clear();
        after = cursor;
        continue;
      }
      return page.error();
    }
    ++c.pages;
    if (!page->objects.empty()) {
      std::string last = page->date_added_last;
      if (last.empty()) {
        ASSIGN_OR_RETURN(last,
                         client.LastDateAddedFromManifest(api_root, collection, after, *page));
        ++c.manifest_lookups;
      }
      const bool by_token = page->more && !page->next.empty();
      std::string keep = by_token ? JustBefore(last) : last;
      if (Earlier(keep, cursor)) keep = cursor;  // a cursor never moves back
      if (!deliver(*page, keep)) return Unavailable("the link is restarting");
      cursor = keep;
      exact = by_token && keep != last ? last : "";
      if (page->more && page->next.empty()) after = last;
    }
    if (!page->more) {
      if (!exact.empty()) {
        // The pass is complete: everything up to its last date_added is here.
        ObjectsPage none;
        if (!deliver(none, exact)) return Unavailable("the link is restarting");
      }
      return Status::Ok();
    }
    if (!page->next.empty()) {
      if (page->objects.empty() && page->next == next) {
        return InvalidArgument(
            "the peer's continuation does not advance (the same next token, no objects)");
      }
      next = page->next;
    } else if (page->objects.empty()) {
      // "more" with neither objects nor a token: nothing to continue from.
      return Status::Ok();
    } else {
      next.clear();
    }
  }
}

}  // namespace kizuna::federation
