// Plain lines: one value per line, or one column of a CSV file (RFC 4180
// quoting).
#include "match/reader.h"

namespace kizuna::match {

namespace {

bool AllHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

// The `column`-th (1-based) field of a CSV line; false when it has fewer.
bool CsvColumn(std::string_view line, int column, char delim, std::string* out) {
  int col = 1;
  size_t i = 0;
  while (i <= line.size()) {
    std::string cell;
    if (i < line.size() && line[i] == '"') {
      ++i;
      for (; i < line.size(); ++i) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            cell += '"';
            ++i;
          } else {
            ++i;
            break;
          }
        } else {
          cell += line[i];
        }
      }
      while (i < line.size() && line[i] != delim) ++i;
    } else {
      size_t e = line.find(delim, i);
      if (e == std::string_view::npos) e = line.size();
      cell.assign(line.substr(i, e - i));
      i = e;
    }
    if (col == column) {
      *out = std::move(cell);
      return true;
    }
    ++col;
    if (i >= line.size()) break;
    ++i;  // the delimiter
  }
  return false;
}

class LinesReader final : public LogReader {
 public:
  explicit LinesReader(const ReaderOptions& o) : options_(o) {}
  std::unique_ptr<LogReader> Clone() const override {
    return std::make_unique<LinesReader>(options_);
  }

  LineStatus Parse(std::string_view line, size_t, Event* ev, std::string* error) override {
    ev->Clear();
    if (options_.csv_column > 0) {
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) return LineStatus::kSkip;
      std::string cell;
      if (!CsvColumn(line, options_.csv_column, options_.csv_delimiter, &cell)) {
        *error = "no column " + std::to_string(options_.csv_column);
        return LineStatus::kMalformed;
      }
      line = ev->Keep(cell);
    }
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') return LineStatus::kSkip;
    uint32_t v4;
    Uint128 v6;
    if (ParseIpv4(line, &v4) || (line.find(':') != std::string_view::npos &&
                                 line.find('/') == std::string_view::npos && ParseIpv6(line, &v6))) {
      ev->Add(FieldKind::kIp, "value", line);
      return LineStatus::kEvent;
    }
    if (line.find(' ') != std::string_view::npos || line.find('\t') != std::string_view::npos) {
      *error = "not a single value";
      return LineStatus::kMalformed;
    }
    if (line.find("://") != std::string_view::npos) {
      ev->Add(FieldKind::kUrl, "value", line);
      std::string u = NormalizeUrl(line);
      std::string_view host = UrlHost(u);
      if (!host.empty()) ev->Add(FieldKind::kHost, "value.host", ev->Keep(host));
      return LineStatus::kEvent;
    }
    if (line.find('@') != std::string_view::npos) {
      ev->Add(FieldKind::kEmail, "value", line);
      return LineStatus::kEvent;
    }
    HashAlgo algo;
    if (AllHex(line) && DigestAlgoByLength(line, &algo)) {
      ev->AddHash("value", line, HashGroup::kFile);
      return LineStatus::kEvent;
    }
    if (line.find('/') != std::string_view::npos) {
      // host/path without a scheme.
      ev->Add(FieldKind::kUrl, "value", line);
      std::string u = NormalizeUrl(line);
      std::string_view host = UrlHost(u);
      if (!host.empty()) ev->Add(FieldKind::kHost, "value.host", ev->Keep(host));
      return LineStatus::kEvent;
    }
    std::string buf;
    if (line.find('.') != std::string_view::npos && !NormalizeDomain(line, &buf).empty()) {
      ev->Add(FieldKind::kDomain, "value", line);
      return LineStatus::kEvent;
    }
    *error = "not an address, domain, URL, email address or hash";
    return LineStatus::kMalformed;
  }

 private:
  ReaderOptions options_;
};

}  // namespace

std::unique_ptr<LogReader> MakeLinesReader(const ReaderOptions& options) {
  return std::make_unique<LinesReader>(options);
}

}  // namespace kizuna::match
