// Accuracy on real data: real logs (2011-2018) and real indicator lists
// (2024-2026) barely overlap, so the test samples indicators, injects their
// values into copies of the logs at known lines (in a temporary directory),
// also injects known-good values from the MISP warninglists as controls,
// and asserts that the matches are exactly the injected lines.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "match/normalize.h"
#include "match_test_util.h"

namespace kizuna::match {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using testing::kNow;

std::string Data(const std::string& p) { return std::string(KIZUNA_SHARED_DATA) + "/" + p; }

std::vector<std::string> Lines(const std::string& path) {
  auto d = ReadFileDecompressed(path);
  EXPECT_TRUE(d.ok()) << path;
  std::vector<std::string> out;
  if (!d.ok()) return out;
  size_t s = 0;
  while (s < d->size()) {
    size_t e = d->find('\n', s);
    if (e == std::string::npos) e = d->size();
    out.push_back(d->substr(s, e - s));
    s = e + 1;
  }
  return out;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

void WriteGzip(const std::string& path, const std::string& text) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, text.data(), static_cast<unsigned>(text.size())), static_cast<int>(text.size()));
  gzclose(f);
}

void WriteZstd(const std::string& path, const std::string& text) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 3);
  ASSERT_FALSE(ZSTD_isError(n));
  std::ofstream(path, std::ios::binary).write(out.data(), static_cast<std::streamsize>(n));
}

void WritePlain(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// The plain domains of the maltrail trail files (no paths, ports, comments).
std::vector<std::string> MaltrailDomains() {
  std::vector<std::string> out;
  for (const auto& dir : {"indicators/maltrail/malware", "indicators/maltrail/suspicious"}) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(Data(dir))) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& p : files) {
      for (const auto& l : Lines(p.string())) {
        if (l.empty() || l[0] == '#' || l.find_first_of("/:# ") != std::string::npos) continue;
        uint32_t a;
        if (ParseIpv4(l, &a) || l.find('.') == std::string::npos) continue;
        std::string buf;
        if (NormalizeDomain(l, &buf) == l) out.push_back(l);
      }
    }
  }
  return out;
}

std::vector<std::string> PlainList(const std::string& path) {
  std::vector<std::string> out;
  for (auto l : Lines(Data(path))) {
    while (!l.empty() && (l.back() == '\r' || l.back() == ' ')) l.pop_back();
    if (!l.empty() && l[0] != '#') out.push_back(l);
  }
  return out;
}

std::vector<std::string> Warninglist(const std::string& name) {
  auto d = ReadFileDecompressed(Data("indicators/misp-warninglists/" + name + "/list.json"));
  std::vector<std::string> out;
  if (!d.ok()) return out;
  json::value doc = json::parse(*d);
  for (const auto& v : doc.as_object().at("list").as_array()) out.emplace_back(v.as_string());
  return out;
}

template <typename T>
std::vector<T> Sample(std::vector<T> v, size_t n, std::mt19937& rng) {
  std::shuffle(v.begin(), v.end(), rng);
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  std::shuffle(v.begin(), v.end(), rng);
  if (v.size() > n) v.resize(n);
  return v;
}

struct Want {
  std::string file;
  int64_t line;
  std::string indicator;
  bool operator<(const Want& o) const {
    return std::tie(file, line, indicator) < std::tie(o.file, o.line, o.indicator);
  }
};

class RealDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TMPDIR");
    dir_ = std::string(tmp ? tmp : "/tmp") + "/kizuna-realdata-" + std::to_string(getpid());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The indicator ids a value hits: the domain itself and its parents, or
  // the address; computed here by string rules, not by the index.
  std::set<std::string> Expected(const std::string& value) {
    std::set<std::string> out;
    for (const auto& [v, id] : values_) {
      if (v == value || (value.size() > v.size() && value.compare(value.size() - v.size(), v.size(), v) == 0 &&
                         value[value.size() - v.size() - 1] == '.')) {
        out.insert(id);
      }
    }
    return out;
  }
  std::string Add(const std::string& kind, const std::string& value) {
    std::string id = testing::IdFor(static_cast<int>(indicators_.size()) + 1);
    std::string pattern;
    if (kind == "domain") pattern = "[domain-name:value = '" + value + "']";
    if (kind == "ip") pattern = "[ipv4-addr:value = '" + value + "']";
    if (kind == "url") pattern = "[url:value = '" + value + "']";
    if (kind == "sha256") pattern = "[file:hashes.'SHA-256' = '" + value + "']";
    if (kind == "md5") pattern = "[file:hashes.MD5 = '" + value + "']";
    auto r = testing::Ind(0, pattern);
    r.id = id;
    indicators_.push_back(r);
    values_.emplace_back(value, id);
    return id;
  }
  std::set<Want> ScanAll(Matcher& m, const std::vector<std::string>& files, LogFormat f) {
    ScanOptions o;
    o.format = f;
    o.threads = 2;
    o.chunk_bytes = 64 * 1024;  // many chunks: Zeek headers must carry over
    Scanner s(&m, o);
    testing::CollectSink sink(m);
    auto st = s.Scan(files, &sink);
    EXPECT_TRUE(st.ok()) << st.error().ToString();
    EXPECT_TRUE(sink.malformed.empty()) << sink.malformed.front();
    std::set<Want> got;
    for (const auto& x : sink.found) got.insert({x.file, x.line, x.indicator});
    return got;
  }

  std::string dir_;
  std::vector<IndicatorRecord> indicators_;
  std::vector<std::pair<std::string, std::string>> values_;  // value, indicator id
};

