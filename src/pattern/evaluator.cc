#include "pattern/evaluator.h"

#include <algorithm>
#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <unordered_map>

#include "core/encoding.h"
#include "pattern/ip.h"
#include "pattern/lexer.h"
#include "pattern/regex.h"
#include "pattern/unicode.h"

namespace kizuna::pattern {

namespace json = boost::json;

namespace {

// A non-owning reference to a callable (no allocation, unlike std::function).
template <typename Sig>
class FunctionRef;
template <typename R, typename... A>
class FunctionRef<R(A...)> {
 public:
  template <typename F>
  FunctionRef(F& f)  // NOLINT: implicit by design
      : obj_(&f), call_([](void* o, A... a) -> R { return (*static_cast<F*>(o))(a...); }) {}
  R operator()(A... a) const { return call_(obj_, a...); }

 private:
  void* obj_;
  R (*call_)(void*, A...);
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view TypeOf(const json::object& o) {
  auto it = o.find("type");
  if (it == o.end() || !it->value().is_string()) return {};
  return {it->value().get_string().data(), it->value().get_string().size()};
}

// UTF-8 text -> bytes, each code point one byte; false above U+00FF.
// STIX 2.1 §9.4: a string compares with binary data only when every
// character fits in a byte.
bool TextToLatin1(std::string_view utf8, std::string* out) {
  out->clear();
  for (size_t i = 0; i < utf8.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < utf8.size()) {
      out->push_back(
          static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(utf8[i + 1]) & 0x3F)));
      ++i;
    } else {
      return false;
    }
  }
  return true;
}

// The value a path selected, ready for an operator.
struct Operand {
  enum Kind : uint8_t { kString, kInt, kDouble, kBool, kBytes, kOther } kind = kOther;
  std::string_view str;  // kString, kBytes
  int64_t i = 0;
  double d = 0;
  bool b = false;
  bool address = false;  // the value of an ipv4-addr / ipv6-addr
};

// Decodes one code point of valid UTF-8 at s[*i], advancing *i.
void NextCodePoint(std::string_view s, size_t* i) {
  unsigned char c = static_cast<unsigned char>(s[*i]);
  size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
  *i = std::min(s.size(), *i + len);
}

// SQL LIKE (STIX 2.1 §9.4): % any run of characters, _ exactly one; the
// whole value must match; case-sensitive. Greedy with one backtrack point,
// so O(len(text) * len(pattern)) at worst.
bool LikeMatch(std::string_view text, std::string_view pat) {
  size_t t = 0, p = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pat.size() && pat[p] == '%') {
      star_p = ++p;
      star_t = t;
      continue;
    }
    if (p < pat.size() && pat[p] == '_') {
      NextCodePoint(text, &t);
      NextCodePoint(pat, &p);
      continue;
    }
    if (p < pat.size()) {
      size_t pn = p, tn = t;
      NextCodePoint(pat, &pn);
      NextCodePoint(text, &tn);
      if (pn - p == tn - t && text.substr(t, tn - t) == pat.substr(p, pn - p)) {
        p = pn;
        t = tn;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    NextCodePoint(text, &star_t);
    t = star_t;
  }
  while (p < pat.size() && pat[p] == '%') ++p;
  return p == pat.size();
}

int Sign(auto x) { return (x > 0) - (x < 0); }

// Precomputed per-comparison data.
struct Prepared {
  std::shared_ptr<const StixRegex> regex;  // kMatches
  std::optional<IpNetwork> net;            // value constant as an address or CIDR block
  std::string latin1;                      // string constant as bytes
  bool latin1_ok = false;
  std::string nfc;  // kLike: the pattern in NFC
};

class Matcher {
 public:
  Matcher(const ObservationExpr& root, const ObservationSet& set, const EvalOptions& o)
      : root_(root), set_(set), options_(o) {}

