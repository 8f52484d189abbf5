// `kizuna match`, `kizuna export --format ...`, `kizuna import --format misp`
// and the /feeds/ endpoints through the real binary: against files and
// standard input, against a running hub (indicators pulled, updated and
// revoked while a follow-mode scan runs, sightings reported back), and the
// feeds' policy (a reader never gets what the decision point denies).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "harness.h"

namespace kizuna::testing {
namespace {

namespace json = boost::json;

constexpr const char* kCol = "c0c0c0c0-0000-4000-8000-000000000001";
constexpr const char* kAmber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
constexpr const char* kRed = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
constexpr const char* kClear = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
constexpr const char* kAudienceExt = "extension-definition--7a79d0e5-a2c1-4b04-870f-c5d9a7fed356";

std::string IndicatorJson(int n, const std::string& pattern, const std::string& marking = kAmber,
                          const std::string& modified = "2025-01-01T00:00:00.000Z",
                          bool revoked = false, const std::string& audience_account = "") {
  char id[64];
  std::snprintf(id, sizeof id, "indicator--dddddddd-0000-4000-8000-%012d", n);
  json::object o{{"type", "indicator"}, {"spec_version", "2.1"}, {"id", id},
                 {"created", "2025-01-01T00:00:00.000Z"}, {"modified", modified},
                 {"name", "ind " + std::to_string(n)}, {"pattern", pattern},
                 {"pattern_type", "stix"}, {"valid_from", "2025-01-01T00:00:00Z"},
                 {"confidence", 70}, {"object_marking_refs", json::array{json::string(marking)}}};
  if (revoked) o["revoked"] = true;
  if (!audience_account.empty()) {
    o["extensions"] = json::object{
        {kAudienceExt, json::object{{"extension_type", "property-extension"},
                                    {"accounts", json::array{json::string(audience_account)}}}}};
  }
  return json::serialize(o);
}

std::string Id(int n) {
  char id[64];
  std::snprintf(id, sizeof id, "indicator--dddddddd-0000-4000-8000-%012d", n);
  return id;
}

void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::vector<json::object> JsonLines(const std::string& out) {
  std::vector<json::object> v;
  std::istringstream in(out);
  std::string l;
  while (std::getline(in, l)) {
    if (!l.empty()) v.push_back(json::parse(l).as_object());
  }
  return v;
}

TEST(MatchCliTest, FileStdinCompressedAndMalformedLines) {
  TempDir dir;
  std::string ind = dir.File("ind.jsonl");
  Write(ind, IndicatorJson(1, "[domain-name:value = 'evil.example']") + "\n" +
                 IndicatorJson(2, "[ipv4-addr:value = '198.51.100.0/24']") + "\n" +
                 IndicatorJson(3, "[file:hashes.MD5 = '44d88612fea8a474f97c918d4b5c4b2c']") + "\n");
  std::string eve = dir.File("eve.json");
  Write(eve,
        "{\"timestamp\":\"2025-03-01T00:00:00.000000+0000\",\"event_type\":\"dns\",\"src_ip\":\"10.0.0.1\","
        "\"dest_ip\":\"10.0.0.53\",\"dns\":{\"rrname\":\"www.evil.example\"}}\n"
        "{\"event_type\":\"flow\",\"src_ip\":\"10.0.0.1\",\"dest_ip\":\"198.51.100.77\"}\n"
        "{\"broken\": \n"
        "{\"event_type\":\"fileinfo\",\"fileinfo\":{\"md5\":\"44D88612FEA8A474F97C918D4B5C4B2C\"}}\n"
        "{\"event_type\":\"dns\",\"dns\":{\"rrname\":\"good.example\"}}\n");
  ProcessResult r = RunKizuna({"match", "--indicators", ind, "--format", "eve", eve});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto m = JsonLines(r.out);
  ASSERT_EQ(m.size(), 3u) << r.out;
  EXPECT_EQ(m[0].at("line").as_int64(), 1);
  EXPECT_EQ(m[0].at("value").as_string(), "www.evil.example");
  EXPECT_EQ(m[0].at("indicator").as_string(), Id(1));
  EXPECT_EQ(m[0].at("name").as_string(), "ind 1");
  EXPECT_EQ(m[0].at("tlp").as_string(), "TLP:AMBER");
  EXPECT_EQ(m[0].at("marking").as_array()[0].as_string(), kAmber);
  EXPECT_EQ(m[0].at("confidence").as_int64(), 70);
  EXPECT_EQ(m[0].at("file").as_string(), eve);
  EXPECT_EQ(m[1].at("line").as_int64(), 2);
  EXPECT_EQ(m[1].at("how").as_string(), "cidr");
  EXPECT_EQ(m[2].at("line").as_int64(), 4);
  EXPECT_EQ(m[2].at("indicator").as_string(), Id(3));
  EXPECT_NE(r.err.find(eve + ":3: malformed"), std::string::npos) << r.err;

  // The same log from standard input, and gzip-compressed.
  std::ifstream in(eve);
  std::stringstream ss;
  ss << in.rdbuf();
  ProcessResult s = RunKizuna({"match", "--indicators", ind, "--format", "eve", "--quiet"}, ss.str());
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(JsonLines(s.out).size(), 3u);
  EXPECT_EQ(JsonLines(s.out)[2].at("file").as_string(), "-");
  ProcessResult z = RunProcess({"/bin/gzip", "-c", eve}, "");
  ASSERT_EQ(z.exit_code, 0);
  std::ofstream(dir.File("eve.json.gz"), std::ios::binary) << z.out;
  ProcessResult g = RunKizuna({"match", "--indicators", ind, "--format", "eve", "--threads", "2",
                               dir.File("eve.json.gz")});
  EXPECT_EQ(g.exit_code, 0);
  EXPECT_EQ(JsonLines(g.out).size(), 3u);

  // No match: exit 1 (grep's convention); bad arguments: 2.
  Write(dir.File("clean.log"), "good.example\n");
  EXPECT_EQ(RunKizuna({"match", "--indicators", ind, "--format", "lines", dir.File("clean.log")}).exit_code, 1);
  EXPECT_EQ(RunKizuna({"match", "--indicators", ind, "--format", "nope", eve}).exit_code, 2);
  EXPECT_NE(RunKizuna({"match", "--indicators", ind, "--format", "eve", dir.File("missing")}).exit_code, 0);
}

// A hub with two organizations and accounts, set up with `kizuna admin`.
class MatchHubTest : public ::testing::Test {
 protected:
  static void Admin(const std::vector<std::string>& args, const std::string& in = "") {
    std::vector<std::string> a = {"admin", "--config", config_};
    a.insert(a.end(), args.begin(), args.end());
    ProcessResult r = RunKizuna(a, in);
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  }
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    config_ = WriteHubConfig(*dir_);
    Admin({"org", "add", "--id", "identity--eeeeeeee-0000-4000-8000-000000000001", "--name", "CSIRT",
           "--nation", "JP", "--kind", "government"});
    Admin({"org", "add", "--id", "identity--eeeeeeee-0000-4000-8000-000000000002", "--name", "Outsider",
           "--nation", "US", "--kind", "vendor"});
    Admin({"trust-group", "add", "g", "--name", "G", "--member", "CSIRT"});
    Admin({"api-root", "add", "api1"});
    Admin({"collection", "add", "--api-root", "api1", "--title", "Frontline", "--id", kCol,
           "--trust-group", "g"});
    for (const auto& [user, org] : std::vector<std::pair<std::string, std::string>>{
             {"alice", "CSIRT"}, {"sensor", "CSIRT"}, {"eve", "Outsider"}}) {
      Admin({"account", "add", user, "--org", org, "--password-stdin", "--role", "contributor"},
            user + "-password-123\n");
      Admin({"grant", user, kCol, "--read", "--write"});
    }
    std::ofstream(dir_->File("sensor.pw")) << "sensor-password-123\n";
    std::string error;
    hub_ = KizunaProcess::Start({"serve", "--config", config_}, &error).release();
    ASSERT_NE(hub_, nullptr) << error;
  }
  static void TearDownTestSuite() {
    if (hub_) {
      EXPECT_EQ(hub_->Stop(), 0);
    }
    delete hub_;
    delete dir_;
  }
  static HttpResponse Post(const std::string& user, const std::vector<std::string>& objects) {
    std::string body = "{\"objects\":[";
    for (size_t i = 0; i < objects.size(); ++i) body += (i ? "," : "") + objects[i];
    body += "]}";
    return HttpRequest(hub_->port(), "POST", std::string("/api1/collections/") + kCol + "/objects/",
                       {{"Authorization", BasicAuth(user, user + "-password-123")},
                        {"Accept", kTaxii}, {"Content-Type", kTaxii}},
                       body);
  }
  static HttpResponse Get(const std::string& user, const std::string& target) {
    return HttpRequest(hub_->port(), "GET", target,
                       {{"Authorization", BasicAuth(user, user + "-password-123")}, {"Accept", kTaxii}});
  }
  static std::string HubUrl() { return hub_->base_url() + "/api1/"; }

