#include "export/misp.h"

#include <boost/json.hpp>
#include <functional>

#include "core/time.h"
#include "core/uuid.h"
#include "stix/markings.h"
#include "stix/object.h"

namespace kizuna::exports {

namespace json = boost::json;

namespace {

std::string Str(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  if (it == o.end()) return "";
  if (it->value().is_string()) return std::string(it->value().get_string());
  if (it->value().is_int64()) return std::to_string(it->value().get_int64());
  return "";
}

bool Bool(const json::object& o, std::string_view k) {
  auto it = o.find(k);
  if (it == o.end()) return false;
  if (it->value().is_bool()) return it->value().get_bool();
  if (it->value().is_string()) return it->value().get_string() == "1" || it->value().get_string() == "true";
  if (it->value().is_int64()) return it->value().get_int64() != 0;
  return false;
}

// MISP timestamps are epoch seconds (as text); dates are YYYY-MM-DD.
std::string TimeOf(const json::object& o, const std::string& fallback) {
  std::string ts = Str(o, "timestamp");
  if (!ts.empty() && ts.find_first_not_of("0123456789") == std::string::npos && ts.size() < 12) {
    return FormatTimestamp(std::stoll(ts) * 1000000, 3);
  }
  return fallback;
}

std::string PatternEscape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// The TLP marking of a tag name ("tlp:amber", lower case, trimmed), or "".
std::string TlpRef(const std::string& name) {
  if (name.rfind("tlp:", 0) != 0) return "";
  std::string l = name.substr(4);
  if (l == "white" || l == "clear") return std::string(stix::kTlpClearId);
  if (l == "green") return std::string(stix::kTlpGreenId);
  if (l == "amber") return std::string(stix::kTlpAmberId);
  if (l == "amber+strict") return std::string(stix::kTlpAmberStrictId);
  if (l == "red") return std::string(stix::kTlpRedId);
  return "";
}

struct Tags {
  std::vector<std::string> markings;
  std::vector<std::string> labels;
  std::vector<std::string> unknown_tlp;  // "tlp:" tags of no known level
};

// The refusal of an event or attribute with a tlp: tag of no known level.
std::string UnknownTlp(const std::string& what, const std::string& uuid, const Tags& tags) {
  return "MISP " + what + " " + (uuid.empty() ? "(no uuid)" : uuid) + ": tag '" +
         tags.unknown_tlp.front() +
         "' imitates TLP but names no TLP 2.0 or TLP 1.0 level; tag it tlp:clear, tlp:green, "
         "tlp:amber, tlp:amber+strict or tlp:red (tlp-lookalike)";
}

Tags ReadTags(const json::object& o) {
  Tags t;
  auto it = o.find("Tag");
  if (it == o.end() || !it->value().is_array()) return t;
  for (const auto& v : it->value().get_array()) {
    if (!v.is_object()) continue;
    std::string name(stix::TrimMarkingText(Str(v.get_object(), "name")));
    if (name.empty()) continue;
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string ref = TlpRef(lower);
    if (!ref.empty()) {
      t.markings.push_back(ref);
    } else if (lower.rfind("tlp:", 0) == 0) {
      t.unknown_tlp.push_back(name);
    } else {
      t.labels.push_back(name);
    }
  }
  return t;
}

// The strictest of the TLP references given.
std::vector<std::string> Strictest(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> all = a;
  all.insert(all.end(), b.begin(), b.end());
  stix::Tlp t = stix::StrictestTlp(std::span<const std::string>(all));
  if (t == stix::Tlp::kNone) return {};
  return {std::string(stix::Tlp2MarkingDefinition(t)->id)};
}

// A MISP value as (pattern, SCO); empty pattern when the type has no form.
struct Mapped {
  std::string pattern;
  json::object sco;
};

bool IsIpv6(std::string_view v) { return v.find(':') != std::string_view::npos; }

Mapped Map(const std::string& type, std::string value) {
  Mapped m;
  auto first = [](const std::string& v) { return v.substr(0, v.find('|')); };
  auto second = [](const std::string& v) {
    size_t p = v.find('|');
    return p == std::string::npos ? std::string() : v.substr(p + 1);
  };
  std::string t = type;
  if (t == "ip-src|port" || t == "ip-dst|port") {
    value = first(value);
    t = "ip-dst";
  }
  if (t == "domain|ip") {
    value = first(value);
    t = "domain";
  }
  if (t.rfind("filename|", 0) == 0) {
    std::string algo = t.substr(9);
    value = second(value);
    t = algo;
  }
  if (t == "ip-src" || t == "ip-dst") {
    std::string stype = IsIpv6(value) ? "ipv6-addr" : "ipv4-addr";
    m.pattern = "[" + stype + ":value = '" + PatternEscape(value) + "']";
    m.sco = json::object{{"type", stype}, {"value", value}};
  } else if (t == "domain" || t == "hostname") {
    m.pattern = "[domain-name:value = '" + PatternEscape(value) + "']";
    m.sco = json::object{{"type", "domain-name"}, {"value", value}};
  } else if (t == "url" || t == "uri") {
    m.pattern = "[url:value = '" + PatternEscape(value) + "']";
    m.sco = json::object{{"type", "url"}, {"value", value}};
  } else if (t == "email" || t == "email-src" || t == "email-dst") {
    m.pattern = "[email-addr:value = '" + PatternEscape(value) + "']";
    m.sco = json::object{{"type", "email-addr"}, {"value", value}};
  } else if (t == "email-subject") {
    m.pattern = "[email-message:subject = '" + PatternEscape(value) + "']";
    m.sco = json::object{{"type", "email-message"}, {"is_multipart", false}, {"subject", value}};
  } else if (t == "md5" || t == "sha1" || t == "sha256" || t == "sha512") {
    std::string algo = t == "md5" ? "MD5" : t == "sha1" ? "SHA-1" : t == "sha256" ? "SHA-256" : "SHA-512";
    m.pattern = "[file:hashes.'" + algo + "' = '" + PatternEscape(value) + "']";
    m.sco = json::object{{"type", "file"}, {"hashes", json::object{{algo, value}}}};
  } else if (t == "filename") {
    m.pattern = "[file:name = '" + PatternEscape(value) + "']";
    m.sco = json::object{{"type", "file"}, {"name", value}};
  } else if (t == "x509-fingerprint-sha1" || t == "x509-fingerprint-sha256") {
    std::string algo = t == "x509-fingerprint-sha1" ? "SHA-1" : "SHA-256";
    m.pattern = "[x509-certificate:hashes.'" + algo + "' = '" + PatternEscape(value) + "']";
    m.sco = json::object{{"type", "x509-certificate"}, {"hashes", json::object{{algo, value}}}};
  } else if (t == "mutex") {
    m.pattern = "[mutex:name = '" + PatternEscape(value) + "']";
    m.sco = json::object{{"type", "mutex"}, {"name", value}};
  } else if (t == "regkey") {
    m.pattern = "[windows-registry-key:key = '" + PatternEscape(value) + "']";
    m.sco = json::object{{"type", "windows-registry-key"}, {"key", value}};
  } else if (t == "user-agent") {
    m.pattern = "[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = '" +
                PatternEscape(value) + "']";
  }
  return m;
}

class Converter {
 public:
  explicit Converter(MispImportStats* stats) : stats_(stats) {}

