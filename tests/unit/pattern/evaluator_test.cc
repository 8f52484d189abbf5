#include "pattern/evaluator.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "pattern/validator.h"

namespace kizuna::pattern {
namespace {

namespace json = boost::json;

// One 2.0-style observed-data holding `objects` (a JSON dictionary text).
std::string Obs(const std::string& objects, const std::string& first = "2020-01-01T00:00:00Z",
                const std::string& last = "", int n = 1, const std::string& id = "") {
  std::string out = "{\"type\":\"observed-data\",";
  if (!id.empty()) out += "\"id\":\"" + id + "\",";
  out += "\"first_observed\":\"" + first + "\",\"last_observed\":\"" +
         (last.empty() ? first : last) + "\",\"number_observed\":" + std::to_string(n) +
         ",\"objects\":" + objects + "}";
  return out;
}

struct Outcome {
  bool ok = false;
  bool matched = false;
  std::vector<size_t> observations;
  std::string error;
};

Outcome Eval(std::string_view pattern, const std::string& observed_json,
             SpecVersion v = SpecVersion::k21, EvalOptions eo = {}) {
  Outcome out;
  CheckOptions co;
  co.spec_version = v;
  CheckResult c = Check(pattern, co);
  if (!c.ok()) {
    out.error = c.FirstError()->ToString();
    return out;
  }
  json::value data = json::parse(observed_json);
  auto set = ObservationSet::Build(data.as_array(), v);
  if (!set.ok()) {
    out.error = set.error().ToString();
    return out;
  }
  auto r = Evaluate(*c.pattern, *set, eo);
  if (!r.ok()) {
    out.error = r.error().ToString();
    return out;
  }
  out.ok = true;
  out.matched = r->matched;
  out.observations = r->observations;
  return out;
}

// A single observation with one object of type "x-t" with the given fields.
const std::string kObject =
    R"({"0":{"type":"x-t","s":"hello","i":5,"f":12.5,"fi":12.0,"b":true,"n":null,
         "ts":"2016-05-01T10:00:00.5Z","bad_ts":"yesterday",
         "list":["alpha","beta",3],"nested":{"k":"v","deep":[{"a":1},{"a":2}]},
         "data_hex":"00ff41","payload_bin":"aGVsbG8=","ip":"198.51.100.7",
         "net":"198.51.100.0/24","uni":"\u00e9t\u00e9"}})";

bool Matches(std::string_view pattern) {
  Outcome o = Eval(pattern, "[" + Obs(kObject) + "]");
  EXPECT_TRUE(o.ok) << pattern << ": " << o.error;
  return o.matched;
}

TEST(EvaluatorTest, EqualityOnEachType) {
  EXPECT_TRUE(Matches("[x-t:s = 'hello']"));
  EXPECT_FALSE(Matches("[x-t:s = 'Hello']"));  // case-sensitive (STIX 2.1 §9.4)
  EXPECT_TRUE(Matches("[x-t:i = 5]"));
  EXPECT_TRUE(Matches("[x-t:i = 5.0]"));  // integers and floats compare numerically
  EXPECT_TRUE(Matches("[x-t:fi = 12]"));
  EXPECT_TRUE(Matches("[x-t:f = 12.5]"));
  EXPECT_TRUE(Matches("[x-t:b = true]"));
  EXPECT_FALSE(Matches("[x-t:b = 1]"));    // a boolean is not a number
  EXPECT_FALSE(Matches("[x-t:i = '5']"));  // nor is a string
  EXPECT_TRUE(Matches("[x-t:ts = t'2016-05-01T10:00:00.500Z']"));
  EXPECT_TRUE(Matches("[x-t:data_hex = h'00ff41']"));
  EXPECT_TRUE(Matches("[x-t:payload_bin = b'aGVsbG8=']"));
  EXPECT_TRUE(Matches("[x-t:payload_bin = 'hello']"));  // string vs binary, byte by byte
  EXPECT_TRUE(Matches("[x-t:s = h'68656c6c6f']"));
  EXPECT_TRUE(Matches("[x-t:uni = '\xC3\xA9t\xC3\xA9']"));
}

