#include "pattern/validator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <unordered_map>

#include "pattern/ip.h"
#include "pattern/regex.h"
#include "pattern/sco_schema.h"

namespace kizuna::pattern {

namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string_view QualifierName(QualifierKind k) {
  switch (k) {
    case QualifierKind::kWithin:
      return "WITHIN";
    case QualifierKind::kRepeats:
      return "REPEATS";
    case QualifierKind::kStartStop:
      return "START/STOP";
  }
  return "?";
}

// Compiling the expression is the dearest step of validation, and feeds
// repeat the same expressions, so each thread remembers recent verdicts.
// Returns RE2's reason when `rx` does not compile, else null.
const std::string* RegexError(std::string_view rx) {
  thread_local std::unordered_map<std::string, std::string> verdicts;  // "" = ok
  auto it = verdicts.find(std::string(rx));
  if (it == verdicts.end()) {
    if (verdicts.size() >= 4096) verdicts.clear();
    auto compiled = StixRegex::Compile(rx);
    it = verdicts.emplace(std::string(rx), compiled.ok() ? "" : compiled.error().message()).first;
  }
  return it->second.empty() ? nullptr : &it->second;
}

constexpr auto kHexDigit = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[static_cast<size_t>(c)] = true;
  for (int c = 'a'; c <= 'f'; ++c) t[static_cast<size_t>(c)] = true;
  for (int c = 'A'; c <= 'F'; ++c) t[static_cast<size_t>(c)] = true;
  return t;
}();

bool IsNumber(ConstantType t) { return t == ConstantType::kInteger || t == ConstantType::kFloat; }

class Validator {
 public:
  Validator(const Pattern& p, const ValidateOptions& o) : p_(p), options_(o) {}

