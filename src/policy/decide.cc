#include "policy/decide.h"

#include <boost/json.hpp>

#include <algorithm>
#include <optional>

#include "policy/extensions.h"
#include "policy/federation.h"
#include "stix/object.h"

namespace kizuna::policy {

namespace json = boost::json;

std::string_view PathName(Path path) {
  switch (path) {
    case Path::kTaxiiObjects: return "taxii.objects";
    case Path::kTaxiiObject: return "taxii.object";
    case Path::kTaxiiVersions: return "taxii.versions";
    case Path::kTaxiiManifest: return "taxii.manifest";
    case Path::kTaxiiStatus: return "taxii.status";
    case Path::kTaxiiDelete: return "taxii.delete";
    case Path::kExport: return "export";
    case Path::kFeed: return "feed";
    case Path::kStream: return "stream";
    case Path::kWebhook: return "webhook";
    case Path::kFederation: return "federation";
    case Path::kDashboard: return "dashboard";
    case Path::kCoordination: return "coordination";
  }
  return "unknown";
}

std::string_view ReasonText(Reason r) {
  switch (r) {
    case Reason::kAllowed: return "allowed";
    case Reason::kAnonymous: return "anonymous readers receive TLP:CLEAR only";
    case Reason::kNotInGroup: return "TLP:GREEN is for the collection's trust group";
    case Reason::kNotRecipient: return "TLP:AMBER is for the producer and the recipient organizations";
    case Reason::kNotNamed: return "TLP:RED is for the named accounts only";
    case Reason::kUnknownCollection: return "the collection has no policy";
    case Reason::kPassedHub: return "the object has already passed that hub";
    case Reason::kReleaseFailed: return "the release step failed for this object";
    case Reason::kAboveCeiling: return "marked above the TLP ceiling the reader chose";
  }
  return "denied";
}

Reader MakeAccountReader(const TrustModel& model, std::string account, std::string org) {
  Reader r;
  r.kind = Reader::Kind::kAccount;
  r.parents = model.ParentsOf(org);
  r.account = std::move(account);
  r.org = std::move(org);
  return r;
}

Reader MakePeerReader(const TrustModel& model, std::string hub) {
  Reader r;
  r.kind = Reader::Kind::kPeer;
  r.peer_orgs = model.OrgsHomedOn(hub);
  r.hub = std::move(hub);
  return r;
}

Reader MakeAnonymousReader() { return Reader{}; }

// ---- audience tokens ---------------------------------------------------------

std::string EncodeAudience(const Audience& a) {
  std::string s;
  auto add = [&](char kind, const std::string& v) {
    if (v.empty()) return;
    if (!s.empty()) s += ' ';
    s += kind;
    s += ':';
    s += v;
  };
  add('p', a.producer_account);
  add('g', a.trust_group);
  for (const auto& o : a.organizations) add('o', o);
  for (const auto& x : a.accounts) add('a', x);
  return s;
}

namespace {

// Calls f(kind, value) for each token, without allocating.
template <typename F>
void ForEachToken(std::string_view s, F f) {
  size_t start = 0;
  while (start < s.size()) {
    size_t sp = s.find(' ', start);
    if (sp == std::string_view::npos) sp = s.size();
    std::string_view tok = s.substr(start, sp - start);
    start = sp + 1;
    if (tok.size() < 3 || tok[1] != ':') continue;
    if (f(tok[0], tok.substr(2))) return;
  }
}

bool Contains(const std::vector<std::string>& v, std::string_view x) {
  for (const auto& e : v)
    if (e == x) return true;
  return false;
}

// The hub part of "user@hub" ("" for a local account).
std::string_view HubOf(std::string_view account) {
  size_t at = account.rfind('@');
  return at == std::string_view::npos ? std::string_view() : account.substr(at + 1);
}

}  // namespace

Audience DecodeAudience(std::string_view tokens) {
  Audience a;
  ForEachToken(tokens, [&](char kind, std::string_view v) {
    if (kind == 'p') a.producer_account = v;
    if (kind == 'g') a.trust_group = v;
    if (kind == 'o') a.organizations.emplace_back(v);
    if (kind == 'a') a.accounts.emplace_back(v);
    return false;
  });
  return a;
}

// ---- decisions -------------------------------------------------------------------

Decision DecideLevel(const TrustModel& model, const Reader& reader, const ObjectMeta& o,
                     stix::Tlp tlp) {
  using stix::Tlp;
  Decision d;
  d.tlp = tlp;
  auto allow = [&]() {
    d.allow = true;
    d.reason = Reason::kAllowed;
    return d;
  };
  auto deny = [&](Reason r) {
    d.allow = false;
    d.reason = r;
    return d;
  };
  // Levels are ordered CLEAR < GREEN < AMBER < AMBER+STRICT < RED.
  if (reader.ceiling != Tlp::kNone && tlp > reader.ceiling) return deny(Reason::kAboveCeiling);
  if (tlp == Tlp::kClear) return allow();
  if (reader.kind == Reader::Kind::kAnonymous) return deny(Reason::kAnonymous);
  // The trust group stamped on the object at ingest ("g:" token) decides, so
  // that moving a collection to another group never widens who receives the
  // objects already in it; objects stamped before groups existed fall back to
  // the collection's current group.
  const CollectionPolicy* col = model.FindCollection(o.collection);
  std::string_view group = col ? std::string_view(col->trust_group) : std::string_view();
  ForEachToken(o.audience, [&](char k, std::string_view v) {
    if (k != 'g') return false;
    group = v == "-" ? std::string_view() : v;
    return true;
  });

  if (reader.kind == Reader::Kind::kPeer) {
    // A peer receives on behalf of the principals homed on it.
    if (tlp == Tlp::kRed) {
      bool named = false;
      ForEachToken(o.audience, [&](char k, std::string_view v) {
        named = k == 'a' && HubOf(v) == reader.hub;
        return named;
      });
      return named ? allow() : deny(Reason::kNotNamed);
    }
    for (const auto& org : reader.peer_orgs) {
      Reader as_org;
      as_org.kind = Reader::Kind::kAccount;
      as_org.org = org;
      as_org.parents = model.ParentsOf(org);
      if (DecideLevel(model, as_org, o, tlp).allow) return allow();
    }
    if (tlp == Tlp::kGreen) return deny(Reason::kNotInGroup);
    return deny(Reason::kNotRecipient);
  }

  switch (tlp) {
    case Tlp::kNone:
    case Tlp::kClear:
      return allow();
    case Tlp::kGreen:
      // A collection without a trust group: its readers are its community.
      if (group.empty() || model.InGroup(group, reader.org)) return allow();
      return deny(Reason::kNotInGroup);
    case Tlp::kAmber:
    case Tlp::kAmberStrict: {
      if (!reader.org.empty() && reader.org == o.producer) return allow();
      const bool clients = tlp == Tlp::kAmber;
      bool any_org = false, hit = false;
      ForEachToken(o.audience, [&](char k, std::string_view v) {
        if (k == 'a' && v == reader.account) hit = true;
        if (k == 'o') {
          any_org = true;
          if (v == reader.org || (clients && Contains(reader.parents, v))) hit = true;
        }
        return hit;
      });
      if (hit) return allow();
      if (!any_org) {
        // No audience organizations: the trust group are the recipients.
        if (group.empty()) return allow();
        if (model.InGroup(group, reader.org)) return allow();
        if (clients) {
          for (const auto& p : reader.parents)
            if (model.InGroup(group, p)) return allow();
        }
      }
      return deny(Reason::kNotRecipient);
    }
    case Tlp::kRed: {
      bool named = false;
      ForEachToken(o.audience, [&](char k, std::string_view v) {
        named = (k == 'a' || k == 'p') && !reader.account.empty() && v == reader.account;
        return named;
      });
      return named ? allow() : deny(Reason::kNotNamed);
    }
  }
  return deny(Reason::kNotRecipient);
}

DeleteRight MayDelete(const Reader& reader, const ObjectMeta& o) {
  if (reader.kind == Reader::Kind::kPeer) return DeleteRight::kPeer;
  if (reader.kind != Reader::Kind::kAccount) return DeleteRight::kNotProducer;
  if (reader.deletes_any) return DeleteRight::kAllowed;
  if (!reader.org.empty() && reader.org == o.producer) return DeleteRight::kAllowed;
  return DeleteRight::kNotProducer;
}

Decision Decide(const TrustModel& model, const Reader& reader, const ObjectMeta& o, Path path) {
  (void)path;  // every path releases by the same rules; the path is for the audit log
  const CollectionPolicy* col = model.FindCollection(o.collection);
  if (col == nullptr) {
    Decision d;
    d.reason = Reason::kUnknownCollection;
    return d;
  }
  // Never back to a hub the object has passed (its origin included): objects
  // do not loop, in rings of any size.
  if (reader.kind == Reader::Kind::kPeer && !o.origin.empty() &&
      OriginPathContains(o.origin, reader.hub)) {
    Decision d;
    d.reason = Reason::kPassedHub;
    return d;
  }
  stix::Tlp tlp = o.marking.empty() ? col->default_tlp : stix::TlpOfMarkingRef(o.marking);
  if (tlp == stix::Tlp::kNone) tlp = col->default_tlp;
  Decision d = DecideLevel(model, reader, o, tlp);
  d.redact = d.allow && o.granular;
  return d;
}

// ---- redaction -------------------------------------------------------------------

namespace {

// One step of a granular-marking selector: a property name or a list index.
struct Step {
  bool index = false;
  std::string name;
  size_t i = 0;
};

// STIX 2.1 §7.2.3.1: selectors are dot-separated property names and [n] list
// indexes, e.g. "external_references.[0].url".
bool ParseSelector(std::string_view sel, std::vector<Step>* out) {
  size_t start = 0;
  while (start <= sel.size()) {
    size_t dot = sel.find('.', start);
    if (dot == std::string_view::npos) dot = sel.size();
    std::string_view part = sel.substr(start, dot - start);
    start = dot + 1;
    if (part.empty()) return false;
    Step s;
    if (part.front() == '[') {
      if (part.size() < 3 || part.back() != ']') return false;
      size_t n = 0;
      for (char c : part.substr(1, part.size() - 2)) {
        if (c < '0' || c > '9') return false;
        n = n * 10 + static_cast<size_t>(c - '0');
      }
      s.index = true;
      s.i = n;
    } else {
      s.name = std::string(part);
    }
    out->push_back(std::move(s));
    if (dot == sel.size()) break;
  }
  return !out->empty() && !out->front().index;
}

// Removes the value at `path` from `root`; false when it does not exist.
bool RemovePath(json::value& root, const std::vector<Step>& path) {
  json::value* cur = &root;
  for (size_t k = 0; k + 1 < path.size(); ++k) {
    const Step& s = path[k];
    if (s.index) {
      if (!cur->is_array() || s.i >= cur->get_array().size()) return false;
      cur = &cur->get_array()[s.i];
    } else {
      if (!cur->is_object()) return false;
      json::value* next = cur->get_object().if_contains(s.name);
      if (!next) return false;
      cur = next;
    }
  }
  const Step& last = path.back();
  if (last.index) {
    if (!cur->is_array() || last.i >= cur->get_array().size()) return false;
    cur->get_array().erase(cur->get_array().begin() + static_cast<std::ptrdiff_t>(last.i));
    return true;
  }
  if (!cur->is_object()) return false;
  return cur->get_object().erase(last.name) > 0;
}

// Orders removals so that a later one never shifts the index of an earlier
// one: deeper paths and higher list indexes first.
bool RemoveFirst(const std::vector<Step>& a, const std::vector<Step>& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t k = 0; k < n; ++k) {
    if (a[k].index != b[k].index) return a[k].index;
    if (a[k].index && a[k].i != b[k].i) return a[k].i > b[k].i;
    if (!a[k].index && a[k].name != b[k].name) return a[k].name > b[k].name;
  }
  return a.size() > b.size();
}

bool SameStep(const Step& a, const Step& b) {
  return a.index == b.index && (a.index ? a.i == b.i : a.name == b.name);
}

std::string FormatSelector(const std::vector<Step>& path) {
  std::string s;
  for (size_t k = 0; k < path.size(); ++k) {
    if (k) s += '.';
    s += path[k].index ? "[" + std::to_string(path[k].i) + "]" : path[k].name;
  }
  return s;
}

// The selector as it reads after `removed` (paths in the original indexes),
// or nullopt when it selected something removed.
std::optional<std::string> RewriteSelector(const std::vector<Step>& sel,
                                           const std::vector<std::vector<Step>>& removed) {
  for (const auto& r : removed) {
    if (r.size() > sel.size()) continue;
    bool prefix = true;
    for (size_t k = 0; k < r.size() && prefix; ++k) prefix = SameStep(r[k], sel[k]);
    if (prefix) return std::nullopt;
  }
  std::vector<Step> out = sel;
  for (size_t k = 0; k < sel.size(); ++k) {
    if (!sel[k].index) continue;
    size_t shift = 0;
    for (const auto& r : removed) {
      if (r.size() != k + 1 || !r[k].index || r[k].i >= sel[k].i) continue;
      bool prefix = true;
      for (size_t j = 0; j < k && prefix; ++j) prefix = SameStep(r[j], sel[j]);
      if (prefix) ++shift;
    }
    out[k].i -= shift;
  }
  return FormatSelector(out);
}

void RewriteGranularSelectors(json::object& obj, const std::vector<std::vector<Step>>& removed) {
  json::value* gm = obj.if_contains("granular_markings");
  if (!gm || !gm->is_array()) return;
  json::array kept;
  for (auto& m : gm->get_array()) {
    if (!m.is_object()) continue;
    json::value* sels = m.get_object().if_contains("selectors");
    if (!sels || !sels->is_array()) {
      kept.push_back(m);
      continue;
    }
    json::array new_sels;
    for (const auto& sv : sels->get_array()) {
      if (!sv.is_string()) continue;
      std::vector<Step> path;
      if (!ParseSelector(sv.get_string(), &path)) {
        new_sels.push_back(sv);
        continue;
      }
      if (auto re = RewriteSelector(path, removed)) new_sels.emplace_back(json::string(*re));
    }
    if (new_sels.empty()) continue;
    m.get_object()["selectors"] = std::move(new_sels);
    kept.push_back(m);
  }
  if (kept.empty()) {
    obj.erase("granular_markings");
  } else {
    *gm = std::move(kept);
  }
}

}  // namespace

