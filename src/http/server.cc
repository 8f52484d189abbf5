#include "http/server.h"

#include "http/listener.h"

namespace kizuna::http {

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 417:
      return "Expectation Failed";
    case 422:
      return "Unprocessable Content";
    case 425:
      return "Too Early";
    case 426:
      return "Upgrade Required";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

class Server::Impl : public internal::Listener {
 public:
  using internal::Listener::Listener;
};

Server::Server(ServerOptions options, Handler handler, BodyLimit body_limit,
               ErrorFormatter error_formatter, HeadCheck head_check)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), std::move(body_limit),
                                   std::move(error_formatter), std::move(head_check))) {}

Server::~Server() = default;

Status Server::Start() { return impl_->Start(); }
void Server::Stop() { impl_->Stop(); }
bool Server::running() const { return impl_->running(); }
std::vector<std::string> Server::listening() const { return impl_->listening(); }
uint16_t Server::port(size_t i) const { return impl_->port(i); }
size_t Server::open_connections() const { return impl_->open_connections(); }

}  // namespace kizuna::http