TEST(EvaluatorTest, NotEqualAndNot) {
  EXPECT_TRUE(Matches("[x-t:s != 'world']"));
  EXPECT_FALSE(Matches("[x-t:s != 'hello']"));
  EXPECT_TRUE(Matches("[x-t:i != 'x']"));  // other types are unequal
  EXPECT_TRUE(Matches("[x-t:s NOT = 'world']"));
  EXPECT_FALSE(Matches("[x-t:s NOT != 'world']"));
  EXPECT_TRUE(Matches("[x-t:n != 'x']"));  // null is a value of its own
  EXPECT_FALSE(Matches("[x-t:n = 'x']"));
  EXPECT_FALSE(Matches("[x-t:missing != 'x']"));  // nothing selected: never true
  EXPECT_FALSE(Matches("[x-t:missing NOT = 'x']"));
}

TEST(EvaluatorTest, OrderingOnEachType) {
  EXPECT_TRUE(Matches("[x-t:i < 6]"));
  EXPECT_TRUE(Matches("[x-t:i <= 5]"));
  EXPECT_FALSE(Matches("[x-t:i > 5]"));
  EXPECT_TRUE(Matches("[x-t:i >= 4.5]"));
  EXPECT_TRUE(Matches("[x-t:f > 12]"));
  EXPECT_TRUE(Matches("[x-t:s > 'hell']"));
  EXPECT_TRUE(Matches("[x-t:s < 'help']"));
  EXPECT_FALSE(Matches("[x-t:s < 'HELLO']"));  // code point order: 'h' > 'H'
  EXPECT_TRUE(Matches("[x-t:ts > t'2016-05-01T10:00:00Z']"));
  EXPECT_TRUE(Matches("[x-t:ts < t'2016-05-01T10:00:01Z']"));
  EXPECT_TRUE(Matches("[x-t:data_hex > h'00fe']"));
  EXPECT_FALSE(Matches("[x-t:b > 0]"));      // booleans have no order
  EXPECT_FALSE(Matches("[x-t:b NOT > 0]"));  // ...even negated: no comparison, no match
  EXPECT_TRUE(Matches("[x-t:s NOT > 'z']"));
  EXPECT_FALSE(Matches("[x-t:i < 'a']"));  // incomparable types
}

TEST(EvaluatorTest, InSets) {
  EXPECT_TRUE(Matches("[x-t:s IN ('a', 'hello')]"));
  EXPECT_FALSE(Matches("[x-t:s IN ('a', 'b')]"));
  EXPECT_TRUE(Matches("[x-t:s NOT IN ('a', 'b')]"));
  EXPECT_TRUE(Matches("[x-t:i IN (1, 5.0)]"));
  EXPECT_FALSE(Matches("[x-t:b IN (1, 2)]"));
  EXPECT_TRUE(Matches("[x-t:ts IN (t'2016-05-01T10:00:00.5Z')]"));
  EXPECT_FALSE(Matches("[x-t:s IN ()]"));
  EXPECT_TRUE(Matches("[x-t:s NOT IN ()]"));
}

TEST(EvaluatorTest, Like) {
  EXPECT_TRUE(Matches("[x-t:s LIKE 'h%']"));
  EXPECT_TRUE(Matches("[x-t:s LIKE 'h_llo']"));
  EXPECT_TRUE(Matches("[x-t:s LIKE '%']"));
  EXPECT_TRUE(Matches("[x-t:s LIKE '%l%o']"));
  EXPECT_FALSE(Matches("[x-t:s LIKE 'H%']"));
  EXPECT_FALSE(Matches("[x-t:s LIKE 'hell']"));   // whole value
  EXPECT_FALSE(Matches("[x-t:s LIKE 'h.llo']"));  // no regex metacharacters
  EXPECT_TRUE(Matches("[x-t:uni LIKE '_t_']"));   // _ is one character, not one byte
  EXPECT_FALSE(Matches("[x-t:i LIKE '5']"));      // not a string
  EXPECT_TRUE(Matches("[x-t:s NOT LIKE 'x%']"));
}

