#include "ingest/ingest.h"

#include <boost/json.hpp>

#include "stix/bundle.h"
#include "stix/object.h"

namespace kizuna::ingest {

namespace json = boost::json;

Prepared PrepareObjects(const std::vector<std::string_view>& objects, int64_t collection_key,
                        const Producer& producer) {
  Prepared out;
  out.batch.collection = collection_key;
  out.batch.objects.reserve(objects.size());
  out.successes.reserve(objects.size());
  stix::ValidateOptions vopts;
  // A fresh arena per object over a stack buffer: most objects parse without
  // touching the heap.
  alignas(16) unsigned char arena[16384];
  for (std::string_view raw : objects) {
    json::monotonic_resource mr(arena, sizeof arena);
    boost::system::error_code ec;
    json::value v = json::parse(raw, ec, &mr);
    store::StatusDetail detail;
    if (ec || !v.is_object()) {
      detail.message = "object is not valid JSON";
      out.failures.push_back(std::move(detail));
      continue;
    }
    const json::object& obj = v.get_object();
    if (auto* id = obj.if_contains("id"); id && id->is_string()) detail.id = id->get_string();
    if (auto* m = obj.if_contains("modified"); m && m->is_string()) {
      detail.version = m->get_string();
    } else if (auto* cr = obj.if_contains("created"); cr && cr->is_string()) {
      detail.version = cr->get_string();
    }
    auto info = stix::ValidateObject(obj, vopts, nullptr);
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
    o.raw = std::string(raw);
    o.producer = producer.organization;
    o.origin = producer.origin;
    out.batch.objects.push_back(std::move(o));
    out.successes.push_back(std::move(detail));
  }
  return out;
}

Result<Prepared> PrepareEnvelope(std::string_view body, int64_t collection_key,
                                 const Producer& producer) {
  ASSIGN_OR_RETURN(auto raws, stix::SplitObjects(body));
  std::vector<std::string_view> views;
  views.reserve(raws.size());
  for (const auto& r : raws) views.push_back(r.bytes);
  return PrepareObjects(views, collection_key, producer);
}

}  // namespace kizuna::ingest
