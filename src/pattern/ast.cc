#include "pattern/ast.h"

#include <charconv>
#include <cstring>

#include "core/encoding.h"

namespace kizuna::pattern {

std::string_view SpecVersionName(SpecVersion v) { return v == SpecVersion::k20 ? "2.0" : "2.1"; }

std::string_view ConstantTypeName(ConstantType t) {
  switch (t) {
    case ConstantType::kString:
      return "string";
    case ConstantType::kInteger:
      return "integer";
    case ConstantType::kFloat:
      return "float";
    case ConstantType::kBoolean:
      return "boolean";
    case ConstantType::kTimestamp:
      return "timestamp";
    case ConstantType::kBinary:
      return "binary";
    case ConstantType::kHex:
      return "hex";
  }
  return "?";
}

std::string_view OperatorText(Operator op) {
  switch (op) {
    case Operator::kEqual:
      return "=";
    case Operator::kNotEqual:
      return "!=";
    case Operator::kLess:
      return "<";
    case Operator::kLessOrEqual:
      return "<=";
    case Operator::kGreater:
      return ">";
    case Operator::kGreaterOrEqual:
      return ">=";
    case Operator::kIn:
      return "IN";
    case Operator::kLike:
      return "LIKE";
    case Operator::kMatches:
      return "MATCHES";
    case Operator::kIsSubset:
      return "ISSUBSET";
    case Operator::kIsSuperset:
      return "ISSUPERSET";
    case Operator::kExists:
      return "EXISTS";
  }
  return "?";
}

namespace {

bool IsPlainIdentifier(std::string_view s) {
  if (s.empty()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(s[0])) return false;
  for (char c : s) {
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  }
  // Keywords lex as keywords, so a property of that name must be quoted.
  static constexpr std::string_view kKeywords[] = {
      "AND",      "OR",     "NOT",    "FOLLOWEDBY", "LIKE",  "MATCHES", "ISSUPERSET",
      "ISSUBSET", "EXISTS", "LAST",   "IN",         "START", "STOP",    "SECONDS",
      "true",     "false",  "WITHIN", "REPEATS",    "TIMES"};
  for (auto k : kKeywords) {
    if (s == k) return false;
  }
  return true;
}

void AppendQuoted(std::string& out, std::string_view s) {
  out += '\'';
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
}

void AppendConstant(std::string& out, const Constant& c) {
  switch (c.type) {
    case ConstantType::kString:
      AppendQuoted(out, c.bytes);
      return;
    case ConstantType::kInteger:
      out += std::to_string(c.integer);
      return;
    case ConstantType::kFloat: {
      char buf[400];
      auto r = std::to_chars(buf, buf + sizeof(buf), c.real, std::chars_format::fixed);
      std::string_view s(buf, r.ptr - buf);
      out += s;
      // The grammar requires a '.' in a float literal.
      if (s.find('.') == std::string_view::npos) out += ".0";
      return;
    }
    case ConstantType::kBoolean:
      out += c.boolean ? "true" : "false";
      return;
    case ConstantType::kTimestamp:
      out += "t'";
      out += c.bytes;
      out += '\'';
      return;
    case ConstantType::kBinary:
      out += "b'";
      out += Base64Encode(c.bytes);
      out += '\'';
      return;
    case ConstantType::kHex: {
      out += "h'";
      std::string hex = HexEncode(c.bytes);
      out += hex;
      out += '\'';
      return;
    }
  }
}

void AppendPath(std::string& out, const ObjectPath& p) {
  out += p.object_type;
  out += ':';
  bool first = true;
  for (const PathStep& s : p.steps) {
    switch (s.kind) {
      case StepKind::kKey:
        if (!first) out += '.';
        if (IsPlainIdentifier(s.key)) {
          out += s.key;
        } else {
          AppendQuoted(out, s.key);
        }
        break;
      case StepKind::kIndex:
        out += '[';
        out += std::to_string(s.index);
        out += ']';
        break;
      case StepKind::kAnyIndex:
        out += "[*]";
        break;
    }
    first = false;
  }
}

void AppendComparison(std::string& out, const Comparison& c) {
  if (c.op == Operator::kExists) {
    if (c.negated) out += "NOT ";
    out += "EXISTS ";
    AppendPath(out, c.path);
    return;
  }
  AppendPath(out, c.path);
  out += ' ';
  if (c.negated) out += "NOT ";
  out += OperatorText(c.op);
  out += ' ';
  if (c.op == Operator::kIn) {
    out += '(';
    for (size_t i = 0; i < c.set.size(); ++i) {
      if (i) out += ", ";
      AppendConstant(out, c.set[i]);
    }
    out += ')';
  } else {
    AppendConstant(out, c.value);
  }
}

void AppendComparisonExpr(std::string& out, const ComparisonExpr& e) {
  if (e.kind == BoolOp::kTest) {
    AppendComparison(out, *e.test);
    return;
  }
  std::string_view sep = e.kind == BoolOp::kAnd ? " AND " : " OR ";
  for (size_t i = 0; i < e.children.size(); ++i) {
    if (i) out += sep;
    const ComparisonExpr& c = *e.children[i];
    // Children are never of the parent's kind; OR under AND needs parentheses.
    bool paren = e.kind == BoolOp::kAnd && c.kind == BoolOp::kOr;
    if (paren) out += '(';
    AppendComparisonExpr(out, c);
    if (paren) out += ')';
  }
}

void AppendQualifier(std::string& out, const Qualifier& q) {
  switch (q.kind) {
    case QualifierKind::kWithin:
      out += "WITHIN ";
      AppendConstant(out, q.within);
      out += " SECONDS";
      return;
    case QualifierKind::kRepeats:
      out += "REPEATS ";
      out += std::to_string(q.repeats);
      out += " TIMES";
      return;
    case QualifierKind::kStartStop:
      out += "START ";
      AppendConstant(out, q.start);
      out += " STOP ";
      AppendConstant(out, q.stop);
      return;
  }
}

int Precedence(ObsOp op) {
  switch (op) {
    case ObsOp::kFollowedBy:
      return 0;
    case ObsOp::kOr:
      return 1;
    case ObsOp::kAnd:
      return 2;
    default:
      return 3;
  }
}

void AppendObservationExpr(std::string& out, const ObservationExpr& e) {
  switch (e.kind) {
    case ObsOp::kObservation:
      out += '[';
      AppendComparisonExpr(out, *e.comparison);
      out += ']';
      break;
    case ObsOp::kGroup:
      out += '(';
      AppendObservationExpr(out, *e.children[0]);
      out += ')';
      break;
    default: {
      std::string_view sep = e.kind == ObsOp::kAnd  ? " AND "
                             : e.kind == ObsOp::kOr ? " OR "
                                                    : " FOLLOWEDBY ";
      if (!e.qualifiers.empty()) out += '(';
      for (size_t i = 0; i < e.children.size(); ++i) {
        if (i) out += sep;
        const ObservationExpr& c = *e.children[i];
        // An n-ary child with qualifiers prints its own parentheses.
        bool paren = c.qualifiers.empty() && Precedence(c.kind) <= Precedence(e.kind);
        if (paren) out += '(';
        AppendObservationExpr(out, c);
        if (paren) out += ')';
      }
      if (!e.qualifiers.empty()) out += ')';
    }
  }
  for (const Qualifier& q : e.qualifiers) {
    out += ' ';
    AppendQualifier(out, q);
  }
}

}  // namespace

std::string ToString(const Pattern& p) { return ToString(p.root()); }
std::string ToString(const ObservationExpr& e) {
  std::string out;
  AppendObservationExpr(out, e);
  return out;
}
std::string ToString(const ComparisonExpr& e) {
  std::string out;
  AppendComparisonExpr(out, e);
  return out;
}
std::string ToString(const Comparison& c) {
  std::string out;
  AppendComparison(out, c);
  return out;
}
std::string ToString(const ObjectPath& p) {
  std::string out;
  AppendPath(out, p);
  return out;
}
std::string ToString(const Constant& c) {
  std::string out;
  AppendConstant(out, c);
  return out;
}
std::string ToString(const Qualifier& q) {
  std::string out;
  AppendQualifier(out, q);
  return out;
}

bool Equal(const Constant& a, const Constant& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case ConstantType::kString:
    case ConstantType::kBinary:
    case ConstantType::kHex:
      return a.bytes == b.bytes;
    case ConstantType::kInteger:
      return a.integer == b.integer;
    case ConstantType::kFloat:
      return std::memcmp(&a.real, &b.real, sizeof(double)) == 0;
    case ConstantType::kBoolean:
      return a.boolean == b.boolean;
    case ConstantType::kTimestamp:
      return a.timestamp == b.timestamp;
  }
  return false;
}

