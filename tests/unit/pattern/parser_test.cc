#include "pattern/parser.h"

#include <gtest/gtest.h>

#include <string>

namespace kizuna::pattern {
namespace {

Pattern MustParse(std::string_view text, SpecVersion v = SpecVersion::k21) {
  ParseOptions o;
  o.spec_version = v;
  Result<Pattern> p = Parse(text, o);
  EXPECT_TRUE(p.ok()) << text << ": " << p.status().ToString();
  if (!p.ok()) std::abort();
  return std::move(p).value();
}

Diagnostic MustFail(std::string_view text, SpecVersion v = SpecVersion::k21, int max_depth = 64) {
  ParseOptions o;
  o.spec_version = v;
  o.max_depth = max_depth;
  Diagnostic d;
  Result<Pattern> p = Parse(text, o, &d);
  EXPECT_FALSE(p.ok()) << text << " parsed as " << (p.ok() ? ToString(*p) : "");
  if (!p.ok()) {
    EXPECT_EQ(p.error().message(), d.ToString());
  }
  return d;
}

const Comparison& OnlyTest(const Pattern& p) {
  EXPECT_EQ(p.root().kind, ObsOp::kObservation);
  EXPECT_EQ(p.root().comparison->kind, BoolOp::kTest);
  return *p.root().comparison->test;
}

// ---- Productions ------------------------------------------------------------

TEST(ParserTest, SimpleComparison) {
  Pattern p = MustParse("[file:size = 1280]");
  const Comparison& c = OnlyTest(p);
  EXPECT_EQ(c.path.object_type, "file");
  ASSERT_EQ(c.path.steps.size(), 1u);
  EXPECT_EQ(c.path.steps[0].key, "size");
  EXPECT_EQ(c.op, Operator::kEqual);
  EXPECT_FALSE(c.negated);
  EXPECT_EQ(c.value.type, ConstantType::kInteger);
  EXPECT_EQ(c.value.integer, 1280);
}

TEST(ParserTest, EveryOperator) {
  struct Case {
    const char* text;
    Operator op;
  } cases[] = {
      {"[a:b = 1]", Operator::kEqual},
      {"[a:b == 1]", Operator::kEqual},
      {"[a:b != 1]", Operator::kNotEqual},
      {"[a:b <> 1]", Operator::kNotEqual},
      {"[a:b < 1]", Operator::kLess},
      {"[a:b <= 1]", Operator::kLessOrEqual},
      {"[a:b > 1]", Operator::kGreater},
      {"[a:b >= 1]", Operator::kGreaterOrEqual},
      {"[a:b IN (1, 2)]", Operator::kIn},
      {"[a:b LIKE 'x%']", Operator::kLike},
      {"[a:b MATCHES '^x']", Operator::kMatches},
      {"[a:b ISSUBSET '10.0.0.0/8']", Operator::kIsSubset},
      {"[a:b ISSUPERSET '10.0.0.1']", Operator::kIsSuperset},
      {"[EXISTS a:b]", Operator::kExists},
  };
  for (const Case& c : cases) {
    Pattern p = MustParse(c.text);
    EXPECT_EQ(OnlyTest(p).op, c.op) << c.text;
  }
}

TEST(ParserTest, NotBeforeOperatorAndBeforeExists) {
  Pattern p = MustParse("[a:b NOT IN ('x')]");
  EXPECT_TRUE(OnlyTest(p).negated);
  Pattern q = MustParse("[NOT EXISTS a:b]");
  EXPECT_TRUE(OnlyTest(q).negated);
  EXPECT_EQ(OnlyTest(q).op, Operator::kExists);
}

TEST(ParserTest, EveryConstantType) {
  Pattern p = MustParse(
      "[a:b = 'it\\'s' OR a:b = -5 OR a:b = +3.25 OR a:b = true OR a:b = false OR "
      "a:b = t'2016-01-02T03:04:05.678Z' OR a:b = b'AAEC' OR a:b = h'00fF']");
  const auto& kids = p.root().comparison->children;
  ASSERT_EQ(kids.size(), 8u);
  auto v = [&](size_t i) { return kids[i]->test->value; };
  EXPECT_EQ(v(0).type, ConstantType::kString);
  EXPECT_EQ(v(0).bytes, "it's");
  EXPECT_EQ(v(1).integer, -5);
  EXPECT_EQ(v(2).type, ConstantType::kFloat);
  EXPECT_DOUBLE_EQ(v(2).real, 3.25);
  EXPECT_TRUE(v(3).boolean);
  EXPECT_FALSE(v(4).boolean);
  EXPECT_EQ(v(5).type, ConstantType::kTimestamp);
  EXPECT_EQ(v(5).timestamp.micros % 1000000, 678000);
  EXPECT_EQ(v(6).bytes, std::string("\x00\x01\x02", 3));
  EXPECT_EQ(v(7).bytes, std::string("\x00\xff", 2));
}

TEST(ParserTest, ObjectPaths) {
  Pattern p = MustParse(
      "[file:extensions.'windows-pebinary-ext'.sections[*].hashes.'SHA-256' = 'x' AND "
      "email-message:body_multipart[0].body_raw_ref.name = 'y' AND x-thing:'odd key'[-1] = 'z']");
  const auto& kids = p.root().comparison->children;
  ASSERT_EQ(kids.size(), 3u);
  const auto& a = kids[0]->test->path.steps;
  ASSERT_EQ(a.size(), 6u);
  EXPECT_EQ(a[1].key, "windows-pebinary-ext");
  EXPECT_EQ(a[3].kind, StepKind::kAnyIndex);
  EXPECT_EQ(a[5].key, "SHA-256");
  const auto& b = kids[1]->test->path.steps;
  ASSERT_EQ(b.size(), 4u);
  EXPECT_EQ(b[1].kind, StepKind::kIndex);
  EXPECT_EQ(b[1].index, 0);
  const auto& c = kids[2]->test->path;
  EXPECT_EQ(c.object_type, "x-thing");
  EXPECT_EQ(c.steps[0].key, "odd key");
  EXPECT_EQ(c.steps[1].index, -1);
}

TEST(ParserTest, ComparisonPrecedenceAndOverOr) {
  Pattern p = MustParse("[a:x = 1 OR a:y = 2 AND a:z = 3]");
  const ComparisonExpr& root = *p.root().comparison;
  ASSERT_EQ(root.kind, BoolOp::kOr);
  ASSERT_EQ(root.children.size(), 2u);
  EXPECT_EQ(root.children[1]->kind, BoolOp::kAnd);
  Pattern q = MustParse("[(a:x = 1 OR a:y = 2) AND a:z = 3]");
  EXPECT_EQ(q.root().comparison->kind, BoolOp::kAnd);
}

TEST(ParserTest, ChainsFlattenIntoNaryNodes) {
  Pattern p = MustParse("[a:x = 1 AND (a:y = 2 AND a:z = 3)]");
  EXPECT_EQ(p.root().comparison->children.size(), 3u);
  Pattern q = MustParse("[a:x = 1] OR ([a:y = 2] OR [a:z = 3])");
  EXPECT_EQ(q.root().kind, ObsOp::kOr);
  EXPECT_EQ(q.root().children.size(), 3u);
}

TEST(ParserTest, ObservationPrecedence) {
  // FOLLOWEDBY < OR < AND.
  Pattern p = MustParse("[a:x = 1] AND [a:x = 2] OR [a:x = 3] FOLLOWEDBY [a:x = 4]");
  const ObservationExpr& r = p.root();
  ASSERT_EQ(r.kind, ObsOp::kFollowedBy);
  ASSERT_EQ(r.children.size(), 2u);
  ASSERT_EQ(r.children[0]->kind, ObsOp::kOr);
  EXPECT_EQ(r.children[0]->children[0]->kind, ObsOp::kAnd);
}

TEST(ParserTest, Qualifiers) {
  Pattern p = MustParse(
      "[a:x = 1] WITHIN 5 SECONDS REPEATS 3 TIMES START t'2016-01-01T00:00:00Z' "
      "STOP t'2016-02-01T00:00:00Z'");
  const auto& q = p.root().qualifiers;
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0].kind, QualifierKind::kWithin);
  EXPECT_EQ(q[0].within_micros, 5000000);
  EXPECT_EQ(q[1].kind, QualifierKind::kRepeats);
  EXPECT_EQ(q[1].repeats, 3);
  EXPECT_EQ(q[2].kind, QualifierKind::kStartStop);
  EXPECT_LT(q[2].start.timestamp, q[2].stop.timestamp);
  Pattern f = MustParse("[a:x = 1] WITHIN 2.5 SECONDS");
  EXPECT_EQ(f.root().qualifiers[0].within_micros, 2500000);
}

