#include "pattern/parser.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

#include "core/encoding.h"
#include "core/time.h"
#include "pattern/lexer.h"

namespace kizuna::pattern {

namespace {

// Scratch stacks reused across parses on one thread, so that collecting the
// children of an n-ary node costs no allocation once warm. Each parse level
// pushes above the mark of its caller and truncates back (stack discipline).
struct Scratch {
  std::vector<const ComparisonExpr*> comparisons;
  std::vector<const ObservationExpr*> observations;
  std::vector<PathStep> steps;
  std::vector<Constant> constants;
  std::vector<Qualifier> qualifiers;
};
thread_local Scratch tls_scratch;

bool IsLowerKeyword(std::string_view w, std::string_view* upper_out) {
  static constexpr std::string_view kWords[] = {
      "and",    "or", "not",   "followedby", "like",    "matches", "issuperset", "issubset",
      "exists", "in", "start", "stop",       "seconds", "within",  "repeats",    "times"};
  static constexpr std::string_view kUpper[] = {
      "AND",    "OR", "NOT",   "FOLLOWEDBY", "LIKE",    "MATCHES", "ISSUPERSET", "ISSUBSET",
      "EXISTS", "IN", "START", "STOP",       "SECONDS", "WITHIN",  "REPEATS",    "TIMES"};
  for (size_t i = 0; i < std::size(kWords); ++i) {
    if (w.size() != kWords[i].size()) continue;
    bool eq = true;
    for (size_t k = 0; k < w.size(); ++k) {
      char c = w[k];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != kWords[i][k]) {
        eq = false;
        break;
      }
    }
    if (eq) {
      *upper_out = kUpper[i];
      return true;
    }
  }
  return false;
}

}  // namespace

class Parser {
 public:
  Parser(const ParseOptions& options, Diagnostic* error)
      : options_(options), error_out_(error), scratch_(tls_scratch) {}

  Result<Pattern> Run(std::string_view input) {
    if (input.size() >= std::numeric_limits<uint32_t>::max() / 2) {
      src_ = std::string_view();
      Fail(0, "the pattern is too long (2 GiB or more)");
      return error_;
    }
    Pattern p;
    arena_ = p.arena_.get();
    src_ = arena_->CopyString(input);
    p.text_ = src_;
    p.version_ = options_.spec_version;
    if (!IsValidUtf8(src_)) {
      Fail(FirstBadUtf8(), "the pattern is not valid UTF-8");
      return error_;
    }
    lexer_ = Lexer(src_);
    Advance();
    const ObservationExpr* root = ParseFollowedBy(0);
    if (root == nullptr) return error_;
    if (tok_.kind != TokenKind::kEnd) {
      Expected(
          "AND, OR, FOLLOWEDBY, a qualifier (WITHIN, REPEATS, START) or the end of the pattern");
      return error_;
    }
    p.root_ = root;
    p.max_depth_ = max_depth_seen_;
    return p;
  }

 private:
  // ---- Errors -------------------------------------------------------------

  void Fail(uint32_t offset, std::string message) {
    Diagnostic d = MakeDiagnostic(src_, offset, Severity::kError, std::move(message));
    error_ = InvalidArgument(d.ToString());
    if (error_out_ != nullptr) *error_out_ = std::move(d);
  }

  std::string Describe(const Token& t) const {
    std::string_view text = t.Text(src_);
    constexpr size_t kMax = 40;
    auto quoted = [&](std::string_view s) {
      std::string out = "'";
      if (s.size() > kMax) {
        out += s.substr(0, kMax);
        out += "...";
      } else {
        out += s;
      }
      out += '\'';
      return out;
    };
    switch (t.kind) {
      case TokenKind::kEnd:
        return "the end of the pattern";
      case TokenKind::kInvalid:
        return quoted(text) + " (" + t.error + ")";
      case TokenKind::kIdentifier:
        return "identifier " + quoted(text);
      case TokenKind::kString:
        return std::string("string ") +
               std::string(text.size() > kMax ? quoted(text) : std::string(text));
      case TokenKind::kInteger:
      case TokenKind::kFloat:
        return std::string("number ") + std::string(text);
      case TokenKind::kTimestamp:
      case TokenKind::kBinary:
      case TokenKind::kHex:
        return std::string(TokenKindName(t.kind)) + " " + quoted(text);
      default:
        return std::string(TokenKindName(t.kind));
    }
  }

