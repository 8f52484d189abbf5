// Zeek logs, TSV (ASCII writer) and JSON.
#include <simdjson.h>

#include <cstdlib>
#include <cstring>
#include <unordered_map>

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "match/reader.h"

namespace kizuna::match {

namespace od = simdjson::ondemand;

namespace {

enum class ZKind : uint8_t {
  kNone,
  kTs,
  kIp,
  kHost,
  kDomain,
  kUrl,
  kUri,  // http.log uri: joined with host
  kEmail,
  kFileHash,
  kCertHash,
  kGeneric,
  kSubject,  // x509 subject (ssl) or email subject (smtp)
  kName,     // software name or smb file name, by log path
};

struct ZSpec {
  ZKind kind = ZKind::kNone;
  Role role = Role::kNone;
  const GenericPath* generic = nullptr;
  bool http_host = false;  // http.log's host (joined with uri)
};

const std::unordered_map<std::string_view, ZSpec>& SpecTable() {
  static const auto* table = new std::unordered_map<std::string_view, ZSpec>{
      {"ts", {ZKind::kTs}},
      {"id.orig_h", {ZKind::kIp, Role::kSrc}},
      {"id.resp_h", {ZKind::kIp, Role::kDst}},
      {"src", {ZKind::kIp, Role::kSrc}},
      {"dst", {ZKind::kIp, Role::kDst}},
      {"tx_hosts", {ZKind::kIp}},
      {"rx_hosts", {ZKind::kIp}},
      {"x_originating_ip", {ZKind::kIp}},
      {"path", {ZKind::kIp}},
      {"san.ip", {ZKind::kIp}},
      {"query", {ZKind::kDomain}},
      {"server_name", {ZKind::kDomain}},
      {"san.dns", {ZKind::kDomain}},
      {"answers", {ZKind::kHost}},
      {"host", {ZKind::kHost, Role::kNone, nullptr, true}},
      {"uri", {ZKind::kUri}},
      {"referrer", {ZKind::kUrl}},
      {"san.uri", {ZKind::kUrl}},
      {"mailfrom", {ZKind::kEmail}},
      {"rcptto", {ZKind::kEmail}},
      {"from", {ZKind::kEmail}},
      {"to", {ZKind::kEmail}},
      {"cc", {ZKind::kEmail}},
      {"reply_to", {ZKind::kEmail}},
      {"san.email", {ZKind::kEmail}},
      {"md5", {ZKind::kFileHash}},
      {"sha1", {ZKind::kFileHash}},
      {"sha256", {ZKind::kFileHash}},
      {"fingerprint", {ZKind::kCertHash}},
      {"cert_chain_fps", {ZKind::kCertHash}},
      {"client_cert_chain_fps", {ZKind::kCertHash}},
      {"filename", {ZKind::kGeneric, Role::kNone, &PathFileName()}},
      {"orig_filenames", {ZKind::kGeneric, Role::kNone, &PathFileName()}},
      {"resp_filenames", {ZKind::kGeneric, Role::kNone, &PathFileName()}},
      {"user_agent", {ZKind::kGeneric, Role::kNone, &PathUserAgent()}},
      {"username", {ZKind::kGeneric, Role::kNone, &PathAccountLogin()}},
      {"user", {ZKind::kGeneric, Role::kNone, &PathAccountLogin()}},
      {"certificate.subject", {ZKind::kGeneric, Role::kNone, &PathX509Subject()}},
      {"certificate.issuer", {ZKind::kGeneric, Role::kNone, &PathX509Issuer()}},
      {"certificate.serial", {ZKind::kGeneric, Role::kNone, &PathX509Serial()}},
      {"issuer", {ZKind::kGeneric, Role::kNone, &PathX509Issuer()}},
      {"subject", {ZKind::kSubject}},
      {"name", {ZKind::kName}},
  };
  return *table;
}

const ZSpec* FindSpec(std::string_view name) {
  const auto& t = SpecTable();
  auto it = t.find(name);
  return it == t.end() ? nullptr : &it->second;
}

// Decodes Zeek's \xHH escapes (and "\\").
std::string_view Unescape(std::string_view v, Event* ev) {
  if (std::memchr(v.data(), '\\', v.size()) == nullptr) return v;
  std::string out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 3 < v.size() && v[i + 1] == 'x') {
      auto hex = [](char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      int a = hex(v[i + 2]), b = hex(v[i + 3]);
      if (a >= 0 && b >= 0) {
        out += static_cast<char>(a * 16 + b);
        i += 3;
        continue;
      }
    }
    if (v[i] == '\\' && i + 1 < v.size() && v[i + 1] == '\\') {
      out += '\\';
      ++i;
      continue;
    }
    out += v[i];
  }
  return ev->Keep(out);
}

// Collects the fields of one record; the http URL needs host and uri.
struct Collector {
  Event* ev;
  std::string_view host, uri;
  std::string_view subject_name, name_value;

