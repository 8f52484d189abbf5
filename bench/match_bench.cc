// bench-deps: match
// Frontline matcher: index build, memory, and scan throughput with a large
// indicator set (KIZUNA_BENCH_INDICATORS, default 10,000,000: synthetic
// addresses, blocks, domains, URLs and hashes plus the real lists of
// ../shared/data/indicators) over real logs replicated to
// KIZUNA_BENCH_LOG_MB (default 512) per format, in KIZUNA_BENCH_DIR
// (default $TMPDIR/kizuna-match-bench). See docs/BENCHMARKS.md.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "match/indicator.h"
#include "match/matcher.h"
#include "match/normalize.h"
#include "match/scanner.h"

namespace kizuna::match {
namespace {

namespace fs = std::filesystem;

size_t EnvSize(const char* name, size_t def) {
  const char* v = std::getenv(name);
  return v ? static_cast<size_t>(std::stoull(v)) : def;
}

std::string BenchDir() {
  const char* d = std::getenv("KIZUNA_BENCH_DIR");
  if (d) return d;
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp ? tmp : "/tmp") + "/kizuna-match-bench";
}

std::string Data(const std::string& p) { return std::string(KIZUNA_SHARED_DATA) + "/" + p; }

size_t RssBytes() {
  std::ifstream in("/proc/self/statm");
  size_t pages = 0, rss = 0;
  in >> pages >> rss;
  return rss * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

std::vector<std::string> FileLines(const std::string& path) {
  std::vector<std::string> out;
  auto d = ReadFileDecompressed(path);
  if (!d.ok()) return out;
  std::istringstream in(*d);
  std::string l;
  while (std::getline(in, l)) {
    while (!l.empty() && (l.back() == '\r' || l.back() == ' ')) l.pop_back();
    if (!l.empty() && l[0] != '#') out.push_back(l);
  }
  return out;
}

// Values of the real lists, by kind.
struct RealLists {
  std::vector<std::string> ips, blocks, domains, urls, md5, sha1, sha256;
};

RealLists LoadReal() {
  RealLists r;
  for (int level = 1; level <= 8; ++level) {
    auto v = FileLines(Data("indicators/ipsum/levels/" + std::to_string(level) + ".txt"));
    r.ips.insert(r.ips.end(), v.begin(), v.end());
  }
  for (const auto& p : {"indicators/phishing-database/phishing-domains-ACTIVE2.txt"}) {
    auto v = FileLines(Data(p));
    r.domains.insert(r.domains.end(), v.begin(), v.end());
  }
  for (const auto& dir : {"indicators/maltrail/malware", "indicators/maltrail/suspicious",
                          "indicators/maltrail/malicious"}) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(Data(dir), ec)) {
      for (const auto& l : FileLines(e.path().string())) {
        if (l.find_first_of("/: ") != std::string::npos) continue;
        uint32_t a;
        if (ParseIpv4(l, &a)) {
          r.ips.push_back(l);
        } else if (l.find('.') != std::string::npos) {
          r.domains.push_back(l);
        }
      }
    }
  }
  for (const auto& l : FileLines(Data("indicators/maltrail/mass_scanner_cidr.txt"))) {
    std::string b = l.substr(0, l.find_first_of(" \t#"));
    size_t slash = b.find('/');
    uint32_t a;
    if (slash != std::string::npos && ParseIpv4(b.substr(0, slash), &a)) r.blocks.push_back(b);
  }
  for (const auto& u : FileLines(Data("indicators/phishing-database/phishing-links-INACTIVE1.txt"))) {
    if (u.find_first_of("'\\") == std::string::npos) r.urls.push_back(u);
  }
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(Data("indicators/eset-malware-ioc"), ec)) {
    std::string n = e.path().filename().string();
    auto v = FileLines(e.path().string());
    if (n.ends_with(".md5")) r.md5.insert(r.md5.end(), v.begin(), v.end());
    if (n.ends_with(".sha1")) r.sha1.insert(r.sha1.end(), v.begin(), v.end());
    if (n.ends_with(".sha256")) r.sha256.insert(r.sha256.end(), v.begin(), v.end());
  }
  auto md5 = FileLines(Data("indicators/malicious-hash/full-hash-md5-aa.txt"));
  r.md5.insert(r.md5.end(), md5.begin(), md5.end());
  auto sha1 = FileLines(Data("indicators/malicious-hash/full-hash-sha1-aa.txt"));
  r.sha1.insert(r.sha1.end(), sha1.begin(), sha1.end());
  return r;
}

