#pragma once
// Config: the hub's TOML configuration (`kizuna serve --config FILE`).
// Every key is optional; see docs/configuration.md for the reference and
// README.md for an example. Relative paths are relative to the directory of
// the configuration file.

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace kizuna::app {

struct Config {
  std::string source_dir = ".";  // directory of the config file

  // [server]
  std::vector<std::string> listen = {"127.0.0.1:8080"};
  int threads = 0;  // 0 = number of cores
  std::string tls_cert, tls_key;
  bool allow_plain_http = false;  // plain HTTP on a non-loopback address
  int max_connections = 4096;
  // Request body bytes in flight across all connections (503 beyond): 256
  // MiB is 25 bodies at the default max_content_length (10 MiB) at once,
  // while 4096 connections could otherwise declare 40 GiB.
  int64_t max_inflight_body_mib = 256;
  int64_t max_header_bytes = 16 * 1024;
  int64_t header_timeout_ms = 10'000;
  int64_t body_timeout_ms = 60'000;
  int64_t idle_timeout_ms = 60'000;
  std::string access_log = "stderr";  // "off", "stderr", or a file path
  std::string log_level = "info";

  // [store]
  std::string store_path = "kizuna.db";
  bool durable = true;
  int64_t cache_mib = 64;  // the writer's page cache (readers have their own, smaller)

  // [taxii]
  std::string title = "Kizuna TAXII 2.1 hub";
  std::string description;
  std::string contact;
  std::string default_api_root;
  std::string public_base_url;
  int64_t default_page = 100;
  int64_t max_page = 1000;
  // Cache of policy-filtered GET responses (0 = off); see docs/taxii.md.
  int64_t response_cache_mib = 64;

  // [auth]
  int max_auth_failures = 20;
  int64_t auth_failure_window_s = 60;

  // [metrics]
  bool metrics_public = false;  // /metrics without credentials (else admin role)

  // [ui] (issue 13, docs/ui.md)
  std::string ui_dir;  // the built dashboard ("" = web/dist beside the working directory or the binary)
  int64_t session_idle_s = 1800;
  int64_t session_max_s = 43'200;

  // ---- federation and channels (issue 5) ----
  // [federation]
  std::string hub_name;     // this hub's name among its peers ("" = no federation)
  std::string secrets_key;  // key file of sealed secrets ("" = "<store path>.key")
  int64_t federation_retry_max_ms = 30'000;  // longest backoff of a failed peer link
  // [channels]
  int64_t channel_heartbeat_ms = 15'000;
  int64_t channel_max_subscribers = 10'000;
  int64_t channel_max_pending_kib = 1024;  // unsent bytes per subscriber (KiB)
  int64_t channel_stall_timeout_ms = 30'000;
  // How often the webhook supervisor re-reads the webhook records (changes
  // by `kizuna admin webhook` take effect within this time).
  int64_t webhook_reload_ms = 500;

  // Resolves a path from the config against source_dir.
  std::string Resolve(const std::string& path) const;
};

// Parses a TOML file. InvalidArgument naming the file, line and key on a
// syntax error, an unknown key or a value of the wrong type.
Result<Config> LoadConfig(const std::string& path);
// Parses TOML text (for tests); `source_dir` as Config::source_dir.
Result<Config> ParseConfig(std::string_view toml_text, const std::string& source_name,
                           const std::string& source_dir);

}  // namespace kizuna::app
