// Issue 18: marking definitions that imitate TLP under a non-OASIS id are
// refused at ingest, for every producer, and so is every object that
// references one: in the same call (before or after the definition), in a
// later call of the same stream, or after the hub refused it earlier (the
// store's record, on a real SQLite file).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "ingest/ingest.h"
#include "store/sqlite/sqlite_store.h"

namespace kizuna::ingest {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFake = "marking-definition--1a9c3244-cc05-4d6c-8355-5fd9c681ffa9";
constexpr const char* kStatement = "marking-definition--2b9c3244-cc05-4d6c-8355-5fd9c681ffa9";
constexpr const char* kUsOrg = "identity--00000000-0000-4000-8000-000000000001";

std::shared_ptr<const policy::TrustModel> Model() {
  std::vector<policy::Org> orgs = {{kUsOrg, "US Centre", "US", "government", {}, {}, "us-hub"}};
  auto m = policy::TrustModel::Build(std::move(orgs), {}, {{1, "", stix::Tlp::kAmber}});
  return *m;
}

const policy::Producer kAccount = policy::ImportProducer("");
const policy::Producer kPeer = policy::PeerProducer("jp-hub", "us-hub");

std::string Definition(const std::string& id, const std::string& members) {
  return R"({"type":"marking-definition","spec_version":"2.1","id":")" + id +
         R"(","created":"2026-01-01T00:00:00.000Z",)" + members + "}";
}

// The four forms of issue 18 (and their case and white-space variants).
const std::vector<std::string> kForms = {
    R"("definition_type":"TLP","definition":{"tlp":"white"})",
    R"("name":"TLP:CLEAR","definition_type":"statement","definition":{"statement":"x"})",
    R"("name":" tlp:clear ","definition_type":"statement","definition":{"statement":"x"})",
    R"("definition_type":"statement","definition":{"statement":"x","tlp":"white"})",
    R"("name":"Acme","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":)"
    R"({"extension_type":"property-extension","tlp_2_0":"clear"}})",
};

std::string Indicator(int n, const std::string& marking_members) {
  char id[80];
  std::snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-%012d", n);
  return R"({"type":"indicator","spec_version":"2.1","id":")" + std::string(id) +
         R"(","created":"2025-01-01T00:00:00.000Z","modified":"2025-01-01T00:00:00.000Z",)"
         R"("pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix",)"
         R"("valid_from":"2025-01-01T00:00:00Z",)" +
         marking_members + "}";
}

std::string MarkedBy(const std::string& ref) {
  return R"("object_marking_refs":[")" + ref + R"("])";
}

std::string FailureOf(const std::vector<store::StatusDetail>& failures,
                      const std::string& id_part) {
  for (const auto& f : failures) {
    if (f.id.find(id_part) != std::string::npos) return f.message;
  }
  return "";
}

TEST(TlpLookalikeIngestTest, EachFormIsRefusedAndRecorded) {
  for (const std::string& form : kForms) {
    std::string def = Definition(kFake, form);
    std::vector<std::string_view> objs = {def};
    for (const policy::Producer& from : {kAccount, kPeer}) {
      Prepared p = PrepareObjects(objs, 1, *Model(), from, nullptr);
      EXPECT_TRUE(p.batch.objects.empty()) << form;
      ASSERT_EQ(p.failures.size(), 1u) << form;
      EXPECT_EQ(p.failures[0].id, kFake);
      EXPECT_NE(p.failures[0].message.find("(tlp-lookalike)"), std::string::npos)
          << p.failures[0].message;
      EXPECT_NE(p.failures[0].message.find("imitates TLP"), std::string::npos);
      ASSERT_EQ(p.batch.refused_markings.size(), 1u) << form;
      EXPECT_EQ(p.batch.refused_markings[0].id, kFake);
    }
  }
}

