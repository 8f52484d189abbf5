#include "core/status.h"

namespace kizuna {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "InvalidArgument";
    case StatusCode::kUnauthenticated: return "Unauthenticated";
    case StatusCode::kPermissionDenied: return "PermissionDenied";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kNotAcceptable: return "NotAcceptable";
    case StatusCode::kAlreadyExists: return "AlreadyExists";
    case StatusCode::kPayloadTooLarge: return "PayloadTooLarge";
    case StatusCode::kUnsupportedMediaType: return "UnsupportedMediaType";
    case StatusCode::kFailedPrecondition: return "FailedPrecondition";
    case StatusCode::kResourceExhausted: return "ResourceExhausted";
    case StatusCode::kInternal: return "Internal";
    case StatusCode::kUnavailable: return "Unavailable";
    case StatusCode::kIoError: return "IoError";
  }
  return "Unknown";
}

Status::Status(StatusCode code, std::string_view message) {
  if (code != StatusCode::kOk) rep_ = std::make_unique<Rep>(Rep{code, std::string(message)});
}

Status::Status(const Status& other)
    : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
  return *this;
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return rep_ ? rep_->message : kEmpty;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s(StatusCodeName(rep_->code));
  s += ": ";
  s += rep_->message;
  return s;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return Status();
  std::string m(context);
  m += ": ";
  m += rep_->message;
  return Status(rep_->code, m);
}

Status InvalidArgument(std::string_view m) { return Status(StatusCode::kInvalidArgument, m); }
Status Unauthenticated(std::string_view m) { return Status(StatusCode::kUnauthenticated, m); }
Status PermissionDenied(std::string_view m) { return Status(StatusCode::kPermissionDenied, m); }
Status NotFound(std::string_view m) { return Status(StatusCode::kNotFound, m); }
Status NotAcceptable(std::string_view m) { return Status(StatusCode::kNotAcceptable, m); }
Status AlreadyExists(std::string_view m) { return Status(StatusCode::kAlreadyExists, m); }
Status PayloadTooLarge(std::string_view m) { return Status(StatusCode::kPayloadTooLarge, m); }
Status UnsupportedMediaType(std::string_view m) {
  return Status(StatusCode::kUnsupportedMediaType, m);
}
Status FailedPrecondition(std::string_view m) { return Status(StatusCode::kFailedPrecondition, m); }
Status ResourceExhausted(std::string_view m) { return Status(StatusCode::kResourceExhausted, m); }
Status Internal(std::string_view m) { return Status(StatusCode::kInternal, m); }
Status Unavailable(std::string_view m) { return Status(StatusCode::kUnavailable, m); }
Status IoError(std::string_view m) { return Status(StatusCode::kIoError, m); }

}  // namespace kizuna