TEST(EvaluatorTest, Matches) {
  EXPECT_TRUE(Matches("[x-t:s MATCHES 'ell']"));  // unanchored search
  EXPECT_TRUE(Matches("[x-t:s MATCHES '^h.l+o$']"));
  EXPECT_FALSE(Matches("[x-t:s MATCHES '^ell']"));
  EXPECT_TRUE(Matches("[x-t:payload_bin MATCHES '^hel']"));
  EXPECT_TRUE(Matches("[x-t:data_hex MATCHES '\\\\xffA']"));  // bytes as Latin-1
  EXPECT_FALSE(Matches("[x-t:i MATCHES '5']"));
  EXPECT_TRUE(Matches("[x-t:uni MATCHES '^.t.$']"));  // . is a character
  // Hostile input stays linear: RE2 has no catastrophic backtracking.
  std::string evil(30000, 'a');
  Outcome o = Eval("[x-t:s MATCHES '^(a+)+$']",
                   "[" + Obs("{\"0\":{\"type\":\"x-t\",\"s\":\"" + evil + "b\"}}") + "]");
  ASSERT_TRUE(o.ok) << o.error;
  EXPECT_FALSE(o.matched);
}

TEST(EvaluatorTest, UnicodeNormalizationForLikeAndMatchesOnly) {
  // U+1E0D U+0307 (NFC) versus d U+0323 U+0307 (NFD).
  std::string objs = R"({"0":{"type":"x-t","nfc":"\u1e0d\u0307","nfd":"d\u0323\u0307"}})";
  std::string data = "[" + Obs(objs) + "]";
  auto m = [&](std::string_view p) {
    Outcome o = Eval(p, data);
    EXPECT_TRUE(o.ok) << o.error;
    return o.matched;
  };
  EXPECT_TRUE(m("[x-t:nfd LIKE '\xE1\xB8\x8D\xCC\x87']"));
  EXPECT_TRUE(m("[x-t:nfc MATCHES '^d\xCC\xA3\xCC\x87$']"));
  EXPECT_FALSE(m("[x-t:nfc = 'd\xCC\xA3\xCC\x87']"));  // '=' compares code points
}

TEST(EvaluatorTest, CidrSemantics) {
  EXPECT_TRUE(Matches("[x-t:ip ISSUBSET '198.51.100.0/24']"));
  EXPECT_FALSE(Matches("[x-t:ip ISSUBSET '198.51.101.0/24']"));
  EXPECT_TRUE(Matches("[x-t:net ISSUBSET '198.51.0.0/16']"));
  EXPECT_FALSE(Matches("[x-t:net ISSUBSET '198.51.100.0/25']"));  // /24 is not inside a /25
  EXPECT_TRUE(Matches("[x-t:net ISSUPERSET '198.51.100.200']"));
  EXPECT_TRUE(Matches("[x-t:net ISSUPERSET '198.51.100.128/25']"));
  EXPECT_FALSE(Matches("[x-t:ip ISSUPERSET '198.51.100.0/24']"));
  EXPECT_FALSE(Matches("[x-t:i ISSUBSET '0.0.0.0/0']"));
  EXPECT_FALSE(Matches("[x-t:s ISSUBSET '10.0.0.0/8']"));  // not an address: not inside
  EXPECT_TRUE(Matches("[x-t:s NOT ISSUBSET '10.0.0.0/8']"));
}