std::string Hex(std::mt19937_64& rng, int digits) {
  static const char* h = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < digits; ++i) s += h[rng() & 15];
  return s;
}

std::string Label(std::mt19937_64& rng) {
  static const char* a = "abcdefghijklmnopqrstuvwxyz0123456789";
  int n = 4 + static_cast<int>(rng() % 10);
  std::string s;
  for (int i = 0; i < n; ++i) s += a[rng() % 36];
  return s;
}

// True for addresses no threat list names: private, shared, loopback,
// link-local, documentation, multicast and reserved space (the ranges of
// misp-warninglists' rfc1918/rfc5735 lists). Logs are full of them.
bool SpecialIpv4(uint32_t a) {
  struct Range {
    uint32_t base;
    int prefix;
  };
  static const Range kSpecial[] = {
      {0x00000000, 8},  {0x0a000000, 8},  {0x64400000, 10}, {0x7f000000, 8},
      {0xa9fe0000, 16}, {0xac100000, 12}, {0xc0000000, 24}, {0xc0000200, 24},
      {0xc0a80000, 16}, {0xc6120000, 15}, {0xc6336400, 24}, {0xcb007100, 24},
      {0xe0000000, 3}};
  for (const Range& r : kSpecial) {
    if ((a & (~0u << (32 - r.prefix))) == r.base) return true;
  }
  return false;
}

// A public unicast address.
uint32_t PublicIpv4(std::mt19937_64& rng) {
  for (;;) {
    uint32_t a = static_cast<uint32_t>(rng());
    if (!SpecialIpv4(a)) return a;
  }
}

// The prefix length of a synthetic block, distributed as in the real block
// list maltrail/mass_scanner_cidr.txt (1,096 blocks: 74.5% /24, 19.1% /20,
// 3.5% /22, 1.5% /18-/19, the rest /21, /28 and /32).
int BlockPrefix(std::mt19937_64& rng) {
  static const std::pair<int, int> kHistogram[] = {{18, 10}, {19, 6}, {20, 209}, {21, 6},
                                                    {22, 38}, {24, 817}, {28, 7}, {32, 3}};
  int total = 0;
  for (const auto& [prefix, n] : kHistogram) total += n;
  int pick = static_cast<int>(rng() % static_cast<uint64_t>(total));
  for (const auto& [prefix, n] : kHistogram) {
    if (pick < n) return prefix;
    pick -= n;
  }
  return 24;
}

