// bench-deps: app http core
// taxii_loadgen: a TAXII 2.1 load generator for side-by-side runs against any
// server (Kizuna, medallion): the same client, the same objects, the same
// concurrency.
//
//   taxii_loadgen ingest  --objects URL --user U --password P --count N [--clients 4] [--batch 100]
//   taxii_loadgen read    --objects URL --user U --password P [--connections 32] [--seconds 10]
//                         [--query "limit=100"]
//
// `ingest` posts N new indicators in envelopes of --batch from --clients
// threads (one keep-alive connection each) and prints objects/s (counting only
// objects the status resource reports as successes). `read` GETs the URL with
// the query from --connections threads for --seconds and prints requests/s and
// latency percentiles. Both print one JSON line.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "app/demo_data.h"
#include "core/encoding.h"
#include "core/time.h"
#include "http/client.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::string mode, objects, user, password, query = "limit=100";
  int64_t count = 10000;
  int clients = 4, batch = 100, connections = 32;
  double seconds = 10;
  uint64_t seed = 42;
};

bool Parse(int argc, char** argv, Args* a) {
  if (argc < 2) return false;
  a->mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--objects") a->objects = v;
    else if (k == "--user") a->user = v;
    else if (k == "--password") a->password = v;
    else if (k == "--count") a->count = std::atoll(v.c_str());
    else if (k == "--clients") a->clients = std::atoi(v.c_str());
    else if (k == "--batch") a->batch = std::atoi(v.c_str());
    else if (k == "--connections") a->connections = std::atoi(v.c_str());
    else if (k == "--seconds") a->seconds = std::atof(v.c_str());
    else if (k == "--query") a->query = v;
    else if (k == "--seed") a->seed = std::strtoull(v.c_str(), nullptr, 10);
    else return false;
  }
  return !a->objects.empty() && (a->mode == "ingest" || a->mode == "read");
}

std::vector<kizuna::http::Header> Headers(const Args& a, bool post) {
  std::vector<kizuna::http::Header> h = {
      {"authorization", "Basic " + kizuna::Base64Encode(a.user + ":" + a.password)},
      {"accept", "application/taxii+json;version=2.1"}};
  if (post) h.push_back({"content-type", "application/taxii+json;version=2.1"});
  return h;
}

int Ingest(const Args& a) {
  // Envelopes are built before the clock starts: the load generator's own
  // JSON work must not be measured as the server's.
  auto objects = kizuna::app::GenerateIndicators(
      static_cast<size_t>(a.count), a.seed, kizuna::SystemClock::Get().NowMicros(),
      "identity--5b1d7c7e-1a2b-4c3d-8e9f-0a1b2c3d4e01");
  std::vector<std::string> envelopes;
  for (size_t i = 0; i < objects.size(); i += static_cast<size_t>(a.batch)) {
    std::string e = "{\"objects\":[";
    for (size_t j = i; j < std::min(objects.size(), i + static_cast<size_t>(a.batch)); ++j) {
      if (j != i) e += ',';
      e += objects[j];
    }
    envelopes.push_back(e + "]}");
  }
  std::atomic<size_t> next{0};
  std::atomic<int64_t> ok_objects{0}, failed_requests{0};
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < a.clients; ++t) {
    threads.emplace_back([&] {
      kizuna::http::Client client;
      auto headers = Headers(a, true);
      for (;;) {
        size_t i = next.fetch_add(1);
        if (i >= envelopes.size()) return;
        auto r = client.Send("POST", a.objects, headers, envelopes[i]);
        if (!r.ok() || (r->status != 200 && r->status != 202)) {
          ++failed_requests;
          continue;
        }
        // "success_count":N
        const std::string& b = r->body;
        size_t p = b.find("\"success_count\"");
        if (p != std::string::npos) {
          p = b.find(':', p);
          ok_objects += std::atoll(b.c_str() + p + 1);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf(
      "{\"mode\":\"ingest\",\"objects\":%lld,\"accepted\":%lld,\"failed_requests\":%lld,"
      "\"seconds\":%.3f,\"objects_per_second\":%.0f}\n",
      static_cast<long long>(a.count), static_cast<long long>(ok_objects.load()),
      static_cast<long long>(failed_requests.load()), secs, ok_objects.load() / secs);
  return failed_requests.load() == 0 ? 0 : 1;
}

int Read(const Args& a) {
  std::string url = a.objects + (a.query.empty() ? "" : "?" + a.query);
  std::atomic<bool> stop{false};
  std::atomic<int64_t> failed{0};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(a.connections));
  std::vector<std::thread> threads;
  auto start = Clock::now();
  for (int t = 0; t < a.connections; ++t) {
    threads.emplace_back([&, t] {
      kizuna::http::Client client;
      auto headers = Headers(a, false);
      auto& lat = latencies[static_cast<size_t>(t)];
      while (!stop.load(std::memory_order_relaxed)) {
        auto t0 = Clock::now();
        auto r = client.Send("GET", url, headers);
        if (!r.ok() || r->status != 200) {
          ++failed;
          continue;
        }
        lat.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(a.seconds));
  stop = true;
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))];
  };
  std::printf(
      "{\"mode\":\"read\",\"requests\":%zu,\"failed\":%lld,\"seconds\":%.3f,"
      "\"requests_per_second\":%.1f,\"p50_ms\":%.2f,\"p99_ms\":%.2f}\n",
      all.size(), static_cast<long long>(failed.load()), secs, all.size() / secs, pct(0.50),
      pct(0.99));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!Parse(argc, argv, &a)) {
    std::fprintf(stderr,
                 "usage: taxii_loadgen ingest|read --objects URL --user U --password P [--count N] "
                 "[--clients N] [--batch N] [--connections N] [--seconds S] [--query Q]\n");
    return 2;
  }
  return a.mode == "ingest" ? Ingest(a) : Read(a);
}
