#pragma once
// Hub: the composition root of a running hub. Opens the store, builds the
// authenticator and the TAXII service, and serves them (with /healthz and
// /metrics) on the HTTP server. `kizuna serve` and `kizuna demo` run one.
//
// Thread-safe after Start(); Stop() joins every thread.

#include <memory>
#include <string>
#include <vector>

#include "app/config.h"
#include "core/result.h"

namespace kizuna::store {
class Store;
}

namespace kizuna::app {

class Hub {
 public:
  // Opens the store (creating and migrating it as needed) and builds every
  // component; nothing listens yet.
  static Result<std::unique_ptr<Hub>> Open(const Config& config);
  ~Hub();

  // Binds the listen addresses and starts serving.
  Status Start();
  // Graceful stop (idempotent).
  void Stop();

  // "127.0.0.1:8080" per listen address, after Start().
  std::vector<std::string> Listening() const;
  // "http://127.0.0.1:8080" or "https://..." of the first address.
  std::string BaseUrl() const;
  store::Store* store();

 private:
  struct Impl;
  explicit Hub(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Blocks until SIGINT or SIGTERM. REQUIRES: BlockTerminationSignals() was
// called before any thread was started.
void WaitForTerminationSignal();
// Blocks SIGINT/SIGTERM/SIGPIPE in the calling thread (and so in threads it
// starts later), so that WaitForTerminationSignal can take them.
void BlockTerminationSignals();

}  // namespace kizuna::app
