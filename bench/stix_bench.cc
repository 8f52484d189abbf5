// bench-deps: core stix
// STIX core costs on the ingest path: splitting an envelope, parsing and
// validating one object, deterministic SCO ids.
//
//   cmake --preset release && cmake --build build/release --target stix_bench
//   build/release/bench/stix_bench

#include <benchmark/benchmark.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "stix/bundle.h"
#include "stix/markings.h"
#include "stix/object.h"

namespace kizuna::stix {
namespace {

namespace json = boost::json;

// A typical indicator as hubs exchange them (about 600 bytes).
std::string Indicator(int i) {
  char id[64];
  std::snprintf(id, sizeof id, "indicator--%08x-17d4-4cbf-938f-98ee46b3cd3f", 0x8e2e0000u + i);
  return std::string(R"({"type":"indicator","spec_version":"2.1","id":")") + id +
         R"(","created_by_ref":"identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",)"
         R"("created":"2024-04-06T20:03:48.000Z","modified":"2024-04-06T20:03:48.000Z",)"
         R"("name":"C2 server of campaign 7","description":"Beaconing destination seen in )"
         R"(three incidents.","indicator_types":["malicious-activity"],"pattern_type":"stix",)"
         R"("pattern":"[ipv4-addr:value = '198.51.100.7'] OR [domain-name:value = )"
         R"('c2.example.net']","valid_from":"2024-04-06T20:03:48Z",)"
         R"("kill_chain_phases":[{"kill_chain_name":"lockheed-martin-cyber-kill-chain",)"
         R"("phase_name":"command-and-control"}],"confidence":80,"labels":["c2"],)"
         R"("object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]})";
}

std::string Envelope(int n) {
  std::string s = R"({"more":false,"objects":[)";
  for (int i = 0; i < n; ++i) {
    if (i) s += ',';
    s += Indicator(i);
  }
  s += "]}";
  return s;
}

void BM_SplitObjects100(benchmark::State& state) {
  std::string env = Envelope(100);
  for (auto _ : state) {
    Result<std::vector<RawObject>> r = SplitObjects(env);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * 100);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(env.size()));
}
BENCHMARK(BM_SplitObjects100);

void BM_ParseIndicator(benchmark::State& state) {
  std::string text = Indicator(1);
  for (auto _ : state) {
    alignas(16) unsigned char buf[8192];
    json::monotonic_resource mr(buf, sizeof buf);
    Result<json::value> v = ParseJson(text, &mr);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::to_string(text.size()) + " bytes");
}
BENCHMARK(BM_ParseIndicator);

void BM_ValidateIndicatorDom(benchmark::State& state) {
  json::object o = json::parse(Indicator(1)).as_object();
  ValidateOptions options;
  for (auto _ : state) {
    Result<ObjectInfo> r = ValidateObject(o, options, nullptr);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateIndicatorDom);

// What the TAXII layer runs per object: parse + validate + metadata.
void BM_ValidateIndicatorJson(benchmark::State& state) {
  std::string text = Indicator(1);
  ValidateOptions options;
  for (auto _ : state) {
    Result<ObjectInfo> r = ValidateObjectJson(text, options, nullptr);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateIndicatorJson);

void BM_ValidateIndicatorWithDiagnostics(benchmark::State& state) {
  std::string text = Indicator(1);
  ValidateOptions options;
  std::vector<Diagnostic> diags;
  for (auto _ : state) {
    diags.clear();
    Result<ObjectInfo> r = ValidateObjectJson(text, options, &diags);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateIndicatorWithDiagnostics);

// An envelope of 100 indicators, split and validated object by object.
void BM_SplitAndValidateEnvelope100(benchmark::State& state) {
  std::string env = Envelope(100);
  ValidateOptions options;
  for (auto _ : state) {
    Result<std::vector<RawObject>> raw = SplitObjects(env);
    for (const RawObject& r : *raw) {
      Result<ObjectInfo> info = ValidateObjectJson(r.bytes, options, nullptr);
      benchmark::DoNotOptimize(info);
    }
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_SplitAndValidateEnvelope100);

// Every object of the ATT&CK ICS release (STIX 2.1): attack patterns with
// long descriptions and external references, relationships, mitigations.
void BM_ValidateAttackIcsObject(benchmark::State& state) {
  std::ifstream in(std::string(KIZUNA_SHARED_DATA) + "/stix/attack/ics-attack.json");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  Result<std::vector<RawObject>> raw = SplitObjects(text);
  if (!raw.ok() || raw->empty()) {
    state.SkipWithError("ics-attack.json missing");
    return;
  }
  ValidateOptions options;
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const RawObject& r = (*raw)[i];
    bytes += r.bytes.size();
    Result<ObjectInfo> info = ValidateObjectJson(r.bytes, options, nullptr);
    benchmark::DoNotOptimize(info);
    if (++i == raw->size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetLabel(std::to_string(raw->size()) + " objects, avg " +
                 std::to_string(text.size() / raw->size()) + " bytes");
}
BENCHMARK(BM_ValidateAttackIcsObject);

void BM_DeterministicScoIdFile(benchmark::State& state) {
  json::object o = json::parse(R"({"type":"file","spec_version":"2.1",
      "hashes":{"SHA-256":"fe90a7e910cb3a4739bed9180e807e93fa70c90f25a8915476f5e4bfbac681db",
                "MD5":"3773a88f65a5e780c8dff9cdc3a056f3"},
      "name":"invoice.pdf.exe","size":25537})")
                       .as_object();
  for (auto _ : state) {
    std::optional<std::string> id = DeterministicScoId(o);
    benchmark::DoNotOptimize(id);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DeterministicScoIdFile);

void BM_DeterministicScoIdIpv4(benchmark::State& state) {
  json::object o = json::parse(R"({"type":"ipv4-addr","value":"198.51.100.3"})").as_object();
  for (auto _ : state) {
    std::optional<std::string> id = DeterministicScoId(o);
    benchmark::DoNotOptimize(id);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DeterministicScoIdIpv4);

void BM_StrictestTlp(benchmark::State& state) {
  std::vector<std::string> refs = {std::string(kTlpGreenId),
                                   "marking-definition--11111111-1111-4111-8111-111111111111",
                                   std::string(kTlp1AmberId)};
  for (auto _ : state) benchmark::DoNotOptimize(StrictestTlp(refs));
}
BENCHMARK(BM_StrictestTlp);

}  // namespace
}  // namespace kizuna::stix

BENCHMARK_MAIN();
