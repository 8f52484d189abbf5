// `kizuna serve --config FILE`: runs a hub until SIGINT or SIGTERM.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/commands.h"
#include "app/config.h"
#include "app/hub.h"
#include "app/store_flags.h"

namespace kizuna::app {

void AddServeCommand(CLI::App& root, int* exit_code) {
  auto* cmd = root.add_subcommand("serve", "run a hub (TAXII 2.1 server)");
  auto config_path = std::make_shared<std::string>();
  auto listen = std::make_shared<std::vector<std::string>>();
  cmd->add_option("--config", *config_path, "configuration file (TOML)")->required();
  cmd->add_option("--listen", *listen, "override server.listen (host:port; repeatable)");
  cmd->callback([=] {
    auto cfg = LoadConfig(*config_path);
    if (!cfg.ok()) {
      *exit_code = Fail(cfg.error());
      return;
    }
    if (!listen->empty()) cfg->listen = *listen;
    spdlog::set_level(spdlog::level::from_str(cfg->log_level));
    BlockTerminationSignals();
    auto hub = Hub::Open(*cfg);
    if (!hub.ok()) {
      *exit_code = Fail(hub.error());
      return;
    }
    Status s = (*hub)->Start();
    if (!s.ok()) {
      *exit_code = Fail(s);
      return;
    }
    for (const auto& l : (*hub)->Listening()) {
      std::printf("kizuna: listening on %s://%s\n", cfg->tls_cert.empty() ? "http" : "https",
                  l.c_str());
    }
    std::printf("kizuna: discovery %s/taxii2/\n", (*hub)->BaseUrl().c_str());
    std::fflush(stdout);
    WaitForTerminationSignal();
    spdlog::info("stopping");
    (*hub)->Stop();
  });
}

}  // namespace kizuna::app
