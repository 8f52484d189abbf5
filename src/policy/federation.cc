#include "policy/federation.h"

#include <boost/json.hpp>

#include <algorithm>

#include "core/uuid.h"
#include "policy/decide.h"
#include "policy/extensions.h"
#include "stix/markings.h"

namespace kizuna::policy {

namespace json = boost::json;

namespace {

constexpr size_t kMaxPath = 32;

bool IsAccountChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_' || c == '@';
}

// "user" or "user@hub", as the audience extension allows.
bool IsAccountName(std::string_view a) {
  if (a.empty() || a.size() > 200) return false;
  for (char c : a)
    if (!IsAccountChar(c)) return false;
  size_t at = a.find('@');
  if (at == std::string_view::npos) return true;
  return at > 0 && at + 1 < a.size() && a.find('@', at + 1) == std::string_view::npos;
}

bool IsIdentityId(std::string_view s) {
  return s.size() == 46 && s.substr(0, 10) == "identity--" && IsUuidSyntax(s.substr(10));
}

void AppendString(std::string* out, std::string_view s) {
  // Every value written here has been validated to plain ASCII without
  // quotes, backslashes or control characters (ids, hub and account names).
  out->push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) continue;
    out->push_back(c);
  }
  out->push_back('"');
}

std::string_view HubOfAccount(std::string_view account) {
  size_t at = account.rfind('@');
  return at == std::string_view::npos ? std::string_view() : account.substr(at + 1);
}

}  // namespace

bool IsValidHubName(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (i == 0 ? !alnum : !(alnum || c == '-' || c == '.')) return false;
  }
  return true;
}

std::vector<std::string> SplitOriginPath(std::string_view origin) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < origin.size()) {
    size_t sp = origin.find(' ', start);
    if (sp == std::string_view::npos) sp = origin.size();
    if (sp > start) out.emplace_back(origin.substr(start, sp - start));
    start = sp + 1;
  }
  return out;
}

std::string JoinOriginPath(const std::vector<std::string>& path) {
  std::string s;
  for (const auto& h : path) {
    if (!s.empty()) s += ' ';
    s += h;
  }
  return s;
}

bool OriginPathContains(std::string_view origin, std::string_view hub) {
  if (hub.empty()) return false;
  size_t start = 0;
  while (start < origin.size()) {
    size_t sp = origin.find(' ', start);
    if (sp == std::string_view::npos) sp = origin.size();
    if (origin.substr(start, sp - start) == hub) return true;
    start = sp + 1;
  }
  return false;
}

std::string LocalizeAccount(std::string_view account, std::string_view origin,
                            std::string_view self) {
  std::string qualified(account);
  if (HubOfAccount(account).empty() && !origin.empty()) {
    qualified += '@';
    qualified += origin;
  }
  std::string_view hub = HubOfAccount(qualified);
  if (!self.empty() && hub == self) qualified.resize(qualified.size() - self.size() - 1);
  return qualified;
}

PeerObjectMeta MetaForPeer(const store::ObjectRecord& r, std::string_view self_hub) {
  PeerObjectMeta m;
  m.marking = r.marking;
  m.producer = r.producer;
  Audience a = DecodeAudience(r.audience);
  if (!a.producer_account.empty()) {
    m.producer_account = a.producer_account;
    if (HubOfAccount(m.producer_account).empty()) {
      m.producer_account += '@';
      m.producer_account += self_hub;
    }
  }
  m.path = SplitOriginPath(r.origin);
  m.path.emplace_back(self_hub);
  return m;
}

void AppendPeerMetaJson(std::string* out, std::string_view sender_hub,
                        const std::vector<PeerObjectMeta>& objects) {
  out->append("{\"hub\":");
  AppendString(out, sender_hub);
  out->append(",\"objects\":[");
  bool first = true;
  for (const auto& m : objects) {
    if (!first) out->push_back(',');
    first = false;
    out->append("{\"marking\":");
    AppendString(out, m.marking);
    out->append(",\"producer\":");
    AppendString(out, m.producer);
    out->append(",\"producer_account\":");
    AppendString(out, m.producer_account);
    out->append(",\"path\":[");
    for (size_t i = 0; i < m.path.size(); ++i) {
      if (i) out->push_back(',');
      AppendString(out, m.path[i]);
    }
    out->append("]}");
  }
  out->append("]}");
}

