// Issue 11, items 1 and 2, against the real binary: `kizuna validate
// [--spec-version 2.0|2.1] FILE...` reads bundles, envelopes, single objects,
// arrays and JSON lines (gzip too), prints one line per problem naming the
// file, the object, the property and the rule, and exits 0 (all valid), 1
// (any invalid) or 2 (a file cannot be read); Incident Core objects are
// validated by the same validator as ingest; and a hub serves the suite's
// extension-definition objects in its collections.
#include <gtest/gtest.h>
#include <zlib.h>

#include <boost/json.hpp>
#include <fstream>

#include "harness.h"

namespace kizuna::testing {
namespace {

namespace json = boost::json;

constexpr const char* kTask = R"({"type":"task","spec_version":"2.1",)"
                              R"("id":"task--1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",)"
                              R"("created":"2026-12-01T08:00:00.000Z",)"
                              R"("modified":"2026-12-01T08:00:00.000Z","outcome":"ongoing",)"
                              R"("extensions":{"extension-definition--2074a052-8be4-4932-849e-)"
                              R"(f5e7798e0030":{"extension_type":"new-sdo"}}})";
constexpr const char* kBadTask = R"({"type":"task","spec_version":"2.1",)"
                                 R"("id":"task--1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e60",)"
                                 R"("created":"2026-12-01T08:00:00.000Z",)"
                                 R"("modified":"2026-12-01T08:00:00.000Z","outcome":"done",)"
                                 R"("extensions":{"extension-definition--2074a052-8be4-4932-)"
                                 R"(849e-f5e7798e0030":{"extension_type":"new-sdo"}}})";
// An incident whose Incident Core determination is outside both the prose's
// and the schema's values.
constexpr const char* kBadIncident =
    R"({"type":"incident","spec_version":"2.1",)"
    R"("id":"incident--6f5bd4a7-4a07-4b0b-a8b4-7c1c0a8f0f11",)"
    R"("created":"2026-12-01T08:00:00.000Z","modified":"2026-12-01T08:00:00.000Z",)"
    R"("name":"x","extensions":{"extension-definition--ef765651-680c-498d-9894-99799f2fa126":)"
    R"({"extension_type":"property-extension","determination":"likely",)"
    R"("investigation_status":"new"}}})";
// A STIX 2.0 indicator (no spec_version, labels): valid as 2.0, invalid
// as 2.1.
constexpr const char* kIndicator20 =
    R"({"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",)"
    R"("created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z",)"
    R"("labels":["malicious-activity"],"pattern":"[ipv4-addr:value = '198.51.100.1']",)"
    R"("valid_from":"2016-04-06T20:03:48Z"})";

class ValidateTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& content) {
    std::string path = dir_.File(name);
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  std::string WriteGzip(const std::string& name, const std::string& content) {
    std::string path = dir_.File(name);
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, content.data(), static_cast<unsigned>(content.size()));
    gzclose(f);
    return path;
  }
  TempDir dir_;
};

TEST_F(ValidateTest, EveryShapeOfFileIsRead) {
  // A single pretty-printed object, as the suite's examples are written.
  std::string pretty = json::serialize(json::parse(kTask));
  pretty.insert(1, "\n  ");
  std::string single = Write("task.json", pretty + "\n");
  std::string array = Write("array.json", std::string("[") + kTask + "]");
  std::string envelope = Write("envelope.json", std::string(R"({"objects":[)") + kTask + "]}");
  std::string lines = WriteGzip("lines.jsonl.gz", std::string(kTask) + "\n\n" + kTask + "\n");
  for (const std::string& f : {single, array, envelope, lines}) {
    ProcessResult r = RunKizuna({"validate", f});
    EXPECT_EQ(r.exit_code, 0) << f << ": " << r.out << r.err;
    EXPECT_NE(r.out.find(" valid, 0 invalid"), std::string::npos) << f << ": " << r.out;
  }
  ProcessResult both = RunKizuna({"validate", single, lines});
  EXPECT_NE(both.out.find("validated: 3 valid, 0 invalid"), std::string::npos) << both.out;
}