  void Value(const ZSpec& spec, std::string_view key, std::string_view v) {
    if (v.empty()) return;
    switch (spec.kind) {
      case ZKind::kNone:
        return;
      case ZKind::kTs:
        ev->epoch = v;  // read only for events that match
        return;
      case ZKind::kIp:
        ev->Add(FieldKind::kIp, key, v, spec.role);
        return;
      case ZKind::kHost:
        if (spec.http_host) host = v;
        ev->Add(FieldKind::kHost, key, v);
        return;
      case ZKind::kDomain:
        ev->Add(FieldKind::kDomain, key, v);
        return;
      case ZKind::kUrl:
        ev->Add(FieldKind::kUrl, key, v);
        return;
      case ZKind::kUri:
        uri = v;
        return;
      case ZKind::kEmail:
        ev->Add(FieldKind::kEmail, key, v);
        return;
      case ZKind::kFileHash:
        ev->AddHash(key, v, HashGroup::kFile);
        return;
      case ZKind::kCertHash:
        ev->AddHash(key, v, HashGroup::kCert);
        return;
      case ZKind::kGeneric:
        ev->AddGeneric(*spec.generic, key, v);
        return;
      case ZKind::kSubject:
        subject_name = v;
        return;
      case ZKind::kName:
        name_value = v;
        return;
    }
  }

  void Finish() {
    if (!uri.empty()) {
      if (uri.find("://") != std::string_view::npos) {
        ev->Add(FieldKind::kUrl, "uri", uri);
      } else if (!host.empty()) {
        std::string u = "http://";
        u += host;
        if (uri.front() != '/') u += '/';
        u += uri;
        ev->Add(FieldKind::kUrl, "host+uri", ev->Keep(u));
      }
    }
    if (!subject_name.empty()) {
      // smtp.log has an email subject; ssl.log an x509 subject.
      bool smtp = ev->log_type == "smtp" ||
                  (ev->log_type.empty() && subject_name.find("CN=") == std::string_view::npos &&
                   subject_name.find("O=") == std::string_view::npos);
      ev->AddGeneric(smtp ? PathEmailSubject() : PathX509Subject(), "subject", subject_name);
    }
    if (!name_value.empty()) {
      if (ev->log_type == "software") ev->AddGeneric(PathSoftwareName(), "name", name_value);
      if (ev->log_type == "smb_files") ev->AddGeneric(PathFileName(), "name", name_value);
    }
  }
};

// ---- TSV --------------------------------------------------------------------------

// One block of the vector scans below: `mask` and `smask` mark the
// separators and backslashes of the `width` bytes at offset i (bits past n
// are dropped). Appends the separators' positions to out (up to max) and
// returns the block's backslash bits.
[[gnu::always_inline]] inline uint32_t TakeBlock(uint32_t mask, uint32_t smask, size_t i,
                                                 size_t n, size_t width, uint32_t* out,
                                                 size_t max, size_t* found) {
  if (n - i < width) {
    const uint32_t keep = (1u << (n - i)) - 1;
    mask &= keep;
    smask &= keep;
  }
  while (mask != 0 && *found < max) {
    out[(*found)++] = static_cast<uint32_t>(i + static_cast<size_t>(__builtin_ctz(mask)));
    mask &= mask - 1;
  }
  return smask;
}

#if defined(__x86_64__)
// As FindSeparators with `padded`, 32 bytes at a time (reads up to 31 bytes
// past n: callers pass lines with at least kReadPadding bytes after them).
__attribute__((target("avx2"))) size_t FindSeparatorsAvx2(const char* p, size_t n, char sep,
                                                          uint32_t* out, size_t max,
                                                          bool* backslash) {
  size_t found = 0;
  uint32_t bs = 0;
  const __m256i needle = _mm256_set1_epi8(sep);
  const __m256i slash = _mm256_set1_epi8('\\');
  for (size_t i = 0; i < n && found < max; i += 32) {
    __m256i block = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    bs |= TakeBlock(static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(block, needle))),
                    static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(block, slash))),
                    i, n, 32, out, max, &found);
  }
  *backslash = bs != 0;
  return found;
}

