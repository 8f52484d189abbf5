#pragma once
// Status: the outcome of an operation that can fail for expected reasons
// (untrusted input, peers, I/O). Success allocates nothing (leveldb shape).
// Thread-compatible: a const Status may be read from several threads.

#include <memory>
#include <string>
#include <string_view>

namespace kizuna {

// The error codes. http/ maps each to one HTTP status and a TAXII error body.
enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,       // malformed or invalid input (400)
  kUnauthenticated,       // missing or bad credentials (401)
  kPermissionDenied,      // known resource, not allowed (403)
  kNotFound,              // no such resource, or not visible to the caller (404)
  kNotAcceptable,         // Accept header names no media type we produce (406)
  kAlreadyExists,         // conflicting create (409)
  kPayloadTooLarge,       // body over the configured limit (413)
  kUnsupportedMediaType,  // Content-Type is not one we accept (415)
  kFailedPrecondition,    // valid input that conflicts with current state (422)
  kResourceExhausted,     // rate or connection limits (429)
  kInternal,              // a bug or an unexpected library failure (500)
  kUnavailable,           // store or peer temporarily unavailable (503)
  kIoError,               // file or database I/O failed (500)
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() noexcept = default;  // OK
  Status(StatusCode code, std::string_view message);
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status Ok() { return Status(); }

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  // Empty for OK.
  const std::string& message() const;
  // "InvalidArgument: message", or "OK".
  std::string ToString() const;

  // Returns a copy with "context: " prepended to the message.
  Status WithContext(std::string_view context) const;

 private:
  struct Rep {
    StatusCode code;
    std::string message;
  };
  std::unique_ptr<Rep> rep_;
};

inline bool operator==(const Status& a, const Status& b) {
  return a.code() == b.code() && a.message() == b.message();
}

Status InvalidArgument(std::string_view message);
Status Unauthenticated(std::string_view message);
Status PermissionDenied(std::string_view message);
Status NotFound(std::string_view message);
Status NotAcceptable(std::string_view message);
Status AlreadyExists(std::string_view message);
Status PayloadTooLarge(std::string_view message);
Status UnsupportedMediaType(std::string_view message);
Status FailedPrecondition(std::string_view message);
Status ResourceExhausted(std::string_view message);
Status Internal(std::string_view message);
Status Unavailable(std::string_view message);
Status IoError(std::string_view message);

}  // namespace kizuna

#define KIZUNA_CONCAT_INNER_(a, b) a##b
#define KIZUNA_CONCAT_(a, b) KIZUNA_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define RETURN_IF_ERROR(expr)                          \
  do {                                                 \
    ::kizuna::Status kizuna_status_ = (expr);          \
    if (!kizuna_status_.ok()) return kizuna_status_;   \
  } while (0)
