#include "store/sqlite/codec.h"

#include <boost/json.hpp>

namespace kizuna::store::sqlite {
namespace json = boost::json;
namespace {

Result<json::value> ParseStored(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec) return IoError(std::string("corrupt stored ") + std::string(what) + ": " + ec.message());
  return v;
}

std::string_view Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(json::string_view(key.data(), key.size()));
  if (v == nullptr || !v->is_string()) return {};
  const json::string& s = v->get_string();
  return {s.data(), s.size()};
}

json::array DetailsToJson(const std::vector<StatusDetail>& details, bool with_message) {
  json::array a;
  a.reserve(details.size());
  for (const StatusDetail& d : details) {
    json::object o;
    o["id"] = d.id;
    o["version"] = d.version;
    if (with_message || !d.message.empty()) o["message"] = d.message;
    a.push_back(std::move(o));
  }
  return a;
}

Status DetailsFromJson(const json::object& root, std::string_view key,
                       std::vector<StatusDetail>* out) {
  const json::value* v = root.if_contains(json::string_view(key.data(), key.size()));
  if (v == nullptr) return Status::Ok();
  if (!v->is_array()) return IoError("corrupt stored status details: '" + std::string(key) + "'");
  for (const json::value& e : v->get_array()) {
    if (!e.is_object()) return IoError("corrupt stored status detail");
    const json::object& o = e.get_object();
    out->push_back(StatusDetail{std::string(Str(o, "id")), std::string(Str(o, "version")),
                                std::string(Str(o, "message"))});
  }
  return Status::Ok();
}

}  // namespace

std::string EncodeStringList(const std::vector<std::string>& list) {
  json::array a;
  for (const std::string& s : list) a.emplace_back(json::string_view(s.data(), s.size()));
  return json::serialize(a);
}

Result<std::vector<std::string>> DecodeStringList(std::string_view text) {
  ASSIGN_OR_RETURN(json::value v, ParseStored(text, "string list"));
  if (!v.is_array()) return IoError("corrupt stored string list: not an array");
  std::vector<std::string> out;
  for (const json::value& e : v.get_array()) {
    if (!e.is_string()) return IoError("corrupt stored string list: not a string");
    out.emplace_back(e.get_string().data(), e.get_string().size());
  }
  return out;
}

std::string EncodeStatusDetails(const StatusRecord& status) {
  json::object o;
  o["successes"] = DetailsToJson(status.successes, false);
  o["failures"] = DetailsToJson(status.failures, true);
  o["pendings"] = DetailsToJson(status.pendings, false);
  return json::serialize(o);
}

Status DecodeStatusDetails(std::string_view text, StatusRecord* status) {
  ASSIGN_OR_RETURN(json::value v, ParseStored(text, "status details"));
  if (!v.is_object()) return IoError("corrupt stored status details: not an object");
  const json::object& o = v.get_object();
  RETURN_IF_ERROR(DetailsFromJson(o, "successes", &status->successes));
  RETURN_IF_ERROR(DetailsFromJson(o, "failures", &status->failures));
  RETURN_IF_ERROR(DetailsFromJson(o, "pendings", &status->pendings));
  return Status::Ok();
}

}  // namespace kizuna::store::sqlite
