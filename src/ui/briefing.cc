#include "ui/briefing.h"

#include <openssl/evp.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cstdlib>
#include <map>

#include "core/encoding.h"
#include "core/time.h"
#include "http/target.h"
#include "policy/release_scope.h"
#include "ui/briefing_page.h"
#include "ui/reading.h"

namespace kizuna::ui {

namespace json = boost::json;

namespace {

constexpr int64_t kHourUs = 3'600'000'000;
constexpr int64_t kDayUs = 24 * kHourUs;
constexpr size_t kTopIncidents = 5;
constexpr size_t kTopGuidance = 8;
// The guidance types: what a partner tells others to do, and finished reports.
const std::vector<std::string> kGuidanceTypes = {"course-of-action", "report"};

int64_t Int(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_int64() ? v->get_int64() : 0;
}

std::vector<std::string> Strs(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  const json::value* v = o.if_contains(key);
  if (v && v->is_array()) {
    for (const json::value& e : v->get_array()) {
      if (e.is_string()) out.emplace_back(e.get_string());
    }
  }
  return out;
}

std::vector<BriefingSeries> SeriesOf(const json::object& overview, std::string_view list, std::string_view key) {
  std::vector<BriefingSeries> out;
  const json::value* v = overview.if_contains(list);
  if (!v || !v->is_array()) return out;
  for (const json::value& e : v->get_array()) {
    if (!e.is_object()) continue;
    BriefingSeries s;
    s.name = JsonString(e.get_object(), key);
    if (const json::value* c = e.get_object().if_contains("counts"); c && c->is_array()) {
      for (const json::value& n : c->get_array()) s.counts.push_back(n.is_int64() ? n.get_int64() : 0);
    }
    out.push_back(std::move(s));
  }
  return out;
}

// The open incidents of every API root, highest priority first.
Status ReadIncidents(const BriefingInputs& in, const auth::Principal& reader, const std::string& remote,
                     BriefingData* d) {
  if (!in.incidents) return Status::Ok();
  ASSIGN_OR_RETURN(auto roots, in.store->ListApiRoots());
  d->incidents_known = true;
  for (const auto& root : roots) {
    // The list's own order is by recency; a briefing wants the highest
    // priority: read a good number and pick.
    ASSIGN_OR_RETURN(std::string body, in.incidents(reader, root.name, "status=open&limit=200", remote));
    json::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec || !v.is_object()) return Internal("the incident list is not JSON");
    d->open_incidents += Int(v.get_object(), "total");
    const json::value* items = v.get_object().if_contains("incidents");
    if (!items || !items->is_array()) continue;
    for (const json::value& e : items->get_array()) {
      if (!e.is_object()) continue;
      const json::object& o = e.get_object();
      BriefingIncident i;
      i.id = JsonString(o, "id");
      i.name = JsonString(o, "name");
      i.status = JsonString(o, "status");
      i.tlp = JsonString(o, "tlp");
      i.modified = JsonString(o, "modified");
      if (const json::value* own = o.if_contains("owner"); own && own->is_object()) {
        i.owner = JsonString(own->get_object(), "name");
      }
      if (const json::value* p = o.if_contains("priority"); p && p->is_object()) {
        i.priority_score = Int(p->get_object(), "score");
        i.priority_level = JsonString(p->get_object(), "level");
      }
      if (const json::value* c = o.if_contains("correlation"); c && c->is_object()) {
        i.sightings = Int(c->get_object(), "sightings");
        i.nations = Strs(c->get_object(), "nations");
      }
      i.sectors = Strs(o, "sectors");
      i.tasks = Int(o, "tasks");
      d->incidents.push_back(std::move(i));
    }
  }
  std::stable_sort(d->incidents.begin(), d->incidents.end(), [](const auto& a, const auto& b) {
    return a.priority_score != b.priority_score ? a.priority_score > b.priority_score : a.modified > b.modified;
  });
  if (d->incidents.size() > kTopIncidents) d->incidents.resize(kTopIncidents);
  return Status::Ok();
}

// Translations in `lang` of the objects of `c` the reader may see, by
// object_ref: {name, description} from language-content objects.
using Translations = std::map<std::string, std::pair<std::string, std::string>>;

// Only the producer's own translations: on a decision-maker's page another
// party's text never stands under the producer's name.
Status ReadTranslations(policy::ReleaseScope& scope, const std::string& lang,
                        const std::map<std::string, std::string>& producers, Translations* out) {
  std::optional<int64_t> cursor;
  for (int pages = 0; pages < 20; ++pages) {
    store::ObjectQuery q;
    q.types = {"language-content"};
    q.limit = 1000;
    ASSIGN_OR_RETURN(auto page, scope.Read(q, cursor));
    for (const auto& r : page.records) {
      json::error_code ec;
      json::value v = json::parse(r.raw, ec);
      if (ec || !v.is_object()) continue;
      const json::value* contents = v.get_object().if_contains("contents");
      if (!contents || !contents->is_object()) continue;
      const json::value* mine = contents->get_object().if_contains(lang);
      if (!mine || !mine->is_object()) continue;
      const std::string of = JsonString(v.get_object(), "object_ref");
      auto producer = producers.find(of);
      if (producer == producers.end() || producer->second != r.producer) continue;
      auto& t = (*out)[of];
      if (std::string n = JsonString(mine->get_object(), "name"); !n.empty()) t.first = n;
      if (std::string s = JsonString(mine->get_object(), "description"); !s.empty()) t.second = s;
    }
    if (!page.more) break;
    cursor = page.last_us;
  }
  return Status::Ok();
}

// Guidance (courses of action, reports) added since the period's start.
Status ReadGuidance(const BriefingInputs& in, const auth::Principal& reader, const BriefingQuery& query,
                    const std::string& remote, std::shared_ptr<const policy::TrustModel> model,
                    BriefingData* d) {
  ASSIGN_OR_RETURN(auto collections, ReadableCollections(in.store, reader));
  for (const auto& c : collections) {
    ASSIGN_OR_RETURN(auto scope, in.decisions->Begin(reader, c.key, c.id, policy::Path::kDashboard, remote));
    store::ObjectQuery q;
    q.types = kGuidanceTypes;
    q.added_after_us = query.since_us;
    q.limit = 500;
    ASSIGN_OR_RETURN(auto page, scope.Read(q, std::nullopt));
    if (page.records.empty()) continue;
    Translations translated;
    if (query.lang != "en") {
      std::map<std::string, std::string> producers;
      for (const auto& r : page.records) producers[r.id] = r.producer;
      RETURN_IF_ERROR(ReadTranslations(scope, query.lang, producers, &translated));
    }
    for (const auto& r : page.records) {
      json::error_code ec;
      json::value v = json::parse(r.raw, ec);
      if (ec || !v.is_object()) continue;
      const json::object& o = v.get_object();
      BriefingGuidance g;
      g.id = r.id;
      g.type = r.type;
      g.name = JsonString(o, "name");
      g.description = JsonString(o, "description");
      g.modified = JsonString(o, "modified");
      if (auto t = translated.find(r.id); t != translated.end()) {
        if (!t->second.first.empty()) g.name = t->second.first;
        if (!t->second.second.empty()) g.description = t->second.second;
        g.translated = true;
      }
      const policy::Org* org = model->FindOrg(r.producer);
      g.producer = org ? org->name : r.producer;
      g.tlp = EffectiveTlp(r.marking, scope.model(), c.key);
      d->guidance.push_back(std::move(g));
      ++d->guidance_total;
    }
  }
  std::stable_sort(d->guidance.begin(), d->guidance.end(),
                   [](const auto& a, const auto& b) { return a.modified > b.modified; });
  if (d->guidance.size() > kTopGuidance) d->guidance.resize(kTopGuidance);
  return Status::Ok();
}

}  // namespace

