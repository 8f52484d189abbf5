// bench-deps: core pattern
// STIX patterning speed (docs/BENCHMARKS.md, "Patterns").
//  - ParseValidate/*: parse + validate typical indicator patterns: the real
//    indicator patterns of ../shared/data/stix/examples (read at run time)
//    and a hand-written set in the style of ATT&CK-derived indicators.
//  - EvaluateOasisCases: every case of ../shared/data/patterns/
//    stix2-matcher-cases.jsonl, end to end as the reference matcher's
//    match() does it: parse and validate the pattern, index the (already
//    JSON-parsed) observed-data, evaluate. bench/pattern_reference_bench.py
//    times the reference on the same cases.
#include <benchmark/benchmark.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pattern/compiler.h"
#include "pattern/evaluator.h"
#include "pattern/observation.h"
#include "pattern/parser.h"
#include "pattern/validator.h"

namespace {

using namespace kizuna::pattern;
namespace json = boost::json;

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void CollectPatterns(const json::value& v, std::set<std::string>* out) {
  if (v.is_array()) {
    for (const json::value& e : v.get_array()) CollectPatterns(e, out);
  } else if (v.is_object()) {
    const json::object& o = v.get_object();
    auto t = o.find("type");
    auto p = o.find("pattern");
    auto pt = o.find("pattern_type");
    if (t != o.end() && t->value() == "indicator" && p != o.end() && p->value().is_string() &&
        (pt == o.end() || pt->value() == "stix")) {
      out->insert(std::string(p->value().get_string()));
    }
    for (const auto& kv : o) CollectPatterns(kv.value(), out);
  }
}

// The indicator patterns of the example corpus that parse and validate.
const std::vector<std::string>& ExamplePatterns() {
  static const std::vector<std::string> patterns = [] {
    std::set<std::string> found;
    std::filesystem::path root = std::string(KIZUNA_SHARED_DATA) + "/stix/examples";
    for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
      if (!e.is_regular_file() || e.path().extension() != ".json") continue;
      std::error_code ec;
      json::value v = json::parse(ReadFile(e.path()), ec);
      if (!ec) CollectPatterns(v, &found);
    }
    std::vector<std::string> ok;
    for (const std::string& p : found) {
      if (Check(p).ok()) ok.push_back(p);
    }
    return ok;
  }();
  return patterns;
}

// Typical single-indicator patterns of ATT&CK-derived and feed indicators.
const std::vector<std::string>& TypicalPatterns() {
  static const std::vector<std::string> patterns = {
      "[ipv4-addr:value = '203.0.113.7']",
      "[ipv4-addr:value = '198.51.100.0/24']",
      "[ipv6-addr:value = '2001:db8::7']",
      "[domain-name:value = 'update-check.example.net']",
      "[url:value = 'http://malicious.example.com/payload/stage2.bin']",
      "[file:hashes.'SHA-256' = "
      "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
      "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f']",
      "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
      "[email-addr:value = 'billing@invoices.example.org']",
      "[file:name = 'svch0st.exe' AND file:size = 73802]",
      "[ipv4-addr:value = '203.0.113.7'] AND [file:hashes.'SHA-256' = "
      "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
      "[network-traffic:dst_ref.value = '198.51.100.23' AND network-traffic:dst_port = 443]",
      "[process:command_line MATCHES 'powershell.+-enc']",
      "[windows-registry-key:key = "
      "'HKEY_LOCAL_MACHINE\\\\Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run']",
      "[domain-name:value = 'c2.example.net'] OR [ipv4-addr:value = '192.0.2.44']",
      "[x509-certificate:hashes.'SHA-1' = '1fb12e923bdb71a1f34e98576b780ab2840ba22e']",
      "[mutex:name = 'Global\\\\7d2f1c']",
      "[user-account:account_login = 'svc_backup' AND user-account:is_privileged = true]",
  };
  return patterns;
}

void RunParseValidate(benchmark::State& state, const std::vector<std::string>& patterns) {
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& p = patterns[i];
    if (++i == patterns.size()) i = 0;
    kizuna::Result<Pattern> parsed = Parse(p);
    std::vector<Diagnostic> diags = Validate(*parsed);
    benchmark::DoNotOptimize(diags);
    bytes += p.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["patterns"] = static_cast<double>(patterns.size());
}

void BM_ParseValidate_Examples(benchmark::State& state) {
  RunParseValidate(state, ExamplePatterns());
}
BENCHMARK(BM_ParseValidate_Examples);

void BM_ParseValidate_Typical(benchmark::State& state) {
  RunParseValidate(state, TypicalPatterns());
}
BENCHMARK(BM_ParseValidate_Typical);

void RunParseOnly(benchmark::State& state, const std::vector<std::string>& patterns) {
  size_t i = 0;
  for (auto _ : state) {
    kizuna::Result<Pattern> parsed = Parse(patterns[i]);
    benchmark::DoNotOptimize(parsed);
    if (++i == patterns.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_ParseOnly_Examples(benchmark::State& state) { RunParseOnly(state, ExamplePatterns()); }
BENCHMARK(BM_ParseOnly_Examples);

void BM_ParseOnly_Typical(benchmark::State& state) { RunParseOnly(state, TypicalPatterns()); }
BENCHMARK(BM_ParseOnly_Typical);

void BM_CompileForIndex_Typical(benchmark::State& state) {
  std::vector<Pattern> parsed;
  for (const std::string& p : TypicalPatterns()) parsed.push_back(std::move(Parse(p).value()));
  size_t i = 0;
  for (auto _ : state) {
    CompiledPattern c = CompileForIndex(parsed[i]);
    benchmark::DoNotOptimize(c);
    if (++i == parsed.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_CompileForIndex_Typical);

struct Case {
  std::string pattern;
  SpecVersion version;
  json::value observed;
};

const std::vector<Case>& MatcherCases() {
  static const std::vector<Case> cases = [] {
    std::vector<Case> out;
    std::ifstream in(std::string(KIZUNA_SHARED_DATA) + "/patterns/stix2-matcher-cases.jsonl");
    std::string line;
    while (std::getline(in, line)) {
      json::object o = json::parse(line).as_object();
      out.push_back({std::string(o.at("pattern").as_string()),
                     o.at("stix_version") == "2.0" ? SpecVersion::k20 : SpecVersion::k21,
                     o.at("observed_data")});
    }
    return out;
  }();
  return cases;
}

void BM_EvaluateOasisCases(benchmark::State& state) {
  const auto& cases = MatcherCases();
  int64_t matched = 0, errors = 0;
  for (auto _ : state) {
    for (const Case& c : cases) {
      CheckOptions co;
      co.spec_version = c.version;
      CheckResult check = Check(c.pattern, co);
      if (!check.ok()) {
        ++errors;
        continue;
      }
      auto set = ObservationSet::Build(c.observed.as_array(), c.version);
      if (!set.ok()) {
        ++errors;
        continue;
      }
      auto r = Evaluate(*check.pattern, *set);
      if (!r.ok()) {
        ++errors;
      } else if (r->matched) {
        ++matched;
      }
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * cases.size()));
  state.counters["cases"] = static_cast<double>(cases.size());
  state.counters["matched_per_round"] =
      static_cast<double>(matched) / static_cast<double>(state.iterations());
  state.counters["errors_per_round"] =
      static_cast<double>(errors) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_EvaluateOasisCases)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
