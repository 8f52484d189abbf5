#pragma once
// Sectors: Kizuna's sector codes, with their English and Japanese names and
// a crosswalk to the US 16 critical infrastructure sectors (PPD-21), Japan's
// 15 critical infrastructure sectors (重要インフラ分野, NISC) and the STIX 2.1
// industry-sector-ov vocabulary. Organizations are tagged with Kizuna codes;
// STIX identities carry the mapped industry-sector-ov values.

#include <string_view>
#include <vector>

namespace kizuna::policy {

struct Sector {
  std::string_view code;     // "energy-electric"
  std::string_view name_en;  // "Electric power"
  std::string_view name_ja;  // "電力"
  std::string_view us;       // US CI sector (English), "" if none
  std::string_view jp;       // Japan CI sector (English), "" if none
  std::string_view jp_ja;    // Japan CI sector (Japanese), "" if none
  std::vector<std::string_view> stix;  // industry-sector-ov values
};

// Every Kizuna sector, in display order.
const std::vector<Sector>& Sectors();
const Sector* FindSector(std::string_view code);

// The 16 US and 15 Japanese sector names (English; Japanese for Japan), for
// completeness checks and display.
const std::vector<std::string_view>& UsCriticalInfrastructureSectors();
struct JpSector {
  std::string_view en;
  std::string_view ja;
};
const std::vector<JpSector>& JpCriticalInfrastructureSectors();

}  // namespace kizuna::policy
