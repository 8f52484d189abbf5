#include "match/indicator.h"

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdio>
#include <simdjson.h>

#include "core/time.h"
#include "stix/bundle.h"

namespace kizuna::match {

namespace od = simdjson::ondemand;

struct IndicatorParser::Impl {
  od::parser parser;
  std::string buffer;  // padded copy of the input
};

IndicatorParser::IndicatorParser() : impl_(std::make_unique<Impl>()) {}
IndicatorParser::~IndicatorParser() = default;

namespace {

Result<int64_t> TimeOf(std::string_view text, std::string_view what) {
  auto t = ParseTimestamp(text);
  if (!t.ok()) return InvalidArgument(std::string(what) + ": " + t.error().message());
  return t->micros;
}

}  // namespace

Result<std::optional<IndicatorRecord>> IndicatorParser::Parse(std::string_view json) {
  std::string& buf = impl_->buffer;
  buf.assign(json);
  buf.append(simdjson::SIMDJSON_PADDING, '\0');
  IndicatorRecord r;
  bool is_indicator = false, has_type = false;
  std::string created, modified, valid_from, valid_until;
  try {
    od::document doc = impl_->parser.iterate(buf.data(), json.size(), buf.size());
    od::object obj = doc.get_object();
    for (auto field : obj) {
      std::string_view key = field.unescaped_key();
      od::value v = field.value();
      if (key == "type") {
        has_type = true;
        is_indicator = std::string_view(v.get_string()) == "indicator";
        if (!is_indicator) return std::optional<IndicatorRecord>();
      } else if (key == "id") {
        r.id = std::string_view(v.get_string());
      } else if (key == "spec_version") {
        r.spec_version = std::string_view(v.get_string());
      } else if (key == "name") {
        r.name = std::string_view(v.get_string());
      } else if (key == "pattern") {
        r.pattern = std::string_view(v.get_string());
      } else if (key == "pattern_type") {
        r.pattern_type = std::string_view(v.get_string());
      } else if (key == "created") {
        created = std::string_view(v.get_string());
      } else if (key == "modified") {
        modified = std::string_view(v.get_string());
      } else if (key == "valid_from") {
        valid_from = std::string_view(v.get_string());
      } else if (key == "valid_until") {
        valid_until = std::string_view(v.get_string());
      } else if (key == "revoked") {
        r.revoked = v.get_bool();
      } else if (key == "confidence") {
        int64_t c = v.get_int64();
        if (c >= 0 && c <= 100) r.confidence = static_cast<int>(c);
      } else if (key == "object_marking_refs") {
        for (auto m : v.get_array()) r.markings.emplace_back(std::string_view(m.get_string()));
      }
    }
  } catch (const simdjson::simdjson_error& e) {
    return InvalidArgument(std::string("malformed JSON: ") + e.what());
  }
  if (!has_type) return InvalidArgument("object without type");
  if (r.id.empty()) return InvalidArgument("indicator without id");
  if (r.pattern.empty()) return InvalidArgument(r.id + ": indicator without pattern");
  if (r.spec_version.empty()) r.spec_version = "2.0";
  if (!modified.empty()) {
    ASSIGN_OR_RETURN(r.modified_us, TimeOf(modified, "modified"));
  } else if (!created.empty()) {
    ASSIGN_OR_RETURN(r.modified_us, TimeOf(created, "created"));
  }
  if (!valid_from.empty()) {
    ASSIGN_OR_RETURN(r.valid_from_us, TimeOf(valid_from, "valid_from"));
  }
  if (!valid_until.empty()) {
    ASSIGN_OR_RETURN(r.valid_until_us, TimeOf(valid_until, "valid_until"));
  }
  return std::optional<IndicatorRecord>(std::move(r));
}

namespace {

Result<std::string> Gunzip(std::string_view data, const std::string& path) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Internal("zlib init failed");
  std::string out;
  out.resize(data.size() * 4 + 4096);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  for (;;) {
    if (zs.total_out >= out.size()) out.resize(out.size() * 2);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + zs.total_out);
    zs.avail_out = static_cast<uInt>(out.size() - zs.total_out);
    int rc = inflate(&zs, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      // Concatenated gzip members (as `cat a.gz b.gz` makes) continue.
      if (zs.avail_in > 0) {
        if (inflateReset(&zs) != Z_OK) break;
        continue;
      }
      break;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      inflateEnd(&zs);
      return InvalidArgument(path + ": corrupt gzip data");
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      inflateEnd(&zs);
      return InvalidArgument(path + ": truncated gzip data");
    }
  }
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
}

