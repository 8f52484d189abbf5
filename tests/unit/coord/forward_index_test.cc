// The forward indexes (coord/forward_index.h) over a real SQLite store:
// notes found by what they are about, each once, at their latest version,
// read forward between calls, task updates recognized; incidents by what
// they link and sightings by what they sight.
#include "coord/forward_index.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <set>

#include "policy/extensions.h"
#include "store/sqlite/sqlite_store.h"

namespace kizuna::coord {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kOrg = "identity--0e3c0ab4-8d8e-4f4e-9c55-1a6f1c0a0001";
constexpr const char* kIncident = "incident--00000000-0000-4000-8000-00000000000a";
constexpr const char* kTask = "task--00000000-0000-4000-8000-00000000000b";
constexpr const char* kOther = "incident--00000000-0000-4000-8000-00000000000c";

class ForwardIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kizuna-note-index-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store::SqliteOptions o;
    o.path = (dir_ / "s.db").string();
    auto s = store::OpenSqliteStore(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
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
  // Writes a note (or an opinion) version about `refs`.
  void Write(const std::string& id, int64_t version, std::vector<std::string> refs,
             const std::string& type = "note", const std::string& task = "",
             const std::string& modified = "2026-12-01T00:00:00.000Z", const std::string& status = "") {
    json::array r;
    for (auto& x : refs) r.emplace_back(x);
    json::object o{{"type", type}, {"spec_version", "2.1"}, {"id", id},
                   {"created", "2026-12-01T00:00:00.000Z"}, {"modified", modified},
                   {"created_by_ref", kOrg}, {"object_refs", std::move(r)}};
    if (type == "sighting") {
      o.erase("object_refs");
      o["sighting_of_ref"] = refs.at(0);
      o["where_sighted_refs"] = json::array{kOrg};
    }
    if (type == "incident") {
      o.erase("object_refs");
      json::array linked;
      for (auto& x : refs) linked.emplace_back(x);
      o["name"] = "i";
      o["extensions"] = json::object{{policy::kCoordinationExtensionId,
                                      json::object{{"extension_type", "property-extension"},
                                                   {"linked_refs", std::move(linked)}}}};
      if (!status.empty()) {
        o["extensions"].as_object()["extension-definition--ef765651-680c-498d-9894-99799f2fa126"] =
            json::object{{"extension_type", "new-sdo"}, {"investigation_status", status}};
      }
    }
    if (type == "note") o["content"] = "x";
    if (type == "opinion") o["opinion"] = "agree";
    if (!task.empty()) {
      o["extensions"] = json::object{{policy::kCoordinationExtensionId,
                                      json::object{{"extension_type", "property-extension"},
                                                   {"task_ref", task},
                                                   {"author", "alice@us-hub"},
                                                   {"outcome", "ongoing"}}}};
    }
    store::WriteBatch b;
    b.collection = key_;
    store::NewObject n;
    n.id = id;
    n.type = type;
    n.spec_version = "2.1";
    n.modified_us = version;
    n.raw = json::serialize(o);
    n.producer = kOrg;
    b.objects.push_back(std::move(n));
    ASSERT_TRUE(store_->WriteSync(std::move(b)).ok());
  }
  // Copies of the entries about `refs`, each once (an entry is reported
  // once per ref it is about, never twice under one).
  std::vector<IndexedObject> Entries(ForwardIndex& index, const std::vector<std::string>& refs) {
    std::vector<IndexedObject> out;
    std::set<const IndexedObject*> seen;
    std::set<std::pair<size_t, const IndexedObject*>> reported;
    Status s = index.About(key_, refs, [&](size_t i, const IndexedObject& e) {
      EXPECT_TRUE(reported.emplace(i, &e).second) << "twice under " << refs[i] << ": " << e.meta.id;
      if (seen.insert(&e).second) out.push_back(e);
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }
  std::set<std::string> About(ForwardIndex& index, std::vector<std::string> refs) {
    std::set<std::string> ids;
    for (const auto& n : Entries(index, refs)) EXPECT_TRUE(ids.insert(n.meta.id).second) << "twice: " << n.meta.id;
    return ids;
  }
  static std::string Note(int n) { return "note--00000000-0000-4000-8000-00000000010" + std::to_string(n); }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  int64_t key_ = 0;
};

TEST_F(ForwardIndexTest, FindsNotesByWhatTheyAreAboutEachOnceAtTheirLatestVersion) {
  Write(Note(1), 1000, {kIncident});
  Write(Note(2), 1000, {kIncident, kTask}, "note", kTask);
  Write(Note(3), 1000, {kOther});
  Write("opinion--00000000-0000-4000-8000-000000000201", 1000, {kTask}, "opinion");
  auto notes = MakeNoteIndex(store_.get());
  ForwardIndex& index = *notes;
  EXPECT_EQ(About(index, {kIncident}), (std::set<std::string>{Note(1), Note(2)}));
  EXPECT_EQ(About(index, {kIncident, kTask}),
            (std::set<std::string>{Note(1), Note(2), "opinion--00000000-0000-4000-8000-000000000201"}));
  auto updates = Entries(index, {kTask});
  for (const auto& n : updates) {
    if (n.meta.id == Note(2)) {
      EXPECT_EQ(n.task_ref, kTask);
      EXPECT_EQ(n.update_organization, kOrg);
    } else {
      EXPECT_EQ(n.task_ref, "");
    }
  }
  // Read forward: a note written after the first call is found; a new
  // version that is about something else moves; an older one arriving late
  // changes nothing.
  Write(Note(4), 1000, {kIncident});
  Write(Note(1), 3000, {kOther});
  Write(Note(1), 2000, {kIncident});
  EXPECT_EQ(About(index, {kIncident}), (std::set<std::string>{Note(2), Note(4)}));
  auto other = Entries(index, {kOther});
  std::set<std::string> ids;
  for (const auto& n : other) {
    ids.insert(n.meta.id);
    if (n.meta.id == Note(1)) {
      EXPECT_EQ(n.meta.version_us, 3000);
    }
    EXPECT_TRUE(n.meta.raw.empty());
  }
  EXPECT_EQ(ids, (std::set<std::string>{Note(1), Note(3)}));
  EXPECT_TRUE(About(index, {"incident--00000000-0000-4000-8000-0000000000ff"}).empty());
}

TEST_F(ForwardIndexTest, LinksIndexIncidentsByWhatTheyLinkAndSightingsByWhatTheySight) {
  const std::string ind = "indicator--00000000-0000-4000-8000-000000000301";
  const std::string other = "indicator--00000000-0000-4000-8000-000000000302";
  Write(kIncident, 1000, {ind, other}, "incident");
  Write(kOther, 1000, {other}, "incident");
  Write("sighting--00000000-0000-4000-8000-000000000401", 1000, {ind}, "sighting");
  Write(Note(1), 1000, {ind});  // a note: not in this index
  auto links = MakeLinkIndex(store_.get());
  auto found = Entries(*links, {ind});
  std::set<std::string> ids;
  for (const auto& e : found) {
    ids.insert(e.meta.id);
    EXPECT_EQ(e.created_by, kOrg);
    if (e.meta.type == "sighting") {
      EXPECT_EQ(e.where_sighted, std::vector<std::string>{kOrg});
    }
  }
  EXPECT_EQ(ids, (std::set<std::string>{kIncident, "sighting--00000000-0000-4000-8000-000000000401"}));
  // The incident's next version no longer links `ind`.
  Write(kIncident, 2000, {other}, "incident");
  EXPECT_EQ(About(*links, {ind}), (std::set<std::string>{"sighting--00000000-0000-4000-8000-000000000401"}));
  EXPECT_EQ(About(*links, {other}), (std::set<std::string>{kIncident, kOther}));
}

// The incident list's view of the link index: counts per (policy tuple,
// facet) and the incidents in list order, both following new versions.
TEST_F(ForwardIndexTest, IncidentsAreGroupedPerFacetAndWalkedLatestFirst) {
  auto incident = [](int n) { return "incident--00000000-0000-4000-8000-0000000005" + std::to_string(10 + n); };
  Write(incident(1), 1000, {}, "incident", "", "2026-12-01T01:00:00.000Z", "open");
  Write(incident(2), 1000, {}, "incident", "", "2026-12-01T03:00:00.000Z", "open");
  Write(incident(3), 1000, {}, "incident", "", "2026-12-01T02:00:00.000Z", "closed");
  Write(incident(4), 1000, {}, "incident", "", "2026-12-01T02:00:00.000Z", "open");  // ties: by id
  Write(incident(5), 1000, {}, "incident", "", "not a time", "open");  // last
  Write("sighting--00000000-0000-4000-8000-000000000401", 1000, {"indicator--00000000-0000-4000-8000-000000000301"},
        "sighting");  // not an incident: neither counted nor walked
  auto links = MakeLinkIndex(store_.get());
  auto read = [&](std::map<std::string, int64_t>* counts, std::vector<std::string>* order, size_t stop_after) {
    counts->clear();
    order->clear();
    std::set<const PolicyTuple*> tuples;
    Status s = links->Incidents(
        key_,
        [&](const PolicyTuple& p, const IncidentFacet& f, const ForwardIndex::Group& g) {
          tuples.insert(&p);
          EXPECT_EQ(f.owner, kOrg);
          (*counts)[f.status] += g.size;
          size_t members = 0;
          for (const auto& [list, entries] : g.by_list) {
            for (const IndexedObject* e : entries) {
              EXPECT_EQ(e->facet, &f);
              EXPECT_EQ(e->refs_list, list);
              EXPECT_EQ(*list, e->refs);
              ++members;
            }
          }
          EXPECT_EQ(static_cast<int64_t>(members), g.size);
        },
        [&](const IndexedObject& e) {
          order->push_back(e.meta.id);
          EXPECT_NE(e.facet, nullptr);
          return order->size() < stop_after;
        });
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(tuples.size(), 1u);  // one producer, one marking: one tuple
  };
  std::map<std::string, int64_t> counts;
  std::vector<std::string> order;
  read(&counts, &order, 100);
  EXPECT_EQ(counts, (std::map<std::string, int64_t>{{"open", 4}, {"closed", 1}}));
  EXPECT_EQ(order, (std::vector<std::string>{incident(2), incident(3), incident(4), incident(1), incident(5)}));
  // The walk stops when told to.
  read(&counts, &order, 2);
  EXPECT_EQ(order, (std::vector<std::string>{incident(2), incident(3)}));
  // A new version moves between facets and in the order; an older version
  // arriving late changes nothing.
  Write(incident(1), 2000, {}, "incident", "", "2026-12-01T04:00:00.000Z", "closed");
  Write(incident(2), 500, {}, "incident", "", "2026-12-01T05:00:00.000Z", "closed");
  read(&counts, &order, 100);
  EXPECT_EQ(counts, (std::map<std::string, int64_t>{{"open", 3}, {"closed", 2}}));
  EXPECT_EQ(order, (std::vector<std::string>{incident(1), incident(2), incident(3), incident(4), incident(5)}));
}

}  // namespace
}  // namespace kizuna::coord