  // "expected <what>, found <token>" at the current token, with hints.
  std::nullptr_t Expected(std::string_view what) {
    std::string msg = "expected ";
    msg += what;
    msg += ", found ";
    msg += Describe(tok_);
    std::string_view upper;
    if (tok_.kind == TokenKind::kIdentifier && IsLowerKeyword(tok_.Text(src_), &upper)) {
      msg += " (keywords are upper-case: ";
      msg += upper;
      msg += ')';
    }
    Fail(tok_.kind == TokenKind::kInvalid ? tok_.error_offset : tok_.begin, std::move(msg));
    return nullptr;
  }

  uint32_t FirstBadUtf8() const {
    for (uint32_t i = 0; i < src_.size(); ++i) {
      // Find the shortest prefix that is invalid: check each code point.
      unsigned char c = static_cast<unsigned char>(src_[i]);
      if (c < 0x80) continue;
      size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
      if (len == 0 || i + len > src_.size() || !IsValidUtf8(src_.substr(i, len))) return i;
      i += static_cast<uint32_t>(len) - 1;
    }
    return 0;
  }

  // ---- Tokens -------------------------------------------------------------

  void Advance() { lexer_.Next(); }

  bool Enter(uint32_t offset, int* depth) {
    ++*depth;
    if (*depth > max_depth_seen_) max_depth_seen_ = *depth;
    if (*depth > options_.max_depth) {
      Fail(offset, "the pattern nests parentheses and brackets more than " +
                       std::to_string(options_.max_depth) + " levels deep; simplify it");
      return false;
    }
    return true;
  }

  // ---- Observation expressions -------------------------------------------

  template <typename T>
  std::span<const T> Commit(std::vector<T>& stack, size_t mark) {
    std::span<const T> out =
        arena_->CopySpan(std::span<const T>(stack.data() + mark, stack.size() - mark));
    stack.resize(mark);
    return out;
  }

  // Adds `child` to an n-ary node of kind `op` under construction, splicing
  // in the children of a same-kind child without qualifiers (associativity).
  static void AddObsChild(std::vector<const ObservationExpr*>& stack, ObsOp op,
                          const ObservationExpr* child) {
    if (child->kind == op && child->qualifiers.empty()) {
      for (const ObservationExpr* c : child->children) stack.push_back(c);
    } else {
      stack.push_back(child);
    }
  }

  using ObsLevelFn = const ObservationExpr* (Parser::*)(int);

  const ObservationExpr* ParseObsBinary(int depth, ObsOp op, TokenKind sep, ObsLevelFn next) {
    uint32_t begin = tok_.begin;
    const ObservationExpr* first = (this->*next)(depth);
    if (first == nullptr || tok_.kind != sep) return first;
    auto& stack = scratch_.observations;
    size_t mark = stack.size();
    AddObsChild(stack, op, first);
    while (tok_.kind == sep) {
      Advance();
      const ObservationExpr* rhs = (this->*next)(depth);
      if (rhs == nullptr) {
        stack.resize(mark);
        return nullptr;
      }
      AddObsChild(stack, op, rhs);
    }
    auto* node = arena_->New<ObservationExpr>();
    node->kind = op;
    node->children = Commit(stack, mark);
    node->span = {begin, prev_end_};
    return node;
  }

  const ObservationExpr* ParseFollowedBy(int depth) {
    return ParseObsBinary(depth, ObsOp::kFollowedBy, TokenKind::kFollowedBy, &Parser::ParseObsOr);
  }
  const ObservationExpr* ParseObsOr(int depth) {
    return ParseObsBinary(depth, ObsOp::kOr, TokenKind::kOr, &Parser::ParseObsAnd);
  }
  const ObservationExpr* ParseObsAnd(int depth) {
    return ParseObsBinary(depth, ObsOp::kAnd, TokenKind::kAnd, &Parser::ParseQualified);
  }