// KIZUNA_NO_AVX2 (any value) forces the SSE2 path: the tests run both.
bool HasAvx2() {
  static const bool yes = __builtin_cpu_supports("avx2") && std::getenv("KIZUNA_NO_AVX2") == nullptr;
  return yes;
}
#endif

// Positions of the first `max` occurrences of `sep` in p[0, n), written to
// out; returns how many. With `padded` it reads up to 31 bytes past n (the
// scanner guarantees kReadPadding readable bytes after a line).
// *backslash is set when a backslash occurs before the last separator found
// (or anywhere, when fewer than `max` are found).
size_t FindSeparators(const char* p, size_t n, char sep, uint32_t* out, size_t max, bool padded,
                      bool* backslash) {
  size_t found = 0;
  bool bs = false;
#if defined(__x86_64__)
  if (padded && HasAvx2()) return FindSeparatorsAvx2(p, n, sep, out, max, backslash);
#endif
#if defined(__SSE2__)
  if (padded) {
    const __m128i needle = _mm_set1_epi8(sep);
    const __m128i slash = _mm_set1_epi8('\\');
    for (size_t i = 0; i < n && found < max; i += 16) {
      __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      bs |= TakeBlock(static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, needle))),
                      static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(block, slash))),
                      i, n, 16, out, max, &found) != 0;
    }
    *backslash = bs;
    return found;
  }
#endif
  (void)padded;
  for (size_t i = 0; i < n && found < max; ++i) {
    if (p[i] == sep) out[found++] = static_cast<uint32_t>(i);
    bs |= p[i] == '\\';
  }
  *backslash = bs;
  return found;
}

class ZeekTsvReader final : public LogReader {
 public:
  ZeekTsvReader() = default;
  explicit ZeekTsvReader(const ZeekHeader& h) { SetHeader(h); }

  const ZeekHeader* header() const override { return &header_; }
  void SetHeader(const ZeekHeader& h) override {
    header_ = h;
    specs_.clear();
    container_.clear();
    wanted_.clear();
    last_ = 0;
    for (size_t i = 0; i < h.fields.size(); ++i) {
      const ZSpec* s = FindSpec(h.fields[i]);
      specs_.push_back(s ? *s : ZSpec{});
      if (s && s->kind != ZKind::kNone) wanted_.push_back(static_cast<uint32_t>(i));
      if (s) last_ = i + 1;
      // Without #types, fields that hold values never containing the set
      // separator are split; with them, exactly the set[...] and vector[...].
      bool container;
      if (i < h.types.size()) {
        container = h.types[i].rfind("set[", 0) == 0 || h.types[i].rfind("vector[", 0) == 0;
      } else {
        container = s && (s->kind == ZKind::kIp || s->kind == ZKind::kHost ||
                          s->kind == ZKind::kDomain || s->kind == ZKind::kEmail ||
                          s->kind == ZKind::kFileHash || s->kind == ZKind::kCertHash);
      }
      container_.push_back(container);
    }
    path_ = header_.path;
  }
  std::unique_ptr<LogReader> Clone() const override {
    return std::make_unique<ZeekTsvReader>(header_);
  }

