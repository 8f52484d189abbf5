// Issue 18, against the real binary: marking definitions that imitate TLP
// under a non-OASIS id (docs/policy.md lists the forms) are refused with a
// per-object error in the TAXII status resource, by `kizuna import` and by
// `kizuna validate`, and so is every object that references one: in the
// same envelope, in a later request (also to another collection, and after
// `kizuna import` refused the definition in another process).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>

#include "harness.h"

namespace kizuna::testing {
namespace {

namespace json = boost::json;

constexpr const char* kCol = "5c6e0b1a-0000-4000-8000-000000000001";
constexpr const char* kCol2 = "5c6e0b1a-0000-4000-8000-000000000002";
constexpr const char* kAmber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";

std::string FakeId(int n) {
  char buf[80];
  std::snprintf(buf, sizeof buf, "marking-definition--7a1e0000-0000-4000-8000-%012d", n);
  return buf;
}

std::string IndicatorId(int n) {
  char buf[80];
  std::snprintf(buf, sizeof buf, "indicator--7a1e0000-0000-4000-8000-%012d", n);
  return buf;
}

// Each form of docs/policy.md, as a contributor would write it.
struct Form {
  std::string what;
  std::string members;
};
const std::vector<Form> kForms = {
    {"definition_type TLP, name TLP:CLEAR",
     R"("name":"TLP:CLEAR","definition_type":"TLP","definition":{"tlp":"clear"})"},
    {"definition_type Tlp", R"("definition_type":"Tlp","definition":{"level":"white"})"},
    {"statement named TLP:CLEAR",
     R"("name":"TLP:CLEAR","definition_type":"statement","definition":{"statement":"share"})"},
    {"padded lower-case name", R"("name":"  tlp:clear","definition_type":"statement",)"
                               R"("definition":{"statement":"share"})"},
    {"TLP 1.0 definition object",
     R"("definition_type":"statement","definition":{"statement":"x","tlp":"white"})"},
    {"TLP 2.0 extension", R"("name":"Acme clear","extensions":{)"
                          R"("extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":)"
                          R"({"extension_type":"property-extension","tlp_2_0":"clear"}})"},
};

std::string Definition(int n) {
  return R"({"type":"marking-definition","spec_version":"2.1","id":")" + FakeId(n) +
         R"(","created":"2026-01-01T00:00:00.000Z",)" + kForms[static_cast<size_t>(n)].members +
         "}";
}

std::string Indicator(int n, const std::string& marking_members) {
  return R"({"type":"indicator","spec_version":"2.1","id":")" + IndicatorId(n) +
         R"(","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z",)"
         R"("pattern":"[ipv4-addr:value = '203.0.113.9']","pattern_type":"stix",)"
         R"("valid_from":"2026-01-01T00:00:00Z",)" +
         marking_members + "}";
}

std::string MarkedBy(const std::string& ref) {
  return R"("object_marking_refs":[")" + ref + R"("])";
}

std::string GranularBy(const std::string& ref) {
  return R"("granular_markings":[{"selectors":["pattern"],"marking_ref":")" + ref + R"("}])";
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "marking-definition--" + s.substr(20);
}

std::string Envelope(const std::vector<std::string>& objects) {
  std::string s = R"({"objects":[)";
  for (size_t i = 0; i < objects.size(); ++i) s += (i ? "," : "") + objects[i];
  return s + "]}";
}

class TlpLookalikeTest : public ::testing::Test {
 protected:
  static void Admin(const std::vector<std::string>& args, const std::string& in = "") {
    std::vector<std::string> a = {"admin", "--config", config_};
    a.insert(a.end(), args.begin(), args.end());
    ProcessResult r = RunKizuna(a, in);
    ASSERT_EQ(r.exit_code, 0) << "kizuna admin failed: " << r.err << r.out;
  }

