#include "app/config.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

namespace kizuna::app {
namespace {

std::string Where(const std::string& source, const toml::node& n) {
  const auto& s = n.source();
  return source + ":" + std::to_string(s.begin.line) + ":" + std::to_string(s.begin.column);
}

class Reader {
 public:
  Reader(const toml::table& root, std::string source) : root_(root), source_(std::move(source)) {}

  // Checks that only known sections and keys are present.
  Status CheckKeys(const std::vector<std::pair<std::string, std::vector<std::string>>>& known) {
    for (const auto& [section, node] : root_) {
      const auto* want = Find(known, std::string(section.str()));
      if (want == nullptr) {
        return InvalidArgument(Where(source_, node) + ": unknown section [" +
                               std::string(section.str()) + "]");
      }
      const auto* tbl = node.as_table();
      if (tbl == nullptr) {
        return InvalidArgument(Where(source_, node) + ": [" + std::string(section.str()) +
                               "] must be a table");
      }
      for (const auto& [key, value] : *tbl) {
        bool ok = false;
        for (const auto& k : *want) ok = ok || k == key.str();
        if (!ok) {
          return InvalidArgument(Where(source_, value) + ": unknown key '" +
                                 std::string(key.str()) + "' in [" + std::string(section.str()) +
                                 "]");
        }
      }
    }
    return Status::Ok();
  }

  Status Str(const char* section, const char* key, std::string* out) {
    const toml::node* n = Node(section, key);
    if (!n) return Status::Ok();
    auto v = n->value<std::string>();
    if (!v) return TypeError(*n, section, key, "a string");
    *out = *v;
    return Status::Ok();
  }
  Status Bool(const char* section, const char* key, bool* out) {
    const toml::node* n = Node(section, key);
    if (!n) return Status::Ok();
    if (!n->is_boolean()) return TypeError(*n, section, key, "true or false");
    *out = *n->value<bool>();
    return Status::Ok();
  }
  template <typename T>
  Status Int(const char* section, const char* key, T* out, int64_t min, int64_t max) {
    const toml::node* n = Node(section, key);
    if (!n) return Status::Ok();
    if (!n->is_integer()) return TypeError(*n, section, key, "an integer");
    int64_t v = *n->value<int64_t>();
    if (v < min || v > max) {
      return InvalidArgument(Where(source_, *n) + ": " + section + "." + key + " must be between " +
                             std::to_string(min) + " and " + std::to_string(max));
    }
    *out = static_cast<T>(v);
    return Status::Ok();
  }
  // A string or an array of strings.
  Status StrList(const char* section, const char* key, std::vector<std::string>* out) {
    const toml::node* n = Node(section, key);
    if (!n) return Status::Ok();
    if (auto s = n->value<std::string>()) {
      *out = {*s};
      return Status::Ok();
    }
    const toml::array* a = n->as_array();
    if (!a) return TypeError(*n, section, key, "a string or an array of strings");
    out->clear();
    for (const auto& e : *a) {
      auto s = e.value<std::string>();
      if (!s) return TypeError(e, section, key, "a string or an array of strings");
      out->push_back(*s);
    }
    if (out->empty()) {
      return InvalidArgument(Where(source_, *n) + ": " + section + "." + key + " is empty");
    }
    return Status::Ok();
  }

 private:
  static const std::vector<std::string>* Find(
      const std::vector<std::pair<std::string, std::vector<std::string>>>& known,
      const std::string& name) {
    for (const auto& [s, keys] : known)
      if (s == name) return &keys;
    return nullptr;
  }
  const toml::node* Node(const char* section, const char* key) const {
    const toml::table* t = root_[section].as_table();
    if (!t) return nullptr;
    return t->get(key);
  }
  Status TypeError(const toml::node& n, const char* section, const char* key, const char* want) {
    return InvalidArgument(Where(source_, n) + ": " + section + "." + key + " must be " + want);
  }