  static TempDir* dir_;
  static std::string config_;
  static KizunaProcess* hub_;
};
TempDir* MatchHubTest::dir_ = nullptr;
std::string MatchHubTest::config_;
KizunaProcess* MatchHubTest::hub_ = nullptr;

// A child process whose stdout we read while it runs.
class Child {
 public:
  explicit Child(const std::vector<std::string>& args) {
    int out[2];
    EXPECT_EQ(pipe(out), 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      int devnull = open("/dev/null", O_RDWR);
      dup2(devnull, 0);
      dup2(devnull, 2);
      close(out[0]);
      std::vector<char*> argv;
      std::string bin = KIZUNA_BINARY;
      argv.push_back(bin.data());
      std::vector<std::string> copy = args;
      for (auto& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(bin.c_str(), argv.data());
      _exit(127);
    }
    close(out[1]);
    fd_ = out[0];
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) close(fd_);
  }
  // Reads what has arrived (waiting up to ms).
  std::string Read(int ms) {
    pollfd p{fd_, POLLIN, 0};
    std::string got;
    if (poll(&p, 1, ms) > 0) {
      char buf[65536];
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n > 0) got.assign(buf, static_cast<size_t>(n));
    }
    out_ += got;
    return got;
  }
  const std::string& out() const { return out_; }
  int Stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    // Generous: the process posts its last sightings before it exits. A
    // deadline, not a count of reads: a read returns at once while output
    // still streams in.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline) {
      Read(10);
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        while (!Read(10).empty()) {
        }
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string out_;
};

