#pragma once
// PatternEngine: runs the STIX pattern evaluator (pattern/evaluator.h) for
// the indicators the index cannot answer alone, on events converted to
// observed-data (ToObservedData).
//
//  - Single-observation patterns (e.g. [file:name = 'a' AND file:size > 10])
//    are evaluated on the one event that hit an entry (or on every event
//    for patterns with no necessary entry).
//  - Patterns that bind several observations (AND / OR / FOLLOWEDBY between
//    observations, WITHIN, REPEATS, START/STOP) keep a window of the recent
//    candidate events (those that hit an entry of any of their observations)
//    and are evaluated over the window plus the new event. The window is
//    bounded by time (the pattern's WITHIN, else Options::max_window_us, in
//    event time) and by count (Options::max_events, oldest dropped first). A
//    match consumes the events it bound, so one burst is reported once.
//
// Thread-safe: Add/Remove from the matcher's writer, Evaluate from any
// number of scan threads (each pattern's window has its own lock).

#include <atomic>
#include <boost/json/fwd.hpp>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <unordered_map>

#include "match/event.h"
#include "pattern/ast.h"

namespace kizuna::match {

// The event as STIX 2.1 observed-data with its SCOs: a network-traffic
// object for source and destination addresses, ipv4-addr/ipv6-addr,
// domain-name, url, email-addr, a file (hashes, name), an x509-certificate
// (hashes, subject, issuer, serial_number), user-account, email-message and
// software objects. Ids are unique per `seq`. The observed-data is the
// first element; first_observed = last_observed = the event time (or
// `now_us` when the event has none).
boost::json::array ToObservedData(const Event& event, uint64_t seq, int64_t now_us);

class PatternEngine {
 public:
  struct Options {
    int64_t max_window_us = 3600LL * 1000000;
    size_t max_events = 256;
  };
  PatternEngine();
  explicit PatternEngine(Options options);
  ~PatternEngine();

  // Registers the pattern of an indicator. `stateful`: it binds several
  // observations or has qualifiers.
  void Add(uint32_t ordinal, std::shared_ptr<const pattern::Pattern> pattern, bool stateful);
  void Remove(uint32_t ordinal);
  // Evaluates indicator `ordinal` for `event`. True on a match. Evaluation
  // errors (a MATCHES that cannot run, resource limits) count as no match.
  bool Evaluate(uint32_t ordinal, const Event& event, int64_t now_us);
  size_t size() const;
  int64_t evaluations() const;

 private:
  struct Entry;
  Options options_;
  mutable std::shared_mutex mu_;
  std::unordered_map<uint32_t, std::shared_ptr<Entry>> entries_;  // GUARDED_BY(mu_)
  std::atomic<uint64_t> seq_{0};
  std::atomic<int64_t> evaluations_{0};
};

}  // namespace kizuna::match
