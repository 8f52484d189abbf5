// ReleaseScope (src/policy/release_scope.h) on its own: a real SQLite store in
// a temporary directory holds a small trust model (organizations, a trust
// group, a collection with a trust group and a default marking) and the
// objects; readers are opened through DecisionPoint::Begin with the
// principals the TAXII service would pass (accounts, a coordinator, peer hub
// accounts, anonymous). The audit log is a recording fake (so that a test can
// make it unhealthy), and in one test the real SQLite audit log.
#include "policy/release_scope.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include "auth/principal.h"
#include "core/time.h"
#include "policy/decide.h"
#include "policy/decision_point.h"
#include "policy/extensions.h"
#include "stix/markings.h"
#include "store/audit_log.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace kizuna::policy {
namespace {

namespace fs = std::filesystem;
using stix::Tlp;

// Organizations. A..E are homed here, F on jp-hub, K on kr-hub. B is an ISAC
// with C as its client. The trust group "g" is A, B, D and F.
const std::string kA = "identity--00000000-0000-4000-8000-0000000000a1";
const std::string kB = "identity--00000000-0000-4000-8000-0000000000b1";
const std::string kC = "identity--00000000-0000-4000-8000-0000000000c1";
const std::string kD = "identity--00000000-0000-4000-8000-0000000000d1";
const std::string kE = "identity--00000000-0000-4000-8000-0000000000e1";
const std::string kF = "identity--00000000-0000-4000-8000-0000000000f1";
const std::string kK = "identity--00000000-0000-4000-8000-0000000000a2";
const std::string kCollectionId = "11111111-1111-4111-8111-111111111111";
const std::string kReleaseFailedText = "the release step failed for this object";

std::string Id(int n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "indicator--00000000-0000-4000-8000-%012d", n);
  return buf;
}

class ManualClock final : public Clock {
 public:
  int64_t NowMicros() const override { return now.load(); }
  std::atomic<int64_t> now{1'700'000'000'000'000};
};

// Records what the scope appends; Healthy() is settable.
class RecordingAuditLog final : public store::AuditLog {
 public:
  void Append(store::AuditEvent event) override {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(event));
  }
  Status Flush() override { return Status::Ok(); }
  Result<std::vector<store::AuditEvent>> Query(const store::AuditQuery&) override {
    std::lock_guard lock(mu_);
    return events_;
  }
  Status Verify() override { return Status::Ok(); }
  int64_t Appended() const override {
    std::lock_guard lock(mu_);
    return static_cast<int64_t>(events_.size());
  }
  bool Healthy() const override { return healthy.load(); }

  // The events appended since the last call.
  std::vector<store::AuditEvent> Take() {
    std::lock_guard lock(mu_);
    std::vector<store::AuditEvent> out = std::move(events_);
    events_.clear();
    return out;
  }

  std::atomic<bool> healthy{true};

 private:
  mutable std::mutex mu_;
  std::vector<store::AuditEvent> events_;
};

// One object version as the policy would have stamped it.
struct Spec {
  int n = 0;                  // Id(n)
  Tlp tlp = Tlp::kNone;       // kNone: no marking (the collection default)
  std::vector<std::string> orgs;      // audience organizations
  std::vector<std::string> accounts;  // audience accounts
  std::string producer = kA;
  std::string producer_account = "alice";
  int64_t modified_us = 1'600'000'000'000'000;
  std::string origin;
  std::string type = "indicator";
  std::string raw;  // "" = a small valid object
  bool granular = false;
};

store::NewObject Make(const Spec& s) {
  store::NewObject o;
  o.id = Id(s.n);
  o.type = s.type;
  o.spec_version = "2.1";
  o.modified_us = s.modified_us;
  o.created_us = 1'500'000'000'000'000;
  o.raw = !s.raw.empty() ? s.raw
                         : "{\"type\":\"" + s.type + "\",\"spec_version\":\"2.1\",\"id\":\"" + o.id +
                               "\",\"created\":\"" + FormatTimestamp(*o.created_us, 3) +
                               "\",\"modified\":\"" + FormatTimestamp(s.modified_us, 3) +
                               "\",\"name\":\"object " + std::to_string(s.n) + "\"}";
  if (s.tlp != Tlp::kNone) o.marking = std::string(stix::Tlp2MarkingDefinition(s.tlp)->id);
  o.producer = s.producer;
  o.audience = EncodeAudience(Audience{s.producer_account, s.orgs, s.accounts, "g"});
  o.origin = s.origin;
  o.granular = s.granular;
  return o;
}

// A TLP:CLEAR indicator whose description is marked TLP:GREEN.
std::string GranularRaw(int n) {
  return "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"" + Id(n) +
         "\",\"created\":\"2017-07-14T02:40:00.000Z\",\"modified\":\"2020-09-13T12:26:40.000Z\","
         "\"name\":\"public name\",\"description\":\"group-only notes\","
         "\"object_marking_refs\":[\"" + std::string(stix::kTlpClearId) + "\"],"
         "\"granular_markings\":[{\"marking_ref\":\"" + std::string(stix::kTlpGreenId) +
         "\",\"selectors\":[\"description\"]}]}";
}

auth::Principal Account(std::string user, std::string org,
                        std::vector<std::string> roles = {"contributor"}) {
  auth::Principal p;
  p.kind = auth::Principal::Kind::kAccount;
  p.account_key = 1;
  p.username = std::move(user);
  p.organization = std::move(org);
  p.roles = std::move(roles);
  return p;
}

auth::Principal PeerHub(std::string hub) {
  return Account(std::move(hub), "", {"peer"});
}

std::vector<std::string> Ids(const std::vector<store::ObjectRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.id);
  return out;
}

