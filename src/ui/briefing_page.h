#pragma once
// Private to ui/: what a briefing shows (gathered by briefing.cc through the
// decision point) and its rendering as one self-contained HTML page
// (briefing_page.cc), in English or Japanese.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stix/markings.h"

namespace kizuna::ui {

struct BriefingSeries {
  std::string name;  // a TLP name ("TLP:GREEN") or a nation ("US", "" unknown)
  std::vector<int64_t> counts;  // per day
};

struct BriefingIncident {
  std::string id, name, status, owner, tlp, priority_level, modified;
  int64_t priority_score = 0;
  std::vector<std::string> sectors, nations;
  int64_t sightings = 0;
  int64_t tasks = 0;
};

struct BriefingGuidance {
  std::string id, type, name, description, producer, modified;
  stix::Tlp tlp = stix::Tlp::kNone;
  bool translated = false;  // name/description from a language-content in the briefing's language
};

struct BriefingData {
  std::string lang, hub, reader, since;
  stix::Tlp max_tlp = stix::Tlp::kGreen;
  int64_t now_us = 0, since_us = 0;
  std::vector<std::string> days;  // YYYY-MM-DD
  int64_t total = 0;
  std::vector<BriefingSeries> by_tlp, by_nation;
  std::vector<std::pair<std::string, int64_t>> by_type;  // most first
  bool incidents_known = false;
  int64_t open_incidents = 0;
  std::vector<BriefingIncident> incidents;  // open, highest priority first (a few)
  std::vector<BriefingGuidance> guidance;   // newest first (a few)
  std::vector<std::pair<std::string, int64_t>> top_sighted;  // (name, sightings), most first
  int64_t guidance_total = 0;
};

std::string RenderBriefing(const BriefingData& data);

// "'sha256-...'": a CSP source allowing exactly this style block.
std::string StyleSource(std::string_view css);

}  // namespace kizuna::ui