TEST_F(RealDataTest, ZeekTsvAndJsonWithInjectedIndicatorsAndControls) {
  std::mt19937 rng(20240601);
  // Known-good values must never be indicators here (that is what the
  // warninglists are for).
  std::set<std::string> good;
  for (const auto& n : {"tranco10k", "cloudflare-top100k", "public-dns-v4", "parking-domain"}) {
    for (const auto& v : Warninglist(n)) good.insert(v);
  }
  std::vector<std::string> domains, ips;
  for (const auto& d : Sample(MaltrailDomains(), 400, rng)) {
    if (!good.count(d)) domains.push_back(d);
  }
  for (const auto& ip : Sample(PlainList("indicators/ipsum/levels/3.txt"), 400, rng)) {
    if (!good.count(ip)) ips.push_back(ip);
  }
  ASSERT_GE(domains.size(), 200u);
  ASSERT_GE(ips.size(), 200u);
  std::vector<std::string> good_domains = Sample(Warninglist("tranco10k"), 60, rng);
  std::vector<std::string> good_ips = Sample(Warninglist("public-dns-v4"), 60, rng);

  // Drop sampled indicators that already occur in the original logs (the
  // years differ, but a resolver or a parent domain may).
  const std::vector<std::string> originals = {
      Data("logs/zeek/wrccdc-2018/zeek-default/dns.log.gz"),
      Data("logs/zeek/wrccdc-2018/zeek-default/ssl.log.gz"),
      Data("logs/zeek/wrccdc-2018/zeek-json/dns.json.gz"),
      Data("logs/zeek/metron-bro-exploitkit/bro.out.jsonl")};
  for (const auto& d : domains) Add("domain", d);
  for (const auto& ip : ips) Add("ip", ip);
  {
    testing::FakeClock clock(kNow);
    Matcher probe(MatcherOptions{true, &clock});
    probe.Apply(indicators_);
    std::set<std::string> natural;
    for (const auto& w : ScanAll(probe, originals, LogFormat::kZeek)) natural.insert(w.indicator);
    std::vector<IndicatorRecord> kept;
    std::vector<std::pair<std::string, std::string>> kept_values;
    for (size_t i = 0; i < indicators_.size(); ++i) {
      if (!natural.count(indicators_[i].id)) {
        kept.push_back(indicators_[i]);
        kept_values.push_back(values_[i]);
      }
    }
    indicators_ = kept;
    values_ = kept_values;
  }
  std::vector<std::string> live_domains, live_ips;
  for (const auto& [v, id] : values_) {
    uint32_t a;
    (ParseIpv4(v, &a) ? live_ips : live_domains).push_back(v);
  }
  ASSERT_GE(live_domains.size(), 100u);

  std::set<Want> want;
  // Injects into `lines` at random data lines: sets column/key `field` of
  // chosen lines to values, recording what they should hit.
  auto inject = [&](std::vector<std::string>& lines, const std::string& file, bool tsv,
                    const std::string& field, const std::vector<std::string>& values,
                    std::set<int64_t>* used) {
    int col = -1;
    for (const auto& l : lines) {
      if (tsv && l.rfind("#fields\t", 0) == 0) {
        std::vector<std::string> names;
        size_t s = 8;
        while (s <= l.size()) {
          size_t e = l.find('\t', s);
          if (e == std::string::npos) e = l.size();
          names.push_back(l.substr(s, e - s));
          s = e + 1;
        }
        col = static_cast<int>(std::find(names.begin(), names.end(), field) - names.begin());
      }
    }
    ASSERT_TRUE(!tsv || col >= 0) << field;
    for (const auto& v : values) {
      size_t i;
      do {
        i = rng() % lines.size();
      } while (lines[i].empty() || lines[i][0] == '#' || used->count(static_cast<int64_t>(i)));
      used->insert(static_cast<int64_t>(i));
      if (tsv) {
        std::vector<std::string> cells;
        size_t s = 0;
        const std::string& l = lines[i];
        while (s <= l.size()) {
          size_t e = l.find('\t', s);
          if (e == std::string::npos) e = l.size();
          cells.push_back(l.substr(s, e - s));
          s = e + 1;
        }
        cells[static_cast<size_t>(col)] = v;
        std::string out;
        for (size_t k = 0; k < cells.size(); ++k) out += (k ? "\t" : "") + cells[k];
        lines[i] = out;
      } else {
        json::value jv = json::parse(lines[i]);
        json::object* o = &jv.as_object();
        if (o->size() == 1 && o->begin()->value().is_object()) o = &o->begin()->value().as_object();
        (*o)[field] = v;
        lines[i] = json::serialize(jv);
      }
      for (const auto& id : Expected(v)) want.insert({file, static_cast<int64_t>(i) + 1, id});
    }
  };
  auto split = [](std::vector<std::string> v, size_t parts, size_t k) {
    std::vector<std::string> out;
    for (size_t i = k; i < v.size(); i += parts) out.push_back(v[i]);
    return out;
  };
  std::vector<std::string> files;
  {
    auto lines = Lines(originals[0]);
    std::string f = dir_ + "/dns.log.gz";
    std::set<int64_t> used;
    inject(lines, f, true, "query", split(live_domains, 4, 0), &used);
    inject(lines, f, true, "id.resp_h", split(live_ips, 3, 0), &used);
    inject(lines, f, true, "query", split(good_domains, 3, 0), &used);
    inject(lines, f, true, "id.resp_h", split(good_ips, 3, 0), &used);
    WriteGzip(f, Join(lines));
    files.push_back(f);
  }
  {
    auto lines = Lines(originals[1]);
    std::string f = dir_ + "/ssl.log";
    std::set<int64_t> used;
    inject(lines, f, true, "server_name", split(live_domains, 4, 1), &used);
    inject(lines, f, true, "server_name", split(good_domains, 3, 1), &used);
    WritePlain(f, Join(lines));
    files.push_back(f);
  }
  {
    auto lines = Lines(originals[2]);
    std::string f = dir_ + "/dns.json.zst";
    std::set<int64_t> used;
    inject(lines, f, false, "query", split(live_domains, 4, 2), &used);
    inject(lines, f, false, "id.orig_h", split(live_ips, 3, 1), &used);
    inject(lines, f, false, "query", split(good_domains, 3, 2), &used);
    WriteZstd(f, Join(lines));
    files.push_back(f);
  }
  {
    auto lines = Lines(originals[3]);
    std::string f = dir_ + "/bro.out.jsonl";
    std::set<int64_t> used;
    inject(lines, f, false, "query", split(live_domains, 4, 3), &used);
    inject(lines, f, false, "id.resp_h", split(live_ips, 3, 2), &used);
    inject(lines, f, false, "id.resp_h", split(good_ips, 3, 2), &used);
    WritePlain(f, Join(lines));
    files.push_back(f);
  }
  testing::FakeClock clock(kNow);
  Matcher m(MatcherOptions{true, &clock});
  ApplyStats st = m.Apply(indicators_);
  ASSERT_EQ(st.added, static_cast<int64_t>(indicators_.size()));
  std::set<Want> got = ScanAll(m, files, LogFormat::kZeek);
  EXPECT_GE(want.size(), 300u);
  std::vector<Want> missing, extra;
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(extra));
  EXPECT_TRUE(missing.empty()) << missing.size() << " injected matches not found, e.g. "
                               << missing.front().file << ":" << missing.front().line;
  EXPECT_TRUE(extra.empty()) << extra.size() << " unexpected matches, e.g. " << extra.front().file
                             << ":" << extra.front().line << " " << extra.front().indicator;
}