TEST(EvaluatorTest, AddressEqualityComparesNetworks) {
  std::string data = "[" + Obs(R"({"0":{"type":"ipv4-addr","value":"198.51.100.7"},
                                    "1":{"type":"ipv6-addr","value":"2001:DB8::1"},
                                    "2":{"type":"x-t","value":"198.51.100.7"}})") +
                     "]";
  auto m = [&](std::string_view p) {
    Outcome o = Eval(p, data);
    EXPECT_TRUE(o.ok) << o.error;
    return o.matched;
  };
  EXPECT_TRUE(m("[ipv4-addr:value = '198.51.100.7/32']"));
  EXPECT_TRUE(m("[ipv4-addr:value = '198.51.100.7']"));
  EXPECT_FALSE(m("[ipv4-addr:value = '198.51.100.0/24']"));  // = is equality, not containment
  EXPECT_TRUE(m("[ipv4-addr:value != '198.51.100.8']"));
  EXPECT_TRUE(m("[ipv6-addr:value = '2001:db8:0::1/128']"));
  EXPECT_TRUE(m("[ipv6-addr:value ISSUBSET '2001:db8::/32']"));
  EXPECT_FALSE(m("[x-t:value = '198.51.100.7/32']"));  // other types: plain strings
}

TEST(EvaluatorTest, ExistsOperator) {
  EXPECT_TRUE(Matches("[EXISTS x-t:s]"));
  EXPECT_TRUE(Matches("[EXISTS x-t:nested.deep[1].a]"));
  EXPECT_FALSE(Matches("[EXISTS x-t:nested.deep[2].a]"));
  EXPECT_TRUE(Matches("[NOT EXISTS x-t:missing]"));
  EXPECT_FALSE(Matches("[NOT EXISTS x-t:s]"));
  EXPECT_FALSE(Matches("[NOT EXISTS other:missing]"));  // needs an object of the type
}

TEST(EvaluatorTest, PathsIndexesAndStars) {
  EXPECT_TRUE(Matches("[x-t:list[0] = 'alpha']"));
  EXPECT_TRUE(Matches("[x-t:list[*] = 'beta']"));
  EXPECT_TRUE(Matches("[x-t:list[*] = 3]"));
  EXPECT_FALSE(Matches("[x-t:list[5] = 'alpha']"));
  EXPECT_FALSE(Matches("[x-t:list[-1] = 3]"));
  EXPECT_TRUE(Matches("[x-t:nested.k = 'v']"));
  EXPECT_TRUE(Matches("[x-t:nested.deep[*].a = 2]"));
  EXPECT_FALSE(Matches("[x-t:s[0] = 'h']"));
  EXPECT_FALSE(Matches("[x-t:list.k = 'v']"));
}

TEST(EvaluatorTest, ComparisonAndOrOnTheSameObject) {
  std::string data = "[" + Obs(R"({"0":{"type":"file","name":"a","size":1},
                                    "1":{"type":"file","name":"b","size":2}})") +
                     "]";
  auto m = [&](std::string_view p) { return Eval(p, data).matched; };
  EXPECT_TRUE(m("[file:name = 'a' AND file:size = 1]"));
  EXPECT_FALSE(m("[file:name = 'a' AND file:size = 2]"));  // must be one object (§9.2)
  EXPECT_TRUE(m("[file:name = 'a' OR file:size = 2]"));
  EXPECT_TRUE(m("[(file:name = 'x' OR file:name = 'b') AND file:size = 2]"));
}

