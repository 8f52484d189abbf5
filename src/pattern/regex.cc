#include "pattern/regex.h"

#include <re2/re2.h>

namespace kizuna::pattern {

StixRegex::~StixRegex() = default;

namespace {

// UTF-8 -> Latin-1, or false when a code point is above U+00FF.
bool ToLatin1(std::string_view utf8, std::string* out) {
  out->clear();
  for (size_t i = 0; i < utf8.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < utf8.size()) {
      unsigned char d = static_cast<unsigned char>(utf8[i + 1]);
      out->push_back(static_cast<char>(((c & 0x03) << 6) | (d & 0x3F)));
      ++i;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<std::shared_ptr<const StixRegex>> StixRegex::Compile(std::string_view pattern) {
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_encoding(RE2::Options::EncodingUTF8);
  // Bound the memory of one expression (RE2 falls back to slower NFA
  // matching rather than failing when its DFA cache fills).
  opts.set_max_mem(8 << 20);
  std::shared_ptr<StixRegex> rx(new StixRegex());
  rx->utf8_ = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), opts);
  if (!rx->utf8_->ok()) {
    return InvalidArgument(rx->utf8_->error());
  }
  std::string latin1;
  if (ToLatin1(pattern, &latin1)) {
    RE2::Options lopts = opts;
    lopts.set_encoding(RE2::Options::EncodingLatin1);
    auto l = std::make_unique<RE2>(latin1, lopts);
    if (l->ok()) rx->latin1_ = std::move(l);
  }
  return std::shared_ptr<const StixRegex>(std::move(rx));
}

bool StixRegex::SearchText(std::string_view text) const {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *utf8_);
}

bool StixRegex::SearchBytes(std::string_view bytes) const {
  if (!latin1_) return false;
  return RE2::PartialMatch(re2::StringPiece(bytes.data(), bytes.size()), *latin1_);
}

}  // namespace kizuna::pattern