TEST(ParserTest, QualifiersAfterParenthesesStayApart) {
  // A group of several observations takes the qualifier itself...
  Pattern p = MustParse("([a:x = 1] AND [a:y = 2]) WITHIN 5 SECONDS");
  EXPECT_EQ(p.root().kind, ObsOp::kAnd);
  EXPECT_EQ(p.root().qualifiers.size(), 1u);
  // ...a parenthesized single observation keeps its parentheses.
  Pattern q = MustParse("([a:x = 1] REPEATS 2 TIMES) REPEATS 3 TIMES");
  ASSERT_EQ(q.root().kind, ObsOp::kGroup);
  EXPECT_EQ(q.root().children[0]->qualifiers.size(), 1u);
  // Parentheses without qualifiers vanish.
  Pattern r = MustParse("(([a:x = 1]))");
  EXPECT_EQ(r.root().kind, ObsOp::kObservation);
}

TEST(ParserTest, StartStopFormsBySpecVersion) {
  MustParse("[a:x = 1] START '2016-01-01T00:00:00Z' STOP '2016-02-01T00:00:00Z'", SpecVersion::k20);
  MustParse("[a:x = 1] START t'2016-01-01T00:00:00Z' STOP t'2016-02-01T00:00:00Z'",
            SpecVersion::k20);
  Diagnostic d = MustFail("[a:x = 1] START '2016-01-01T00:00:00Z' STOP '2016-02-01T00:00:00Z'");
  EXPECT_NE(d.message.find("a timestamp constant"), std::string::npos) << d.message;
}

