#include "app/store_flags.h"

#include <fstream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/config.h"
#include "core/encoding.h"
#include "store/sqlite/sqlite_store.h"

namespace kizuna::app {

void StoreFlags::Register(CLI::App* app) {
  auto* c = app->add_option("--config", config, "the hub's configuration file (TOML)");
  auto* d = app->add_option("--db", db, "the hub's database file (instead of --config)");
  c->excludes(d);
}

Result<std::unique_ptr<store::Store>> StoreFlags::Open() const {
  store::SqliteOptions o;
  if (!config.empty()) {
    ASSIGN_OR_RETURN(Config cfg, LoadConfig(config));
    o.path = cfg.Resolve(cfg.store_path);
    o.durable = cfg.durable;
  } else if (!db.empty()) {
    o.path = db;
  } else {
    return InvalidArgument("give --config FILE or --db FILE");
  }
  o.cache_mib = 64;
  return store::OpenSqliteStore(o);
}

int Fail(const Status& status) {
  std::fprintf(stderr, "kizuna: %s\n", status.message().c_str());
  return status.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

Result<std::string> ReadSecretText(const std::string& path) {
  std::ifstream in(path);
  if (!in) return IoError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

Result<std::string> ClientAuthorization(const std::string& user, const std::string& password_file,
                                        const std::string& token_file) {
  if (!token_file.empty()) {
    ASSIGN_OR_RETURN(std::string token, ReadSecretText(token_file));
    return "Bearer " + token;
  }
  if (user.empty()) return InvalidArgument("give --user U --password-file F, or --token-file F");
  if (password_file.empty()) return InvalidArgument("--user needs --password-file");
  ASSIGN_OR_RETURN(std::string password, ReadSecretText(password_file));
  return "Basic " + Base64Encode(user + ":" + password);
}

}  // namespace kizuna::app
