#pragma once
// Result<T>: a value or a non-OK Status, shaped like std::expected<T, Status>.

#include <cassert>
#include <utility>
#include <variant>

#include "core/status.h"

namespace kizuna {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result from an OK Status has no value");
  }

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok().
  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // OK when ok(), else the error.
  Status status() const { return ok() ? Status() : std::get<1>(v_); }
  // REQUIRES: !ok().
  const Status& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace kizuna

// ASSIGN_OR_RETURN(lhs, expr): evaluates expr (a Result<T>); on error returns
// its Status from the enclosing function, else assigns (or declares) lhs.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(KIZUNA_CONCAT_(kizuna_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.error();           \
  lhs = std::move(tmp).value()
