#pragma once
// Helpers for the federation and channel integration tests (issue 5): hubs
// set up with the admin CLI and run as real processes, a chunked/SSE stream
// reader and a WebSocket reader of their own (independent of src/http and
// src/stream), a direct read-only look at a hub's database (what it holds,
// whatever the policy lets a reader see), and waiting with a generous
// deadline (never a timed assertion).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <optional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace kizuna::testing {

namespace json = boost::json;

inline constexpr const char* kTlpClear = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
inline constexpr const char* kTlpGreen = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
inline constexpr const char* kTlpAmber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
inline constexpr const char* kTlpAmberStrict = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003";
inline constexpr const char* kTlpRed = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
inline constexpr const char* kAudience = "extension-definition--7a79d0e5-a2c1-4b04-870f-c5d9a7fed356";

// Polls `done` every 50 ms for up to `seconds`; true when it held.
inline bool WaitUntil(const std::function<bool()>& done, int seconds = 60) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

inline std::string Password(const std::string& user) { return user + "-password-123"; }

// "indicator--<uuid>" from a number and a namespace digit.
inline std::string IndicatorId(int space, int n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "indicator--%08x-0000-4000-8000-%012d", 0xfed00000 + space, n);
  return buf;
}

struct ObjectSpec {
  std::string id;
  std::vector<std::string> markings;
  std::vector<std::string> audience_orgs;
  std::vector<std::string> audience_accounts;
  std::string modified = "2025-01-01T00:00:00.000Z";
  std::string extra;  // ,"key":value members
};

inline std::string IndicatorJson(const ObjectSpec& s) {
  json::object o{{"type", "indicator"},
                 {"spec_version", "2.1"},
                 {"id", s.id},
                 {"created", "2025-01-01T00:00:00.000Z"},
                 {"modified", s.modified},
                 {"name", "federation test"},
                 {"description", "notes"},
                 {"pattern", "[ipv4-addr:value = '198.51.100.7']"},
                 {"pattern_type", "stix"},
                 {"valid_from", "2025-01-01T00:00:00Z"}};
  if (!s.markings.empty()) {
    json::array m;
    for (const auto& x : s.markings) m.push_back(json::string(x));
    o["object_marking_refs"] = m;
  }
  if (!s.audience_orgs.empty() || !s.audience_accounts.empty()) {
    json::object ext{{"extension_type", "property-extension"}};
    json::array a, b;
    for (const auto& x : s.audience_orgs) a.push_back(json::string(x));
    for (const auto& x : s.audience_accounts) b.push_back(json::string(x));
    if (!a.empty()) ext["organizations"] = a;
    if (!b.empty()) ext["accounts"] = b;
    o["extensions"] = json::object{{kAudience, ext}};
  }
  std::string text = json::serialize(o);
  if (!s.extra.empty()) text = text.substr(0, text.size() - 1) + s.extra + "}";
  return text;
}

inline std::string Envelope(const std::vector<std::string>& objects) {
  std::string s = "{\"objects\":[";
  for (size_t i = 0; i < objects.size(); ++i) s += (i ? "," : "") + objects[i];
  return s + "]}";
}

struct OrgDef {
  std::string id, name, nation, home;  // home: hub name ("" = the hub being set up)
};
struct AccountDef {
  std::string user, org, role;
};

// One hub process with its own directory, set up through `kizuna admin`.
class TestHub {
 public:
  // `log_level`: what the hub prints on stdout (Output()).
  TestHub(std::string name, std::string extra_config = "", std::string log_level = "error")
      : name_(std::move(name)) {
    config_ = dir_.File("kizuna.toml");
    std::ofstream out(config_);
    out << "[server]\nlisten = \"127.0.0.1:0\"\naccess_log = \"off\"\nthreads = 2\n"
        << "log_level = \"" << log_level << "\"\n"
        << "[store]\npath = \"kizuna.db\"\n"
        << "[taxii]\ndefault_api_root = \"api1\"\n"
        << "[metrics]\npublic = true\n"
        << "[federation]\nhub_name = \"" << name_ << "\"\nretry_max_ms = 2000\n"
        << extra_config;
  }
  ~TestHub() {
    if (proc_) proc_->Kill();
  }

  const std::string& name() const { return name_; }
  const std::string& config() const { return config_; }
  std::string db() const { return dir_.File("kizuna.db"); }
  int port() const { return proc_ ? proc_->port() : fixed_port_; }
  bool running() const { return proc_ != nullptr; }
  std::string discovery() const { return "http://127.0.0.1:" + std::to_string(port()) + "/taxii2/"; }

