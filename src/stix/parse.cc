// ParseJson: Boost.JSON's parser with a handler that also catches duplicate
// member names, which boost::json::parse silently merges (last one wins).

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <charconv>
#include <string>

#include "stix/bundle.h"
#include "stix/object.h"

namespace kizuna::stix {
namespace {

namespace json = boost::json;

// The default DOM-building handler (boost/json/detail/handler.hpp) plus a
// record of how many members each object had in the text, in the order the
// objects end (post-order).
struct CountingHandler {
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack st;
  uint32_t inline_counts[64];
  std::vector<uint32_t> more_counts;
  size_t objects = 0;

  // The value stack works in `temp` and overflows into `sp`.
  CountingHandler(json::storage_ptr sp, unsigned char* temp, size_t temp_size)
      : st(std::move(sp), temp, temp_size) {}

  void Record(std::size_t n) {
    uint32_t c = static_cast<uint32_t>(n);
    if (objects < 64) {
      inline_counts[objects] = c;
    } else {
      more_counts.push_back(c);
    }
    ++objects;
  }
  uint32_t Count(size_t i) const { return i < 64 ? inline_counts[i] : more_counts[i - 64]; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) { return true; }
  bool on_object_end(std::size_t n, json::error_code&) {
    st.push_object(n);
    Record(n);
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t n, json::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    st.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view text, json::error_code&) {
    // Boost.JSON 1.81 may round long mantissas 1 ulp off; re-read the text
    // with the correctly rounded std::from_chars (RFC 8785 canonical forms
    // depend on the exact double).
    double exact;
    auto r = std::from_chars(text.data(), text.data() + text.size(), exact);
    if (r.ec == std::errc() && r.ptr == text.data() + text.size()) d = exact;
    st.push_double(d);
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }
};

// Walks the DOM in the order the parser ended its objects; any object smaller
// than its member count in the text lost a duplicate member.
bool NoDuplicates(const json::value& v, const CountingHandler& h, size_t* next, int depth) {
  if (depth > kMaxDepth + 1) return false;
  if (v.is_array()) {
    for (const json::value& e : v.get_array()) {
      if (!NoDuplicates(e, h, next, depth + 1)) return false;
    }
  } else if (v.is_object()) {
    for (const auto& kv : v.get_object()) {
      if (!NoDuplicates(kv.value(), h, next, depth + 1)) return false;
    }
    if (*next >= h.objects || h.Count(*next) != v.get_object().size()) return false;
    ++*next;
  }
  return true;
}

}  // namespace

Result<boost::json::value> ParseJson(std::string_view text, boost::json::storage_ptr sp) {
  json::parse_options opt;
  opt.max_depth = kMaxDepth;
  // The parser's working stack lives here, not on the heap.
  alignas(16) unsigned char temp[4096];
  json::basic_parser<CountingHandler> p(opt, sp, temp, sizeof temp);
  p.handler().st.reset(std::move(sp));
  json::error_code ec;
  size_t n = p.write_some(false, text.data(), text.size(), ec);
  if (!ec && n < text.size()) ec = json::error::extra_data;
  if (ec) {
    return InvalidArgument("malformed JSON: " + ec.message() + " at byte " + std::to_string(n));
  }
  json::value v = p.handler().st.release();
  size_t next = 0;
  if (!NoDuplicates(v, p.handler(), &next, 0) || next != p.handler().objects) {
    return InvalidArgument("malformed JSON: an object has two members with the same name");
  }
  return v;
}

Result<ObjectInfo> ValidateObjectJson(std::string_view text, const ValidateOptions& options,
                                      std::vector<Diagnostic>* diagnostics) {
  // Typical objects (under a few KB) parse entirely inside this buffer.
  alignas(16) unsigned char buffer[16384];
  json::monotonic_resource mr(buffer, sizeof buffer);
  Result<json::value> v = ParseJson(text, &mr);
  if (!v.ok()) return v.error();
  if (!v->is_object()) return InvalidArgument("a STIX object must be a JSON object");
  return ValidateObject(v->get_object(), options, diagnostics);
}

}  // namespace kizuna::stix
