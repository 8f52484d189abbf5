// `kizuna generate indicators --count N`: synthetic STIX indicators as JSON
// lines (load tests, benchmarks, demos). Not intelligence: documentation
// address ranges, reserved domains, random hashes.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/commands.h"
#include "app/demo_data.h"
#include "core/time.h"
#include "policy/extensions.h"

#include <boost/json.hpp>

namespace kizuna::app {

void AddGenerateCommand(CLI::App& root, int* exit_code) {
  auto* cmd = root.add_subcommand("generate", "generate synthetic STIX content for load tests");
  cmd->require_subcommand(1);
  auto* ind = cmd->add_subcommand("indicators", "indicators as JSON lines on stdout");
  auto count = std::make_shared<int64_t>(1000);
  auto seed = std::make_shared<uint64_t>(1);
  auto producer = std::make_shared<std::string>("identity--5b1d7c7e-1a2b-4c3d-8e9f-0a1b2c3d4e01");
  ind->add_option("--count", *count, "how many (default 1000)");
  ind->add_option("--seed", *seed, "random seed (same seed, same output)");
  ind->add_option("--created-by", *producer, "created_by_ref of every indicator");
  auto audiences = std::make_shared<std::vector<std::string>>();
  ind->add_option("--audience-org", *audiences,
                  "mark every indicator TLP:AMBER+STRICT and address it to these organizations in "
                  "turn (repeatable; for policy benchmarks)");
  ind->callback([=] {
    if (*count < 0) {
      *exit_code = 2;
      std::fprintf(stderr, "kizuna: --count must not be negative\n");
      return;
    }
    const int64_t now = SystemClock::Get().NowMicros();
    constexpr int64_t kChunk = 100000;
    for (int64_t done = 0; done < *count; done += kChunk) {
      size_t n = static_cast<size_t>(std::min(kChunk, *count - done));
      auto objs = GenerateIndicators(n, *seed + static_cast<uint64_t>(done), now, *producer);
      if (!audiences->empty()) {
        for (size_t i = 0; i < objs.size(); ++i) {
          auto v = boost::json::parse(objs[i]).as_object();
          v["object_marking_refs"] = boost::json::array{"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"};
          const std::string& org = (*audiences)[(static_cast<size_t>(done) + i) % audiences->size()];
          v["extensions"] = boost::json::object{
              {policy::kAudienceExtensionId,
               boost::json::object{{"extension_type", "property-extension"},
                                   {"organizations", boost::json::array{boost::json::string(org)}}}}};
          objs[i] = boost::json::serialize(v);
        }
      }
      for (const auto& o : objs) {
        std::fwrite(o.data(), 1, o.size(), stdout);
        std::fputc('\n', stdout);
      }
    }
    std::fflush(stdout);
  });
}

}  // namespace kizuna::app