Result<BriefingQuery> ReadBriefingQuery(std::string_view raw_query, int64_t now_us) {
  BriefingQuery q;
  std::string since = "7d";
  ASSIGN_OR_RETURN(auto pairs, http::QueryPairs(raw_query));
  for (const auto& [key, value] : pairs) {
    if (key == "since") {
      since = value;
    } else if (key == "lang") {
      if (value != "en" && value != "ja") return InvalidArgument("'lang' is en or ja");
      q.lang = value;
    } else if (key == "max_tlp") {
      q.max_tlp = stix::TlpOfLevelName(value);
      if (q.max_tlp == stix::Tlp::kNone) {
        return InvalidArgument("'max_tlp' is a TLP level: clear, green, amber, amber+strict or red");
      }
    } else {
      return InvalidArgument("'" + key + "' is not a briefing parameter (since, lang, max_tlp)");
    }
  }
  // Nh, Nd or Nw.
  const std::string bad = "'since' is a period such as 24h, 7d or 2w (1 hour to 366 days)";
  if (since.size() < 2) return InvalidArgument(bad);
  const char unit = static_cast<char>(std::tolower(static_cast<unsigned char>(since.back())));
  const std::string digits = since.substr(0, since.size() - 1);
  if (digits.empty() || digits.size() > 6 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return InvalidArgument(bad);
  }
  const int64_t n = std::strtoll(digits.c_str(), nullptr, 10);
  int64_t span = 0;
  if (unit == 'h') span = n * kHourUs;
  if (unit == 'd') span = n * kDayUs;
  if (unit == 'w') span = n * 7 * kDayUs;
  if (span < kHourUs || span > 366 * kDayUs) return InvalidArgument(bad);
  q.since = since;
  q.since_us = now_us - span;
  // The days the charts show: from the day the period starts to today (UTC).
  q.days = static_cast<int>(now_us / kDayUs - q.since_us / kDayUs + 1);
  return q;
}

