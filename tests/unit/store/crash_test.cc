// Crash test (slow): a child process writes batches with several threads and
// reports every acknowledged object through a pipe; the parent SIGKILLs it
// at a random moment, reopens the store and checks that every acknowledged
// object, status and cursor is there, that cursors never run ahead of their
// objects, and that PRAGMA integrity_check passes. 20 rounds on one file.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_store.h"

namespace kizuna::store {
namespace {

namespace fs = std::filesystem;

constexpr int kRounds = 20;
constexpr int kThreads = 3;
constexpr int kPerBatch = 20;

// One acknowledged object, written to the pipe in one write() (atomic: it
// is smaller than PIPE_BUF).
struct Ack {
  int64_t date_added;
  int32_t thread;
  int32_t seq;
  int32_t k;
};

std::string ObjectId(int round, int thread, int seq, int k) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "indicator--crash-r%02d-t%d-s%05d-k%02d", round, thread, seq, k);
  return buf;
}

std::string StatusId(int round, int thread, int seq) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "status-r%02d-t%d-s%05d", round, thread, seq);
  return buf;
}

std::string CursorName(int thread) { return "crash/t" + std::to_string(thread); }

SqliteOptions Options(const std::string& path) {
  SqliteOptions o;
  o.path = path;
  o.durable = true;
  o.cache_mib = 16;
  o.checkpoint_mib = 1;  // checkpoint often, so kills also land mid-checkpoint
  return o;
}

