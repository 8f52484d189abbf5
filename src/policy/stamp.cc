#include "policy/stamp.h"

#include <boost/json.hpp>

#include "policy/decide.h"
#include "policy/extensions.h"
#include "stix/markings.h"

namespace kizuna::policy {

Status Stamp(const TrustModel& model, int64_t collection, const Poster& poster,
             const boost::json::object& object, store::NewObject* out) {
  stix::Tlp tlp = stix::ObjectTlp(object);
  if (tlp == stix::Tlp::kNone) {
    const CollectionPolicy* c = model.FindCollection(collection);
    tlp = c ? c->default_tlp : stix::Tlp::kAmber;
  }
  const stix::TlpMarkingDefinition* def = stix::Tlp2MarkingDefinition(tlp);
  out->marking = def ? std::string(def->id) : std::string();
  out->granular = stix::HasGranularMarkings(object);
  if (poster.must_be_creator) {
    if (const auto* by = object.if_contains("created_by_ref"); by && by->is_string() &&
        by->get_string() != poster.organization) {
      return InvalidArgument("created_by_ref is " + std::string(by->get_string()) +
                             ", not the posting account's organization " + poster.organization +
                             " (relaying others' objects needs the coordinator role)");
    }
  }
  if (const auto* gm = object.if_contains("granular_markings"); gm && gm->is_array()) {
    static const char* const kProtected[] = {"id", "type", "spec_version", "created", "modified",
                                             "object_marking_refs", "granular_markings",
                                             "extensions"};
    for (const auto& m : gm->get_array()) {
      const auto* sels = m.is_object() ? m.get_object().if_contains("selectors") : nullptr;
      if (!sels || !sels->is_array()) continue;
      for (const auto& sel : sels->get_array()) {
        if (!sel.is_string()) continue;
        std::string_view sv = sel.get_string();
        std::string_view head = sv.substr(0, sv.find('.'));
        for (const char* p : kProtected) {
          if (head == p) {
            return InvalidArgument("granular marking selector '" + std::string(sv) +
                                   "' would remove a property that identifies or marks the object");
          }
        }
      }
    }
  }
  ASSIGN_OR_RETURN(AudienceExtension ext, ReadAudience(object));
  if (tlp == stix::Tlp::kRed && ext.accounts.empty()) {
    return InvalidArgument(
        "TLP:RED objects need an audience of named accounts: add the Kizuna audience extension (" +
        std::string(kAudienceExtensionId) + ") with \"accounts\"");
  }
  if (out->producer.empty()) out->producer = poster.organization;
  Audience a;
  a.producer_account = poster.account;
  const CollectionPolicy* col = model.FindCollection(collection);
  a.trust_group = col && !col->trust_group.empty() ? col->trust_group : "-";
  a.organizations = std::move(ext.organizations);
  a.accounts = std::move(ext.accounts);
  out->audience = EncodeAudience(a);
  return Status::Ok();
}

Producer ProducerFor(const auth::Principal& principal, std::string_view self_hub) {
  if (principal.kind == auth::Principal::Kind::kAccount && principal.HasRole("peer") &&
      !self_hub.empty()) {
    return PeerProducer(std::string(self_hub), principal.username);
  }
  Producer p;
  p.kind = Producer::Kind::kAccount;
  p.poster = Poster{principal.username, principal.organization,
                    !(principal.HasRole("coordinator") || principal.IsAdmin() ||
                      principal.HasRole("peer"))};
  return p;
}

Producer ImportProducer(std::string organization, std::string account) {
  Producer p;
  p.kind = Producer::Kind::kImport;
  p.poster = Poster{std::move(account), std::move(organization), false};
  return p;
}

Producer PeerProducer(std::string self_hub, std::string sender_hub) {
  Producer p;
  p.kind = Producer::Kind::kPeer;
  p.peer = PeerSender{std::move(self_hub), std::move(sender_hub)};
  return p;
}

Producer BuiltinProducer() { return Producer{}; }

Status StampObject(const TrustModel& model, int64_t collection, const Producer& producer,
                   const PeerObjectMeta* meta, const boost::json::object& object,
                   store::NewObject* out) {
  switch (producer.kind) {
    case Producer::Kind::kAccount:
    case Producer::Kind::kImport:
      return Stamp(model, collection, producer.poster, object, out);
    case Producer::Kind::kPeer:
      return StampFromPeer(model, collection, producer.peer, meta, object, out);
    case Producer::Kind::kBuiltin:
      // Definitions are public: TLP:CLEAR whatever the collection's default.
      out->marking = std::string(stix::kTlpClearId);
      out->producer.clear();
      out->granular = false;
      out->audience.clear();
      return Status::Ok();
  }
  return Internal("unknown producer kind");
}

}  // namespace kizuna::policy
