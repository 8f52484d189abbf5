// Cross-check with Zeek's own Intel framework test: the indicators of
// scripts.policy.frameworks.intel.whitelisting (intel.dat minus the
// whitelisted entry) against the http.log of the same trace must hit exactly
// the connections Zeek's expected intel.log lists as HTTP::IN_HOST_HEADER.
#include <gtest/gtest.h>

#include <set>

#include "match_test_util.h"

namespace kizuna::match {
namespace {

std::string Data(const std::string& p) { return std::string(KIZUNA_SHARED_DATA) + "/" + p; }

std::vector<std::vector<std::string>> Rows(const std::string& path, std::vector<std::string>* fields) {
  auto d = ReadFileDecompressed(path);
  EXPECT_TRUE(d.ok()) << path;
  std::vector<std::vector<std::string>> rows;
  size_t s = 0;
  while (d.ok() && s < d->size()) {
    size_t e = d->find('\n', s);
    if (e == std::string::npos) e = d->size();
    std::string line = d->substr(s, e - s);
    s = e + 1;
    std::vector<std::string> cells;
    size_t a = 0;
    while (a <= line.size()) {
      size_t b = line.find('\t', a);
      if (b == std::string::npos) b = line.size();
      cells.push_back(line.substr(a, b - a));
      a = b + 1;
    }
    if (line.rfind("#fields", 0) == 0) {
      *fields = std::vector<std::string>(cells.begin() + 1, cells.end());
      rows.push_back({});
    } else if (!line.empty() && line[0] != '#') {
      rows.push_back(cells);
    } else {
      rows.push_back({});  // keep line numbers aligned
    }
  }
  return rows;
}

// Intel::Type -> a STIX pattern (the inverse of the zeek-intel export).
std::string PatternFor(const std::string& type, const std::string& v) {
  if (type == "Intel::ADDR") return "[ipv4-addr:value = '" + v + "']";
  if (type == "Intel::SUBNET") return "[ipv4-addr:value ISSUBSET '" + v + "']";
  if (type == "Intel::DOMAIN") return "[domain-name:value = '" + v + "']";
  if (type == "Intel::EMAIL") return "[email-addr:value = '" + v + "']";
  if (type == "Intel::FILE_NAME") return "[file:name = '" + v + "']";
  if (type == "Intel::CERT_HASH") return "[x509-certificate:hashes.'SHA-1' = '" + v + "']";
  if (type == "Intel::SOFTWARE") return "[software:name = '" + v + "']";
  return "";
}

TEST(ZeekIntelCrossCheck, WhitelistingBaselineHostHeaderHits) {
  const std::string in = Data("logs/zeek/intel-framework-inputs/scripts.policy.frameworks.intel.whitelisting/");
  std::vector<std::string> f;
  std::set<std::string> whitelisted;
  for (const auto& r : Rows(in + "whitelist.dat", &f)) {
    if (!r.empty()) whitelisted.insert(r[0]);
  }
  ASSERT_EQ(whitelisted, (std::set<std::string>{"meta.wikimedia.org"}));
  std::vector<IndicatorRecord> indicators;
  for (const auto& r : Rows(in + "intel.dat", &f)) {
    if (r.size() < 2 || whitelisted.count(r[0])) continue;
    indicators.push_back(testing::Ind(static_cast<int>(indicators.size()) + 1, PatternFor(r[1], r[0])));
  }
  ASSERT_EQ(indicators.size(), 1u);  // upload.wikimedia.org

  // Zeek's expected intel.log: the uids seen in the Host header.
  std::vector<std::string> intel_fields;
  auto intel = Rows(Data("logs/zeek/btest-baselines/scripts.policy.frameworks.intel.whitelisting/intel.log"),
                    &intel_fields);
  auto col = [&](const std::vector<std::string>& fs, const std::string& n) {
    return static_cast<size_t>(std::find(fs.begin(), fs.end(), n) - fs.begin());
  };
  std::set<std::string> expected;
  for (const auto& r : intel) {
    if (!r.empty() && r[col(intel_fields, "seen.where")] == "HTTP::IN_HOST_HEADER") {
      expected.insert(r[col(intel_fields, "uid")]);
    }
  }
  ASSERT_EQ(expected.size(), 6u);

  // The http.log of the same trace (another btest, same uids).
  const std::string http =
      Data("logs/zeek/btest-baselines/scripts.base.frameworks.logging.writer-path-conflict/http.log");
  std::vector<std::string> http_fields;
  auto http_rows = Rows(http, &http_fields);
  testing::FakeClock clock(testing::kNow);
  Matcher m(MatcherOptions{false, &clock});  // Zeek's DOMAIN is exact
  ASSERT_EQ(m.Apply(indicators).added, 1);
  ScanOptions o;
  o.format = LogFormat::kZeek;
  o.threads = 1;
  Scanner s(&m, o);
  testing::CollectSink sink(m);
  ASSERT_TRUE(s.Scan({http}, &sink).ok());
  std::set<std::string> got;
  for (const auto& x : sink.found) {
    if (x.field != "host") continue;
    got.insert(http_rows[static_cast<size_t>(x.line - 1)][col(http_fields, "uid")]);
  }
  EXPECT_EQ(got, expected);
}

TEST(ZeekIntelCrossCheck, EveryIntelInputBecomesAnIndicator) {
  // Each Intel::read_files input of Zeek's tests converts to indicators the
  // matcher accepts, and each indicator matches its own value.
  const std::string base = Data("logs/zeek/intel-framework-inputs/");
  int checked = 0;
  for (const auto& dir : {"scripts.base.frameworks.intel.match-subnet",
                          "scripts.base.frameworks.intel.input-and-match",
                          "scripts.policy.frameworks.intel.seen.certs",
                          "scripts.policy.frameworks.intel.seen.smtp",
                          "scripts.policy.frameworks.intel.seen.filename-in-http-post"}) {
    std::vector<std::string> f;
    std::vector<IndicatorRecord> ind;
    std::vector<std::pair<std::string, std::string>> events;  // type, value
    for (const auto& r : Rows(base + dir + "/intel.dat", &f)) {
      if (r.size() < 2) continue;
      std::string p = PatternFor(r[1], r[0]);
      ASSERT_FALSE(p.empty()) << r[1];
      ind.push_back(testing::Ind(static_cast<int>(ind.size()) + 1, p));
      events.emplace_back(r[1], r[0]);
    }
    testing::FakeClock clock(testing::kNow);
    Matcher m(MatcherOptions{false, &clock});
    ApplyStats st = m.Apply(ind);
    EXPECT_EQ(st.invalid, 0) << dir;
    std::string log = "#separator \\x09\n#fields\tid.orig_h\tquery\tmailfrom\tfilename\tfingerprint\n";
    for (const auto& [type, v] : events) {
      std::string addr = "-", q = "-", mail = "-", file = "-", fp = "-";
      if (type == "Intel::ADDR") addr = v;
      if (type == "Intel::SUBNET") addr = v.substr(0, v.find('/'));
      if (type == "Intel::DOMAIN") q = v;
      if (type == "Intel::EMAIL") mail = "<" + v + ">";
      if (type == "Intel::FILE_NAME") file = v;
      if (type == "Intel::CERT_HASH") fp = v;
      log += addr + "\t" + q + "\t" + mail + "\t" + file + "\t" + fp + "\n";
    }
    auto found = testing::Scan(m, LogFormat::kZeekTsv, log);
    std::set<int64_t> lines;
    for (const auto& x : found) lines.insert(x.line);
    for (size_t i = 0; i < events.size(); ++i) {
      EXPECT_TRUE(lines.count(static_cast<int64_t>(i) + 3)) << dir << " " << events[i].second;
      ++checked;
    }
  }
  EXPECT_GE(checked, 15);
}

}  // namespace
}  // namespace kizuna::match
