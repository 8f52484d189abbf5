#include "ui/overview.h"

#include <boost/json.hpp>
#include <algorithm>
#include <tuple>

#include "core/time.h"
#include "policy/decide.h"
#include "policy/sectors.h"
#include "stix/markings.h"
#include "ui/reading.h"

namespace kizuna::ui {

namespace json = boost::json;

namespace {
constexpr int64_t kDayUs = 86'400'000'000;
constexpr size_t kTopSighted = 10;
constexpr size_t kTopCandidates = 40;  // looked up to find the top ones the reader may see

// A sighting's sighting_of_ref ("" when it has none or cannot be read).
std::string SightingOf(std::string_view raw) {
  json::error_code ec;
  json::value v = json::parse(raw, ec);
  if (ec || !v.is_object()) return "";
  const json::value* ref = v.get_object().if_contains("sighting_of_ref");
  return ref && ref->is_string() ? std::string(ref->get_string()) : std::string();
}

}  // namespace

Status OverviewIndex::CatchUpLocked() {
  ASSIGN_OR_RETURN(auto roots, store_->ListApiRoots());
  for (const auto& root : roots) {
    ASSIGN_OR_RETURN(auto collections, store_->ListCollections(root.name));
    for (const auto& c : collections) {
      int64_t& cursor = cursors_[c.key];
      for (;;) {
        store::ObjectQuery q;
        q.collection = c.key;
        q.versions.all = true;
        q.added_after_us = cursor;
        q.limit = 10'000;
        ASSIGN_OR_RETURN(auto page, store_->Query(q, std::nullopt));
        for (const store::ObjectRecord& r : page.records) {
          OverviewTuple t{r.marking, r.producer, r.audience, r.origin, r.granular};
          auto [ti, new_tuple] = tuple_ids_.try_emplace(std::move(t), static_cast<int>(tuples_.size()));
          if (new_tuple) tuples_.push_back(&ti->first);
          auto ty = type_ids_.find(r.type);
          if (ty == type_ids_.end()) {
            ty = type_ids_.emplace(r.type, static_cast<int>(types_.size())).first;
            types_.push_back(&ty->first);
          }
          // The day the version was made (its `modified`), not the day it arrived here.
          ++counts_[Key{c.key, r.version_us / kDayUs, ty->second, ti->second}];
          if (r.type == "sighting" && r.is_first) {
            std::string ref = SightingOf(r.raw);
            if (!ref.empty()) {
              auto rf = ref_ids_.find(ref);
              if (rf == ref_ids_.end()) {
                rf = ref_ids_.emplace(std::move(ref), static_cast<int>(refs_.size())).first;
                refs_.push_back(&rf->first);
              }
              ++sighted_[Key{c.key, r.version_us / kDayUs, rf->second, ti->second}];
            }
          }
        }
        if (!page.records.empty()) cursor = page.records.back().date_added_us;
        if (!page.more || page.records.empty()) break;
      }
    }
  }
  return Status::Ok();
}

Status OverviewIndex::Read(const Each& each, const EachSighted& sighted) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(CatchUpLocked());
  for (const auto& [k, n] : counts_) {
    each(k.collection, k.day, *types_[static_cast<size_t>(k.type)], *tuples_[static_cast<size_t>(k.tuple)], n);
  }
  if (sighted) {
    for (const auto& [k, n] : sighted_) {
      sighted(k.collection, k.day, *refs_[static_cast<size_t>(k.type)], *tuples_[static_cast<size_t>(k.tuple)], n);
    }
  }
  return Status::Ok();
}