  static void SetUpTestSuite() {
    dir_ = new TempDir();
    config_ = WriteHubConfig(*dir_);
    Admin({"api-root", "add", "api1"});
    Admin({"collection", "add", "--api-root", "api1", "--title", "One", "--id", kCol});
    Admin({"collection", "add", "--api-root", "api1", "--title", "Two", "--id", kCol2});
    Admin({"org", "add", "--name", "US Center", "--nation", "US", "--kind", "government"});
    Admin({"account", "add", "alice", "--org", "US Center", "--role", "contributor",
           "--password-stdin"},
          "alice-password-123\n");
    Admin({"grant", "alice", kCol, "--read", "--write"});
    Admin({"grant", "alice", kCol2, "--read", "--write"});
    std::string error;
    hub_ = KizunaProcess::Start({"serve", "--config", config_}, &error).release();
    ASSERT_NE(hub_, nullptr) << error;
  }

  static void TearDownTestSuite() {
    if (hub_) {
      EXPECT_EQ(hub_->Stop(), 0);
    }
    delete hub_;
    delete dir_;
    hub_ = nullptr;
    dir_ = nullptr;
  }

  static std::string Objects(const std::string& col = kCol) {
    return "/api1/collections/" + col + "/objects/";
  }
  static HttpResponse Post(const std::string& target, const std::string& body) {
    return HttpRequest(hub_->port(), "POST", target,
                       {{"Authorization", BasicAuth("alice", "alice-password-123")},
                        {"Accept", kTaxii},
                        {"Content-Type", kTaxii}},
                       body);
  }
  static HttpResponse Get(const std::string& target) {
    return HttpRequest(
        hub_->port(), "GET", target,
        {{"Authorization", BasicAuth("alice", "alice-password-123")}, {"Accept", kTaxii}});
  }

  // Posts and returns the status resource as stored (GET .../status/ID/):
  // failure messages by object id, and the ids of the successes.
  struct Outcome {
    std::map<std::string, std::string> failures;
    std::vector<std::string> successes;
  };
  static Outcome PostAndReadStatus(const std::string& col, const std::vector<std::string>& objs) {
    Outcome out;
    HttpResponse r = Post(Objects(col), Envelope(objs));
    EXPECT_EQ(r.status, 202) << r.body;
    if (r.status != 202) return out;
    std::string sid(json::parse(r.body).as_object().at("id").as_string());
    HttpResponse s = Get("/api1/status/" + sid + "/");
    EXPECT_EQ(s.status, 200) << s.body;
    json::object st = json::parse(s.body).as_object();
    if (const json::value* f = st.if_contains("failures")) {
      for (const auto& e : f->as_array()) {
        const json::object& d = e.as_object();
        out.failures[std::string(d.at("id").as_string())] =
            std::string(d.at("message").as_string());
      }
    }
    if (const json::value* f = st.if_contains("successes")) {
      for (const auto& e : f->as_array()) {
        out.successes.emplace_back(e.as_object().at("id").as_string());
      }
    }
    return out;
  }

  static bool Stored(const std::string& col, const std::string& id) {
    return Get(Objects(col) + id + "/").status == 200;
  }

