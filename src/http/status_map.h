#pragma once
// The one mapping from a Status code to an HTTP status code. Every layer that
// answers HTTP (TAXII, feeds, channels, the dashboard API) uses it, so an
// error means the same thing on every path.

#include "core/status.h"

namespace kizuna::http {

// 200 for OK; 400, 401, 403, 404, 406, 409, 413, 415, 422, 429, 500, 503.
int HttpStatusFor(StatusCode code);

}  // namespace kizuna::http