  LineStatus Parse(std::string_view line, size_t capacity, Event* ev,
                   std::string* error) override {
    const bool padded = capacity >= line.size() + 32;  // see FindSeparators
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return LineStatus::kSkip;
    if (line.front() == '#') {
      if (header_.Apply(line)) SetHeader(header_);
      return LineStatus::kSkip;
    }
    if (header_.fields.empty()) {
      *error = "data line before a #fields header";
      return LineStatus::kMalformed;
    }
    ev->Clear();
    ev->log_type = path_;
    Collector c{ev, {}, {}, {}, {}};
    const char sep = header_.separator;
    // Column boundaries up to the last column of interest, in one pass.
    if (seps_.size() < last_) seps_.resize(last_);
    if (line.size() >= UINT32_MAX) {
      *error = "line too long";
      return LineStatus::kMalformed;
    }
    bool escapes = false;  // escapes are rare: noticed while splitting
    size_t nsep = FindSeparators(line.data(), line.size(), sep, seps_.data(), last_, padded, &escapes);
    const size_t columns = nsep + 1;  // columns present up to last_
    if (columns < last_ && columns < header_.fields.size()) {
      // Fewer columns than #fields promises, before the ones we read.
      *error = "expected " + std::to_string(header_.fields.size()) + " fields, found " +
               std::to_string(columns);
      return LineStatus::kMalformed;
    }
    const std::string& unset = header_.unset_field;
    const std::string& empty = header_.empty_field;
    for (const uint32_t col : wanted_) {
      if (col >= columns) break;
      const ZSpec& spec = specs_[col];
      size_t begin = col == 0 ? 0 : seps_[col - 1] + 1;
      size_t end = col < nsep ? seps_[col] : line.size();
      std::string_view v = line.substr(begin, end - begin);
      if (v.size() == unset.size() && (v.size() == 1 ? v[0] == unset[0] : v == unset)) continue;
      if (v.size() == empty.size() && v == empty) continue;
      const std::string_view key = header_.fields[col];
      // Sets and vectors: elements joined by the set separator.
      if (container_[col] && !header_.set_separator.empty() &&
          v.find(header_.set_separator) != std::string_view::npos) {
        size_t s0 = 0;
        while (s0 <= v.size()) {
          size_t e = v.find(header_.set_separator, s0);
          if (e == std::string_view::npos) e = v.size();
          std::string_view el = v.substr(s0, e - s0);
          c.Value(spec, key, escapes ? Unescape(el, ev) : el);
          s0 = e + header_.set_separator.size();
        }
      } else {
        c.Value(spec, key, escapes ? Unescape(v, ev) : v);
      }
    }
    c.Finish();
    return LineStatus::kEvent;
  }

 private:
  ZeekHeader header_;
  std::vector<ZSpec> specs_;
  std::vector<bool> container_;
  std::vector<uint32_t> wanted_;  // the columns of interest, in order
  std::vector<uint32_t> seps_;
  size_t last_ = 0;  // columns past this one are of no interest
  std::string path_;
};

// ---- JSON -------------------------------------------------------------------------

class ZeekJsonReader final : public LogReader {
 public:
  std::unique_ptr<LogReader> Clone() const override { return std::make_unique<ZeekJsonReader>(); }