TEST(EvaluatorTest, ReferencesAre20KeysAnd21Ids) {
  std::string v20 = "[" + Obs(R"({"0":{"type":"ipv4-addr","value":"203.0.113.1"},
      "1":{"type":"network-traffic","dst_ref":"0","src_refs":["0","9"],"protocols":["tcp"]}})") +
                    "]";
  EXPECT_TRUE(
      Eval("[network-traffic:dst_ref.value = '203.0.113.1']", v20, SpecVersion::k20).matched);
  EXPECT_TRUE(
      Eval("[network-traffic:src_refs[*].value = '203.0.113.1']", v20, SpecVersion::k20).matched);
  EXPECT_TRUE(
      Eval("[network-traffic:src_refs[0].type = 'ipv4-addr']", v20, SpecVersion::k20).matched);
  EXPECT_FALSE(Eval("[network-traffic:dst_ref = '0']", v20, SpecVersion::k20).matched);

  std::string v21 = R"([{"type":"bundle","id":"bundle--1","objects":[
      {"type":"observed-data","id":"observed-data--a","first_observed":"2020-01-01T00:00:00Z",
       "last_observed":"2020-01-01T00:00:00Z","number_observed":1,
       "object_refs":["network-traffic--1","ipv4-addr--1"]},
      {"type":"observed-data","id":"observed-data--b","first_observed":"2020-01-01T00:00:00Z",
       "last_observed":"2020-01-01T00:00:00Z","number_observed":1,
       "object_refs":["network-traffic--2"]},
      {"type":"network-traffic","id":"network-traffic--1","dst_ref":"ipv4-addr--1"},
      {"type":"network-traffic","id":"network-traffic--2","dst_ref":"ipv4-addr--1"},
      {"type":"ipv4-addr","id":"ipv4-addr--1","value":"203.0.113.1"}]}])";
  Outcome o = Eval("[network-traffic:dst_ref.value = '203.0.113.1']", v21);
  ASSERT_TRUE(o.ok) << o.error;
  EXPECT_TRUE(o.matched);
  EXPECT_EQ(o.observations, std::vector<size_t>{0});  // b does not list the address
  EXPECT_EQ(
      Eval("[ipv4-addr:value = '203.0.113.1'] AND [network-traffic:dst_port = 1]", v21).matched,
      false);
}

// Four observations of "e" objects at 10-second steps.
std::string Timeline(int n_observed = 1) {
  std::string out = "[";
  for (int i = 0; i < 4; ++i) {
    if (i) out += ",";
    char ts[32];
    std::snprintf(ts, sizeof(ts), "2020-01-01T00:00:%02dZ", i * 10);
    out += Obs("{\"0\":{\"type\":\"e\",\"k\":" + std::to_string(i) + "}}", ts, "", n_observed,
               "observed-data--" + std::to_string(i));
  }
  return out + "]";
}

TEST(EvaluatorTest, ObservationAndOrBindDistinctObservations) {
  std::string t = Timeline();
  Outcome a = Eval("[e:k = 1] AND [e:k = 3]", t);
  EXPECT_TRUE(a.matched);
  EXPECT_EQ(a.observations, (std::vector<size_t>{1, 3}));
  EXPECT_FALSE(Eval("[e:k = 1] AND [e:k = 1]", t).matched);           // one observation, used once
  EXPECT_TRUE(Eval("[e:k = 1] AND [e:k = 1]", Timeline(2)).matched);  // number_observed 2
  EXPECT_TRUE(Eval("[e:k = 9] OR [e:k = 2]", t).matched);
  EXPECT_EQ(Eval("[e:k = 9] OR [e:k = 2]", t).observations, std::vector<size_t>{2});
  EXPECT_FALSE(Eval("[e:k = 9] OR [e:k = 8]", t).matched);
  EXPECT_TRUE(Eval("[e:k < 2] AND [e:k < 2]", t).matched);  // two different ones
  EXPECT_FALSE(Eval("[e:k < 1] AND [e:k < 1]", t).matched);
}

