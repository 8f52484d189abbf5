// bench-deps: http core
// federation_loadgen: whole-process measurements of federation and channels
// (issue 5), driven by bench/federation-bench.sh.
//
//   federation_loadgen latency --publish OBJECTS_URL --user U --password P
//       --watch OBJECTS_URL --watch-user U --watch-password P
//       [--rate 1000] [--seconds 20] [--publishers 4] [--warmup 2]
//     Publishes single-object envelopes at --rate on one hub and watches a
//     second hub with TAXII GET (added_after, in a tight loop): the latency
//     of each object is from just before its POST to the GET that first
//     returns it.
//
//   federation_loadgen subscribers --hub BASE_URL --collection ID --user U --password P
//       [--subscribers 1000] [--rate 1000] [--seconds 20] [--publishers 4] [--warmup 2]
//     Opens --subscribers Server-Sent Events channels on the hub, publishes at
//     --rate, and measures for every (subscriber, object) the time from just
//     before the POST to the arrival of the event carrying it.
//
//   federation_loadgen wait --metrics URL --metric NAME --target N [--timeout 600]
//     Polls a Prometheus endpoint until NAME >= N; prints the elapsed time.
//
// Latencies are wall-clock on one machine (steady clock), in milliseconds;
// every run prints one JSON line.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/encoding.h"
#include "http/client.h"