  void Admin(const std::vector<std::string>& args, const std::string& in = "") const {
    std::vector<std::string> a = {"admin", "--config", config_};
    a.insert(a.end(), args.begin(), args.end());
    ProcessResult r = RunKizuna(a, in);
    ASSERT_EQ(r.exit_code, 0) << "kizuna admin failed on " << name_ << ": " << r.err << r.out;
  }
  ProcessResult AdminResult(const std::vector<std::string>& args, const std::string& in = "") const {
    std::vector<std::string> a = {"admin", "--config", config_};
    a.insert(a.end(), args.begin(), args.end());
    return RunKizuna(a, in);
  }

  // Organizations (all hubs know all of them), a trust group, API root api1,
  // collections, the accounts of this hub with read/write grants.
  void Setup(const std::vector<OrgDef>& orgs, const std::vector<std::string>& group,
             const std::vector<std::pair<std::string, std::string>>& clients,
             const std::vector<std::string>& collections, const std::vector<AccountDef>& accounts,
             const std::string& default_marking = "") {
    for (const auto& o : orgs) {
      std::vector<std::string> args = {"org", "add", "--id", o.id, "--name", o.name, "--nation",
                                       o.nation, "--kind", "government"};
      if (!o.home.empty() && o.home != name_) {
        args.push_back("--home-hub");
        args.push_back(o.home);
      }
      Admin(args);
    }
    for (const auto& [org, client] : clients) Admin({"org", "set-clients", org, "--client", client});
    std::vector<std::string> g = {"trust-group", "add", "g1", "--name", "Group one"};
    for (const auto& m : group) {
      g.push_back("--member");
      g.push_back(m);
    }
    Admin(g);
    Admin({"api-root", "add", "api1"});
    for (const auto& c : collections) {
      std::vector<std::string> args = {"collection", "add", "--api-root", "api1", "--title",
                                       "shared", "--id", c, "--trust-group", "g1"};
      if (!default_marking.empty()) {
        args.push_back("--default-marking");
        args.push_back(default_marking);
      }
      Admin(args);
    }
    for (const auto& a : accounts) {
      Admin({"account", "add", a.user, "--org", a.org, "--password-stdin", "--role", a.role},
            Password(a.user) + "\n");
      for (const auto& c : collections) Admin({"grant", a.user, c, "--read", "--write"});
    }
  }