std::vector<std::string> Ids(const std::vector<Released>& released) {
  std::vector<std::string> out;
  for (const auto& r : released) out.push_back(r.record->id);
  return out;
}

// Every object id in an audit event's list.
std::vector<std::string> Listed(const store::AuditEvent& e) {
  std::vector<std::string> out;
  for (const auto& o : e.objects) out.push_back(o.id);
  return out;
}

const store::AuditEvent* FindEvent(const std::vector<store::AuditEvent>& events, bool allowed) {
  for (const auto& e : events)
    if (e.allowed == allowed) return &e;
  return nullptr;
}

class ReleaseScopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("kizuna-release-scope-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store::SqliteOptions o;
    o.path = (dir_ / "hub.db").string();
    o.durable = false;
    o.cache_mib = 4;
    auto s = store::OpenSqliteStore(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);

    ASSERT_TRUE(store_->PutApiRoot(store::ApiRoot{"api1", "API", "", 1 << 20}).ok());
    auto org = [&](const std::string& id, std::string name, std::string kind,
                   std::vector<std::string> clients, std::string home) {
      store::Organization x;
      x.id = id;
      x.name = std::move(name);
      x.nation = "US";
      x.kind = std::move(kind);
      x.clients = std::move(clients);
      x.home_hub = std::move(home);
      ASSERT_TRUE(store_->PutOrganization(x).ok());
    };
    org(kC, "C", "operator", {}, "");
    org(kA, "A", "government", {}, "");
    org(kB, "B", "isac", {kC}, "");
    org(kD, "D", "government", {}, "");
    org(kE, "E", "vendor", {}, "");
    org(kF, "F", "operator", {}, "jp-hub");
    org(kK, "K", "government", {}, "kr-hub");
    store::TrustGroup g;
    g.id = "g";
    g.name = "G";
    g.members = {kA, kB, kD, kF};
    ASSERT_TRUE(store_->PutTrustGroup(g).ok());
    store::Collection c;
    c.id = kCollectionId;
    c.api_root = "api1";
    c.title = "shared";
    c.default_marking = std::string(stix::kTlpAmberId);
    c.trust_group = "g";
    auto put = store_->PutCollection(c);
    ASSERT_TRUE(put.ok()) << put.status().ToString();
    coll_ = put->key;
    dp_ = std::make_unique<DecisionPoint>(store_.get(), &audit_, &clock_);
  }

  void TearDown() override {
    dp_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  // Writes the versions in order; returns their date_added.
  std::vector<int64_t> Put(const std::vector<Spec>& specs) {
    store::WriteBatch b;
    b.collection = coll_;
    for (const auto& s : specs) b.objects.push_back(Make(s));
    auto r = store_->WriteSync(std::move(b));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->date_added_us : std::vector<int64_t>{};
  }

  ReleaseScope Open(const auth::Principal& p, Path path = Path::kTaxiiObjects) {
    auto s = dp_->Begin(p, coll_, kCollectionId, path, "192.0.2.1");
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }

  store::ObjectQuery Query(int limit = 1000) {
    store::ObjectQuery q;
    q.limit = limit;
    return q;
  }

  // A query of the store itself (records read elsewhere, no policy).
  store::ObjectQuery StoreQuery() {
    store::ObjectQuery q = Query();
    q.collection = coll_;
    return q;
  }

  // Reads every page through `scope`, following last_us, checking the page
  // invariants on the way.
  std::vector<store::ObjectRecord> ReadAll(ReleaseScope& scope, store::ObjectQuery q,
                                           std::vector<size_t>* sizes = nullptr) {
    std::vector<store::ObjectRecord> out;
    std::optional<int64_t> cursor;
    for (int guard = 0; guard < 1000; ++guard) {
      auto page = scope.Read(q, cursor);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      EXPECT_LE(page->records.size(), static_cast<size_t>(q.limit));
      if (sizes) sizes->push_back(page->records.size());
      for (auto& r : page->records) out.push_back(std::move(r));
      if (!page->more) break;
      EXPECT_GT(page->last_us, cursor.value_or(0));
      cursor = page->last_us;
    }
    return out;
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  int64_t coll_ = 0;
  ManualClock clock_;
  RecordingAuditLog audit_;
  std::unique_ptr<DecisionPoint> dp_;
};

// ---- what is released ---------------------------------------------------------------

TEST_F(ReleaseScopeTest, ReadReleasesExactlyWhatTlpAllowsForEveryKindOfReader) {
  struct Row {
    Spec spec;
    // alice alice2 bob carol dave eve coord jp-hub kr-hub anonymous
    std::array<bool, 10> expect;
  };
  const std::vector<Row> rows = {
      {{.n = 0}, {1, 1, 1, 1, 1, 0, 1, 1, 0, 0}},  // collection default: AMBER
      {{.n = 1, .tlp = Tlp::kClear}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
      {{.n = 2, .tlp = Tlp::kGreen}, {1, 1, 1, 0, 1, 0, 1, 1, 0, 0}},
      {{.n = 3, .tlp = Tlp::kAmber}, {1, 1, 1, 1, 1, 0, 1, 1, 0, 0}},
      {{.n = 4, .tlp = Tlp::kAmber, .orgs = {kB}}, {1, 1, 1, 1, 0, 0, 0, 0, 0, 0}},
      {{.n = 5, .tlp = Tlp::kAmberStrict, .orgs = {kB}}, {1, 1, 1, 0, 0, 0, 0, 0, 0, 0}},
      {{.n = 6, .tlp = Tlp::kAmber, .orgs = {kF}}, {1, 1, 0, 0, 0, 0, 0, 1, 0, 0}},
      {{.n = 7, .tlp = Tlp::kRed, .accounts = {"bob", "kenji@jp-hub"}},
       {1, 0, 1, 0, 0, 0, 0, 1, 0, 0}},
      {{.n = 8, .tlp = Tlp::kRed, .accounts = {"dave"}}, {1, 0, 0, 0, 1, 0, 0, 0, 0, 0}},
      {{.n = 9, .tlp = Tlp::kAmber, .orgs = {kK}}, {1, 1, 0, 0, 0, 0, 0, 0, 1, 0}},
      {{.n = 10, .tlp = Tlp::kAmberStrict}, {1, 1, 1, 0, 1, 0, 1, 1, 0, 0}},
  };
  std::vector<Spec> specs;
  for (const auto& r : rows) specs.push_back(r.spec);
  Put(specs);
  const std::vector<std::pair<std::string, auth::Principal>> readers = {
      {"alice", Account("alice", kA)},
      {"alice2", Account("alice2", kA)},
      {"bob", Account("bob", kB)},
      {"carol", Account("carol", kC)},
      {"dave", Account("dave", kD)},
      {"eve", Account("eve", kE)},
      {"coord", Account("coord", kD, {"coordinator"})},
      {"jp-hub", PeerHub("jp-hub")},
      {"kr-hub", PeerHub("kr-hub")},
      {"anonymous", auth::Principal{}},
  };
  for (size_t i = 0; i < readers.size(); ++i) {
    SCOPED_TRACE(readers[i].first);
    ReleaseScope scope = Open(readers[i].second);
    auto page = scope.Read(Query(), std::nullopt);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> want;
    int64_t hidden = 0;
    for (const auto& r : rows) {
      if (r.expect[i]) {
        want.push_back(Id(r.spec.n));
      } else {
        ++hidden;
      }
    }
    EXPECT_EQ(Ids(page->records), want);
    EXPECT_EQ(scope.withheld(), hidden);
    EXPECT_FALSE(page->more);
    // The released records are the stored ones (no granular markings here).
    for (const auto& r : page->records) {
      EXPECT_NE(r.raw.find("\"id\":\"" + r.id + "\""), std::string::npos);
      EXPECT_TRUE(Decide(scope.model(), scope.reader(), MetaOf(r, coll_), Path::kTaxiiObjects).allow);
    }
  }
}

TEST_F(ReleaseScopeTest, PagesStayFullAroundHiddenObjectsAndEveryObjectComesOnce) {
  // 30 objects; eve (outside the trust group) sees every third one.
  std::vector<Spec> specs;
  std::set<std::string> visible;
  for (int i = 0; i < 30; ++i) {
    Spec s{.n = i, .tlp = i % 3 == 1 ? Tlp::kClear : Tlp::kAmber, .orgs = {kB}};
    if (s.tlp == Tlp::kClear) visible.insert(Id(i));
    specs.push_back(s);
  }
  Put(specs);
  ASSERT_EQ(visible.size(), 10u);

  ReleaseScope scope = Open(Account("eve", kE));
  std::vector<size_t> sizes;
  auto all = ReadAll(scope, Query(4), &sizes);
  EXPECT_EQ(sizes, (std::vector<size_t>{4, 4, 2}));
  std::vector<std::string> ids = Ids(all);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), visible);
  EXPECT_EQ(ids.size(), visible.size());  // each once
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.date_added_us < b.date_added_us;
  }));
  EXPECT_EQ(scope.withheld(), 20);

  // A reader who sees everything: the same pages over all 30.
  ReleaseScope bob = Open(Account("bob", kB));
  sizes.clear();
  EXPECT_EQ(ReadAll(bob, Query(4), &sizes).size(), 30u);
  EXPECT_EQ(sizes, (std::vector<size_t>{4, 4, 4, 4, 4, 4, 4, 2}));
  EXPECT_EQ(bob.withheld(), 0);
}

