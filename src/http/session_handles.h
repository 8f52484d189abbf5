#pragma once
// Internal to http/: the handles through which other threads reach a session
// (http/session.h) without touching it: the Responder behind a handler's
// Respond, the HeadResponder behind a head check's HeadVerdict, and the
// StreamWriter of a streamed response.
//
// Both hold a weak reference to the session, its worker's executor and the
// server's Lifeline: a call from the connection's thread runs at once (or is
// queued for the session), a call from another thread is posted to the
// connection's thread, and a call after the server is gone does nothing.
//
// Thread-safe: every public method may be called from any thread.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/server_core.h"
#include "http/stream.h"

namespace kizuna::http::internal {

// Completes one step of a request: the handler's Respond (Responder) or the
// head check's HeadVerdict (HeadResponder); shared by every copy of the
// function. The first call wins; destroyed without a call, it delivers
// Value() as "dropped" (the session answers 500). A call on the
// connection's thread is delivered at once, from any other thread it is
// posted there.
template <typename Value, void (Session::*kDeliver)(uint64_t, Value, bool)>
class Completion {
 public:
  Completion(std::weak_ptr<Session> session, uint64_t generation, Executor executor,
             std::shared_ptr<Lifeline> lifeline)
      : session_(std::move(session)),
        generation_(generation),
        executor_(executor),
        lifeline_(std::move(lifeline)) {}
  ~Completion() {
    if (!done_.exchange(true)) Deliver(Value(), true);
  }
  Completion(const Completion&) = delete;
  Completion& operator=(const Completion&) = delete;

  void Call(Value value) {
    if (done_.exchange(true)) return;  // "exactly once": later calls are ignored
    Deliver(std::move(value), false);
  }

 private:
  void Deliver(Value value, bool dropped) {
    // The executor is only touched while the server exists (Lifeline).
    lifeline_->Run([&] {
      if (executor_.running_in_this_thread()) {
        if (auto s = session_.lock()) ((*s).*kDeliver)(generation_, std::move(value), dropped);
        return;
      }
      asio::post(executor_, [weak = session_, generation = generation_, value = std::move(value),
                             dropped]() mutable {
        if (auto s = weak.lock()) ((*s).*kDeliver)(generation, std::move(value), dropped);
      });
    });
  }

  std::weak_ptr<Session> session_;
  uint64_t generation_;
  Executor executor_;
  std::shared_ptr<Lifeline> lifeline_;
  std::atomic<bool> done_{false};
};

using Responder = Completion<Response, &Session::OnResponse>;
using HeadResponder = Completion<std::optional<Response>, &Session::OnHeadVerdict>;

// The StreamWriter of one streamed response (http/stream.h holds the
// contract). The session takes queued chunks on its thread.
class StreamWriterImpl final : public StreamWriter {
 public:
  StreamWriterImpl(std::weak_ptr<Session> session, Executor executor,
                   std::shared_ptr<Lifeline> lifeline, size_t max_pending)
      : session_(std::move(session)),
        executor_(executor),
        lifeline_(std::move(lifeline)),
        max_pending_(max_pending) {}

  bool Write(std::string chunk) override;
  bool WriteShared(std::shared_ptr<const std::string> chunk) override;
  void Close() override;
  void Abort() override;
  void SetClosedCallback(std::function<void()> callback) override;
  bool closed() const override;
  size_t pending_bytes() const override;

  // Session side (connection thread).
  void TakeQueued(std::vector<std::shared_ptr<const std::string>>* out, bool* close_requested);
  void Release(size_t bytes);
  void MarkEnded();

 private:
  void Post(void (Session::*method)());

  const std::weak_ptr<Session> session_;
  const Executor executor_;
  const std::shared_ptr<Lifeline> lifeline_;
  const size_t max_pending_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<const std::string>> queue_;  // guarded by mu_
  size_t pending_ = 0;                                     // queued + being written; guarded by mu_
  bool kick_posted_ = false;                               // guarded by mu_
  bool close_requested_ = false;                           // guarded by mu_
  bool aborting_ = false;                                  // guarded by mu_
  bool ended_ = false;                                     // guarded by mu_
  std::function<void()> callback_;                         // guarded by mu_
};

}  // namespace kizuna::http::internal