  // The first start picks a free port; restarts keep it (peers know it).
  void Start() {
    std::string error;
    std::vector<std::string> args = {"serve", "--config", config_};
    if (fixed_port_ > 0) {
      args.push_back("--listen");
      args.push_back("127.0.0.1:" + std::to_string(fixed_port_));
    }
    for (int attempt = 0; attempt < 20 && proc_ == nullptr; ++attempt) {
      proc_ = KizunaProcess::Start(args, &error);
      // After SIGKILL the port can stay busy for a moment.
      if (proc_ == nullptr) std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    ASSERT_NE(proc_, nullptr) << error;
    fixed_port_ = proc_->port();
  }
  void Stop() {
    if (proc_) {
      EXPECT_EQ(proc_->Stop(), 0);
    }
    proc_.reset();
  }
  void Kill() {
    if (proc_) proc_->Kill();
    proc_.reset();
  }
  // Everything the running hub has printed on stdout (its log).
  std::string Output() { return proc_ ? proc_->ReadStdout() : std::string(); }

  // This hub peers with `other`: flows on `collections` in `direction`; the
  // organizations homed on the other hub; the account `other` uses here.
  void AddPeer(const TestHub& other, const std::vector<std::string>& collections,
               const std::string& direction, const std::vector<std::string>& home_orgs,
               const std::string& account_org, bool push = false, const std::string& url = "") const {
    std::vector<std::string> args = {"peer", "add", other.name(), "--url",
                                     url.empty() ? other.discovery() : url,
                                     "--remote-password-stdin", "--account-password-stdin",
                                     "--account-org", account_org};
    for (const auto& c : collections) {
      args.push_back("--flow");
      args.push_back(c + ":" + direction);
    }
    for (const auto& o : home_orgs) {
      args.push_back("--home-org");
      args.push_back(o);
    }
    if (push) args.push_back("--push");
    // The password this hub uses on `other` is the one `other` gives its
    // account named after this hub, and the other way round.
    Admin(args, Password(name_ + "@" + other.name()) + "\n" + Password(other.name() + "@" + name_) + "\n");
  }

  HttpResponse Get(const std::string& user, const std::string& target) const {
    return HttpRequest(port(), "GET", target,
                       {{"Authorization", BasicAuth(user, Password(user))}, {"Accept", kTaxii}});
  }
  HttpResponse Post(const std::string& user, const std::string& collection,
                    const std::vector<std::string>& objects) const {
    return HttpRequest(port(), "POST", "/api1/collections/" + collection + "/objects/",
                       {{"Authorization", BasicAuth(user, Password(user))},
                        {"Accept", kTaxii},
                        {"Content-Type", kTaxii}},
                       Envelope(objects));
  }

  // Every (id, version) the reader may see, following `next`.
  std::multiset<std::string> Visible(const std::string& user, const std::string& collection) const {
    std::multiset<std::string> out;
    std::string next;
    for (int guard = 0; guard < 100000; ++guard) {
      std::string target = "/api1/collections/" + collection +
                           "/objects/?match[type]=indicator&match[version]=all&limit=1000" + (next.empty() ? "" : "&next=" + next);
      HttpResponse r = Get(user, target);
      if (r.status != 200) {
        ADD_FAILURE() << name_ << " GET as " << user << ": " << r.status << " " << r.body;
        break;
      }
      json::object o = json::parse(r.body).as_object();
      if (o.contains("objects")) {
        for (auto& v : o["objects"].as_array()) {
          auto& ob = v.as_object();
          out.insert(std::string(ob["id"].as_string()) + "|" + std::string(ob["modified"].as_string()));
        }
      }
      if (!o["more"].as_bool()) break;
      next = std::string(o["next"].as_string());
    }
    return out;
  }

  struct Stored {
    std::string id;
    int64_t version = 0;
    std::string origin;
    std::string marking;
    std::string audience;
  };
  // What the hub holds in a collection, read from its database directly.
  std::vector<Stored> Holdings(const std::string& collection) const {
    std::vector<Stored> out;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << db_path();
      sqlite3_close(db);
      return out;
    }
    sqlite3_busy_timeout(db, 10000);
    // Each collection's objects live in their own table, objects_<key>.
    sqlite3_stmt* st = nullptr;
    int64_t key = -1;
    sqlite3_prepare_v2(db, "SELECT key FROM collections WHERE id = ?1", -1, &st, nullptr);
    sqlite3_bind_text(st, 1, collection.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) key = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    st = nullptr;
    if (key < 0) {
      sqlite3_close(db);
      return out;
    }
    const std::string sql = "SELECT id, version, origin, marking, audience FROM objects_" +
                            std::to_string(key) + " WHERE type = 'indicator'";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot read " << db_path() << ": " << sqlite3_errmsg(db);
      sqlite3_close(db);
      return out;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
      Stored s;
      s.id = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
      s.version = sqlite3_column_int64(st, 1);
      s.origin = reinterpret_cast<const char*>(sqlite3_column_text(st, 2));
      s.marking = reinterpret_cast<const char*>(sqlite3_column_text(st, 3));
      s.audience = reinterpret_cast<const char*>(sqlite3_column_text(st, 4));
      out.push_back(std::move(s));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }
  std::multiset<std::string> HeldIds(const std::string& collection) const {
    std::multiset<std::string> ids;
    for (const auto& s : Holdings(collection)) ids.insert(s.id);
    return ids;
  }
  std::string Metric(const std::string& name) const {
    HttpResponse r = HttpRequest(port(), "GET", "/metrics");
    size_t at = r.body.find("\n" + name + " ");
    if (at == std::string::npos) return "";
    size_t end = r.body.find('\n', at + 1);
    return r.body.substr(at + name.size() + 2, end - at - name.size() - 2);
  }

 private:
  std::string db_path() const { return dir_.File("kizuna.db"); }

  std::string name_;
  TempDir dir_;
  std::string config_;
  std::unique_ptr<KizunaProcess> proc_;
  int fixed_port_ = 0;
};

// ---- channels: a stream reader of our own ------------------------------------------

struct StreamEvent {
  std::string id, event, data;
};

