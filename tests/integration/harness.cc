#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/encoding.h"

#ifndef KIZUNA_BINARY
#error "KIZUNA_BINARY must be defined by the build"
#endif

namespace kizuna::testing {
namespace {

pid_t Spawn(const std::vector<std::string>& argv, int* in_fd, int* out_fd, int* err_fd) {
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    // Fresh signal state: the test runner may have blocked signals.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  *in_fd = in[1];
  *out_fd = out[0];
  *err_fd = err[0];
  return pid;
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& stdin_text) {
  int in_fd, out_fd, err_fd;
  pid_t pid = Spawn(argv, &in_fd, &out_fd, &err_fd);
  signal(SIGPIPE, SIG_IGN);
  // Feed stdin without blocking the readers: a writer thread would be
  // simpler, but poll keeps this single-threaded.
  ProcessResult r;
  size_t in_off = 0;
  if (stdin_text.empty()) {
    close(in_fd);
    in_fd = -1;
  } else {
    fcntl(in_fd, F_SETFL, O_NONBLOCK);
  }
  bool out_open = true, err_open = true;
  char buf[65536];
  while (out_open || err_open) {
    pollfd fds[3];
    int n = 0;
    int out_i = -1, err_i = -1, in_i = -1;
    if (out_open) { fds[n] = {out_fd, POLLIN, 0}; out_i = n++; }
    if (err_open) { fds[n] = {err_fd, POLLIN, 0}; err_i = n++; }
    if (in_fd >= 0) { fds[n] = {in_fd, POLLOUT, 0}; in_i = n++; }
    if (poll(fds, static_cast<nfds_t>(n), 120000) <= 0) break;
    if (out_i >= 0 && fds[out_i].revents) {
      ssize_t k = read(out_fd, buf, sizeof buf);
      if (k <= 0) out_open = false; else r.out.append(buf, static_cast<size_t>(k));
    }
    if (err_i >= 0 && fds[err_i].revents) {
      ssize_t k = read(err_fd, buf, sizeof buf);
      if (k <= 0) err_open = false; else r.err.append(buf, static_cast<size_t>(k));
    }
    if (in_i >= 0 && fds[in_i].revents) {
      ssize_t k = write(in_fd, stdin_text.data() + in_off, stdin_text.size() - in_off);
      if (k > 0) in_off += static_cast<size_t>(k);
      if (k < 0 || in_off >= stdin_text.size()) {
        close(in_fd);
        in_fd = -1;
      }
    }
  }
  if (in_fd >= 0) close(in_fd);
  close(out_fd);
  close(err_fd);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::string KizunaBinary() {
  const char* other = std::getenv("KIZUNA_TEST_BINARY");
  return other != nullptr && *other ? std::string(other) : std::string(KIZUNA_BINARY);
}

ProcessResult RunKizuna(const std::vector<std::string>& args, const std::string& stdin_text) {
  std::vector<std::string> argv = {KizunaBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, stdin_text);
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/kizuna-test-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::unique_ptr<KizunaProcess> KizunaProcess::Start(const std::vector<std::string>& args,
                                                    std::string* error) {
  std::vector<std::string> argv = {KizunaBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  int in_fd, out_fd, err_fd;
  auto p = std::unique_ptr<KizunaProcess>(new KizunaProcess());
  p->pid_ = Spawn(argv, &in_fd, &out_fd, &err_fd);
  close(in_fd);
  p->out_fd_ = out_fd;
  std::string err_text;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  char buf[4096];
  bool err_open = true;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, static_cast<short>(err_open ? POLLIN : 0), 0}};
    if (poll(fds, 2, 500) < 0) continue;
    if (fds[1].revents) {
      ssize_t k = read(err_fd, buf, sizeof buf);
      if (k <= 0) err_open = false; else err_text.append(buf, static_cast<size_t>(k));
    }
    if (fds[0].revents) {
      ssize_t k = read(out_fd, buf, sizeof buf);
      if (k <= 0) break;
      p->out_.append(buf, static_cast<size_t>(k));
      const std::string key = "listening on http://";
      size_t at = p->out_.find(key);
      if (at == std::string::npos) at = p->out_.find("listening on https://");
      if (at != std::string::npos) {
        size_t nl = p->out_.find('\n', at);
        if (nl != std::string::npos) {
          std::string url = p->out_.substr(at + 13, nl - at - 13);
          p->base_url_ = url;
          size_t colon = url.rfind(':');
          p->port_ = std::atoi(url.c_str() + colon + 1);
          // Keep draining stderr in the background is not needed: the hub
          // writes little to it; close our end so it never blocks on a full pipe
          // (writes to a closed pipe fail with EPIPE, which the hub ignores).
          close(err_fd);
          return p;
        }
      }
    }
    int status;
    if (waitpid(p->pid_, &status, WNOHANG) == p->pid_) {
      p->pid_ = -1;
      break;
    }
  }
  if (error) *error = "kizuna did not start: " + p->out_ + err_text;
  close(err_fd);
  return nullptr;
}

const std::string& KizunaProcess::ReadStdout() {
  char buf[4096];
  while (out_fd_ >= 0) {
    pollfd p{out_fd_, POLLIN, 0};
    if (poll(&p, 1, 0) <= 0) break;
    ssize_t k = read(out_fd_, buf, sizeof buf);
    if (k <= 0) break;
    out_.append(buf, static_cast<size_t>(k));
  }
  return out_;
}

KizunaProcess::~KizunaProcess() {
  if (pid_ > 0) Kill();
  if (out_fd_ >= 0) close(out_fd_);
}

int KizunaProcess::Signal(int sig) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

int KizunaProcess::Stop() {
  int status = Signal(SIGTERM);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void KizunaProcess::Kill() { Signal(SIGKILL); }

std::string WriteHubConfig(const TempDir& dir, const std::string& extra) {
  std::string path = dir.File("kizuna.toml");
  std::ofstream out(path);
  out << "[server]\nlisten = \"127.0.0.1:0\"\naccess_log = \"off\"\nthreads = 2\n"
      << "[store]\npath = \"kizuna.db\"\n"
      << "[taxii]\ndefault_api_root = \"api1\"\n"
      << extra;
  return path;
}

// ---- HTTP client --------------------------------------------------------------

HttpConnection::HttpConnection(int port) : port_(port) {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd_);
    fd_ = -1;
    return;
  }
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

HttpConnection::~HttpConnection() {
  if (fd_ >= 0) close(fd_);
}

bool HttpConnection::SendRaw(const std::string& bytes) {
  if (fd_ < 0) return false;
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

HttpResponse HttpConnection::ReadResponse(int timeout_ms) {
  HttpResponse r;
  if (fd_ < 0) return r;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  bool eof = false;
  auto fill = [&]() -> bool {
    if (eof) return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    char tmp[65536];
    ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) {
      eof = true;
      return false;
    }
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  };
  size_t head_end;
  while ((head_end = buf_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return r;
  }
  std::string head = buf_.substr(0, head_end);
  buf_.erase(0, head_end + 4);
  size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  if (status_line.size() < 12) return r;
  r.status = std::atoi(status_line.c_str() + 9);
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t e = head.find("\r\n", pos);
    if (e == std::string::npos) e = head.size();
    std::string line = head.substr(pos, e - pos);
    pos = e + 2;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers[name] = value;
  }
  if (r.status == 100) return ReadResponse(timeout_ms);
  if (r.headers.count("content-length")) {
    size_t len = std::stoull(r.headers["content-length"]);
    while (buf_.size() < len) {
      if (!fill()) {
        r.status = 0;
        return r;
      }
    }
    r.body = buf_.substr(0, len);
    buf_.erase(0, len);
  } else if (r.headers["transfer-encoding"].find("chunked") != std::string::npos) {
    for (;;) {
      size_t e;
      while ((e = buf_.find("\r\n")) == std::string::npos) {
        if (!fill()) return r;
      }
      size_t n = std::stoull(buf_.substr(0, e), nullptr, 16);
      buf_.erase(0, e + 2);
      while (buf_.size() < n + 2) {
        if (!fill()) return r;
      }
      r.body.append(buf_, 0, n);
      buf_.erase(0, n + 2);
      if (n == 0) break;
    }
  } else if (r.status != 204 && r.status != 304) {
    while (fill()) {
    }
    r.body = buf_;
    buf_.clear();
  }
  return r;
}

HttpResponse HttpConnection::Request(const std::string& method, const std::string& target,
                                     const std::vector<std::pair<std::string, std::string>>& headers,
                                     const std::string& body) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" +
                    std::to_string(port_) + "\r\n";
  bool has_len = false;
  for (const auto& [k, v] : headers) {
    req += k + ": " + v + "\r\n";
    if (k == "Content-Length") has_len = true;
  }
  if (!has_len && (!body.empty() || method == "POST" || method == "PUT")) {
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n";
  req += body;
  if (!SendRaw(req)) return HttpResponse{};
  return ReadResponse();
}

HttpResponse HttpRequest(int port, const std::string& method, const std::string& target,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         const std::string& body) {
  HttpConnection c(port);
  return c.Request(method, target, headers, body);
}

std::string BasicAuth(const std::string& user, const std::string& password) {
  return "Basic " + Base64Encode(user + ":" + password);
}

}  // namespace kizuna::testing