TEST_F(ReleaseScopeTest, MoreIsFalseWhenOnlyHiddenObjectsFollow) {
  // Visible: 0, 2, 4, 6; hidden objects after each, and two at the end.
  std::vector<Spec> specs;
  for (int i = 0; i < 10; ++i) {
    specs.push_back(Spec{.n = i, .tlp = (i % 2 == 0 && i < 8) ? Tlp::kClear : Tlp::kRed,
                         .accounts = {"bob"}});
  }
  std::vector<int64_t> added = Put(specs);
  ASSERT_EQ(added.size(), 10u);
  ReleaseScope scope = Open(Account("eve", kE));
  auto first = scope.Read(Query(2), std::nullopt);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Ids(first->records), (std::vector<std::string>{Id(0), Id(2)}));
  EXPECT_TRUE(first->more);
  EXPECT_EQ(first->last_us, added[2]);
  auto second = scope.Read(Query(2), first->last_us);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(Ids(second->records), (std::vector<std::string>{Id(4), Id(6)}));
  EXPECT_FALSE(second->more) << "only objects eve may not see follow";
  EXPECT_EQ(second->last_us, added[6]);
  EXPECT_EQ(second->scanned_us, added[9]);  // the scan looked at them
}

TEST_F(ReleaseScopeTest, PeerNeverReceivesAnObjectWhoseOriginPathNamesIt) {
  Put({
      Spec{.n = 1, .tlp = Tlp::kClear},
      Spec{.n = 2, .tlp = Tlp::kClear, .origin = "jp-hub"},
      Spec{.n = 3, .tlp = Tlp::kGreen, .origin = "kr-hub jp-hub"},
      Spec{.n = 4, .tlp = Tlp::kGreen, .origin = "kr-hub"},
      Spec{.n = 5, .tlp = Tlp::kClear, .origin = "jp-hub2"},
      Spec{.n = 6, .tlp = Tlp::kRed, .accounts = {"kenji@jp-hub"}, .origin = "jp-hub"},
  });
  {
    ReleaseScope jp = Open(PeerHub("jp-hub"), Path::kFederation);
    auto page = jp.Read(Query(), std::nullopt);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(Ids(page->records), (std::vector<std::string>{Id(1), Id(4), Id(5)}));
    EXPECT_EQ(jp.withheld(), 3);
    // Records read elsewhere: the same rule.
    auto raw = store_->Query(StoreQuery(), std::nullopt);
    ASSERT_TRUE(raw.ok());
    std::vector<const store::ObjectRecord*> ptrs;
    for (const auto& r : raw->records) ptrs.push_back(&r);
    auto released = jp.Release(ptrs);
    ASSERT_TRUE(released.ok());
    EXPECT_EQ(Ids(*released), (std::vector<std::string>{Id(1), Id(4), Id(5)}));
    // Asked by name, it is a denial with its reason.
    auto seen = jp.SeesAny(Id(2));
    ASSERT_TRUE(seen.ok());
    EXPECT_FALSE(*seen);
  }
  auto events = audit_.Take();
  const store::AuditEvent* denied = FindEvent(events, false);
  ASSERT_NE(denied, nullptr);
  EXPECT_EQ(Listed(*denied), std::vector<std::string>{Id(2)});
  EXPECT_EQ(denied->reason, ReasonText(Reason::kPassedHub));
  EXPECT_EQ(denied->account, "peer:jp-hub");

  // Another peer receives the CLEAR ones whatever their origin; a local
  // reader in the group receives all but the RED one.
  ReleaseScope kr = Open(PeerHub("kr-hub"), Path::kFederation);
  auto kr_page = kr.Read(Query(), std::nullopt);
  ASSERT_TRUE(kr_page.ok());
  EXPECT_EQ(Ids(kr_page->records), (std::vector<std::string>{Id(1), Id(2), Id(5)}));
  ReleaseScope dave = Open(Account("dave", kD));
  auto dave_page = dave.Read(Query(), std::nullopt);
  ASSERT_TRUE(dave_page.ok());
  EXPECT_EQ(Ids(dave_page->records),
            (std::vector<std::string>{Id(1), Id(2), Id(3), Id(4), Id(5)}));
}

