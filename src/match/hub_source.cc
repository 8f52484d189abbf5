#include "match/hub_source.h"

#include <boost/json.hpp>

#include "core/encoding.h"
#include "http/client.h"
#include "stix/bundle.h"

namespace kizuna::match {

namespace json = boost::json;

namespace {

constexpr const char* kTaxii = "application/taxii+json;version=2.1";

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// %-encodes what may not appear in a query value.
std::string QueryEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || c == ':') {
      out += c;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
      out += buf;
    }
  }
  return out;
}

Status HttpError(const http::ClientResponse& r, std::string_view what) {
  std::string msg = std::string(what) + ": HTTP " + std::to_string(r.status);
  try {
    json::value v = json::parse(r.body);
    if (v.is_object() && v.as_object().contains("title")) {
      msg += " " + std::string(v.as_object().at("title").as_string());
    }
    if (v.is_object() && v.as_object().contains("description")) {
      msg += ": " + std::string(v.as_object().at("description").as_string());
    }
  } catch (const std::exception&) {
  }
  switch (r.status) {
    case 401:
      return Unauthenticated(msg);
    case 403:
      return PermissionDenied(msg);
    case 404:
      return NotFound(msg);
    default:
      return Unavailable(msg);
  }
}

}  // namespace

HubClient::HubClient(HubOptions options) : options_(std::move(options)) {
  http::ClientOptions co;
  co.ca_file = options_.ca_file;
  co.insecure_skip_verify = options_.insecure;
  client_ = std::make_unique<http::Client>(co);
  options_.password = Trim(options_.password);
  options_.token = Trim(options_.token);
  // Split "scheme://authority/path" into the base and an API root path.
  std::string url = options_.url;
  size_t scheme = url.find("://");
  size_t path = scheme == std::string::npos ? std::string::npos : url.find('/', scheme + 3);
  base_ = url.substr(0, path);
  if (path != std::string::npos && options_.api_root.empty()) {
    std::string p = url.substr(path);
    while (!p.empty() && p.front() == '/') p.erase(0, 1);
    while (!p.empty() && p.back() == '/') p.pop_back();
    if (!p.empty() && p != "taxii2") options_.api_root = p;
  }
}

HubClient::~HubClient() = default;

std::vector<http::Header> HubClient::Headers(bool post) const {
  std::vector<http::Header> h;
  h.push_back({"accept", kTaxii});
  if (!options_.token.empty()) {
    h.push_back({"authorization", "Bearer " + options_.token});
  } else if (!options_.user.empty()) {
    h.push_back({"authorization",
                 "Basic " + Base64Encode(options_.user + ":" + options_.password)});
  }
  if (post) h.push_back({"content-type", kTaxii});
  return h;
}

Status HubClient::ResolveRoot() {
  if (!options_.api_root.empty()) return Status::Ok();
  auto r = client_->Send("GET", base_ + "/taxii2/", Headers(false));
  if (!r.ok()) return r.error();
  if (r->status != 200) return HttpError(*r, "discovery");
  try {
    json::object d = json::parse(r->body).as_object();
    std::string root;
    if (d.contains("default")) {
      root = std::string(d.at("default").as_string());
    } else if (d.contains("api_roots") && !d.at("api_roots").as_array().empty()) {
      root = std::string(d.at("api_roots").as_array()[0].as_string());
    }
    if (root.empty()) return NotFound("the hub names no API root: use --api-root");
    if (size_t s = root.find("://"); s != std::string::npos) {
      size_t p = root.find('/', s + 3);
      root = p == std::string::npos ? "" : root.substr(p);
    }
    while (!root.empty() && root.front() == '/') root.erase(0, 1);
    while (!root.empty() && root.back() == '/') root.pop_back();
    if (root.empty()) return NotFound("the hub names no API root: use --api-root");
    options_.api_root = root;
  } catch (const std::exception& e) {
    return Unavailable(std::string("discovery: malformed answer: ") + e.what());
  }
  return Status::Ok();
}

std::string HubClient::ObjectsUrl() const {
  return base_ + "/" + options_.api_root + "/collections/" + options_.collection + "/objects/";
}

Result<PullResult> HubClient::Pull(std::string* cursor) {
  RETURN_IF_ERROR(ResolveRoot());
  PullResult out;
  IndicatorParser parser;
  std::string next;
  for (int guard = 0; guard < 1'000'000; ++guard) {
    std::string url = ObjectsUrl() + "?match%5Btype%5D=indicator&limit=" +
                      std::to_string(options_.page_limit);
    if (!cursor->empty()) url += "&added_after=" + QueryEscape(*cursor);
    if (!next.empty()) url += "&next=" + QueryEscape(next);
    auto r = client_->Send("GET", url, Headers(false));
    if (!r.ok()) return r.error();
    if (r->status != 200) return HttpError(*r, "get objects");
    ++out.pages;
    bool more = false;
    next.clear();
    try {
      json::object env = json::parse(r->body).as_object();
      more = env.contains("more") && env.at("more").as_bool();
      if (more && env.contains("next")) next = std::string(env.at("next").as_string());
    } catch (const std::exception& e) {
      return Unavailable(std::string("get objects: malformed envelope: ") + e.what());
    }
    auto objects = stix::SplitObjects(r->body);
    if (objects.ok()) {
      for (const auto& o : *objects) {
        ++out.objects;
        auto rec = parser.Parse(o.bytes);
        if (!rec.ok()) {
          if (out.errors.size() < 100) out.errors.push_back(rec.error().message());
          continue;
        }
        if (rec->has_value()) out.indicators.push_back(std::move(**rec));
      }
    }
    if (const std::string* last = r->FindHeader("x-taxii-date-added-last")) {
      if (next.empty()) *cursor = *last;
    }
    if (!more || next.empty()) {
      if (const std::string* last = r->FindHeader("x-taxii-date-added-last")) *cursor = *last;
      break;
    }
  }
  return out;
}

Result<int64_t> HubClient::Post(const std::vector<std::string>& objects) {
  RETURN_IF_ERROR(ResolveRoot());
  std::string body = "{\"objects\":[";
  for (size_t i = 0; i < objects.size(); ++i) {
    if (i) body += ',';
    body += objects[i];
  }
  body += "]}";
  auto r = client_->Send("POST", ObjectsUrl(), Headers(true), body);
  if (!r.ok()) return r.error();
  if (r->status != 202) return HttpError(*r, "add objects");
  try {
    json::object st = json::parse(r->body).as_object();
    int64_t ok = st.contains("success_count") ? st.at("success_count").to_number<int64_t>() : 0;
    int64_t failed = st.contains("failure_count") ? st.at("failure_count").to_number<int64_t>() : 0;
    if (failed > 0) {
      std::string msg = "add objects: " + std::to_string(failed) + " rejected";
      if (st.contains("failures")) {
        for (const auto& f : st.at("failures").as_array()) {
          const auto& fo = f.as_object();
          if (fo.contains("message")) msg += "; " + std::string(fo.at("message").as_string());
          break;
        }
      }
      return InvalidArgument(msg);
    }
    return ok;
  } catch (const std::exception& e) {
    return Unavailable(std::string("add objects: malformed status: ") + e.what());
  }
}

}  // namespace kizuna::match