  Result<EvalResult> Run() {
    RETURN_IF_ERROR(Prepare(root_));
    int64_t need = BindingSize(root_);
    if (need > options_.max_binding_size) {
      return ResourceExhausted(
          std::string("the pattern needs ") + std::to_string(need) +
          " observations for one match (REPEATS multiplies); the evaluator's limit is " +
          std::to_string(options_.max_binding_size));
    }
    // Phase 1: which observations satisfy each bracketed observation expression.
    RETURN_IF_ERROR(FindCandidates(root_));
    // Phase 2: search for a binding of distinct observations.
    used_.assign(set_.size(), 0);
    stack_.clear();
    EvalResult result;
    std::vector<uint32_t> found;
    auto done = [&]() {
      found = stack_;
      return true;
    };
    result.matched = Solve(root_, root_.qualifiers.size(), done);
    if (!error_.ok()) return error_;
    if (result.matched) {
      std::sort(found.begin(), found.end());
      found.erase(std::unique(found.begin(), found.end()), found.end());
      result.observations.assign(found.begin(), found.end());
    }
    return result;
  }

 private:
  // ---- Preparation -------------------------------------------------------

  Status Prepare(const ObservationExpr& e) {
    if (e.kind == ObsOp::kObservation) return PrepareComp(*e.comparison);
    for (const ObservationExpr* c : e.children) RETURN_IF_ERROR(Prepare(*c));
    return Status::Ok();
  }

  Status PrepareComp(const ComparisonExpr& e) {
    if (e.kind != BoolOp::kTest) {
      for (const ComparisonExpr* c : e.children) RETURN_IF_ERROR(PrepareComp(*c));
      return Status::Ok();
    }
    const Comparison& c = *e.test;
    Prepared& p = prepared_[&c];
    if (c.op == Operator::kIn && !c.set.empty()) {
      auto num = [](ConstantType t) {
        return t == ConstantType::kInteger || t == ConstantType::kFloat;
      };
      for (const Constant& k : c.set) {
        if (k.type != c.set[0].type && !(num(k.type) && num(c.set[0].type))) {
          return InvalidArgument("the IN set of " + ToString(c.path) + " mixes " +
                                 std::string(ConstantTypeName(c.set[0].type)) + " and " +
                                 std::string(ConstantTypeName(k.type)) + " constants");
        }
      }
    }
    if (c.op == Operator::kIn || c.op == Operator::kExists) return Status::Ok();
    if (c.value.type == ConstantType::kString) {
      p.latin1_ok = TextToLatin1(c.value.bytes, &p.latin1);
      p.net = ParseIpNetwork(c.value.bytes);
    }
    if (c.op == Operator::kLike) p.nfc = ToNfc(c.value.bytes);
    if (c.op == Operator::kMatches) {
      // The OASIS matcher matches NFC text against the NFC expression.
      auto rx = StixRegex::Compile(ToNfc(c.value.bytes));
      if (!rx.ok()) {
        return InvalidArgument("MATCHES " + ToString(c.value) +
                               " is not valid RE2 syntax: " + rx.error().message());
      }
      p.regex = *rx;
    }
    if ((c.op == Operator::kIsSubset || c.op == Operator::kIsSuperset) && !p.net) {
      return InvalidArgument(ToString(c.value) + " is not an IP address or CIDR block, so " +
                             std::string(OperatorText(c.op)) + " cannot use it");
    }
    return Status::Ok();
  }

  int64_t BindingSize(const ObservationExpr& e) const {
    int64_t n = 0;
    switch (e.kind) {
      case ObsOp::kObservation:
        n = 1;
        break;
      case ObsOp::kGroup:
        n = BindingSize(*e.children[0]);
        break;
      case ObsOp::kOr:
        for (const ObservationExpr* c : e.children) n = std::max(n, BindingSize(*c));
        break;
      default:
        for (const ObservationExpr* c : e.children)
          n = std::min<int64_t>(n + BindingSize(*c), INT64_MAX / 4);
    }
    for (const Qualifier& q : e.qualifiers) {
      if (q.kind == QualifierKind::kRepeats) {
        n = q.repeats > 0 && n > (INT64_MAX / 4) / q.repeats ? INT64_MAX / 4 : n * q.repeats;
      }
    }
    return n;
  }