  const ObservationExpr* ParseQualified(int depth) {
    uint32_t begin = tok_.begin;
    const ObservationExpr* inner = nullptr;
    bool parenthesized = false;
    if (tok_.kind == TokenKind::kLBracket) {
      inner = ParseObservation(depth);
    } else if (tok_.kind == TokenKind::kLParen) {
      if (!Enter(tok_.begin, &depth)) return nullptr;
      Advance();
      inner = ParseFollowedBy(depth);
      if (inner == nullptr) return nullptr;
      if (tok_.kind != TokenKind::kRParen) {
        return Expected("AND, OR, FOLLOWEDBY, a qualifier or ')' to close the '('");
      }
      SetPrevEnd();
      Advance();
      parenthesized = true;
    } else {
      if (tok_.kind == TokenKind::kIdentifier) {
        return Expected(
            "'[' or '(' to start an observation expression (comparisons must be inside square "
            "brackets, as in [file:size = 1280])");
      }
      return Expected("'[' or '(' to start an observation expression");
    }
    if (inner == nullptr) return nullptr;
    if (!IsQualifierStart()) return inner;

    auto& stack = scratch_.qualifiers;
    size_t mark = stack.size();
    while (IsQualifierStart()) {
      Qualifier q;
      if (!ParseQualifier(&q)) {
        stack.resize(mark);
        return nullptr;
      }
      stack.push_back(q);
    }
    std::span<const Qualifier> quals = Commit(stack, mark);
    auto* node = arena_->New<ObservationExpr>();
    if (!parenthesized) {
      *node = *inner;  // a bracketed observation: qualifiers attach directly
    } else if (inner->kind == ObsOp::kObservation || !inner->qualifiers.empty()) {
      node->kind = ObsOp::kGroup;
      node->children = arena_->CopySpan(std::span<const ObservationExpr* const>(&inner, 1));
    } else {
      *node = *inner;  // an n-ary group takes the qualifiers itself
    }
    node->qualifiers = quals;
    node->span = {begin, prev_end_};
    return node;
  }

  bool IsQualifierStart() const {
    return tok_.kind == TokenKind::kWithin || tok_.kind == TokenKind::kRepeats ||
           tok_.kind == TokenKind::kStart;
  }

  bool ParseQualifier(Qualifier* q) {
    q->span.begin = tok_.begin;
    if (tok_.kind == TokenKind::kWithin) {
      q->kind = QualifierKind::kWithin;
      Advance();
      if ((tok_.kind != TokenKind::kInteger && tok_.kind != TokenKind::kFloat) ||
          src_[tok_.begin] == '-') {
        Expected("a positive number of seconds after WITHIN");
        return false;
      }
      if (!DecodeConstant(tok_, &q->within)) return false;
      double secs = q->within.type == ConstantType::kInteger
                        ? static_cast<double>(q->within.integer)
                        : q->within.real;
      // Durations beyond about 292,000 years do not fit in int64 microseconds.
      if (!(secs < 9.2e12)) {
        Fail(tok_.begin, std::string("the WITHIN duration ") + std::string(tok_.Text(src_)) +
                             " is too large (at most 9200000000000 seconds)");
        return false;
      }
      q->within_micros = q->within.type == ConstantType::kInteger
                             ? q->within.integer * 1000000
                             : static_cast<int64_t>(std::llround(secs * 1e6));
      Advance();
      if (tok_.kind != TokenKind::kSeconds) {
        Expected("SECONDS after the WITHIN duration (the only unit is SECONDS)");
        return false;
      }
      SetPrevEnd();
      Advance();
    } else if (tok_.kind == TokenKind::kRepeats) {
      q->kind = QualifierKind::kRepeats;
      Advance();
      if (tok_.kind != TokenKind::kInteger || src_[tok_.begin] == '-') {
        Expected("a positive integer after REPEATS");
        return false;
      }
      Constant c;
      if (!DecodeConstant(tok_, &c)) return false;
      q->repeats = c.integer;
      Advance();
      if (tok_.kind != TokenKind::kTimes) {
        Expected("TIMES after the REPEATS count");
        return false;
      }
      SetPrevEnd();
      Advance();
    } else {
      q->kind = QualifierKind::kStartStop;
      Advance();
      if (!ParseStartStopTime(&q->start, "START")) return false;
      Advance();
      if (tok_.kind != TokenKind::kStop) {
        Expected("STOP after the START timestamp");
        return false;
      }
      Advance();
      if (!ParseStartStopTime(&q->stop, "STOP")) return false;
      SetPrevEnd();
      Advance();
    }
    q->span.end = prev_end_;
    return true;
  }

