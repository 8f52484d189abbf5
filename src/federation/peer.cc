#include "federation/peer.h"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "core/uuid.h"
#include "policy/federation.h"

namespace kizuna::federation {

namespace json = boost::json;

namespace {

bool IsCollectionId(std::string_view s) { return IsUuidSyntax(s); }

}  // namespace

std::string EncodePeerConfig(const PeerConfig& p) {
  json::array flows;
  for (const auto& f : p.flows) {
    flows.push_back(json::object{{"local", f.local_collection},
                                 {"remote", f.remote_collection},
                                 {"in", f.in},
                                 {"out", f.out}});
  }
  json::object o{{"name", p.name},
                 {"url", p.url},
                 {"kind", p.kind},
                 {"api_root", p.api_root},
                 {"remote_user", p.remote_user},
                 {"scheme", p.scheme},
                 {"secret", p.secret},
                 {"push", p.push},
                 {"poll_interval_ms", p.poll_interval_ms},
                 {"ca_file", p.ca_file},
                 {"insecure_skip_verify", p.insecure_skip_verify},
                 {"disabled", p.disabled},
                 {"flows", flows}};
  return json::serialize(o);
}

Status ValidatePeerConfig(const PeerConfig& p) {
  if (!policy::IsValidHubName(p.name)) {
    return InvalidArgument("peer name '" + p.name +
                           "' must be 1-63 of a-z, 0-9, '-' and '.', starting with a letter or digit");
  }
  auto url = boost::urls::parse_uri(p.url);
  if (!url || (url->scheme() != "http" && url->scheme() != "https") || url->encoded_host().empty()) {
    return InvalidArgument("peer URL '" + p.url + "' must be an http or https URL");
  }
  if (url->has_userinfo()) return InvalidArgument("peer URL must not carry credentials");
  if (p.kind != "kizuna" && p.kind != "taxii") return InvalidArgument("peer kind must be kizuna or taxii");
  if (p.scheme != "basic" && p.scheme != "bearer") return InvalidArgument("peer scheme must be basic or bearer");
  if (p.api_root.empty()) return InvalidArgument("peer needs the local API root of its flows");
  if (!p.remote_user.empty() && (p.remote_user.size() > 200 || p.remote_user.find(':') != std::string::npos)) {
    return InvalidArgument("remote user must not contain ':'");
  }
  if (p.poll_interval_ms < 10 || p.poll_interval_ms > 86'400'000) {
    return InvalidArgument("poll interval must be between 10 ms and one day");
  }
  if (p.flows.empty()) return InvalidArgument("peer needs at least one flow");
  for (const auto& f : p.flows) {
    if (!IsCollectionId(f.local_collection) || !IsCollectionId(f.remote_collection)) {
      return InvalidArgument("flow collections must be collection ids (UUIDs)");
    }
    if (!f.in && !f.out) return InvalidArgument("a flow must go in, out or both");
  }
  return Status::Ok();
}

Result<PeerConfig> DecodePeerConfig(std::string_view text) {
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 6;
  json::value v = json::parse(text, ec, {}, opts);
  if (ec || !v.is_object()) return InvalidArgument("peer record: not a JSON object");
  const json::object& o = v.get_object();
  static const char* kKeys[] = {"name", "url", "kind", "api_root", "remote_user", "scheme", "secret",
                                "push", "poll_interval_ms", "ca_file", "insecure_skip_verify",
                                "disabled", "flows"};
  for (const auto& kv : o) {
    bool known = false;
    for (const char* k : kKeys) known = known || kv.key() == k;
    if (!known) return InvalidArgument("peer record: unknown key '" + std::string(kv.key()) + "'");
  }
  PeerConfig p;
  auto str = [&](const char* key, std::string* out, bool required) -> Status {
    const json::value* f = o.if_contains(key);
    if (!f) return required ? InvalidArgument(std::string("peer record: missing ") + key) : Status::Ok();
    if (!f->is_string()) return InvalidArgument(std::string("peer record: ") + key + " must be a string");
    *out = f->get_string();
    return Status::Ok();
  };
  auto boolean = [&](const char* key, bool* out) -> Status {
    const json::value* f = o.if_contains(key);
    if (!f) return Status::Ok();
    if (!f->is_bool()) return InvalidArgument(std::string("peer record: ") + key + " must be true or false");
    *out = f->get_bool();
    return Status::Ok();
  };
  RETURN_IF_ERROR(str("name", &p.name, true));
  RETURN_IF_ERROR(str("url", &p.url, true));
  RETURN_IF_ERROR(str("kind", &p.kind, false));
  RETURN_IF_ERROR(str("api_root", &p.api_root, true));
  RETURN_IF_ERROR(str("remote_user", &p.remote_user, false));
  RETURN_IF_ERROR(str("scheme", &p.scheme, false));
  RETURN_IF_ERROR(str("secret", &p.secret, false));
  RETURN_IF_ERROR(str("ca_file", &p.ca_file, false));
  RETURN_IF_ERROR(boolean("push", &p.push));
  RETURN_IF_ERROR(boolean("insecure_skip_verify", &p.insecure_skip_verify));
  RETURN_IF_ERROR(boolean("disabled", &p.disabled));
  if (const json::value* f = o.if_contains("poll_interval_ms")) {
    if (!f->is_int64()) return InvalidArgument("peer record: poll_interval_ms must be an integer");
    p.poll_interval_ms = f->get_int64();
  }
  const json::value* flows = o.if_contains("flows");
  if (!flows || !flows->is_array()) return InvalidArgument("peer record: flows must be a list");
  if (flows->get_array().size() > 1000) return InvalidArgument("peer record: too many flows");
  for (const json::value& e : flows->get_array()) {
    if (!e.is_object()) return InvalidArgument("peer record: a flow must be an object");
    const json::object& fo = e.get_object();
    PeerFlow f;
    const json::value* local = fo.if_contains("local");
    const json::value* remote = fo.if_contains("remote");
    const json::value* in = fo.if_contains("in");
    const json::value* out = fo.if_contains("out");
    if (!local || !local->is_string() || !remote || !remote->is_string() || !in || !in->is_bool() ||
        !out || !out->is_bool() || fo.size() != 4) {
      return InvalidArgument("peer record: a flow is {local, remote, in, out}");
    }
    f.local_collection = local->get_string();
    f.remote_collection = remote->get_string();
    f.in = in->get_bool();
    f.out = out->get_bool();
    p.flows.push_back(std::move(f));
  }
  RETURN_IF_ERROR(ValidatePeerConfig(p));
  return p;
}

Result<PeerFlow> ParseFlowSpec(std::string_view spec) {
  size_t colon = spec.rfind(':');
  if (colon == std::string_view::npos) {
    return InvalidArgument("flow '" + std::string(spec) + "' must be LOCAL[=REMOTE]:in|out|both");
  }
  std::string_view cols = spec.substr(0, colon);
  std::string_view dir = spec.substr(colon + 1);
  PeerFlow f;
  if (dir == "in") {
    f.in = true;
  } else if (dir == "out") {
    f.out = true;
  } else if (dir == "both") {
    f.in = f.out = true;
  } else {
    return InvalidArgument("flow direction '" + std::string(dir) + "' must be in, out or both");
  }
  size_t eq = cols.find('=');
  f.local_collection = std::string(cols.substr(0, eq));
  f.remote_collection = eq == std::string_view::npos ? std::string() : std::string(cols.substr(eq + 1));
  if (f.local_collection.empty()) return InvalidArgument("flow '" + std::string(spec) + "' names no collection");
  return f;
}

std::string InboundCursorName(std::string_view peer, int64_t local_key,
                              std::string_view remote_collection) {
  return "fed.in/" + std::string(peer) + "/" + std::to_string(local_key) + "/" +
         std::string(remote_collection);
}

std::string OutboundCursorName(std::string_view peer, int64_t local_key) {
  return "fed.out/" + std::string(peer) + "/" + std::to_string(local_key);
}

}  // namespace kizuna::federation
