#include "federation/peer_ingest.h"

#include <boost/json.hpp>

#include "stix/bundle.h"

namespace kizuna::federation {

PeerPrepared PreparePeerObjects(const std::vector<std::string_view>& objects,
                                const policy::PeerEnvelopeMeta* meta, int64_t collection_key,
                                const policy::TrustModel& model, const policy::PeerSender& from) {
  PeerPrepared out;
  std::vector<std::string_view> keep;
  std::vector<const policy::PeerObjectMeta*> keep_meta;
  keep.reserve(objects.size());
  keep_meta.reserve(objects.size());
  for (size_t i = 0; i < objects.size(); ++i) {
    const policy::PeerObjectMeta* m = meta ? &meta->objects[i] : nullptr;
    if (policy::IsLoop(m, from.self_hub)) {
      store::StatusDetail d;
      d.message = "already passed this hub";
      out.looped.push_back(std::move(d));
      continue;
    }
    keep.push_back(objects[i]);
    keep_meta.push_back(m);
  }
  ingest::IndexedStamper stamp = [&](size_t index, const boost::json::object& obj,
                                     store::NewObject* o) {
    return policy::StampFromPeer(model, collection_key, from, keep_meta[index], obj, o);
  };
  out.prepared = ingest::PrepareObjects(keep, collection_key, ingest::Producer{"", from.sender_hub},
                                        stamp);
  return out;
}

Result<ingest::Prepared> PreparePeerEnvelope(std::string_view body, int64_t collection_key,
                                             const policy::TrustModel& model,
                                             const policy::PeerSender& from) {
  std::string_view meta_bytes;
  ASSIGN_OR_RETURN(auto raws, stix::SplitObjects(body, policy::kFederationMember, &meta_bytes));
  std::vector<std::string_view> views;
  views.reserve(raws.size());
  for (const auto& r : raws) views.push_back(r.bytes);
  std::optional<policy::PeerEnvelopeMeta> meta;
  if (!meta_bytes.empty()) {
    ASSIGN_OR_RETURN(meta, policy::DecodePeerMeta(meta_bytes, views.size()));
    if (meta->objects.size() != views.size()) {
      return InvalidArgument("federation metadata does not have one entry per object");
    }
    if (meta->hub != from.sender_hub) {
      return InvalidArgument("federation metadata names hub '" + meta->hub +
                             "', but the sender is '" + from.sender_hub + "'");
    }
  }
  PeerPrepared p = PreparePeerObjects(views, meta ? &*meta : nullptr, collection_key, model, from);
  for (auto& d : p.looped) p.prepared.successes.push_back(std::move(d));
  return std::move(p.prepared);
}

}  // namespace kizuna::federation