  Status FindCandidates(const ObservationExpr& e) {
    if (e.kind != ObsOp::kObservation) {
      for (const ObservationExpr* c : e.children) RETURN_IF_ERROR(FindCandidates(*c));
      return Status::Ok();
    }
    std::vector<uint32_t>& out = candidates_[&e];
    const auto& all = set_.observations();
    for (uint32_t i = 0; i < all.size(); ++i) {
      const Observation& obs = all[i];
      for (const json::object* root : obs.objects) {
        bool ok = EvalComp(*e.comparison, *root, obs);
        if (!error_.ok()) return error_;
        if (ok) {
          out.push_back(i);
          break;
        }
      }
    }
    return Status::Ok();
  }

  // ---- Comparison expressions on one root SCO ----------------------------

  bool EvalComp(const ComparisonExpr& e, const json::object& root, const Observation& obs) {
    switch (e.kind) {
      case BoolOp::kTest:
        return EvalTest(*e.test, root, obs);
      case BoolOp::kAnd:
        for (const ComparisonExpr* c : e.children) {
          if (!EvalComp(*c, root, obs)) return false;
        }
        return true;
      case BoolOp::kOr:
        for (const ComparisonExpr* c : e.children) {
          if (EvalComp(*c, root, obs)) return true;
        }
        return false;
    }
    return false;
  }

  // A position in the object graph while walking a path.
  struct Node {
    const json::value* value = nullptr;                      // a JSON value, or
    const json::object* object = nullptr;                    // a dereferenced SCO, or
    const std::vector<const json::object*>* refs = nullptr;  // a dereferenced *_refs list
  };

  bool EvalTest(const Comparison& c, const json::object& root, const Observation& obs) {
    if (TypeOf(root) != c.path.object_type) return false;
    const Prepared* p =
        c.op == Operator::kIn || c.op == Operator::kExists ? nullptr : &prepared_[&c];
    if (c.op == Operator::kExists) {
      bool any = false;
      auto pred = [&](const Node&, std::string_view, std::string_view) {
        any = true;
        return true;
      };
      Walk(c.path, 0, Node{nullptr, &root, nullptr}, {}, {}, obs, pred);
      return any != c.negated;
    }
    auto pred = [&](const Node& n, std::string_view key, std::string_view owner) {
      Operand v;
      std::string scratch;
      MakeOperand(n, key, owner, &v, &scratch);
      std::optional<bool> r = Test(c, p, v);
      if (!error_.ok()) return true;  // stop walking
      // No result (an order comparison of incomparable types) is false
      // whether or not the operator is negated.
      return r.has_value() && *r != c.negated;
    };
    bool r = Walk(c.path, 0, Node{nullptr, &root, nullptr}, {}, {}, obs, pred);
    return r && error_.ok();
  }

  using Pred = FunctionRef<bool(const Node&, std::string_view, std::string_view)>;

