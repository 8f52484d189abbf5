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
  ASSIGN_OR_RETURN(AudienceExtension ext, ReadAudience(object));
  if (tlp == stix::Tlp::kRed && ext.accounts.empty()) {
    return InvalidArgument(
        "TLP:RED objects need an audience of named accounts: add the Kizuna audience extension (" +
        std::string(kAudienceExtensionId) + ") with \"accounts\"");
  }
  if (out->producer.empty()) out->producer = poster.organization;
  Audience a;
  a.producer_account = poster.account;
  a.organizations = std::move(ext.organizations);
  a.accounts = std::move(ext.accounts);
  out->audience = EncodeAudience(a);
  return Status::Ok();
}

}  // namespace kizuna::policy