TEST_F(ReleaseScopeTest, GranularMarkingsRedactForReadersWhoMayNotSeeThePart) {
  Put({Spec{.n = 1, .tlp = Tlp::kClear, .raw = GranularRaw(1), .granular = true},
       Spec{.n = 2, .tlp = Tlp::kClear}});
  const std::string stored = GranularRaw(1);
  {
    ReleaseScope eve = Open(Account("eve", kE));  // not in the group: no GREEN
    auto page = eve.Read(Query(), std::nullopt);
    ASSERT_TRUE(page.ok());
    ASSERT_EQ(Ids(page->records), (std::vector<std::string>{Id(1), Id(2)}));
    const std::string& copy = page->records[0].raw;
    EXPECT_NE(copy, stored);
    auto v = boost::json::parse(copy).as_object();
    EXPECT_FALSE(v.contains("description"));
    EXPECT_EQ(v["name"], boost::json::value("public name"));
    auto& ext = v["extensions"].as_object()[kRedactionExtensionId].as_object();
    EXPECT_EQ(ext["redacted_paths"], boost::json::value(boost::json::array{"description"}));
    EXPECT_EQ(eve.withheld(), 0);
  }
  {
    ReleaseScope anonymous = Open(auth::Principal{});
    auto page = anonymous.Read(Query(), std::nullopt);
    ASSERT_TRUE(page.ok());
    ASSERT_EQ(page->records.size(), 2u);
    EXPECT_EQ(page->records[0].raw.find("group-only notes"), std::string::npos);
  }
  {
    ReleaseScope dave = Open(Account("dave", kD));  // in the group: sees the part
    auto page = dave.Read(Query(), std::nullopt);
    ASSERT_TRUE(page.ok());
    ASSERT_EQ(page->records.size(), 2u);
    EXPECT_EQ(page->records[0].raw, stored);  // byte-exact
  }
  // Granular content is audited even at TLP:CLEAR, saying whether it was redacted.
  std::map<std::string, std::string> marking_by_account;
  for (const auto& e : audit_.Take()) {
    if (!e.allowed) continue;
    for (const auto& o : e.objects) {
      EXPECT_EQ(o.id, Id(1));  // the plain CLEAR object is never listed
      marking_by_account[e.account] = o.marking;
    }
  }
  EXPECT_EQ(marking_by_account["eve"], "TLP:CLEAR +granular (redacted)");
  EXPECT_EQ(marking_by_account["dave"], "TLP:CLEAR +granular");
  EXPECT_EQ(marking_by_account[""], "TLP:CLEAR +granular (redacted)");
}

