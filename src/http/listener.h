#pragma once
// Internal to http/: the part of a Server (http/server.h holds the contract)
// that is not one connection: it validates the options, loads the TLS
// context, opens the access log, registers the metrics, binds one acceptor
// per listen address, runs one thread per io_context (Worker), hands each
// accepted socket round-robin to a worker (StartSession, http/session.h),
// sweeps the sessions' deadlines, and stops it all gracefully.
//
// Thread-safety: Start, Stop and the accessors are called by Server, never
// concurrently with each other and never from a server thread. Accept and
// the sweeps run on the worker threads.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "http/server_core.h"

namespace kizuna::http::internal {

class Listener {
 public:
  Listener(ServerOptions options, Handler handler, BodyLimit body_limit, ErrorFormatter formatter,
           HeadCheck head_check);
  // Stops if running.
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // See Server::Start and Server::Stop.
  Status Start();
  void Stop();

  bool running() const { return running_; }
  std::vector<std::string> listening() const;
  uint16_t port(size_t i) const { return i < bound_.size() ? bound_[i].port() : 0; }
  size_t open_connections() const { return core_.open.load(); }

 private:
  Status MakeTlsContext();
  void RegisterMetrics();
  void ScheduleSweep(Worker* worker);
  void Accept(size_t i);
  void OnAccepted(Worker* worker, tcp::socket socket);

  ServerCore core_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors_;
  std::vector<tcp::endpoint> bound_;
  std::atomic<size_t> next_worker_{0};
  std::chrono::milliseconds sweep_interval_{100};
  bool running_ = false;
};

}  // namespace kizuna::http::internal
