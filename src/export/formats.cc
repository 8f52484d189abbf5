#include "export/formats.h"

#include <boost/json.hpp>

#include "core/time.h"
#include "core/uuid.h"
#include "match/fingerprint.h"
#include "stix/bundle.h"
#include "stix/markings.h"

namespace kizuna::exports {

namespace json = boost::json;

bool ParseFormat(std::string_view n, Format* out) {
  static const std::pair<std::string_view, Format> kNames[] = {
      {"suricata", Format::kSuricata}, {"snort", Format::kSnort}, {"zeek-intel", Format::kZeekIntel},
      {"csv", Format::kCsv},           {"stix", Format::kStix},   {"misp", Format::kMisp},
      {"plain", Format::kPlain}};
  for (const auto& [name, f] : kNames) {
    if (n == name) {
      *out = f;
      return true;
    }
  }
  return false;
}

std::string_view FormatName(Format f) {
  switch (f) {
    case Format::kSuricata: return "suricata";
    case Format::kSnort: return "snort";
    case Format::kZeekIntel: return "zeek-intel";
    case Format::kCsv: return "csv";
    case Format::kStix: return "stix";
    case Format::kMisp: return "misp";
    case Format::kPlain: return "plain";
  }
  return "";
}

std::string_view ContentType(Format f) {
  switch (f) {
    case Format::kCsv: return "text/csv; charset=utf-8";
    case Format::kStix: return "application/stix+json;version=2.1";
    case Format::kMisp: return "application/json";
    default: return "text/plain; charset=utf-8";
  }
}

bool ParsePlainKind(std::string_view n, PlainKind* out) {
  static const std::pair<std::string_view, PlainKind> kNames[] = {
      {"ipv4", PlainKind::kIpv4},     {"ipv6", PlainKind::kIpv6},   {"domains", PlainKind::kDomains},
      {"urls", PlainKind::kUrls},     {"emails", PlainKind::kEmails}, {"md5", PlainKind::kMd5},
      {"sha1", PlainKind::kSha1},     {"sha256", PlainKind::kSha256}};
  for (const auto& [name, k] : kNames) {
    if (n == name) {
      *out = k;
      return true;
    }
  }
  return false;
}

namespace {

// Suricata/Snort rule option values: msg text and content bytes.
std::string RuleMsg(std::string_view s) {
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) {
      out += '?';
    } else if (c == '"' || c == ';' || c == '\\') {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

std::string RuleContent(std::string_view s) {
  std::string out;
  bool in_hex = false;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    bool plain = u >= 0x20 && u < 0x7f && c != '"' && c != ';' && c != '\\' && c != '|' && c != ':';
    if (plain) {
      if (in_hex) out += '|';
      in_hex = false;
      out += c;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%02X", u);
      out += in_hex ? " " : "|";
      out += buf;
      in_hex = true;
    }
  }
  if (in_hex) out += '|';
  return out;
}

// A DNS name in wire format for content matching: |04|evil|03|com|00|.
std::string DnsWire(std::string_view name) {
  std::string out;
  size_t s = 0;
  while (s <= name.size()) {
    size_t e = name.find('.', s);
    if (e == std::string_view::npos) e = name.size();
    std::string_view label = name.substr(s, e - s);
    char buf[8];
    std::snprintf(buf, sizeof buf, "|%02X|", static_cast<unsigned>(label.size() & 0x3f));
    out += buf;
    out += RuleContent(label);
    s = e + 1;
  }
  out += "|00|";
  return out;
}

std::string Msg(const IndicatorInfo& info, std::string_view what) {
  std::string name = info.name.empty() ? std::string(what) : info.name;
  return RuleMsg("KIZUNA " + name + " (" + std::string(what) + ")");
}

std::string CsvCell(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Zeek input framework: tabs and newlines in a value are written as \x09.
std::string ZeekValue(std::string_view s) {
  if (s.empty()) return "(empty)";
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

std::string Tlp(const IndicatorInfo& info) {
  stix::Tlp t = stix::StrictestTlp(std::span<const std::string>(info.markings));
  std::string_view n = stix::TlpName(t);
  return std::string(n);
}

}  // namespace

Exporter::Exporter(ExportOptions options) : options_(std::move(options)) {}

uint32_t Exporter::Sid(std::string_view id) {
  constexpr uint32_t kSpace = 1u << 20;
  uint32_t h = static_cast<uint32_t>(match::Hash64(id, 0x5eed) % kSpace);
  while (sids_.count(h)) h = (h + 1) % kSpace;
  sids_.insert(h);
  return options_.sid_base + h;
}

void Exporter::Rules(const IndicatorInfo& info, bool snort) {
  auto tail = [&](std::string_view what) {
    std::string meta = snort ? "metadata:stix_id " + info.id : "metadata:stix_id " + info.id;
    return "msg:\"" + Msg(info, what) + "\"; classtype:trojan-activity; sid:" +
           std::to_string(Sid(info.id + std::string(what))) + "; rev:1; " + meta + ";)\n";
  };
  int64_t written = 0;
  for (const Item& it : info.items) {
    switch (it.kind) {
      case ItemKind::kIpv4:
      case ItemKind::kIpv6:
      case ItemKind::kCidr4:
      case ItemKind::kCidr6:
        out_ += "alert ip [" + it.value + "] any <> $HOME_NET any (" + tail(it.value);
        ++written;
        break;
      case ItemKind::kDomain:
        if (snort) {
          out_ += "alert udp $HOME_NET any -> any 53 (content:\"" + DnsWire(it.value) +
                  "\"; nocase; " + tail("dns " + it.value);
          ++written;
        } else {
          std::string c = RuleContent("." + it.value);
          out_ += "alert dns $HOME_NET any -> any any (dns.query; dotprefix; content:\"" + c +
                  "\"; nocase; endswith; " + tail("dns " + it.value);
          out_ += "alert tls $HOME_NET any -> any any (tls.sni; dotprefix; content:\"" + c +
                  "\"; nocase; endswith; " + tail("tls " + it.value);
          out_ += "alert http $HOME_NET any -> any any (http.host; dotprefix; content:\"" + c +
                  "\"; endswith; " + tail("http " + it.value);
          written += 3;
        }
        break;
      case ItemKind::kUrl: {
        if (it.value.rfind("http://", 0) != 0) {
          ++stats_.skipped_kind;
          break;
        }
        std::string rest = it.value.substr(7);
        size_t slash = rest.find('/');
        std::string host = rest.substr(0, slash);
        std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
        if (size_t at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
        if (size_t colon = host.rfind(':'); colon != std::string::npos && host.front() != '[') {
          host = host.substr(0, colon);
        }
        if (snort) {
          out_ += "alert tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (flow:established,to_server; "
                  "content:\"" + RuleContent(path) + "\"; http_uri; content:\"" + RuleContent(host) +
                  "\"; http_header; nocase; " + tail("url " + it.value);
        } else {
          out_ += "alert http $HOME_NET any -> any any (flow:established,to_server; http.host; "
                  "content:\"" + RuleContent(host) + "\"; startswith; endswith; http.uri; content:\"" +
                  RuleContent(path) + "\"; startswith; endswith; " + tail("url " + it.value);
        }
        ++written;
        break;
      }
      default:
        ++stats_.skipped_kind;
        break;
    }
  }
  stats_.values += written;
  if (written > 0) ++stats_.exported;
}

void Exporter::Add(std::string_view raw) {
  ++stats_.objects;
  if (options_.format == Format::kStix) {
    if (!started_) {
      out_ += "{\"type\":\"bundle\",\"id\":\"" + stix::NewBundleId() + "\",\"objects\":[";
      started_ = true;
    }
    if (!first_) out_ += ',';
    first_ = false;
    out_.append(raw);
    ++stats_.values;
    return;
  }
  json::value v;
  try {
    v = json::parse(raw);
  } catch (const std::exception&) {
    ++stats_.invalid;
    return;
  }
  if (!v.is_object()) return;
  auto info = ReadIndicator(v.as_object());
  if (!info.ok()) {
    if (info.error().code() != StatusCode::kNotFound) {
      ++stats_.indicators;
      ++stats_.invalid;
    }
    return;
  }
  ++stats_.indicators;
  if (info->revoked) {
    ++stats_.revoked;
    return;
  }
  if (options_.now_us > 0 && info->valid_until_us > 0 && info->valid_until_us <= options_.now_us) {
    ++stats_.expired;
    return;
  }
  if (!info->expressible) {
    ++stats_.not_expressible;
    return;
  }
  if (!started_) {
    started_ = true;
    if (options_.format == Format::kZeekIntel) {
      out_ += "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\n";
    } else if (options_.format == Format::kCsv) {
      out_ += "indicator,name,type,value,valid_from,valid_until,confidence,tlp,labels\r\n";
    } else if (options_.format == Format::kMisp) {
      out_ += "{\"Event\":{\"info\":" + json::serialize(json::string(options_.source + " export")) +
              ",\"date\":\"" + FormatTimestamp(options_.now_us, 0).substr(0, 10) +
              "\",\"threat_level_id\":\"4\",\"analysis\":\"2\",\"distribution\":\"0\","
              "\"published\":false,\"uuid\":\"" + NewUuidV4() + "\",\"Attribute\":[";
    } else if (options_.format == Format::kSuricata || options_.format == Format::kSnort) {
      out_ += "# Kizuna " + std::string(FormatName(options_.format)) +
              " rules; generated " + FormatTimestamp(options_.now_us, 0) + "\n";
    }
  }
  switch (options_.format) {
    case Format::kSuricata:
      Rules(*info, false);
      return;
    case Format::kSnort:
      Rules(*info, true);
      return;
    case Format::kZeekIntel: {
      int64_t n = 0;
      for (const Item& it : info->items) {
        const char* type = nullptr;
        std::string value = it.value;
        switch (it.kind) {
          case ItemKind::kIpv4:
          case ItemKind::kIpv6: type = "Intel::ADDR"; break;
          case ItemKind::kCidr4:
          case ItemKind::kCidr6: type = "Intel::SUBNET"; break;
          case ItemKind::kDomain: type = "Intel::DOMAIN"; break;
          case ItemKind::kUrl:
            // Zeek's Intel::URL: "a complete URL without the prefix http://".
            type = "Intel::URL";
            if (size_t p = value.find("://"); p != std::string::npos) value = value.substr(p + 3);
            break;
          case ItemKind::kEmail: type = "Intel::EMAIL"; break;
          case ItemKind::kMd5:
          case ItemKind::kSha1:
          case ItemKind::kSha256:
          case ItemKind::kSha512: type = "Intel::FILE_HASH"; break;
          case ItemKind::kCertSha1: type = "Intel::CERT_HASH"; break;
          case ItemKind::kFileName: type = "Intel::FILE_NAME"; break;
          case ItemKind::kSoftware: type = "Intel::SOFTWARE"; break;
          case ItemKind::kUserName: type = "Intel::USER_NAME"; break;
        }
        std::string desc = info->name.empty() ? info->id : info->name + " (" + info->id + ")";
        out_ += ZeekValue(value) + "\t" + type + "\t" + ZeekValue(options_.source) + "\t" +
                ZeekValue(desc) + "\t-\n";
        ++n;
      }
      stats_.values += n;
      if (n) ++stats_.exported;
      return;
    }
    case Format::kCsv: {
      std::string labels;
      for (const auto& l : info->labels) labels += (labels.empty() ? "" : ";") + l;
      for (const Item& it : info->items) {
        out_ += CsvCell(info->id) + "," + CsvCell(info->name) + "," +
                std::string(ItemKindName(it.kind)) + "," + CsvCell(it.value) + "," +
                info->valid_from + "," + info->valid_until + "," +
                (info->confidence >= 0 ? std::to_string(info->confidence) : "") + "," +
                Tlp(*info) + "," + CsvCell(labels) + "\r\n";
        ++stats_.values;
      }
      if (!info->items.empty()) ++stats_.exported;
      return;
    }
    case Format::kMisp: {
      std::string tlp = Tlp(*info);
      for (const Item& it : info->items) {
        std::string type, category = "Network activity";
        switch (it.kind) {
          case ItemKind::kIpv4:
          case ItemKind::kIpv6:
          case ItemKind::kCidr4:
          case ItemKind::kCidr6: type = "ip-dst"; break;
          case ItemKind::kDomain: type = "domain"; break;
          case ItemKind::kUrl: type = "url"; break;
          case ItemKind::kEmail: type = "email-src"; category = "Payload delivery"; break;
          case ItemKind::kMd5: type = "md5"; category = "Payload delivery"; break;
          case ItemKind::kSha1: type = "sha1"; category = "Payload delivery"; break;
          case ItemKind::kSha256: type = "sha256"; category = "Payload delivery"; break;
          case ItemKind::kSha512: type = "sha512"; category = "Payload delivery"; break;
          case ItemKind::kCertSha1: type = "x509-fingerprint-sha1"; break;
          case ItemKind::kFileName: type = "filename"; category = "Payload delivery"; break;
          case ItemKind::kSoftware: type = "text"; category = "Other"; break;
          case ItemKind::kUserName: type = "text"; category = "Other"; break;
        }
        json::object a{{"type", type},
                       {"category", category},
                       {"value", it.value},
                       {"to_ids", true},
                       {"comment", info->name},
                       {"uuid", UuidV5(kStixScoNamespace, info->id + "|" + it.value)},
                       {"timestamp", std::to_string(info->modified_us / 1000000)}};
        json::array tags;
        if (!tlp.empty()) {
          std::string t;
          for (char c : tlp) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          tags.push_back(json::object{{"name", t}});
        }
        for (const auto& l : info->labels) tags.push_back(json::object{{"name", l}});
        if (!tags.empty()) a["Tag"] = std::move(tags);
        if (!first_) out_ += ',';
        first_ = false;
        out_ += json::serialize(a);
        ++stats_.values;
      }
      if (!info->items.empty()) ++stats_.exported;
      return;
    }
    case Format::kPlain: {
      int64_t n = 0;
      for (const Item& it : info->items) {
        bool take = false;
        switch (options_.plain) {
          case PlainKind::kIpv4: take = it.kind == ItemKind::kIpv4 || it.kind == ItemKind::kCidr4; break;
          case PlainKind::kIpv6: take = it.kind == ItemKind::kIpv6 || it.kind == ItemKind::kCidr6; break;
          case PlainKind::kDomains: take = it.kind == ItemKind::kDomain; break;
          case PlainKind::kUrls: take = it.kind == ItemKind::kUrl; break;
          case PlainKind::kEmails: take = it.kind == ItemKind::kEmail; break;
          case PlainKind::kMd5: take = it.kind == ItemKind::kMd5; break;
          case PlainKind::kSha1: take = it.kind == ItemKind::kSha1; break;
          case PlainKind::kSha256: take = it.kind == ItemKind::kSha256; break;
        }
        // One value per line: a value with a line break cannot be listed.
        if (!take || it.value.find_first_of("\r\n") != std::string::npos) continue;
        if (!seen_.insert(it.value).second) continue;
        out_ += it.value + "\n";
        ++n;
      }
      stats_.values += n;
      if (n) ++stats_.exported;
      return;
    }
    case Format::kStix:
      return;
  }
}

std::string Exporter::TakeOutput() {
  std::string out = std::move(out_);
  out_.clear();
  return out;
}

std::string Exporter::Finish() {
  if (options_.format == Format::kStix) {
    if (!started_) out_ += "{\"type\":\"bundle\",\"id\":\"" + stix::NewBundleId() + "\"";
    else out_ += "]";
    out_ += "}\n";
  } else if (options_.format == Format::kMisp) {
    if (!started_) {
      out_ += "{\"Event\":{\"info\":" + json::serialize(json::string(options_.source + " export")) +
              ",\"Attribute\":[";
    }
    out_ += "],\"Tag\":[]}}\n";
  } else if (options_.format == Format::kZeekIntel && !started_) {
    out_ += "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\n";
  } else if (options_.format == Format::kCsv && !started_) {
    out_ += "indicator,name,type,value,valid_from,valid_until,confidence,tlp,labels\r\n";
  }
  return TakeOutput();
}

}  // namespace kizuna::exports
