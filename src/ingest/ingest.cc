#include "ingest/ingest.h"

#include <boost/json.hpp>

#include <optional>

#include "pattern/validator.h"
#include "stix/bundle.h"
#include "stix/markings.h"
#include "stix/object.h"

namespace kizuna::ingest {

namespace json = boost::json;

namespace {

// STIX patterns are checked by the pattern library (syntax and the
// semantic errors; its warnings do not reject an object).
Status CheckStixPattern(std::string_view text, std::string_view version) {
  pattern::CheckOptions o;
  o.spec_version = version == "2.0" ? pattern::SpecVersion::k20 : pattern::SpecVersion::k21;
  pattern::CheckResult r = pattern::Check(text, o);
  if (const pattern::Diagnostic* e = r.FirstError()) {
    return InvalidArgument("invalid STIX pattern at " + e->ToString());
  }
  return Status::Ok();
}

const stix::ValidateOptions& Options() {
  static const stix::ValidateOptions o = [] {
    stix::ValidateOptions v;
    v.stix_pattern_checker = CheckStixPattern;
    return v;
  }();
  return o;
}

}  // namespace

void RefusedMarkings::Remember(const std::string& id, const std::string& reason) {
  remembered_.emplace(id, reason);
}

Result<std::map<std::string, std::string>> RefusedMarkings::Find(const std::set<std::string>& ids) {
  std::map<std::string, std::string> out;
  std::vector<std::string> ask;
  for (const std::string& id : ids) {
    auto it = remembered_.find(id);
    if (it != remembered_.end()) {
      out.emplace(id, it->second);
    } else {
      ask.push_back(id);
    }
  }
  if (store_ == nullptr || ask.empty()) return out;
  ASSIGN_OR_RETURN(auto found, store_->FindRefusedMarkings(ask));
  for (auto& r : found) out.emplace(std::move(r.id), std::move(r.reason));
  return out;
}

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return out;
}

// Only ids a marking reference can name (marking-definition--UUID, any
// case) are remembered and recorded: nothing else can be referenced, and a
// producer's arbitrary string never grows the store's record.
bool CanBeReferenced(std::string_view lower_id) {
  constexpr std::string_view kPrefix = "marking-definition--";
  return lower_id.size() == kPrefix.size() + 36 && lower_id.substr(0, kPrefix.size()) == kPrefix;
}

// A marking reference of a prepared object that names no OASIS TLP marking
// definition, so it may name a refused look-alike.
struct PendingRef {
  size_t prepared = 0;  // index in successes and batch.objects
  std::string id;       // lower case
  std::string property;
};

// Moves the prepared objects that reference a refused look-alike (of this
// call: `here`; or earlier: `refused`) from the successes to the failures.
void RefuseReferences(Prepared* out, const std::map<std::string, std::string>& here,
                      const std::vector<PendingRef>& pending, RefusedMarkings* refused) {
  if (pending.empty()) return;
  std::set<std::string> ask;
  for (const PendingRef& p : pending) {
    if (!here.contains(p.id)) ask.insert(p.id);
  }
  std::map<std::string, std::string> earlier;
  Status lookup = Status::Ok();
  if (!ask.empty() && refused != nullptr) {
    auto found = refused->Find(ask);
    if (found.ok()) {
      earlier = std::move(found).value();
    } else {
      lookup = found.error();
    }
  }
  std::vector<bool> drop(out->successes.size(), false);
  std::vector<store::StatusDetail> failures;
  for (const PendingRef& p : pending) {
    if (drop[p.prepared]) continue;
    store::StatusDetail detail = out->successes[p.prepared];
    const std::string* reason = nullptr;
    if (auto it = here.find(p.id); it != here.end()) {
      reason = &it->second;
    } else if (auto e = earlier.find(p.id); e != earlier.end()) {
      reason = &e->second;
    }
    if (reason != nullptr) {
      stix::Diagnostic d;
      d.object_id = detail.id;
      d.property = p.property;
      d.rule = "tlp-lookalike-ref";
      d.message = "references marking definition " + p.id +
                  ", refused because it imitates TLP under a non-OASIS id (" + *reason + ")";
      detail.message = d.ToString();
    } else if (!lookup.ok() && ask.contains(p.id)) {
      // Unknown whether it was refused: never accept what may launder a
      // TLP look-alike.
      detail.message = (detail.id.empty() ? std::string() : detail.id + ": ") +
                       "cannot check marking reference " + p.id + ": " + lookup.message();
    } else {
      continue;
    }
    drop[p.prepared] = true;
    failures.push_back(std::move(detail));
  }
  size_t kept = 0;
  for (size_t i = 0; i < drop.size(); ++i) {
    if (drop[i]) continue;
    if (kept != i) {
      out->successes[kept] = std::move(out->successes[i]);
      out->batch.objects[kept] = std::move(out->batch.objects[i]);
    }
    ++kept;
  }
  out->successes.resize(kept);
  out->batch.objects.resize(kept);
  for (auto& f : failures) out->failures.push_back(std::move(f));
}