TEST_F(MatchHubTest, PullsUpdatesRevocationsAndReportsSightings) {
  ASSERT_EQ(Post("alice", {IndicatorJson(1, "[domain-name:value = 'a.example']")}).status, 202);
  std::string log = dir_->File("live.log");
  Write(log, "");
  Child m({"match", "--hub", HubUrl(), "--collection", kCol, "--user", "sensor", "--password-file",
           dir_->File("sensor.pw"), "--refresh", "0.2", "--format", "lines", "--follow", "--report-to-hub",
           "--report-interval", "0.5", "--sensor-name", "test sensor", log});
  auto append = [&](const std::string& text) {
    std::ofstream(log, std::ios::app) << text;
  };
  // Waits until a match of `id` on a line appended after `mark` shows up.
  auto wait_for = [&](const std::string& id, const std::string& feed) {
    for (int i = 0; i < 150; ++i) {
      append(feed);
      auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
      while (std::chrono::steady_clock::now() < deadline) m.Read(50);
      if (m.out().find(id) != std::string::npos) return true;
    }
    return false;
  };
  ASSERT_TRUE(wait_for(Id(1), "a.example\n")) << m.out();
  // Added on the hub while the scan runs.
  ASSERT_EQ(Post("alice", {IndicatorJson(2, "[domain-name:value = 'b.example']")}).status, 202);
  ASSERT_TRUE(wait_for(Id(2), "b.example\n")) << m.out();
  // Revoked on the hub: later a.example lines stop matching. Feed pairs of
  // lines until a pair matches b.example but not a.example.
  ASSERT_EQ(Post("alice", {IndicatorJson(1, "[domain-name:value = 'a.example']", kAmber,
                                         "2025-02-01T00:00:00.000Z", true)})
                .status,
            202);
  bool revoked = false;
  for (int i = 0; i < 150 && !revoked; ++i) {
    size_t before = m.out().size();
    append("a.example\nb.example\n");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    while (std::chrono::steady_clock::now() < deadline) m.Read(50);
    std::string fresh = m.out().substr(before);
    revoked = fresh.find(Id(2)) != std::string::npos && fresh.find(Id(1)) == std::string::npos;
  }
  EXPECT_TRUE(revoked) << m.out();
  EXPECT_EQ(m.Stop(), 0);

  // The sightings reached the hub, aggregated per indicator and sensor.
  HttpResponse r = Get("alice", std::string("/api1/collections/") + kCol + "/objects/?match[type]=sighting");
  ASSERT_EQ(r.status, 200) << r.body;
  json::object env = json::parse(r.body).as_object();
  ASSERT_TRUE(env.contains("objects")) << r.body;
  std::map<std::string, json::object> by_indicator;
  for (const auto& v : env.at("objects").as_array()) {
    by_indicator[std::string(v.as_object().at("sighting_of_ref").as_string())] = v.as_object();
  }
  ASSERT_EQ(by_indicator.size(), 2u) << r.body;
  for (const auto& [ind, s] : by_indicator) {
    EXPECT_GE(s.at("count").as_int64(), 1);
    EXPECT_EQ(s.at("where_sighted_refs").as_array().size(), 1u);
    EXPECT_EQ(s.at("observed_data_refs").as_array().size(), 1u);
    EXPECT_EQ(s.at("object_marking_refs").as_array()[0].as_string(), kAmber);
    EXPECT_TRUE(s.contains("first_seen") && s.contains("last_seen"));
  }
  std::string sensor(by_indicator.begin()->second.at("where_sighted_refs").as_array()[0].as_string());
  HttpResponse idr = Get("alice", std::string("/api1/collections/") + kCol + "/objects/" + sensor + "/");
  ASSERT_EQ(idr.status, 200) << idr.body;
  EXPECT_NE(idr.body.find("test sensor"), std::string::npos);
  std::string od(by_indicator.begin()->second.at("observed_data_refs").as_array()[0].as_string());
  EXPECT_EQ(Get("alice", std::string("/api1/collections/") + kCol + "/objects/" + od + "/").status, 200);
}

