// `kizuna match`: scans security logs against indicators from a file or a
// hub, prints one JSON line per match, and optionally reports sightings to
// the hub.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "app/commands.h"
#include "app/store_flags.h"
#include "match/hub_source.h"
#include "match/indicator.h"
#include "match/matcher.h"
#include "match/scanner.h"
#include "match/sightings.h"
#include "stix/markings.h"

namespace kizuna::app {
namespace {

struct MatchFlags {
  std::vector<std::string> indicator_files;
  std::string hub, api_root, collection, user, password_file, token_file, ca_file;
  bool insecure = false;
  double refresh_s = 1.0;
  std::string format = "eve";
  int column = 0;
  std::string delimiter = ",";
  int threads = 0;
  bool follow = false;
  bool no_subdomains = false;
  bool report = false;
  double report_interval_s = 60;
  std::string sensor_id, sensor_name, created_by;
  std::vector<std::string> sighting_markings;
  bool quiet = false;
  std::vector<std::string> logs;
};

// "TLP:AMBER", "amber", or a marking-definition id.
Result<std::string> MarkingRef(const std::string& m) {
  std::string u;
  for (char c : m) u += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (u.rfind("TLP:", 0) == 0) u = u.substr(4);
  for (const auto& d : stix::Tlp2MarkingDefinitions()) {
    std::string name(d.name);
    if (name == "TLP:" + u) return std::string(d.id);
  }
  if (m.rfind("marking-definition--", 0) == 0) return m;
  return InvalidArgument("unknown marking " + m + " (TLP:CLEAR, TLP:GREEN, TLP:AMBER, "
                         "TLP:AMBER+STRICT, TLP:RED or a marking-definition id)");
}

// Prints matches and malformed-line reports; feeds the sighting aggregator.
class CliSink final : public match::MatchSink {
 public:
  CliSink(const match::Matcher& m, bool quiet) : matcher_(m), quiet_(quiet) {}
  void OnMatch(const match::MatchRecord& r) override {
    std::string line = match::MatchJson(r, matcher_);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
    if (aggregator_) {
      std::lock_guard lock(*mu_);
      aggregator_->Add(r, matcher_, matcher_.clock().NowMicros());
    }
    ++matches_;
  }
  void OnMalformed(std::string_view file, int64_t line, std::string_view reason) override {
    ++malformed_;
    if (!quiet_ && malformed_ <= 100) {
      std::fprintf(stderr, "kizuna match: %.*s:%lld: malformed: %.*s\n",
                   static_cast<int>(file.size()), file.data(), static_cast<long long>(line),
                   static_cast<int>(reason.size()), reason.data());
    }
  }
  void OnProgress() override { std::fflush(stdout); }
  void Attach(match::SightingAggregator* a, std::mutex* mu) {
    aggregator_ = a;
    mu_ = mu;
  }
  int64_t matches() const { return matches_; }