  // Calls pred on each value the path selects from `n` until it returns
  // true. `key` is the last property stepped through and `owner` the type of
  // the object it belongs to (for *_hex/*_bin decoding and address values).
  bool Walk(const ObjectPath& path, size_t step, const Node& n, std::string_view key,
            std::string_view owner, const Observation& obs, Pred pred) {
    if (step == path.steps.size()) {
      return pred(n, key, owner);
    }
    const PathStep& s = path.steps[step];
    if (s.kind == StepKind::kKey) {
      const json::object* o = n.object;
      if (o == nullptr && n.value != nullptr && n.value->is_object()) o = &n.value->get_object();
      if (o == nullptr) return false;
      auto it = o->find(s.key);
      if (it == o->end()) return false;
      const json::value& v = it->value();
      std::string_view owner_type = TypeOf(*o);
      // STIX 2.1 §9.3.1: a reference property is followed to the object it
      // names, in the same observed-data.
      if (EndsWith(s.key, "_ref") && v.is_string()) {
        const json::object* target = obs.Resolve({v.get_string().data(), v.get_string().size()});
        if (target == nullptr) return false;
        return Walk(path, step + 1, Node{nullptr, target, nullptr}, s.key, owner_type, obs, pred);
      }
      if (EndsWith(s.key, "_refs") && v.is_array()) {
        std::vector<const json::object*> targets;
        for (const json::value& r : v.get_array()) {
          if (!r.is_string()) continue;
          const json::object* t = obs.Resolve({r.get_string().data(), r.get_string().size()});
          if (t != nullptr) targets.push_back(t);
        }
        if (targets.empty()) return false;
        return Walk(path, step + 1, Node{nullptr, nullptr, &targets}, s.key, owner_type, obs, pred);
      }
      return Walk(path, step + 1, Node{&v, nullptr, nullptr}, s.key, owner_type, obs, pred);
    }
    // A list index step.
    if (n.refs != nullptr) {
      const auto& list = *n.refs;
      if (s.kind == StepKind::kAnyIndex) {
        for (const json::object* o : list) {
          if (Walk(path, step + 1, Node{nullptr, o, nullptr}, key, owner, obs, pred)) return true;
        }
        return false;
      }
      if (s.index < 0 || static_cast<uint64_t>(s.index) >= list.size()) return false;
      return Walk(path, step + 1, Node{nullptr, list[static_cast<size_t>(s.index)], nullptr}, key,
                  owner, obs, pred);
    }
    if (n.value == nullptr || !n.value->is_array()) return false;
    const json::array& a = n.value->get_array();
    if (s.kind == StepKind::kAnyIndex) {
      for (const json::value& e : a) {
        if (Walk(path, step + 1, Node{&e, nullptr, nullptr}, key, owner, obs, pred)) return true;
      }
      return false;
    }
    if (s.index < 0 || static_cast<uint64_t>(s.index) >= a.size()) return false;
    return Walk(path, step + 1, Node{&a[static_cast<size_t>(s.index)], nullptr, nullptr}, key,
                owner, obs, pred);
  }

  static void MakeOperand(const Node& n, std::string_view key, std::string_view owner, Operand* out,
                          std::string* scratch) {
    if (n.value == nullptr) return;  // an object or list of objects: not comparable
    const json::value& v = *n.value;
    if (v.is_string()) {
      std::string_view s(v.get_string().data(), v.get_string().size());
      // STIX 2.1 §3.x: *_hex and *_bin properties hold binary data.
      if (EndsWith(key, "_hex")) {
        if (auto bytes = HexDecode(s)) {
          *scratch = std::move(*bytes);
          out->kind = Operand::kBytes;
          out->str = *scratch;
          return;
        }
      } else if (EndsWith(key, "_bin")) {
        if (auto bytes = Base64Decode(s)) {
          *scratch = std::move(*bytes);
          out->kind = Operand::kBytes;
          out->str = *scratch;
          return;
        }
      }
      out->kind = Operand::kString;
      out->str = s;
      out->address = key == "value" && (owner == "ipv4-addr" || owner == "ipv6-addr");
    } else if (v.is_int64()) {
      out->kind = Operand::kInt;
      out->i = v.get_int64();
    } else if (v.is_uint64()) {
      if (v.get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
        out->kind = Operand::kInt;
        out->i = static_cast<int64_t>(v.get_uint64());
      } else {
        out->kind = Operand::kDouble;
        out->d = static_cast<double>(v.get_uint64());
      }
    } else if (v.is_double()) {
      out->kind = Operand::kDouble;
      out->d = v.get_double();
    } else if (v.is_bool()) {
      out->kind = Operand::kBool;
      out->b = v.get_bool();
    }
  }