  bool ParseStartStopTime(Constant* c, std::string_view keyword) {
    // STIX 2.1 §9.5: START and STOP take timestamp constants. STIX 2.0 wrote
    // them as plain strings holding a timestamp; 2.0 mode accepts both.
    bool v20 = options_.spec_version == SpecVersion::k20;
    if (tok_.kind == TokenKind::kTimestamp || (v20 && tok_.kind == TokenKind::kString)) {
      if (!DecodeConstant(tok_, c)) return false;
      if (c->type == ConstantType::kString) {
        Result<Timestamp> ts = ParseTimestamp(c->bytes);
        if (!ts.ok()) {
          Fail(tok_.begin, std::string("the ") + std::string(keyword) + " time " +
                               std::string(tok_.Text(src_)) +
                               " is not a valid timestamp: " + ts.error().message());
          return false;
        }
        c->timestamp = *ts;
      }
      return true;
    }
    Expected(std::string("a timestamp constant such as t'2016-06-01T00:00:00Z' after ") +
             std::string(keyword));
    return false;
  }

  const ObservationExpr* ParseObservation(int depth) {
    uint32_t begin = tok_.begin;
    if (!Enter(tok_.begin, &depth)) return nullptr;
    Advance();
    const ComparisonExpr* comp = ParseCompOr(depth);
    if (comp == nullptr) return nullptr;
    if (tok_.kind != TokenKind::kRBracket) {
      return Expected("AND, OR or ']' to close the observation expression");
    }
    SetPrevEnd();
    Advance();
    auto* node = arena_->New<ObservationExpr>();
    node->kind = ObsOp::kObservation;
    node->comparison = comp;
    node->span = {begin, prev_end_};
    return node;
  }

  // ---- Comparison expressions --------------------------------------------

  using CompLevelFn = const ComparisonExpr* (Parser::*)(int);

  const ComparisonExpr* ParseCompBinary(int depth, BoolOp op, TokenKind sep, CompLevelFn next) {
    uint32_t begin = tok_.begin;
    const ComparisonExpr* first = (this->*next)(depth);
    if (first == nullptr || tok_.kind != sep) return first;
    auto& stack = scratch_.comparisons;
    size_t mark = stack.size();
    auto add = [&](const ComparisonExpr* c) {
      if (c->kind == op) {
        for (const ComparisonExpr* g : c->children) stack.push_back(g);
      } else {
        stack.push_back(c);
      }
    };
    add(first);
    while (tok_.kind == sep) {
      Advance();
      const ComparisonExpr* rhs = (this->*next)(depth);
      if (rhs == nullptr) {
        stack.resize(mark);
        return nullptr;
      }
      add(rhs);
    }
    auto* node = arena_->New<ComparisonExpr>();
    node->kind = op;
    node->children = Commit(stack, mark);
    node->span = {begin, prev_end_};
    return node;
  }

  const ComparisonExpr* ParseCompOr(int depth) {
    return ParseCompBinary(depth, BoolOp::kOr, TokenKind::kOr, &Parser::ParseCompAnd);
  }
  const ComparisonExpr* ParseCompAnd(int depth) {
    return ParseCompBinary(depth, BoolOp::kAnd, TokenKind::kAnd, &Parser::ParseCompTerm);
  }