// One open stream (SSE over chunked HTTP/1.1, or WebSocket text messages).
class StreamReader {
 public:
  // Opens GET target with the headers; false when the connection failed.
  bool Open(int port, const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers,
            bool websocket = false, int receive_buffer = 0) {
    websocket_ = websocket;
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (receive_buffer > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return false;
    std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
    if (websocket) {
      req += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    }
    req += "\r\n";
    if (send(fd_, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) return false;
    // The head.
    while (buf_.find("\r\n\r\n") == std::string::npos) {
      if (!Fill(30000)) return false;
    }
    size_t end = buf_.find("\r\n\r\n");
    head_ = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    status_ = std::atoi(head_.c_str() + 9);
    return true;
  }
  ~StreamReader() { Close(); }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  int status() const { return status_; }
  const std::string& head() const { return head_; }
  int fd() const { return fd_; }

  // The next event, or nullopt when the stream ended or nothing came within
  // `timeout_ms`.
  std::optional<StreamEvent> Next(int timeout_ms = 30000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      if (auto e = Parse()) return e;
      if (ended_) return std::nullopt;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0 || !Fill(static_cast<int>(left))) return std::nullopt;
    }
  }
  bool ended() const { return ended_; }

 private:
  bool Fill(int timeout_ms) {
    if (fd_ < 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return false;
    char tmp[65536];
    ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) {
      ended_ = true;
      return false;
    }
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  std::optional<StreamEvent> Parse() {
    if (websocket_) return ParseWebSocket();
    // De-chunk what is complete.
    for (;;) {
      size_t e = buf_.find("\r\n");
      if (e == std::string::npos) break;
      size_t n = std::stoull(buf_.substr(0, e), nullptr, 16);
      if (buf_.size() < e + 2 + n + 2) break;
      if (n == 0) {
        ended_ = true;
        buf_.clear();
        break;
      }
      body_.append(buf_, e + 2, n);
      buf_.erase(0, e + 2 + n + 2);
    }
    for (;;) {
      size_t end = body_.find("\n\n");
      if (end == std::string::npos) return std::nullopt;
      std::string block = body_.substr(0, end);
      body_.erase(0, end + 2);
      StreamEvent ev;
      bool data = false;
      size_t pos = 0;
      while (pos <= block.size()) {
        size_t nl = block.find('\n', pos);
        if (nl == std::string::npos) nl = block.size();
        std::string line = block.substr(pos, nl - pos);
        pos = nl + 1;
        if (line.rfind("id: ", 0) == 0) ev.id = line.substr(4);
        if (line.rfind("event: ", 0) == 0) ev.event = line.substr(7);
        if (line.rfind("data: ", 0) == 0) {
          if (data) ev.data += '\n';
          ev.data += line.substr(6);
          data = true;
        }
      }
      if (data) return ev;
    }
  }

  std::optional<StreamEvent> ParseWebSocket() {
    if (buf_.size() < 2) return std::nullopt;
    const auto* p = reinterpret_cast<const unsigned char*>(buf_.data());
    uint8_t op = p[0] & 0x0f;
    uint64_t len = p[1] & 0x7f;
    size_t head = 2;
    if (len == 126) {
      if (buf_.size() < 4) return std::nullopt;
      len = (uint64_t{p[2]} << 8) | p[3];
      head = 4;
    } else if (len == 127) {
      if (buf_.size() < 10) return std::nullopt;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
      head = 10;
    }
    if (buf_.size() < head + len) return std::nullopt;
    std::string payload = buf_.substr(head, static_cast<size_t>(len));
    buf_.erase(0, head + static_cast<size_t>(len));
    if (op == 0x8) {
      ended_ = true;
      return std::nullopt;
    }
    if (op != 0x1) return ParseWebSocket();
    StreamEvent ev;
    json::object o = json::parse(payload).as_object();
    ev.event = std::string(o["event"].as_string());
    ev.id = std::string(o["id"].as_string());
    ev.data = payload;
    return ev;
  }

  int fd_ = -1;
  bool websocket_ = false;
  int status_ = 0;
  std::string head_, buf_, body_;
  bool ended_ = false;
};

// The object ids of an "objects" event, in order.
inline std::vector<std::string> EventObjectIds(const StreamEvent& e) {
  std::vector<std::string> ids;
  json::object o = json::parse(e.data).as_object();
  for (auto& v : o["objects"].as_array()) ids.emplace_back(v.as_object()["id"].as_string());
  return ids;
}

}  // namespace kizuna::testing
