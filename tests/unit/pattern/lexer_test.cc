#include "pattern/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kizuna::pattern {
namespace {

std::vector<TokenKind> Kinds(std::string_view text) {
  Lexer lx(text);
  std::vector<TokenKind> out;
  for (int i = 0; i < 1000; ++i) {
    Token t = lx.Next();
    out.push_back(t.kind);
    if (t.kind == TokenKind::kEnd || t.kind == TokenKind::kInvalid) break;
  }
  return out;
}

Token First(std::string_view text) {
  Lexer lx(text);
  return lx.Next();
}

TEST(LexerTest, Punctuation) {
  using K = TokenKind;
  EXPECT_EQ(Kinds("[ ] ( ) : . , *"),
            (std::vector<K>{K::kLBracket, K::kRBracket, K::kLParen, K::kRParen, K::kColon, K::kDot,
                            K::kComma, K::kAsterisk, K::kEnd}));
}

TEST(LexerTest, ComparisonOperatorsIncludingAliases) {
  using K = TokenKind;
  EXPECT_EQ(Kinds("= == != <> < <= > >="),
            (std::vector<K>{K::kEqual, K::kEqual, K::kNotEqual, K::kNotEqual, K::kLess,
                            K::kLessOrEqual, K::kGreater, K::kGreaterOrEqual, K::kEnd}));
}

TEST(LexerTest, KeywordsAreUpperCaseAndBooleansLowerCase) {
  using K = TokenKind;
  EXPECT_EQ(Kinds("AND OR NOT FOLLOWEDBY LIKE MATCHES ISSUPERSET ISSUBSET EXISTS LAST IN START "
                  "STOP SECONDS WITHIN REPEATS TIMES true false"),
            (std::vector<K>{K::kAnd,     K::kOr,         K::kNot,      K::kFollowedBy, K::kLike,
                            K::kMatches, K::kIsSuperset, K::kIsSubset, K::kExists,     K::kLast,
                            K::kIn,      K::kStart,      K::kStop,     K::kSeconds,    K::kWithin,
                            K::kRepeats, K::kTimes,      K::kTrue,     K::kFalse,      K::kEnd}));
  EXPECT_EQ(First("and").kind, K::kIdentifier);
  EXPECT_EQ(First("TRUE").kind, K::kIdentifier);
  EXPECT_EQ(First("within").kind, K::kIdentifier);
}

TEST(LexerTest, IdentifiersMayContainHyphens) {
  Token t = First("network-traffic:");
  EXPECT_EQ(t.kind, TokenKind::kIdentifier);
  EXPECT_TRUE(t.has_hyphen);
  EXPECT_EQ(t.Text("network-traffic:"), "network-traffic");
  Token u = First("x_custom2");
  EXPECT_FALSE(u.has_hyphen);
  EXPECT_EQ(u.end, 9u);
}

TEST(LexerTest, Numbers) {
  using K = TokenKind;
  EXPECT_EQ(Kinds("0 42 +7 -3 1.5 -0.25 .5 +.5"),
            (std::vector<K>{K::kInteger, K::kInteger, K::kInteger, K::kInteger, K::kFloat,
                            K::kFloat, K::kFloat, K::kFloat, K::kEnd}));
  Token lead = First("007");
  EXPECT_EQ(lead.kind, K::kInvalid);
  EXPECT_STREQ(lead.error, "an integer may not have leading zeros");
  EXPECT_EQ(First("1.").kind, K::kInvalid);
}

TEST(LexerTest, StringsWithEscapes) {
  Token t = First(R"('it\'s a \\ path')");
  EXPECT_EQ(t.kind, TokenKind::kString);
  EXPECT_TRUE(t.has_escape);
  EXPECT_EQ(t.end, 17u);
  Token plain = First("'abc'");
  EXPECT_FALSE(plain.has_escape);
}

TEST(LexerTest, StringErrors) {
  Token unterminated = First("'abc");
  EXPECT_EQ(unterminated.kind, TokenKind::kInvalid);
  EXPECT_STREQ(unterminated.error, "unterminated string: no closing quote");
  Token bad_escape = First(R"('a\nb')");
  EXPECT_EQ(bad_escape.kind, TokenKind::kInvalid);
  EXPECT_EQ(bad_escape.error_offset, 2u);
}

TEST(LexerTest, TypedLiterals) {
  EXPECT_EQ(First("t'2016-01-01T00:00:00Z'").kind, TokenKind::kTimestamp);
  EXPECT_EQ(First("b'AAEC'").kind, TokenKind::kBinary);
  EXPECT_EQ(First("h'00ff'").kind, TokenKind::kHex);
  EXPECT_EQ(First("h''").kind, TokenKind::kHex);
  // t, b, h without a quote are identifiers.
  EXPECT_EQ(First("t:x").kind, TokenKind::kIdentifier);
}

TEST(LexerTest, TypedLiteralErrors) {
  EXPECT_EQ(First("h'abc'").kind, TokenKind::kInvalid);   // odd digit count
  EXPECT_EQ(First("h'zz'").kind, TokenKind::kInvalid);    // not hex
  EXPECT_EQ(First("b'abc'").kind, TokenKind::kInvalid);   // not a multiple of 4
  EXPECT_EQ(First("b'ab!='").kind, TokenKind::kInvalid);  // not base64
  EXPECT_EQ(First("b''").kind, TokenKind::kInvalid);      // grammar needs one group
  EXPECT_EQ(First("b'YQ=='").kind, TokenKind::kBinary);
  EXPECT_EQ(First("t'2016").kind, TokenKind::kInvalid);  // unterminated
}

TEST(LexerTest, WhitespaceAndComments) {
  using K = TokenKind;
  EXPECT_EQ(Kinds("\t[\r\n/* comment ] */ ]// rest ]\n"),
            (std::vector<K>{K::kLBracket, K::kRBracket, K::kEnd}));
  // Unicode spaces from the grammar's WS rule: U+00A0, U+2003, U+3000.
  EXPECT_EQ(Kinds("[\xC2\xA0\xE2\x80\x83\xE3\x80\x80]"),
            (std::vector<K>{K::kLBracket, K::kRBracket, K::kEnd}));
  Token open = First("/* never closed");
  EXPECT_EQ(open.kind, K::kInvalid);
}

TEST(LexerTest, InvalidCharacters) {
  EXPECT_EQ(First("?").kind, TokenKind::kInvalid);
  EXPECT_EQ(First("/").kind, TokenKind::kInvalid);
  EXPECT_EQ(First("!").kind, TokenKind::kInvalid);
  EXPECT_EQ(First("-").kind, TokenKind::kInvalid);
  EXPECT_EQ(First("\xC3\xA9").kind, TokenKind::kInvalid);  // é outside a string
}

TEST(LexerTest, EndIsSticky) {
  Lexer lx("]");
  EXPECT_EQ(lx.Next().kind, TokenKind::kRBracket);
  EXPECT_EQ(lx.Next().kind, TokenKind::kEnd);
  EXPECT_EQ(lx.Next().kind, TokenKind::kEnd);
}

TEST(LexerTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(LexerTest, TokenKindNamesAreHuman) {
  EXPECT_EQ(TokenKindName(TokenKind::kRBracket), "']'");
  EXPECT_EQ(TokenKindName(TokenKind::kEnd), "the end of the pattern");
  EXPECT_EQ(TokenKindName(TokenKind::kString), "a string");
}

}  // namespace
}  // namespace kizuna::pattern