  LineStatus Parse(std::string_view line, size_t capacity, Event* ev,
                   std::string* error) override {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) return LineStatus::kSkip;
    ev->Clear();
    Collector c{ev, {}, {}, {}, {}};
    try {
      od::document doc = parser_.iterate(line.data(), line.size(), capacity);
      od::object root;
      if (doc.get_object().get(root) != simdjson::SUCCESS) {
        *error = "not a JSON object";
        return LineStatus::kMalformed;
      }
      if (!Walk(root, "", &c, 0, error)) return LineStatus::kMalformed;
    } catch (const simdjson::simdjson_error& e) {
      *error = std::string("malformed JSON: ") + e.what();
      return LineStatus::kMalformed;
    }
    c.Finish();
    return LineStatus::kEvent;
  }

 private:
  bool Walk(od::object obj, std::string_view prefix, Collector* c, int depth,
            std::string* error) {
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key) != simdjson::SUCCESS) {
        *error = "malformed key";
        return false;
      }
      od::value v = field.value();
      od::json_type t;
      if (v.type().get(t) != simdjson::SUCCESS) {
        *error = "malformed value";
        return false;
      }
      std::string_view name = key;
      if (!prefix.empty()) {
        name = c->ev->Keep(std::string(prefix) + "." + std::string(key));
      }
      if (name == "_path") {
        std::string_view p;
        if (v.get_string().get(p) == simdjson::SUCCESS) c->ev->log_type = c->ev->Keep(p);
        continue;
      }
      if (t == od::json_type::object) {
        if (depth >= 3) continue;
        od::object inner;
        if (v.get_object().get(inner) != simdjson::SUCCESS) return false;
        if (depth == 0 && prefix.empty() && name != "id" && FindSpec(name) == nullptr) {
          // A wrapper: {"dns": {...}} names the log.
          if (c->ev->log_type.empty()) c->ev->log_type = c->ev->Keep(name);
          if (!Walk(inner, "", c, depth + 1, error)) return false;
        } else if (!Walk(inner, name, c, depth + 1, error)) {
          return false;
        }
        continue;
      }
      const ZSpec* spec = FindSpec(name);
      if (spec == nullptr) continue;
      if (t == od::json_type::string) {
        std::string_view s;
        if (v.get_string().get(s) != simdjson::SUCCESS) {
          *error = "malformed string";
          return false;
        }
        if (spec->kind == ZKind::kTs) {
          // JSON::TS_ISO8601 writes ts as text.
          int64_t us;
          if (ParseEpochTime(s, &us) || ParseLogTime(s, &us)) c->ev->time_us = us;
          continue;
        }
        c->Value(*spec, name, s);
      } else if (t == od::json_type::number && spec->kind == ZKind::kTs) {
        double d;
        if (v.get_double().get(d) == simdjson::SUCCESS && d > 0 && d < 1e11) {
          c->ev->time_us = static_cast<int64_t>(d * 1e6);
        }
      } else if (t == od::json_type::array) {
        od::array arr;
        if (v.get_array().get(arr) != simdjson::SUCCESS) return false;
        for (auto el : arr) {
          std::string_view s;
          if (el.get_string().get(s) == simdjson::SUCCESS) c->Value(*spec, name, s);
        }
      }
    }
    return true;
  }

  od::parser parser_;
};

}  // namespace

bool ZeekHeader::Apply(std::string_view line) {
  if (line.empty() || line.front() != '#') return false;
  // "#separator \x09" uses a space before the value; the others the separator.
  if (line.rfind("#separator", 0) == 0) {
    std::string_view v = line.substr(10);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    auto hex = [](char c) {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    // "\x09"; an invalid one leaves the separator as it was.
    if (v.size() == 4 && v[0] == '\\' && v[1] == 'x' && hex(v[2]) >= 0 && hex(v[3]) >= 0) {
      char sep = static_cast<char>(hex(v[2]) * 16 + hex(v[3]));
      if (sep != '\n' && sep != '\r') separator = sep;
    } else if (v.size() == 1 && v[0] != '\n' && v[0] != '\r') {
      separator = v[0];
    }
    return true;
  }
  size_t cut = line.find(separator);
  if (cut == std::string_view::npos) return true;  // #close and other comments
  std::string_view name = line.substr(0, cut), rest = line.substr(cut + 1);
  if (name == "#set_separator") {
    if (!rest.empty()) set_separator = std::string(rest);  // an empty one would never advance
  } else if (name == "#empty_field") {
    empty_field = std::string(rest);
  } else if (name == "#unset_field") {
    unset_field = std::string(rest);
  } else if (name == "#path") {
    path = std::string(rest);
  } else if (name == "#fields" || name == "#types") {
    std::vector<std::string>& out = name == "#fields" ? fields : types;
    out.clear();
    size_t s = 0;
    while (s <= rest.size()) {
      size_t e = rest.find(separator, s);
      if (e == std::string_view::npos) e = rest.size();
      out.emplace_back(rest.substr(s, e - s));
      s = e + 1;
    }
    if (name == "#fields") types.clear();
  }
  return true;
}

std::unique_ptr<LogReader> MakeZeekTsvReader() { return std::make_unique<ZeekTsvReader>(); }
std::unique_ptr<LogReader> MakeZeekJsonReader() { return std::make_unique<ZeekJsonReader>(); }

}  // namespace kizuna::match
