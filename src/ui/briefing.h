#pragma once
// Briefings for decision-makers (issue 13, docs/ui.md "Briefings"): a few
// pages with the headline numbers, charts, the top incidents and the new
// guidance of a period, in English or Japanese, capped at a maximum TLP.
//
// The cap is the reader's own ceiling (auth::Principal::tlp_ceiling ->
// policy::Reader::ceiling): every count, chart, incident and guidance item
// is read through the decision point as the account with that ceiling, so
// nothing marked above it is on the page, counts included, and nothing the
// account may not see at all.
//
// `GET /ui/api/briefing?since=7d&lang=en|ja&max_tlp=green` answers the HTML
// (self-contained: inline style allowed by its hash in the response's CSP,
// no script, charts as inline SVG); `kizuna briefing` fetches it and writes
// it, or prints it to PDF with headless Chromium.
//
// Thread-safe (pure functions over their inputs).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include "core/result.h"
#include "policy/decision_point.h"
#include "stix/markings.h"
#include "store/store.h"
#include "ui/overview.h"

namespace kizuna::ui {

struct BriefingQuery {
  int64_t since_us = 0;   // the period's start (now - since)
  int days = 7;           // the days the charts cover (the period, rounded up)
  std::string since;      // as given ("7d"), for the page
  std::string lang = "en";
  stix::Tlp max_tlp = stix::Tlp::kGreen;
};
// Reads `since` (Nh, Nd or Nw; 1 hour to 366 days; default 7d), `lang` (en,
// ja; default en) and `max_tlp` (clear, green, amber, amber+strict, red;
// default green). InvalidArgument names the parameter and what it takes.
Result<BriefingQuery> ReadBriefingQuery(std::string_view raw_query, int64_t now_us);

// The incident list of an API root as the (capped) reader would get it from
// GET /coordination/v1/{root}/incidents?{query}: the JSON body. `remote`:
// the client's address, for the audit log.
using IncidentLister = std::function<Result<std::string>(const auth::Principal& reader,
                                                         const std::string& api_root,
                                                         const std::string& query,
                                                         const std::string& remote)>;

struct BriefingInputs {
  OverviewIndex* overview = nullptr;
  policy::DecisionPoint* decisions = nullptr;
  store::Store* store = nullptr;
  IncidentLister incidents;  // may be empty: no incident section
  std::string hub_name;      // shown on the title page
};

// The briefing's HTML for `reader` (whose ceiling the caller has set to the
// query's max_tlp), at `now_us`.
Result<std::string> BriefingHtml(const BriefingInputs& in, const auth::Principal& reader,
                                 const BriefingQuery& query, int64_t now_us, const std::string& remote);

// The Content-Security-Policy of a briefing: nothing but its own style block.
std::string BriefingCsp(std::string_view html);

}  // namespace kizuna::ui
