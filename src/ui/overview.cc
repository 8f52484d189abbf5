#include "ui/overview.h"

#include <boost/json.hpp>
#include <algorithm>
#include <tuple>

#include "core/time.h"
#include "policy/decide.h"
#include "stix/markings.h"

namespace kizuna::ui {

namespace json = boost::json;

namespace {
constexpr int64_t kDayUs = 86'400'000'000;
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
        }
        if (!page.records.empty()) cursor = page.records.back().date_added_us;
        if (!page.more || page.records.empty()) break;
      }
    }
  }
  return Status::Ok();
}

Status OverviewIndex::Read(const Each& each) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(CatchUpLocked());
  for (const auto& [k, n] : counts_) {
    each(k.collection, k.day, *types_[static_cast<size_t>(k.type)], *tuples_[static_cast<size_t>(k.tuple)], n);
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
  std::map<std::string, std::vector<int64_t>> by_tlp, by_nation;
  std::map<std::string, int64_t> by_type;
  int64_t total = 0;
  Status failed = Status::Ok();
  Status read = index.Read([&](int64_t collection, int64_t day, std::string_view type, const OverviewTuple& t,
                               int64_t count) {
    if (!failed.ok() || day < first_day || day > last_day) return;
    if (!principal.Access(collection).can_read) return;
    auto [it, fresh] = collections.try_emplace(collection);
    Seen& s = it->second;
    if (fresh) {
      auto scope = decisions.Begin(principal, collection, "", policy::Path::kDashboard, remote);
      if (!scope.ok()) {
        failed = scope.error();
        return;
      }
      s.scope.emplace(std::move(*scope));
      if (const policy::CollectionPolicy* cp = s.scope->model().FindCollection(collection)) {
        s.default_tlp = cp->default_tlp;
      }
    }
    auto [a, first] = s.allowed.try_emplace(&t, false);
    if (first) {
      policy::ObjectMeta meta{t.marking, t.producer, t.audience, collection, t.granular, t.origin};
      a->second = policy::Decide(s.scope->model(), s.scope->reader(), meta, policy::Path::kDashboard).allow;
    }
    if (!a->second) return;
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
    by_type[std::string(type)] += count;
    total += count;
  });
  if (!read.ok()) return read;
  if (!failed.ok()) return failed;
  for (auto& [k, s] : collections) s.scope.reset();  // audit nothing: no object was released

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
                                      {"by_type", std::move(type_list)},
                                      {"collections", readable}});
}

}  // namespace kizuna::ui