[[noreturn]] void RunChild(const std::string& path, int64_t coll, int round, int fd) {
  auto opened = OpenSqliteStore(Options(path));
  if (!opened.ok()) _exit(3);
  Store* store = opened->get();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([=] {
      for (int seq = 0;; ++seq) {
        WriteBatch b;
        b.collection = coll;
        for (int k = 0; k < kPerBatch; ++k) {
          NewObject o;
          o.id = ObjectId(round, t, seq, k);
          o.type = "indicator";
          o.spec_version = "2.1";
          o.modified_us = 1'700'000'000'000'000 + seq;
          o.raw = "{\"id\":\"" + o.id + "\",\"pad\":\"" + std::string(300 + k * 10, 'x') + "\"}";
          b.objects.push_back(std::move(o));
        }
        StatusRecord st;
        st.id = StatusId(round, t, seq);
        st.api_root = "api";
        st.status = "complete";
        b.status = st;
        b.cursor = CursorUpdate{CursorName(t), std::to_string(round) + ":" + std::to_string(seq)};
        auto r = store->WriteSync(std::move(b));
        if (!r.ok()) _exit(4);
        for (int k = 0; k < kPerBatch; ++k) {
          Ack a{r->date_added_us[static_cast<size_t>(k)], t, seq, k};
          if (write(fd, &a, sizeof a) != static_cast<ssize_t>(sizeof a)) _exit(5);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  _exit(0);
}

TEST(StoreCrashTest, AcknowledgedWritesSurviveSigkill) {
  fs::path dir = fs::temp_directory_path() / ("kizuna-crash-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "crash.db").string();
  int64_t coll = 0;
  {
    auto s = OpenSqliteStore(Options(path));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    ASSERT_TRUE((*s)->PutApiRoot(ApiRoot{"api", "API", "", 1 << 20}).ok());
    Collection c;
    c.id = "11111111-1111-4111-8111-111111111111";
    c.api_root = "api";
    auto put = (*s)->PutCollection(c);
    ASSERT_TRUE(put.ok());
    coll = put->key;
  }
  std::mt19937 rng(20240611);
  int64_t total_acked = 0;
  for (int round = 0; round < kRounds; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      RunChild(path, coll, round, fds[1]);
    }
    close(fds[1]);
    // Most rounds die mid-ingest; a few die while opening (recovery).
    int delay_ms =
        round % 5 == 4 ? static_cast<int>(rng() % 15) : 20 + static_cast<int>(rng() % 280);
    std::vector<Ack> acks;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms);
    Ack a;
    bool killed = false;
    while (!killed) {
      if (std::chrono::steady_clock::now() >= deadline) {
        kill(pid, SIGKILL);
        killed = true;
        break;
      }
      fd_set set;
      FD_ZERO(&set);
      FD_SET(fds[0], &set);
      timeval tv{0, 2000};
      if (select(fds[0] + 1, &set, nullptr, nullptr, &tv) > 0) {
        ssize_t n = read(fds[0], &a, sizeof a);
        if (n == static_cast<ssize_t>(sizeof a)) acks.push_back(a);
        if (n <= 0) break;  // the child died on its own
      }
    }
    int wstatus = 0;
    ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
    if (!killed || !WIFSIGNALED(wstatus)) {
      FAIL() << "round " << round << ": the writer exited by itself, status " << wstatus;
    }
    // Acks written before the kill are still in the pipe.
    while (read(fds[0], &a, sizeof a) == static_cast<ssize_t>(sizeof a)) acks.push_back(a);
    close(fds[0]);
    total_acked += static_cast<int64_t>(acks.size());

    auto reopened = OpenSqliteStore(Options(path));
    ASSERT_TRUE(reopened.ok()) << "round " << round << ": " << reopened.status().ToString();
    Store* store = reopened->get();
    ASSERT_TRUE(store->CheckIntegrity().ok()) << "round " << round;

    // Every object of the round, in date_added order.
    ObjectQuery q;
    q.collection = coll;
    q.limit = 500;
    q.with_raw = false;
    q.versions.all = true;
    std::map<std::string, int64_t> stored;  // this round's ids -> date_added
    std::map<int, int> max_seq;             // per thread, highest batch present
    std::optional<int64_t> cursor;
    const std::string prefix = ObjectId(round, 0, 0, 0).substr(0, 22);  // "indicator--crash-rNN-t"
    for (;;) {
      auto page = store->Query(q, cursor);
      ASSERT_TRUE(page.ok());
      for (const auto& r : page->records) {
        if (r.id.compare(0, prefix.size(), prefix) != 0) continue;
        EXPECT_TRUE(stored.emplace(r.id, r.date_added_us).second) << "stored twice: " << r.id;
        int t = 0, seq = 0, k = 0, rr = 0;
        ASSERT_EQ(std::sscanf(r.id.c_str(), "indicator--crash-r%d-t%d-s%d-k%d", &rr, &t, &seq, &k),
                  4);
        max_seq[t] = std::max(max_seq.count(t) ? max_seq[t] : -1, seq);
      }
      if (!page->more) break;
      cursor = page->records.back().date_added_us;
    }
    std::set<std::pair<int, int>> acked_batches;
    for (const Ack& ack : acks) {
      std::string id = ObjectId(round, ack.thread, ack.seq, ack.k);
      auto it = stored.find(id);
      ASSERT_NE(it, stored.end()) << "round " << round << ": acknowledged " << id << " is lost";
      EXPECT_EQ(it->second, ack.date_added) << id;
      acked_batches.insert({ack.thread, ack.seq});
    }
    for (const auto& [t, seq] : acked_batches) {
      auto st = store->GetStatus("api", StatusId(round, t, seq));
      ASSERT_TRUE(st.ok() && st->has_value()) << "status of an acknowledged batch is lost";
    }
    // A batch is all or nothing, and its cursor moved with it.
    for (int t = 0; t < kThreads; ++t) {
      int top = max_seq.count(t) ? max_seq[t] : -1;
      for (int seq = 0; seq <= top; ++seq) {
        for (int k = 0; k < kPerBatch; ++k) {
          ASSERT_TRUE(stored.count(ObjectId(round, t, seq, k)))
              << "partial batch r" << round << " t" << t << " s" << seq;
        }
      }
      auto c = store->GetCursor(CursorName(t));
      ASSERT_TRUE(c.ok());
      if (top >= 0) {
        ASSERT_TRUE(c->has_value());
        EXPECT_EQ(**c, std::to_string(round) + ":" + std::to_string(top));
      }
    }
  }
  // The kills must have landed mid-ingest in most rounds.
  EXPECT_GT(total_acked, kRounds * kPerBatch);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kizuna::store
