#include "taxii/errors.h"

#include <boost/json.hpp>

#include "core/time.h"
#include "http/status_map.h"

namespace kizuna::taxii {

namespace json = boost::json;

namespace {

// The error resource's title: the HTTP reason phrase.
std::string_view StatusTitle(int code) {
  switch (code) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable";
    default: return code >= 500 ? "Internal Server Error" : "Error";
  }
}

}  // namespace

std::string FormatVersion(int64_t micros) {
  return FormatTimestamp(micros, micros % 1000 == 0 ? 3 : 6);
}

http::Response Error(int http_status, std::string_view title, std::string_view description) {
  json::object o;
  o["title"] = title;
  if (!description.empty()) o["description"] = description;
  o["http_status"] = std::to_string(http_status);
  http::Response r;
  r.status = http_status;
  r.headers.push_back({"content-type", kTaxiiMediaType});
  r.body = json::serialize(o);
  if (http_status == 401) {
    r.headers.push_back({"www-authenticate", "Basic realm=\"kizuna\", charset=\"UTF-8\""});
  }
  return r;
}

http::Response ErrorFor(const Status& status) {
  int code = http::HttpStatusFor(status.code());
  std::string_view title = StatusTitle(code);
  // Internal details stay in the server log, not in the response.
  if (code >= 500) return Error(code, title, "the server could not complete the request");
  return Error(code, title, status.message());
}

}  // namespace kizuna::taxii
