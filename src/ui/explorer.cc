#include "ui/explorer.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdlib>
#include <map>
#include <set>

#include "core/time.h"
#include "http/target.h"
#include "policy/release_scope.h"
#include "stix/markings.h"
#include "ui/reading.h"

namespace kizuna::ui {

namespace json = boost::json;

namespace {

constexpr int64_t kDayUs = 86'400'000'000;
constexpr int kPage = 1000;
// Related objects: at most this many links looked at per collection, and
// named in the answer.
constexpr int64_t kLinkScan = 50'000;
constexpr size_t kMaxRelated = 200;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

std::string TlpOf(const store::ObjectRecord& r, const policy::TrustModel& model, int64_t collection) {
  return std::string(stix::TlpName(EffectiveTlp(r.marking, model, collection)));
}

// Every id a STIX object refers to, with the property that names it.
void RefsOf(const json::object& o, std::vector<std::pair<std::string, std::string>>* out) {
  for (const auto& [key, v] : o) {
    const std::string_view k = key;
    if (k == "id" || k == "object_marking_refs" || k == "created_by_ref") continue;
    const bool one = k.size() > 4 && k.substr(k.size() - 4) == "_ref";
    const bool many = k.size() > 5 && k.substr(k.size() - 5) == "_refs";
    if (one && v.is_string()) out->emplace_back(std::string(v.get_string()), std::string(k));
    if (many && v.is_array()) {
      for (const json::value& e : v.get_array()) {
        if (e.is_string()) out->emplace_back(std::string(e.get_string()), std::string(k));
      }
    }
  }
}

}  // namespace

bool IsStixId(std::string_view id) {
  const size_t sep = id.find("--");
  if (sep == std::string_view::npos || sep == 0 || id.size() - sep - 2 != 36) return false;
  for (char c : id.substr(0, sep)) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  const std::string_view uuid = id.substr(sep + 2);
  for (size_t i = 0; i < uuid.size(); ++i) {
    const char c = uuid[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

Result<SearchQuery> ReadSearchQuery(std::string_view raw_query) {
  SearchQuery q;
  ASSIGN_OR_RETURN(auto pairs, http::QueryPairs(raw_query));
  for (const auto& [key, value] : pairs) {
    if (key == "q") {
      if (value.size() > 200) return InvalidArgument("'q' is at most 200 characters");
      q.text = value;
    } else if (key == "type") {
      if (value.size() > 250) return InvalidArgument("'type' is a STIX type");
      q.type = value;
    } else if (key == "id") {
      if (!IsStixId(value)) return InvalidArgument("'id' is a STIX id (type--UUID)");
      q.id = value;
    } else if (key == "days") {
      ASSIGN_OR_RETURN(q.days, IntParam(key, value, 1, 3660));
    } else if (key == "limit") {
      ASSIGN_OR_RETURN(q.limit, IntParam(key, value, 1, 500));
    } else {
      return InvalidArgument("'" + key + "' is not a search parameter (q, type, id, days, limit)");
    }
  }
  return q;
}

Result<std::string> SearchFor(store::Store* store, policy::DecisionPoint& decisions,
                              const auth::Principal& reader, const SearchQuery& query, int64_t now_us,
                              const std::string& remote) {
  ASSIGN_OR_RETURN(auto collections, ReadableCollections(store, reader));
  const std::string needle = Lower(query.text);
  struct Hit {
    int64_t date_added;
    json::object row;
  };
  std::vector<Hit> hits;
  bool more = false;
  int64_t scanned = 0;
  for (const auto& c : collections) {
    ASSIGN_OR_RETURN(auto scope, decisions.Begin(reader, c.key, c.id, policy::Path::kDashboard, remote));
    store::ObjectQuery q;
    if (!query.type.empty()) q.types = {query.type};
    if (!query.id.empty()) {
      q.ids = {query.id};
    } else {
      q.added_after_us = now_us - static_cast<int64_t>(query.days) * kDayUs;
    }
    q.limit = kPage;
    std::optional<int64_t> cursor;
    int64_t looked = 0;
    for (;;) {
      // A search by id names an object: a hidden one is audited as a denied attempt.
      ASSIGN_OR_RETURN(auto page, scope.Read(q, cursor, nullptr, /*audit_named=*/!query.id.empty()));
      looked += static_cast<int64_t>(page.records.size());
      for (const auto& r : page.records) {
        if (!needle.empty() && Lower(r.raw).find(needle) == std::string::npos) continue;
        json::error_code ec;
        json::value v = json::parse(r.raw, ec);
        if (ec || !v.is_object()) continue;
        const json::object& o = v.get_object();
        hits.push_back({r.date_added_us, json::object{{"id", r.id},
                                                      {"type", r.type},
                                                      {"name", LabelOf(o)},
                                                      {"modified", JsonString(o, "modified")},
                                                      {"tlp", TlpOf(r, scope.model(), c.key)},
                                                      {"collection", c.id},
                                                      {"collection_title", c.title}}});
      }
      if (!page.more) break;
      if (looked >= kSearchScan) {
        more = true;
        break;
      }
      cursor = page.last_us;
    }
    scanned += looked;
  }
  // Newest first, each object once (a copy in another collection is the
  // same object); the first `limit`.
  std::stable_sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.date_added > b.date_added; });
  std::set<std::string> seen;
  std::erase_if(hits, [&](const Hit& h) { return !seen.insert(std::string(h.row.at("id").as_string())).second; });
  if (hits.size() > static_cast<size_t>(query.limit)) {
    hits.resize(static_cast<size_t>(query.limit));
    more = true;
  }
  json::array results;
  for (auto& h : hits) results.push_back(std::move(h.row));
  return json::serialize(json::object{{"results", std::move(results)}, {"more", more}, {"scanned", scanned}});
}

Result<std::string> ObjectFor(store::Store* store, policy::DecisionPoint& decisions,
                              const auth::Principal& reader, const std::string& id, const std::string& remote) {
  if (!IsStixId(id)) return InvalidArgument("'id' is a STIX id (type--UUID)");
  ASSIGN_OR_RETURN(auto collections, ReadableCollections(store, reader));
  json::array versions, translations;
  std::set<std::pair<std::string, std::string>> translated;  // (language-content id, lang): copies once
  std::optional<store::ObjectRecord> latest;
  std::string latest_collection;
  int64_t latest_key = 0;
  // id -> (via, direction) of every neighbour, before they are named.
  std::map<std::string, std::pair<std::string, std::string>> links;
  auto link = [&](const std::string& other, const std::string& via, const char* direction) {
    if (other != id && links.size() < kMaxRelated * 4) links.try_emplace(other, via, direction);
  };
  for (const auto& c : collections) {
    ASSIGN_OR_RETURN(auto scope, decisions.Begin(reader, c.key, c.id, policy::Path::kDashboard, remote));
    // Its versions.
    store::ObjectQuery q;
    q.ids = {id};
    q.versions.all = true;
    q.limit = kPage;
    ASSIGN_OR_RETURN(auto page, scope.Read(q, std::nullopt));
    for (const auto& r : page.records) {
      json::error_code ec;
      json::value v = json::parse(r.raw, ec);
      versions.push_back(json::object{{"modified", v.is_object() ? JsonString(v.get_object(), "modified") : ""},
                                      {"collection", c.id},
                                      {"tlp", TlpOf(r, scope.model(), c.key)}});
      if (!latest || r.version_us > latest->version_us) {
        latest = r;
        latest_collection = c.id;
        latest_key = c.key;
      }
    }
    // Its translations and what links to it (the reader's copies: redacted
    // where granular markings say so).
    store::ObjectQuery l;
    l.types = {"language-content", "relationship", "sighting"};
    l.limit = kPage;
    std::optional<int64_t> cursor;
    int64_t looked = 0;
    for (;;) {
      ASSIGN_OR_RETURN(auto links_page, scope.Read(l, cursor, nullptr, /*audit_named=*/false));
      looked += static_cast<int64_t>(links_page.records.size());
      for (const auto& r : links_page.records) {
        if (r.raw.find(id) == std::string::npos) continue;
        json::error_code ec;
        json::value v = json::parse(r.raw, ec);
        if (ec || !v.is_object()) continue;
        const json::object& o = v.get_object();
        if (r.type == "language-content") {
          if (JsonString(o, "object_ref") != id) continue;
          const json::value* contents = o.if_contains("contents");
          if (!contents || !contents->is_object()) continue;
          for (const auto& [lang, fields] : contents->get_object()) {
            if (!translated.emplace(r.id, std::string(lang)).second) continue;
            translations.push_back(json::object{{"id", r.id},
                                                {"lang", lang},
                                                {"contents", fields},
                                                {"modified", JsonString(o, "modified")},
                                                {"by", r.producer}});
          }
        } else if (r.type == "relationship") {
          const std::string type = JsonString(o, "relationship_type");
          if (JsonString(o, "source_ref") == id) link(JsonString(o, "target_ref"), type, "out");
          if (JsonString(o, "target_ref") == id) link(JsonString(o, "source_ref"), type, "in");
        } else if (r.type == "sighting") {
          std::vector<std::pair<std::string, std::string>> refs;
          RefsOf(o, &refs);
          for (const auto& [ref, prop] : refs) {
            if (ref == id) link(r.id, "sighting", "in");
          }
          if (r.id == id) {
            for (const auto& [ref, prop] : refs) link(ref, prop, "out");
          }
        }
      }
      if (!links_page.more || looked >= kLinkScan) break;
      cursor = links_page.last_us;
    }
  }
  if (!latest) return NotFound("no such object");
  json::error_code ec;
  json::value object = json::parse(latest->raw, ec);
  if (ec || !object.is_object()) return Internal("a stored object is not JSON");
  // What the object itself refers to (a report's objects, a sighting's).
  std::vector<std::pair<std::string, std::string>> own;
  RefsOf(object.get_object(), &own);
  for (const auto& [ref, prop] : own) link(ref, prop, "out");

  // Name the neighbours the reader may see (one query per collection);
  // the others are left out: never named, never counted.
  json::array related;
  if (!links.empty()) {
    std::map<std::string, json::object> named;
    for (const auto& c : collections) {
      ASSIGN_OR_RETURN(auto scope, decisions.Begin(reader, c.key, c.id, policy::Path::kDashboard, remote));
      store::ObjectQuery q;
      for (const auto& [other, how] : links) {
        if (!named.count(other)) q.ids.push_back(other);
      }
      if (q.ids.empty()) break;
      q.limit = static_cast<int>(q.ids.size());
      ASSIGN_OR_RETURN(auto page, scope.Read(q, std::nullopt, nullptr, /*audit_named=*/false));
      for (const auto& r : page.records) {
        json::error_code e2;
        json::value v = json::parse(r.raw, e2);
        named.try_emplace(r.id, json::object{{"id", r.id},
                                             {"type", r.type},
                                             {"name", v.is_object() ? LabelOf(v.get_object()) : ""},
                                             {"tlp", TlpOf(r, scope.model(), c.key)}});
      }
    }
    for (const auto& [other, how] : links) {
      auto it = named.find(other);
      if (it == named.end()) continue;
      json::object row = it->second;
      row["via"] = how.first;
      row["direction"] = how.second;
      related.push_back(std::move(row));
      if (related.size() == kMaxRelated) break;
    }
  }
  ASSIGN_OR_RETURN(auto model, decisions.Model());
  json::object out{{"id", id},
                   {"type", latest->type},
                   {"collection", latest_collection},
                   {"tlp", TlpOf(*latest, *model, latest_key)},
                   {"object", std::move(object)},
                   {"versions", std::move(versions)},
                   {"translations", std::move(translations)},
                   {"related", std::move(related)}};
  return json::serialize(out);
}

}  // namespace kizuna::ui