Result<std::string> Redact(const TrustModel& model, const Reader& reader, const ObjectMeta& o,
                           std::string_view raw) {
  // The same parser and limits as ingest (stix::ParseJson): what was
  // accepted can always be read back.
  ASSIGN_OR_RETURN(json::value v, stix::ParseJson(raw));
  if (!v.is_object()) return Internal("stored object is not a JSON object");
  json::object& obj = v.get_object();
  const json::value* gm = obj.if_contains("granular_markings");
  if (!gm || !gm->is_array()) return std::string(raw);
  std::vector<std::pair<std::vector<Step>, std::string>> removals;
  for (const auto& m : gm->get_array()) {
    if (!m.is_object()) continue;
    const json::value* ref = m.get_object().if_contains("marking_ref");
    const json::value* sels = m.get_object().if_contains("selectors");
    if (!ref || !ref->is_string() || !sels || !sels->is_array()) continue;  // lang markings
    stix::Tlp level = stix::TlpOfMarkingRef(ref->get_string());
    if (level == stix::Tlp::kNone) continue;
    if (DecideLevel(model, reader, o, level).allow) continue;
    for (const auto& s : sels->get_array()) {
      if (!s.is_string()) continue;
      std::vector<Step> path;
      if (ParseSelector(s.get_string(), &path)) removals.emplace_back(std::move(path), s.get_string());
    }
  }
  if (removals.empty()) return std::string(raw);
  std::sort(removals.begin(), removals.end(),
            [](const auto& a, const auto& b) { return RemoveFirst(a.first, b.first); });
  json::array removed;
  std::vector<std::vector<Step>> removed_paths;
  for (const auto& [path, text] : removals) {
    // A selector inside an already removed property is covered by it.
    if (RemovePath(v, path)) {
      removed.emplace_back(json::string(text));
      removed_paths.push_back(path);
    }
  }
  if (removed.empty()) return std::string(raw);
  // The copy stays valid STIX (§7.2.3: every selector must select something):
  // selectors of what was removed go, and list indexes after a removed
  // element move down.
  RewriteGranularSelectors(obj, removed_paths);
  json::value& ext = obj["extensions"];
  if (!ext.is_object()) ext = json::object();
  ext.get_object()[kRedactionExtensionId] =
      json::object{{"extension_type", "property-extension"}, {"redacted_paths", removed}};
  return json::serialize(v);
}

}  // namespace kizuna::policy