TEST(EvaluatorTest, FollowedBy) {
  std::string t = Timeline();
  EXPECT_TRUE(Eval("[e:k = 0] FOLLOWEDBY [e:k = 2]", t).matched);
  EXPECT_FALSE(Eval("[e:k = 2] FOLLOWEDBY [e:k = 0]", t).matched);
  EXPECT_TRUE(Eval("[e:k = 0] FOLLOWEDBY [e:k = 1] FOLLOWEDBY [e:k = 3]", t).matched);
  EXPECT_FALSE(Eval("[e:k = 0] FOLLOWEDBY [e:k = 3] FOLLOWEDBY [e:k = 1]", t).matched);
  // Overlapping intervals can be ordered either way.
  std::string overlap =
      "[" + Obs(R"({"0":{"type":"e","k":0}})", "2020-01-01T00:00:00Z", "2020-01-01T00:01:00Z") +
      "," + Obs(R"({"0":{"type":"e","k":1}})", "2020-01-01T00:00:30Z") + "]";
  EXPECT_TRUE(Eval("[e:k = 1] FOLLOWEDBY [e:k = 0]", overlap).matched);
  EXPECT_TRUE(Eval("[e:k = 0] FOLLOWEDBY [e:k = 1]", overlap).matched);
}

TEST(EvaluatorTest, Within) {
  std::string t = Timeline();
  EXPECT_TRUE(Eval("([e:k = 0] AND [e:k = 1]) WITHIN 10 SECONDS", t).matched);
  EXPECT_FALSE(Eval("([e:k = 0] AND [e:k = 1]) WITHIN 9.5 SECONDS", t).matched);
  EXPECT_TRUE(Eval("([e:k = 0] AND [e:k = 3]) WITHIN 30 SECONDS", t).matched);
  EXPECT_FALSE(Eval("([e:k = 0] AND [e:k = 3]) WITHIN 29 SECONDS", t).matched);
  // The qualifier applies to its own subtree only.
  EXPECT_TRUE(Eval("([e:k = 0] AND [e:k = 1]) WITHIN 10 SECONDS AND [e:k = 3]", t).matched);
  EXPECT_TRUE(Eval("[e:k >= 0] REPEATS 2 TIMES WITHIN 10 SECONDS", t).matched);
  EXPECT_FALSE(Eval("[e:k >= 0] REPEATS 3 TIMES WITHIN 10 SECONDS", t).matched);
}

TEST(EvaluatorTest, Repeats) {
  std::string t = Timeline();
  EXPECT_TRUE(Eval("[e:k >= 0] REPEATS 4 TIMES", t).matched);
  EXPECT_FALSE(Eval("[e:k >= 0] REPEATS 5 TIMES", t).matched);
  EXPECT_TRUE(Eval("[e:k = 2] REPEATS 3 TIMES", Timeline(3)).matched);  // number_observed
  EXPECT_FALSE(Eval("[e:k = 2] REPEATS 4 TIMES", Timeline(3)).matched);
  Outcome r = Eval("[e:k >= 2] REPEATS 2 TIMES", t);
  EXPECT_EQ(r.observations, (std::vector<size_t>{2, 3}));
}

TEST(EvaluatorTest, RepeatsNested) {
  // The parenthesized form of the 2.1 matcher cases excluded in
  // tests/data/pattern/exclusions.txt: 2x2 needs four observations.
  std::string t = Timeline();
  EXPECT_TRUE(Eval("([e:k >= 0] REPEATS 2 TIMES) REPEATS 2 TIMES", t).matched);
  EXPECT_FALSE(Eval("([e:k >= 0] REPEATS 2 TIMES) REPEATS 3 TIMES", t).matched);
  EXPECT_TRUE(Eval("[e:k >= 0] REPEATS 2 TIMES REPEATS 2 TIMES", t, SpecVersion::k20).matched);
}