TEST_F(MatchHubTest, OneShotScanAgainstTheHubWithATokenlessAccount) {
  ASSERT_EQ(Post("alice", {IndicatorJson(10, "[ipv4-addr:value = '203.0.113.10']")}).status, 202);
  std::string log = dir_->File("conn.log");
  Write(log, "#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.resp_h\n"
             "1521911720.1\tC1\t10.0.0.1\t203.0.113.10\n1521911720.2\tC2\t10.0.0.1\t203.0.113.11\n");
  ProcessResult r = RunKizuna({"match", "--hub", hub_->base_url(), "--api-root", "api1", "--collection",
                               kCol, "--user", "sensor", "--password-file", dir_->File("sensor.pw"),
                               "--format", "zeek", log});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto m = JsonLines(r.out);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].at("line").as_int64(), 3);
  EXPECT_EQ(m[0].at("indicator").as_string(), Id(10));
  // Wrong credentials fail clearly.
  std::ofstream(dir_->File("bad.pw")) << "nope\n";
  ProcessResult bad = RunKizuna({"match", "--hub", HubUrl(), "--collection", kCol, "--user", "sensor",
                                 "--password-file", dir_->File("bad.pw"), "--format", "zeek", log});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("401"), std::string::npos) << bad.err;
}

TEST_F(MatchHubTest, FeedsAndExportsReleaseOnlyWhatThePolicyAllows) {
  // A RED indicator addressed to alice only, and a CLEAR one.
  ASSERT_EQ(Post("alice", {IndicatorJson(20, "[domain-name:value = 'red-only.example']", kRed,
                                         "2025-01-01T00:00:00.000Z", false, "alice"),
                           IndicatorJson(21, "[domain-name:value = 'public.example']", kClear)})
                .status,
            202);
  auto feed = [&](const std::string& user, const std::string& format) {
    return HttpRequest(hub_->port(), "GET", std::string("/feeds/api1/") + kCol + "/" + format,
                       {{"Authorization", BasicAuth(user, user + "-password-123")}});
  };
  HttpResponse a = feed("alice", "domains");
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_NE(a.body.find("red-only.example\n"), std::string::npos);
  EXPECT_NE(a.body.find("public.example\n"), std::string::npos);
  // eve is in another organization, outside the trust group: CLEAR only.
  for (const std::string format : {"domains", "suricata", "snort", "zeek-intel", "csv", "misp", "stix"}) {
    HttpResponse e = feed("eve", format);
    ASSERT_EQ(e.status, 200) << format << ": " << e.body;
    EXPECT_EQ(e.body.find("red-only.example"), std::string::npos) << format;
    EXPECT_EQ(e.body.find("a.example"), std::string::npos) << format;  // AMBER, group only
    EXPECT_NE(e.body.find("public.example"), std::string::npos) << format;
  }
  HttpResponse rules = feed("alice", "suricata");
  EXPECT_NE(rules.body.find("dns.query; dotprefix; content:\".red-only.example\""), std::string::npos);
  EXPECT_EQ(feed("alice", "nope").status, 404);
  EXPECT_EQ(HttpRequest(hub_->port(), "GET", std::string("/feeds/api1/") + kCol + "/domains").status, 401);
  EXPECT_EQ(HttpRequest(hub_->port(), "GET", "/feeds/api1/no-such-collection/domains",
                        {{"Authorization", BasicAuth("alice", "alice-password-123")}})
                .status,
            404);
  // The same through `kizuna export --as`.
  ProcessResult ex = RunKizuna({"export", "--config", config_, "--collection", kCol, "--as", "eve",
                                "--format", "plain", "--kind", "domains"});
  ASSERT_EQ(ex.exit_code, 0) << ex.err;
  EXPECT_EQ(ex.out.find("red-only.example"), std::string::npos);
  EXPECT_NE(ex.out.find("public.example"), std::string::npos);
  ProcessResult ex2 = RunKizuna({"export", "--config", config_, "--collection", kCol, "--as", "alice",
                                 "--format", "zeek-intel"});
  ASSERT_EQ(ex2.exit_code, 0) << ex2.err;
  EXPECT_NE(ex2.out.find("red-only.example\tIntel::DOMAIN"), std::string::npos) << ex2.out;
}

