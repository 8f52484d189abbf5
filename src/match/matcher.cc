#include "match/matcher.h"

#include <sys/random.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>

#include "match/engine.h"
#include "match/simple_pattern.h"
#include "pattern/compiler.h"
#include "pattern/ip.h"
#include "pattern/parser.h"
#include "pattern/validator.h"

namespace kizuna::match {

Seeds Seeds::Random() {
  Seeds s;
  uint64_t r[2];
  if (getrandom(r, sizeof r, 0) == static_cast<ssize_t>(sizeof r)) {
    s.a = r[0];
    s.b = r[1];
  } else {
    uint64_t t = static_cast<uint64_t>(
        std::chrono::steady_clock::now().time_since_epoch().count());
    s.a ^= Fold(t, kMixA);
    s.b ^= Fold(t, kMixB);
  }
  return s;
}

std::string_view HowName(How h) {
  switch (h) {
    case How::kExact:
      return "exact";
    case How::kSubdomain:
      return "subdomain";
    case How::kCidr:
      return "cidr";
    case How::kPattern:
      return "pattern";
  }
  return "";
}

namespace {

// Namespaces of the value index (the `tag` of MakeKey / DigestKey).
enum ValueTag : uint64_t {
  kTagIpv4 = 1,
  kTagIpv6 = 2,
  kTagDomain = 3,
  kTagUrl = 4,
  kTagEmail = 5,
  kTagHash = 16,  // + algorithm * 2 + group
};
constexpr uint32_t kKindIpv4 = 1u << 1, kKindIpv6 = 1u << 2, kKindDomain = 1u << 3,
                   kKindUrl = 1u << 4, kKindEmail = 1u << 5, kKindHash = 1u << 6,
                   kKindGeneric = 1u << 7;

uint64_t HashTag(HashAlgo a, HashGroup g) {
  return kTagHash + static_cast<uint64_t>(a) * 2 + static_cast<uint64_t>(g);
}

Key Ipv4Key(const Seeds& s, uint32_t a) {
  char b[4];
  std::memcpy(b, &a, 4);
  return MakeKey(s, kTagIpv4, std::string_view(b, 4));
}
Key Ipv6Key(const Seeds& s, Uint128 a) {
  char b[16];
  std::memcpy(b, &a, 16);
  return MakeKey(s, kTagIpv6, std::string_view(b, 16));
}

uint32_t SecondsUp(int64_t us) {
  if (us <= 0) return 0;
  int64_t s = (us + 999'999) / 1'000'000;
  return s >= static_cast<int64_t>(UINT32_MAX) ? UINT32_MAX - 1 : static_cast<uint32_t>(s);
}
uint32_t SecondsDown(int64_t us) {
  if (us == kNoTime) return UINT32_MAX;
  if (us <= 0) return 0;
  int64_t s = us / 1'000'000;
  return s >= static_cast<int64_t>(UINT32_MAX) ? UINT32_MAX - 1 : static_cast<uint32_t>(s);
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Keys collected for one build (base or delta).
struct KeySink {
  std::vector<KeyedPayload>* values;
  std::vector<CidrIndex4::Block>* v4;
  std::vector<CidrIndex6::Block>* v6;
};

// True when the pattern binds several observations or has qualifiers.
bool IsStateful(const pattern::CompiledPattern& c) {
  for (const pattern::Disjunct& d : c.disjuncts) {
    if (d.expr->kind != pattern::ObsOp::kObservation || !d.expr->qualifiers.empty()) return true;
  }
  return false;
}

void CollectObservations(const pattern::ObservationExpr& e,
                         std::vector<const pattern::ObservationExpr*>* out) {
  if (e.kind == pattern::ObsOp::kObservation) {
    out->push_back(&e);
    return;
  }
  for (const pattern::ObservationExpr* c : e.children) CollectObservations(*c, out);
}

}  // namespace

// ---- tables -------------------------------------------------------------------

uint32_t IndicatorTables::InternName(std::string_view name) {
  if (has_last_name_ && name == last_name_) return last_name_id_;
  auto it = name_ids_.find(name);
  if (it != name_ids_.end()) {
    last_name_.assign(name);
    last_name_id_ = it->second;
    has_last_name_ = true;
    return it->second;
  }
  constexpr size_t kChunk = 1 << 20;
  std::string_view stored;
  if (!name.empty()) {
    if (name_chunks_.empty() || chunk_used_ + name.size() > kChunk) {
      size_t size = std::max(kChunk, name.size());
      name_chunks_.emplace_back(new char[size]);
      chunk_used_ = 0;
    }
    char* at = name_chunks_.back().get() + chunk_used_;
    std::memcpy(at, name.data(), name.size());
    chunk_used_ += name.size();
    name_bytes_ += name.size();
    stored = std::string_view(at, name.size());
  }
  if (names.full()) return 0;
  uint32_t id = static_cast<uint32_t>(names.Push(stored));
  // Past a million distinct names, stop deduplicating (bounded writer memory).
  if (name_ids_.size() < (1u << 20)) name_ids_.emplace(std::string(name), id);
  return id;
}

uint16_t IndicatorTables::InternMarkings(const std::vector<std::string>& markings) {
  // Feeds use a handful of marking lists: the recent ones are compared first.
  for (size_t i = 0; i < recent_markings_.size(); ++i) {
    if (recent_markings_[i].first == markings) {
      const uint16_t id = recent_markings_[i].second;
      if (i > 0) std::swap(recent_markings_[i], recent_markings_[i - 1]);
      return id;
    }
  }
  std::string key;
  for (const auto& m : markings) key.append(m).push_back(',');
  auto it = marking_ids_.find(key);
  uint16_t id;
  if (it != marking_ids_.end()) {
    id = it->second;
  } else {
    if (marking_lists.size() >= 65535 || marking_lists.full()) return 0;
    id = static_cast<uint16_t>(marking_lists.Push(markings));
    marking_ids_.emplace(std::move(key), id);
  }
  if (recent_markings_.size() < kRecentMarkings) {
    recent_markings_.emplace_back(markings, id);
  } else {
    recent_markings_.back() = {markings, id};
  }
  return id;
}

size_t IndicatorTables::MemoryBytes() const {
  return meta.MemoryBytes() + names.MemoryBytes() + name_chunks_.size() * (1 << 20) +
         marking_lists.MemoryBytes() + name_ids_.size() * 64 + marking_ids_.size() * 96;
}

// ---- snapshot lookups -------------------------------------------------------------

bool Snapshot::Live(uint32_t ordinal, uint32_t now_s) const {
  if (ordinal >= limit_) return false;
  const std::vector<uint64_t>& dead = *dead_;
  if ((ordinal >> 6) < dead.size() && (dead[ordinal >> 6] >> (ordinal & 63) & 1)) return false;
  const IndicatorMeta& m = tables_->meta[ordinal];
  return m.valid_from_s <= now_s && now_s < m.valid_until_s;
}

void Snapshot::Emit(uint32_t payload, uint16_t field, How how, uint32_t now_s,
                    std::vector<Hit>* hits) const {
  uint32_t ordinal = payload & kOrdinalMask;
  if (!Live(ordinal, now_s)) return;
  // One hit per indicator and field (an indicator may list a name and its
  // parent, or overlapping blocks).
  for (size_t i = hits->size(); i-- > 0;) {
    const Hit& h = (*hits)[i];
    if (h.field != field) break;
    if (h.ordinal == ordinal) return;
  }
  hits->push_back(Hit{ordinal, field, how, (payload & kNeedsEval) != 0});
}

void Snapshot::LookupKey(const Key& key, uint16_t field, How how, uint32_t now_s,
                         std::vector<Hit>* hits) const {
  auto emit = [&](uint32_t p) { Emit(p, field, how, now_s, hits); };
  if (base_->values.MayContain(key.hi)) base_->values.Find(key, emit);
  if (delta_ && delta_->values.MayContain(key.hi)) delta_->values.Find(key, emit);
}

void Snapshot::LookupValue(uint64_t tag, std::string_view value, uint16_t field, How how,
                           uint32_t now_s, std::vector<Hit>* hits) const {
  uint64_t hi = KeyHi(seeds_, tag, value);
  bool in_base = base_->values.MayContain(hi);
  bool in_delta = delta_ && delta_->values.MayContain(hi);
  if (!in_base && !in_delta) return;
  Key key{hi, KeyLo(seeds_, tag, value)};
  auto emit = [&](uint32_t p) { Emit(p, field, how, now_s, hits); };
  if (in_base) base_->values.Find(key, emit);
  if (in_delta) delta_->values.Find(key, emit);
}

void Snapshot::LookupIpv4(uint32_t v4, uint16_t field, uint32_t now_s,
                          std::vector<Hit>* hits) const {
  uint32_t kinds = base_->kinds | (delta_ ? delta_->kinds : 0);
  if (kinds & kKindIpv4) {
    char b[4];
    std::memcpy(b, &v4, 4);
    LookupValue(kTagIpv4, std::string_view(b, 4), field, How::kExact, now_s, hits);
  }
  auto emit = [&](uint32_t p, int) { Emit(p, field, How::kCidr, now_s, hits); };
  base_->v4.Find(v4, emit);
  if (delta_) delta_->v4.Find(v4, emit);
}

void Snapshot::LookupIpv6(Uint128 v6, uint16_t field, uint32_t now_s,
                          std::vector<Hit>* hits) const {
  uint32_t kinds = base_->kinds | (delta_ ? delta_->kinds : 0);
  if (kinds & kKindIpv6) {
    char b[16];
    std::memcpy(b, &v6, 16);
    LookupValue(kTagIpv6, std::string_view(b, 16), field, How::kExact, now_s, hits);
  }
  auto emit = [&](uint32_t p, int) { Emit(p, field, How::kCidr, now_s, hits); };
  base_->v6.Find(v6, emit);
  if (delta_) delta_->v6.Find(v6, emit);
}

bool Snapshot::LookupIp(std::string_view text, uint16_t field, uint32_t now_s,
                        std::vector<Hit>* hits) const {
  uint32_t v4;
  if (ParseIpv4(text, &v4)) {
    LookupIpv4(v4, field, now_s, hits);
    return true;
  }
  Uint128 v6;
  if (ParseIpv6(text, &v6)) {
    LookupIpv6(v6, field, now_s, hits);
    return true;
  }
  return false;
}

void Snapshot::LookupDomain(std::string_view text, uint16_t field, uint32_t now_s,
                            std::vector<Hit>* hits) const {
  uint64_t labels = base_->domain_labels | (delta_ ? delta_->domain_labels : 0);
  if (labels == 0) return;
  std::string buf;
  int n = 0;
  std::string_view d = NormalizeDomain(text, &buf, &n);
  if (d.empty()) return;
  size_t start = 0;
  for (int k = n; k >= 1; --k) {
    if (labels >> std::min(k, 63) & 1) {
      LookupValue(kTagDomain, d.substr(start), field, k == n ? How::kExact : How::kSubdomain,
                  now_s, hits);
    }
    if (!subdomains_) break;
    size_t dot = d.find('.', start);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
}

bool Snapshot::HasGeneric(uint64_t tag) const {
  if (std::binary_search(base_->generic_tags.begin(), base_->generic_tags.end(), tag)) {
    return true;
  }
  return delta_ && std::binary_search(delta_->generic_tags.begin(), delta_->generic_tags.end(), tag);
}

namespace {

// memcmp(a, b.data(), b.size()) == 0 for the short texts of MatchMemo,
// inline (a library call costs more than the comparison).
inline bool SameShortText(const char* a, std::string_view b) {
  const char* p = b.data();
  size_t n = b.size();
  uint64_t diff = 0;
  for (; n >= 8; n -= 8, a += 8, p += 8) {
    uint64_t x, y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, p, 8);
    diff |= x ^ y;
  }
  for (; n > 0; --n, ++a, ++p) diff |= static_cast<uint8_t>(*a ^ *p);
  return diff == 0;
}

}  // namespace

bool MatchMemo::Slot::Holds(uint64_t v, uint32_t s, FieldKind k, std::string_view value) const {
  return version == v && now_s == s && kind == static_cast<uint8_t>(k) && len == value.size() &&
         SameShortText(text, value);
}

void MatchMemo::Slot::Set(uint64_t v, uint32_t s, FieldKind k, std::string_view value) {
  version = v;
  now_s = s;
  kind = static_cast<uint8_t>(k);
  len = static_cast<uint8_t>(value.size());
  std::memcpy(text, value.data(), value.size());
}

void Snapshot::Match(const Event& event, uint32_t now_s, std::vector<Hit>* hits,
                     MatchMemo* memo) const {
  const uint32_t kinds = base_->kinds | (delta_ ? delta_->kinds : 0);
  std::string buf;
  for (size_t i = 0; i < event.fields.size() && i < 65535; ++i) {
    const Field& f = event.fields[i];
    const uint16_t fi = static_cast<uint16_t>(i);
    // Addresses and names repeat: remember those that found nothing.
    MatchMemo::Slot* slot = nullptr;
    MatchMemo::Slot* recent = nullptr;
    const size_t before = hits->size();
    if (memo != nullptr && version_ != 0 && f.value.size() <= MatchMemo::kMaxValue &&
        (f.kind == FieldKind::kIp || f.kind == FieldKind::kHost || f.kind == FieldKind::kDomain)) {
      if (i < MatchMemo::kRecent) {
        recent = &memo->recent_[i];
        if (recent->Holds(version_, now_s, f.kind, f.value)) continue;
      }
      const uint64_t h = Hash64(f.value, static_cast<uint64_t>(f.kind) + 1);
      slot = &memo->slots_[h & (MatchMemo::kSlots - 1)];
      if (slot->Holds(version_, now_s, f.kind, f.value)) {
        if (recent != nullptr) *recent = *slot;
        continue;
      }
    }
    switch (f.kind) {
      case FieldKind::kIp:
        LookupIp(f.value, fi, now_s, hits);
        break;
      case FieldKind::kHost: {
        if (LookupIp(f.value, fi, now_s, hits)) break;
        if (kinds & kKindDomain) {
          // An HTTP Host may carry a port.
          std::string_view host = f.value;
          if (size_t colon = host.rfind(':'); colon != std::string_view::npos &&
                                              host.find(':') == colon) {
            host = host.substr(0, colon);
          }
          LookupDomain(host, fi, now_s, hits);
        }
        break;
      }
      case FieldKind::kDomain:
        if (kinds & kKindDomain) LookupDomain(f.value, fi, now_s, hits);
        break;
      case FieldKind::kUrl:
        if (kinds & kKindUrl) {
          std::string u = NormalizeUrl(f.value);
          if (!u.empty()) LookupValue(kTagUrl, u, fi, How::kExact, now_s, hits);
        }
        break;
      case FieldKind::kEmail:
        if (kinds & kKindEmail) {
          std::string_view e = NormalizeEmail(f.value, &buf);
          if (!e.empty()) LookupValue(kTagEmail, e, fi, How::kExact, now_s, hits);
        }
        break;
      case FieldKind::kHash:
        if (kinds & kKindHash) {
          HashAlgo algo;
          uint8_t digest[64];
          if (DigestAlgoByLength(f.value, &algo) && ParseDigest(f.value, DigestBytes(algo), digest)) {
            LookupKey(DigestKey(HashTag(algo, f.group), digest), fi, How::kExact, now_s, hits);
          }
        }
        break;
      case FieldKind::kGeneric:
        if ((kinds & kKindGeneric) && HasGeneric(f.generic->tag)) {
          LookupValue(f.generic->tag, f.value, fi, How::kExact, now_s, hits);
        }
        break;
    }
    if (slot != nullptr && hits->size() == before) {
      // Nothing live under this value in this snapshot at this second.
      slot->Set(version_, now_s, f.kind, f.value);
      if (recent != nullptr) *recent = *slot;
    }
  }
}

// ---- the matcher -------------------------------------------------------------------

namespace {

// Converts one compiler entry into keys. False when the entry cannot be
// indexed (the indicator then needs a scan).
bool AddEntry(const Seeds& seeds, const pattern::IndexEntry& e, uint32_t payload, KeySink sink,
              uint64_t* labels, uint32_t* kinds, std::vector<uint64_t>* generic) {
  const std::string& type = e.object_type;
  const std::vector<std::string>& path = e.path;
  const bool value_path = path.size() == 1 && path[0] == "value";
  const bool ref_value = path.size() == 2 && path[1] == "value" &&
                         (EndsWith(path[0], "_ref") || EndsWith(path[0], "_refs"));
  const bool addr_type = type == "ipv4-addr" || type == "ipv6-addr";
  const bool traffic_addr =
      type == "network-traffic" && ref_value && (path[0] == "src_ref" || path[0] == "dst_ref");
  if ((addr_type && value_path) || traffic_addr || e.kind == pattern::IndexKind::kCidr) {
    auto net = pattern::ParseIpNetwork(e.value);
    if (net) {
      if (!net->v6) {
        uint32_t a = (uint32_t{net->bytes[0]} << 24) | (uint32_t{net->bytes[1]} << 16) |
                     (uint32_t{net->bytes[2]} << 8) | net->bytes[3];
        if (net->prefix == 32) {
          sink.values->push_back({Ipv4Key(seeds, a), payload});
          *kinds |= kKindIpv4;
        } else {
          sink.v4->push_back(CidrIndex4::Block{a, net->prefix, payload});
        }
      } else {
        Uint128 a = 0;
        for (uint8_t b : net->bytes) a = (a << 8) | b;
        if (net->prefix == 128) {
          sink.values->push_back({Ipv6Key(seeds, a), payload});
          *kinds |= kKindIpv6;
        } else {
          sink.v6->push_back(CidrIndex6::Block{a, net->prefix, payload});
        }
      }
      return true;
    }
    if (e.kind == pattern::IndexKind::kCidr) return false;
  }
  // A value of a typed property that does not normalize (a "domain" with a
  // space, a hash of the wrong length) can never equal what the readers
  // extract; it falls through to the exact-string key of its path, so that
  // it costs a table slot, not an evaluation per event.
  if (e.kind == pattern::IndexKind::kHash) {
    auto algo = HashAlgoOf(e.algorithm);
    if (algo) {
      uint8_t digest[64];
      bool ok = ParseDigest(e.value, DigestBytes(*algo), digest);
      HashGroup g = type == "x509-certificate" ? HashGroup::kCert : HashGroup::kFile;
      if (ok) {
        sink.values->push_back({DigestKey(HashTag(*algo, g), digest), payload});
        *kinds |= kKindHash;
        return true;
      }
    }
  }
  std::string buf;
  if (type == "domain-name" && value_path) {
    std::string_view d = NormalizeDomain(e.value, &buf);
    if (!d.empty()) {
      sink.values->push_back({MakeKey(seeds, kTagDomain, d), payload});
      *labels |= uint64_t{1} << std::min(LabelCount(d), 63);
      *kinds |= kKindDomain;
      return true;
    }
  }
  if (type == "url" && value_path) {
    std::string u = NormalizeUrl(e.value);
    if (!u.empty()) {
      sink.values->push_back({MakeKey(seeds, kTagUrl, u), payload});
      *kinds |= kKindUrl;
      return true;
    }
  }
  if ((type == "email-addr" && value_path) || (type == "email-message" && ref_value)) {
    std::string_view m = NormalizeEmail(e.value, &buf);
    if (!m.empty()) {
      sink.values->push_back({MakeKey(seeds, kTagEmail, m), payload});
      *kinds |= kKindEmail;
      return true;
    }
  }
  // Any other property: its path, steps joined with dots.
  std::string p = type + ":";
  for (size_t i = 0; i < path.size(); ++i) p += (i ? "." : "") + path[i];
  uint64_t tag = GenericTag(p);
  sink.values->push_back({MakeKey(seeds, tag, e.value), payload});
  generic->push_back(tag);
  *kinds |= kKindGeneric;
  return true;
}

std::shared_ptr<IndexParts> BuildParts(std::vector<KeyedPayload>& values,
                                       std::vector<CidrIndex4::Block>& v4,
                                       std::vector<CidrIndex6::Block>& v6, uint64_t labels,
                                       uint32_t kinds, std::vector<uint64_t> generic) {
  auto parts = std::make_shared<IndexParts>();
  parts->values = ValueIndex::Build(values);
  parts->v4 = CidrIndex4::Build(v4);
  parts->v6 = CidrIndex6::Build(v6);
  parts->domain_labels = labels;
  parts->kinds = kinds;
  std::sort(generic.begin(), generic.end());
  generic.erase(std::unique(generic.begin(), generic.end()), generic.end());
  parts->generic_tags = std::move(generic);
  return parts;
}

}  // namespace

struct Matcher::Pending {
  std::vector<KeyedPayload> values;
  std::vector<CidrIndex4::Block> v4;
  std::vector<CidrIndex6::Block> v6;
  uint64_t labels = 0;
  uint32_t kinds = 0;
  std::vector<uint64_t> generic;
};

Matcher::Matcher(MatcherOptions options)
    : options_(options),
      clock_(options.clock ? options.clock : &SystemClock::Get()),
      seeds_(Seeds::Random()),
      tables_(std::make_shared<IndicatorTables>()),
      engine_(std::make_unique<PatternEngine>()),
      dead_(std::make_shared<std::vector<uint64_t>>()) {
  base_ = std::make_shared<IndexParts>();
  Publish();
}

Matcher::~Matcher() = default;

namespace {

uint64_t UuidHash(const UuidBytes& id) {
  uint64_t a, b;
  std::memcpy(&a, id.data(), 8);
  std::memcpy(&b, id.data() + 8, 8);
  return Fold(a ^ kMixB, b ^ kMixA);
}

bool SameUuid(const UuidBytes& x, const UuidBytes& y) {
  uint64_t a, b, c, d;
  std::memcpy(&a, x.data(), 8);
  std::memcpy(&b, x.data() + 8, 8);
  std::memcpy(&c, y.data(), 8);
  std::memcpy(&d, y.data() + 8, 8);
  return a == c && b == d;
}

// "indicator--" + canonical UUID text (either case); false otherwise.
bool ParseIndicatorId(std::string_view id, UuidBytes* out) {
  constexpr std::string_view kPrefix = "indicator--";
  if (id.size() != kPrefix.size() + 36 || id.compare(0, kPrefix.size(), kPrefix) != 0) return false;
  const char* p = id.data() + kPrefix.size();
  size_t n = 0;
  for (int i = 0; i < 36; ++i) {
    char c = p[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
      continue;
    }
    const int v = HexDigitValue(c);
    if (v < 0) return false;
    if (n % 2 == 0) {
      (*out)[n / 2] = static_cast<uint8_t>(v << 4);
    } else {
      (*out)[n / 2] |= static_cast<uint8_t>(v);
    }
    ++n;
  }
  return true;
}

}  // namespace

// The id table: open addressing over 64-bit slots holding 32 bits of the
// UUID's hash and the ordinal + 1 (0 = empty), so probes rarely touch the
// metadata. A slot's home follows from those 32 bits alone, so growing the
// table never reads the metadata either.
namespace {
size_t IdHome(uint32_t tag, size_t cap) {
  return static_cast<size_t>((uint64_t{tag} * cap) >> 32);
}
uint32_t IdTag(const UuidBytes& id) { return static_cast<uint32_t>(UuidHash(id) >> 32); }
// Linear probing, wrapping at the end.
size_t NextSlot(size_t i, size_t cap) { return i + 1 == cap ? 0 : i + 1; }
}  // namespace

uint32_t Matcher::FindOrdinal(const UuidBytes& id) const {
  if (id_slots_.empty()) return UINT32_MAX;
  const uint32_t tag = IdTag(id);
  const size_t cap = id_slots_.size();
  for (size_t i = IdHome(tag, cap);; i = NextSlot(i, cap)) {
    uint64_t s = id_slots_[i];
    if (s == 0) return UINT32_MAX;
    uint32_t o = static_cast<uint32_t>(s) - 1;
    if (static_cast<uint32_t>(s >> 32) == tag && SameUuid(tables_->meta[o].id, id)) return o;
  }
}

void Matcher::PrefetchOrdinal(const UuidBytes& id) const {
  if (!id_slots_.empty()) __builtin_prefetch(&id_slots_[IdHome(IdTag(id), id_slots_.size())]);
}

void Matcher::ReserveIds(size_t n) {
  // Load factor at most 0.75; growing by at least 1.5 keeps it above 0.5.
  if (n * 4 <= id_slots_.size() * 3) return;
  HugeVector<uint64_t> old = std::move(id_slots_);
  id_slots_.assign(std::max<size_t>({1024, n * 4 / 3 + 1, old.size() * 3 / 2}), 0);
  const size_t cap = id_slots_.size();
  for (uint64_t s : old) {
    if (s == 0) continue;
    size_t i = IdHome(static_cast<uint32_t>(s >> 32), cap);
    while (id_slots_[i] != 0) i = NextSlot(i, cap);
    id_slots_[i] = s;
  }
}

void Matcher::SetOrdinal(const UuidBytes& id, uint32_t ordinal) {
  ReserveIds(id_count_ + 1);
  const uint32_t tag = IdTag(id);
  const uint64_t slot = (uint64_t{tag} << 32) | (ordinal + 1);
  const size_t cap = id_slots_.size();
  for (size_t i = IdHome(tag, cap);; i = NextSlot(i, cap)) {
    uint64_t s = id_slots_[i];
    if (s == 0) {
      id_slots_[i] = slot;
      ++id_count_;
      return;
    }
    if (static_cast<uint32_t>(s >> 32) == tag &&
        SameUuid(tables_->meta[static_cast<uint32_t>(s) - 1].id, id)) {
      id_slots_[i] = slot;
      return;
    }
  }
}

ApplyStats Matcher::Apply(std::vector<IndicatorRecord> records) {
  std::lock_guard lock(mu_);
  ApplyStats stats;
  auto error = [&](const std::string& id, const std::string& msg) {
    if (stats.errors.size() < 100) stats.errors.push_back(id + ": " + msg);
  };
  // Within a batch, the newest version of each id wins: process in version
  // order so that older versions are stale by the time they come.
  std::vector<uint32_t> order(records.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  auto by_version = [&](uint32_t a, uint32_t b) {
    return records[a].modified_us < records[b].modified_us;
  };
  if (!std::is_sorted(order.begin(), order.end(), by_version)) {
    std::stable_sort(order.begin(), order.end(), by_version);
  }
  const bool first_build = base_->values.keys() == 0 && base_->v4.empty() &&
                           base_->v6.empty() && tables_->meta.size() == 0;
  Pending pending;
  // Room for every record at once: no growth (and rehashing) on the way.
  ReserveIds(id_count_ + records.size());
  if (modified_.capacity() < modified_.size() + records.size()) {
    // Geometric: follow mode applies many small batches.
    modified_.reserve(std::max(modified_.size() + records.size(), 2 * modified_.capacity()));
  }
  pending.values.reserve(records.size());
  auto kill = [&](uint32_t ordinal) {
    if (dead_.use_count() > 1) dead_ = std::make_shared<std::vector<uint64_t>>(*dead_);
    size_t word = ordinal >> 6;
    if (dead_->size() <= word) dead_->resize(word + 1 + word / 4, 0);
    uint64_t bit = uint64_t{1} << (ordinal & 63);
    if (((*dead_)[word] & bit) == 0) {
      (*dead_)[word] |= bit;
      ++dead_count_;
    }
    if (tables_->meta[ordinal].flags & kMetaComplex) engine_->Remove(ordinal);
  };
  auto push_meta = [&](const IndicatorRecord& r, const UuidBytes& uuid, uint8_t flags) {
    IndicatorMeta m;
    m.id = uuid;
    m.valid_from_s = SecondsUp(r.valid_from_us);
    m.valid_until_s = SecondsDown(r.valid_until_us);
    m.name = tables_->InternName(r.name);
    m.markings = tables_->InternMarkings(r.markings);
    m.confidence = static_cast<int8_t>(r.confidence);
    m.flags = flags;
    uint32_t ordinal = static_cast<uint32_t>(tables_->meta.Push(m));
    modified_.push_back(0);
    return ordinal;
  };
  // Ids are parsed kAhead records ahead and their id slots prefetched: a
  // large table lives in main memory.
  constexpr size_t kAhead = 8;
  struct Ahead {
    bool ok = false;
    UuidBytes uuid;
  };
  std::array<Ahead, kAhead> ahead;
  auto parse_ahead = [&](size_t k) {
    Ahead& a = ahead[k % kAhead];
    a.ok = ParseIndicatorId(records[order[k]].id, &a.uuid);
    if (a.ok) PrefetchOrdinal(a.uuid);
  };
  // Further ahead, the records' own texts (each in its own allocation).
  auto prefetch_record = [&](size_t k) {
    const IndicatorRecord& f = records[order[k]];
    __builtin_prefetch(f.id.data());
    __builtin_prefetch(f.pattern.data());
    __builtin_prefetch(f.name.data());
    if (!f.markings.empty()) __builtin_prefetch(f.markings.data());
  };
  pattern::IndexEntry simple;  // reused: FastSimpleEntry keeps its storage
  for (size_t k = 0; k < std::min(2 * kAhead, order.size()); ++k) prefetch_record(k);
  for (size_t k = 0; k < std::min(kAhead, order.size()); ++k) parse_ahead(k);
  for (size_t k = 0; k < order.size(); ++k) {
    IndicatorRecord& r = records[order[k]];
    const Ahead id = ahead[k % kAhead];
    if (k + 2 * kAhead < order.size()) prefetch_record(k + 2 * kAhead);
    if (k + kAhead < order.size()) parse_ahead(k + kAhead);
    if (tables_->meta.full() || tables_->meta.size() >= kOrdinalMask) {
      ++stats.invalid;
      error(r.id, "the index is full");
      continue;
    }
    const UuidBytes& uuid = id.uuid;
    if (!id.ok) {
      ++stats.invalid;
      error(r.id, "not an indicator id");
      continue;
    }
    uint32_t existing = FindOrdinal(uuid);
    if (existing != UINT32_MAX && modified_[existing] >= r.modified_us) {
      ++stats.stale;
      continue;
    }
    // Records that end the indicator: revoked, not STIX, or unusable.
    auto retire = [&](int64_t* counter) {
      ++*counter;
      if (existing != UINT32_MAX) kill(existing);
      uint32_t o = push_meta(r, uuid, 0);
      modified_[o] = r.modified_us;
      SetOrdinal(uuid, o);
      kill(o);
    };
    if (r.revoked) {
      retire(&stats.revoked);
      continue;
    }
    if (r.pattern_type != "stix") {
      retire(&stats.unsupported);
      continue;
    }
    // The commonest pattern, one equality, skips the parser.
    if (FastSimpleEntry(r.pattern, &simple)) {
      uint32_t ordinal = push_meta(r, uuid, 0);
      modified_[ordinal] = r.modified_us;
      KeySink sink{&pending.values, &pending.v4, &pending.v6};
      if (!AddEntry(seeds_, simple, ordinal, sink, &pending.labels, &pending.kinds,
                    &pending.generic)) {
        // Unreachable for valid simple patterns (AddEntry falls back to the
        // path's string key); kept so that a change there cannot lose it.
        auto pat = pattern::Parse(r.pattern);
        if (pat.ok()) {
          tables_->meta.Mutable(ordinal).flags |= kMetaComplex | kMetaScan;
          engine_->Add(ordinal, std::make_shared<pattern::Pattern>(std::move(*pat)), false);
          scan_list_.push_back(ordinal);
          ++stats.complex;
          ++stats.scan;
        }
      }
      if (existing != UINT32_MAX) {
        kill(existing);
        ++stats.replaced;
      } else {
        ++stats.added;
      }
      SetOrdinal(uuid, ordinal);
      continue;
    }
    pattern::ParseOptions po;
    po.spec_version = r.spec_version == "2.0" ? pattern::SpecVersion::k20 : pattern::SpecVersion::k21;
    auto parsed = pattern::Parse(r.pattern, po);
    if (!parsed.ok()) {
      error(r.id, parsed.error().message());
      retire(&stats.invalid);
      continue;
    }
    bool bad = false;
    for (const auto& d : pattern::Validate(*parsed)) {
      if (d.severity == pattern::Severity::kError) {
        error(r.id, d.ToString());
        bad = true;
        break;
      }
    }
    if (bad) {
      retire(&stats.invalid);
      continue;
    }
    auto pat = std::make_shared<pattern::Pattern>(std::move(*parsed));
    pattern::CompiledPattern compiled = pattern::CompileForIndex(*pat);
    const bool stateful = IsStateful(compiled);
    uint8_t flags = 0;
    // The entries to index, each with whether a hit proves the match.
    std::vector<std::pair<const pattern::IndexEntry*, bool>> entries;
    std::vector<pattern::CompiledPattern> sub;  // keeps per-observation entries alive
    std::vector<std::shared_ptr<pattern::Pattern>> sub_patterns;
    if (stateful) {
      // Events for any observation enter the window: index each
      // observation's own necessary entries.
      flags |= kMetaComplex;
      std::vector<const pattern::ObservationExpr*> obs;
      CollectObservations(pat->root(), &obs);
      for (const pattern::ObservationExpr* o : obs) {
        auto sp = pattern::Parse(pattern::ToString(*o), po);
        if (!sp.ok()) {
          flags |= kMetaScan;
          continue;
        }
        sub_patterns.push_back(std::make_shared<pattern::Pattern>(std::move(*sp)));
        sub.push_back(pattern::CompileForIndex(*sub_patterns.back()));
      }
      for (const auto& c : sub) {
        bool scan = c.disjuncts.empty();
        for (const auto& d : c.disjuncts) scan |= d.kind == pattern::DisjunctKind::kScan;
        if (scan) flags |= kMetaScan;
        for (const auto& e : c.entries) entries.emplace_back(&e, false);
      }
    } else {
      for (const auto& d : compiled.disjuncts) {
        if (d.kind != pattern::DisjunctKind::kExact) flags |= kMetaComplex;
        if (d.kind == pattern::DisjunctKind::kScan) flags |= kMetaScan;
      }
      for (const auto& e : compiled.entries) {
        entries.emplace_back(&e, compiled.disjuncts[e.disjunct].kind == pattern::DisjunctKind::kExact);
      }
    }
    uint32_t ordinal = push_meta(r, uuid, flags);
    modified_[ordinal] = r.modified_us;
    KeySink sink{&pending.values, &pending.v4, &pending.v6};
    for (const auto& [e, exact] : entries) {
      uint32_t payload = ordinal | (exact ? 0 : kNeedsEval);
      if (!AddEntry(seeds_, *e, payload, sink, &pending.labels, &pending.kinds, &pending.generic)) {
        // An entry the index cannot hold: fall back to evaluating always.
        tables_->meta.Mutable(ordinal).flags |= kMetaComplex | kMetaScan;
      }
    }
    uint8_t final_flags = tables_->meta[ordinal].flags;
    if (final_flags & kMetaComplex) {
      engine_->Add(ordinal, pat, stateful);
      ++stats.complex;
    }
    if (final_flags & kMetaScan) {
      scan_list_.push_back(ordinal);
      ++stats.scan;
    }
    if (existing != UINT32_MAX) {
      kill(existing);
      ++stats.replaced;
    } else {
      ++stats.added;
    }
    SetOrdinal(uuid, ordinal);
  }
  live_ += stats.added - stats.revoked - stats.unsupported - stats.invalid;
  if (first_build) {
    base_ = BuildParts(pending.values, pending.v4, pending.v6, pending.labels, pending.kinds,
                       std::move(pending.generic));
  } else if (!pending.values.empty() || !pending.v4.empty() || !pending.v6.empty()) {
    delta_values_.insert(delta_values_.end(), pending.values.begin(), pending.values.end());
    delta_v4_.insert(delta_v4_.end(), pending.v4.begin(), pending.v4.end());
    delta_v6_.insert(delta_v6_.end(), pending.v6.begin(), pending.v6.end());
    uint64_t labels = pending.labels | (delta_ ? delta_->domain_labels : 0);
    uint32_t kinds = pending.kinds | (delta_ ? delta_->kinds : 0);
    std::vector<uint64_t> generic = std::move(pending.generic);
    if (delta_) generic.insert(generic.end(), delta_->generic_tags.begin(), delta_->generic_tags.end());
    std::vector<KeyedPayload> values = delta_values_;
    delta_ = BuildParts(values, delta_v4_, delta_v6_, labels, kinds, std::move(generic));
    size_t delta_keys = delta_values_.size() + delta_v4_.size() + delta_v6_.size();
    if (delta_keys > std::max<size_t>(65536, base_->values.keys() / 8)) Merge();
  }
  // Drop retired indicators from the scan list.
  std::erase_if(scan_list_, [&](uint32_t o) {
    return (o >> 6) < dead_->size() && ((*dead_)[o >> 6] >> (o & 63) & 1);
  });
  Publish();
  return stats;
}

void Matcher::Merge() {
  auto is_dead = [&](uint32_t payload) {
    uint32_t o = payload & kOrdinalMask;
    return (o >> 6) < dead_->size() && ((*dead_)[o >> 6] >> (o & 63) & 1);
  };
  std::vector<KeyedPayload> values;
  values.reserve(base_->values.keys() + delta_values_.size());
  base_->values.ForEach([&](const Key& k, uint32_t p) {
    if (!is_dead(p)) values.push_back({k, p});
  });
  for (const auto& kp : delta_values_) {
    if (!is_dead(kp.payload)) values.push_back(kp);
  }
  std::vector<CidrIndex4::Block> v4;
  base_->v4.ForEach([&](uint32_t n, int prefix, uint32_t p) {
    if (!is_dead(p)) v4.push_back(CidrIndex4::Block{n, prefix, p});
  });
  for (const auto& b : delta_v4_) {
    if (!is_dead(b.payload)) v4.push_back(b);
  }
  std::vector<CidrIndex6::Block> v6;
  base_->v6.ForEach([&](Uint128 n, int prefix, uint32_t p) {
    if (!is_dead(p)) v6.push_back(CidrIndex6::Block{n, prefix, p});
  });
  for (const auto& b : delta_v6_) {
    if (!is_dead(b.payload)) v6.push_back(b);
  }
  uint64_t labels = base_->domain_labels | (delta_ ? delta_->domain_labels : 0);
  uint32_t kinds = base_->kinds | (delta_ ? delta_->kinds : 0);
  std::vector<uint64_t> generic = base_->generic_tags;
  if (delta_) generic.insert(generic.end(), delta_->generic_tags.begin(), delta_->generic_tags.end());
  base_ = BuildParts(values, v4, v6, labels, kinds, std::move(generic));
  delta_.reset();
  delta_values_.clear();
  delta_v4_.clear();
  delta_v6_.clear();
}

void Matcher::MergeForTest() {
  std::lock_guard lock(mu_);
  Merge();
  Publish();
}

void Matcher::Publish() {
  auto s = std::make_shared<Snapshot>();
  s->base_ = base_;
  s->delta_ = delta_;
  s->dead_ = dead_;
  s->scan_ = std::make_shared<const std::vector<uint32_t>>(scan_list_);
  s->tables_ = tables_;
  s->seeds_ = seeds_;
  s->limit_ = static_cast<uint32_t>(tables_->meta.size());
  s->version_ = ++version_;
  s->subdomains_ = options_.subdomains;
  std::atomic_store_explicit(&snapshot_, std::shared_ptr<const Snapshot>(std::move(s)),
                             std::memory_order_release);
}

std::string Matcher::IndicatorId(uint32_t ordinal) const {
  return "indicator--" + FormatUuid(tables_->meta[ordinal].id);
}
std::string_view Matcher::Name(uint32_t ordinal) const {
  return tables_->names[tables_->meta[ordinal].name];
}
const std::vector<std::string>& Matcher::Markings(uint32_t ordinal) const {
  return tables_->marking_lists[tables_->meta[ordinal].markings];
}
int Matcher::Confidence(uint32_t ordinal) const { return tables_->meta[ordinal].confidence; }

int64_t Matcher::live() const {
  std::lock_guard lock(mu_);
  return static_cast<int64_t>(tables_->meta.size()) - dead_count_;
}

size_t Matcher::MemoryBytes() const {
  std::lock_guard lock(mu_);
  size_t n = tables_->MemoryBytes() + base_->MemoryBytes() + (delta_ ? delta_->MemoryBytes() : 0);
  n += id_slots_.capacity() * 8 + modified_.capacity() * 8 + dead_->capacity() * 8;
  n += (delta_values_.capacity() * sizeof(KeyedPayload)) + scan_list_.capacity() * 4;
  return n;
}

}  // namespace kizuna::match