 private:
  const match::Matcher& matcher_;
  bool quiet_;
  match::SightingAggregator* aggregator_ = nullptr;
  std::mutex* mu_ = nullptr;
  int64_t matches_ = 0, malformed_ = 0;
};

void PrintApply(const std::string& what, const match::ApplyStats& s, bool quiet) {
  if (quiet) return;
  std::fprintf(stderr,
               "kizuna match: %s: %lld added, %lld replaced, %lld revoked, %lld unsupported, "
               "%lld invalid (%lld need the evaluator)\n",
               what.c_str(), static_cast<long long>(s.added), static_cast<long long>(s.replaced),
               static_cast<long long>(s.revoked), static_cast<long long>(s.unsupported),
               static_cast<long long>(s.invalid), static_cast<long long>(s.complex));
  for (const auto& e : s.errors) std::fprintf(stderr, "kizuna match: skipped %s\n", e.c_str());
  if (s.scan > 0) {
    std::fprintf(stderr,
                 "kizuna match: %s: %lld indicators have no value to index and are evaluated on "
                 "every event (slow)\n",
                 what.c_str(), static_cast<long long>(s.scan));
  }
}

int Run(const MatchFlags& f) {
  match::LogFormat format;
  if (!match::ParseLogFormat(f.format, &format)) {
    return Fail(InvalidArgument("--format must be eve, zeek, zeek-tsv, zeek-json or lines"));
  }
  if (f.indicator_files.empty() && f.hub.empty()) {
    return Fail(InvalidArgument("give --indicators FILE or --hub URL --collection ID"));
  }
  if (!f.hub.empty() && f.collection.empty()) {
    return Fail(InvalidArgument("--hub needs --collection"));
  }
  if (f.report && f.hub.empty()) return Fail(InvalidArgument("--report-to-hub needs --hub"));
  if (f.delimiter.size() != 1) return Fail(InvalidArgument("--delimiter must be one character"));
  match::MatcherOptions mo;
  mo.subdomains = !f.no_subdomains;
  match::Matcher matcher(mo);

  for (const auto& file : f.indicator_files) {
    auto data = match::ReadFileDecompressed(file);
    if (!data.ok()) return Fail(data.error());
    std::vector<match::IndicatorRecord> records;
    match::IndicatorFileStats st;
    match::ReadIndicators(*data, file, [&](match::IndicatorRecord&& r) {
      records.push_back(std::move(r));
    }, &st);
    for (const auto& e : st.errors) std::fprintf(stderr, "kizuna match: %s\n", e.c_str());
    PrintApply(file, matcher.Apply(std::move(records)), f.quiet);
  }

  std::unique_ptr<match::HubClient> hub, reporter;
  match::HubOptions ho;
  std::string cursor;
  if (!f.hub.empty()) {
    ho.url = f.hub;
    ho.api_root = f.api_root;
    ho.collection = f.collection;
    ho.user = f.user;
    ho.ca_file = f.ca_file;
    ho.insecure = f.insecure;
    if (!f.token_file.empty()) {
      auto t = ReadSecretText(f.token_file);
      if (!t.ok()) return Fail(t.error());
      ho.token = *t;
    } else if (!f.password_file.empty()) {
      auto p = ReadSecretText(f.password_file);
      if (!p.ok()) return Fail(p.error());
      ho.password = *p;
    }
    hub = std::make_unique<match::HubClient>(ho);
    auto pulled = hub->Pull(&cursor);
    if (!pulled.ok()) return Fail(pulled.error());
    PrintApply("hub", matcher.Apply(std::move(pulled->indicators)), f.quiet);
  }

  match::ScanOptions so;
  so.format = format;
  so.reader.csv_column = f.column;
  so.reader.csv_delimiter = f.delimiter[0];
  so.threads = f.threads;
  so.follow = f.follow;
  match::Scanner scanner(&matcher, so);
  CliSink sink(matcher, f.quiet);

  std::mutex agg_mu;
  std::unique_ptr<match::SightingAggregator> aggregator;
  if (f.report) {
    match::SightingOptions sopt;
    sopt.sensor_id = f.sensor_id;
    sopt.sensor_name = f.sensor_name;
    sopt.created_by = f.created_by;
    for (const auto& m : f.sighting_markings) {
      auto ref = MarkingRef(m);
      if (!ref.ok()) return Fail(ref.error());
      sopt.markings.push_back(*ref);
    }
    aggregator = std::make_unique<match::SightingAggregator>(sopt);
    sink.Attach(aggregator.get(), &agg_mu);
    reporter = std::make_unique<match::HubClient>(ho);
  }
  auto report = [&]() {
    if (!aggregator) return;
    std::vector<std::string> objects;
    {
      std::lock_guard lock(agg_mu);
      objects = aggregator->Take(matcher.clock().NowMicros());
    }
    if (objects.empty()) return;
    auto posted = reporter->Post(objects);
    if (!posted.ok()) {
      std::fprintf(stderr, "kizuna match: reporting sightings: %s\n",
                   posted.error().message().c_str());
      std::lock_guard lock(agg_mu);
      aggregator->Restore();
    } else if (!f.quiet) {
      std::fprintf(stderr, "kizuna match: reported %lld objects to the hub\n",
                   static_cast<long long>(*posted));
    }
  };

  // Background: refresh indicators from the hub and report sightings.
  std::atomic<bool> done{false};
  std::mutex bg_mu;
  std::condition_variable bg_cv;
  std::thread background;
  if (hub || aggregator) {
    background = std::thread([&] {
      auto next_refresh = std::chrono::steady_clock::now();
      auto next_report = std::chrono::steady_clock::now() +
                         std::chrono::milliseconds(static_cast<int64_t>(f.report_interval_s * 1000));
      const auto refresh = std::chrono::milliseconds(static_cast<int64_t>(f.refresh_s * 1000));
      for (;;) {
        {
          std::unique_lock lock(bg_mu);
          auto wake = hub ? std::min(next_refresh + refresh, next_report) : next_report;
          bg_cv.wait_until(lock, wake, [&] { return done.load(); });
        }
        if (done.load()) return;
        auto now = std::chrono::steady_clock::now();
        if (hub && now >= next_refresh + refresh) {
          next_refresh = now;
          auto pulled = hub->Pull(&cursor);
          if (!pulled.ok()) {
            std::fprintf(stderr, "kizuna match: refreshing from the hub: %s\n",
                         pulled.error().message().c_str());
          } else if (!pulled->indicators.empty()) {
            PrintApply("hub update", matcher.Apply(std::move(pulled->indicators)), f.quiet);
          }
        }
        if (aggregator && now >= next_report) {
          report();
          next_report = now + std::chrono::milliseconds(
                                  static_cast<int64_t>(f.report_interval_s * 1000));
        }
      }
    });
  }

  // SIGINT/SIGTERM end a follow-mode scan cleanly.
  static match::Scanner* active = nullptr;
  active = &scanner;
  struct sigaction sa {};
  sa.sa_handler = [](int) {
    if (active) active->Stop();
  };
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  std::vector<std::string> inputs = f.logs;
  if (inputs.empty()) inputs.push_back("-");
  auto stats = scanner.Scan(inputs, &sink);
  active = nullptr;
  {
    std::lock_guard lock(bg_mu);
    done.store(true);
  }
  bg_cv.notify_all();
  if (background.joinable()) background.join();
  std::fflush(stdout);
  report();  // the final sightings
  if (!stats.ok()) return Fail(stats.error());
  if (!f.quiet) {
    std::fprintf(stderr,
                 "kizuna match: %lld lines, %lld events, %lld malformed, %lld matches "
                 "(%lld indicators)\n",
                 static_cast<long long>(stats->lines), static_cast<long long>(stats->events),
                 static_cast<long long>(stats->malformed), static_cast<long long>(stats->matches),
                 static_cast<long long>(matcher.live()));
  }
  // grep's convention: 0 when something matched, 1 when nothing did.
  return stats->matches > 0 ? 0 : 1;
}

}  // namespace

void AddMatchCommand(CLI::App& root, int* exit_code) {
  auto* cmd = root.add_subcommand(
      "match", "scan security logs against indicators; print one JSON line per match");
  auto f = std::make_shared<MatchFlags>();
  cmd->add_option("--indicators", f->indicator_files,
                  "STIX bundle or JSON lines of indicators (repeatable; gzip/zstd accepted)");
  cmd->add_option("--hub", f->hub, "hub URL (or API root URL) to pull indicators from");
  cmd->add_option("--api-root", f->api_root, "API root name (default: from --hub or discovery)");
  cmd->add_option("--collection", f->collection, "collection id or alias on the hub");
  cmd->add_option("--user", f->user, "hub account (HTTP Basic)");
  cmd->add_option("--password-file", f->password_file, "file holding the account's password");
  cmd->add_option("--token-file", f->token_file, "file holding an API token (Bearer)");
  cmd->add_option("--ca-file", f->ca_file, "CA certificates (PEM) for an https hub");
  cmd->add_flag("--insecure", f->insecure, "do not verify the hub's certificate (tests only)");
  cmd->add_option("--refresh", f->refresh_s, "seconds between hub refreshes (default 1)");
  cmd->add_option("--format", f->format, "eve, zeek (TSV or JSON, detected), zeek-tsv, "
                                         "zeek-json or lines")
      ->required();
  cmd->add_option("--column", f->column, "lines: read this CSV column (1-based)");
  cmd->add_option("--delimiter", f->delimiter, "lines: CSV delimiter (default ,)");
  cmd->add_option("--threads", f->threads, "worker threads (default: one per core)");
  cmd->add_flag("--follow", f->follow, "keep reading the logs as they grow (until SIGINT/SIGTERM)");
  cmd->add_flag("--no-subdomains", f->no_subdomains,
                "a domain indicator matches that name only, not its subdomains");
  cmd->add_flag("--report-to-hub", f->report, "post sightings to the hub collection");
  cmd->add_option("--report-interval", f->report_interval_s,
                  "seconds between sighting reports (default 60; the last at the end)");
  cmd->add_option("--sensor-id", f->sensor_id,
                  "identity of this sensor (identity--...); default: a new system identity");
  cmd->add_option("--sensor-name", f->sensor_name, "name of the new sensor identity");
  cmd->add_option("--created-by", f->created_by,
                  "created_by_ref of reported sightings: your organization's identity (identity--...)");
  cmd->add_option("--sighting-marking", f->sighting_markings,
                  "marking of reported objects (TLP:... or an id; default TLP:AMBER; repeatable)");
  cmd->add_flag("--quiet", f->quiet, "no summaries or malformed-line reports on stderr");
  cmd->add_option("logs", f->logs, "log files (default: standard input; gzip/zstd accepted)");
  cmd->callback([f, exit_code] { *exit_code = Run(*f); });
}

}  // namespace kizuna::app