Result<std::string> OverviewFor(OverviewIndex& index, policy::DecisionPoint& decisions,
                                const auth::Principal& principal, int days, int64_t now_us,
                                const std::string& remote) {
  const int64_t last_day = now_us / kDayUs;
  const int64_t first_day = last_day - days + 1;
  // One scope per readable collection; each tuple decided once in it.
  struct Seen {
    std::optional<policy::ReleaseScope> scope;
    stix::Tlp default_tlp = stix::Tlp::kAmber;
    std::map<const OverviewTuple*, bool> allowed;
  };
  std::map<int64_t, Seen> collections;
  std::map<std::string, std::vector<int64_t>> by_tlp, by_nation, by_sector, sightings_by_sector;
  std::map<std::string, int64_t> by_type;
  std::map<std::string, int64_t> sighted;  // what the visible sightings sight -> how many
  int64_t total = 0;
  Status failed = Status::Ok();
  // The decision for a bucket: once per (collection, tuple).
  auto allowed = [&](int64_t collection, const OverviewTuple& t) -> Seen* {
    if (!failed.ok() || !principal.Access(collection).can_read) return nullptr;
    auto [it, fresh] = collections.try_emplace(collection);
    Seen& s = it->second;
    if (fresh) {
      auto scope = decisions.Begin(principal, collection, "", policy::Path::kDashboard, remote);
      if (!scope.ok()) {
        failed = scope.error();
        return nullptr;
      }
      s.scope.emplace(std::move(*scope));
      if (const policy::CollectionPolicy* cp = s.scope->model().FindCollection(collection)) {
        s.default_tlp = cp->default_tlp;
      }
    }
    if (!s.scope) return nullptr;
    auto [a, first] = s.allowed.try_emplace(&t, false);
    if (first) {
      policy::ObjectMeta meta{t.marking, t.producer, t.audience, collection, t.granular, t.origin};
      a->second = policy::Decide(s.scope->model(), s.scope->reader(), meta, policy::Path::kDashboard).allow;
    }
    return a->second ? &s : nullptr;
  };
  auto add = [&](std::map<std::string, std::vector<int64_t>>& m, const std::string& key, size_t slot,
                 int64_t count) {
    auto& v = m[key];
    v.resize(static_cast<size_t>(days));
    v[slot] += count;
  };
  Status read = index.Read([&](int64_t collection, int64_t day, std::string_view type, const OverviewTuple& t,
                               int64_t count) {
    if (day < first_day || day > last_day) return;
    Seen* seen = allowed(collection, t);
    if (seen == nullptr) return;
    Seen& s = *seen;
    const size_t slot = static_cast<size_t>(day - first_day);
    stix::Tlp tlp = t.marking.empty() ? s.default_tlp : stix::TlpOfMarkingRef(t.marking);
    if (tlp == stix::Tlp::kNone) tlp = s.default_tlp;
    std::string tlp_name(stix::TlpName(tlp));
    auto& tc = by_tlp[tlp_name];
    tc.resize(static_cast<size_t>(days));
    tc[slot] += count;
    const policy::Org* org = s.scope->model().FindOrg(t.producer);
    const std::string nation = org && !org->nation.empty() ? org->nation : "";
    auto& nc = by_nation[nation];
    nc.resize(static_cast<size_t>(days));
    nc[slot] += count;
    const bool sighting = type == "sighting";
    if (org == nullptr || org->sectors.empty()) {
      add(by_sector, "", slot, count);
      if (sighting) add(sightings_by_sector, "", slot, count);
    } else {
      for (const std::string& sector : org->sectors) {
        add(by_sector, sector, slot, count);
        if (sighting) add(sightings_by_sector, sector, slot, count);
      }
    }
    by_type[std::string(type)] += count;
    total += count;
  }, [&](int64_t collection, int64_t day, std::string_view ref, const OverviewTuple& t, int64_t count) {
    if (day < first_day || day > last_day) return;
    // A sighting with granular markings may hide what it sights from this
    // reader (its redacted copy has no sighting_of_ref): never counted here.
    if (t.granular) return;
    if (allowed(collection, t) != nullptr) sighted[std::string(ref)] += count;
  });
  if (!read.ok()) return read;
  if (!failed.ok()) return failed;
  for (auto& [k, s] : collections) s.scope.reset();  // audit nothing: no object was released

  // The most sighted objects the reader may see: the candidates read by id
  // through the decision point in each collection it may read (released
  // and audited as any read; one query per collection).
  std::vector<std::pair<std::string, int64_t>> candidates(sighted.begin(), sighted.end());
  std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (candidates.size() > kTopCandidates) candidates.resize(kTopCandidates);
  std::map<std::string, std::pair<std::string, std::string>> named;  // id -> (type, label)
  if (!candidates.empty()) {
    ASSIGN_OR_RETURN(auto readable, ReadableCollections(index.store(), principal));
    for (const auto& c : readable) {
      // Named in the audit event by its TAXII id.
      ASSIGN_OR_RETURN(auto scope, decisions.Begin(principal, c.key, c.id, policy::Path::kDashboard, remote));
      store::ObjectQuery q;
      for (const auto& [id, n] : candidates) {
        if (!named.count(id)) q.ids.push_back(id);
      }
      if (q.ids.empty()) break;
      q.limit = static_cast<int>(q.ids.size());
      ASSIGN_OR_RETURN(auto page, scope.Read(q, std::nullopt, nullptr, /*audit_named=*/false));
      for (const auto& r : page.records) named.try_emplace(r.id, r.type, LabelOfRaw(r.raw));
    }
  }
  json::array top;
  for (const auto& [id, n] : candidates) {
    auto it = named.find(id);
    if (it == named.end()) continue;  // the reader may not see it: never named, never counted
    top.push_back(json::object{{"id", id}, {"type", it->second.first}, {"name", it->second.second}, {"sightings", n}});
    if (top.size() == kTopSighted) break;
  }

  json::array day_names;
  for (int64_t d = first_day; d <= last_day; ++d) day_names.emplace_back(FormatTimestamp(d * kDayUs, 0).substr(0, 10));
  auto series = [&](const std::map<std::string, std::vector<int64_t>>& m, const char* key) {
    json::array out;
    for (const auto& [name, counts] : m) {
      json::array c;
      for (int64_t n : counts) c.emplace_back(n);
      out.push_back(json::object{{key, name}, {"counts", std::move(c)}});
    }
    return out;
  };
  // Each sector with its names and its place in the US/JP crosswalk (policy/sectors.h).
  auto named_sectors = [](json::array rows) {
    for (json::value& row : rows) {
      json::object& o = row.as_object();
      if (const policy::Sector* sec = policy::FindSector(std::string(o["sector"].as_string()))) {
        o["name_en"] = sec->name_en;
        o["name_ja"] = sec->name_ja;
        o["us"] = sec->us;
        o["jp"] = sec->jp;
        o["jp_ja"] = sec->jp_ja;
      }
    }
    return rows;
  };
  std::vector<std::pair<std::string, int64_t>> types(by_type.begin(), by_type.end());
  std::sort(types.begin(), types.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  json::array type_list;
  for (const auto& [name, n] : types) type_list.push_back(json::object{{"type", name}, {"count", n}});
  int64_t readable = 0;
  for (const auto& [key, access] : principal.grants) readable += access.can_read;
  return json::serialize(json::object{{"days", std::move(day_names)},
                                      {"total", total},
                                      {"by_tlp", series(by_tlp, "tlp")},
                                      {"by_nation", series(by_nation, "nation")},
                                      {"by_sector", named_sectors(series(by_sector, "sector"))},
                                      {"sightings_by_sector", named_sectors(series(sightings_by_sector, "sector"))},
                                      {"by_type", std::move(type_list)},
                                      {"top_sighted", std::move(top)},
                                      {"collections", readable}});
}

std::string SectorCrosswalkJson(const policy::TrustModel& model) {
  json::array sectors, us, jp, orgs;
  for (const policy::Org* o : model.AllOrgs()) {
    json::array codes;
    for (const auto& c : o->sectors) codes.emplace_back(c);
    orgs.push_back(json::object{{"id", o->id}, {"name", o->name}, {"nation", o->nation}, {"sectors", std::move(codes)}});
  }
  for (const policy::Sector& sec : policy::Sectors()) {
    json::array stix;
    for (auto v : sec.stix) stix.emplace_back(v);
    sectors.push_back(json::object{{"code", sec.code},
                                   {"name_en", sec.name_en},
                                   {"name_ja", sec.name_ja},
                                   {"us", sec.us},
                                   {"jp", sec.jp},
                                   {"jp_ja", sec.jp_ja},
                                   {"stix", std::move(stix)}});
  }
  for (auto name : policy::UsCriticalInfrastructureSectors()) us.emplace_back(name);
  for (const auto& j : policy::JpCriticalInfrastructureSectors()) jp.push_back(json::object{{"en", j.en}, {"ja", j.ja}});
  return json::serialize(json::object{{"sectors", std::move(sectors)},
                                      {"us", std::move(us)},
                                      {"jp", std::move(jp)},
                                      {"organizations", std::move(orgs)}});
}

}  // namespace kizuna::ui
