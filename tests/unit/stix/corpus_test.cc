// Real-world corpora: the OASIS example files must validate (the invalid_*
// ones must not), and the MITRE ATT&CK (ICS and Mobile in STIX 2.1,
// Enterprise in STIX 2.0) and CAPEC releases must validate with zero errors.
// All with the hub's default options.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "stix/bundle.h"
#include "stix/object.h"

namespace kizuna::stix {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const std::string kStixData = std::string(KIZUNA_SHARED_DATA) + "/stix";

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Validates a file's content: a bundle, or one object. Returns "" when
// valid, else the first error.
std::string ValidateDocument(const std::string& text) {
  Result<json::value> v = ParseJson(text);
  if (!v.ok()) return v.error().message();
  if (!v->is_object()) return "not a JSON object";
  const json::object& o = v->get_object();
  const json::value* type = o.if_contains("type");
  ValidateOptions options;
  if (type && type->is_string() && type->get_string() == "bundle") {
    Status s = ValidateBundle(o, options, nullptr);
    return s.ok() ? "" : s.message();
  }
  Result<ObjectInfo> r = ValidateObject(o, options, nullptr);
  return r.ok() ? "" : r.error().message();
}

std::vector<std::string> SplitRecord(const std::string& line) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == '|') {
      std::string p = line.substr(start, i - start);
      while (!p.empty() && p.front() == ' ') p.erase(0, 1);
      while (!p.empty() && p.back() == ' ') p.pop_back();
      parts.push_back(p);
      start = i + 1;
    }
  }
  return parts;
}

// Every example file gets the reference validator's verdict
// (tests/data/stix/examples-reference.txt), or is listed as an "example"
// record in validator-exclusions.txt; invalid_* files are invalid.
TEST(CorpusTest, OasisExamplesGetTheReferenceVerdict) {
  std::map<std::string, std::string> reference;  // path -> "valid" / "invalid"
  {
    std::ifstream in(std::string(KIZUNA_SOURCE_DIR) + "/tests/data/stix/examples-reference.txt");
    ASSERT_TRUE(in.good());
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::vector<std::string> p = SplitRecord(line);
      ASSERT_EQ(p.size(), 3u) << line;
      reference[p[1]] = p[0];
    }
  }
  std::map<std::string, std::string> excluded;  // path -> reason
  {
    std::ifstream in(std::string(KIZUNA_SOURCE_DIR) + "/tests/data/stix/validator-exclusions.txt");
    std::string line;
    while (std::getline(in, line)) {
      std::vector<std::string> p = SplitRecord(line);
      if (p.size() == 4 && p[0] == "example") {
        EXPECT_FALSE(p[2].empty() || p[3].empty()) << line;
        excluded[p[1]] = p[3];
      }
    }
  }
  int files = 0, valid = 0, invalid_named = 0;
  const std::string root = kStixData + "/examples/";
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    // test_schemas holds JSON Schemas of the validator's tests, not STIX.
    if (entry.path().parent_path().filename() == "test_schemas") continue;
    std::string rel = entry.path().string().substr(root.size());
    std::string error = ValidateDocument(ReadFile(entry.path()));
    ++files;
    if (error.empty()) ++valid;
    if (entry.path().filename().string().rfind("invalid_", 0) == 0) {
      ++invalid_named;
      EXPECT_NE(error, "") << rel << " is named invalid_ but validates";
    }
    auto ref = reference.find(rel);
    ASSERT_NE(ref, reference.end()) << rel << " has no reference verdict";
    bool agree = (ref->second == "valid") == error.empty();
    if (excluded.count(rel)) {
      EXPECT_FALSE(agree) << rel << " is excluded but agrees with the reference";
      continue;
    }
    EXPECT_TRUE(agree) << rel << ": reference says " << ref->second << ", we say "
                       << (error.empty() ? "valid" : "invalid: " + error);
  }
  EXPECT_EQ(files, static_cast<int>(reference.size()));
  EXPECT_EQ(invalid_named, 8);
  EXPECT_GT(valid, 100);
}

// Validates every object of a bundle file; counts objects and errors per
// message.
void ValidateBundleFile(const std::string& path, int* objects, std::map<std::string, int>* errors) {
  std::string text = ReadFile(path);
  Result<std::vector<RawObject>> raw = SplitObjects(text);
  ASSERT_TRUE(raw.ok()) << path << ": " << raw.error().message();
  ValidateOptions options;
  for (const RawObject& r : *raw) {
    ++*objects;
    Result<ObjectInfo> info = ValidateObjectJson(r.bytes, options, nullptr);
    if (!info.ok()) ++(*errors)[info.error().message()];
  }
}

// Validates every line of a gzip-compressed JSON-lines file.
void ValidateJsonLinesGz(const std::string& path, int* objects,
                         std::map<std::string, int>* errors) {
  std::string cmd = "gzip -dc '" + path + "'";
  FILE* f = popen(cmd.c_str(), "r");
  ASSERT_NE(f, nullptr);
  ValidateOptions options;
  std::string line;
  char buf[1 << 16];
  auto flush = [&] {
    if (line.empty()) return;
    ++*objects;
    Result<ObjectInfo> info = ValidateObjectJson(line, options, nullptr);
    if (!info.ok()) ++(*errors)[info.error().message()];
    line.clear();
  };
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
    for (size_t i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        flush();
      } else {
        line.push_back(buf[i]);
      }
    }
  }
  flush();
  EXPECT_EQ(pclose(f), 0) << cmd;
}

std::string Summary(const std::map<std::string, int>& errors) {
  std::string s;
  int shown = 0;
  for (const auto& [msg, count] : errors) {
    if (shown++ == 20) break;
    s += "\n  " + std::to_string(count) + "x " + msg;
  }
  return s;
}

TEST(CorpusTest, AttackIcsAndMobileValidate) {
  for (const char* file : {"ics-attack.json", "mobile-attack-17.1.json"}) {
    int objects = 0;
    std::map<std::string, int> errors;
    ValidateBundleFile(kStixData + "/attack/" + file, &objects, &errors);
    EXPECT_GT(objects, 500) << file;
    EXPECT_TRUE(errors.empty()) << file << Summary(errors);
  }
}

TEST(CorpusTest, AttackEnterpriseStix20Validates) {
  int objects = 0;
  std::map<std::string, int> errors;
  ValidateJsonLinesGz(kStixData + "/attack/enterprise-attack-v18-stix20-objects.jsonl.gz", &objects,
                      &errors);
  EXPECT_GT(objects, 20000);
  EXPECT_TRUE(errors.empty()) << Summary(errors);
}

TEST(CorpusTest, CapecValidates) {
  int objects = 0;
  std::map<std::string, int> errors;
  ValidateJsonLinesGz(kStixData + "/attack/capec-stix21-objects.jsonl.gz", &objects, &errors);
  EXPECT_GT(objects, 2000);
  EXPECT_TRUE(errors.empty()) << Summary(errors);
}

}  // namespace
}  // namespace kizuna::stix