  // ---- Operators -----------------------------------------------------------

  // Reads a string value as a timestamp for comparison with a t'' constant.
  std::optional<Timestamp> ValueTimestamp(const Operand& v) {
    Result<Timestamp> ts = ParseTimestamp(v.str);
    if (!ts.ok()) {
      error_ =
          InvalidArgument(std::string("the value '") + std::string(v.str.substr(0, 64)) +
                          "' is compared with a timestamp but is not one: " + ts.error().message());
      return std::nullopt;
    }
    return *ts;
  }

  // Three-way comparison of numbers; nullopt when not both numbers.
  static std::optional<int> CompareNumbers(const Operand& v, const Constant& c) {
    if (c.type == ConstantType::kInteger) {
      if (v.kind == Operand::kInt) return v.i < c.integer ? -1 : v.i > c.integer ? 1 : 0;
      if (v.kind == Operand::kDouble) {
        long double a = v.d, b = static_cast<long double>(c.integer);
        return a < b ? -1 : a > b ? 1 : 0;
      }
    } else if (c.type == ConstantType::kFloat) {
      if (v.kind == Operand::kInt) {
        long double a = static_cast<long double>(v.i), b = c.real;
        return a < b ? -1 : a > b ? 1 : 0;
      }
      if (v.kind == Operand::kDouble) return v.d < c.real ? -1 : v.d > c.real ? 1 : 0;
    }
    return std::nullopt;
  }

  // Three-way comparison for the order operators and equality; nullopt when
  // the types do not compare (the operator is then false).
  std::optional<int> Compare(const Operand& v, const Constant& c, const Prepared* p) {
    switch (c.type) {
      case ConstantType::kInteger:
      case ConstantType::kFloat:
        return CompareNumbers(v, c);
      case ConstantType::kBoolean:
        if (v.kind != Operand::kBool) return std::nullopt;
        return v.b == c.boolean ? 0 : (v.b ? 1 : -1);
      case ConstantType::kTimestamp: {
        if (v.kind != Operand::kString) return std::nullopt;
        std::optional<Timestamp> ts = ValueTimestamp(v);
        if (!ts) return std::nullopt;
        return *ts < c.timestamp ? -1 : *ts == c.timestamp ? 0 : 1;
      }
      case ConstantType::kString:
        if (v.kind == Operand::kString) return Sign(v.str.compare(c.bytes));
        if (v.kind == Operand::kBytes) {
          std::string tmp;
          std::string_view bytes;
          if (p != nullptr) {
            if (!p->latin1_ok) return std::nullopt;
            bytes = p->latin1;
          } else {
            if (!TextToLatin1(c.bytes, &tmp)) return std::nullopt;
            bytes = tmp;
          }
          return Sign(v.str.compare(bytes));
        }
        return std::nullopt;
      case ConstantType::kBinary:
      case ConstantType::kHex:
        if (v.kind == Operand::kBytes) return Sign(v.str.compare(c.bytes));
        if (v.kind == Operand::kString) {
          std::string tmp;
          if (!TextToLatin1(v.str, &tmp)) return std::nullopt;
          return Sign(std::string_view(tmp).compare(c.bytes));
        }
        return std::nullopt;
    }
    return std::nullopt;
  }

  bool EqualTo(const Operand& v, const Constant& c, const Prepared* p) {
    // '=' on ipv4-addr/ipv6-addr values compares networks (STIX 2.1 §6.7,
    // §6.8: the value may be a CIDR block), so '10.0.0.1' = '10.0.0.1/32'.
    if (v.address && c.type == ConstantType::kString) {
      std::optional<IpNetwork> cn = p != nullptr ? p->net : ParseIpNetwork(c.bytes);
      if (cn) {
        if (auto vn = ParseIpNetwork(v.str)) return *vn == *cn;
      }
    }
    std::optional<int> r = Compare(v, c, p);
    return r && *r == 0;
  }

