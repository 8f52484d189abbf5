#include "match/sightings.h"

#include <unistd.h>

#include <boost/json.hpp>

#include "core/time.h"
#include "core/uuid.h"
#include "stix/markings.h"
#include "stix/object.h"

namespace kizuna::match {

namespace json = boost::json;

namespace {

// The SCO for a matched value, from the kind of field it came from.
json::object ScoFor(const MatchRecord& m) {
  std::string buf;
  uint32_t v4;
  Uint128 v6;
  const std::string_view v = m.value;
  if (m.kind == FieldKind::kGeneric && m.generic != nullptr) {
    std::string_view p = m.generic->path;
    if (p == PathFileName().path) return json::object{{"type", "file"}, {"name", v}};
    if (p == PathX509Subject().path) return json::object{{"type", "x509-certificate"}, {"subject", v}};
    if (p == PathX509Issuer().path) return json::object{{"type", "x509-certificate"}, {"issuer", v}};
    if (p == PathX509Serial().path) {
      return json::object{{"type", "x509-certificate"}, {"serial_number", v}};
    }
    if (p == PathAccountLogin().path) return json::object{{"type", "user-account"}, {"account_login", v}};
    if (p == PathEmailSubject().path) {
      return json::object{{"type", "email-message"}, {"is_multipart", false}, {"subject", v}};
    }
    if (p == PathSoftwareName().path) return json::object{{"type", "software"}, {"name", v}};
    return json::object{
        {"type", "network-traffic"},
        {"protocols", json::array{"http"}},
        {"extensions",
         json::object{{"http-request-ext", json::object{{"request_method", "GET"},
                                                        {"request_value", "/"},
                                                        {"request_header",
                                                         json::object{{"User-Agent", v}}}}}}}};
  }
  if (m.kind == FieldKind::kHash) {
    HashAlgo algo;
    uint8_t digest[64];
    if (DigestAlgoByLength(v, &algo) && ParseDigest(v, DigestBytes(algo), digest)) {
      std::string hex;
      for (char c : v) {
        if (c != ':') hex += (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
      }
      bool cert = m.field.find("fingerprint") != std::string::npos ||
                  m.field.find("cert") != std::string::npos;
      return json::object{{"type", cert ? "x509-certificate" : "file"},
                          {"hashes", json::object{{HashAlgoName(algo), hex}}}};
    }
  }
  if (ParseIpv4(v, &v4)) return json::object{{"type", "ipv4-addr"}, {"value", v}};
  if (ParseIpv6(v, &v6)) return json::object{{"type", "ipv6-addr"}, {"value", FormatIpv6(v6)}};
  if (m.kind == FieldKind::kUrl) return json::object{{"type", "url"}, {"value", v}};
  if (m.kind == FieldKind::kEmail) {
    std::string_view e = NormalizeEmail(v, &buf);
    if (!e.empty()) return json::object{{"type", "email-addr"}, {"value", e}};
  }
  std::string_view host = v;
  if (size_t colon = host.rfind(':'); colon != std::string_view::npos) host = host.substr(0, colon);
  std::string_view d = NormalizeDomain(host, &buf);
  if (!d.empty()) return json::object{{"type", "domain-name"}, {"value", d}};
  return json::object{{"type", "url"}, {"value", v}};
}

std::string Time(int64_t us) { return FormatTimestamp(us, 3); }

}  // namespace

SightingAggregator::SightingAggregator(SightingOptions options) : options_(std::move(options)) {
  if (options_.markings.empty()) options_.markings.push_back(std::string(stix::kTlpAmberId));
  if (!options_.sensor_id.empty()) {
    sensor_id_ = options_.sensor_id;
    identity_sent_ = true;  // the operator's identity exists already
  } else {
    sensor_id_ = "identity--" + NewUuidV4();
    if (options_.sensor_name.empty()) {
      char host[256] = {};
      gethostname(host, sizeof host - 1);
      options_.sensor_name = std::string("kizuna sensor ") + host;
    }
  }
}

void SightingAggregator::Add(const MatchRecord& m, const Matcher& matcher, int64_t now_us) {
  Aggregate& a = aggregates_[m.ordinal];
  int64_t t = m.time_us > 0 ? m.time_us : now_us;
  if (a.count == 0) {
    a.indicator = matcher.IndicatorId(m.ordinal);
    a.sighting_id = "sighting--" + NewUuidV4();
    a.observed_id = "observed-data--" + NewUuidV4();
    json::object sco = ScoFor(m);
    auto id = stix::DeterministicScoId(sco);
    a.sco_id = id ? *id : std::string(sco.at("type").as_string()) + "--" + NewUuidV4();
    sco["id"] = a.sco_id;
    sco["spec_version"] = "2.1";
    a.sco = json::serialize(sco);
    a.first_us = a.last_us = t;
    a.created_us = now_us;
  }
  ++a.count;
  a.first_us = std::min(a.first_us, t);
  a.last_us = std::max(a.last_us, t);
  a.dirty = true;
}

std::vector<std::string> SightingAggregator::Take(int64_t now_us) {
  std::vector<std::string> out;
  taken_.clear();
  identity_pending_ = false;
  json::array markings;
  for (const auto& m : options_.markings) markings.push_back(json::string(m));
  for (auto& [ordinal, a] : aggregates_) {
    if (!a.dirty) continue;
    a.dirty = false;
    taken_.push_back(ordinal);
    // Versions must move forward even within one millisecond (STIX 2.1 §3.6).
    int64_t modified = std::max(now_us, a.last_modified_us + 1000);
    modified = std::max(modified, a.created_us);
    a.last_modified_us = modified;
    if (out.empty() && !identity_sent_) {
      json::object identity{{"type", "identity"},
                            {"spec_version", "2.1"},
                            {"id", sensor_id_},
                            {"created", Time(a.created_us)},
                            {"modified", Time(a.created_us)},
                            {"name", options_.sensor_name},
                            {"identity_class", "system"},
                            {"object_marking_refs", markings}};
      out.push_back(json::serialize(identity));
      identity_pending_ = true;
    }
    out.push_back(a.sco);
    // observed-data: first/last observed and the count of the observations.
    json::object od{{"type", "observed-data"},
                    {"spec_version", "2.1"},
                    {"id", a.observed_id},
                    {"created", Time(a.created_us)},
                    {"modified", Time(modified)},
                    {"first_observed", Time(a.first_us)},
                    {"last_observed", Time(std::max(a.last_us, a.first_us))},
                    {"number_observed", std::min<int64_t>(a.count, 999'999'999)},
                    {"object_refs", json::array{json::string(a.sco_id)}},
                    {"object_marking_refs", markings}};
    if (!options_.created_by.empty()) od["created_by_ref"] = options_.created_by;
    out.push_back(json::serialize(od));
    json::object s{{"type", "sighting"},
                   {"spec_version", "2.1"},
                   {"id", a.sighting_id},
                   {"created", Time(a.created_us)},
                   {"modified", Time(modified)},
                   {"sighting_of_ref", a.indicator},
                   {"count", std::min<int64_t>(a.count, 999'999'999)},
                   {"first_seen", Time(a.first_us)},
                   {"last_seen", Time(std::max(a.last_us, a.first_us))},
                   {"where_sighted_refs", json::array{json::string(sensor_id_)}},
                   {"observed_data_refs", json::array{json::string(a.observed_id)}},
                   {"object_marking_refs", markings}};
    if (!options_.created_by.empty()) s["created_by_ref"] = options_.created_by;
    out.push_back(json::serialize(s));
  }
  if (identity_pending_) identity_sent_ = true;
  return out;
}

void SightingAggregator::Restore() {
  for (uint32_t o : taken_) aggregates_[o].dirty = true;
  if (identity_pending_) {
    identity_sent_ = false;
    identity_pending_ = false;
  }
  taken_.clear();
}

}  // namespace kizuna::match
