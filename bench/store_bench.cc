// Store benchmarks on a store that already holds 1,000,000 objects.
// bench-deps: store core
//
// The fixture is built on first use (about 15 s) and cached in
// $KIZUNA_BENCH_DIR (default /tmp/kizuna-bench) as store-1m-v<schema>.db;
// ingest runs on a fresh copy of it so every run starts from 1,000,000.
// Run: build/release/store_bench --benchmark_min_time=2s
//
// Environment knobs for schema/tuning experiments (see docs/DECISIONS.md):
//   KIZUNA_BENCH_MMAP_MIB, KIZUNA_BENCH_PAGE_SIZE, KIZUNA_BENCH_READER_CACHE_MIB.

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/time.h"
#include "core/uuid.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace kizuna::store {
namespace {

constexpr int64_t kFixtureObjects = 1'000'000;
constexpr int kBatch = 100;
const char* const kTlpGreen = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
const char* const kProducer = "identity--7c0b5f52-0c36-4f5a-9d1c-0b8f3c4c1b11";

int64_t EnvInt(const char* name, int64_t def) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::atoll(v) : def;
}

std::string BenchDir() {
  const char* d = std::getenv("KIZUNA_BENCH_DIR");
  std::string dir = d != nullptr ? d : "/tmp/kizuna-bench";
  std::filesystem::create_directories(dir);
  return dir;
}

SqliteOptions Options(const std::string& path, bool durable) {
  SqliteOptions o;
  o.path = path;
  o.durable = durable;
  o.mmap_mib = EnvInt("KIZUNA_BENCH_MMAP_MIB", o.mmap_mib);
  o.page_size = static_cast<int>(EnvInt("KIZUNA_BENCH_PAGE_SIZE", o.page_size));
  o.reader_cache_mib = EnvInt("KIZUNA_BENCH_READER_CACHE_MIB", o.reader_cache_mib);
  return o;
}