  void Event(const json::object& e) {
    ++stats_->events;
    std::string uuid = Str(e, "uuid");
    if (!IsUuidSyntax(uuid)) uuid = NewUuidV4();
    std::string date = Str(e, "date");
    std::string created = date.size() == 10 ? date + "T00:00:00.000Z" : FormatTimestamp(0, 3);
    std::string modified = TimeOf(e, created);
    Tags event_tags = ReadTags(e);
    if (!event_tags.unknown_tlp.empty()) {
      stats_->refused.push_back(UnknownTlp("event", Str(e, "uuid"), event_tags));
      return;
    }
    event_markings_ = Strictest(event_tags.markings, {});
    event_labels_ = event_tags.labels;
    refs_.clear();
    links_.clear();
    // The creator.
    creator_.clear();
    if (auto it = e.find("Orgc"); it != e.end() && it->value().is_object()) {
      const json::object& org = it->value().get_object();
      std::string ouuid = Str(org, "uuid");
      if (IsUuidSyntax(ouuid)) {
        creator_ = "identity--" + ouuid;
        json::object id{{"type", "identity"}, {"spec_version", "2.1"}, {"id", creator_},
                        {"created", created}, {"modified", created},
                        {"name", Str(org, "name").empty() ? "MISP organization" : Str(org, "name")},
                        {"identity_class", "organization"}};
        out_.push_back(json::serialize(id));
      }
    }
    auto attrs = [&](const json::object& holder) {
      auto it = holder.find("Attribute");
      if (it == holder.end() || !it->value().is_array()) return;
      for (const auto& a : it->value().get_array()) {
        if (a.is_object()) Attribute(a.get_object(), created);
      }
    };
    attrs(e);
    if (auto it = e.find("Object"); it != e.end() && it->value().is_array()) {
      for (const auto& o : it->value().get_array()) {
        if (o.is_object()) attrs(o.get_object());
      }
    }
    if (refs_.empty() && !creator_.empty()) refs_.push_back(creator_);
    if (refs_.empty()) return;  // a report needs object_refs
    bool published = Bool(e, "published");
    json::object r{{"spec_version", "2.1"}, {"created", created}, {"modified", modified},
                   {"name", Str(e, "info").empty() ? "MISP event " + uuid : Str(e, "info")}};
    json::array refs;
    for (const auto& x : refs_) refs.push_back(json::string(x));
    r["object_refs"] = std::move(refs);
    if (published) {
      r["type"] = "report";
      r["id"] = "report--" + uuid;
      std::string pts = Str(e, "publish_timestamp");
      r["published"] = (!pts.empty() && pts != "0" && pts.size() < 12 &&
                        pts.find_first_not_of("0123456789") == std::string::npos)
                           ? FormatTimestamp(std::stoll(pts) * 1000000, 3)
                           : modified;
    } else {
      r["type"] = "grouping";
      r["id"] = "grouping--" + uuid;
      r["context"] = "suspicious-activity";
    }
    Common(&r, event_markings_, event_labels_);
    json::array ext{json::object{{"source_name", "misp"}, {"external_id", uuid}}};
    for (const auto& l : links_) ext.push_back(json::object{{"source_name", "link"}, {"url", l}});
    r["external_references"] = std::move(ext);
    out_.push_back(json::serialize(r));
  }