Result<PeerEnvelopeMeta> DecodePeerMeta(std::string_view text, size_t max_objects) {
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 8;
  json::value v = json::parse(text, ec, {}, opts);
  if (ec) return InvalidArgument("federation metadata: malformed JSON: " + ec.message());
  if (!v.is_object()) return InvalidArgument("federation metadata must be an object");
  const json::object& o = v.get_object();
  PeerEnvelopeMeta out;
  const json::value* hub = o.if_contains("hub");
  if (!hub || !hub->is_string() || !IsValidHubName(hub->get_string())) {
    return InvalidArgument("federation metadata: \"hub\" must be a hub name");
  }
  out.hub = hub->get_string();
  const json::value* objs = o.if_contains("objects");
  if (!objs || !objs->is_array()) return InvalidArgument("federation metadata: \"objects\" must be a list");
  if (objs->get_array().size() > max_objects) {
    return InvalidArgument("federation metadata: too many entries");
  }
  out.objects.reserve(objs->get_array().size());
  for (const json::value& e : objs->get_array()) {
    if (!e.is_object()) return InvalidArgument("federation metadata: entries must be objects");
    const json::object& eo = e.get_object();
    PeerObjectMeta m;
    auto str = [&](const char* key, std::string* dst) -> Status {
      const json::value* f = eo.if_contains(key);
      if (!f) return Status::Ok();
      if (!f->is_string()) return InvalidArgument(std::string("federation metadata: \"") + key + "\" must be a string");
      *dst = f->get_string();
      return Status::Ok();
    };
    RETURN_IF_ERROR(str("marking", &m.marking));
    RETURN_IF_ERROR(str("producer", &m.producer));
    RETURN_IF_ERROR(str("producer_account", &m.producer_account));
    if (!m.marking.empty() && stix::TlpOfMarkingRef(m.marking) == stix::Tlp::kNone) {
      return InvalidArgument("federation metadata: marking '" + m.marking + "' is not a TLP marking");
    }
    if (!m.producer.empty() && !IsIdentityId(m.producer)) {
      return InvalidArgument("federation metadata: producer must be an identity id");
    }
    if (!m.producer_account.empty() && !IsAccountName(m.producer_account)) {
      return InvalidArgument("federation metadata: producer_account must be 'user' or 'user@hub'");
    }
    const json::value* path = eo.if_contains("path");
    if (path) {
      if (!path->is_array() || path->get_array().size() > kMaxPath) {
        return InvalidArgument("federation metadata: \"path\" must be a list of at most 32 hubs");
      }
      for (const json::value& h : path->get_array()) {
        if (!h.is_string() || !IsValidHubName(h.get_string())) {
          return InvalidArgument("federation metadata: \"path\" must list hub names");
        }
        m.path.emplace_back(h.get_string());
      }
    }
    out.objects.push_back(std::move(m));
  }
  return out;
}

bool IsLoop(const PeerObjectMeta* meta, std::string_view self_hub) {
  if (meta == nullptr || self_hub.empty()) return false;
  for (const auto& h : meta->path)
    if (h == self_hub) return true;
  return false;
}

std::string HubProducerId(std::string_view hub) {
  // A fixed namespace for these ids (RFC 4122 v5 names "hub:<name>").
  static const UuidBytes kNamespace = [] {
    UuidBytes b{};
    ParseUuid("6c1f0d2e-9b7a-4c43-8e15-2f6a9d3b7c58", &b);
    return b;
  }();
  return "identity--" + UuidV5(kNamespace, "hub:" + std::string(hub));
}