  const ComparisonExpr* ParseCompTerm(int depth) {
    if (tok_.kind == TokenKind::kLParen) {
      if (!Enter(tok_.begin, &depth)) return nullptr;
      Advance();
      const ComparisonExpr* inner = ParseCompOr(depth);
      if (inner == nullptr) return nullptr;
      if (tok_.kind != TokenKind::kRParen) {
        return Expected("AND, OR or ')' to close the '('");
      }
      SetPrevEnd();
      Advance();
      return inner;
    }
    auto* cmp = arena_->New<Comparison>();
    cmp->span.begin = tok_.begin;
    if (tok_.kind == TokenKind::kNot || tok_.kind == TokenKind::kExists) {
      if (tok_.kind == TokenKind::kNot) {
        cmp->negated = true;
        Advance();
        if (tok_.kind != TokenKind::kExists) {
          return Expected(
              "EXISTS after a leading NOT (to negate an operator, write NOT after the object "
              "path: file:name NOT = 'x')");
        }
      }
      if (options_.spec_version == SpecVersion::k20) {
        Fail(tok_.begin, "EXISTS is not part of STIX 2.0 patterning (it was added in 2.1)");
        return nullptr;
      }
      cmp->op = Operator::kExists;
      cmp->op_span = {tok_.begin, tok_.end};
      Advance();
      if (!ParsePath(&cmp->path)) return nullptr;
    } else {
      if (!ParsePath(&cmp->path)) return nullptr;
      if (tok_.kind == TokenKind::kNot) {
        cmp->negated = true;
        Advance();
      }
      cmp->op_span = {tok_.begin, tok_.end};
      if (!ParseOperatorAndValue(cmp)) return nullptr;
    }
    cmp->span.end = prev_end_;
    auto* node = arena_->New<ComparisonExpr>();
    node->kind = BoolOp::kTest;
    node->test = cmp;
    node->span = cmp->span;
    return node;
  }

  bool ParseOperatorAndValue(Comparison* cmp) {
    std::string_view op_text = tok_.Text(src_);
    switch (tok_.kind) {
      case TokenKind::kEqual:
        cmp->op = Operator::kEqual;
        break;
      case TokenKind::kNotEqual:
        cmp->op = Operator::kNotEqual;
        break;
      case TokenKind::kLess:
        cmp->op = Operator::kLess;
        break;
      case TokenKind::kLessOrEqual:
        cmp->op = Operator::kLessOrEqual;
        break;
      case TokenKind::kGreater:
        cmp->op = Operator::kGreater;
        break;
      case TokenKind::kGreaterOrEqual:
        cmp->op = Operator::kGreaterOrEqual;
        break;
      case TokenKind::kIn:
        cmp->op = Operator::kIn;
        break;
      case TokenKind::kLike:
        cmp->op = Operator::kLike;
        break;
      case TokenKind::kMatches:
        cmp->op = Operator::kMatches;
        break;
      case TokenKind::kIsSubset:
        cmp->op = Operator::kIsSubset;
        break;
      case TokenKind::kIsSuperset:
        cmp->op = Operator::kIsSuperset;
        break;
      default:
        Expected(cmp->negated
                     ? "a comparison operator after NOT"
                     : "a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET, "
                       "ISSUPERSET) after the object path");
        return false;
    }
    Advance();
    switch (cmp->op) {
      case Operator::kEqual:
      case Operator::kNotEqual:
        if (!IsConstantToken(tok_.kind)) {
          Expected("a constant (string, number, boolean, timestamp, binary or hex) after '" +
                   std::string(op_text) + "'");
          return false;
        }
        if (!DecodeConstant(tok_, &cmp->value)) return false;
        break;
      case Operator::kLess:
      case Operator::kLessOrEqual:
      case Operator::kGreater:
      case Operator::kGreaterOrEqual:
        if (!IsConstantToken(tok_.kind) || tok_.kind == TokenKind::kTrue ||
            tok_.kind == TokenKind::kFalse) {
          Expected(
              "an orderable constant (string, number, timestamp, binary or hex; not a "
              "boolean) after '" +
              std::string(op_text) + "'");
          return false;
        }
        if (!DecodeConstant(tok_, &cmp->value)) return false;
        break;
      case Operator::kIn:
        return ParseSet(cmp);
      default:
        if (tok_.kind != TokenKind::kString) {
          Expected("a string constant after " + std::string(op_text));
          return false;
        }
        if (!DecodeConstant(tok_, &cmp->value)) return false;
        break;
    }
    SetPrevEnd();
    Advance();
    return true;
  }