TEST(ParserTest, CommentsAndWhitespace) {
  Pattern p = MustParse("/* lead */ [ file:name\n= 'x' ] // trailing");
  EXPECT_EQ(OnlyTest(p).value.bytes, "x");
}

TEST(ParserTest, SpansPointIntoText) {
  Pattern p = MustParse("[file:name = 'abc']");
  const Comparison& c = OnlyTest(p);
  EXPECT_EQ(p.text().substr(c.value.span.begin, c.value.span.end - c.value.span.begin), "'abc'");
  EXPECT_EQ(p.text().substr(c.op_span.begin, c.op_span.end - c.op_span.begin), "=");
  // Constants without escapes point into the pattern's own copy of the text.
  EXPECT_GE(c.value.bytes.data(), p.text().data());
  EXPECT_LT(c.value.bytes.data(), p.text().data() + p.text().size());
}

// ---- Errors: position, offending token, what was expected -------------------

struct ErrorCase {
  const char* text;
  uint32_t line, column;
  const char* contains;
};

TEST(ParserTest, EveryError) {
  const ErrorCase cases[] = {
      {"file:size = 1280", 1, 1, "expected '[' or '(' to start an observation expression"},
      {"[file:size = ]", 1, 14,
       "expected a constant (string, number, boolean, timestamp, binary or hex) after '=', found "
       "']'"},
      {"[file.size = 1280]", 1, 6, "expected ':' after the object type 'file', found '.'"},
      {"[file:name MATCHES /.*\\.dll/]", 1, 20,
       "expected a string constant after MATCHES, found '/' (unexpected character)"},
      {"[a:b = 1] WITHIN 5 HOURS", 1, 20, "expected SECONDS after the WITHIN duration"},
      {"[a:b = 1] WITHIN -5 SECONDS", 1, 18,
       "expected a positive number of seconds after WITHIN, found number -5"},
      {"[a:b =? 'x']", 1, 7, "found '?' (unexpected character)"},
      {"[foo:bar=1] within 2 seconds", 1, 13, "(keywords are upper-case: WITHIN)"},
      {"[a:b = 1] REPEATS x TIMES", 1, 19, "expected a positive integer after REPEATS"},
      {"[a:b = 1] REPEATS 2", 1, 20,
       "expected TIMES after the REPEATS count, found the end of the pattern"},
      {"[a:b = 1] START t'2016-01-01T00:00:00Z'", 1, 40, "expected STOP after the START timestamp"},
      {"[a:b = 1] START 5 STOP 6", 1, 17, "a timestamp constant"},
      {"[a:b = t'2016-13-01T00:00:00Z']", 1, 8, "invalid timestamp t'2016-13-01T00:00:00Z'"},
      {"[a:b = t'2016-01-01t00:00:00Z']", 1, 8, "invalid timestamp"},
      {"[a:b = 99999999999999999999]", 1, 8, "out of range"},
      {"[a:b = 'unterminated]", 1, 8, "unterminated string"},
      {"[a:b = 'bad \\n escape']", 1, 13, "invalid escape in string"},
      {"[a:b = h'abc']", 1, 10, "even number of digits"},
      {"[a:b = b'abc']", 1, 10, "multiple of four"},
      {"[a:b < true]", 1, 8, "an orderable constant"},
      {"[a:b LIKE 5]", 1, 11, "expected a string constant after LIKE"},
      {"[a:b IN 5]", 1, 9, "expected '(' to start the set of constants after IN"},
      {"[a:b IN (1 2)]", 1, 12, "expected ',' or ')' in the IN set"},
      {"[a:b IN (1, ]", 1, 13, "expected a constant in the IN set"},
      {"[a:b 5]", 1, 6, "expected a comparison operator"},
      {"[a:b NOT 5]", 1, 10, "expected a comparison operator after NOT"},
      {"[NOT a:b = 1]", 1, 6, "expected EXISTS after a leading NOT"},
      {"[some-type:needs-quotes = 1]", 1, 12,
       "the property name 'needs-quotes' contains '-', so it must be quoted"},
      {"[a:LIKE = 1]", 1, 4, "a keyword used as a property name must be quoted"},
      {"[a: = 1]", 1, 5, "expected a property name after 'a:'"},
      {"[a:b. = 1]", 1, 7, "expected a property name after '.'"},
      {"[a:b[x] = 1]", 1, 6, "expected a list index (an integer or '*') after '['"},
      {"[a:b[1 = 1]", 1, 8, "expected ']' to close the list index"},
      {"[= 1]", 1, 2, "expected an object path"},
      {"[a:b = 1", 1, 9,
       "expected AND, OR or ']' to close the observation expression, found the end of the pattern"},
      {"([a:b = 1]", 1, 11, "expected AND, OR, FOLLOWEDBY, a qualifier or ')' to close the '('"},
      {"[(a:b = 1]", 1, 10, "expected AND, OR or ')' to close the '('"},
      {"[a:b = 1] [a:c = 2]", 1, 11,
       "expected AND, OR, FOLLOWEDBY, a qualifier (WITHIN, REPEATS, START) or the end of the "
       "pattern"},
      {"[a:b = 1] AND", 1, 14,
       "expected '[' or '(' to start an observation expression, found the end of the pattern"},
      {"", 1, 1, "found the end of the pattern"},
      {"[a:b = 1] /* open", 1, 11, "unterminated comment"},
      {"[a:b = 1.]", 1, 10, "a float needs digits after the '.'"},
      {"[a:b = 007]", 1, 8, "leading zeros"},
      {"[a:b = 'x']\n  WITHIN 0x SECONDS", 2, 11, "expected SECONDS"},
      {"[a:b = 1] WITHIN 9300000000000 SECONDS", 1, 18, "is too large"},
      {"[a:b = 1] REPEATS 99999999999999999999 TIMES", 1, 19, "out of range"},
      {"[LIKE:b = 1]", 1, 2, "expected an object path"},
  };
  for (const ErrorCase& c : cases) {
    Diagnostic d = MustFail(c.text);
    EXPECT_EQ(d.line, c.line) << c.text << " -> " << d.ToString();
    EXPECT_EQ(d.column, c.column) << c.text << " -> " << d.ToString();
    EXPECT_NE(d.message.find(c.contains), std::string::npos) << c.text << " -> " << d.ToString();
    EXPECT_EQ(d.severity, Severity::kError);
  }
}