TEST_F(ReleaseScopeTest, FailedReleaseStepWithholdsOnlyThatObject) {
  std::vector<int64_t> added =
      Put({Spec{.n = 1, .tlp = Tlp::kClear},
           Spec{.n = 2, .tlp = Tlp::kClear, .raw = "{not json", .granular = true},
           Spec{.n = 3, .tlp = Tlp::kClear}, Spec{.n = 4, .tlp = Tlp::kClear}});
  ASSERT_EQ(added.size(), 4u);
  const int64_t failures_before = dp_->Stats().release_failures;
  {
    ReleaseScope eve = Open(Account("eve", kE));
    auto page = eve.Read(Query(), std::nullopt);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_EQ(Ids(page->records), (std::vector<std::string>{Id(1), Id(3), Id(4)}));
    EXPECT_EQ(eve.withheld(), 1);
  }
  EXPECT_EQ(dp_->Stats().release_failures, failures_before + 1);
  auto events = audit_.Take();
  const store::AuditEvent* denied = FindEvent(events, false);
  ASSERT_NE(denied, nullptr);
  EXPECT_EQ(denied->reason, kReleaseFailedText);
  EXPECT_EQ(Listed(*denied), std::vector<std::string>{Id(2)});
  EXPECT_EQ(denied->account, "eve");

  // Paged: the page that ends on the failed record still moves the cursor
  // past it, and the next page continues after it.
  ReleaseScope dave = Open(Account("dave", kD));
  auto page1 = dave.Read(Query(2), std::nullopt);
  ASSERT_TRUE(page1.ok());
  EXPECT_EQ(Ids(page1->records), std::vector<std::string>{Id(1)});
  EXPECT_TRUE(page1->more);
  EXPECT_EQ(page1->last_us, added[1]);
  auto page2 = dave.Read(Query(2), page1->last_us);
  ASSERT_TRUE(page2.ok());
  EXPECT_EQ(Ids(page2->records), (std::vector<std::string>{Id(3), Id(4)}));
  EXPECT_FALSE(page2->more);
  EXPECT_EQ(dp_->Stats().release_failures, failures_before + 2);
}

TEST_F(ReleaseScopeTest, ReleaseOfRecordsReadElsewhereKeepsOrderAndRedacts) {
  Put({Spec{.n = 1, .tlp = Tlp::kClear},
       Spec{.n = 2, .tlp = Tlp::kAmber, .orgs = {kB}},
       Spec{.n = 3, .tlp = Tlp::kClear, .raw = GranularRaw(3), .granular = true},
       Spec{.n = 4, .tlp = Tlp::kRed, .accounts = {"bob"}},
       Spec{.n = 5, .tlp = Tlp::kClear, .raw = "{not json", .granular = true},
       Spec{.n = 6, .tlp = Tlp::kClear}});
  auto stored = store_->Query(StoreQuery(), std::nullopt);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->records.size(), 6u);
  // Reversed, so that "in order" means the caller's order, not date_added.
  std::vector<const store::ObjectRecord*> candidates;
  for (auto it = stored->records.rbegin(); it != stored->records.rend(); ++it) {
    candidates.push_back(&*it);
  }
  const int64_t failures_before = dp_->Stats().release_failures;

  ReleaseScope eve = Open(Account("eve", kE), Path::kStream);
  auto released = eve.Release(candidates);
  ASSERT_TRUE(released.ok()) << released.status().ToString();
  EXPECT_EQ(Ids(*released), (std::vector<std::string>{Id(6), Id(3), Id(1)}));
  EXPECT_EQ(eve.withheld(), 3);  // 2 and 4 denied, 5 failed
  EXPECT_EQ(dp_->Stats().release_failures, failures_before + 1);
  for (const auto& r : *released) {
    EXPECT_EQ(r.is_redacted, r.record->id == Id(3));
    EXPECT_EQ(r.raw().find("group-only notes"), std::string::npos);
  }
  EXPECT_EQ((*released)[1].record, &stored->records[2]);  // the caller's record

  ReleaseScope bob = Open(Account("bob", kB), Path::kStream);
  auto bobs = bob.Release(candidates);
  ASSERT_TRUE(bobs.ok());
  EXPECT_EQ(Ids(*bobs), (std::vector<std::string>{Id(6), Id(4), Id(3), Id(2), Id(1)}));
  EXPECT_EQ(bob.withheld(), 1);  // only the one whose release failed
  for (const auto& r : *bobs) {
    EXPECT_FALSE(r.is_redacted);
    EXPECT_EQ(r.raw(), r.record->raw);
  }
}

TEST_F(ReleaseScopeTest, NarrowNarrowsWithoutCountingAsWithheld) {
  std::vector<Spec> specs;
  for (int i = 0; i < 8; ++i) {
    specs.push_back(Spec{.n = i, .tlp = i < 4 ? Tlp::kClear : Tlp::kAmber, .orgs = {kB},
                         .type = i % 2 == 0 ? "indicator" : "malware"});
  }
  Put(specs);
  // eve sees 0..3; the caller's filter keeps indicators only.
  auto indicators = [](const store::ObjectRecord& r) { return r.type == "indicator"; };
  ReleaseScope eve = Open(Account("eve", kE), Path::kStream);
  auto page = eve.Read(Query(), std::nullopt, indicators);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Ids(page->records), (std::vector<std::string>{Id(0), Id(2)}));
  // Withheld: the hidden indicators (4, 6), not the malware the filter dropped.
  EXPECT_EQ(eve.withheld(), 2);
  // It never widens: bob sees all, the filter still narrows.
  ReleaseScope bob = Open(Account("bob", kB), Path::kStream);
  auto bobs = bob.Read(Query(), std::nullopt, indicators);
  ASSERT_TRUE(bobs.ok());
  EXPECT_EQ(Ids(bobs->records), (std::vector<std::string>{Id(0), Id(2), Id(4), Id(6)}));
  EXPECT_EQ(bob.withheld(), 0);
}

// ---- named objects ------------------------------------------------------------------