  bool ParseSet(Comparison* cmp) {
    if (tok_.kind != TokenKind::kLParen) {
      Expected("'(' to start the set of constants after IN");
      return false;
    }
    Advance();
    auto& stack = scratch_.constants;
    size_t mark = stack.size();
    if (tok_.kind != TokenKind::kRParen) {
      while (true) {
        if (!IsConstantToken(tok_.kind)) {
          stack.resize(mark);
          Expected("a constant in the IN set");
          return false;
        }
        Constant c;
        if (!DecodeConstant(tok_, &c)) {
          stack.resize(mark);
          return false;
        }
        stack.push_back(c);
        Advance();
        if (tok_.kind == TokenKind::kComma) {
          Advance();
          continue;
        }
        if (tok_.kind == TokenKind::kRParen) break;
        stack.resize(mark);
        Expected("',' or ')' in the IN set");
        return false;
      }
    }
    cmp->set = Commit(stack, mark);
    SetPrevEnd();
    Advance();
    return true;
  }

  static bool IsConstantToken(TokenKind k) {
    switch (k) {
      case TokenKind::kString:
      case TokenKind::kInteger:
      case TokenKind::kFloat:
      case TokenKind::kTrue:
      case TokenKind::kFalse:
      case TokenKind::kTimestamp:
      case TokenKind::kBinary:
      case TokenKind::kHex:
        return true;
      default:
        return false;
    }
  }

  // ---- Object paths ------------------------------------------------------

  bool ParsePath(ObjectPath* path) {
    path->span.begin = tok_.begin;
    if (tok_.kind != TokenKind::kIdentifier) {
      Expected("an object path such as file:name (an object type, ':' and a property)");
      return false;
    }
    path->object_type = tok_.Text(src_);
    Advance();
    if (tok_.kind != TokenKind::kColon) {
      Expected("':' after the object type '" + std::string(path->object_type) + "'");
      return false;
    }
    Advance();
    auto& stack = scratch_.steps;
    size_t mark = stack.size();
    PathStep first;
    if (!ParseKey(&first, path->object_type)) {
      stack.resize(mark);
      return false;
    }
    stack.push_back(first);
    while (tok_.kind == TokenKind::kDot || tok_.kind == TokenKind::kLBracket) {
      PathStep step;
      step.span.begin = tok_.begin;
      if (tok_.kind == TokenKind::kDot) {
        Advance();
        if (!ParseKey(&step, {})) {
          stack.resize(mark);
          return false;
        }
      } else {
        Advance();
        if (tok_.kind == TokenKind::kAsterisk) {
          step.kind = StepKind::kAnyIndex;
        } else if (tok_.kind == TokenKind::kInteger) {
          Constant c;
          if (!DecodeConstant(tok_, &c)) {
            stack.resize(mark);
            return false;
          }
          step.kind = StepKind::kIndex;
          step.index = c.integer;
        } else {
          stack.resize(mark);
          Expected("a list index (an integer or '*') after '['");
          return false;
        }
        Advance();
        if (tok_.kind != TokenKind::kRBracket) {
          stack.resize(mark);
          Expected("']' to close the list index");
          return false;
        }
        SetPrevEnd();
        Advance();
        step.span.end = prev_end_;
      }
      stack.push_back(step);
    }
    path->steps = Commit(stack, mark);
    path->span.end = prev_end_;
    return true;
  }

  // `type` is the object type when this is the first property, else empty
  // (it only shapes the error message).
  bool ParseKey(PathStep* step, std::string_view type) {
    step->kind = StepKind::kKey;
    if (step->span.begin == 0 && step->span.end == 0) step->span.begin = tok_.begin;
    if (tok_.kind == TokenKind::kIdentifier && !tok_.has_hyphen) {
      step->key = tok_.Text(src_);
    } else if (tok_.kind == TokenKind::kIdentifier) {
      std::string name(tok_.Text(src_));
      Fail(tok_.begin,
           "the property name '" + name + "' contains '-', so it must be quoted: '" + name + "'");
      return false;
    } else if (tok_.kind == TokenKind::kString) {
      Constant c;
      if (!DecodeConstant(tok_, &c)) return false;
      step->key = c.bytes;
    } else {
      std::string what = type.empty() ? std::string("a property name after '.'")
                                      : "a property name after '" + std::string(type) + ":'";
      if (tok_.kind >= TokenKind::kAnd && tok_.kind <= TokenKind::kFalse) {
        what += " (a keyword used as a property name must be quoted)";
      }
      Expected(what);
      return false;
    }
    SetPrevEnd();
    step->span.end = tok_.end;
    Advance();
    return true;
  }

