// Exports: every format from real indicators (the ESET MISP events and the
// indicator lists), checked by the documented grammar (rule_check.h); the
// grammar check itself rejects broken rules; MISP import.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "export/formats.h"
#include "export/misp.h"
#include "export/rule_check.h"
#include "match/indicator.h"
#include "match/normalize.h"

namespace kizuna::exports {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

std::string Data(const std::string& p) { return std::string(KIZUNA_SHARED_DATA) + "/" + p; }

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every ESET MISP event, converted to STIX.
std::vector<std::string> EsetObjects(MispImportStats* stats) {
  std::vector<std::string> out;
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(Data("indicators/eset-malware-ioc"))) {
    std::string n = e.path().filename().string();
    if (e.is_regular_file() && n.find("misp") != std::string::npos && e.path().extension() == ".json") {
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  int failed = 0;
  for (const auto& f : files) {
    auto objs = MispToStix(Read(f.string()), stats);
    if (objs.ok()) {
      out.insert(out.end(), objs->begin(), objs->end());
    } else {
      // One of the published files is truncated JSON (Python's json module
      // rejects it too); it must be refused, not half-read.
      ++failed;
      EXPECT_NE(objs.error().message().find("not JSON"), std::string::npos) << f;
    }
  }
  EXPECT_LE(failed, 1);
  return out;
}

std::string Indicator(int n, const std::string& pattern, const std::string& name) {
  char id[64];
  std::snprintf(id, sizeof id, "indicator--10000000-0000-4000-8000-%012d", n);
  json::object o{{"type", "indicator"}, {"spec_version", "2.1"}, {"id", id},
                 {"created", "2025-01-01T00:00:00Z"}, {"modified", "2025-01-01T00:00:00Z"},
                 {"name", name}, {"pattern", pattern}, {"pattern_type", "stix"},
                 {"valid_from", "2025-01-01T00:00:00Z"}};
  return json::serialize(o);
}

// A list of indicators from the real lists: domains, addresses, blocks, URLs.
std::vector<std::string> ListIndicators() {
  std::vector<std::string> out;
  int n = 0;
  auto lines = [](const std::string& p, size_t max) {
    std::vector<std::string> v;
    std::ifstream in(Data(p));
    std::string l;
    while (std::getline(in, l) && v.size() < max) {
      if (!l.empty() && l[0] != '#') v.push_back(l);
    }
    return v;
  };
  for (const auto& d : lines("indicators/phishing-database/phishing-domains-ACTIVE2.txt", 300)) {
    out.push_back(Indicator(++n, "[domain-name:value = '" + d + "']", "phishing " + d));
  }
  for (const auto& ip : lines("indicators/ipsum/levels/5.txt", 300)) {
    out.push_back(Indicator(++n, "[ipv4-addr:value = '" + ip + "']", "ipsum"));
  }
  for (const auto& c : lines("indicators/maltrail/mass_scanner_cidr.txt", 200)) {
    std::string v = c.substr(0, c.find_first_of(" #"));
    if (v.find('/') != std::string::npos) {
      out.push_back(Indicator(++n, "[ipv4-addr:value ISSUBSET '" + v + "']", "mass scanner"));
    }
  }
  for (auto u : lines("indicators/phishing-database/phishing-links-INACTIVE1.txt", 400)) {
    std::string esc;
    for (char c : u) {
      if (c == '\'' || c == '\\') esc += '\\';
      esc += c;
    }
    out.push_back(Indicator(++n, "[url:value = '" + esc + "']", "phishing link"));
  }
  return out;
}

std::string RunExport(const std::vector<std::string>& objects, ExportOptions o, ExportStats* stats = nullptr) {
  Exporter ex(o);
  std::string out;
  for (const auto& obj : objects) {
    ex.Add(obj);
    out += ex.TakeOutput();
  }
  out += ex.Finish();
  if (stats) *stats = ex.stats();
  return out;
}

TEST(MispImportTest, EsetEventsBecomeValidStix) {
  MispImportStats st;
  std::vector<std::string> objs = EsetObjects(&st);
  EXPECT_GE(st.events, 20);
  EXPECT_GE(st.indicators, 500);
  std::set<std::string> types;
  int reports = 0;
  match::IndicatorParser parser;
  for (const auto& o : objs) {
    json::object v = json::parse(o).as_object();
    std::string type(v.at("type").as_string());
    types.insert(type);
    if (type == "report" || type == "grouping") {
      ++reports;
      EXPECT_FALSE(v.at("object_refs").as_array().empty());
    }
    if (type == "indicator") {
      auto r = parser.Parse(o);
      ASSERT_TRUE(r.ok()) << o;
      ASSERT_TRUE(r->has_value());
    }
  }
  EXPECT_EQ(reports, st.events);
  EXPECT_TRUE(types.count("indicator"));
  EXPECT_TRUE(types.count("identity"));
}

TEST(MispImportTest, TagsBecomeMarkingsAndLabels) {
  std::string event = R"({"Event":{"uuid":"5a1e2c3d-0000-4000-8000-000000000001","info":"test",
    "date":"2024-05-01","published":true,"publish_timestamp":"1714560000",
    "Orgc":{"name":"CERT X","uuid":"5a1e2c3d-0000-4000-8000-0000000000aa"},
    "Tag":[{"name":"tlp:green"},{"name":"misp-galaxy:threat-actor=\"X\""}],
    "Attribute":[
      {"uuid":"5a1e2c3d-0000-4000-8000-000000000002","type":"ip-dst","value":"198.51.100.7","to_ids":true,"timestamp":"1714560000","Tag":[{"name":"tlp:amber"}]},
      {"uuid":"5a1e2c3d-0000-4000-8000-000000000003","type":"domain","value":"evil.example","to_ids":false,"timestamp":"1714560000"},
      {"uuid":"5a1e2c3d-0000-4000-8000-000000000004","type":"link","value":"https://blog.example/x"},
      {"uuid":"5a1e2c3d-0000-4000-8000-000000000005","type":"AS","value":"AS64500","to_ids":true}],
    "Object":[{"Attribute":[{"uuid":"5a1e2c3d-0000-4000-8000-000000000006","type":"sha256","to_ids":true,
      "value":"275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"}]}]}})";
  MispImportStats st;
  auto objs = MispToStix(event, &st);
  ASSERT_TRUE(objs.ok());
  EXPECT_EQ(st.indicators, 2);
  EXPECT_EQ(st.observables, 1);
  EXPECT_EQ(st.skipped["AS"], 1);
  std::map<std::string, json::object> by_id;
  for (const auto& o : *objs) {
    json::object v = json::parse(o).as_object();
    by_id[std::string(v.at("id").as_string())] = v;
  }
  const json::object& ind = by_id.at("indicator--5a1e2c3d-0000-4000-8000-000000000002");
  EXPECT_EQ(ind.at("pattern").as_string(), "[ipv4-addr:value = '198.51.100.7']");
  // The strictest of the event's GREEN and the attribute's AMBER.
  EXPECT_EQ(ind.at("object_marking_refs").as_array()[0].as_string(),
            "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421");
  EXPECT_EQ(ind.at("labels").as_array()[0].as_string(), "misp-galaxy:threat-actor=\"X\"");
  EXPECT_EQ(ind.at("created_by_ref").as_string(), "identity--5a1e2c3d-0000-4000-8000-0000000000aa");
  const json::object& rep = by_id.at("report--5a1e2c3d-0000-4000-8000-000000000001");
  EXPECT_EQ(rep.at("published").as_string(), "2024-05-01T10:40:00.000Z");
  EXPECT_EQ(rep.at("object_refs").as_array().size(), 3u);
  EXPECT_EQ(rep.at("external_references").as_array()[1].as_object().at("url").as_string(),
            "https://blog.example/x");
  EXPECT_FALSE(MispToStix("[1,2]", &st).ok());
  EXPECT_FALSE(MispToStix("{", &st).ok());
}