TEST(EvaluatorTest, StartStop) {
  std::string t = Timeline();
  EXPECT_TRUE(
      Eval("[e:k = 1] START t'2020-01-01T00:00:10Z' STOP t'2020-01-01T00:00:11Z'", t).matched);
  // STOP is exclusive, START inclusive.
  EXPECT_FALSE(
      Eval("[e:k = 1] START t'2020-01-01T00:00:00Z' STOP t'2020-01-01T00:00:10Z'", t).matched);
  EXPECT_FALSE(
      Eval("[e:k = 1] START t'2020-01-01T00:00:10.001Z' STOP t'2020-01-01T00:01:00Z'", t).matched);
  EXPECT_TRUE(Eval("[e:k >= 0] REPEATS 2 TIMES START t'2020-01-01T00:00:15Z' "
                   "STOP t'2020-01-01T00:01:00Z'",
                   t)
                  .matched);
  EXPECT_FALSE(Eval("[e:k >= 0] REPEATS 3 TIMES START t'2020-01-01T00:00:15Z' "
                    "STOP t'2020-01-01T00:01:00Z'",
                    t)
                   .matched);
}

TEST(EvaluatorTest, TimestampAgainstNonTimestampIsAnError) {
  Outcome o = Eval("[x-t:bad_ts = t'2016-01-01T00:00:00Z']", "[" + Obs(kObject) + "]");
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("is compared with a timestamp but is not one"), std::string::npos);
}

TEST(EvaluatorTest, BadObservedDataIsAnError) {
  EXPECT_NE(Eval("[e:k = 1]", R"([{"type":"observed-data","last_observed":"2020-01-01T00:00:00Z",
      "number_observed":1,"objects":{}}])")
                .error.find("has no first_observed"),
            std::string::npos);
  EXPECT_NE(Eval("[e:k = 1]", "[" + Obs("{}", "2020-01-01T00:00:00Z", "", 0) + "]")
                .error.find("number_observed must be at least 1"),
            std::string::npos);
  EXPECT_NE(Eval("[e:k = 1]", "[5]").error.find("is not a JSON object"), std::string::npos);
  EXPECT_NE(Eval("[e:k = 1]", "[" + Obs("{}", "not a time") + "]").error.find("first_observed"),
            std::string::npos);
}

TEST(EvaluatorTest, CombinatorialLimitFailsClearly) {
  // 30 observations, no 12 of which fit in 5 seconds: a large search space.
  std::string many = "[";
  for (int i = 0; i < 30; ++i) {
    if (i) many += ",";
    char ts[32];
    std::snprintf(ts, sizeof(ts), "2020-01-01T00:%02d:00Z", i);
    many += Obs(R"({"0":{"type":"e","k":1}})", ts);
  }
  many += "]";
  EvalOptions eo;
  eo.max_steps = 1000;
  Outcome o = Eval("([e:k = 1] AND [e:k = 1] AND [e:k = 1]) FOLLOWEDBY [e:k = 2]", many,
                   SpecVersion::k21, eo);
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("combinatorial limit"), std::string::npos) << o.error;
  EvalOptions small;
  small.max_binding_size = 10;
  Outcome big = Eval("[e:k = 1] REPEATS 11 TIMES", many, SpecVersion::k21, small);
  EXPECT_FALSE(big.ok);
  EXPECT_NE(big.error.find("needs 11 observations"), std::string::npos) << big.error;
}

TEST(EvaluatorTest, MatchedNamesTheBoundObservations) {
  std::string t = Timeline();
  json::value data = json::parse(t);
  auto set = ObservationSet::Build(data.as_array(), SpecVersion::k21);
  ASSERT_TRUE(set.ok());
  CheckResult c = Check("[e:k = 3] FOLLOWEDBY [e:k = 3]");
  ASSERT_TRUE(c.ok());
  auto r = Evaluate(*c.pattern, *set);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->matched);
  CheckResult d = Check("[e:k = 0] FOLLOWEDBY [e:k = 3]");
  auto s = Evaluate(*d.pattern, *set);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->observations.size(), 2u);
  EXPECT_EQ(set->observations()[s->observations[1]].id, "observed-data--3");
}

}  // namespace
}  // namespace kizuna::pattern