  std::vector<Diagnostic> Run() {
    VisitObs(p_.root());
    std::stable_sort(out_.begin(), out_.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.offset < b.offset; });
    return std::move(out_);
  }

 private:
  void Report(uint32_t offset, Severity s, std::string msg) {
    if (options_.strict) s = Severity::kError;
    out_.push_back(MakeDiagnostic(p_.text(), offset, s, std::move(msg)));
  }
  void Error(uint32_t offset, std::string msg) { Report(offset, Severity::kError, std::move(msg)); }
  void Warn(uint32_t offset, std::string msg) {
    Report(offset, Severity::kWarning, std::move(msg));
  }

  std::string_view Text(SourceSpan s) const { return p_.text().substr(s.begin, s.end - s.begin); }

  // ---- Observation level ---------------------------------------------------

  void VisitObs(const ObservationExpr& e) {
    bool seen[3] = {false, false, false};
    for (const Qualifier& q : e.qualifiers) {
      CheckQualifier(q);
      auto k = static_cast<size_t>(q.kind);
      // The OASIS 2.1 validator's rule (cti-pattern-validator): one kind of
      // qualifier at most once directly after one bracketed observation;
      // parentheses are needed to apply a second one. STIX 2.0 had no such
      // rule (its matcher tests chain REPEATS twice).
      if (p_.spec_version() == SpecVersion::k21 && e.kind == ObsOp::kObservation && seen[k]) {
        Error(q.span.begin, std::string(QualifierName(q.kind)) +
                                " is applied twice to the same observation expression; put "
                                "parentheses around it before qualifying it again");
      }
      seen[k] = true;
    }
    if (e.kind == ObsOp::kObservation) {
      VisitComp(*e.comparison);
      return;
    }
    for (const ObservationExpr* c : e.children) VisitObs(*c);
  }

  void CheckQualifier(const Qualifier& q) {
    switch (q.kind) {
      case QualifierKind::kWithin: {
        double v = q.within.type == ConstantType::kInteger ? static_cast<double>(q.within.integer)
                                                           : q.within.real;
        // STIX 2.1 §9.5: the WITHIN duration is a positive number of seconds.
        if (!(v > 0)) {
          Error(q.within.span.begin, "WITHIN needs a duration greater than zero, found " +
                                         std::string(Text(q.within.span)));
        }
        return;
      }
      case QualifierKind::kRepeats:
        // STIX 2.1 §9.5: REPEATS takes a positive integer.
        if (q.repeats < 1) {
          Error(q.span.begin,
                "REPEATS needs a count of at least 1, found " + std::to_string(q.repeats));
        }
        return;
      case QualifierKind::kStartStop:
        // STIX 2.1 §9.5: START is inclusive and STOP exclusive, so STOP must
        // be later than START or no observation can fall in the window.
        if (!(q.start.timestamp < q.stop.timestamp)) {
          Error(q.stop.span.begin, std::string("START ") + std::string(Text(q.start.span)) +
                                       " must be earlier than STOP " +
                                       std::string(Text(q.stop.span)) +
                                       " (START is inclusive and STOP exclusive)");
        }
        return;
    }
  }

  // ---- Comparison level ----------------------------------------------------

  // True if a comparison under `e` is about object type `t`.
  static bool Mentions(const ComparisonExpr& e, std::string_view t) {
    if (e.kind == BoolOp::kTest) return e.test->path.object_type == t;
    for (const ComparisonExpr* c : e.children) {
      if (Mentions(*c, t)) return true;
    }
    return false;
  }

  // True if some object type named under `first` is named by every other
  // child of `and_node` too.
  static bool SharedType(const ComparisonExpr& first, const ComparisonExpr& and_node) {
    if (first.kind != BoolOp::kTest) {
      for (const ComparisonExpr* c : first.children) {
        if (SharedType(*c, and_node)) return true;
      }
      return false;
    }
    std::string_view t = first.test->path.object_type;
    for (size_t i = 1; i < and_node.children.size(); ++i) {
      if (!Mentions(*and_node.children[i], t)) return false;
    }
    return true;
  }

  void VisitComp(const ComparisonExpr& e) {
    if (e.kind == BoolOp::kTest) {
      CheckComparison(*e.test);
      return;
    }
    // STIX 2.1 §9.2: comparisons joined by AND in one observation expression
    // must all hold for the same object. If the children name disjoint
    // object types, nothing can satisfy them.
    if (e.kind == BoolOp::kAnd && !SharedType(*e.children[0], e)) {
      Warn(e.span.begin,
           "comparisons joined by AND inside one observation must all hold for the same "
           "object, but they name different object types, so this can never match (use "
           "separate observations: [a] AND [b])");
    }
    for (const ComparisonExpr* c : e.children) VisitComp(*c);
  }

  void CheckComparison(const Comparison& c) {
    const ObjectPath& path = c.path;
    const PropertyDef* prop = CheckPath(path);
    switch (c.op) {
      case Operator::kIn:
        CheckSet(c);
        for (const Constant& k : c.set) CheckAgainstProperty(c, prop, k);
        CheckHash(c);
        break;
      case Operator::kEqual:
      case Operator::kNotEqual:
        CheckAgainstProperty(c, prop, c.value);
        CheckHash(c);
        break;
      case Operator::kLess:
      case Operator::kLessOrEqual:
      case Operator::kGreater:
      case Operator::kGreaterOrEqual:
        CheckAgainstProperty(c, prop, c.value);
        if (prop != nullptr && prop->type == PropertyType::kBoolean) {
          Warn(c.op_span.begin, ToString(path) + " is a boolean, which has no order, so " +
                                    std::string(OperatorText(c.op)) + " can never match");
        }
        break;
      case Operator::kLike:
      case Operator::kMatches:
        if (c.op == Operator::kMatches) {
          if (const std::string* why = RegexError(c.value.bytes)) {
            Error(c.value.span.begin, std::string("the MATCHES expression ") +
                                          std::string(Text(c.value.span)) +
                                          " is not valid RE2 syntax: " + *why);
          }
        }
        if (prop != nullptr && !IsStringLike(prop->type)) {
          Warn(c.op_span.begin, ToString(path) + " is not a string, so " +
                                    std::string(OperatorText(c.op)) + " can never match it");
        }
        break;
      case Operator::kIsSubset:
      case Operator::kIsSuperset:
        if (!ParseIpNetwork(c.value.bytes)) {
          Error(c.value.span.begin, std::string(Text(c.value.span)) +
                                        " is not an IPv4 or IPv6 address or CIDR block, so " +
                                        std::string(OperatorText(c.op)) + " cannot use it");
        }
        break;
      case Operator::kExists:
        break;
    }
  }

  static bool IsStringLike(PropertyType t) {
    return t == PropertyType::kString || t == PropertyType::kBinary || t == PropertyType::kHex ||
           t == PropertyType::kTimestamp || t == PropertyType::kStringList ||
           t == PropertyType::kDictionary;
  }

  // Checks the object type and property names; returns the definition of
  // the property the path ends at when the schema knows it.
  const PropertyDef* CheckPath(const ObjectPath& path) {
    std::string_view type = path.object_type;
    SpecVersion v = p_.spec_version();
    const ScoDef* sco = FindSco(type, v);
    if (sco == nullptr) {
      if (!StartsWith(type, "x-")) {
        Warn(path.span.begin, std::string("'") + std::string(type) + "' is not a STIX " +
                                  std::string(SpecVersionName(v)) +
                                  " Cyber-observable Object type (custom types start with 'x-')");
      }
      return nullptr;
    }
    const PathStep& first = path.steps[0];
    const PropertyDef* prop = FindProperty(*sco, first.key, v);
    if (prop == nullptr) {
      if (!StartsWith(first.key, "x_")) {
        Warn(first.span.begin, std::string("the STIX ") + std::string(SpecVersionName(v)) + " '" +
                                   std::string(type) + "' object has no property '" +
                                   std::string(first.key) +
                                   "' (custom properties start with 'x_')");
      }
      return nullptr;
    }
    if (prop->type == PropertyType::kExtensions && path.steps.size() >= 3 &&
        path.steps[1].kind == StepKind::kKey && path.steps[2].kind == StepKind::kKey) {
      std::string_view ext = path.steps[1].key;
      std::span<const PropertyDef> props = FindExtension(type, ext);
      if (props.empty()) return nullptr;  // custom or unknown extension: not checked
      for (const PropertyDef& d : props) {
        if (d.name == path.steps[2].key) return path.steps.size() == 3 ? &d : nullptr;
      }
      if (!StartsWith(path.steps[2].key, "x_")) {
        Warn(path.steps[2].span.begin, std::string("the '") + std::string(ext) +
                                           "' extension has no property '" +
                                           std::string(path.steps[2].key) + "'");
      }
      return nullptr;
    }
    if (path.steps.size() == 1) return prop;
    if (prop->type == PropertyType::kHashes && path.steps.size() == 2) {
      static constexpr PropertyDef kHashValue{"hash", PropertyType::kString};
      return &kHashValue;
    }
    if ((prop->type == PropertyType::kStringList) && path.steps.size() == 2 &&
        path.steps[1].kind != StepKind::kKey) {
      static constexpr PropertyDef kElement{"element", PropertyType::kString};
      return &kElement;
    }
    return nullptr;
  }

  // Warns when the constant's type can never equal a value of the property's
  // type (the evaluator then answers false, per STIX 2.1 §9.4).
  void CheckAgainstProperty(const Comparison& c, const PropertyDef* prop, const Constant& k) {
    if (prop == nullptr) return;
    bool ok = true;
    switch (prop->type) {
      case PropertyType::kInteger:
      case PropertyType::kFloat:
        ok = IsNumber(k.type);
        break;
      case PropertyType::kBoolean:
        ok = k.type == ConstantType::kBoolean;
        break;
      case PropertyType::kString:
      case PropertyType::kStringList:
        ok = k.type == ConstantType::kString || k.type == ConstantType::kBinary ||
             k.type == ConstantType::kHex;
        break;
      case PropertyType::kTimestamp:
        ok = k.type == ConstantType::kTimestamp || k.type == ConstantType::kString;
        break;
      case PropertyType::kBinary:
      case PropertyType::kHex:
        ok = k.type == ConstantType::kBinary || k.type == ConstantType::kHex ||
             k.type == ConstantType::kString;
        break;
      default:
        return;
    }
    if (!ok) {
      std::string ptype;
      switch (prop->type) {
        case PropertyType::kInteger:
          ptype = "an integer";
          break;
        case PropertyType::kFloat:
          ptype = "a number";
          break;
        case PropertyType::kBoolean:
          ptype = "a boolean";
          break;
        case PropertyType::kTimestamp:
          ptype = "a timestamp";
          break;
        case PropertyType::kBinary:
          ptype = "binary";
          break;
        case PropertyType::kHex:
          ptype = "hex binary";
          break;
        default:
          ptype = "a string";
          break;
      }
      Warn(k.span.begin, ToString(c.path) + " is " + ptype + ", so comparing it with the " +
                             std::string(ConstantTypeName(k.type)) + " " +
                             std::string(Text(k.span)) + " can never match");
    }
  }

  void CheckSet(const Comparison& c) {
    if (c.set.empty()) {
      Warn(c.op_span.begin,
           "IN () is an empty set, so " +
               std::string(c.negated ? "NOT IN () always matches" : "IN () can never match"));
      return;
    }
    // The set's constants must share one type; integers and floats mix.
    const Constant& first = c.set[0];
    for (const Constant& k : c.set.subspan(1)) {
      bool same = k.type == first.type || (IsNumber(k.type) && IsNumber(first.type));
      if (!same) {
        Error(k.span.begin, std::string("the IN set mixes ") +
                                std::string(ConstantTypeName(first.type)) + " and " +
                                std::string(ConstantTypeName(k.type)) +
                                " constants; all members must have the same type");
        return;
      }
    }
  }

  // STIX 2.1 §10.2 (hash-algorithm-ov) and §3.x hashes: a value compared with
  // a known algorithm's entry must have that algorithm's form.
  void CheckHash(const Comparison& c) {
    const auto& steps = c.path.steps;
    if (steps.size() < 2) return;
    const PathStep& alg = steps[steps.size() - 1];
    const PathStep& dict = steps[steps.size() - 2];
    if (alg.kind != StepKind::kKey || dict.kind != StepKind::kKey) return;
    std::string_view d = dict.key;
    if (d.size() < 6 || d.substr(d.size() - 6) != "hashes") return;
    const HashFormat* h = FindHashFormat(alg.key);
    if (h == nullptr || h->hex_digits == 0) return;
    auto check = [&](const Constant& k) {
      if (k.type != ConstantType::kString) return;
      bool ok = k.bytes.size() == static_cast<size_t>(h->hex_digits);
      for (size_t i = 0; ok && i < k.bytes.size(); ++i)
        ok = kHexDigit[static_cast<unsigned char>(k.bytes[i])];
      if (!ok) {
        Error(k.span.begin, std::string(Text(k.span)) + " is not a valid " + std::string(h->name) +
                                " hash: it must be " + std::to_string(h->hex_digits) +
                                " hexadecimal digits");
      }
    };
    if (c.op == Operator::kIn) {
      for (const Constant& k : c.set) check(k);
    } else {
      check(c.value);
    }
  }

  const Pattern& p_;
  const ValidateOptions& options_;
  std::vector<Diagnostic> out_;
};

}  // namespace

std::vector<Diagnostic> Validate(const Pattern& pattern, const ValidateOptions& options) {
  return Validator(pattern, options).Run();
}

const Diagnostic* CheckResult::FirstError() const {
  for (const Diagnostic& d : diagnostics) {
    if (d.severity == Severity::kError) return &d;
  }
  return nullptr;
}

CheckResult Check(std::string_view text, const CheckOptions& options) {
  CheckResult r;
  ParseOptions po;
  po.spec_version = options.spec_version;
  po.max_depth = options.max_depth;
  Diagnostic err;
  Result<Pattern> p = Parse(text, po, &err);
  if (!p.ok()) {
    r.diagnostics.push_back(std::move(err));
    return r;
  }
  ValidateOptions vo;
  vo.strict = options.strict;
  r.diagnostics = Validate(*p, vo);
  r.pattern.emplace(std::move(p).value());
  return r;
}

}  // namespace kizuna::pattern
