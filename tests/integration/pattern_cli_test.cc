// `kizuna pattern check` and `kizuna pattern eval` through the real binary.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "harness.h"

namespace kizuna {
namespace {

using testing::ProcessResult;
using testing::RunProcess;
namespace json = boost::json;

ProcessResult Kizuna(std::vector<std::string> args, const std::string& in = "") {
  args.insert(args.begin(), KIZUNA_BINARY);
  return RunProcess(args, in);
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

TEST(PatternCliTest, CheckArgumentsInOrder) {
  ProcessResult r = Kizuna({"pattern", "check", "[file:size = 1280]", "[file:size = ]",
                            "[ipv4-addr:value = '198.51.100.1']"});
  EXPECT_EQ(r.exit_code, 1);
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[0], "ok");
  EXPECT_EQ(lines[1],
            "error: 1:14: expected a constant (string, number, boolean, timestamp, binary or hex) "
            "after '=', found ']'");
  EXPECT_EQ(lines[2], "ok");
}

TEST(PatternCliTest, CheckAllValidExitsZero) {
  ProcessResult r = Kizuna({"pattern", "check", "[domain-name:value = 'example.com']"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "ok\n");
  EXPECT_EQ(r.err, "");
}

TEST(PatternCliTest, CheckReadsStdinOnePerLine) {
  ProcessResult r = Kizuna({"pattern", "check"},
                           "[file:name = 'a']\r\n[file:name = 'a'] within 5 seconds\n\n"
                           "[foo:bar = 1]\n");
  EXPECT_EQ(r.exit_code, 1);
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;
  EXPECT_EQ(lines[0], "ok");
  EXPECT_EQ(lines[1].rfind("error: 1:19: expected AND, OR, FOLLOWEDBY", 0), 0u) << lines[1];
  EXPECT_NE(lines[1].find("(keywords are upper-case: WITHIN)"), std::string::npos);
  EXPECT_EQ(lines[2].rfind("error: 1:1:", 0), 0u) << lines[2];  // an empty line is no pattern
  EXPECT_EQ(lines[3], "ok");
  // The unknown type is a warning, on stderr, naming the pattern.
  EXPECT_NE(r.err.find("warning: pattern 4: 1:2: 'foo' is not a STIX 2.1"), std::string::npos)
      << r.err;
}

TEST(PatternCliTest, CheckSpecVersionAndStrict) {
  ProcessResult v20 =
      Kizuna({"pattern", "check", "--spec-version", "2.0",
              "[a:b = 1] START '2016-01-01T00:00:00Z' STOP '2016-02-01T00:00:00Z'"});
  EXPECT_EQ(v20.exit_code, 0) << v20.out;
  ProcessResult v21 =
      Kizuna({"pattern", "check", "--spec-version", "2.1",
              "[a:b = 1] START '2016-01-01T00:00:00Z' STOP '2016-02-01T00:00:00Z'"});
  EXPECT_EQ(v21.exit_code, 1);
  ProcessResult exists20 = Kizuna({"pattern", "check", "--spec-version", "2.0", "[EXISTS a:b]"});
  EXPECT_EQ(exists20.exit_code, 1);
  ProcessResult strict = Kizuna({"pattern", "check", "--strict", "[foo:bar = 1]"});
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_NE(strict.out.find("error: 1:2: 'foo' is not a STIX 2.1"), std::string::npos);
  ProcessResult bad = Kizuna({"pattern", "check", "--spec-version", "3.0", "[a:b = 1]"});
  EXPECT_NE(bad.exit_code, 0);
}

TEST(PatternCliTest, EvalJsonLines) {
  std::string od21 = R"({"type":"bundle","id":"bundle--1","objects":[
    {"type":"observed-data","id":"observed-data--11111111-1111-4111-8111-111111111111",
     "first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z",
     "number_observed":1,"object_refs":["ipv4-addr--1"]},
    {"type":"ipv4-addr","id":"ipv4-addr--1","value":"198.51.100.7"}]})";
  std::string od20 = R"({"type":"observed-data","first_observed":"2020-01-01T00:00:00Z",
    "last_observed":"2020-01-01T00:00:00Z","number_observed":1,
    "objects":{"0":{"type":"file","name":"a.exe"}}})";
  auto one_line = [](std::string s) {
    for (char& c : s) {
      if (c == '\n') c = ' ';
    }
    return s;
  };
  std::string in;
  in +=
      one_line(R"({"pattern": "[ipv4-addr:value ISSUBSET '198.51.100.0/24']", "observed_data": [)" +
               od21 + "]}") +
      "\n";
  in += one_line(R"({"pattern": "[ipv4-addr:value = '10.0.0.1']", "observed_data": [)" + od21 +
                 "]}") +
        "\n";
  in +=
      one_line(R"({"pattern": "[file:name = 'a.exe']", "spec_version": "2.0", "observed_data": [)" +
               od20 + "]}") +
      "\n";
  in += "\n";  // blank lines are skipped
  in += "this is not json\n";
  in += R"({"pattern": "[file:name = ]", "observed_data": []})"
        "\n";
  in += R"({"pattern": "[a:b = 1]", "observed_data": [], "spec_version": "1.0"})"
        "\n";
  in += R"({"pattern": "[a:b = 1]"})"
        "\n";
  in += R"({"pattern": "[a:b = 1]", "observed_data": [{"type":"observed-data"}]})"
        "\n";
  in += R"([1, 2, 3])"
        "\n";
  ProcessResult r = Kizuna({"pattern", "eval"}, in);
  EXPECT_EQ(r.exit_code, 1);  // some lines had errors
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 9u) << r.out << r.err;
  std::vector<json::object> out;
  for (const std::string& l : lines) out.push_back(json::parse(l).as_object());
  EXPECT_EQ(out[0].at("match"), true);
  EXPECT_EQ(out[0].at("matched"),
            json::parse(R"(["observed-data--11111111-1111-4111-8111-111111111111"])"));
  EXPECT_TRUE(out[0].at("error").is_null());
  EXPECT_EQ(out[1].at("match"), false);
  EXPECT_EQ(out[1].at("matched"), json::array());
  EXPECT_TRUE(out[1].at("error").is_null());
  EXPECT_EQ(out[2].at("match"), true);
  EXPECT_EQ(out[2].at("matched"), json::parse("[null]"));  // 2.0 data without ids
  for (size_t i = 3; i < 9; ++i) {
    EXPECT_EQ(out[i].at("match"), false) << lines[i];
    ASSERT_TRUE(out[i].at("error").is_string()) << lines[i];
  }
  EXPECT_NE(std::string(out[3].at("error").as_string()).find("not valid JSON"), std::string::npos);
  EXPECT_NE(std::string(out[4].at("error").as_string()).find("invalid pattern: 1:14:"),
            std::string::npos);
  EXPECT_NE(std::string(out[5].at("error").as_string()).find("spec_version"), std::string::npos);
  EXPECT_NE(std::string(out[6].at("error").as_string()).find("observed_data"), std::string::npos);
  EXPECT_NE(std::string(out[7].at("error").as_string()).find("first_observed"), std::string::npos);
  EXPECT_NE(std::string(out[8].at("error").as_string()).find("not a JSON object"),
            std::string::npos);
}