TEST(ParserTest, FloatOutOfRange) {
  std::string huge = "[a:b = 1" + std::string(400, '0') + ".5]";
  Diagnostic d = MustFail(huge);
  EXPECT_NE(d.message.find("is out of range"), std::string::npos) << d.message;
}

TEST(ParserTest, Stix20StartStopStringMustBeATimestamp) {
  Diagnostic d =
      MustFail("[a:b = 1] START 'yesterday' STOP '2016-01-01T00:00:00Z'", SpecVersion::k20);
  EXPECT_EQ(d.column, 17u);
  EXPECT_NE(d.message.find("the START time 'yesterday' is not a valid timestamp"),
            std::string::npos)
      << d.message;
}

TEST(ParserTest, ExistsIsNotStix20) {
  Diagnostic d = MustFail("[EXISTS a:b]", SpecVersion::k20);
  EXPECT_NE(d.message.find("EXISTS is not part of STIX 2.0"), std::string::npos);
}

TEST(ParserTest, InvalidUtf8IsRejected) {
  Diagnostic d = MustFail("[a:b = '\xff']");
  EXPECT_EQ(d.column, 9u);
  EXPECT_NE(d.message.find("not valid UTF-8"), std::string::npos);
}

TEST(ParserTest, ColumnsCountCharactersNotBytes) {
  Diagnostic d = MustFail("[a:b = '\xC3\xA9\xC3\xA9' ?]");
  EXPECT_EQ(d.column, 13u);
}

TEST(ParserTest, DeepNestingGetsAClearErrorNotAStackOverflow) {
  std::string deep(100000, '(');
  deep += "[a:b = 1]";
  deep += std::string(100000, ')');
  Diagnostic d = MustFail(deep);
  EXPECT_NE(d.message.find("more than 64 levels deep"), std::string::npos) << d.message;
  EXPECT_EQ(d.column, 65u);
  std::string comp = "[" + std::string(100000, '(') + "a:b = 1" + std::string(100000, ')') + "]";
  MustFail(comp);
  // Exactly at the limit is fine.
  std::string ok = std::string(63, '(') + "[a:b = 1]" + std::string(63, ')');
  Pattern p = MustParse(ok);
  EXPECT_EQ(p.max_depth(), 64);
  MustFail(ok, SpecVersion::k21, 63);
}

TEST(ParserTest, LongFlatChainsDoNotRecurse) {
  std::string text = "[a:b = 0]";
  for (int i = 1; i < 20000; ++i) text += " OR [a:b = " + std::to_string(i) + "]";
  Pattern p = MustParse(text);
  EXPECT_EQ(p.root().children.size(), 20000u);
}

}  // namespace
}  // namespace kizuna::pattern