  std::vector<std::string> Take() { return std::move(out_); }

 private:
  void Common(json::object* o, const std::vector<std::string>& markings,
              const std::vector<std::string>& labels) {
    if (!creator_.empty()) (*o)["created_by_ref"] = creator_;
    if (!markings.empty()) {
      json::array m;
      for (const auto& x : markings) m.push_back(json::string(x));
      (*o)["object_marking_refs"] = std::move(m);
    }
    if (!labels.empty()) {
      json::array l;
      for (const auto& x : labels) l.push_back(json::string(x));
      (*o)["labels"] = std::move(l);
    }
  }

  void Attribute(const json::object& a, const std::string& event_created) {
    ++stats_->attributes;
    std::string type = Str(a, "type"), value = Str(a, "value");
    if (value.empty()) {
      ++stats_->skipped[type.empty() ? "(no type)" : type];
      return;
    }
    std::string uuid = Str(a, "uuid");
    if (!IsUuidSyntax(uuid)) uuid = UuidV5(kStixScoNamespace, type + "|" + value);
    std::string t = TimeOf(a, event_created);
    Tags tags = ReadTags(a);
    if (!tags.unknown_tlp.empty()) {
      stats_->refused.push_back(UnknownTlp("attribute", Str(a, "uuid"), tags));
      return;
    }
    std::vector<std::string> markings = Strictest(tags.markings, event_markings_);
    std::vector<std::string> labels = tags.labels;
    labels.insert(labels.end(), event_labels_.begin(), event_labels_.end());
    if (type == "link") {
      links_.push_back(value);
      return;
    }
    if (type == "vulnerability") {
      json::object v{{"type", "vulnerability"}, {"spec_version", "2.1"}, {"id", "vulnerability--" + uuid},
                     {"created", t}, {"modified", t}, {"name", value}};
      if (value.rfind("CVE-", 0) == 0) {
        v["external_references"] =
            json::array{json::object{{"source_name", "cve"}, {"external_id", value}}};
      }
      Common(&v, markings, labels);
      refs_.push_back("vulnerability--" + uuid);
      out_.push_back(json::serialize(v));
      return;
    }
    Mapped m = Map(type, value);
    if (m.pattern.empty()) {
      ++stats_->skipped[type];
      return;
    }
    if (Bool(a, "to_ids")) {
      std::string comment = Str(a, "comment");
      json::object ind{{"type", "indicator"}, {"spec_version", "2.1"}, {"id", "indicator--" + uuid},
                       {"created", t}, {"modified", t},
                       {"name", comment.empty() ? type + ": " + value : comment},
                       {"pattern", m.pattern}, {"pattern_type", "stix"}, {"valid_from", t},
                       {"indicator_types", json::array{"malicious-activity"}}};
      if (!comment.empty()) ind["description"] = comment;
      Common(&ind, markings, labels);
      refs_.push_back("indicator--" + uuid);
      out_.push_back(json::serialize(ind));
      ++stats_->indicators;
      return;
    }
    if (m.sco.empty()) {
      ++stats_->skipped[type];
      return;
    }
    m.sco["spec_version"] = "2.1";
    auto id = stix::DeterministicScoId(m.sco);
    m.sco["id"] = id ? *id : std::string(m.sco.at("type").as_string()) + "--" + uuid;
    if (!markings.empty()) {
      json::array mk;
      for (const auto& x : markings) mk.push_back(json::string(x));
      m.sco["object_marking_refs"] = std::move(mk);
    }
    refs_.push_back(std::string(m.sco.at("id").as_string()));
    out_.push_back(json::serialize(m.sco));
    ++stats_->observables;
  }