  // The operator's result for one value, before NOT; nullopt when the
  // operands cannot be ordered (STIX 2.1 §9.4: then the comparison is false,
  // and so is its negation).
  std::optional<bool> Test(const Comparison& c, const Prepared* p, const Operand& v) {
    switch (c.op) {
      case Operator::kEqual:
        return EqualTo(v, c.value, p);
      case Operator::kNotEqual:
        // Values of other types are unequal: != holds (STIX 2.1 §9.4).
        return !EqualTo(v, c.value, p);
      case Operator::kLess:
      case Operator::kLessOrEqual:
      case Operator::kGreater:
      case Operator::kGreaterOrEqual: {
        if (v.kind == Operand::kBool) return std::nullopt;
        std::optional<int> r = Compare(v, c.value, p);
        if (!r) return std::nullopt;
        switch (c.op) {
          case Operator::kLess:
            return *r < 0;
          case Operator::kLessOrEqual:
            return *r <= 0;
          case Operator::kGreater:
            return *r > 0;
          default:
            return *r >= 0;
        }
      }
      case Operator::kIn:
        for (const Constant& k : c.set) {
          if (EqualTo(v, k, nullptr)) return true;
          if (!error_.ok()) return false;
        }
        return false;
      case Operator::kLike:
        // LIKE and MATCHES compare NFC forms, so precomposed and decomposed
        // spellings of the same text match (as the OASIS matcher does).
        if (v.kind == Operand::kString || (v.kind == Operand::kBytes && IsValidUtf8(v.str))) {
          if (!MayNeedNfc(v.str)) return LikeMatch(v.str, p->nfc);
          return LikeMatch(ToNfc(v.str), p->nfc);
        }
        return false;
      case Operator::kMatches:
        if (v.kind == Operand::kString) {
          if (!MayNeedNfc(v.str)) return p->regex->SearchText(v.str);
          return p->regex->SearchText(ToNfc(v.str));
        }
        if (v.kind == Operand::kBytes) return p->regex->SearchBytes(v.str);
        return false;
      case Operator::kIsSubset:
      case Operator::kIsSuperset: {
        if (v.kind != Operand::kString) return false;
        std::optional<IpNetwork> vn = ParseIpNetwork(v.str);
        if (!vn) return false;
        return c.op == Operator::kIsSubset ? p->net->Contains(*vn) : vn->Contains(*p->net);
      }
      case Operator::kExists:
        return true;
    }
    return false;
  }

  // ---- Binding search ------------------------------------------------------

  using Cont = FunctionRef<bool()>;

  bool Step() {
    if (++steps_ > options_.max_steps) {
      if (error_.ok()) {
        error_ = ResourceExhausted(
            std::string("evaluation stopped after ") + std::to_string(options_.max_steps) +
            " candidate bindings: the pattern combines too many observations (the "
            "evaluator's combinatorial limit)");
      }
      return false;
    }
    return true;
  }

  // Binds `e` with its first `nq` qualifiers applied; calls k for each
  // binding (pushed on stack_) until k returns true.
  bool Solve(const ObservationExpr& e, size_t nq, Cont k) {
    if (!error_.ok()) return false;
    if (nq == 0) return SolveBase(e, k);
    const Qualifier& q = e.qualifiers[nq - 1];
    size_t begin = stack_.size();
    if (q.kind == QualifierKind::kRepeats) {
      return SolveRepeat(e, nq - 1, q.repeats, begin, begin, k);
    }
    // WITHIN and START/STOP only get harder as observations are added, so
    // they are checked at every observation bound inside this subtree
    // (pruning early) and switched off while the continuation binds the rest
    // of the pattern.
    size_t idx = constraints_.size();
    constraints_.push_back(Constraint{&q, begin, true});
    auto outside = [&]() {
      constraints_[idx].enabled = false;
      bool r = k();
      constraints_[idx].enabled = true;
      return r;
    };
    bool r = Solve(e, nq - 1, outside);
    constraints_.pop_back();
    return r;
  }