namespace {

using Clock = std::chrono::steady_clock;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

struct Args {
  std::string mode;
  std::map<std::string, std::string> kv;
  std::string Get(const std::string& k, const std::string& def = "") const {
    auto it = kv.find(k);
    return it == kv.end() ? def : it->second;
  }
  double Num(const std::string& k, double def) const {
    auto it = kv.find(k);
    return it == kv.end() ? def : std::atof(it->second.c_str());
  }
};

// Histogram of latencies with 0.05 ms buckets up to 10 s (small enough to
// stay in cache: the subscriber reader adds a million samples a second).
class Histogram {
 public:
  Histogram() : buckets_(200'000, 0) {}
  void Add(int64_t ns) {
    size_t b = static_cast<size_t>(std::max<int64_t>(0, ns) / 50'000);
    if (b >= buckets_.size()) b = buckets_.size() - 1;
    ++buckets_[b];
    ++count_;
    max_ns_ = std::max(max_ns_, ns);
  }
  double Percentile(double p) const {
    if (count_ == 0) return 0;
    uint64_t want = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
    uint64_t seen = 0;
    for (size_t i = 0; i < buckets_.size(); ++i) {
      seen += buckets_[i];
      if (seen >= want) return (static_cast<double>(i) + 1) * 0.05;
    }
    return static_cast<double>(max_ns_) / 1e6;
  }
  uint64_t count() const { return count_; }
  double max_ms() const { return static_cast<double>(max_ns_) / 1e6; }

 private:
  std::vector<uint32_t> buckets_;
  uint64_t count_ = 0;
  int64_t max_ns_ = 0;
};

// Object k of this run: a GREEN indicator of about 600 bytes whose id
// carries k.
std::string RunPrefix() {
  std::random_device rd;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", rd());
  return buf;
}

std::string ObjectId(const std::string& prefix, int64_t k) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "indicator--%s-0000-4000-8000-%012lld", prefix.c_str(),
                static_cast<long long>(k));
  return buf;
}

std::string Envelope(const std::string& prefix, int64_t k) {
  char ip[32];
  std::snprintf(ip, sizeof ip, "203.0.113.%lld", static_cast<long long>(k % 250 + 1));
  return "{\"objects\":[{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"" + ObjectId(prefix, k) +
         "\",\"created\":\"2026-01-01T00:00:00.000Z\",\"modified\":\"2026-01-01T00:00:00.000Z\","
         "\"name\":\"Benchmark indicator " + std::to_string(k) +
         "\",\"description\":\"Federation latency benchmark object (not real intelligence); "
         "padding to a typical indicator size of about six hundred bytes.\","
         "\"indicator_types\":[\"malicious-activity\"],\"pattern\":\"[ipv4-addr:value = '" + std::string(ip) +
         "']\",\"pattern_type\":\"stix\",\"valid_from\":\"2026-01-01T00:00:00Z\",\"confidence\":80,"
         "\"labels\":[\"benchmark\"],\"object_marking_refs\":"
         "[\"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb\"]}]}";
}

// Reads k from "indicator--<prefix>-0000-4000-8000-<12 digits>" at `p`.
bool ParseK(const char* p, const char* end, const std::string& prefix, int64_t* k) {
  static constexpr std::string_view kHead = "indicator--";
  const size_t need = kHead.size() + prefix.size() + 16 + 12;
  if (static_cast<size_t>(end - p) < need) return false;
  if (std::memcmp(p + kHead.size(), prefix.data(), prefix.size()) != 0) return false;
  const char* digits = p + kHead.size() + prefix.size() + 16;
  int64_t v = 0;
  for (int i = 0; i < 12; ++i) {
    if (digits[i] < '0' || digits[i] > '9') return false;
    v = v * 10 + (digits[i] - '0');
  }
  *k = v;
  return true;
}

// Publishes at `rate` objects/s from `publishers` threads until `stop`;
// sent_ns[k] is set just before object k's POST.
struct Publisher {
  std::vector<std::atomic<int64_t>> sent_ns;
  std::vector<int64_t> acked_ns;  // when the 202 arrived (written by one thread per index)
  std::atomic<int64_t> published{0}, failed{0};
  explicit Publisher(size_t capacity) : sent_ns(capacity), acked_ns(capacity, 0) {
    for (auto& s : sent_ns) s.store(0);
  }
  // The POST's own latency (commit included), after the warm-up.
  void Report(size_t skip, double* p50, double* p99) const {
    Histogram h;
    for (size_t k = skip; k < acked_ns.size(); ++k) {
      if (acked_ns[k] > 0) h.Add(acked_ns[k] - sent_ns[k].load());
    }
    *p50 = h.Percentile(50);
    *p99 = h.Percentile(99);
  }
  void Run(const std::string& url, const std::string& auth, const std::string& prefix, double rate,
           int publishers, double seconds) {
    std::vector<std::thread> threads;
    const int64_t start = NowNs();
    const int64_t total = static_cast<int64_t>(rate * seconds);
    for (int t = 0; t < publishers; ++t) {
      threads.emplace_back([&, t] {
        kizuna::http::Client c;
        std::vector<kizuna::http::Header> h = {{"authorization", auth},
                                                {"content-type", "application/taxii+json;version=2.1"},
                                                {"accept", "application/taxii+json;version=2.1"}};
        for (int64_t k = t; k < total && k < static_cast<int64_t>(sent_ns.size()); k += publishers) {
          const int64_t due = start + static_cast<int64_t>(static_cast<double>(k) * 1e9 / rate);
          int64_t now = NowNs();
          if (due > now) std::this_thread::sleep_for(std::chrono::nanoseconds(due - now));
          std::string body = Envelope(prefix, k);
          sent_ns[static_cast<size_t>(k)].store(NowNs());
          auto r = c.Send("POST", url, h, body);
          if (r.ok() && r->status == 202) {
            acked_ns[static_cast<size_t>(k)] = NowNs();
            published.fetch_add(1);
          } else {
            failed.fetch_add(1);
          }
        }
      });
    }
    for (auto& th : threads) th.join();
  }
};

int Latency(const Args& a) {
  const std::string publish = a.Get("--publish"), watch = a.Get("--watch");
  const std::string auth = "Basic " + kizuna::Base64Encode(a.Get("--user") + ":" + a.Get("--password"));
  const std::string watch_auth =
      "Basic " + kizuna::Base64Encode(a.Get("--watch-user") + ":" + a.Get("--watch-password"));
  const double rate = a.Num("--rate", 1000), seconds = a.Num("--seconds", 20), warmup = a.Num("--warmup", 2);
  const int publishers = static_cast<int>(a.Num("--publishers", 4));
  const std::string prefix = RunPrefix();
  const size_t total = static_cast<size_t>(rate * seconds);
  Publisher pub(total);
  std::vector<int64_t> seen(total, 0);
  std::atomic<bool> stop{false};
  std::thread watcher([&] {
    kizuna::http::Client c;
    std::vector<kizuna::http::Header> h = {{"authorization", watch_auth},
                                            {"accept", "application/taxii+json;version=2.1"}};
    std::string cursor;
    while (!stop.load()) {
      std::string url = watch + "?match%5Btype%5D=indicator&match%5Bversion%5D=all&limit=1000";
      if (!cursor.empty()) url += "&added_after=" + cursor;
      auto r = c.Send("GET", url, h);
      const int64_t now = NowNs();
      bool any = false;
      if (r.ok() && r->status == 200) {
        if (const std::string* last = r->FindHeader("x-taxii-date-added-last")) cursor = *last;
        const char* p = r->body.data();
        const char* end = p + r->body.size();
        for (const char* q = p; (q = static_cast<const char*>(memmem(q, static_cast<size_t>(end - q), "indicator--", 11)));) {
          int64_t k;
          if (ParseK(q, end, prefix, &k) && k >= 0 && static_cast<size_t>(k) < total && seen[k] == 0) {
            seen[static_cast<size_t>(k)] = now;
            any = true;
          }
          q += 11;
        }
      }
      if (!any) std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  });
  pub.Run(publish, auth, prefix, rate, publishers, seconds);
  // Let the last ones arrive.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  stop = true;
  watcher.join();
  Histogram hist;
  int64_t missing = 0;
  const size_t skip = static_cast<size_t>(rate * warmup);
  for (size_t k = skip; k < total; ++k) {
    int64_t sent = pub.sent_ns[k].load();
    if (sent == 0) continue;
    if (seen[k] == 0) {
      ++missing;
      continue;
    }
    hist.Add(seen[k] - sent);
  }
  double post50, post99;
  pub.Report(skip, &post50, &post99);
  std::printf(
      "{\"mode\":\"latency\",\"rate\":%.0f,\"seconds\":%.0f,\"published\":%lld,\"failed\":%lld,"
      "\"measured\":%llu,\"missing\":%lld,\"p50_ms\":%.2f,\"p90_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f,"
      "\"post_p50_ms\":%.2f,\"post_p99_ms\":%.2f}\n",
      rate, seconds, static_cast<long long>(pub.published.load()), static_cast<long long>(pub.failed.load()),
      static_cast<unsigned long long>(hist.count()), static_cast<long long>(missing), hist.Percentile(50),
      hist.Percentile(90), hist.Percentile(99), hist.max_ms(), post50, post99);
  return missing == 0 ? 0 : 1;
}

// One SSE connection, read with epoll.
struct Sub {
  int fd = -1;
  std::string buf;
  bool head_done = false;
};

int Subscribers(const Args& a) {
  const std::string hub = a.Get("--hub");
  const std::string collection = a.Get("--collection");
  const std::string auth = "Basic " + kizuna::Base64Encode(a.Get("--user") + ":" + a.Get("--password"));
  const int n = static_cast<int>(a.Num("--subscribers", 1000));
  const double rate = a.Num("--rate", 1000), seconds = a.Num("--seconds", 20), warmup = a.Num("--warmup", 2);
  const int publishers = static_cast<int>(a.Num("--publishers", 4));
  const std::string prefix = RunPrefix();
  const size_t total = static_cast<size_t>(rate * seconds);
  // host:port from the base URL.
  std::string hostport = hub.substr(hub.find("//") + 2);
  int port = std::atoi(hostport.c_str() + hostport.rfind(':') + 1);
  std::vector<Sub> subs(static_cast<size_t>(n));
  int ep = epoll_create1(EPOLL_CLOEXEC);
  std::string req = "GET /" + a.Get("--api-root", "api1") + "/collections/" + collection +
                    "/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + auth + "\r\n\r\n";
  for (int i = 0; i < n; ++i) {
    Sub& s = subs[static_cast<size_t>(i)];
    s.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        send(s.fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
      std::fprintf(stderr, "subscriber %d: cannot connect\n", i);
      return 2;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = static_cast<uint32_t>(i);
    epoll_ctl(ep, EPOLL_CTL_ADD, s.fd, &ev);
  }
  // Per object: deliveries seen (to check completeness) and a histogram.
  std::vector<std::atomic<int64_t>>* sent_ptr = nullptr;
  Histogram hist;
  std::vector<uint16_t> deliveries(total, 0);
  std::atomic<bool> stop{false};
  std::atomic<int> opened{0};
  Publisher pub(total);
  sent_ptr = &pub.sent_ns;
  const size_t skip = static_cast<size_t>(rate * warmup);
  std::thread reader([&] {
    std::vector<epoll_event> events(256);
    static char tmp[262144];
    while (!stop.load()) {
      int k = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
      const int64_t now = NowNs();
      for (int e = 0; e < k; ++e) {
        Sub& s = subs[events[static_cast<size_t>(e)].data.u32];
        ssize_t r = recv(s.fd, tmp, sizeof tmp, 0);
        if (r <= 0) continue;
        const char* data = tmp;
        size_t len = static_cast<size_t>(r);
        if (!s.head_done) {
          s.buf.append(data, len);
          size_t h = s.buf.find("\r\n\r\n");
          if (h == std::string::npos) continue;
          s.head_done = true;
          opened.fetch_add(1);
          s.buf.erase(0, h + 4);
          continue;
        }
        // Object ids never span a line: scan complete lines where they
        // arrived; only a partial last line is carried to the next read.
        auto scan = [&](const char* p, const char* end) {
          for (const char* q = p; (q = static_cast<const char*>(memmem(q, static_cast<size_t>(end - q), "indicator--", 11)));) {
            int64_t id;
            if (ParseK(q, end, prefix, &id) && id >= 0 && static_cast<size_t>(id) < total) {
              int64_t sent = (*sent_ptr)[static_cast<size_t>(id)].load(std::memory_order_relaxed);
              ++deliveries[static_cast<size_t>(id)];
              if (sent > 0 && static_cast<size_t>(id) >= skip) hist.Add(now - sent);
            }
            q += 11;
          }
        };
        const char* first_nl = static_cast<const char*>(std::memchr(data, '\n', len));
        if (!first_nl) {
          s.buf.append(data, len);
          continue;
        }
        if (!s.buf.empty()) {
          s.buf.append(data, static_cast<size_t>(first_nl - data) + 1);
          scan(s.buf.data(), s.buf.data() + s.buf.size());
          s.buf.clear();
        } else {
          scan(data, first_nl);
        }
        const char* last_nl = static_cast<const char*>(memrchr(first_nl, '\n', static_cast<size_t>(data + len - first_nl)));
        scan(first_nl, last_nl);
        s.buf.assign(last_nl + 1, static_cast<size_t>(data + len - last_nl - 1));
      }
    }
  });
  while (opened.load() < n) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  pub.Run(hub + "/" + a.Get("--api-root", "api1") + "/collections/" + collection + "/objects/", auth, prefix,
          rate, publishers, seconds);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  stop = true;
  reader.join();
  int64_t incomplete = 0;
  for (size_t k = 0; k < total; ++k) {
    if (pub.sent_ns[k].load() != 0 && deliveries[k] != n) ++incomplete;
  }
  for (auto& s : subs) close(s.fd);
  close(ep);
  double post50, post99;
  pub.Report(skip, &post50, &post99);
  std::printf(
      "{\"mode\":\"subscribers\",\"subscribers\":%d,\"rate\":%.0f,\"seconds\":%.0f,\"published\":%lld,"
      "\"deliveries\":%llu,\"incomplete_objects\":%lld,\"p50_ms\":%.2f,\"p90_ms\":%.2f,\"p99_ms\":%.2f,"
      "\"max_ms\":%.2f,\"post_p50_ms\":%.2f,\"post_p99_ms\":%.2f}\n",
      n, rate, seconds, static_cast<long long>(pub.published.load()),
      static_cast<unsigned long long>(hist.count()), static_cast<long long>(incomplete), hist.Percentile(50),
      hist.Percentile(90), hist.Percentile(99), hist.max_ms(), post50, post99);
  return incomplete == 0 ? 0 : 1;
}

int Wait(const Args& a) {
  const std::string url = a.Get("--metrics"), metric = a.Get("--metric");
  const double target = a.Num("--target", 0), timeout = a.Num("--timeout", 600);
  kizuna::http::Client c;
  const int64_t start = NowNs();
  double value = 0;
  for (;;) {
    auto r = c.Send("GET", url);
    if (r.ok()) {
      size_t at = r->body.find("\n" + metric + " ");
      if (at != std::string::npos) value = std::atof(r->body.c_str() + at + metric.size() + 2);
    }
    double elapsed = static_cast<double>(NowNs() - start) / 1e9;
    if (value >= target || elapsed > timeout) {
      std::printf("{\"mode\":\"wait\",\"metric\":\"%s\",\"value\":%.0f,\"target\":%.0f,\"seconds\":%.3f}\n",
                  metric.c_str(), value, target, elapsed);
      return value >= target ? 0 : 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (argc < 2) {
    std::fprintf(stderr, "usage: federation_loadgen latency|subscribers|wait --key value ...\n");
    return 2;
  }
  a.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) a.kv[argv[i]] = argv[i + 1];
  if (a.mode == "latency") return Latency(a);
  if (a.mode == "subscribers") return Subscribers(a);
  if (a.mode == "wait") return Wait(a);
  std::fprintf(stderr, "unknown mode %s\n", a.mode.c_str());
  return 2;
}
