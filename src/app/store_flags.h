#pragma once
// The flags every offline command uses to find the hub's database:
// `--config FILE` (the store path in the hub's config) or `--db FILE`.

#include <memory>
#include <string>

#include "core/result.h"
#include "store/store.h"

namespace CLI {
class App;
}

namespace kizuna::app {

struct StoreFlags {
  std::string config;
  std::string db;
  void Register(CLI::App* app);
  // Opens (and migrates) the store. InvalidArgument without --config/--db.
  Result<std::unique_ptr<store::Store>> Open() const;
};

// Prints "kizuna: <message>" to stderr and returns exit status 1 (or 2 for
// usage errors, InvalidArgument). For command callbacks.
int Fail(const Status& status);

// The content of a file holding a password or an API token (a CLI flag's
// file), without trailing line ends. IoError when it cannot be read.
Result<std::string> ReadSecretText(const std::string& path);

// The Authorization header value a client command sends to a hub: Bearer
// with --token-file, else Basic with --user and --password-file.
// InvalidArgument when neither is given (or --user lacks its password file).
Result<std::string> ClientAuthorization(const std::string& user, const std::string& password_file,
                                        const std::string& token_file);

}  // namespace kizuna::app
