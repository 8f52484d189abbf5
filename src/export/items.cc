#include "export/items.h"

#include <boost/json.hpp>

#include "core/time.h"
#include "match/normalize.h"
#include "pattern/compiler.h"
#include "pattern/ip.h"
#include "pattern/parser.h"
#include "pattern/validator.h"

namespace kizuna::exports {

namespace json = boost::json;

std::string_view ItemKindName(ItemKind k) {
  switch (k) {
    case ItemKind::kIpv4: return "ipv4";
    case ItemKind::kIpv6: return "ipv6";
    case ItemKind::kCidr4: return "cidr4";
    case ItemKind::kCidr6: return "cidr6";
    case ItemKind::kDomain: return "domain";
    case ItemKind::kUrl: return "url";
    case ItemKind::kEmail: return "email";
    case ItemKind::kMd5: return "md5";
    case ItemKind::kSha1: return "sha1";
    case ItemKind::kSha256: return "sha256";
    case ItemKind::kSha512: return "sha512";
    case ItemKind::kCertSha1: return "x509-sha1";
    case ItemKind::kFileName: return "filename";
    case ItemKind::kSoftware: return "software";
    case ItemKind::kUserName: return "username";
  }
  return "";
}

namespace {

std::string Str(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return "";
  return std::string(it->value().get_string());
}

std::vector<std::string> StrList(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_array()) return out;
  for (const auto& v : it->value().get_array()) {
    if (v.is_string()) out.emplace_back(v.get_string());
  }
  return out;
}

int64_t Micros(const std::string& t) {
  if (t.empty()) return 0;
  auto r = ParseTimestamp(t);
  return r.ok() ? r->micros : 0;
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// The exportable item of one index entry, if it has one.
bool ItemOf(const pattern::IndexEntry& e, Item* out) {
  const bool value_path = e.path.size() == 1 && e.path[0] == "value";
  const std::string& t = e.object_type;
  if ((t == "ipv4-addr" || t == "ipv6-addr") && value_path) {
    auto net = pattern::ParseIpNetwork(e.value);
    if (!net) return false;
    bool full = net->prefix == (net->v6 ? 128 : 32);
    out->kind = net->v6 ? (full ? ItemKind::kIpv6 : ItemKind::kCidr6)
                        : (full ? ItemKind::kIpv4 : ItemKind::kCidr4);
    out->value = net->ToString();
    return true;
  }
  if (e.kind == pattern::IndexKind::kHash) {
    auto algo = match::HashAlgoOf(e.algorithm);
    if (!algo) return false;
    uint8_t d[64];
    if (!match::ParseDigest(e.value, match::DigestBytes(*algo), d)) return false;
    out->value = Lower(e.value);
    if (t == "x509-certificate") {
      if (*algo != match::HashAlgo::kSha1) return false;
      out->kind = ItemKind::kCertSha1;
      return true;
    }
    if (t != "file" && t != "artifact") return false;
    out->kind = *algo == match::HashAlgo::kMd5    ? ItemKind::kMd5
                : *algo == match::HashAlgo::kSha1 ? ItemKind::kSha1
                : *algo == match::HashAlgo::kSha256 ? ItemKind::kSha256
                                                  : ItemKind::kSha512;
    return true;
  }
  if (e.kind != pattern::IndexKind::kExact) return false;
  std::string buf;
  if (t == "domain-name" && value_path) {
    std::string_view d = match::NormalizeDomain(e.value, &buf);
    if (d.empty()) return false;
    out->kind = ItemKind::kDomain;
    out->value = std::string(d);
    return true;
  }
  if (t == "url" && value_path) {
    out->value = match::NormalizeUrl(e.value);
    out->kind = ItemKind::kUrl;
    return !out->value.empty();
  }
  if (t == "email-addr" && value_path) {
    std::string_view m = match::NormalizeEmail(e.value, &buf);
    if (m.empty()) return false;
    out->kind = ItemKind::kEmail;
    out->value = std::string(m);
    return true;
  }
  if (t == "file" && e.path.size() == 1 && e.path[0] == "name") {
    out->kind = ItemKind::kFileName;
    out->value = e.value;
    return true;
  }
  if (t == "software" && e.path.size() == 1 && e.path[0] == "name") {
    out->kind = ItemKind::kSoftware;
    out->value = e.value;
    return true;
  }
  if (t == "user-account" && e.path.size() == 1 &&
      (e.path[0] == "account_login" || e.path[0] == "user_id")) {
    out->kind = ItemKind::kUserName;
    out->value = e.value;
    return true;
  }
  return false;
}

}  // namespace

Result<IndicatorInfo> ReadIndicator(const json::object& o) {
  if (Str(o, "type") != "indicator") return NotFound("not an indicator");
  IndicatorInfo info;
  info.id = Str(o, "id");
  info.name = Str(o, "name");
  info.description = Str(o, "description");
  info.labels = StrList(o, "labels");
  for (auto& t : StrList(o, "indicator_types")) info.labels.push_back(std::move(t));
  info.markings = StrList(o, "object_marking_refs");
  info.created = Str(o, "created");
  info.modified = Str(o, "modified");
  info.valid_from = Str(o, "valid_from");
  info.valid_until = Str(o, "valid_until");
  info.modified_us = Micros(info.modified.empty() ? info.created : info.modified);
  info.valid_from_us = Micros(info.valid_from);
  info.valid_until_us = Micros(info.valid_until);
  if (auto it = o.find("confidence"); it != o.end() && it->value().is_int64()) {
    info.confidence = static_cast<int>(it->value().get_int64());
  }
  if (auto it = o.find("revoked"); it != o.end() && it->value().is_bool()) {
    info.revoked = it->value().get_bool();
  }
  std::string type = Str(o, "pattern_type");
  if (!type.empty() && type != "stix") return InvalidArgument(info.id + ": pattern_type " + type);
  pattern::ParseOptions po;
  po.spec_version = Str(o, "spec_version") == "2.1" ? pattern::SpecVersion::k21
                                                     : pattern::SpecVersion::k20;
  auto p = pattern::Parse(Str(o, "pattern"), po);
  if (!p.ok()) return InvalidArgument(info.id + ": " + p.error().message());
  for (const auto& d : pattern::Validate(*p)) {
    if (d.severity == pattern::Severity::kError) {
      return InvalidArgument(info.id + ": " + d.ToString());
    }
  }
  pattern::CompiledPattern c = pattern::CompileForIndex(*p);
  info.expressible = c.FullyIndexed();
  if (!info.expressible) return info;
  for (const auto& e : c.entries) {
    Item item;
    if (ItemOf(e, &item)) {
      info.items.push_back(std::move(item));
    } else {
      // An exact entry no format can carry: the indicator is not expressible.
      info.expressible = false;
      info.items.clear();
      break;
    }
  }
  return info;
}

}  // namespace kizuna::exports
