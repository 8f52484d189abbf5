#pragma once
// Shared driver of the log-reader fuzz targets.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "match/engine.h"
#include "match/matcher.h"
#include "match/reader.h"

namespace kizuna::match::fuzz {

inline Matcher& TestMatcher() {
  static Matcher* m = [] {
    auto* matcher = new Matcher();
    std::vector<IndicatorRecord> in;
    const char* patterns[] = {
        "[domain-name:value = 'example.com']", "[ipv4-addr:value = '10.0.0.0/8']",
        "[url:value = 'http://example.com/x']", "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
        "[email-addr:value = 'a@example.com']", "[file:name = 'a.exe' AND file:size > 0]"};
    int n = 0;
    for (const char* p : patterns) {
      IndicatorRecord r;
      char id[64];
      std::snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-%012d", ++n);
      r.id = id;
      r.spec_version = "2.1";
      r.pattern = p;
      in.push_back(r);
    }
    matcher->Apply(in);
    return matcher;
  }();
  return *m;
}

// Parses each line of the input, and the whole input as one line, with the
// padding the readers are promised.
inline void RunLines(LogReader& reader, const uint8_t* data, size_t size) {
  std::string buf(reinterpret_cast<const char*>(data), size);
  buf.append(kReadPadding, '\0');
  Event ev;
  std::string err;
  std::vector<Hit> hits;
  auto one = [&](size_t start, size_t len) {
    LineStatus st = reader.Parse(std::string_view(buf.data() + start, len), buf.size() - start, &ev, &err);
    if (st != LineStatus::kEvent) return;
    for (const Field& f : ev.fields) {
      if (f.kind == FieldKind::kGeneric && f.generic == nullptr) std::abort();
    }
    hits.clear();
    TestMatcher().snapshot()->Match(ev, 2000000000u, &hits);
    for (const Hit& h : hits) {
      if (h.field >= ev.fields.size()) std::abort();
    }
    (void)ToObservedData(ev, 1, 0);
  };
  size_t s = 0;
  while (s < size) {
    size_t e = buf.find('\n', s);
    if (e == std::string::npos || e > size) e = size;
    one(s, e - s);
    s = e + 1;
  }
  one(0, size);
}

}  // namespace kizuna::match::fuzz
