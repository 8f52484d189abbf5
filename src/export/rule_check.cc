#include "export/rule_check.h"

#include <algorithm>
#include <map>
#include <set>

#include "match/event.h"
#include "match/normalize.h"
#include "pattern/ip.h"

namespace kizuna::exports {

namespace {

bool IsDigits(std::string_view s) {
  return !s.empty() && s.size() <= 10 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsVar(std::string_view s) {
  if (s.size() < 2 || s[0] != '$') return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Splits a bracketed list on top-level commas.
bool SplitList(std::string_view s, std::vector<std::string_view>* out) {
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '[') ++depth;
    if (s[i] == ']') --depth;
    if (depth < 0) return false;
    if (s[i] == ',' && depth == 0) {
      out->push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  if (depth != 0) return false;
  out->push_back(s.substr(start));
  return true;
}

bool ValidAddr(std::string_view a, int depth = 0) {
  if (depth > 8 || a.empty()) return false;
  if (a[0] == '!') return ValidAddr(a.substr(1), depth + 1);
  if (a == "any" || IsVar(a)) return true;
  if (a.front() == '[') {
    if (a.back() != ']') return false;
    std::vector<std::string_view> parts;
    if (!SplitList(a.substr(1, a.size() - 2), &parts)) return false;
    for (auto p : parts) {
      if (!ValidAddr(p, depth + 1)) return false;
    }
    return true;
  }
  return pattern::ParseIpNetwork(a).has_value();
}

bool ValidPortNumber(std::string_view p) {
  return IsDigits(p) && std::stoul(std::string(p)) <= 65535;
}

bool ValidPort(std::string_view p, int depth = 0) {
  if (depth > 8 || p.empty()) return false;
  if (p[0] == '!') return ValidPort(p.substr(1), depth + 1);
  if (p == "any" || IsVar(p)) return true;
  if (p.front() == '[') {
    if (p.back() != ']') return false;
    std::vector<std::string_view> parts;
    if (!SplitList(p.substr(1, p.size() - 2), &parts)) return false;
    for (auto x : parts) {
      if (!ValidPort(x, depth + 1)) return false;
    }
    return true;
  }
  size_t colon = p.find(':');
  if (colon == std::string_view::npos) return ValidPortNumber(p);
  std::string_view lo = p.substr(0, colon), hi = p.substr(colon + 1);
  return (lo.empty() || ValidPortNumber(lo)) && (hi.empty() || ValidPortNumber(hi)) &&
         !(lo.empty() && hi.empty());
}

// A quoted option value: "...", with \" \; \\ escapes; in content, |..|
// hex blocks of two-digit bytes separated by spaces.
bool ValidQuoted(std::string_view v, bool content, std::string* why) {
  if (v.size() < 2 || v.front() != '"' || v.back() != '"') {
    *why = "value is not quoted";
    return false;
  }
  std::string_view s = v.substr(1, v.size() - 2);
  bool hex = false;
  int digits = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (hex) {
      if (c == '|') {
        if (digits % 2 != 0 || digits == 0) {
          *why = "bad hex block";
          return false;
        }
        hex = false;
        digits = 0;
      } else if (c == ' ') {
        if (digits % 2 != 0) {
          *why = "bad hex block";
          return false;
        }
      } else if (std::isxdigit(static_cast<unsigned char>(c))) {
        ++digits;
      } else {
        *why = "non-hex character in a hex block";
        return false;
      }
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= s.size() || (s[i + 1] != '"' && s[i + 1] != ';' && s[i + 1] != '\\' &&
                                !(content && s[i + 1] == '|') && s[i + 1] != ':')) {
        *why = "bad escape";
        return false;
      }
      ++i;
      continue;
    }
    if (c == '"' || c == ';') {
      *why = "unescaped quote or semicolon";
      return false;
    }
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      *why = "non-printable byte (write it as hex)";
      return false;
    }
    if (content && c == '|') {
      hex = true;
      digits = 0;
    }
  }
  if (hex) {
    *why = "unterminated hex block";
    return false;
  }
  return true;
}

struct Option {
  std::string name;
  std::string value;
  bool has_value = false;
};

// Splits "(a:b; c; d:"x;y";)" into options; false on bad structure.
bool SplitOptions(std::string_view body, std::vector<Option>* out, std::string* why) {
  size_t i = 0;
  while (i < body.size()) {
    while (i < body.size() && body[i] == ' ') ++i;
    if (i >= body.size()) break;
    size_t start = i;
    bool quoted = false;
    for (; i < body.size(); ++i) {
      char c = body[i];
      if (c == '\\' && quoted) {
        ++i;
        continue;
      }
      if (c == '"') quoted = !quoted;
      if (c == ';' && !quoted) break;
    }
    if (i >= body.size()) {
      *why = "option not terminated by ';'";
      return false;
    }
    std::string_view opt = body.substr(start, i - start);
    ++i;
    Option o;
    size_t colon = opt.find(':');
    o.name = std::string(opt.substr(0, colon));
    while (!o.name.empty() && o.name.back() == ' ') o.name.pop_back();
    if (colon != std::string_view::npos) {
      std::string_view v = opt.substr(colon + 1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
      o.value = std::string(v);
      o.has_value = true;
    }
    if (o.name.empty()) {
      *why = "empty option";
      return false;
    }
    out->push_back(std::move(o));
  }
  return true;
}

const std::set<std::string>& Protocols(RuleDialect d) {
  static const std::set<std::string> suricata = {"ip", "tcp", "udp", "icmp", "http", "dns",
                                                 "tls", "smtp", "ftp", "ssh", "smb", "dcerpc"};
  static const std::set<std::string> snort = {"ip", "tcp", "udp", "icmp"};
  return d == RuleDialect::kSuricata ? suricata : snort;
}

// Keyword -> what it is.
enum class Kw { kMeta, kContent, kModifier, kSticky, kDotprefix, kFlow, kNumeric };

const std::map<std::string, Kw>& Keywords(RuleDialect d) {
  static const std::map<std::string, Kw> suricata = {
      {"msg", Kw::kMeta},          {"sid", Kw::kMeta},          {"rev", Kw::kMeta},
      {"classtype", Kw::kMeta},    {"metadata", Kw::kMeta},     {"reference", Kw::kMeta},
      {"content", Kw::kContent},   {"nocase", Kw::kModifier},   {"startswith", Kw::kModifier},
      {"endswith", Kw::kModifier}, {"fast_pattern", Kw::kModifier}, {"depth", Kw::kNumeric},
      {"offset", Kw::kNumeric},    {"distance", Kw::kNumeric},  {"within", Kw::kNumeric},
      {"dns.query", Kw::kSticky},  {"tls.sni", Kw::kSticky},    {"http.host", Kw::kSticky},
      {"http.uri", Kw::kSticky},   {"dotprefix", Kw::kDotprefix}, {"flow", Kw::kFlow}};
  static const std::map<std::string, Kw> snort = {
      {"msg", Kw::kMeta},          {"sid", Kw::kMeta},          {"rev", Kw::kMeta},
      {"classtype", Kw::kMeta},    {"metadata", Kw::kMeta},     {"reference", Kw::kMeta},
      {"content", Kw::kContent},   {"nocase", Kw::kModifier},   {"fast_pattern", Kw::kModifier},
      {"http_uri", Kw::kModifier}, {"http_header", Kw::kModifier}, {"depth", Kw::kNumeric},
      {"offset", Kw::kNumeric},    {"distance", Kw::kNumeric},  {"within", Kw::kNumeric},
      {"flow", Kw::kFlow}};
  return d == RuleDialect::kSuricata ? suricata : snort;
}

std::string CheckRule(std::string_view line, RuleDialect dialect, std::set<std::string>* sids) {
  size_t open = line.find('(');
  if (open == std::string_view::npos || line.back() != ')') return "no option list";
  std::string_view head = line.substr(0, open), body = line.substr(open + 1, line.size() - open - 2);
  std::vector<std::string_view> h;
  size_t s = 0;
  while (s < head.size()) {
    while (s < head.size() && head[s] == ' ') ++s;
    size_t e = s;
    int depth = 0;
    while (e < head.size() && (head[e] != ' ' || depth > 0)) {
      if (head[e] == '[') ++depth;
      if (head[e] == ']') --depth;
      ++e;
    }
    if (e > s) h.push_back(head.substr(s, e - s));
    s = e;
  }
  if (h.size() != 7) return "header must be: action proto src sport dir dst dport";
  static const std::set<std::string_view> actions = {"alert", "pass", "drop", "reject"};
  if (!actions.count(h[0])) return "unknown action \"" + std::string(h[0]) + "\"";
  if (!Protocols(dialect).count(std::string(h[1]))) return "unknown protocol \"" + std::string(h[1]) + "\"";
  if (!ValidAddr(h[2]) || !ValidAddr(h[5])) return "bad address";
  if (!ValidPort(h[3]) || !ValidPort(h[6])) return "bad port";
  if (h[4] != "->" && h[4] != "<>") return "bad direction \"" + std::string(h[4]) + "\"";
  std::vector<Option> opts;
  std::string why;
  if (!SplitOptions(body, &opts, &why)) return why;
  const auto& kws = Keywords(dialect);
  bool have_msg = false, have_sid = false, have_content = false, sticky_open = false,
       dotprefix_open = false;
  for (size_t i = 0; i < opts.size(); ++i) {
    const Option& o = opts[i];
    auto it = kws.find(o.name);
    if (it == kws.end()) return "unknown keyword \"" + o.name + "\"";
    switch (it->second) {
      case Kw::kMeta:
        if (!o.has_value) return o.name + " needs a value";
        if (o.name == "msg") {
          if (!ValidQuoted(o.value, false, &why)) return "msg: " + why;
          have_msg = true;
        } else if (o.name == "sid") {
          if (!IsDigits(o.value) || o.value == "0") return "sid must be a positive integer";
          if (!sids->insert(o.value).second) return "duplicate sid " + o.value;
          have_sid = true;
        } else if (o.name == "rev") {
          if (!IsDigits(o.value)) return "rev must be an integer";
        } else if (o.name == "metadata") {
          if (o.value.find_first_of("\";") != std::string::npos) return "bad metadata";
        }
        break;
      case Kw::kContent:
        if (!o.has_value || !ValidQuoted(o.value, true, &why)) return "content: " + why;
        have_content = true;
        sticky_open = false;
        dotprefix_open = false;
        break;
      case Kw::kModifier:
      case Kw::kNumeric:
        if (!have_content || sticky_open || dotprefix_open) {
          return o.name + " must follow a content";
        }
        if (it->second == Kw::kNumeric && !IsDigits(o.value)) return o.name + " needs a number";
        if (it->second == Kw::kModifier && o.has_value) return o.name + " takes no value";
        break;
      case Kw::kSticky:
        if (o.has_value) return o.name + " takes no value";
        if (sticky_open) return "two buffers without a content";
        sticky_open = true;
        break;
      case Kw::kDotprefix:
        if (o.has_value || i + 1 >= opts.size() || opts[i + 1].name != "content") {
          return "dotprefix must come directly before a content";
        }
        dotprefix_open = true;
        break;
      case Kw::kFlow: {
        static const std::set<std::string> flows = {"established", "to_server", "to_client",
                                                    "from_server", "from_client", "stateless"};
        std::vector<std::string_view> parts;
        SplitList(o.value, &parts);
        for (auto p : parts) {
          if (!flows.count(std::string(p))) return "bad flow option";
        }
        break;
      }
    }
  }
  if (sticky_open) return "a buffer without a content";
  if (!have_msg) return "no msg";
  if (!have_sid) return "no sid";
  return "";
}

}  // namespace

std::vector<std::string> CheckRules(std::string_view rules, RuleDialect dialect) {
  std::vector<std::string> problems;
  std::set<std::string> sids;
  size_t s = 0;
  int line_no = 0;
  while (s < rules.size()) {
    size_t e = rules.find('\n', s);
    if (e == std::string_view::npos) e = rules.size();
    std::string_view line = rules.substr(s, e - s);
    s = e + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    std::string why = CheckRule(line, dialect, &sids);
    if (!why.empty()) problems.push_back("line " + std::to_string(line_no) + ": " + why);
  }
  return problems;
}

std::vector<std::string> CheckZeekIntel(std::string_view text) {
  std::vector<std::string> problems;
  static const std::set<std::string> types = {
      "Intel::ADDR",      "Intel::SUBNET",    "Intel::URL",       "Intel::SOFTWARE",
      "Intel::EMAIL",     "Intel::DOMAIN",    "Intel::USER_NAME", "Intel::CERT_HASH",
      "Intel::PUBKEY_HASH", "Intel::FILE_HASH", "Intel::FILE_NAME"};
  size_t s = 0;
  int line_no = 0;
  bool header = false;
  while (s < text.size()) {
    size_t e = text.find('\n', s);
    if (e == std::string_view::npos) e = text.size();
    std::string_view line = text.substr(s, e - s);
    s = e + 1;
    ++line_no;
    auto bad = [&](const std::string& why) {
      problems.push_back("line " + std::to_string(line_no) + ": " + why);
    };
    if (line_no == 1) {
      header = line == "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url";
      if (!header) bad("the first line must be the #fields header");
      continue;
    }
    if (line.empty()) continue;
    std::vector<std::string_view> cells;
    size_t a = 0;
    while (a <= line.size()) {
      size_t b = line.find('\t', a);
      if (b == std::string_view::npos) b = line.size();
      cells.push_back(line.substr(a, b - a));
      a = b + 1;
    }
    if (cells.size() != 5) {
      bad("expected 5 columns");
      continue;
    }
    std::string type(cells[1]);
    std::string_view v = cells[0];
    if (!types.count(type)) {
      bad("unknown type " + type);
      continue;
    }
    if (v.empty() || v == "-" || v.find('\r') != std::string_view::npos) {
      bad("empty or unset indicator");
      continue;
    }
    if (type == "Intel::ADDR") {
      auto n = pattern::ParseIpNetwork(v);
      if (!n || n->prefix != (n->v6 ? 128 : 32) || v.find('/') != std::string_view::npos) {
        bad("not an address");
      }
    } else if (type == "Intel::SUBNET") {
      if (v.find('/') == std::string_view::npos || !pattern::ParseIpNetwork(v)) bad("not a subnet");
    } else if (type == "Intel::URL") {
      size_t scheme = v.find("://");
      bool has_scheme = scheme != std::string_view::npos && scheme > 0 &&
                        std::all_of(v.begin(), v.begin() + static_cast<ptrdiff_t>(scheme), [](char c) {
                          return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
                        });
      if (has_scheme) bad("Intel::URL is written without the scheme");
    } else if (type == "Intel::FILE_HASH" || type == "Intel::CERT_HASH") {
      match::HashAlgo algo;
      uint8_t d[64];
      if (!match::DigestAlgoByLength(v, &algo) || !match::ParseDigest(v, match::DigestBytes(algo), d) ||
          v.find(':') != std::string_view::npos) {
        bad("not a hex digest");
      }
    } else if (type == "Intel::DOMAIN") {
      std::string buf;
      if (match::NormalizeDomain(v, &buf) != v) bad("not a lower-case domain name");
    }
  }
  if (line_no == 0) problems.push_back("empty file");
  return problems;
}

}  // namespace kizuna::exports