namespace {

bool PathHas(const std::vector<std::string>& path, std::string_view hub) {
  return std::find(path.begin(), path.end(), hub) != path.end();
}

// The producing organization a peer may claim: one homed on a hub of the
// object's path. An organization homed here is never the peer's to speak
// for; one homed elsewhere is refused; one unknown here (or none) gets the
// lineage of the sending hub (HubProducerId), so that no peer can version,
// revoke or shadow another party's objects.
Result<std::string> PeerProducerOf(const TrustModel& model, const PeerObjectMeta* meta,
                                   const std::vector<std::string>& path,
                                   std::string_view sender) {
  const std::string claimed = meta != nullptr ? meta->producer : std::string();
  const Org* org = claimed.empty() ? nullptr : model.FindOrg(claimed);
  if (org == nullptr) return HubProducerId(sender);
  if (org->home_hub.empty()) {
    return InvalidArgument("the producer " + claimed + " (" + org->name +
                           ") is homed on this hub: a peer hub may not speak for it");
  }
  if (!PathHas(path, org->home_hub)) {
    return InvalidArgument("the producer " + claimed + " (" + org->name + ") is homed on " +
                           org->home_hub + ", which is not on the object's path (" +
                           JoinOriginPath(path) + ")");
  }
  return claimed;
}

}  // namespace

Status StampFromPeer(const TrustModel& model, int64_t collection, const PeerSender& from,
                     const PeerObjectMeta* meta, const json::object& object,
                     store::NewObject* out) {
  if (IsLoop(meta, from.self_hub)) {
    return InvalidArgument("the object has already passed this hub (" + from.self_hub + ")");
  }
  std::vector<std::string> path;
  if (meta != nullptr) path = meta->path;
  // The sender is the last hop, whatever the metadata says.
  if (path.empty() || path.back() != from.sender_hub) path.push_back(from.sender_hub);
  const std::string& origin = path.front();

  ASSIGN_OR_RETURN(out->producer, PeerProducerOf(model, meta, path, from.sender_hub));

  // Effective marking: the stricter of the sender's and ours.
  stix::Tlp tlp = stix::ObjectTlp(object);
  const CollectionPolicy* col = model.FindCollection(collection);
  if (tlp == stix::Tlp::kNone) tlp = col ? col->default_tlp : stix::Tlp::kAmber;
  if (meta != nullptr && !meta->marking.empty()) {
    stix::Tlp theirs = stix::TlpOfMarkingRef(meta->marking);
    if (theirs > tlp) tlp = theirs;
  }
  const stix::TlpMarkingDefinition* def = stix::Tlp2MarkingDefinition(tlp);
  out->marking = def ? std::string(def->id) : std::string();
  out->granular = stix::HasGranularMarkings(object);

  ASSIGN_OR_RETURN(AudienceExtension ext, ReadAudience(object));
  if (tlp == stix::Tlp::kRed && ext.accounts.empty()) {
    return InvalidArgument(
        "TLP:RED objects need an audience of named accounts: add the Kizuna audience extension (" +
        std::string(kAudienceExtensionId) + ") with \"accounts\"");
  }
  Audience a;
  if (meta != nullptr && !meta->producer_account.empty()) {
    // The producing account belongs to a hub of the path, never to this one
    // (it would read the object as a local account: RED included).
    std::string qualified = LocalizeAccount(meta->producer_account, from.sender_hub, "");
    std::string_view hub = HubOfAccount(qualified);
    if (hub == from.self_hub || !PathHas(path, hub)) {
      return InvalidArgument("the producing account " + meta->producer_account +
                             " is not homed on a hub of the object's path (" +
                             JoinOriginPath(path) + ")");
    }
    a.producer_account = std::move(qualified);
  }
  // The collection's trust group when the object arrives, as for local
  // posts: moving the collection to a wider group later never widens who
  // receives it.
  a.trust_group = col && !col->trust_group.empty() ? col->trust_group : "-";
  a.organizations = std::move(ext.organizations);
  a.accounts.reserve(ext.accounts.size());
  for (const auto& acc : ext.accounts) a.accounts.push_back(LocalizeAccount(acc, origin, from.self_hub));
  out->audience = EncodeAudience(a);
  out->origin = JoinOriginPath(path);
  return Status::Ok();
}

}  // namespace kizuna::policy
