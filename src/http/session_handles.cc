#include "http/session_handles.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace kizuna::http::internal {

bool StreamWriterImpl::Write(std::string chunk) {
  if (chunk.empty()) return !closed();
  return WriteShared(std::make_shared<const std::string>(std::move(chunk)));
}

bool StreamWriterImpl::WriteShared(std::shared_ptr<const std::string> chunk) {
  std::unique_lock<std::mutex> lock(mu_);
  if (ended_ || aborting_ || close_requested_) return false;
  if (!chunk || chunk->empty()) return true;
  if (chunk->size() > max_pending_ - pending_) {
    aborting_ = true;
    lock.unlock();
    Post(&Session::OnStreamAbort);
    return false;
  }
  pending_ += chunk->size();
  queue_.push_back(std::move(chunk));
  bool kick = !kick_posted_;
  kick_posted_ = true;
  lock.unlock();
  if (kick) Post(&Session::OnStreamKick);
  return true;
}

void StreamWriterImpl::Close() {
  std::unique_lock<std::mutex> lock(mu_);
  if (ended_ || close_requested_) return;
  close_requested_ = true;
  bool kick = !kick_posted_;
  kick_posted_ = true;
  lock.unlock();
  if (kick) Post(&Session::OnStreamKick);
}

void StreamWriterImpl::Abort() {
  std::unique_lock<std::mutex> lock(mu_);
  if (ended_ || aborting_) return;
  aborting_ = true;
  lock.unlock();
  Post(&Session::OnStreamAbort);
}

void StreamWriterImpl::SetClosedCallback(std::function<void()> callback) {
  std::unique_lock<std::mutex> lock(mu_);
  if (ended_) {
    lock.unlock();
    if (callback) callback();
    return;
  }
  callback_ = std::move(callback);
}

bool StreamWriterImpl::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ended_ || aborting_ || close_requested_;
}

size_t StreamWriterImpl::pending_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_;
}

void StreamWriterImpl::TakeQueued(std::vector<std::shared_ptr<const std::string>>* out,
                                  bool* close_requested) {
  std::lock_guard<std::mutex> lock(mu_);
  kick_posted_ = false;
  out->swap(queue_);
  *close_requested = close_requested_;
}

void StreamWriterImpl::Release(size_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_ -= std::min(bytes, pending_);
}

void StreamWriterImpl::MarkEnded() {
  std::unique_lock<std::mutex> lock(mu_);
  if (ended_) return;
  ended_ = true;
  queue_.clear();
  pending_ = 0;
  std::function<void()> callback = std::move(callback_);
  callback_ = nullptr;
  lock.unlock();
  if (callback) {
    try {
      callback();
    } catch (const std::exception& e) {
      spdlog::warn("http: stream closed-callback threw: {}", e.what());
    } catch (...) {
      spdlog::warn("http: stream closed-callback threw");
    }
  }
}

void StreamWriterImpl::Post(void (Session::*method)()) {
  lifeline_->Post(executor_, [weak = session_, method] {
    if (auto s = weak.lock()) ((*s).*method)();
  });
}

}  // namespace kizuna::http::internal