TEST(PatternCliTest, EvalAllGoodExitsZeroAndEmptyInputIsFine) {
  ProcessResult empty = Kizuna({"pattern", "eval"}, "");
  EXPECT_EQ(empty.exit_code, 0);
  EXPECT_EQ(empty.out, "");
  ProcessResult r = Kizuna({"pattern", "eval"}, R"({"pattern": "[a:b = 1]", "observed_data": []})"
                                                "\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "{\"match\":false,\"matched\":[],\"error\":null}\n");
}

TEST(PatternCliTest, EvalCombinatorialLimitIsAnErrorLine) {
  std::string objs;
  for (int i = 0; i < 40; ++i) {
    if (i) objs += ",";
    char ts[32];
    std::snprintf(ts, sizeof(ts), "2020-01-01T00:%02d:00Z", i);
    objs += std::string(R"({"type":"observed-data","first_observed":")") + ts +
            R"(","last_observed":")" + ts +
            R"(","number_observed":1,"objects":{"0":{"type":"e","k":1}}})";
  }
  std::string line =
      R"({"pattern": "([e:k = 1] AND [e:k = 1] AND [e:k = 1] AND [e:k = 1]) FOLLOWEDBY [e:k = 2]", "spec_version": "2.0", "observed_data": [)" +
      objs + "]}\n";
  ProcessResult r = Kizuna({"pattern", "eval", "--max-steps", "1000"}, line);
  EXPECT_EQ(r.exit_code, 1);
  json::object o = json::parse(r.out).as_object();
  EXPECT_NE(std::string(o.at("error").as_string()).find("combinatorial limit"), std::string::npos);
}

}  // namespace
}  // namespace kizuna