TEST(TlpLookalikeIngestTest, OnlyIdsThatCanBeReferencedAreRecorded) {
  const std::string junk = Definition(std::string(5000, 'x'), kForms[1]);
  const std::string bad = Definition("marking-definition--nope", kForms[1]);
  RefusedMarkings refused(nullptr);
  ScanForLookalikes({junk, bad}, &refused);
  Prepared p = PrepareObjects({junk, bad}, 1, *Model(), kAccount, &refused);
  EXPECT_EQ(p.failures.size(), 2u);
  EXPECT_TRUE(p.batch.refused_markings.empty());
  auto found = refused.Find({std::string(5000, 'x'), "marking-definition--nope"});
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->empty());
}

TEST(TlpLookalikeIngestTest, ReferencesInTheSameCallAreRefusedBeforeOrAfterTheDefinition) {
  const std::string def = Definition(kFake, kForms[1]);
  const std::string before = Indicator(1, MarkedBy(kFake));
  // Upper case: the same id.
  std::string upper = kFake;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  upper.replace(0, 20, "marking-definition--");
  const std::string after = Indicator(2, MarkedBy(upper));
  const std::string granular =
      Indicator(3, std::string(R"("granular_markings":[{"selectors":["pattern"],"marking_ref":")") +
                       kFake + R"("}])");
  const std::string clean =
      Indicator(4, MarkedBy("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"));
  std::vector<std::string_view> objs = {before, def, after, granular, clean};
  Prepared p = PrepareObjects(objs, 1, *Model(), kAccount, nullptr);
  ASSERT_EQ(p.batch.objects.size(), 1u);
  EXPECT_EQ(p.batch.objects[0].id, "indicator--00000000-0000-4000-8000-000000000004");
  ASSERT_EQ(p.successes.size(), 1u);
  EXPECT_EQ(p.successes[0].id, p.batch.objects[0].id);
  ASSERT_EQ(p.failures.size(), 4u);
  for (const char* n : {"000000000001", "000000000002", "000000000003"}) {
    std::string m = FailureOf(p.failures, n);
    EXPECT_NE(m.find("(tlp-lookalike-ref)"), std::string::npos) << n << ": " << m;
    EXPECT_NE(m.find(kFake), std::string::npos) << m;
    EXPECT_NE(m.find("a name beginning with \"TLP:\""), std::string::npos) << m;
  }
  EXPECT_NE(FailureOf(p.failures, "000000000003").find("granular_markings[0].marking_ref"),
            std::string::npos);
  EXPECT_NE(FailureOf(p.failures, "000000000001").find("object_marking_refs[0]"),
            std::string::npos);
}

TEST(TlpLookalikeIngestTest, AStreamRemembersItsRefusalsAcrossCalls) {
  RefusedMarkings refused(nullptr);
  const std::string def = Definition(kFake, kForms[4]);
  std::vector<std::string_view> first = {def};
  Prepared a = PrepareObjects(first, 1, *Model(), kPeer, &refused);
  EXPECT_EQ(a.batch.refused_markings.size(), 1u);
  const std::string later = Indicator(1, MarkedBy(kFake));
  std::vector<std::string_view> second = {later};
  Prepared b = PrepareObjects(second, 1, *Model(), kPeer, &refused);
  EXPECT_TRUE(b.batch.objects.empty());
  ASSERT_EQ(b.failures.size(), 1u);
  EXPECT_NE(b.failures[0].message.find("TLP 2.0 extension"), std::string::npos)
      << b.failures[0].message;
  EXPECT_TRUE(b.batch.refused_markings.empty());  // recorded once, with its definition
  // Without the stream's memory the reference is unknown, so accepted.
  Prepared c = PrepareObjects(second, 1, *Model(), kPeer, nullptr);
  EXPECT_EQ(c.batch.objects.size(), 1u);
}