Result<std::string> Unzstd(std::string_view data, const std::string& path) {
  ZSTD_DStream* ds = ZSTD_createDStream();
  if (ds == nullptr) return Internal("zstd init failed");
  std::string out;
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  std::string chunk(ZSTD_DStreamOutSize(), '\0');
  size_t rc = 0;
  while (in.pos < in.size) {
    ZSTD_outBuffer o{chunk.data(), chunk.size(), 0};
    rc = ZSTD_decompressStream(ds, &o, &in);
    if (ZSTD_isError(rc)) {
      ZSTD_freeDStream(ds);
      return InvalidArgument(path + ": corrupt zstd data: " + ZSTD_getErrorName(rc));
    }
    out.append(chunk.data(), o.pos);
  }
  ZSTD_freeDStream(ds);
  if (rc != 0) return InvalidArgument(path + ": truncated zstd data");
  return out;
}

}  // namespace

Result<std::string> ReadFileDecompressed(const std::string& path) {
  std::string data;
  FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (f == nullptr) return IoError("cannot read " + path);
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
  bool err = std::ferror(f) != 0;
  if (f != stdin) std::fclose(f);
  if (err) return IoError("error reading " + path);
  auto u = [&](size_t i) { return static_cast<unsigned char>(data[i]); };
  if (data.size() >= 2 && u(0) == 0x1f && u(1) == 0x8b) return Gunzip(data, path);
  if (data.size() >= 4 && u(0) == 0x28 && u(1) == 0xb5 && u(2) == 0x2f && u(3) == 0xfd) {
    return Unzstd(data, path);
  }
  return data;
}

void ReadIndicators(std::string_view data, std::string_view file_name,
                    const std::function<void(IndicatorRecord&&)>& sink,
                    IndicatorFileStats* stats) {
  IndicatorParser parser;
  auto error = [&](const std::string& where, const std::string& msg) {
    ++stats->error_count;
    if (stats->errors.size() < 100) stats->errors.push_back(where + ": " + msg);
  };
  auto one = [&](std::string_view obj, const std::string& where) {
    ++stats->objects;
    auto r = parser.Parse(obj);
    if (!r.ok()) {
      error(where, r.error().message());
      return;
    }
    if (!r->has_value()) return;
    ++stats->indicators;
    sink(std::move(**r));
  };
  size_t first = data.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return;
  // A whole-file bundle or envelope: one JSON value spanning lines.
  size_t nl = data.find('\n', first);
  bool one_line_object = false;
  if (nl != std::string_view::npos) {
    std::string_view line = data.substr(first, nl - first);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    one_line_object = !line.empty() && line.front() == '{' && line.back() == '}' &&
                      data.find_first_not_of(" \t\r\n", nl) != std::string_view::npos;
  }
  if (!one_line_object) {
    auto whole = stix::SplitObjects(data);
    if (whole.ok()) {
      for (const auto& o : *whole) one(o.bytes, std::string(file_name));
      return;
    }
    if (nl == std::string_view::npos) {
      // A single object that is no bundle.
      std::string_view obj = data.substr(first);
      one(obj, std::string(file_name));
      return;
    }
  }
  // JSON lines: objects or bundles.
  size_t start = 0;
  int64_t line_no = 0;
  while (start < data.size()) {
    size_t end = data.find('\n', start);
    if (end == std::string_view::npos) end = data.size();
    std::string_view line = data.substr(start, end - start);
    start = end + 1;
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty()) continue;
    std::string where = std::string(file_name) + ":" + std::to_string(line_no);
    if (line.find("\"bundle\"") != std::string_view::npos &&
        line.find("\"objects\"") != std::string_view::npos) {
      auto inner = stix::SplitObjects(line);
      if (inner.ok()) {
        for (const auto& o : *inner) one(o.bytes, where);
        continue;
      }
    }
    one(line, where);
  }
}

}  // namespace kizuna::match
