#include "ingest/ingest.h"

#include <boost/json.hpp>

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
                        const Producer& producer, const Stamper& stamp) {
  if (!stamp) return PrepareObjects(objects, collection_key, producer, IndexedStamper());
  return PrepareObjects(objects, collection_key, producer,
                        IndexedStamper([&stamp](size_t, const json::object& o, store::NewObject* out) {
                          return stamp(o, out);
                        }));
}

Prepared PrepareObjects(const std::vector<std::string_view>& objects, int64_t collection_key,
                        const Producer& producer, const IndexedStamper& stamp) {
  Prepared out;
  out.batch.collection = collection_key;
  out.batch.objects.reserve(objects.size());
  out.successes.reserve(objects.size());
  // A fresh arena per object over a stack buffer: most objects parse without
  // touching the heap.
  alignas(16) unsigned char arena[16384];
  for (size_t index = 0; index < objects.size(); ++index) {
    std::string_view raw = objects[index];
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
    if (auto* m = obj.if_contains("modified"); m && m->is_string()) {
      detail.version = m->get_string();
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
    o.producer = producer.organization;
    o.origin = producer.origin;
    if (stamp) {
      Status s = stamp(index, obj, &o);
      if (!s.ok()) {
        detail.message = (info->id.empty() ? std::string() : info->id + ": ") + s.message();
        out.failures.push_back(std::move(detail));
        continue;
      }
    }
    o.raw = std::string(raw);
    out.batch.objects.push_back(std::move(o));
    out.successes.push_back(std::move(detail));
  }
  return out;
}

Result<Prepared> PrepareEnvelope(std::string_view body, int64_t collection_key,
                                 const Producer& producer, const Stamper& stamp) {
  ASSIGN_OR_RETURN(auto raws, stix::SplitObjects(body));
  std::vector<std::string_view> views;
  views.reserve(raws.size());
  for (const auto& r : raws) views.push_back(r.bytes);
  return PrepareObjects(views, collection_key, producer, stamp);
}

}  // namespace kizuna::ingest