  static std::string WriteFile(const std::string& name, const std::string& content) {
    std::string path = dir_->File(name);
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  static TempDir* dir_;
  static std::string config_;
  static KizunaProcess* hub_;
};

TempDir* TlpLookalikeTest::dir_ = nullptr;
std::string TlpLookalikeTest::config_;
KizunaProcess* TlpLookalikeTest::hub_ = nullptr;

TEST_F(TlpLookalikeTest, EachImitationAndWhatReferencesItAreRefusedInTheStatusResource) {
  // In one envelope: every form, an indicator referencing each (the first
  // before its definition, one by a granular marking, one in upper case),
  // and an indicator under real TLP:AMBER.
  std::vector<std::string> objs;
  objs.push_back(Indicator(100, MarkedBy(FakeId(0))));
  for (size_t i = 0; i < kForms.size(); ++i) objs.push_back(Definition(static_cast<int>(i)));
  for (size_t i = 1; i < kForms.size(); ++i) {
    int n = static_cast<int>(i);
    objs.push_back(Indicator(100 + n, n == 2   ? GranularBy(FakeId(n))
                                      : n == 3 ? MarkedBy(Upper(FakeId(n)))
                                               : MarkedBy(FakeId(n))));
  }
  objs.push_back(Indicator(199, MarkedBy(kAmber)));
  Outcome o = PostAndReadStatus(kCol, objs);
  EXPECT_EQ(o.successes, std::vector<std::string>{IndicatorId(199)});
  ASSERT_EQ(o.failures.size(), 2 * kForms.size());
  for (size_t i = 0; i < kForms.size(); ++i) {
    int n = static_cast<int>(i);
    const std::string& def = o.failures[FakeId(n)];
    EXPECT_NE(def.find("(tlp-lookalike)"), std::string::npos) << kForms[i].what << ": " << def;
    EXPECT_NE(def.find("imitates TLP"), std::string::npos) << def;
    const std::string& ref = o.failures[IndicatorId(100 + n)];
    EXPECT_NE(ref.find("(tlp-lookalike-ref)"), std::string::npos) << kForms[i].what << ": " << ref;
    EXPECT_NE(ref.find(FakeId(n)), std::string::npos) << ref;
    EXPECT_FALSE(Stored(kCol, FakeId(n))) << kForms[i].what;
    EXPECT_FALSE(Stored(kCol, IndicatorId(100 + n))) << kForms[i].what;
  }
  EXPECT_NE(o.failures[IndicatorId(102)].find("granular_markings[0].marking_ref"),
            std::string::npos);
  EXPECT_TRUE(Stored(kCol, IndicatorId(199)));

  // A later request, to this collection and to another: every reference to
  // a refused definition fails with the reason the definition was refused.
  for (const char* col : {kCol, kCol2}) {
    std::vector<std::string> later;
    for (size_t i = 0; i < kForms.size(); ++i) {
      int n = static_cast<int>(i);
      later.push_back(
          Indicator(200 + n, i % 2 ? GranularBy(Upper(FakeId(n))) : MarkedBy(FakeId(n))));
    }
    later.push_back(Indicator(299, MarkedBy(kAmber)));
    Outcome l = PostAndReadStatus(col, later);
    EXPECT_EQ(l.successes, std::vector<std::string>{IndicatorId(299)}) << col;
    for (size_t i = 0; i < kForms.size(); ++i) {
      const std::string& m = l.failures[IndicatorId(200 + static_cast<int>(i))];
      EXPECT_NE(m.find("(tlp-lookalike-ref)"), std::string::npos)
          << col << " " << kForms[i].what << ": " << m;
      EXPECT_NE(m.find("imitates TLP"), std::string::npos) << m;
    }
  }
  // The name form says which form it was.
  Outcome again = PostAndReadStatus(kCol, {Indicator(300, MarkedBy(FakeId(2)))});
  EXPECT_NE(again.failures[IndicatorId(300)].find("a name beginning with \"TLP:\""),
            std::string::npos)
      << again.failures[IndicatorId(300)];
}

TEST_F(TlpLookalikeTest, ImportAndValidateNameTheFileAndTheRule) {
  // Definitions 10.. (other ids than the TAXII test's): the reference comes
  // first in the file.
  std::vector<std::string> objs;
  objs.push_back(Indicator(400, MarkedBy(FakeId(10))));
  std::string def = Definition(0);
  def.replace(def.find(FakeId(0)), FakeId(0).size(), FakeId(10));
  objs.push_back(def);
  std::string ext = Definition(5);
  ext.replace(ext.find(FakeId(5)), FakeId(5).size(), FakeId(11));
  objs.push_back(ext);
  objs.push_back(Indicator(401, GranularBy(FakeId(11))));
  objs.push_back(Indicator(402, MarkedBy(kAmber)));
  const std::string bundle = WriteFile(
      "lookalikes.json",
      R"({"type":"bundle","id":"bundle--7a1e0000-0000-4000-8000-000000000001","objects":[)" +
          Envelope(objs).substr(12));

  // kizuna validate: no hub needed.
  ProcessResult v = RunKizuna({"validate", bundle});
  EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
  EXPECT_NE(v.err.find(bundle + ": " + FakeId(10) + ": "), std::string::npos) << v.err;
  EXPECT_NE(v.err.find("(tlp-lookalike)"), std::string::npos) << v.err;
  EXPECT_NE(v.err.find(bundle + ": " + IndicatorId(400) + ": "), std::string::npos) << v.err;
  EXPECT_NE(v.err.find(bundle + ": " + IndicatorId(401) + ": "), std::string::npos) << v.err;
  EXPECT_NE(v.err.find("(tlp-lookalike-ref)"), std::string::npos) << v.err;
  EXPECT_EQ(v.err.find(IndicatorId(402)), std::string::npos) << v.err;
  EXPECT_NE(v.out.find("validated: 1 valid, 4 invalid"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("2 invalid (tlp-lookalike)"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("2 invalid (tlp-lookalike-ref)"), std::string::npos) << v.out;
  // A clean file validates.
  const std::string clean = WriteFile("clean.json", Envelope({Indicator(403, MarkedBy(kAmber))}));
  ProcessResult ok = RunKizuna({"validate", clean});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;

  // kizuna import, while the hub runs (another process, the same database).
  ProcessResult imp = RunKizuna({"import", "--config", config_, "--collection", kCol, bundle});
  EXPECT_EQ(imp.exit_code, 1) << imp.out << imp.err;
  EXPECT_NE(imp.err.find("rejected: " + bundle + ": " + FakeId(10) + ": "), std::string::npos)
      << imp.err;
  EXPECT_NE(imp.err.find("rejected: " + bundle + ": " + IndicatorId(400) + ": "), std::string::npos)
      << imp.err;
  EXPECT_NE(imp.out.find("1 accepted, 0 duplicates, 4 rejected"), std::string::npos) << imp.out;
  EXPECT_NE(imp.out.find("2 rejected (tlp-lookalike)"), std::string::npos) << imp.out;
  EXPECT_NE(imp.out.find("2 rejected (tlp-lookalike-ref)"), std::string::npos) << imp.out;
  EXPECT_TRUE(Stored(kCol, IndicatorId(402)));
  EXPECT_FALSE(Stored(kCol, IndicatorId(400)));
  EXPECT_FALSE(Stored(kCol, FakeId(10)));

  // What the import refused, the running hub refuses references to.
  Outcome o = PostAndReadStatus(kCol2, {Indicator(404, MarkedBy(FakeId(11)))});
  EXPECT_TRUE(o.successes.empty());
  EXPECT_NE(o.failures[IndicatorId(404)].find("(tlp-lookalike-ref)"), std::string::npos)
      << o.failures[IndicatorId(404)];

  // MISP: a "tlp:" tag of no TLP level is refused, naming the file and the rule.
  const std::string misp = WriteFile("event.json", R"({"Event":{
    "uuid":"7a1e0000-0000-4000-8000-000000000501","info":"lookalike","date":"2026-01-01",
    "Orgc":{"name":"CERT X","uuid":"7a1e0000-0000-4000-8000-0000000005aa"},
    "Attribute":[{"uuid":"7a1e0000-0000-4000-8000-000000000502","type":"ip-dst",
                  "value":"203.0.113.77","to_ids":true,"Tag":[{"name":"tlp:ex:chr"}]}]}})");
  for (const std::vector<std::string>& cmd :
       {std::vector<std::string>{"validate", "--format", "misp", misp},
        std::vector<std::string>{"import", "--config", config_, "--collection", kCol, "--format",
                                 "misp", misp}}) {
    ProcessResult m = RunKizuna(cmd);
    EXPECT_EQ(m.exit_code, 1) << cmd[0] << ": " << m.out << m.err;
    EXPECT_NE(m.err.find(misp + ": MISP attribute 7a1e0000-0000-4000-8000-000000000502"),
              std::string::npos)
        << cmd[0] << ": " << m.err;
    EXPECT_NE(m.err.find("(tlp-lookalike)"), std::string::npos) << cmd[0] << ": " << m.err;
    EXPECT_NE(
        m.out.find(cmd[0] == "import" ? "1 rejected (tlp-lookalike)" : "1 invalid (tlp-lookalike)"),
        std::string::npos)
        << cmd[0] << ": " << m.out;
  }
  EXPECT_FALSE(Stored(kCol, "indicator--7a1e0000-0000-4000-8000-000000000502"));
}

}  // namespace
}  // namespace kizuna::testing