  const toml::table& root_;
  std::string source_;
};

}  // namespace

std::string Config::Resolve(const std::string& path) const {
  if (path.empty() || path[0] == '/') return path;
  return (std::filesystem::path(source_dir) / path).lexically_normal().string();
}

Result<Config> ParseConfig(std::string_view text, const std::string& source_name,
                           const std::string& source_dir) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& s = e.source();
    return InvalidArgument(source_name + ":" + std::to_string(s.begin.line) + ":" +
                           std::to_string(s.begin.column) + ": " + std::string(e.description()));
  }
  Config c;
  c.source_dir = source_dir;
  Reader r(root, source_name);
  RETURN_IF_ERROR(r.CheckKeys({
      {"server",
       {"listen", "threads", "tls_cert", "tls_key", "allow_plain_http", "max_connections",
        "max_header_bytes", "header_timeout_ms", "body_timeout_ms", "idle_timeout_ms",
        "access_log", "log_level", "max_inflight_body_mib"}},
      {"store", {"path", "durable", "cache_mib"}},
      {"taxii",
       {"title", "description", "contact", "default_api_root", "public_base_url", "default_page",
        "max_page", "response_cache_mib"}},
      {"auth", {"max_failures", "failure_window_s"}},
      {"metrics", {"public"}},
      {"ui", {"dir", "session_idle_s", "session_max_s"}},
      {"federation", {"hub_name", "secrets_key", "retry_max_ms"}},
      {"channels", {"heartbeat_ms", "max_subscribers", "max_pending_kib", "stall_timeout_ms", "webhook_reload_ms"}},
  }));
  RETURN_IF_ERROR(r.StrList("server", "listen", &c.listen));
  RETURN_IF_ERROR(r.Int("server", "threads", &c.threads, 0, 256));
  RETURN_IF_ERROR(r.Str("server", "tls_cert", &c.tls_cert));
  RETURN_IF_ERROR(r.Str("server", "tls_key", &c.tls_key));
  RETURN_IF_ERROR(r.Bool("server", "allow_plain_http", &c.allow_plain_http));
  RETURN_IF_ERROR(r.Int("server", "max_connections", &c.max_connections, 1, 1'000'000));
  RETURN_IF_ERROR(r.Int("server", "max_header_bytes", &c.max_header_bytes, 1024, 1 << 20));
  RETURN_IF_ERROR(
      r.Int("server", "max_inflight_body_mib", &c.max_inflight_body_mib, 1, 1 << 20));
  RETURN_IF_ERROR(r.Int("server", "header_timeout_ms", &c.header_timeout_ms, 100, 3'600'000));
  RETURN_IF_ERROR(r.Int("server", "body_timeout_ms", &c.body_timeout_ms, 100, 3'600'000));
  RETURN_IF_ERROR(r.Int("server", "idle_timeout_ms", &c.idle_timeout_ms, 100, 3'600'000));
  RETURN_IF_ERROR(r.Str("server", "access_log", &c.access_log));
  RETURN_IF_ERROR(r.Str("server", "log_level", &c.log_level));
  RETURN_IF_ERROR(r.Str("store", "path", &c.store_path));
  RETURN_IF_ERROR(r.Bool("store", "durable", &c.durable));
  RETURN_IF_ERROR(r.Int("store", "cache_mib", &c.cache_mib, 2, 1 << 20));
  RETURN_IF_ERROR(r.Str("taxii", "title", &c.title));
  RETURN_IF_ERROR(r.Str("taxii", "description", &c.description));
  RETURN_IF_ERROR(r.Str("taxii", "contact", &c.contact));
  RETURN_IF_ERROR(r.Str("taxii", "default_api_root", &c.default_api_root));
  RETURN_IF_ERROR(r.Str("taxii", "public_base_url", &c.public_base_url));
  RETURN_IF_ERROR(r.Int("taxii", "default_page", &c.default_page, 1, 100'000));
  RETURN_IF_ERROR(r.Int("taxii", "max_page", &c.max_page, 1, 100'000));
  RETURN_IF_ERROR(r.Int("taxii", "response_cache_mib", &c.response_cache_mib, 0, 1 << 20));
  RETURN_IF_ERROR(r.Int("auth", "max_failures", &c.max_auth_failures, 1, 1'000'000));
  RETURN_IF_ERROR(r.Int("auth", "failure_window_s", &c.auth_failure_window_s, 1, 86'400));
  RETURN_IF_ERROR(r.Bool("metrics", "public", &c.metrics_public));
  RETURN_IF_ERROR(r.Str("ui", "dir", &c.ui_dir));
  RETURN_IF_ERROR(r.Int("ui", "session_idle_s", &c.session_idle_s, 60, 7 * 86'400));
  RETURN_IF_ERROR(r.Int("ui", "session_max_s", &c.session_max_s, 60, 30 * 86'400));
  RETURN_IF_ERROR(r.Str("federation", "hub_name", &c.hub_name));
  RETURN_IF_ERROR(r.Str("federation", "secrets_key", &c.secrets_key));
  RETURN_IF_ERROR(r.Int("federation", "retry_max_ms", &c.federation_retry_max_ms, 100, 3'600'000));
  RETURN_IF_ERROR(r.Int("channels", "heartbeat_ms", &c.channel_heartbeat_ms, 1000, 300'000));
  RETURN_IF_ERROR(r.Int("channels", "max_subscribers", &c.channel_max_subscribers, 1, 1'000'000));
  RETURN_IF_ERROR(r.Int("channels", "max_pending_kib", &c.channel_max_pending_kib, 64, 1 << 20));
  RETURN_IF_ERROR(r.Int("channels", "stall_timeout_ms", &c.channel_stall_timeout_ms, 100, 3'600'000));
  RETURN_IF_ERROR(r.Int("channels", "webhook_reload_ms", &c.webhook_reload_ms, 100, 3'600'000));
  if (!c.hub_name.empty()) {
    bool ok = c.hub_name.size() <= 63;
    for (size_t i = 0; i < c.hub_name.size(); ++i) {
      char ch = c.hub_name[i];
      bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
      ok = ok && (i == 0 ? alnum : (alnum || ch == '-' || ch == '.'));
    }
    if (!ok) {
      return InvalidArgument(source_name +
                             ": federation.hub_name must be 1-63 of a-z, 0-9, '-' and '.', starting "
                             "with a letter or digit");
    }
  }
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return InvalidArgument(source_name + ": server.tls_cert and server.tls_key go together");
  }
  if (c.default_page > c.max_page) {
    return InvalidArgument(source_name + ": taxii.default_page is larger than taxii.max_page");
  }
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
  bool level_ok = false;
  for (const char* l : kLevels) level_ok = level_ok || c.log_level == l;
  if (!level_ok) {
    return InvalidArgument(source_name +
                           ": server.log_level must be trace, debug, info, warn, error or off");
  }
  return c;
}

Result<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot read config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string dir = std::filesystem::absolute(path).parent_path().string();
  return ParseConfig(ss.str(), path, dir);
}

}  // namespace kizuna::app