TEST(TlpLookalikeIngestTest, ScanningAheadRefusesReferencesThatComeFirst) {
  RefusedMarkings refused(nullptr);
  const std::string ref = Indicator(1, MarkedBy(kFake));
  const std::string def = Definition(kFake, kForms[3]);
  const std::string legit = Definition(
      kStatement,
      R"("name":"Copyright","definition_type":"statement","definition":{"statement":"x"})");
  ScanForLookalikes({ref, legit, def}, &refused);
  Prepared p = PrepareObjects({ref}, 1, *Model(), kAccount, &refused);
  EXPECT_TRUE(p.batch.objects.empty());
  ASSERT_EQ(p.failures.size(), 1u);
  EXPECT_NE(p.failures[0].message.find("TLP 1.0 definition"), std::string::npos);
  // A statement marking and references to it are fine.
  const std::string marked = Indicator(2, MarkedBy(kStatement));
  Prepared q = PrepareObjects({legit, marked}, 1, *Model(), kAccount, &refused);
  EXPECT_EQ(q.batch.objects.size(), 2u);
  EXPECT_TRUE(q.failures.empty()) << q.failures[0].message;
}

TEST(TlpLookalikeIngestTest, CheckObjectsAppliesTheSameRulesWithoutAHub) {
  RefusedMarkings refused(nullptr);
  const std::string def = Definition(kFake, kForms[0]);
  const std::string ref = Indicator(1, MarkedBy(kFake));
  const std::string ok = Indicator(2, "\"labels\":[\"x\"]");
  Checked c = CheckObjects({ref, def, ok}, &refused);
  ASSERT_EQ(c.successes.size(), 1u);
  EXPECT_EQ(c.successes[0].id, "indicator--00000000-0000-4000-8000-000000000002");
  ASSERT_EQ(c.failures.size(), 2u);
  EXPECT_NE(FailureOf(c.failures, "marking-definition").find("(tlp-lookalike)"), std::string::npos);
  Checked later = CheckObjects({ref}, &refused);
  EXPECT_TRUE(later.successes.empty());
}

// The hub's record: a definition refused and committed by one stream makes
// a later stream (another request, another process) refuse references.
class RecordedRefusalsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kizuna-lookalike-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Open();
    ASSERT_TRUE(store_->PutApiRoot(store::ApiRoot{"api1", "API", "", 1 << 20}).ok());
    store::Collection c;
    c.id = "11111111-1111-4111-8111-111111111111";
    c.api_root = "api1";
    auto put = store_->PutCollection(c);
    ASSERT_TRUE(put.ok());
    key_ = put->key;
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  void Open() {
    store_.reset();
    store::SqliteOptions o;
    o.path = (dir_ / "s.db").string();
    auto s = store::OpenSqliteStore(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  int64_t key_ = 0;
};

TEST_F(RecordedRefusalsTest, LaterStreamsRefuseReferencesToRecordedLookalikes) {
  {
    RefusedMarkings refused(store_.get());
    const std::string def = Definition(kFake, kForms[2]);
    Prepared p = PrepareObjects({def}, key_, *Model(), kAccount, &refused);
    ASSERT_EQ(p.batch.refused_markings.size(), 1u);
    ASSERT_TRUE(store_->WriteSync(std::move(p.batch)).ok());
  }
  Open();  // survives a restart
  const std::string ref = Indicator(1, MarkedBy(kFake));
  for (const policy::Producer& from : {kAccount, kPeer}) {
    RefusedMarkings refused(store_.get());
    Prepared p = PrepareObjects({ref}, key_, *Model(), from, &refused);
    EXPECT_TRUE(p.batch.objects.empty());
    ASSERT_EQ(p.failures.size(), 1u);
    EXPECT_NE(p.failures[0].message.find("(tlp-lookalike-ref)"), std::string::npos)
        << p.failures[0].message;
  }
  // Other references are unaffected.
  RefusedMarkings refused(store_.get());
  const std::string other = Indicator(2, MarkedBy(kStatement));
  Prepared p = PrepareObjects({other}, key_, *Model(), kAccount, &refused);
  EXPECT_EQ(p.batch.objects.size(), 1u);
}

}  // namespace
}  // namespace kizuna::ingest