  MispImportStats* stats_;
  std::vector<std::string> out_;
  std::vector<std::string> refs_, links_;
  std::vector<std::string> event_markings_, event_labels_;
  std::string creator_;
};

}  // namespace

Result<std::vector<std::string>> MispToStix(std::string_view text, MispImportStats* stats) {
  json::value v;
  boost::system::error_code ec;
  v = json::parse(text, ec);
  if (ec) return InvalidArgument("not JSON: " + ec.message());
  std::vector<const json::object*> events;
  std::function<void(const json::value&, int)> collect = [&](const json::value& x, int depth) {
    if (depth > 4) return;
    if (x.is_array()) {
      for (const auto& e : x.get_array()) collect(e, depth + 1);
      return;
    }
    if (!x.is_object()) return;
    const json::object& o = x.get_object();
    if (auto it = o.find("Event"); it != o.end() && it->value().is_object()) {
      events.push_back(&it->value().get_object());
    } else if (auto r = o.find("response"); r != o.end()) {
      collect(r->value(), depth + 1);
    } else if (o.contains("Attribute") || o.contains("info")) {
      events.push_back(&o);
    }
  };
  collect(v, 0);
  if (events.empty()) return InvalidArgument("no MISP event in the input");
  Converter c(stats);
  for (const json::object* e : events) c.Event(*e);
  return c.Take();
}

}  // namespace kizuna::exports