TEST_F(ReleaseScopeTest, SeesAnyAnswersAndAuditsDenialsOfNamedObjects) {
  Put({Spec{.n = 1, .tlp = Tlp::kClear},
       Spec{.n = 2, .tlp = Tlp::kAmber, .orgs = {kB}},
       Spec{.n = 3, .tlp = Tlp::kRed, .accounts = {"bob"}, .modified_us = 1},
       Spec{.n = 3, .tlp = Tlp::kClear, .modified_us = 2}});
  {
    ReleaseScope eve = Open(Account("eve", kE), Path::kTaxiiObject);
    auto clear = eve.SeesAny(Id(1));
    ASSERT_TRUE(clear.ok());
    EXPECT_TRUE(*clear);
    auto missing = eve.SeesAny(Id(99));
    ASSERT_TRUE(missing.ok());
    EXPECT_FALSE(*missing);
  }
  // Nothing denied, nothing released at an audited level: no event.
  EXPECT_TRUE(audit_.Take().empty());
  {
    ReleaseScope eve = Open(Account("eve", kE), Path::kTaxiiObject);
    auto hidden = eve.SeesAny(Id(2));
    ASSERT_TRUE(hidden.ok());
    EXPECT_FALSE(*hidden);
    auto some = eve.SeesAny(Id(3));  // the RED version hidden, the CLEAR one not
    ASSERT_TRUE(some.ok());
    EXPECT_TRUE(*some);
  }
  auto events = audit_.Take();
  const store::AuditEvent* denied = FindEvent(events, false);
  ASSERT_NE(denied, nullptr);
  EXPECT_EQ(Listed(*denied), (std::vector<std::string>{Id(2), Id(3)}));
  EXPECT_EQ(denied->reason, ReasonText(Reason::kNotRecipient));
  EXPECT_EQ(denied->path, "taxii.object");
  EXPECT_EQ(denied->account, "eve");
  EXPECT_EQ(denied->organization, kE);
  EXPECT_EQ(denied->collection, kCollectionId);
  EXPECT_EQ(denied->remote, "192.0.2.1");
  ASSERT_EQ(denied->objects.size(), 2u);
  EXPECT_EQ(denied->objects[0].marking, "TLP:AMBER");
  EXPECT_EQ(denied->objects[1].marking, "TLP:RED");

  // Read by id audits the hidden versions of the named ids the same way.
  {
    ReleaseScope eve = Open(Account("eve", kE), Path::kTaxiiObject);
    store::ObjectQuery q = Query();
    q.ids = {Id(2)};
    auto page = eve.Read(q, std::nullopt);
    ASSERT_TRUE(page.ok());
    EXPECT_TRUE(page->records.empty());
  }
  events = audit_.Take();
  denied = FindEvent(events, false);
  ASSERT_NE(denied, nullptr);
  EXPECT_EQ(Listed(*denied), std::vector<std::string>{Id(2)});
}

TEST_F(ReleaseScopeTest, HiddenNewerVersionLeavesTheNewestVisibleOne) {
  // v1 RED (bob), v2 AMBER for the group, v3 RED (bob): dave sees v2 only.
  std::vector<int64_t> added =
      Put({Spec{.n = 1, .tlp = Tlp::kRed, .accounts = {"bob"}, .modified_us = 1'000'000},
           Spec{.n = 1, .tlp = Tlp::kAmber, .modified_us = 2'000'000},
           Spec{.n = 1, .tlp = Tlp::kRed, .accounts = {"bob"}, .modified_us = 3'000'000}});
  ASSERT_EQ(added.size(), 3u);
  auto versions = [&](const auth::Principal& p, store::VersionFilter f) {
    ReleaseScope scope = Open(p, Path::kTaxiiObject);
    store::ObjectQuery q = Query();
    q.ids = {Id(1)};
    q.versions = f;
    auto page = scope.Read(q, std::nullopt);
    EXPECT_TRUE(page.ok());
    std::vector<int64_t> out;
    if (page.ok()) {
      for (const auto& r : page->records) out.push_back(r.version_us);
    }
    return out;
  };
  store::VersionFilter last, first, all;
  first.first = true;
  all.all = true;
  const auth::Principal dave = Account("dave", kD);
  EXPECT_EQ(versions(dave, last), std::vector<int64_t>{2'000'000});
  EXPECT_EQ(versions(dave, first), std::vector<int64_t>{2'000'000});
  EXPECT_EQ(versions(dave, all), std::vector<int64_t>{2'000'000});
  const auth::Principal bob = Account("bob", kB);
  EXPECT_EQ(versions(bob, last), std::vector<int64_t>{3'000'000});
  EXPECT_EQ(versions(bob, first), std::vector<int64_t>{1'000'000});
  EXPECT_EQ(versions(bob, all), (std::vector<int64_t>{1'000'000, 2'000'000, 3'000'000}));
  // A reader who sees none: nothing, exactly as for a missing id.
  const auth::Principal eve = Account("eve", kE);
  EXPECT_TRUE(versions(eve, last).empty());
  ReleaseScope scope = Open(eve, Path::kTaxiiObject);
  auto seen = scope.SeesAny(Id(1));
  ASSERT_TRUE(seen.ok());
  EXPECT_FALSE(*seen);
}

// ---- deletion -----------------------------------------------------------------------