Result<std::string> BriefingHtml(const BriefingInputs& in, const auth::Principal& reader,
                                 const BriefingQuery& query, int64_t now_us, const std::string& remote) {
  BriefingData d;
  d.lang = query.lang;
  d.hub = in.hub_name;
  d.reader = reader.username;
  d.since = query.since;
  d.max_tlp = query.max_tlp;
  d.now_us = now_us;
  d.since_us = query.since_us;
  ASSIGN_OR_RETURN(auto model, in.decisions->Model());

  ASSIGN_OR_RETURN(std::string overview, OverviewFor(*in.overview, *in.decisions, reader, query.days, now_us, remote));
  json::error_code ec;
  json::value ov = json::parse(overview, ec);
  if (ec || !ov.is_object()) return Internal("the overview is not JSON");
  const json::object& o = ov.get_object();
  for (const std::string& day : Strs(o, "days")) d.days.push_back(day);
  d.total = Int(o, "total");
  d.by_tlp = SeriesOf(o, "by_tlp", "tlp");
  // CLEAR at the bottom of the bars and first in the legend, RED last.
  std::stable_sort(d.by_tlp.begin(), d.by_tlp.end(), [](const BriefingSeries& a, const BriefingSeries& b) {
    return stix::TlpOfLevelName(a.name) < stix::TlpOfLevelName(b.name);
  });
  d.by_nation = SeriesOf(o, "by_nation", "nation");
  if (const json::value* t = o.if_contains("by_type"); t && t->is_array()) {
    for (const json::value& e : t->get_array()) {
      if (e.is_object()) d.by_type.emplace_back(JsonString(e.get_object(), "type"), Int(e.get_object(), "count"));
    }
  }
  if (const json::value* t = o.if_contains("top_sighted"); t && t->is_array()) {
    for (const json::value& e : t->get_array()) {
      if (!e.is_object() || d.top_sighted.size() == 5) continue;
      std::string name = JsonString(e.get_object(), "name");
      d.top_sighted.emplace_back(name.empty() ? JsonString(e.get_object(), "id") : name, Int(e.get_object(), "sightings"));
    }
  }
  RETURN_IF_ERROR(ReadIncidents(in, reader, remote, &d));
  RETURN_IF_ERROR(ReadGuidance(in, reader, query, remote, model, &d));
  return RenderBriefing(d);
}

std::string StyleSource(std::string_view css) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(css.data(), css.size(), md, &len, EVP_sha256(), nullptr) != 1) return "'none'";
  return "'sha256-" + Base64Encode(std::string_view(reinterpret_cast<const char*>(md), len)) + "'";
}

std::string BriefingCsp(std::string_view html) {
  // The page's one <style> block, allowed by its hash; nothing else at all.
  std::string source = "'none'";
  const size_t open = html.find("<style>");
  const size_t close = html.find("</style>");
  if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
    source = StyleSource(html.substr(open + 7, close - open - 7));
  }
  return "default-src 'none'; style-src " + source +
         "; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";
}

}  // namespace kizuna::ui