// Issue 18: a TLP tag is recognised after trimming, in any case; a "tlp:"
// tag of no known level neither travels on as a TLP-looking label nor loses
// its restriction: its attribute (an event tag: the event) is refused.
TEST(MispImportTest, TlpTagsOfNoKnownLevelAreRefused) {
  std::string event = R"({"Event":{"uuid":"5a1e2c3d-0000-4000-8000-000000000001","info":"test",
    "date":"2024-05-01","Orgc":{"name":"CERT X","uuid":"5a1e2c3d-0000-4000-8000-0000000000aa"},
    "Tag":[{"name":" TLP:Green\u00a0"}],
    "Attribute":[
      {"uuid":"5a1e2c3d-0000-4000-8000-000000000002","type":"ip-dst","value":"198.51.100.7","to_ids":true,"Tag":[{"name":"tlp:ex:chr"}]},
      {"uuid":"5a1e2c3d-0000-4000-8000-000000000003","type":"ip-dst","value":"198.51.100.8","to_ids":true,"Tag":[{"name":"\u200btlp:RED "}]},
      {"uuid":"5a1e2c3d-0000-4000-8000-000000000004","type":"ip-dst","value":"198.51.100.9","to_ids":true}]}})";
  MispImportStats st;
  auto objs = MispToStix(event, &st);
  ASSERT_TRUE(objs.ok());
  std::map<std::string, json::object> by_id;
  for (const auto& o : *objs) {
    json::object v = json::parse(o).as_object();
    by_id[std::string(v.at("id").as_string())] = v;
  }
  EXPECT_FALSE(by_id.contains("indicator--5a1e2c3d-0000-4000-8000-000000000002"));
  ASSERT_EQ(st.refused.size(), 1u);
  EXPECT_NE(st.refused[0].find("5a1e2c3d-0000-4000-8000-000000000002"), std::string::npos);
  EXPECT_NE(st.refused[0].find("'tlp:ex:chr'"), std::string::npos) << st.refused[0];
  EXPECT_NE(st.refused[0].find("(tlp-lookalike)"), std::string::npos);
  // Padded tags are their level: RED (stricter than the event's GREEN) ...
  EXPECT_EQ(by_id.at("indicator--5a1e2c3d-0000-4000-8000-000000000003")
                .at("object_marking_refs")
                .as_array()[0]
                .as_string(),
            "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1");
  // ... and the event's GREEN; no label looks like TLP.
  const json::object& plain = by_id.at("indicator--5a1e2c3d-0000-4000-8000-000000000004");
  EXPECT_EQ(plain.at("object_marking_refs").as_array()[0].as_string(),
            "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb");
  EXPECT_FALSE(plain.contains("labels"));

  // An event tag of no known level: nothing of the event is converted.
  std::string unclear = R"({"Event":{"uuid":"5a1e2c3d-0000-4000-8000-000000000009","info":"t",
    "Tag":[{"name":"tlp:unclear"}],
    "Attribute":[{"uuid":"5a1e2c3d-0000-4000-8000-00000000000a","type":"ip-dst","value":"198.51.100.7","to_ids":true}]}})";
  MispImportStats st2;
  auto none = MispToStix(unclear, &st2);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  ASSERT_EQ(st2.refused.size(), 1u);
  EXPECT_NE(st2.refused[0].find("MISP event 5a1e2c3d-0000-4000-8000-000000000009"),
            std::string::npos);
}

