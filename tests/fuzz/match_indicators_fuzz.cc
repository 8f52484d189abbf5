// fuzz-deps: match
// Indicator files and hub answers are untrusted: ReadIndicators on the input
// (bundle, envelope or JSON lines), then Matcher::Apply of what it read
// twice (the second time as updates), then a lookup.
#include <cstdint>
#include <string_view>
#include <vector>

#include "match/indicator.h"
#include "match/matcher.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<kizuna::match::IndicatorRecord> records;
  kizuna::match::IndicatorFileStats stats;
  kizuna::match::ReadIndicators(
      text, "fuzz", [&](kizuna::match::IndicatorRecord&& r) { records.push_back(std::move(r)); },
      &stats);
  kizuna::match::Matcher m;
  m.Apply(records);
  for (auto& r : records) r.modified_us += 1;
  m.Apply(records);
  kizuna::match::Event ev;
  ev.Add(kizuna::match::FieldKind::kHost, "f", "www.example.com");
  ev.Add(kizuna::match::FieldKind::kIp, "f", "10.0.0.1");
  std::vector<kizuna::match::Hit> hits;
  m.snapshot()->Match(ev, 2000000000u, &hits);
  return 0;
}