// PrepareObjects; without stamping when `model` is null (CheckObjects).
Prepared Run(const std::vector<std::string_view>& objects, int64_t collection_key,
             const policy::TrustModel* model, const policy::Producer* producer,
             RefusedMarkings* refused, const policy::PeerEnvelopeMeta* meta,
             const stix::ValidateOptions& options = Options()) {
  Prepared out;
  out.batch.collection = collection_key;
  out.batch.objects.reserve(objects.size());
  out.successes.reserve(objects.size());
  const bool from_peer = producer != nullptr && producer->kind == policy::Producer::Kind::kPeer;
  // This call's TLP look-alikes (lower-case id -> form), and the references
  // to check against them once all are known (a definition may follow the
  // objects that reference it).
  std::map<std::string, std::string> refused_here;
  std::vector<PendingRef> pending;
  // A fresh arena per object over a stack buffer: most objects parse without
  // touching the heap.
  alignas(16) unsigned char arena[16384];
  for (size_t index = 0; index < objects.size(); ++index) {
    std::string_view raw = objects[index];
    const policy::PeerObjectMeta* m =
        from_peer && meta != nullptr && index < meta->objects.size() ? &meta->objects[index] : nullptr;
    if (from_peer && policy::IsLoop(m, producer->peer.self_hub)) {
      store::StatusDetail d;
      d.message = "already passed this hub";
      out.looped.push_back(std::move(d));
      continue;
    }
    json::monotonic_resource mr(arena, sizeof arena);
    store::StatusDetail detail;
    auto parsed = stix::ParseJson(raw, &mr);
    if (!parsed.ok() || !parsed->is_object()) {
      detail.message = parsed.ok() ? "not a JSON object" : parsed.error().message();
      out.failures.push_back(std::move(detail));
      continue;
    }
    const json::object& obj = parsed->get_object();
    if (auto* id = obj.if_contains("id"); id && id->is_string()) detail.id = id->get_string();
    if (auto* mod = obj.if_contains("modified"); mod && mod->is_string()) {
      detail.version = mod->get_string();
    } else if (auto* cr = obj.if_contains("created"); cr && cr->is_string()) {
      detail.version = cr->get_string();
    }
    if (auto* type = obj.if_contains("type");
        type && type->is_string() && type->get_string() == "marking-definition") {
      if (std::optional<stix::TlpLookalike> l = stix::FindTlpLookalike(obj)) {
        // Refused whatever else is wrong with it, and remembered, so that
        // what references it is refused too.
        stix::Diagnostic d;
        d.object_id = detail.id;
        d.property = l->property;
        d.rule = "tlp-lookalike";
        d.message = l->Message();
        detail.message = d.ToString();
        if (std::string id = Lower(detail.id);
            CanBeReferenced(id) && refused_here.emplace(id, l->form).second) {
          out.batch.refused_markings.push_back({id, l->form});
        }
        out.failures.push_back(std::move(detail));
        continue;
      }
    }
    auto info = stix::ValidateObject(obj, options, nullptr);
    if (!info.ok()) {
      detail.message = info.error().message();
      out.failures.push_back(std::move(detail));
      continue;
    }
    store::NewObject o;
    o.id = info->id;
    o.type = info->type;
    o.spec_version = info->spec_version;
    if (info->modified) o.modified_us = info->modified->micros;
    if (info->created) o.created_us = info->created->micros;
    o.granular = info->has_granular_markings;
    if (model != nullptr) {
      Status s = policy::StampObject(*model, collection_key, *producer, m, obj, &o);
      if (!s.ok()) {
        detail.message = (info->id.empty() ? std::string() : info->id + ": ") + s.message();
        out.failures.push_back(std::move(detail));
        continue;
      }
    }
    if (!info->object_marking_refs.empty() || info->has_granular_markings) {
      for (const stix::MarkingReference& r : stix::MarkingReferences(obj)) {
        if (stix::TlpOfMarkingRef(r.id) != stix::Tlp::kNone) continue;
        pending.push_back({out.successes.size(), Lower(r.id), r.Property()});
      }
    }
    if (model != nullptr) o.raw = std::string(raw);  // CheckObjects writes nothing
    out.batch.objects.push_back(std::move(o));
    out.successes.push_back(std::move(detail));
  }
  RefuseReferences(&out, refused_here, pending, refused);
  if (refused != nullptr) {
    for (const auto& [id, form] : refused_here) refused->Remember(id, form);
  }
  return out;
}

}  // namespace

