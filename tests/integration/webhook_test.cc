// Webhooks on a real hub (issue 5): batches POSTed to a receiver in this
// test, signed with HMAC-SHA256 (verified here with OpenSSL, not with the
// hub's code), in order, released by the policy as to the webhook's account;
// a failing receiver gets exactly max_attempts attempts, then the webhook is
// suspended, and resuming it delivers from its cursor with nothing lost.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/hmac.h>

#include <atomic>
#include <mutex>

#include "federation_support.h"

namespace kizuna::testing {
namespace {

constexpr const char* kColl = "f00d0000-0000-4000-8000-000000000001";
const char* kW1 = "identity--f1000000-0000-4000-8000-000000000001";
const char* kW2 = "identity--f1000000-0000-4000-8000-000000000002";
constexpr const char* kSecret = "webhook-signing-secret-0123456789";

struct Received {
  std::map<std::string, std::string> headers;
  std::string body;
  int answered = 0;  // the status the receiver answered with
};

// A minimal HTTP/1.1 receiver on loopback: answers every request with
// `status` (changeable) and records it.
class Receiver {
 public:
  Receiver() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(fd_, 16);
    thread_ = std::thread([this] { Run(); });
  }
  ~Receiver() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  int port() const { return port_; }
  void set_status(int s) { status_ = s; }
  std::vector<Received> received() {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  void Run() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      Serve(c);
      close(c);
    }
  }
  // One connection, requests until it closes.
  void Serve(int c) {
    std::string buf;
    char tmp[65536];
    for (;;) {
      size_t head_end;
      while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
        pollfd p{c, POLLIN, 0};
        if (stop_ || poll(&p, 1, 2000) <= 0) return;
        ssize_t n = recv(c, tmp, sizeof tmp, 0);
        if (n <= 0) return;
        buf.append(tmp, static_cast<size_t>(n));
      }
      Received r;
      std::string head = buf.substr(0, head_end);
      buf.erase(0, head_end + 4);
      size_t pos = head.find("\r\n") + 2;
      while (pos < head.size()) {
        size_t e = head.find("\r\n", pos);
        if (e == std::string::npos) e = head.size();
        std::string line = head.substr(pos, e - pos);
        pos = e + 2;
        size_t colon = line.find(':');
        std::string name = line.substr(0, colon);
        for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        r.headers[name] = line.substr(colon + 2);
      }
      size_t len = std::stoull(r.headers["content-length"]);
      while (buf.size() < len) {
        ssize_t n = recv(c, tmp, sizeof tmp, 0);
        if (n <= 0) return;
        buf.append(tmp, static_cast<size_t>(n));
      }
      r.body = buf.substr(0, len);
      buf.erase(0, len);
      int status = status_;
      r.answered = status;
      {
        std::lock_guard lock(mu_);
        received_.push_back(std::move(r));
      }
      std::string resp = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\n\r\n";
      send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> status_{200};
  std::mutex mu_;
  std::vector<Received> received_;
  std::thread thread_;
};

std::string HexHmac(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned int i = 0; i < len; ++i) {
    s += hex[out[i] >> 4];
    s += hex[out[i] & 15];
  }
  return s;
}

// Checks "t=<t>,v1=<hex>" against the body.
bool SignatureVerifies(const Received& r) {
  auto it = r.headers.find("x-kizuna-signature");
  if (it == r.headers.end()) return false;
  const std::string& h = it->second;
  size_t comma = h.find(',');
  if (h.rfind("t=", 0) != 0 || comma == std::string::npos || h.compare(comma + 1, 3, "v1=") != 0) return false;
  std::string t = h.substr(2, comma - 2);
  std::string v1 = h.substr(comma + 4);
  return HexHmac(kSecret, t + "." + r.body) == v1;
}

class WebhookTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    hub_ = new TestHub("hooks");
    hub_->Setup({{kW1, "Org One", "US", ""}, {kW2, "Org Two", "US", ""}}, {kW1, kW2}, {}, {kColl},
                {{"wendy", "Org One", "contributor"}, {"otto", "Org Two", "reader"}});
    hub_->Start();
  }
  static void TearDownTestSuite() {
    if (hub_) hub_->Stop();
    delete hub_;
  }
  static std::string AddWebhook(const std::string& account, int port, int max_attempts,
                                const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"--json", "webhook", "add", "--account", account, "--collection", kColl,
                                     "--url", "http://127.0.0.1:" + std::to_string(port) + "/hook",
                                     "--max-attempts", std::to_string(max_attempts), "--secret-stdin"};
    args.insert(args.end(), extra.begin(), extra.end());
    ProcessResult r = hub_->AdminResult(args, std::string(kSecret) + "\n");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return std::string(json::parse(r.out).as_object()["id"].as_string());
  }
  static std::vector<std::string> DeliveredIds(const std::vector<Received>& got) {
    std::vector<std::string> ids;
    for (const auto& r : got) {
      json::object o = json::parse(r.body).as_object();
      for (auto& v : o["objects"].as_array()) ids.emplace_back(v.as_object()["id"].as_string());
    }
    return ids;
  }
  static int next_;
  static std::vector<std::string> Publish(int n, const char* marking = kTlpClear,
                                          std::vector<std::string> orgs = {}) {
    std::vector<std::string> ids, objs;
    for (int i = 0; i < n; ++i) {
      ObjectSpec s{IndicatorId(40, next_++), {marking}, orgs};
      ids.push_back(s.id);
      objs.push_back(IndicatorJson(s));
    }
    EXPECT_EQ(hub_->Post("wendy", kColl, objs).status, 202);
    return ids;
  }
  static TestHub* hub_;
};
TestHub* WebhookTest::hub_ = nullptr;
int WebhookTest::next_ = 1;

TEST_F(WebhookTest, DeliversSignedBatchesInOrderAsTheAccountMaySee) {
  Receiver rx;
  std::string id = AddWebhook("otto", rx.port(), 5);
  // otto (Org Two) may not see AMBER for Org One only.
  std::vector<std::string> want;
  for (int b = 0; b < 5; ++b) {
    auto clear = Publish(30);
    want.insert(want.end(), clear.begin(), clear.end());
    Publish(3, kTlpAmber, {kW1});
  }
  ASSERT_TRUE(WaitUntil([&] { return DeliveredIds(rx.received()).size() >= want.size(); }))
      << DeliveredIds(rx.received()).size();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto got = rx.received();
  EXPECT_EQ(DeliveredIds(got), want);
  for (const auto& r : got) {
    EXPECT_TRUE(SignatureVerifies(r)) << r.headers.at("x-kizuna-signature");
    EXPECT_EQ(r.headers.at("x-kizuna-webhook"), id);
    EXPECT_EQ(r.headers.at("content-type"), "application/json");
    // A tampered body does not verify.
    Received bad = r;
    bad.body += " ";
    EXPECT_FALSE(SignatureVerifies(bad));
  }
  hub_->Admin({"webhook", "remove", id});
}

