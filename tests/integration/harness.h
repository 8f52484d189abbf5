#pragma once
// Integration-test harness: runs the real `kizuna` binary (KIZUNA_BINARY) as
// a child process with a temporary data directory, on port 0, and talks to
// it over real HTTP on loopback.

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kizuna::testing {

struct ProcessResult {
  int exit_code = -1;
  std::string out, err;
};

// Runs argv[0] with arguments, feeding stdin_text, and collects its output.
ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& stdin_text);

// The binary under test: KIZUNA_BINARY (this build's), or the one the
// environment variable KIZUNA_TEST_BINARY names (to show that a new test
// fails on an earlier build: KIZUNA_TEST_BINARY=/old/kizuna ./integration_x).
std::string KizunaBinary();

// Runs `kizuna <args...>`.
ProcessResult RunKizuna(const std::vector<std::string>& args, const std::string& stdin_text = "");

// A fresh directory under $TMPDIR, removed with its content on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A running `kizuna serve` (or any long-running kizuna command that prints
// "kizuna: listening on http://HOST:PORT").
class KizunaProcess {
 public:
  // Starts `kizuna <args...>` and waits (up to 60 s) for the listening line.
  // Returns nullptr (with the reason in *error) when it exits or times out.
  static std::unique_ptr<KizunaProcess> Start(const std::vector<std::string>& args,
                                              std::string* error);
  ~KizunaProcess();  // SIGKILLs the process if still running

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  const std::string& base_url() const { return base_url_; }  // "http://127.0.0.1:PORT"
  // Everything the process printed on stdout so far.
  const std::string& stdout_text() const { return out_; }
  // Reads what the process has printed on stdout since (its log lines, at
  // the configured log_level), without waiting, and returns it all.
  const std::string& ReadStdout();

  // Sends a signal and waits for the exit; returns the wait status.
  int Signal(int sig);
  // SIGTERM, then wait: returns the exit code (or 128+signal).
  int Stop();
  // SIGKILL, then wait.
  void Kill();

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int port_ = 0;
  std::string base_url_;
  std::string out_;
};

// Writes a minimal hub configuration (listen on 127.0.0.1:0, store in the
// directory, access log off) plus `extra` TOML lines, and returns its path.
std::string WriteHubConfig(const TempDir& dir, const std::string& extra = "");

// Sets up a hub directory for tests with `kizuna admin`: API root "api1",
// the given collections (alias -> title), organizations and accounts. Fast
// argon2 parameters are not used: this exercises the real CLI.
struct TestAccount {
  std::string username;
  std::string password;
  std::string org;
  std::vector<std::string> roles;
  // collection alias -> "r", "w" or "rw"
  std::map<std::string, std::string> grants;
};

// ---- a minimal raw HTTP/1.1 client (independent of src/http, so a bug there
// cannot hide a bug in the server) ----------------------------------------------

struct HttpResponse {
  int status = 0;  // 0: no response (connection failed or closed)
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// One keep-alive connection to 127.0.0.1:port.
class HttpConnection {
 public:
  explicit HttpConnection(int port);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Sends raw bytes (for malformed-request tests).
  bool SendRaw(const std::string& bytes);
  // Reads one response (Content-Length, chunked or close-delimited body).
  // timeout_ms bounds the whole read.
  HttpResponse ReadResponse(int timeout_ms = 30000);
  // Sends a request with Host, Content-Length and the given headers.
  HttpResponse Request(const std::string& method, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers = {},
                       const std::string& body = "");

 private:
  int port_;
  int fd_ = -1;
  std::string buf_;
};

// One request on a fresh connection.
HttpResponse HttpRequest(int port, const std::string& method, const std::string& target,
                         const std::vector<std::pair<std::string, std::string>>& headers = {},
                         const std::string& body = "");

// "Basic base64(user:password)".
std::string BasicAuth(const std::string& user, const std::string& password);

inline constexpr const char* kTaxii = "application/taxii+json;version=2.1";

}  // namespace kizuna::testing