Prepared PrepareObjects(const std::vector<std::string_view>& objects, int64_t collection_key,
                        const policy::TrustModel& model, const policy::Producer& producer,
                        RefusedMarkings* refused, const policy::PeerEnvelopeMeta* meta) {
  return Run(objects, collection_key, &model, &producer, refused, meta);
}

void ScanForLookalikes(const std::vector<std::string_view>& objects, RefusedMarkings* refused) {
  alignas(16) unsigned char arena[16384];
  for (std::string_view raw : objects) {
    if (raw.find("marking-definition\"") == std::string_view::npos &&
        raw.find("\\u") == std::string_view::npos) {
      continue;
    }
    json::monotonic_resource mr(arena, sizeof arena);
    auto parsed = stix::ParseJson(raw, &mr);
    if (!parsed.ok() || !parsed->is_object()) continue;
    const json::object& obj = parsed->get_object();
    const json::value* type = obj.if_contains("type");
    const json::value* id = obj.if_contains("id");
    if (!type || !type->is_string() || type->get_string() != "marking-definition" || !id ||
        !id->is_string()) {
      continue;
    }
    std::string lower = Lower(id->get_string());
    if (!CanBeReferenced(lower)) continue;
    if (std::optional<stix::TlpLookalike> l = stix::FindTlpLookalike(obj)) {
      refused->Remember(lower, l->form);
    }
  }
}

Checked CheckObjects(const std::vector<std::string_view>& objects, RefusedMarkings* refused,
                     std::string_view spec_version) {
  stix::ValidateOptions options = Options();
  options.default_spec_version = std::string(spec_version);
  Prepared p = Run(objects, 0, nullptr, nullptr, refused, nullptr, options);
  return Checked{std::move(p.successes), std::move(p.failures)};
}

Result<Prepared> PrepareEnvelope(std::string_view body, int64_t collection_key,
                                 const policy::TrustModel& model, const policy::Producer& producer,
                                 RefusedMarkings* refused) {
  const bool from_peer = producer.kind == policy::Producer::Kind::kPeer;
  std::string_view meta_bytes;
  ASSIGN_OR_RETURN(auto raws, from_peer ? stix::SplitObjects(body, policy::kFederationMember,
                                                             &meta_bytes)
                                        : stix::SplitObjects(body));
  std::vector<std::string_view> views;
  views.reserve(raws.size());
  for (const auto& r : raws) views.push_back(r.bytes);
  std::optional<policy::PeerEnvelopeMeta> meta;
  if (!meta_bytes.empty()) {
    ASSIGN_OR_RETURN(meta, policy::DecodePeerMeta(meta_bytes, views.size()));
    if (meta->objects.size() != views.size()) {
      return InvalidArgument("federation metadata does not have one entry per object");
    }
    if (meta->hub != producer.peer.sender_hub) {
      return InvalidArgument("federation metadata names hub '" + meta->hub +
                             "', but the sender is '" + producer.peer.sender_hub + "'");
    }
  }
  Prepared p =
      PrepareObjects(views, collection_key, model, producer, refused, meta ? &*meta : nullptr);
  for (auto& d : p.looped) p.successes.push_back(std::move(d));
  p.looped.clear();
  return p;
}

}  // namespace kizuna::ingest