TEST_F(WebhookTest, RetriesStopAfterTheLimitAndResumeLosesNothing) {
  Receiver rx;
  rx.set_status(500);
  std::string id = AddWebhook("wendy", rx.port(), 3);
  auto first = Publish(10);
  // Exactly three attempts of the same batch, then the webhook is suspended.
  ASSERT_TRUE(WaitUntil([&] {
    ProcessResult r = hub_->AdminResult({"--json", "webhook", "list"});
    return r.out.find("\"suspended\":true") != std::string::npos;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto attempts = rx.received();
  ASSERT_EQ(attempts.size(), 3u);
  for (size_t i = 0; i < attempts.size(); ++i) {
    EXPECT_EQ(attempts[i].headers.at("x-kizuna-attempt"), std::to_string(i + 1));
    EXPECT_EQ(attempts[i].headers.at("x-kizuna-delivery"), attempts[0].headers.at("x-kizuna-delivery"));
    EXPECT_EQ(attempts[i].body, attempts[0].body);
    EXPECT_TRUE(SignatureVerifies(attempts[i]));
  }
  ProcessResult list = hub_->AdminResult({"--json", "webhook", "list"});
  EXPECT_NE(list.out.find("HTTP 500"), std::string::npos) << list.out;
  // More objects while suspended; then the receiver recovers and the webhook
  // is resumed: everything, from the cursor, in order.
  auto second = Publish(10);
  rx.set_status(200);
  hub_->Admin({"webhook", "resume", id});
  std::vector<std::string> want = first;
  want.insert(want.end(), second.begin(), second.end());
  ASSERT_TRUE(WaitUntil([&] { return DeliveredIds(rx.received()).size() >= 3 * first.size() + want.size(); }));
  auto all = rx.received();
  std::vector<Received> after(all.begin() + 3, all.end());
  EXPECT_EQ(DeliveredIds(after), want);
  hub_->Admin({"webhook", "remove", id});
}

// Issue 10, finding 4: a webhook delivers as its account; once the account
// is disabled it stops (not even the retry of a batch read before goes on)
// and is suspended with the reason.
TEST_F(WebhookTest, DisablingTheAccountSuspendsTheWebhook) {
  hub_->Admin({"account", "add", "dora", "--org", "Org Two", "--password-stdin", "--role", "reader"},
              Password("dora") + "\n");
  hub_->Admin({"grant", "dora", kColl, "--read"});
  Receiver rx;
  rx.set_status(500);  // the first batch is being retried...
  std::string id = AddWebhook("dora", rx.port(), 50);
  Publish(5);
  ASSERT_TRUE(WaitUntil([&] { return !rx.received().empty(); }));
  // ...when the account is disabled: the retries stop at once (not after the
  // 50 attempts) and the webhook is suspended, saying why.
  hub_->Admin({"account", "disable", "dora"});
  ASSERT_TRUE(WaitUntil([&] {
    ProcessResult r = hub_->AdminResult({"--json", "webhook", "list"});
    return r.out.find("\"suspended\":true") != std::string::npos;
  })) << "still delivering as a disabled account: " << rx.received().size() << " attempts; "
      << hub_->AdminResult({"--json", "webhook", "list"}).out;
  ProcessResult list = hub_->AdminResult({"--json", "webhook", "list"});
  EXPECT_NE(list.out.find("the account was disabled"), std::string::npos) << list.out;
  // The receiver would now accept, and more objects come: nothing is sent.
  const size_t attempts = rx.received().size();
  rx.set_status(200);
  Publish(3);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto after = rx.received();
  EXPECT_EQ(after.size(), attempts);
  for (const auto& r : after) EXPECT_NE(r.answered, 200) << "delivered as a disabled account";
  hub_->Admin({"webhook", "remove", id});
}

TEST_F(WebhookTest, RegistrationRefusesBadInput) {
  auto fails = [&](std::vector<std::string> args) {
    std::vector<std::string> a = {"webhook", "add"};
    a.insert(a.end(), args.begin(), args.end());
    ProcessResult r = hub_->AdminResult(a);
    EXPECT_NE(r.exit_code, 0) << r.out;
  };
  fails({"--account", "nobody", "--collection", kColl, "--url", "http://127.0.0.1:1/h"});
  fails({"--account", "wendy", "--collection", kColl, "--url", "http://example.org/h"});  // plain http, not loopback
  fails({"--account", "wendy", "--collection", kColl, "--url", "ftp://127.0.0.1/h"});
  fails({"--account", "wendy", "--collection", kColl, "--url", "http://127.0.0.1:1/h", "--marking", "purple"});
  ProcessResult list = hub_->AdminResult({"--json", "webhook", "list"});
  EXPECT_EQ(list.out, "[]\n");
}

// Issue 10 (a partner reading what is not theirs): signed objects, AMBER
// and RED among them, travel over plain http only to this machine. A host
// that merely starts like a loopback address is someone else's machine.
TEST_F(WebhookTest, PlainHttpOnlyToLoopbackHosts) {
  auto add = [&](const std::string& url) {
    return hub_->AdminResult({"--json", "webhook", "add", "--account", "wendy", "--collection", kColl, "--url", url});
  };
  for (const char* url : {"http://127.attacker.example/hook", "http://127.0.0.1.example.org/hook",
                          "http://127.0.0.1.example.org:8080/hook", "http://localhost./hook",
                          "http://localhost.example.org/hook", "http://[::ffff:127.0.0.1]/hook",
                          "http://2130706433/hook", "http://0x7f000001/hook", "http://127.1/hook",
                          "http://127.0.0.1@evil.example/hook", "http://evil.example#@127.0.0.1/hook",
                          "http://localhos%74/hook"}) {
    ProcessResult r = add(url);
    EXPECT_NE(r.exit_code, 0) << url << " was accepted: " << r.out;
  }
  EXPECT_EQ(hub_->AdminResult({"--json", "webhook", "list"}).out, "[]\n");
  // Loopback in its spellings, and https anywhere, are accepted.
  for (const char* url : {"http://127.0.0.1:9/hook", "http://127.1.2.3:9/hook", "http://[::1]:9/hook",
                          "http://localhost:9/hook", "http://LOCALHOST:9/hook",
                          "https://127.attacker.example/hook"}) {
    ProcessResult r = add(url);
    ASSERT_EQ(r.exit_code, 0) << url << ": " << r.err;
    hub_->Admin({"webhook", "remove", std::string(json::parse(r.out).as_object()["id"].as_string())});
  }
}

}  // namespace
}  // namespace kizuna::testing