  // ---- Constants ---------------------------------------------------------

  bool DecodeConstant(const Token& t, Constant* c) {
    c->span = {t.begin, t.end};
    std::string_view text = t.Text(src_);
    switch (t.kind) {
      case TokenKind::kString: {
        c->type = ConstantType::kString;
        std::string_view body = text.substr(1, text.size() - 2);
        if (!t.has_escape) {
          c->bytes = body;
        } else {
          char* out = static_cast<char*>(arena_->Allocate(body.size(), 1));
          size_t n = 0;
          for (size_t i = 0; i < body.size(); ++i) {
            if (body[i] == '\\') ++i;  // the lexer guarantees \' or \\ here
            out[n++] = body[i];
          }
          c->bytes = std::string_view(out, n);
        }
        return true;
      }
      case TokenKind::kInteger: {
        c->type = ConstantType::kInteger;
        std::string_view digits = text;
        if (digits[0] == '+') digits.remove_prefix(1);
        auto r = std::from_chars(digits.data(), digits.data() + digits.size(), c->integer);
        if (r.ec != std::errc() || r.ptr != digits.data() + digits.size()) {
          Fail(t.begin, std::string("the integer ") + std::string(text) +
                            " is out of range (integers are 64-bit signed)");
          return false;
        }
        return true;
      }
      case TokenKind::kFloat: {
        c->type = ConstantType::kFloat;
        std::string_view digits = text;
        if (digits[0] == '+') digits.remove_prefix(1);
        auto r = std::from_chars(digits.data(), digits.data() + digits.size(), c->real);
        if (r.ec != std::errc() || r.ptr != digits.data() + digits.size() ||
            !std::isfinite(c->real)) {
          Fail(t.begin, std::string("the float ") + std::string(text) + " is out of range");
          return false;
        }
        return true;
      }
      case TokenKind::kTrue:
      case TokenKind::kFalse:
        c->type = ConstantType::kBoolean;
        c->boolean = t.kind == TokenKind::kTrue;
        return true;
      case TokenKind::kTimestamp: {
        c->type = ConstantType::kTimestamp;
        c->bytes = text.substr(2, text.size() - 3);
        Result<Timestamp> ts = ParseTimestamp(c->bytes);
        if (!ts.ok()) {
          Fail(t.begin, std::string("invalid timestamp ") + std::string(text) + ": " +
                            ts.error().message() +
                            " (the form is t'YYYY-MM-DDTHH:MM:SS[.fraction]Z')");
          return false;
        }
        c->timestamp = *ts;
        return true;
      }
      case TokenKind::kBinary: {
        c->type = ConstantType::kBinary;
        std::optional<std::string> bytes = Base64Decode(text.substr(2, text.size() - 3));
        if (!bytes) {
          Fail(t.begin,
               std::string("invalid binary constant ") + std::string(text) + ": not valid base64");
          return false;
        }
        c->bytes = arena_->CopyString(*bytes);
        return true;
      }
      case TokenKind::kHex: {
        c->type = ConstantType::kHex;
        std::optional<std::string> bytes = HexDecode(text.substr(2, text.size() - 3));
        if (!bytes) {
          Fail(t.begin, std::string("invalid hex constant ") + std::string(text));
          return false;
        }
        c->bytes = arena_->CopyString(*bytes);
        return true;
      }
      default:
        Fail(t.begin, "expected a constant, found " + Describe(t));
        return false;
    }
  }

  void SetPrevEnd() { prev_end_ = tok_.end; }

  const ParseOptions& options_;
  Diagnostic* error_out_;
  Scratch& scratch_;  // this thread's scratch stacks (one TLS lookup per parse)
  Arena* arena_ = nullptr;
  std::string_view src_;
  Lexer lexer_{std::string_view()};
  const Token& tok_ = lexer_.current();  // the lexer's current token, in place
  uint32_t prev_end_ = 0;
  int max_depth_seen_ = 0;
  Status error_;
};

Result<Pattern> Parse(std::string_view text, const ParseOptions& options, Diagnostic* error) {
  Parser parser(options, error);
  return parser.Run(text);
}

}  // namespace kizuna::pattern