// The benchmark's indicator set: the real lists, then synthetic values up
// to `total` (30% addresses, 5% blocks, 30% domains, 15% URLs, 20% hashes).
// Synthetic addresses and blocks are public unicast space, the blocks sized
// like a real block list's: threat lists do not name private or reserved
// space, and 500,000 blocks of uniformly random size would cover most of the
// address space, so that nearly every address of a log would match.
// Also returns a sample of indicator domains to inject into logs.
std::vector<IndicatorRecord> MakeIndicators(size_t total, std::vector<std::string>* hit_domains) {
  std::mt19937_64 rng(42);
  std::vector<IndicatorRecord> out;
  out.reserve(total);
  static const char* tlds[] = {"com", "net", "org", "info", "xyz", "top", "ru", "cn", "io", "jp"};
  static const char* kMarkings[] = {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
                                    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"};
  auto add = [&](std::string pattern, const char* name) {
    IndicatorRecord r;
    char id[64];
    std::snprintf(id, sizeof id, "indicator--%08llx-%04x-4%03x-8%03x-%012llx",
                  static_cast<unsigned long long>(rng() & 0xffffffff), static_cast<unsigned>(rng() & 0xffff),
                  static_cast<unsigned>(rng() & 0xfff), static_cast<unsigned>(rng() & 0xfff),
                  static_cast<unsigned long long>(out.size()));
    r.id = id;
    r.spec_version = "2.1";
    r.name = name;
    r.pattern = std::move(pattern);
    r.modified_us = 1700000000LL * 1000000;
    r.valid_from_us = 1700000000LL * 1000000;
    r.confidence = static_cast<int>(rng() % 101);
    r.markings = {kMarkings[rng() & 1]};
    out.push_back(std::move(r));
  };
  RealLists real = LoadReal();
  for (const auto& v : real.ips) add("[ipv4-addr:value = '" + v + "']", "ipsum / maltrail address");
  for (const auto& v : real.blocks) add("[ipv4-addr:value ISSUBSET '" + v + "']", "maltrail block");
  for (const auto& v : real.domains) add("[domain-name:value = '" + v + "']", "maltrail / phishing domain");
  for (const auto& v : real.urls) add("[url:value = '" + v + "']", "phishing link");
  for (const auto& v : real.md5) add("[file:hashes.MD5 = '" + v + "']", "malware sample");
  for (const auto& v : real.sha1) add("[file:hashes.'SHA-1' = '" + v + "']", "malware sample");
  for (const auto& v : real.sha256) add("[file:hashes.'SHA-256' = '" + v + "']", "malware sample");
  while (out.size() < total) {
    uint64_t k = rng() % 100;
    if (k < 30) {
      add("[ipv4-addr:value = '" + FormatIpv4(PublicIpv4(rng)) + "']", "synthetic address");
    } else if (k < 35) {
      int prefix = BlockPrefix(rng);
      uint32_t a = PublicIpv4(rng) & (~0u << (32 - prefix));
      add("[ipv4-addr:value ISSUBSET '" + FormatIpv4(a) + "/" + std::to_string(prefix) + "']",
          "synthetic block");
    } else if (k < 65) {
      std::string d = Label(rng);
      if (rng() % 3 == 0) d = Label(rng) + "." + d;
      d += std::string(".") + tlds[rng() % 10];
      if (hit_domains->size() < 1000 && rng() % 100 == 0) hit_domains->push_back(d);
      add("[domain-name:value = '" + d + "']", "synthetic domain");
    } else if (k < 80) {
      std::string u = std::string(rng() & 1 ? "http://" : "https://") + Label(rng) + "." +
                      tlds[rng() % 10] + "/" + Label(rng) + "/" + Label(rng) + ".php?id=" + Hex(rng, 8);
      add("[url:value = '" + u + "']", "synthetic URL");
    } else if (k < 88) {
      add("[file:hashes.MD5 = '" + Hex(rng, 32) + "']", "synthetic sample");
    } else if (k < 92) {
      add("[file:hashes.'SHA-1' = '" + Hex(rng, 40) + "']", "synthetic sample");
    } else {
      add("[file:hashes.'SHA-256' = '" + Hex(rng, 64) + "']", "synthetic sample");
    }
  }
  return out;
}

struct Shared {
  std::unique_ptr<Matcher> matcher;
  std::vector<std::string> hit_domains;
  double build_seconds = 0;
  size_t indicators = 0;
  size_t memory = 0, rss_delta = 0;
};

Shared& Index() {
  static Shared* s = [] {
    auto* sh = new Shared();
    size_t n = EnvSize("KIZUNA_BENCH_INDICATORS", 10'000'000);
    std::vector<IndicatorRecord> in = MakeIndicators(n, &sh->hit_domains);
    sh->indicators = in.size();
    std::fprintf(stderr, "index: building from %zu indicators\n", sh->indicators);
    size_t rss0 = RssBytes();
    sh->matcher = std::make_unique<Matcher>();
    auto t0 = std::chrono::steady_clock::now();
    ApplyStats st = sh->matcher->Apply(std::move(in));
    sh->build_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    sh->memory = sh->matcher->MemoryBytes();
    sh->rss_delta = RssBytes() > rss0 ? RssBytes() - rss0 : 0;
    std::fprintf(stderr,
                 "index: %zu indicators (%lld added, %lld invalid) in %.2f s; %zu bytes = %.1f "
                 "bytes/indicator (MemoryBytes); RSS after build %.1f bytes/indicator\n",
                 sh->indicators, static_cast<long long>(st.added), static_cast<long long>(st.invalid),
                 sh->build_seconds, sh->memory, static_cast<double>(sh->memory) / static_cast<double>(sh->indicators),
                 static_cast<double>(RssBytes()) / static_cast<double>(sh->indicators));
    return sh;
  }();
  return *s;
}

// Real logs replicated to the target size, with indicator domains injected
// every 5,000 lines (the real logs are years older than the lists).
std::string LogFile(const std::string& kind) {
  std::string dir = BenchDir();
  fs::create_directories(dir);
  size_t target = EnvSize("KIZUNA_BENCH_LOG_MB", 512) << 20;
  std::string path = dir + "/" + kind + "-" + std::to_string(target >> 20) + "MB.log";
  if (fs::exists(path) && fs::file_size(path) >= target) return path;
  const auto& hits = Index().hit_domains;
  std::vector<std::string> lines;
  std::string header;
  if (kind == "zeek-tsv") {
    auto d = ReadFileDecompressed(Data("logs/zeek/wrccdc-2018/zeek-default/dns.log.gz"));
    std::istringstream in(*d);
    std::string l;
    while (std::getline(in, l)) {
      if (l.rfind("#close", 0) == 0) continue;
      if (l[0] == '#') {
        header += l + "\n";
      } else {
        lines.push_back(l);
      }
    }
  } else if (kind == "zeek-json") {
    auto d = ReadFileDecompressed(Data("logs/zeek/wrccdc-2018/zeek-json/dns.json.gz"));
    std::istringstream in(*d);
    std::string l;
    while (std::getline(in, l)) lines.push_back(l);
  } else {
    // EVE: the alerts of three captures (JSON lines) and dns/http events.
    for (const auto& c : {"wrccdc-2017", "honeypot-2018", "first-org-conf-2015"}) {
      auto d = ReadFileDecompressed(Data(std::string("logs/suricata/suricata-sample-data/") + c +
                                         "/alerts-only.json"));
      boost::json::value v = boost::json::parse(*d);
      for (const auto& e : v.as_array()) lines.push_back(boost::json::serialize(e));
    }
    for (const auto& f : {"dns.json", "http.json", "flow.json", "alert.json"}) {
      auto d = ReadFileDecompressed(Data(std::string("logs/suricata/telegraf-testdata/v2/") + f));
      boost::json::value v = boost::json::parse(*d);
      std::string one = boost::json::serialize(v);
      for (int i = 0; i < 200; ++i) lines.push_back(one);
    }
  }
  std::ofstream out(path, std::ios::binary);
  out << header;
  size_t written = header.size(), n = 0;
  while (written < target) {
    for (const auto& l : lines) {
      std::string line = l;
      if (++n % 5000 == 0 && !hits.empty()) {
        const std::string& d = hits[n / 5000 % hits.size()];
        if (kind == "zeek-tsv") {
          // The query column of dns.log is the 10th.
          size_t col = 0, pos = 0;
          while (col < 9 && pos != std::string::npos) {
            pos = line.find('\t', pos) + 1;
            ++col;
          }
          size_t end = line.find('\t', pos);
          line = line.substr(0, pos) + d + line.substr(end);
        } else if (kind == "zeek-json") {
          line = "{\"ts\":1521911720.1,\"uid\":\"C\",\"id.orig_h\":\"10.0.0.1\",\"query\":\"" + d + "\"}";
        } else {
          line = "{\"event_type\":\"dns\",\"src_ip\":\"10.0.0.1\",\"dest_ip\":\"10.0.0.2\",\"dns\":{\"rrname\":\"" + d + "\"}}";
        }
      }
      out << line << "\n";
      written += line.size() + 1;
      if (written >= target) break;
    }
  }
  return path;
}

class CountSink final : public MatchSink {
 public:
  void OnMatch(const MatchRecord&) override { ++matches; }
  int64_t matches = 0;
};

void BM_IndexBuild(benchmark::State& state) {
  Shared& s = Index();
  for (auto _ : state) {
    state.SetIterationTime(s.build_seconds);
  }
  state.counters["indicators"] = static_cast<double>(s.indicators);
  state.counters["s_per_M"] = s.build_seconds / (static_cast<double>(s.indicators) / 1e6);
  state.counters["bytes_per_indicator"] = static_cast<double>(s.memory) / static_cast<double>(s.indicators);
}

void Scan(benchmark::State& state, LogFormat format, const std::string& kind) {
  Shared& s = Index();
  std::string path = LogFile(kind);
  ScanOptions o;
  o.format = format;
  o.threads = static_cast<int>(state.range(0));
  int64_t bytes = 0, events = 0, matches = 0;
  for (auto _ : state) {
    Scanner scanner(s.matcher.get(), o);
    CountSink sink;
    auto st = scanner.Scan({path}, &sink);
    if (!st.ok()) {
      state.SkipWithError(st.error().message().c_str());
      return;
    }
    bytes += st->bytes;
    events += st->events;
    matches = sink.matches;
  }
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(events);
  state.counters["matches"] = static_cast<double>(matches);
}

void BM_ScanZeekTsv(benchmark::State& state) { Scan(state, LogFormat::kZeek, "zeek-tsv"); }
void BM_ScanZeekJson(benchmark::State& state) { Scan(state, LogFormat::kZeek, "zeek-json"); }
void BM_ScanEve(benchmark::State& state) { Scan(state, LogFormat::kEve, "eve"); }

BENCHMARK(BM_IndexBuild)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_ScanZeekTsv)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(2);
BENCHMARK(BM_ScanZeekJson)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(2);
BENCHMARK(BM_ScanEve)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(2);

}  // namespace
}  // namespace kizuna::match

BENCHMARK_MAIN();