TEST_F(RealDataTest, SuricataEveWithInjectedHashesUrlsAndAddresses) {
  std::mt19937 rng(7);
  std::vector<std::string> sha256 =
      Sample(PlainList("indicators/eset-malware-ioc/stantinko/samples.sha256"), 20, rng);
  std::vector<std::string> md5 = Sample(PlainList("indicators/malicious-hash/full-hash-md5-aa.txt"), 20, rng);
  std::vector<std::string> urls;
  for (const auto& u : Sample(PlainList("indicators/phishing-database/phishing-links-INACTIVE1.txt"), 200, rng)) {
    if (u.rfind("http://", 0) == 0 && u.find_first_of("'\\ \"") == std::string::npos &&
        NormalizeUrl(u) == u && urls.size() < 40) {
      urls.push_back(u);
    }
  }
  std::vector<std::string> ips = Sample(PlainList("indicators/ipsum/levels/4.txt"), 40, rng);
  std::vector<std::string> empty_hashes = Warninglist("empty-hashes");
  for (const auto& h : sha256) Add("sha256", h);
  for (const auto& h : md5) Add("md5", h);
  for (const auto& u : urls) Add("url", u);
  for (const auto& ip : ips) Add("ip", ip);
  ASSERT_GE(urls.size(), 20u);

  // The alerts of three captures, as EVE JSON lines (the samples are JSON
  // arrays), with new fileinfo and http events and changed addresses at
  // chosen lines; one capture is also kept as an array document.
  std::vector<std::string> lines;
  for (const auto& c : {"wrccdc-2017", "honeypot-2018", "first-org-conf-2015"}) {
    auto d = ReadFileDecompressed(Data(std::string("logs/suricata/suricata-sample-data/") + c +
                                       "/alerts-only.json"));
    ASSERT_TRUE(d.ok());
    json::value all = json::parse(*d);
    for (const auto& v : all.as_array()) lines.push_back(json::serialize(v));
  }
  std::string eve = dir_ + "/eve.json";
  std::set<Want> want;
  std::set<size_t> used;
  auto pick = [&]() {
    size_t i;
    do {
      i = rng() % lines.size();
    } while (used.count(i));
    used.insert(i);
    return i;
  };
  auto add_line = [&](const std::string& text, const std::string& value) {
    size_t i = pick();
    lines.insert(lines.begin() + static_cast<ptrdiff_t>(i), text);
    // Shift the lines already chosen at or after i.
    std::set<Want> shifted;
    for (auto w : want) {
      if (w.file == eve && w.line >= static_cast<int64_t>(i) + 1) ++w.line;
      shifted.insert(w);
    }
    want = shifted;
    std::set<size_t> u2;
    for (size_t x : used) u2.insert(x > i ? x + 1 : x);
    used = u2;
    for (const auto& [v, id] : values_) {
      if (v == value || NormalizeUrl(v) == NormalizeUrl(value)) want.insert({eve, static_cast<int64_t>(i) + 1, id});
    }
  };
  for (size_t k = 0; k < sha256.size(); ++k) {
    add_line(R"({"timestamp":"2018-01-01T00:00:00.000000+0000","event_type":"fileinfo","src_ip":"10.9.8.7","dest_ip":"10.9.8.6","fileinfo":{"filename":"s.exe","sha256":")" +
                 sha256[k] + "\",\"md5\":\"" + empty_hashes[k % empty_hashes.size()] + "\"}}",
             sha256[k]);
  }
  for (const auto& h : md5) {
    std::string upper;
    for (char c : h) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    add_line(R"({"event_type":"fileinfo","fileinfo":{"md5":")" + upper + "\"}}", h);
  }
  for (const auto& u : urls) {
    std::string rest = u.substr(7);
    size_t slash = rest.find('/');
    std::string host = rest.substr(0, slash), path = slash == std::string::npos ? "/" : rest.substr(slash);
    json::object http{{"hostname", host}, {"url", path}};
    add_line(json::serialize(json::object{{"event_type", "http"}, {"http", http}}), u);
  }
  for (const auto& ip : ips) {
    size_t i = pick();
    json::value v = json::parse(lines[i]);
    v.as_object()["dest_ip"] = ip;
    lines[i] = json::serialize(v);
    want.insert({eve, static_cast<int64_t>(i) + 1, values_[static_cast<size_t>(
                                                        std::find_if(values_.begin(), values_.end(),
                                                                     [&](auto& p) { return p.first == ip; }) -
                                                        values_.begin())].second});
  }
  WritePlain(eve, Join(lines));
  // The first capture as an array, one element per line after "[".
  auto d = ReadFileDecompressed(Data("logs/suricata/suricata-sample-data/honeypot-2018/alerts-only.json"));
  ASSERT_TRUE(d.ok());
  json::array arr = json::parse(*d).as_array();
  std::string doc = dir_ + "/alerts-array.json";
  std::string text = "[\n";
  for (size_t i = 0; i < arr.size(); ++i) {
    if (i % 97 == 5) {
      arr[i].as_object()["src_ip"] = ips[i % ips.size()];
      for (const auto& [v, id] : values_) {
        if (v == ips[i % ips.size()]) want.insert({doc, static_cast<int64_t>(i) + 2, id});
      }
    }
    text += json::serialize(arr[i]) + (i + 1 < arr.size() ? ",\n" : "\n");
  }
  text += "]\n";
  WritePlain(doc, text);

  testing::FakeClock clock(kNow);
  Matcher m(MatcherOptions{true, &clock});
  ASSERT_EQ(m.Apply(indicators_).added, static_cast<int64_t>(indicators_.size()));
  // Original alerts must not match (checked on the array copy's untouched
  // elements as part of the exact comparison below).
  std::set<Want> got = ScanAll(m, {eve, doc}, LogFormat::kEve);
  std::vector<Want> missing, extra;
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(extra));
  EXPECT_GE(want.size(), 100u);
  EXPECT_TRUE(missing.empty()) << missing.size() << " missing, e.g. " << missing.front().file << ":"
                               << missing.front().line;
  EXPECT_TRUE(extra.empty()) << extra.size() << " extra, e.g. " << extra.front().file << ":"
                             << extra.front().line;
}

}  // namespace
}  // namespace kizuna::match
