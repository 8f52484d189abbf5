#include "match/engine.h"

#include <boost/json.hpp>
#include <deque>
#include <mutex>

#include "core/time.h"
#include "pattern/evaluator.h"
#include "pattern/observation.h"

namespace kizuna::match {

namespace json = boost::json;

boost::json::array ToObservedData(const Event& event, uint64_t seq, int64_t now_us) {
  // The deprecated inline form (STIX 2.1 §4.14 `objects`): references are
  // dictionary keys, so ids need no minting.
  json::object objects;
  int next = 0;
  auto add = [&](json::object o) {
    std::string key = std::to_string(next++);
    objects[key] = std::move(o);
    return key;
  };
  std::string src, dst;
  json::object file, cert, traffic_ext;
  std::string scratch;
  for (const Field& f : event.fields) {
    switch (f.kind) {
      case FieldKind::kIp:
      case FieldKind::kHost:
      case FieldKind::kDomain: {
        uint32_t v4;
        Uint128 v6;
        std::string type;
        std::string value(f.value);
        if (f.kind != FieldKind::kDomain && ParseIpv4(f.value, &v4)) {
          type = "ipv4-addr";
        } else if (f.kind != FieldKind::kDomain && ParseIpv6(f.value, &v6)) {
          type = "ipv6-addr";
          value = FormatIpv6(v6);
        } else if (f.kind != FieldKind::kIp) {
          std::string_view d = NormalizeDomain(f.value, &scratch);
          if (d.empty()) break;
          type = "domain-name";
          value = std::string(d);
        } else {
          break;
        }
        std::string key = add(json::object{{"type", type}, {"value", value}});
        if (f.role == Role::kSrc && src.empty()) src = key;
        if (f.role == Role::kDst && dst.empty()) dst = key;
        break;
      }
      case FieldKind::kUrl:
        add(json::object{{"type", "url"}, {"value", f.value}});
        break;
      case FieldKind::kEmail: {
        std::string_view e = NormalizeEmail(f.value, &scratch);
        if (!e.empty()) add(json::object{{"type", "email-addr"}, {"value", e}});
        break;
      }
      case FieldKind::kHash: {
        HashAlgo algo;
        if (!DigestAlgoByLength(f.value, &algo)) break;
        std::string hex;
        for (char c : f.value) {
          if (c != ':') hex += (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
        }
        json::object& target = f.group == HashGroup::kCert ? cert : file;
        if (!target.contains("hashes")) target["hashes"] = json::object();
        target["hashes"].as_object()[HashAlgoName(algo)] = hex;
        break;
      }
      case FieldKind::kGeneric: {
        std::string_view p = f.generic->path;
        if (p == PathFileName().path) {
          file["name"] = f.value;
        } else if (p == PathX509Subject().path) {
          cert["subject"] = f.value;
        } else if (p == PathX509Issuer().path) {
          cert["issuer"] = f.value;
        } else if (p == PathX509Serial().path) {
          cert["serial_number"] = f.value;
        } else if (p == PathUserAgent().path) {
          traffic_ext["request_header"] = json::object{{"User-Agent", f.value}};
        } else if (p == PathAccountLogin().path) {
          add(json::object{{"type", "user-account"}, {"account_login", f.value}});
        } else if (p == PathEmailSubject().path) {
          add(json::object{
              {"type", "email-message"}, {"is_multipart", false}, {"subject", f.value}});
        } else if (p == PathSoftwareName().path) {
          add(json::object{{"type", "software"}, {"name", f.value}});
        }
        break;
      }
    }
  }
  if (!file.empty()) {
    file["type"] = "file";
    add(std::move(file));
  }
  if (!cert.empty()) {
    cert["type"] = "x509-certificate";
    add(std::move(cert));
  }
  if (!src.empty() || !dst.empty() || !traffic_ext.empty()) {
    json::object nt{{"type", "network-traffic"}};
    if (!src.empty()) nt["src_ref"] = src;
    if (!dst.empty()) nt["dst_ref"] = dst;
    json::array protocols;
    if (event.log_type == "dns") protocols.push_back("dns");
    if (event.log_type == "http" || !traffic_ext.empty()) protocols.push_back("http");
    if (event.log_type == "tls" || event.log_type == "ssl") protocols.push_back("tls");
    if (protocols.empty()) protocols.push_back("ip");
    nt["protocols"] = std::move(protocols);
    if (!traffic_ext.empty()) {
      traffic_ext["request_method"] = "GET";
      traffic_ext["request_value"] = "/";
      nt["extensions"] = json::object{{"http-request-ext", std::move(traffic_ext)}};
    }
    add(std::move(nt));
  }
  std::string t = FormatTimestamp(event.Time() > 0 ? event.Time() : now_us, 6);
  char id[64];
  std::snprintf(id, sizeof id, "observed-data--00000000-0000-4000-8000-%012llx",
                static_cast<unsigned long long>(seq & 0xffffffffffffull));
  json::object od{{"type", "observed-data"},
                  {"spec_version", "2.1"},
                  {"id", id},
                  {"created", t},
                  {"modified", t},
                  {"first_observed", t},
                  {"last_observed", t},
                  {"number_observed", 1},
                  {"objects", std::move(objects)}};
  return json::array{std::move(od)};
}

struct PatternEngine::Entry {
  std::shared_ptr<const pattern::Pattern> pattern;
  bool stateful = false;
  int64_t window_us = 0;
  std::mutex mu;
  struct Buffered {
    int64_t time_us;
    json::value observed;
  };
  std::deque<Buffered> window;  // GUARDED_BY(mu)
};

PatternEngine::PatternEngine() : PatternEngine(Options{}) {}
PatternEngine::PatternEngine(Options options) : options_(options) {}
PatternEngine::~PatternEngine() = default;

namespace {

// The longest WITHIN of the pattern, in microseconds (0 when none).
int64_t LongestWithin(const pattern::ObservationExpr& e) {
  int64_t best = 0;
  for (const pattern::Qualifier& q : e.qualifiers) {
    if (q.kind == pattern::QualifierKind::kWithin) best = std::max(best, q.within_micros);
  }
  for (const pattern::ObservationExpr* c : e.children) best = std::max(best, LongestWithin(*c));
  return best;
}

}  // namespace

void PatternEngine::Add(uint32_t ordinal, std::shared_ptr<const pattern::Pattern> pattern,
                        bool stateful) {
  auto e = std::make_shared<Entry>();
  int64_t within = LongestWithin(pattern->root());
  e->pattern = std::move(pattern);
  e->stateful = stateful;
  e->window_us = within > 0 ? std::min(within, options_.max_window_us) : options_.max_window_us;
  std::unique_lock lock(mu_);
  entries_[ordinal] = std::move(e);
}

void PatternEngine::Remove(uint32_t ordinal) {
  std::unique_lock lock(mu_);
  entries_.erase(ordinal);
}

size_t PatternEngine::size() const {
  std::shared_lock lock(mu_);
  return entries_.size();
}

int64_t PatternEngine::evaluations() const { return evaluations_.load(); }

bool PatternEngine::Evaluate(uint32_t ordinal, const Event& event, int64_t now_us) {
  std::shared_ptr<Entry> e;
  {
    std::shared_lock lock(mu_);
    auto it = entries_.find(ordinal);
    if (it == entries_.end()) return false;
    e = it->second;
  }
  evaluations_.fetch_add(1, std::memory_order_relaxed);
  uint64_t seq = seq_.fetch_add(1, std::memory_order_relaxed);
  json::array od = ToObservedData(event, seq, now_us);
  if (!e->stateful) {
    auto set = pattern::ObservationSet::Build(od, pattern::SpecVersion::k21);
    if (!set.ok()) return false;
    auto r = pattern::Evaluate(*e->pattern, *set);
    return r.ok() && r->matched;
  }
  int64_t t = event.Time() > 0 ? event.Time() : now_us;
  std::lock_guard lock(e->mu);
  e->window.push_back({t, std::move(od[0])});
  // Keep the window bounded in event time and in count.
  int64_t newest = t;
  for (const auto& b : e->window) newest = std::max(newest, b.time_us);
  while (!e->window.empty() &&
         (e->window.front().time_us < newest - e->window_us ||
          e->window.size() > options_.max_events)) {
    e->window.pop_front();
  }
  std::vector<json::value> inputs;
  inputs.reserve(e->window.size());
  for (const auto& b : e->window) inputs.push_back(b.observed);
  auto set = pattern::ObservationSet::Build(std::span<const json::value>(inputs),
                                            pattern::SpecVersion::k21);
  if (!set.ok()) return false;
  auto r = pattern::Evaluate(*e->pattern, *set);
  if (!r.ok() || !r->matched) return false;
  // Consume the bound events (indices follow the window order).
  std::vector<size_t> bound = r->observations;
  for (auto it = bound.rbegin(); it != bound.rend(); ++it) {
    if (*it < e->window.size()) e->window.erase(e->window.begin() + static_cast<ptrdiff_t>(*it));
  }
  return true;
}

}  // namespace kizuna::match