// A realistic ~600-byte indicator (or another type) with a random id.
NewObject MakeObject(std::mt19937_64& rng, int64_t now_us, const char* type) {
  NewObject o;
  o.type = type;
  o.spec_version = "2.1";
  o.id = std::string(type) + "--" + NewUuidV4();
  o.created_us = now_us - static_cast<int64_t>(rng() % 1'000'000'000);
  o.modified_us = o.created_us;
  o.marking = kTlpGreen;
  o.producer = kProducer;
  std::string ts = FormatTimestamp(*o.created_us, 3);
  char ip[32];
  std::snprintf(ip, sizeof ip, "%u.%u.%u.%u", static_cast<unsigned>(rng() % 223 + 1),
                static_cast<unsigned>(rng() % 256), static_cast<unsigned>(rng() % 256),
                static_cast<unsigned>(rng() % 256));
  o.raw =
      "{\"type\":\"" + o.type + "\",\"spec_version\":\"2.1\",\"id\":\"" + o.id +
      "\",\"created\":\"" + ts + "\",\"modified\":\"" + ts + "\",\"created_by_ref\":\"" +
      kProducer + "\",\"name\":\"Malicious IP " + ip +
      "\",\"description\":\"Address observed distributing commodity malware and scanning "
      "exposed remote-access services of energy-sector operators during the reporting "
      "period.\",\"indicator_types\":[\"malicious-activity\"],\"pattern\":\"[ipv4-addr:value = '" +
      ip + "']\",\"pattern_type\":\"stix\",\"valid_from\":\"" + ts +
      "\",\"labels\":[\"scanner\",\"botnet\"],\"confidence\":70,\"object_marking_refs\":[\"" +
      kTlpGreen + "\"]}";
  return o;
}

const char* FixtureType(int64_t i) {
  switch (i % 20) {
    case 0:
    case 1:
      return "malware";
    case 2:
      return "relationship";
    case 3:
      return "sighting";
    default:
      return "indicator";
  }
}

struct Fixture {
  std::string path;
  int64_t collection = 0;
};

// Builds (or reuses) the 1M-object store: one API root, one big collection.
const Fixture& GetFixture() {
  static Fixture fixture;
  static std::once_flag once;
  std::call_once(once, [] {
    int page_size = static_cast<int>(EnvInt("KIZUNA_BENCH_PAGE_SIZE", SqliteOptions().page_size));
    fixture.path = BenchDir() + "/store-1m-v" + std::to_string(SqliteSchemaVersion()) + "-p" +
                   std::to_string(page_size) + ".db";
    {
      auto store = OpenSqliteStore(Options(fixture.path, false));
      if (!store.ok()) {
        std::fprintf(stderr, "fixture: %s\n", store.status().ToString().c_str());
        std::abort();
      }
      auto existing = (*store)->FindCollection("bench", "big");
      if (existing.ok() && existing->has_value() &&
          *(*store)->CountObjects((*existing)->key) >= kFixtureObjects) {
        fixture.collection = (*existing)->key;
        return;
      }
    }
    std::filesystem::remove(fixture.path);
    std::filesystem::remove(fixture.path + "-wal");
    std::filesystem::remove(fixture.path + "-shm");
    auto store = std::move(OpenSqliteStore(Options(fixture.path, false)).value());
    (void)store->PutApiRoot(ApiRoot{"bench", "Bench", "", 10 << 20});
    Collection c;
    c.id = NewUuidV4();
    c.api_root = "bench";
    c.alias = "big";
    c.title = "Big";
    fixture.collection = store->PutCollection(c)->key;
    std::fprintf(stderr, "building the 1,000,000-object fixture in %s ...\n", fixture.path.c_str());
    std::mt19937_64 rng(42);
    int64_t now = SystemClock::Get().NowMicros();
    for (int64_t i = 0; i < kFixtureObjects; i += 1000) {
      WriteBatch b;
      b.collection = fixture.collection;
      for (int j = 0; j < 1000; ++j) b.objects.push_back(MakeObject(rng, now, FixtureType(i + j)));
      auto r = store->WriteSync(std::move(b));
      if (!r.ok()) {
        std::fprintf(stderr, "fixture: %s\n", r.status().ToString().c_str());
        std::abort();
      }
    }
  });
  return fixture;
}

// ---- ingest ----------------------------------------------------------------

// CPU seconds used so far by the threads named `comm` (from /proc), so
// that the writer's cost per object can be reported independently of how
// busy the shared machine is.
double ThreadCpuSeconds(const std::string& comm) {
  double total = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    FILE* f = std::fopen((task.path() / "stat").c_str(), "r");
    if (f == nullptr) continue;
    char buf[1024];
    size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = 0;
    std::string line(buf);
    size_t open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    if (line.substr(open + 1, close - open - 1) != comm) continue;
    // Fields after the name: state is field 3; utime and stime are 14 and 15.
    unsigned long utime = 0, stime = 0;
    std::sscanf(line.c_str() + close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                &utime, &stime);
    total += static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  return total;
}

struct IngestTarget {
  std::unique_ptr<Store> store;
  int64_t collection = 0;
};

// A fresh copy of the fixture per durability mode, opened once per process.
IngestTarget& GetIngestTarget(bool durable) {
  static IngestTarget targets[2];
  static std::once_flag once[2];
  std::call_once(once[durable], [durable] {
    const Fixture& f = GetFixture();
    std::string path = BenchDir() + (durable ? "/ingest-durable.db" : "/ingest-fast.db");
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    std::filesystem::copy_file(f.path, path);
    targets[durable].store = std::move(OpenSqliteStore(Options(path, durable)).value());
    targets[durable].collection = f.collection;
  });
  return targets[durable];
}

// Ingest: each iteration is one WriteSync of 100 new ~600-byte indicators
// with random ids, as one TAXII POST would send; threads are concurrent
// clients. Arg 1: durable (fsync per commit); arg 0: synchronous=NORMAL,
// which shows the CPU cost without the disk's flush latency.
void BM_Ingest(benchmark::State& state) {
  IngestTarget& t = GetIngestTarget(state.range(0) != 0);
  std::mt19937_64 rng(std::random_device{}());
  int64_t now = SystemClock::Get().NowMicros();
  StoreStats before = t.store->Stats();
  double writer_cpu = ThreadCpuSeconds("kizuna-writer");
  double ckpt_cpu = ThreadCpuSeconds("kizuna-ckpt");
  for (auto _ : state) {
    WriteBatch b;
    b.collection = t.collection;
    b.objects.reserve(kBatch);
    for (int j = 0; j < kBatch; ++j) b.objects.push_back(MakeObject(rng, now, "indicator"));
    auto r = t.store->WriteSync(std::move(b));
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  if (state.thread_index() == 0) {
    StoreStats s = t.store->Stats();
    int64_t commits = s.commits - before.commits;
    state.counters["batches_per_commit"] =
        commits > 0 ? static_cast<double>(s.batches - before.batches) / static_cast<double>(commits)
                    : 0;
    // All threads' iterations are done only once thread 0 got here in the
    // common case; the figure is approximate (clock ticks of 10 ms).
    double objects = static_cast<double>(s.objects - before.objects);
    if (objects > 0) {
      state.counters["writer_cpu_us_per_obj"] =
          (ThreadCpuSeconds("kizuna-writer") - writer_cpu) * 1e6 / objects;
      state.counters["ckpt_cpu_us_per_obj"] =
          (ThreadCpuSeconds("kizuna-ckpt") - ckpt_cpu) * 1e6 / objects;
    }
  }
}
BENCHMARK(BM_Ingest)->ArgName("durable")->Arg(1)->Arg(0)->Threads(1)->Threads(4)->UseRealTime();

// The disk's flush latency in the same run: a 16 KiB write and fdatasync
// per iteration, as a commit of one small group costs at least. Durable
// ingest figures are only comparable at similar values of this one.
void BM_FsyncProbe(benchmark::State& state) {
  std::string path = BenchDir() + "/fsync-probe";
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    state.SkipWithError("cannot create the probe file");
    return;
  }
  std::string block(16384, 'x');
  for (auto _ : state) {
    if (pwrite(fd, block.data(), block.size(), 0) != static_cast<ssize_t>(block.size()) ||
        fdatasync(fd) != 0) {
      state.SkipWithError("write failed");
      break;
    }
  }
  close(fd);
  std::filesystem::remove(path);
}
BENCHMARK(BM_FsyncProbe)->UseRealTime()->Unit(benchmark::kMicrosecond);

// ---- reads -----------------------------------------------------------------

struct ReadTarget {
  std::unique_ptr<Store> store;
  int64_t collection = 0;
  std::vector<int64_t> page_cursors;  // date_added before page n (0-based), every 100 objects
  std::vector<std::string> sample_ids;
};

ReadTarget& GetReadTarget() {
  static ReadTarget target;
  static std::once_flag once;
  std::call_once(once, [] {
    const Fixture& f = GetFixture();
    target.store = std::move(OpenSqliteStore(Options(f.path, true)).value());
    target.collection = f.collection;
    // Walk the collection once (manifest-style) to learn page boundaries.
    ObjectQuery q;
    q.collection = f.collection;
    q.limit = 1000;
    q.with_raw = false;
    q.versions.all = true;
    std::optional<int64_t> cursor;
    int64_t n = 0;
    std::mt19937_64 rng(7);
    target.page_cursors.push_back(0);
    for (;;) {
      auto page = target.store->Query(q, cursor);
      if (!page.ok() || page->records.empty()) break;
      for (const ObjectRecord& r : page->records) {
        ++n;
        if (n % 100 == 0) target.page_cursors.push_back(r.date_added_us);
        if (rng() % 100 == 0) target.sample_ids.push_back(r.id);
      }
      cursor = page->records.back().date_added_us;
      if (!page->more) break;
    }
  });
  return target;
}

// One TAXII page of 100 objects with raw bytes at page number state.range(0)
// (0 = the first page, 9999 = the last page of 1,000,000 objects).
void BM_PageQuery(benchmark::State& state) {
  ReadTarget& t = GetReadTarget();
  size_t page = static_cast<size_t>(state.range(0));
  if (page >= t.page_cursors.size()) page = t.page_cursors.size() - 1;
  ObjectQuery q;
  q.collection = t.collection;
  q.limit = 100;
  std::optional<int64_t> cursor;
  if (page > 0) cursor = t.page_cursors[page];
  size_t bytes = 0;
  for (auto _ : state) {
    auto r = t.store->Query(q, cursor);
    if (!r.ok() || r->records.size() != 100) {
      state.SkipWithError("short page");
      break;
    }
    for (const auto& rec : r->records) bytes += rec.raw.size();
  }
  state.SetItemsProcessed(state.iterations() * 100);
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_PageQuery)->Arg(0)->Arg(1000)->Arg(9999);

// A manifest page: metadata only, no raw bytes.
void BM_ManifestPage(benchmark::State& state) {
  ReadTarget& t = GetReadTarget();
  ObjectQuery q;
  q.collection = t.collection;
  q.limit = 100;
  q.with_raw = false;
  std::optional<int64_t> cursor = t.page_cursors[std::min<size_t>(1000, t.page_cursors.size() - 1)];
  for (auto _ : state) {
    auto r = t.store->Query(q, cursor);
    if (!r.ok() || r->records.size() != 100) state.SkipWithError("short page");
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_ManifestPage);

// The same page with a visibility predicate rejecting every other object.
void BM_PageQueryHalfVisible(benchmark::State& state) {
  ReadTarget& t = GetReadTarget();
  ObjectQuery q;
  q.collection = t.collection;
  q.limit = 100;
  q.visible = [](const ObjectRecord& r) { return (r.date_added_us & 1) == 0 || r.id.back() < '8'; };
  std::optional<int64_t> cursor = t.page_cursors[std::min<size_t>(5000, t.page_cursors.size() - 1)];
  for (auto _ : state) {
    auto r = t.store->Query(q, cursor);
    if (!r.ok()) state.SkipWithError("query failed");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_PageQueryHalfVisible);

// match[type]=malware (10% of the collection), page of 100.
void BM_PageQueryType(benchmark::State& state) {
  ReadTarget& t = GetReadTarget();
  ObjectQuery q;
  q.collection = t.collection;
  q.limit = 100;
  q.types = {"malware"};
  if (state.range(0) == 2) q.types.push_back("sighting");
  std::optional<int64_t> cursor = t.page_cursors[std::min<size_t>(5000, t.page_cursors.size() - 1)];
  for (auto _ : state) {
    auto r = t.store->Query(q, cursor);
    if (!r.ok() || r->records.size() != 100) state.SkipWithError("short page");
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_PageQueryType)->Arg(1)->Arg(2);

// GET one object by id (match[id], latest version, with raw).
void BM_GetById(benchmark::State& state) {
  ReadTarget& t = GetReadTarget();
  ObjectQuery q;
  q.collection = t.collection;
  q.limit = 100;
  q.ids.resize(1);
  size_t i = 0;
  for (auto _ : state) {
    q.ids[0] = t.sample_ids[i++ % t.sample_ids.size()];
    auto r = t.store->Query(q, std::nullopt);
    if (!r.ok() || r->records.size() != 1) state.SkipWithError("not found");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetById);

// Opening the 1,000,000-object store until it answers a lookup by id (the
// in-memory id index loaded); closing is not timed. Arg 0: after a clean
// close (the id index snapshot is loaded); arg 1: without a snapshot (after
// a crash that deleted objects), the index is rebuilt from every
// collection's type index.
void BM_OpenUntilFirstLookup(benchmark::State& state) {
  const Fixture& f = GetFixture();
  const bool rebuild = state.range(0) != 0;
  std::string path = f.path;
  if (rebuild) {
    path = BenchDir() + "/open-rebuild.db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    std::filesystem::copy_file(f.path, path);
  }
  std::string id;
  {
    ReadTarget& t = GetReadTarget();
    id = t.sample_ids.front();
  }
  for (auto _ : state) {
    if (rebuild) {
      auto s = OpenSqliteStore(Options(path, false));
      (void)s;  // the store drops its snapshot below, before timing
    }
    if (rebuild) {
      // Forget the snapshot, as a crash after deletes would.
      std::string cmd = "sqlite3 '" + path + "' 'DELETE FROM id_snapshot_meta'";
      if (std::system(cmd.c_str()) != 0) state.SkipWithError("sqlite3 shell failed");
    }
    auto start = std::chrono::steady_clock::now();
    auto s = OpenSqliteStore(Options(path, true));
    if (!s.ok()) {
      state.SkipWithError(s.status().ToString().c_str());
      break;
    }
    ObjectQuery q;
    q.collection = f.collection;
    q.ids = {id};
    auto r = (*s)->Query(q, std::nullopt);
    auto end = std::chrono::steady_clock::now();
    if (!r.ok() || r->records.size() != 1) state.SkipWithError("lookup failed");
    state.SetIterationTime(std::chrono::duration<double>(end - start).count());
  }
}
BENCHMARK(BM_OpenUntilFirstLookup)
    ->Arg(0)
    ->Arg(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

}  // namespace
}  // namespace kizuna::store

BENCHMARK_MAIN();