TEST(RuleExportTest, SuricataAndSnortRulesPassTheGrammar) {
  MispImportStats st;
  std::vector<std::string> objs = EsetObjects(&st);
  std::vector<std::string> lists = ListIndicators();
  objs.insert(objs.end(), lists.begin(), lists.end());
  for (auto [fmt, dialect] : {std::pair{Format::kSuricata, RuleDialect::kSuricata},
                              std::pair{Format::kSnort, RuleDialect::kSnort}}) {
    ExportOptions o;
    o.format = fmt;
    ExportStats es;
    std::string rules = RunExport(objs, o, &es);
    EXPECT_GE(es.values, 1000) << FormatName(fmt);
    std::vector<std::string> problems = CheckRules(rules, dialect);
    EXPECT_TRUE(problems.empty()) << FormatName(fmt) << ": " << problems.size() << " problems, first: "
                                  << problems.front();
    // Every rule names its indicator.
    size_t rules_n = 0, with_id = 0;
    std::istringstream in(rules);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      ++rules_n;
      with_id += line.find("metadata:stix_id indicator--") != std::string::npos;
    }
    EXPECT_EQ(rules_n, with_id);
    EXPECT_EQ(static_cast<int64_t>(rules_n), es.values);
  }
}

TEST(RuleExportTest, TheGrammarCheckRejectsBrokenRules) {
  const char* good = "alert ip [1.2.3.4] any <> $HOME_NET any (msg:\"x\"; sid:1; rev:1;)";
  EXPECT_TRUE(CheckRules(good, RuleDialect::kSuricata).empty());
  for (const char* bad : {
           "alert ip [1.2.3.4] any <> $HOME_NET any (msg:\"x\"; rev:1;)",           // no sid
           "alert ip [1.2.3.4] any <> $HOME_NET any (sid:1;)",                       // no msg
           "alert ip [1.2.3.999] any <> $HOME_NET any (msg:\"x\"; sid:1;)",          // address
           "alert ip any 70000 -> any any (msg:\"x\"; sid:1;)",                      // port
           "alert ip any any => any any (msg:\"x\"; sid:1;)",                        // direction
           "alert foo any any -> any any (msg:\"x\"; sid:1;)",                       // protocol
           "alert ip any any -> any any (msg:\"x\"; sid:1; bogus;)",                 // keyword
           "alert ip any any -> any any (msg:\"a\"b\"; sid:1;)",                     // quote
           "alert dns any any -> any any (msg:\"x\"; dns.query; sid:1;)",            // empty buffer
           "alert dns any any -> any any (msg:\"x\"; dotprefix; sid:1; content:\".a\";)",
           "alert dns any any -> any any (msg:\"x\"; nocase; content:\"a\"; sid:1;)",  // modifier first
           "alert dns any any -> any any (msg:\"x\"; content:\"|4|\"; sid:1;)",      // hex
           "alert dns any any -> any any (msg:\"x\"; content:\"a;b\"; sid:1;)",      // raw ;
           "alert ip any any -> any any (msg:\"x\"; sid:1)",                         // no final ;
       }) {
    EXPECT_FALSE(CheckRules(bad, RuleDialect::kSuricata).empty()) << bad;
  }
  std::string dup = std::string(good) + "\n" + good + "\n";
  EXPECT_FALSE(CheckRules(dup, RuleDialect::kSuricata).empty());
  // Snort 2 has no sticky buffers.
  EXPECT_FALSE(CheckRules("alert tcp any any -> any any (msg:\"x\"; http.uri; content:\"a\"; sid:1;)",
                          RuleDialect::kSnort).empty());
}