TEST_F(MatchHubTest, ImportsMispEvents) {
  std::string path = dir_->File("event.json");
  Write(path, R"({"Event":{"uuid":"5a1e2c3d-0000-4000-8000-0000000000e1","info":"campaign","date":"2024-05-01",
    "published":true,"publish_timestamp":"1714560000","Tag":[{"name":"tlp:green"}],
    "Attribute":[{"uuid":"5a1e2c3d-0000-4000-8000-0000000000e2","type":"domain","value":"misp.example",
    "to_ids":true,"timestamp":"1714560000"}]}})");
  ProcessResult r = RunKizuna({"import", "--config", config_, "--collection", kCol, "--format", "misp",
                               "--producer", "CSIRT", path});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  HttpResponse ind = Get("alice", std::string("/api1/collections/") + kCol +
                                      "/objects/indicator--5a1e2c3d-0000-4000-8000-0000000000e2/");
  ASSERT_EQ(ind.status, 200) << ind.body;
  EXPECT_NE(ind.body.find("[domain-name:value = 'misp.example']"), std::string::npos);
  EXPECT_EQ(Get("alice", std::string("/api1/collections/") + kCol +
                             "/objects/report--5a1e2c3d-0000-4000-8000-0000000000e1/")
                .status,
            200);
}

TEST(ExportCliTest, OfflineFromABundleFile) {
  TempDir dir;
  std::string b = dir.File("b.json");
  Write(b, "{\"type\":\"bundle\",\"id\":\"bundle--00000000-0000-4000-8000-000000000001\",\"objects\":[" +
               IndicatorJson(1, "[ipv4-addr:value = '192.0.2.1'] OR [domain-name:value = 'x.example']") +
               "]}");
  ProcessResult r = RunKizuna({"export", "--indicators", b, "--format", "plain", "--kind", "ipv4"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "192.0.2.1\n");
  r = RunKizuna({"export", "--indicators", b, "--format", "suricata"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("alert ip [192.0.2.1] any <> $HOME_NET any"), std::string::npos);
  EXPECT_EQ(RunKizuna({"export", "--indicators", b, "--format", "plain"}).exit_code, 2);
  EXPECT_NE(RunKizuna({"export", "--format", "csv"}).exit_code, 0);
}

}  // namespace
}  // namespace kizuna::testing
