#include "policy/extensions.h"

#include <boost/json.hpp>

#include "core/uuid.h"

namespace kizuna::policy {

namespace json = boost::json;

const std::vector<std::string>& KizunaDefinitionObjects() {
  static const std::vector<std::string> objects = [] {
    const char* created = "2026-11-01T00:00:00.000Z";
    json::object identity{{"type", "identity"},
                          {"spec_version", "2.1"},
                          {"id", kKizunaIdentityId},
                          {"created", created},
                          {"modified", created},
                          {"name", "Kizuna project"},
                          {"identity_class", "organization"},
                          {"description", "Maintainers of the Kizuna STIX/TAXII hub and its extensions."}};
    json::object audience{
        {"type", "extension-definition"},
        {"spec_version", "2.1"},
        {"id", kAudienceExtensionId},
        {"created_by_ref", kKizunaIdentityId},
        {"created", created},
        {"modified", created},
        {"name", "Kizuna audience"},
        {"description",
         "Addresses an object to specific organizations (identity ids) and accounts ('user' on "
         "the hub that received it, 'user@hub' on a partner hub). TLP:AMBER and AMBER+STRICT "
         "objects with audience organizations go to those organizations instead of the "
         "collection's trust group; TLP:RED objects go only to the named accounts."},
        {"schema", "docs/extensions.md#audience (JSON schema: {organizations: [identity id], "
                   "accounts: [string]})"},
        {"version", "1.0.0"},
        {"extension_types", json::array{"property-extension"}}};
    json::object redaction{
        {"type", "extension-definition"},
        {"spec_version", "2.1"},
        {"id", kRedactionExtensionId},
        {"created_by_ref", kKizunaIdentityId},
        {"created", created},
        {"modified", created},
        {"name", "Kizuna redaction"},
        {"description",
         "Present on a copy of an object from which a Kizuna hub removed properties that the "
         "reader may not see under the object's granular markings; redacted_paths lists the "
         "removed selectors."},
        {"schema", "docs/extensions.md#redaction (JSON schema: {redacted_paths: [selector]})"},
        {"version", "1.0.0"},
        {"extension_types", json::array{"property-extension"}}};
    json::object coordination{
        {"type", "extension-definition"},
        {"spec_version", "2.1"},
        {"id", kCoordinationExtensionId},
        {"created_by_ref", kKizunaIdentityId},
        {"created", "2026-12-07T00:00:00.000Z"},
        {"modified", "2026-12-07T12:00:00.000Z"},
        {"name", "Kizuna incident coordination"},
        {"description",
         "On an Incident Core task: its assignee (an organization, optionally one account), "
         "the last task updates its owner folded into this version (in order), how many in all, "
         "and the last change. "
         "On a note: the task update it carries (task, outcome, progress, author)."},
        {"schema", "docs/coordination.md (task: {assignee_organization, assignee_account, "
                   "initial_outcome, applied_updates, applied_count, progress, last_change}; note: {task_ref, "
                   "outcome, progress, author})"},
        {"version", "1.1.0"},
        {"extension_types", json::array{"property-extension"}}};
    return std::vector<std::string>{json::serialize(identity), json::serialize(audience),
                                    json::serialize(redaction), json::serialize(coordination)};
  }();
  return objects;
}

namespace {

bool IsAccountName(std::string_view a) {
  if (a.empty() || a.size() > 200) return false;
  size_t at = a.find('@');
  if (at == 0 || (at != std::string_view::npos && (at + 1 == a.size() || a.find('@', at + 1) != std::string_view::npos))) {
    return false;
  }
  for (char c : a) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_' || c == '@';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<AudienceExtension> ReadAudience(const json::object& object) {
  AudienceExtension out;
  const json::value* exts = object.if_contains("extensions");
  if (!exts || !exts->is_object()) return out;
  const json::value* ext = exts->get_object().if_contains(kAudienceExtensionId);
  if (!ext) return out;
  if (!ext->is_object()) return InvalidArgument("the audience extension must be an object");
  out.present = true;
  auto list = [&](const char* key, std::vector<std::string>* dst, bool orgs) -> Status {
    const json::value* v = ext->get_object().if_contains(key);
    if (!v) return Status::Ok();
    if (!v->is_array()) return InvalidArgument(std::string("audience ") + key + " must be a list");
    for (const auto& e : v->get_array()) {
      if (!e.is_string()) return InvalidArgument(std::string("audience ") + key + " must be strings");
      std::string s(e.get_string());
      if (orgs) {
        if (s.rfind("identity--", 0) != 0 || !IsUuidSyntax(std::string_view(s).substr(10))) {
          return InvalidArgument("audience organization '" + s + "' is not an identity id");
        }
      } else if (!IsAccountName(s)) {
        return InvalidArgument("audience account '" + s + "' is not 'user' or 'user@hub'");
      }
      dst->push_back(std::move(s));
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(list("organizations", &out.organizations, true));
  RETURN_IF_ERROR(list("accounts", &out.accounts, false));
  return out;
}

}  // namespace kizuna::policy
