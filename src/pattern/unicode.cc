#include "pattern/unicode.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace kizuna::pattern {

namespace {

struct CccEntry {
  char32_t cp;
  uint8_t ccc;
};
struct DecompEntry {
  char32_t cp, first, second;  // second is 0 for a singleton
};
struct ComposeEntry {
  char32_t first, second, composite;
};

#include "pattern/unicode_data.inc"

// Hangul (Unicode §3.12) is decomposed and composed algorithmically.
constexpr char32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr char32_t kLCount = 19, kVCount = 21, kTCount = 28;
constexpr char32_t kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

uint8_t Ccc(char32_t c) {
  if (c < 0x300) return 0;
  auto it = std::lower_bound(std::begin(kCcc), std::end(kCcc), c,
                             [](const CccEntry& e, char32_t x) { return e.cp < x; });
  return it != std::end(kCcc) && it->cp == c ? it->ccc : 0;
}

void Decompose(char32_t c, std::vector<char32_t>* out) {
  if (c >= kSBase && c < kSBase + kSCount) {
    char32_t s = c - kSBase;
    out->push_back(kLBase + s / kNCount);
    out->push_back(kVBase + (s % kNCount) / kTCount);
    if (s % kTCount != 0) out->push_back(kTBase + s % kTCount);
    return;
  }
  if (c >= 0xC0) {
    auto it = std::lower_bound(std::begin(kDecomp), std::end(kDecomp), c,
                               [](const DecompEntry& e, char32_t x) { return e.cp < x; });
    if (it != std::end(kDecomp) && it->cp == c) {
      Decompose(it->first, out);
      if (it->second != 0) Decompose(it->second, out);
      return;
    }
  }
  out->push_back(c);
}

char32_t Compose(char32_t a, char32_t b) {
  if (a >= kLBase && a < kLBase + kLCount && b >= kVBase && b < kVBase + kVCount) {
    return kSBase + ((a - kLBase) * kVCount + (b - kVBase)) * kTCount;
  }
  if (a >= kSBase && a < kSBase + kSCount && (a - kSBase) % kTCount == 0 && b > kTBase &&
      b < kTBase + kTCount) {
    return a + (b - kTBase);
  }
  auto it =
      std::lower_bound(std::begin(kCompose), std::end(kCompose), std::pair{a, b},
                       [](const ComposeEntry& e, std::pair<char32_t, char32_t> x) {
                         return e.first < x.first || (e.first == x.first && e.second < x.second);
                       });
  if (it != std::end(kCompose) && it->first == a && it->second == b) return it->composite;
  return 0;
}

// Decodes UTF-8; an invalid byte becomes itself as a code point in the
// private range 0x110000+ so that it is copied back unchanged.
std::vector<char32_t> Decode(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80             ? 1
                 : (c & 0xE0) == 0xC0 ? 2
                 : (c & 0xF0) == 0xE0 ? 3
                 : (c & 0xF8) == 0xF0 ? 4
                                      : 0;
    bool ok = len > 0 && i + len <= s.size();
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; ok && k < len; ++k) {
      unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if (!ok) {
      out.push_back(0x110000 + c);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

void Encode(char32_t c, std::string* out) {
  if (c >= 0x110000) {
    out->push_back(static_cast<char>(c - 0x110000));
  } else if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

}  // namespace

bool MayNeedNfc(std::string_view utf8) {
  // Code points below U+0300 encode with lead bytes below 0xCC.
  for (char c : utf8) {
    if (static_cast<unsigned char>(c) >= 0xCC) return true;
  }
  return false;
}

std::string ToNfc(std::string_view utf8) {
  if (!MayNeedNfc(utf8)) return std::string(utf8);
  std::vector<char32_t> in = Decode(utf8);
  std::vector<char32_t> d;
  d.reserve(in.size() + 8);
  for (char32_t c : in) Decompose(c, &d);
  // Canonical ordering: stable sort each run of non-starters by class.
  for (size_t i = 0; i < d.size();) {
    if (Ccc(d[i]) == 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < d.size() && Ccc(d[j]) != 0) ++j;
    std::stable_sort(d.begin() + static_cast<ptrdiff_t>(i), d.begin() + static_cast<ptrdiff_t>(j),
                     [](char32_t a, char32_t b) { return Ccc(a) < Ccc(b); });
    i = j;
  }
  // Canonical composition.
  std::vector<char32_t> out;
  out.reserve(d.size());
  ptrdiff_t starter = -1;
  for (char32_t c : d) {
    uint8_t cc = Ccc(c);
    if (starter >= 0) {
      bool adjacent = static_cast<ptrdiff_t>(out.size()) - 1 == starter;
      uint8_t last = adjacent ? 0 : Ccc(out.back());
      if (adjacent || (last != 0 && last < cc)) {
        if (char32_t comp = Compose(out[static_cast<size_t>(starter)], c)) {
          out[static_cast<size_t>(starter)] = comp;
          continue;
        }
      }
    }
    out.push_back(c);
    if (cc == 0) starter = static_cast<ptrdiff_t>(out.size()) - 1;
  }
  std::string s;
  s.reserve(utf8.size());
  for (char32_t c : out) Encode(c, &s);
  return s;
}

}  // namespace kizuna::pattern
