#include "ingest/ingest.h"

#include <boost/json.hpp>

#include <optional>

#include "pattern/validator.h"
#include "stix/bundle.h"
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

Prepared PrepareObjects(const std::vector<std::string_view>& objects, int64_t collection_key,
                        const policy::TrustModel& model, const policy::Producer& producer,
                        const policy::PeerEnvelopeMeta* meta) {
  Prepared out;
  out.batch.collection = collection_key;
  out.batch.objects.reserve(objects.size());
  out.successes.reserve(objects.size());
  const bool from_peer = producer.kind == policy::Producer::Kind::kPeer;
  // A fresh arena per object over a stack buffer: most objects parse without
  // touching the heap.
  alignas(16) unsigned char arena[16384];
  for (size_t index = 0; index < objects.size(); ++index) {
    std::string_view raw = objects[index];
    const policy::PeerObjectMeta* m =
        from_peer && meta != nullptr && index < meta->objects.size() ? &meta->objects[index] : nullptr;
    if (from_peer && policy::IsLoop(m, producer.peer.self_hub)) {
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
    auto info = stix::ValidateObject(obj, Options(), nullptr);
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
    Status s = policy::StampObject(model, collection_key, producer, m, obj, &o);
    if (!s.ok()) {
      detail.message = (info->id.empty() ? std::string() : info->id + ": ") + s.message();
      out.failures.push_back(std::move(detail));
      continue;
    }
    o.raw = std::string(raw);
    out.batch.objects.push_back(std::move(o));
    out.successes.push_back(std::move(detail));
  }
  return out;
}

Result<Prepared> PrepareEnvelope(std::string_view body, int64_t collection_key,
                                 const policy::TrustModel& model,
                                 const policy::Producer& producer) {
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
  Prepared p = PrepareObjects(views, collection_key, model, producer, meta ? &*meta : nullptr);
  for (auto& d : p.looped) p.successes.push_back(std::move(d));
  p.looped.clear();
  return p;
}

}  // namespace kizuna::ingest