  // True when the binding so far satisfies every enabled constraint.
  bool ConstraintsHold() const {
    for (const Constraint& c : constraints_) {
      if (!c.enabled) continue;
      if (c.q->kind == QualifierKind::kWithin) {
        if (!Within(c.begin, c.q->within_micros)) return false;
      } else if (!InWindow(stack_.size() - 1, c.q->start.timestamp, c.q->stop.timestamp)) {
        return false;
      }
    }
    return true;
  }

  // Binds `count` more disjoint copies of e (with nq qualifiers). The copies
  // are generated in non-decreasing order of their bindings, which loses no
  // solution (copies are interchangeable) and avoids trying permutations.
  bool SolveRepeat(const ObservationExpr& e, size_t nq, int64_t count, size_t begin,
                   size_t prev_begin, Cont k) {
    if (count == 0) return k();
    size_t mine = stack_.size();
    auto next = [&]() {
      if (mine != begin) {
        // Compare this copy's binding [mine, end) with the previous [prev_begin, mine).
        if (std::lexicographical_compare(stack_.begin() + static_cast<ptrdiff_t>(mine),
                                         stack_.end(),
                                         stack_.begin() + static_cast<ptrdiff_t>(prev_begin),
                                         stack_.begin() + static_cast<ptrdiff_t>(mine))) {
          return false;
        }
      }
      return SolveRepeat(e, nq, count - 1, begin, mine, k);
    };
    return Solve(e, nq, next);
  }

  bool SolveBase(const ObservationExpr& e, Cont k) {
    switch (e.kind) {
      case ObsOp::kObservation: {
        const std::vector<uint32_t>& cands = candidates_[&e];
        const auto& all = set_.observations();
        for (uint32_t i : cands) {
          if (used_[i] >= all[i].number_observed) continue;
          if (!Step()) return false;
          ++used_[i];
          stack_.push_back(i);
          bool ok = ConstraintsHold() && k();
          stack_.pop_back();
          --used_[i];
          if (ok) return true;
          if (!error_.ok()) return false;
        }
        return false;
      }
      case ObsOp::kGroup:
        return Solve(*e.children[0], e.children[0]->qualifiers.size(), k);
      case ObsOp::kOr:
        for (const ObservationExpr* c : e.children) {
          if (Solve(*c, c->qualifiers.size(), k)) return true;
          if (!error_.ok()) return false;
        }
        return false;
      case ObsOp::kAnd:
      case ObsOp::kFollowedBy: {
        std::vector<size_t> bounds(e.children.size() + 1);
        return SolveSeq(e, 0, INT64_MIN, e.kind == ObsOp::kFollowedBy, &bounds, k);
      }
    }
    return false;
  }

  // Binds children [i, n) of an AND or FOLLOWEDBY node; bounds[j] is where
  // child j's binding begins on stack_. For FOLLOWEDBY, `max_first` is the
  // latest first_observed bound so far: every later observation must be
  // able to come at or after it, i.e. its last_observed is not earlier
  // (times may be chosen anywhere in [first, last]).
  bool SolveSeq(const ObservationExpr& e, size_t i, int64_t max_first, bool ordered,
                std::vector<size_t>* bounds, Cont k) {
    if (i == e.children.size()) return k();
    const ObservationExpr& c = *e.children[i];
    (*bounds)[i] = stack_.size();
    auto next = [&]() {
      size_t begin = (*bounds)[i];
      int64_t m = max_first;
      if (ordered) {
        const auto& all = set_.observations();
        for (size_t j = begin; j < stack_.size(); ++j) {
          if (all[stack_[j]].last_observed < max_first) return false;
        }
        for (size_t j = begin; j < stack_.size(); ++j) {
          m = std::max(m, all[stack_[j]].first_observed);
        }
      } else {
        // AND of structurally equal children: their bindings are
        // interchangeable, so only non-decreasing ones are tried.
        int twin = Twins(e)[i];
        if (twin >= 0) {
          auto base = stack_.begin();
          size_t tb = (*bounds)[static_cast<size_t>(twin)];
          size_t te = (*bounds)[static_cast<size_t>(twin) + 1];
          if (std::lexicographical_compare(base + static_cast<ptrdiff_t>(begin), stack_.end(),
                                           base + static_cast<ptrdiff_t>(tb),
                                           base + static_cast<ptrdiff_t>(te))) {
            return false;
          }
        }
      }
      (*bounds)[i + 1] = stack_.size();
      return SolveSeq(e, i + 1, m, ordered, bounds, k);
    };
    return Solve(c, c.qualifiers.size(), next);
  }