TEST_F(ReleaseScopeTest, SelectForDeletionFollowsWhoMayDelete) {
  // Two lineages of id 1 (A's and B's), A's AMBER object 2, a RED object 3.
  Put({Spec{.n = 1, .tlp = Tlp::kClear, .modified_us = 1'000'000},
       Spec{.n = 1, .tlp = Tlp::kClear, .modified_us = 2'000'000},
       Spec{.n = 1, .tlp = Tlp::kClear, .producer = kB, .producer_account = "bob",
            .modified_us = 1'500'000},
       Spec{.n = 2, .tlp = Tlp::kAmber},
       Spec{.n = 3, .tlp = Tlp::kRed, .accounts = {"bob"}}});
  store::VersionFilter all;
  all.all = true;
  auto select = [&](const auth::Principal& p, int n) {
    ReleaseScope scope = Open(p, Path::kTaxiiDelete);
    return scope.SelectForDeletion(Id(n), all, {});
  };
  auto versions = [](const std::vector<store::ObjectRecord>& rs) {
    std::vector<int64_t> out;
    for (const auto& r : rs) out.push_back(r.version_us);
    return out;
  };

  // Its own organization's versions only (a colleague of the poster too).
  auto own = select(Account("alice2", kA), 1);
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  EXPECT_EQ(versions(*own), (std::vector<int64_t>{1'000'000, 2'000'000}));
  auto bobs = select(Account("bob", kB), 1);
  ASSERT_TRUE(bobs.ok());
  EXPECT_EQ(versions(*bobs), std::vector<int64_t>{1'500'000});
  // Another organization's visible object: refused, not hidden.
  auto other = select(Account("bob", kB), 2);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code(), StatusCode::kPermissionDenied);
  // A coordinator deletes any version it may see.
  auto coord = select(Account("coord", kD, {"coordinator"}), 1);
  ASSERT_TRUE(coord.ok());
  EXPECT_EQ(versions(*coord), (std::vector<int64_t>{1'000'000, 2'000'000, 1'500'000}));
  auto coord2 = select(Account("coord", kD, {"coordinator"}), 2);
  ASSERT_TRUE(coord2.ok());
  EXPECT_EQ(coord2->size(), 1u);
  // ... but not what it may not see: that is a missing object.
  auto coord3 = select(Account("coord", kD, {"coordinator"}), 3);
  ASSERT_FALSE(coord3.ok());
  EXPECT_EQ(coord3.error().code(), StatusCode::kNotFound);
  // A peer hub deletes nothing here.
  auto peer = select(PeerHub("jp-hub"), 1);
  ASSERT_FALSE(peer.ok());
  EXPECT_EQ(peer.error().code(), StatusCode::kPermissionDenied);
  // Hidden and missing answer the same.
  auto hidden = select(Account("eve", kE), 2);
  auto missing = select(Account("eve", kE), 99);
  ASSERT_FALSE(hidden.ok());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(hidden.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(hidden.error(), missing.error());
  auto anonymous = select(auth::Principal{}, 1);
  ASSERT_FALSE(anonymous.ok());
  EXPECT_EQ(anonymous.error().code(), StatusCode::kPermissionDenied);

  // Deletions are always listed in the audit log, CLEAR ones included.
  bool listed = false;
  for (const auto& e : audit_.Take()) {
    if (e.allowed && e.account == "alice2") {
      EXPECT_EQ(e.path, "taxii.delete");
      EXPECT_EQ(Listed(e), (std::vector<std::string>{Id(1), Id(1)}));
      listed = true;
    }
  }
  EXPECT_TRUE(listed);
}

TEST_F(ReleaseScopeTest, SelectForDeletionTakesFirstAndLastAmongVisibleVersions) {
  // alice's AMBER v2 between RED v1 and v3 addressed to bob only: her
  // colleague alice2 sees v2 alone (RED is for the named and the producing
  // account), so for alice2 v2 is both the first and the last version,
  // exactly as a read answers.
  Put({Spec{.n = 1, .tlp = Tlp::kRed, .accounts = {"bob"}, .modified_us = 1'000'000},
       Spec{.n = 1, .tlp = Tlp::kAmber, .modified_us = 2'000'000},
       Spec{.n = 1, .tlp = Tlp::kRed, .accounts = {"bob"}, .modified_us = 3'000'000}});
  store::VersionFilter last, first;
  last.last = true;
  first.first = true;
  for (const auto& f : {last, first, store::VersionFilter{}}) {
    ReleaseScope read = Open(Account("alice2", kA), Path::kTaxiiObject);
    store::ObjectQuery q = Query();
    q.ids = {Id(1)};
    q.versions = f;
    auto page = read.Read(q, std::nullopt);
    ASSERT_TRUE(page.ok());
    ASSERT_EQ(page->records.size(), 1u);
    EXPECT_EQ(page->records[0].version_us, 2'000'000);

    ReleaseScope del = Open(Account("alice2", kA), Path::kTaxiiDelete);
    auto selected = del.SelectForDeletion(Id(1), f, {});
    ASSERT_TRUE(selected.ok()) << selected.status().ToString()
                               << " (a hidden version decided first/last)";
    ASSERT_EQ(selected->size(), 1u);
    EXPECT_EQ((*selected)[0].version_us, 2'000'000);
  }
  // alice (the producing account) sees all three: last is v3, first v1.
  ReleaseScope del = Open(Account("alice", kA), Path::kTaxiiDelete);
  auto selected = del.SelectForDeletion(Id(1), last, {});
  ASSERT_TRUE(selected.ok());
  ASSERT_EQ(selected->size(), 1u);
  EXPECT_EQ((*selected)[0].version_us, 3'000'000);
  auto firsts = del.SelectForDeletion(Id(1), first, {});
  ASSERT_TRUE(firsts.ok());
  ASSERT_EQ(firsts->size(), 1u);
  EXPECT_EQ((*firsts)[0].version_us, 1'000'000);
}

// ---- audit ----------------------------------------------------------------------------