TEST(ZeekIntelExportTest, HeaderTypesAndValues) {
  MispImportStats st;
  std::vector<std::string> objs = EsetObjects(&st);
  std::vector<std::string> lists = ListIndicators();
  objs.insert(objs.end(), lists.begin(), lists.end());
  ExportOptions o;
  o.format = Format::kZeekIntel;
  ExportStats es;
  std::string intel = RunExport(objs, o, &es);
  EXPECT_TRUE(intel.rfind("#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\n", 0) == 0);
  std::vector<std::string> problems = CheckZeekIntel(intel);
  EXPECT_TRUE(problems.empty()) << problems.size() << " problems, first: " << problems.front();
  std::set<std::string> types;
  std::istringstream in(intel);
  std::string line;
  while (std::getline(in, line)) {
    size_t a = line.find('\t'), b = line.find('\t', a + 1);
    if (line[0] != '#') types.insert(line.substr(a + 1, b - a - 1));
  }
  for (const char* t : {"Intel::ADDR", "Intel::SUBNET", "Intel::DOMAIN", "Intel::URL", "Intel::FILE_HASH"}) {
    EXPECT_TRUE(types.count(t)) << t;
  }
  EXPECT_FALSE(CheckZeekIntel("#fields\tindicator\n").empty());
  EXPECT_FALSE(CheckZeekIntel(std::string("#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\n") +
                              "http://x/\tIntel::URL\ts\td\t-\n").empty());
  EXPECT_FALSE(CheckZeekIntel(std::string("#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\n") +
                              "1.2.3.4\tIntel::BOGUS\ts\td\t-\n").empty());
}

TEST(PlainAndCsvExportTest, OneValuePerLineAndQuoting) {
  std::vector<std::string> objs = {
      Indicator(1, "[domain-name:value = 'A.Example'] OR [ipv4-addr:value = '192.0.2.1']", "x, \"y\""),
      Indicator(2, "[domain-name:value = 'a.example']", "dup"),
      Indicator(3, "[url:value = 'HTTP://B.example:80/p']", "u"),
      Indicator(4, "[ipv4-addr:value = '10.0.0.0/8']", "net"),
      Indicator(5, "[file:name = 'x' AND file:size > 1]", "not expressible"),
  };
  json::object revoked = json::parse(Indicator(6, "[domain-name:value = 'gone.example']", "r")).as_object();
  revoked["revoked"] = true;
  objs.push_back(json::serialize(revoked));
  json::object expired = json::parse(Indicator(7, "[domain-name:value = 'old.example']", "e")).as_object();
  expired["valid_until"] = "2025-02-01T00:00:00Z";
  objs.push_back(json::serialize(expired));
  ExportOptions o;
  o.format = Format::kPlain;
  o.now_us = 1748736000LL * 1000000;
  o.plain = PlainKind::kDomains;
  ExportStats es;
  EXPECT_EQ(RunExport(objs, o, &es), "a.example\n");
  EXPECT_EQ(es.revoked, 1);
  EXPECT_EQ(es.expired, 1);
  EXPECT_EQ(es.not_expressible, 1);
  o.plain = PlainKind::kIpv4;
  EXPECT_EQ(RunExport(objs, o), "192.0.2.1\n10.0.0.0/8\n");
  o.plain = PlainKind::kUrls;
  EXPECT_EQ(RunExport(objs, o), "http://b.example/p\n");
  o.format = Format::kCsv;
  std::string csv = RunExport(objs, o);
  EXPECT_NE(csv.find("indicator--10000000-0000-4000-8000-000000000001,\"x, \"\"y\"\"\",domain,a.example,"),
            std::string::npos)
      << csv;
  o.format = Format::kStix;
  json::value bundle = json::parse(RunExport(objs, o));
  EXPECT_EQ(bundle.as_object().at("objects").as_array().size(), objs.size());
  o.format = Format::kMisp;
  json::value misp = json::parse(RunExport(objs, o));
  EXPECT_EQ(misp.as_object().at("Event").as_object().at("Attribute").as_array().size(), 5u);
}

}  // namespace
}  // namespace kizuna::exports