bool Equal(const ObjectPath& a, const ObjectPath& b) {
  if (a.object_type != b.object_type || a.steps.size() != b.steps.size()) return false;
  for (size_t i = 0; i < a.steps.size(); ++i) {
    const PathStep& x = a.steps[i];
    const PathStep& y = b.steps[i];
    if (x.kind != y.kind) return false;
    if (x.kind == StepKind::kKey && x.key != y.key) return false;
    if (x.kind == StepKind::kIndex && x.index != y.index) return false;
  }
  return true;
}

bool Equal(const Comparison& a, const Comparison& b) {
  if (a.op != b.op || a.negated != b.negated || !Equal(a.path, b.path)) return false;
  if (a.op == Operator::kExists) return true;
  if (a.op == Operator::kIn) {
    if (a.set.size() != b.set.size()) return false;
    for (size_t i = 0; i < a.set.size(); ++i) {
      if (!Equal(a.set[i], b.set[i])) return false;
    }
    return true;
  }
  return Equal(a.value, b.value);
}

bool Equal(const ComparisonExpr& a, const ComparisonExpr& b) {
  if (a.kind != b.kind) return false;
  if (a.kind == BoolOp::kTest) return Equal(*a.test, *b.test);
  if (a.children.size() != b.children.size()) return false;
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!Equal(*a.children[i], *b.children[i])) return false;
  }
  return true;
}

namespace {
bool EqualQualifier(const Qualifier& a, const Qualifier& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case QualifierKind::kWithin:
      return Equal(a.within, b.within);
    case QualifierKind::kRepeats:
      return a.repeats == b.repeats;
    case QualifierKind::kStartStop:
      return Equal(a.start, b.start) && Equal(a.stop, b.stop);
  }
  return false;
}
}  // namespace

bool Equal(const ObservationExpr& a, const ObservationExpr& b) {
  if (a.kind != b.kind || a.qualifiers.size() != b.qualifiers.size()) return false;
  for (size_t i = 0; i < a.qualifiers.size(); ++i) {
    if (!EqualQualifier(a.qualifiers[i], b.qualifiers[i])) return false;
  }
  if (a.kind == ObsOp::kObservation) return Equal(*a.comparison, *b.comparison);
  if (a.children.size() != b.children.size()) return false;
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!Equal(*a.children[i], *b.children[i])) return false;
  }
  return true;
}

}  // namespace kizuna::pattern