TEST_F(ReleaseScopeTest, AmberReleasesAreListedOncePerReaderWithinTheInterval) {
  DecisionPoint::AuditOptions options;
  options.rerecord_us = 3600LL * 1'000'000;
  dp_->SetAuditOptions(options);
  Put({Spec{.n = 1, .tlp = Tlp::kClear}, Spec{.n = 2, .tlp = Tlp::kAmber},
       Spec{.n = 3, .tlp = Tlp::kRed, .accounts = {"dave"}},
       Spec{.n = 4, .tlp = Tlp::kAmberStrict}, Spec{.n = 5, .tlp = Tlp::kGreen}});
  auto read = [&](const auth::Principal& p) {
    ReleaseScope scope = Open(p);
    auto page = scope.Read(Query(), std::nullopt);
    EXPECT_TRUE(page.ok());
    EXPECT_EQ(page.ok() ? page->records.size() : 0u, 5u);
    scope.Finish();
    std::vector<std::string> listed;
    for (const auto& e : audit_.Take()) {
      EXPECT_TRUE(e.allowed);
      for (const auto& o : e.objects) listed.push_back(o.id + " " + o.marking);
    }
    return listed;
  };
  const std::vector<std::string> audited = {Id(2) + " TLP:AMBER", Id(3) + " TLP:RED",
                                            Id(4) + " TLP:AMBER+STRICT"};
  const auth::Principal dave = Account("dave", kD);
  EXPECT_EQ(read(dave), audited);  // CLEAR and GREEN are not listed
  EXPECT_TRUE(read(dave).empty());  // the same versions again: not listed
  clock_.now += options.rerecord_us - 1;
  EXPECT_TRUE(read(dave).empty());
  // Another reader is listed on its own.
  const auth::Principal alice = Account("alice", kA);
  EXPECT_EQ(read(alice), audited);
  clock_.now += 1;
  EXPECT_EQ(read(dave), audited);  // the interval has passed
}

TEST_F(ReleaseScopeTest, UnhealthyAuditLogWithholdsAuditedReleasesOnly) {
  Put({Spec{.n = 1, .tlp = Tlp::kClear}, Spec{.n = 2, .tlp = Tlp::kAmber},
       Spec{.n = 3, .tlp = Tlp::kClear, .raw = GranularRaw(3), .granular = true}});
  audit_.healthy = false;
  store::ObjectQuery clear_only = Query();
  clear_only.ids = {Id(1)};
  {
    ReleaseScope dave = Open(Account("dave", kD));
    auto all = dave.Read(Query(), std::nullopt);
    ASSERT_FALSE(all.ok());
    EXPECT_EQ(all.error().code(), StatusCode::kUnavailable);
    auto clear = dave.Read(clear_only, std::nullopt);
    ASSERT_TRUE(clear.ok()) << clear.status().ToString();
    EXPECT_EQ(Ids(clear->records), std::vector<std::string>{Id(1)});
    // Granular content is audited too.
    store::ObjectQuery granular = Query();
    granular.ids = {Id(3)};
    auto g = dave.Read(granular, std::nullopt);
    ASSERT_FALSE(g.ok());
    EXPECT_EQ(g.error().code(), StatusCode::kUnavailable);
    // The same for records read elsewhere.
    auto stored = store_->Query(StoreQuery(), std::nullopt);
    ASSERT_TRUE(stored.ok());
    std::vector<const store::ObjectRecord*> amber = {&stored->records[1]};
    std::vector<const store::ObjectRecord*> clear_rec = {&stored->records[0]};
    auto r1 = dave.Release(amber);
    ASSERT_FALSE(r1.ok());
    EXPECT_EQ(r1.error().code(), StatusCode::kUnavailable);
    auto r2 = dave.Release(clear_rec);
    ASSERT_TRUE(r2.ok());
    EXPECT_EQ(r2->size(), 1u);
  }
  // A deletion is always audited: refused too.
  {
    ReleaseScope alice = Open(Account("alice", kA), Path::kTaxiiDelete);
    store::VersionFilter all;
    all.all = true;
    auto del = alice.SelectForDeletion(Id(1), all, {});
    ASSERT_FALSE(del.ok());
    EXPECT_EQ(del.error().code(), StatusCode::kUnavailable);
  }
  // Healthy again: released.
  audit_.healthy = true;
  ReleaseScope dave = Open(Account("dave", kD));
  auto all = dave.Read(Query(), std::nullopt);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->records.size(), 3u);
}

TEST_F(ReleaseScopeTest, WritesToTheRealAuditLog) {
  auto log = store::OpenSqliteAuditLog(store::AuditPathFor((dir_ / "hub.db").string()));
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  DecisionPoint dp(store_.get(), log->get(), &clock_);
  Put({Spec{.n = 1, .tlp = Tlp::kClear}, Spec{.n = 2, .tlp = Tlp::kAmber, .orgs = {kB}},
       Spec{.n = 3, .tlp = Tlp::kRed, .accounts = {"bob"}}});
  {
    auto bob = dp.Begin(Account("bob", kB), coll_, kCollectionId, Path::kExport, "");
    ASSERT_TRUE(bob.ok());
    auto page = bob->Read(Query(), std::nullopt);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->records.size(), 3u);
  }
  {
    auto eve = dp.Begin(Account("eve", kE), coll_, kCollectionId, Path::kTaxiiObject, "");
    ASSERT_TRUE(eve.ok());
    auto seen = eve->SeesAny(Id(3));
    ASSERT_TRUE(seen.ok());
    EXPECT_FALSE(*seen);
  }
  ASSERT_TRUE((*log)->Flush().ok());
  store::AuditQuery by_object;
  by_object.object_id = Id(3);
  auto events = (*log)->Query(by_object);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_TRUE((*events)[0].allowed);
  EXPECT_EQ((*events)[0].account, "bob");
  EXPECT_EQ((*events)[0].path, "export");
  EXPECT_EQ(Listed((*events)[0]), (std::vector<std::string>{Id(2), Id(3)}));
  EXPECT_FALSE((*events)[1].allowed);
  EXPECT_EQ((*events)[1].account, "eve");
  EXPECT_EQ((*events)[1].reason, ReasonText(Reason::kNotNamed));
  by_object.object_id = Id(1);
  EXPECT_TRUE((*log)->Query(by_object)->empty());  // CLEAR is not listed
  EXPECT_TRUE((*log)->Verify().ok());
}

}  // namespace
}  // namespace kizuna::policy