  const std::vector<int>& Twins(const ObservationExpr& e) {
    auto it = twins_.find(&e);
    if (it != twins_.end()) return it->second;
    std::vector<int> tw(e.children.size(), -1);
    for (size_t x = 1; x < e.children.size(); ++x) {
      for (size_t y = x; y-- > 0;) {
        if (Equal(*e.children[x], *e.children[y])) {
          tw[x] = static_cast<int>(y);
          break;
        }
      }
    }
    return twins_.emplace(&e, std::move(tw)).first->second;
  }

  // WITHIN: some window of `micros` overlaps every bound observation's
  // [first, last] interval: the latest first is at most `micros` after the
  // earliest last.
  bool Within(size_t begin, int64_t micros) const {
    const auto& all = set_.observations();
    int64_t max_first = INT64_MIN, min_last = INT64_MAX;
    for (size_t j = begin; j < stack_.size(); ++j) {
      max_first = std::max(max_first, all[stack_[j]].first_observed);
      min_last = std::min(min_last, all[stack_[j]].last_observed);
    }
    if (max_first <= min_last) return true;
    return max_first - min_last <= micros;
  }

  // START/STOP: each bound observation can have happened in [start, stop).
  bool InWindow(size_t begin, const Timestamp& start, const Timestamp& stop) const {
    if (!(start < stop)) return false;
    const auto& all = set_.observations();
    for (size_t j = begin; j < stack_.size(); ++j) {
      const Observation& o = all[stack_[j]];
      Timestamp first{o.first_observed, 0, 0};
      Timestamp last{o.last_observed, 0, 0};
      if (!(first < stop) || last < start) return false;
    }
    return true;
  }

  const ObservationExpr& root_;
  const ObservationSet& set_;
  const EvalOptions& options_;
  std::unordered_map<const Comparison*, Prepared> prepared_;
  std::unordered_map<const ObservationExpr*, std::vector<uint32_t>> candidates_;
  std::vector<int64_t> used_;
  std::vector<uint32_t> stack_;
  struct Constraint {
    const Qualifier* q;  // WITHIN or START/STOP
    size_t begin;        // where the qualified subtree's binding starts in stack_
    bool enabled;
  };
  std::vector<Constraint> constraints_;
  // For each AND child: the earlier sibling it is structurally equal to (its
  // bindings are interchangeable, so only non-decreasing ones are tried).
  std::unordered_map<const ObservationExpr*, std::vector<int>> twins_;
  uint64_t steps_ = 0;
  Status error_;
};

}  // namespace

Result<EvalResult> Evaluate(const Pattern& pattern, const ObservationSet& observations,
                            const EvalOptions& options) {
  return Matcher(pattern.root(), observations, options).Run();
}

Result<EvalResult> EvaluateExpr(const Pattern& pattern, const ObservationExpr& expr,
                                const ObservationSet& observations, const EvalOptions& options) {
  (void)pattern;  // owns expr; keeps the lifetime contract visible in the signature
  return Matcher(expr, observations, options).Run();
}

}  // namespace kizuna::pattern