TEST_F(ValidateTest, OneLinePerProblemNamingFileObjectPropertyAndRule) {
  std::string bundle =
      Write("b.json", std::string(R"({"type":"bundle","id":"bundle--0a1b2c3d-0000-4000-8000-)"
                                  R"(000000000001","objects":[)") +
                          kTask + "," + kBadTask + "," + kBadIncident + "]}");
  ProcessResult r = RunKizuna({"validate", bundle});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("invalid: " + bundle +
                       ": task--1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e60: property 'outcome': "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("task-outcome-enum (enum)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("invalid: " + bundle +
                       ": incident--6f5bd4a7-4a07-4b0b-a8b4-7c1c0a8f0f11: property 'extensions."
                       "extension-definition--ef765651-680c-498d-9894-99799f2fa126."
                       "determination'"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("validated: 1 valid, 2 invalid"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 invalid (enum)"), std::string::npos) << r.out;
  // Two problem lines, no more.
  size_t n = 0;
  for (size_t p = r.err.find("invalid: "); p != std::string::npos; p = r.err.find("invalid: ", p + 1)) {
    ++n;
  }
  EXPECT_EQ(n, 2u) << r.err;
}

TEST_F(ValidateTest, SpecVersionDecidesObjectsWithoutOne) {
  std::string f = Write("i20.json", kIndicator20);
  EXPECT_EQ(RunKizuna({"validate", f}).exit_code, 0);  // the STIX 2.1 rule: 2.0
  ProcessResult v20 = RunKizuna({"validate", "--spec-version", "2.0", f});
  EXPECT_EQ(v20.exit_code, 0) << v20.out << v20.err;
  ProcessResult v21 = RunKizuna({"validate", "--spec-version", "2.1", f});
  EXPECT_EQ(v21.exit_code, 1) << v21.out << v21.err;
  EXPECT_NE(v21.err.find("spec_version"), std::string::npos) << v21.err;
  ProcessResult bad = RunKizuna({"validate", "--spec-version", "2.2", f});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.exit_code, 1);  // a usage error, not "invalid"
}

TEST_F(ValidateTest, AnUnreadableFileExitsTwoAfterCheckingTheOthers) {
  std::string bad = Write("bad.json", kBadTask);
  std::string missing = dir_.File("no-such-file.json");
  ProcessResult r = RunKizuna({"validate", missing, bad});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("no-such-file.json"), std::string::npos) << r.err;
  // The readable file was still checked and reported.
  EXPECT_NE(r.err.find("task--1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e60"), std::string::npos) << r.err;
  // Well-formed JSON that is no STIX at all is the file's one problem.
  std::string fragment = Write("fragment.json", "{\n  \"event_ref\": \"event--x\"\n}\n");
  ProcessResult fr = RunKizuna({"validate", fragment});
  EXPECT_EQ(fr.exit_code, 1) << fr.out << fr.err;
  EXPECT_NE(fr.err.find("fragment.json: not STIX"), std::string::npos) << fr.err;
  EXPECT_EQ(fr.err.find(":2:"), std::string::npos) << "read as JSON lines: " << fr.err;
}

TEST_F(ValidateTest, AHubServesTheIncidentCoreExtensionDefinitions) {
  const std::string col = "5c6e0b1a-0000-4000-8000-0000000000c1";
  std::string config = WriteHubConfig(dir_);
  auto admin = [&](std::vector<std::string> args, const std::string& in = "") {
    args.insert(args.begin(), {"admin", "--config", config});
    ProcessResult r = RunKizuna(args, in);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  };
  admin({"api-root", "add", "api1"});
  admin({"collection", "add", "--api-root", "api1", "--title", "Incidents", "--id", col});
  admin({"org", "add", "--name", "JP Center", "--nation", "JP", "--kind", "government"});
  admin({"account", "add", "kaito", "--org", "JP Center", "--role", "reader", "--password-stdin"},
        "kaito-password-123\n");
  admin({"grant", "kaito", col, "--read"});
  std::string error;
  auto hub = KizunaProcess::Start({"serve", "--config", config}, &error);
  ASSERT_TRUE(hub) << error;
  for (const char* id : {"extension-definition--ef765651-680c-498d-9894-99799f2fa126",
                         "extension-definition--4ca6de00-5b0d-45ef-a1dc-ea7279ea910e",
                         "extension-definition--2074a052-8be4-4932-849e-f5e7798e0030",
                         "extension-definition--7cc33dd6-f6a1-489b-98ea-522d351d71b9"}) {
    HttpResponse r = HttpRequest(hub->port(), "GET",
                                 "/api1/collections/" + col + "/objects/" + id + "/",
                                 {{"Accept", kTaxii},
                                  {"Authorization", BasicAuth("kaito", "kaito-password-123")}});
    ASSERT_EQ(r.status, 200) << id << ": " << r.body;
    json::object env = json::parse(r.body).as_object();
    json::object o = env["objects"].as_array().at(0).as_object();
    EXPECT_EQ(o["type"].as_string(), "extension-definition");
    EXPECT_NE(std::string(o["schema"].as_string()).find("incident-core/"), std::string::npos);
    EXPECT_TRUE(o.contains("created_by_ref"));
  }
}

}  // namespace
}  // namespace kizuna::testing
