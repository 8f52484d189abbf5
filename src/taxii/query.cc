#include "taxii/query.h"

#include "core/time.h"

namespace kizuna::taxii {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool Allowed(Endpoint e, std::string_view name) {
  const bool is_added_after = name == "added_after";
  const bool is_paging = name == "limit" || name == "next";
  const bool is_id = name == "match[id]";
  const bool is_type = name == "match[type]";
  const bool is_version = name == "match[version]";
  const bool is_spec = name == "match[spec_version]";
  switch (e) {
    case Endpoint::kGetObjects:
    case Endpoint::kManifest:
      return is_added_after || is_paging || is_id || is_type || is_version || is_spec;
    case Endpoint::kGetObject:
      return is_added_after || is_paging || is_version || is_spec;
    case Endpoint::kDeleteObject:
      return is_version || is_spec;
    case Endpoint::kVersions:
      return is_added_after || is_paging || is_spec;
    case Endpoint::kNoFilters:
      return false;
  }
  return false;
}

Status Bad(std::string_view param, std::string_view why) {
  std::string m = "invalid query parameter '";
  m.append(param.substr(0, 64));
  m += "': ";
  m.append(why);
  return InvalidArgument(m);
}

// Splits "a,b,,c" into non-empty trimmed items.
Result<std::vector<std::string>> SplitList(std::string_view name, std::string_view v) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= v.size()) {
    size_t comma = v.find(',', start);
    if (comma == std::string_view::npos) comma = v.size();
    std::string_view item = v.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) return Bad(name, "empty list item");
    if (item.size() > 256) return Bad(name, "list item longer than 256 characters");
    out.emplace_back(item);
    start = comma + 1;
  }
  if (out.size() > 1000) return Bad(name, "more than 1000 values");
  return out;
}

bool IsTypeName(std::string_view t) {
  if (t.size() < 3 || t.size() > 250) return false;
  for (char c : t) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> DecodeQueryComponent(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

Result<Filters> ParseQuery(std::string_view raw, Endpoint endpoint) {
  Filters f;
  if (raw.size() > 64 * 1024) return InvalidArgument("query string longer than 64 KiB");
  bool seen_added_after = false, seen_limit = false, seen_next = false;
  size_t start = 0;
  while (start < raw.size()) {
    size_t amp = raw.find('&', start);
    if (amp == std::string_view::npos) amp = raw.size();
    std::string_view pair = raw.substr(start, amp - start);
    start = amp + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto name = DecodeQueryComponent(pair.substr(0, eq));
    auto value = DecodeQueryComponent(eq == std::string_view::npos ? std::string_view()
                                                                   : pair.substr(eq + 1));
    if (!name || !value) return InvalidArgument("malformed percent-encoding in the query string");
    if (!Allowed(endpoint, *name)) {
      if (name->rfind("match[", 0) == 0) {
        return Bad(*name, "unknown or unsupported filter for this endpoint");
      }
      return Bad(*name, "unknown parameter for this endpoint");
    }
    if (*name == "added_after") {
      if (seen_added_after) return Bad(*name, "given more than once");
      seen_added_after = true;
      auto t = ParseTimestamp(*value);
      if (!t.ok()) return Bad(*name, t.error().message());
      f.added_after_us = t->micros;
    } else if (*name == "limit") {
      if (seen_limit) return Bad(*name, "given more than once");
      seen_limit = true;
      if (value->empty() || value->size() > 9) return Bad(*name, "must be a positive integer");
      int64_t n = 0;
      for (char c : *value) {
        if (c < '0' || c > '9') return Bad(*name, "must be a positive integer");
        n = n * 10 + (c - '0');
      }
      if (n < 1) return Bad(*name, "must be a positive integer");
      f.limit = n;
    } else if (*name == "next") {
      if (seen_next) return Bad(*name, "given more than once");
      seen_next = true;
      if (value->empty() || value->size() > 512) return Bad(*name, "malformed token");
      f.next = *value;
    } else if (*name == "match[id]") {
      ASSIGN_OR_RETURN(auto ids, SplitList(*name, *value));
      for (auto& id : ids) {
        if (id.find("--") == std::string::npos) return Bad(*name, "'" + id + "' is not a STIX id");
        f.ids.push_back(std::move(id));
      }
    } else if (*name == "match[type]") {
      ASSIGN_OR_RETURN(auto types, SplitList(*name, *value));
      for (auto& t : types) {
        if (!IsTypeName(t)) return Bad(*name, "'" + t + "' is not a STIX type name");
        f.types.push_back(std::move(t));
      }
    } else if (*name == "match[spec_version]") {
      ASSIGN_OR_RETURN(auto specs, SplitList(*name, *value));
      for (auto& s : specs) {
        if (s != "2.0" && s != "2.1") return Bad(*name, "'" + s + "' is not 2.0 or 2.1");
        f.spec_versions.push_back(std::move(s));
      }
    } else if (*name == "match[version]") {
      ASSIGN_OR_RETURN(auto versions, SplitList(*name, *value));
      f.has_version_filter = true;
      for (auto& v : versions) {
        if (v == "first") {
          f.versions.first = true;
        } else if (v == "last") {
          f.versions.last = true;
        } else if (v == "all") {
          f.versions.all = true;
        } else {
          auto t = ParseTimestamp(v);
          if (!t.ok()) {
            return Bad(*name, "'" + v + "' is not first, last, all or a timestamp");
          }
          f.versions.versions_us.push_back(t->micros);
        }
      }
    }
  }
  return f;
}

}  // namespace kizuna::taxii
