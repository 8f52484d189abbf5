// TLP markings: published objects, TLP 1.0 mapping, strictest wins.

#include "stix/markings.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "stix/object.h"

namespace kizuna::stix {
namespace {

namespace json = boost::json;

TEST(MarkingsTest, PublishedTlp2ObjectsAreTheOasisOnes) {
  auto defs = Tlp2MarkingDefinitions();
  ASSERT_EQ(defs.size(), 5u);
  const char* names[] = {"TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"};
  const char* levels[] = {"clear", "green", "amber", "amber+strict", "red"};
  for (size_t i = 0; i < defs.size(); ++i) {
    json::object o = json::parse(defs[i].json).as_object();
    EXPECT_EQ(o.at("id").as_string(), defs[i].id);
    EXPECT_EQ(o.at("name").as_string(), names[i]);
    EXPECT_EQ(defs[i].name, names[i]);
    EXPECT_EQ(o.at("created").as_string(), "2022-10-01T00:00:00.000Z");
    EXPECT_EQ(o.at("spec_version").as_string(), "2.1");
    const json::object& ext = o.at("extensions").as_object().at(kTlp2ExtensionId).as_object();
    EXPECT_EQ(ext.at("extension_type").as_string(), "property-extension");
    EXPECT_EQ(ext.at("tlp_2_0").as_string(), levels[i]);
    EXPECT_TRUE(CheckTlpMarkingDefinition(o).ok());
    std::vector<Diagnostic> diags;
    EXPECT_TRUE(ValidateObject(o, ValidateOptions(), &diags).ok()) << names[i];
    EXPECT_EQ(TlpOfMarkingRef(defs[i].id), defs[i].level);
    EXPECT_EQ(TlpName(defs[i].level), names[i]);
    EXPECT_EQ(Tlp2MarkingDefinition(defs[i].level), &defs[i]);
  }
  EXPECT_EQ(defs[0].id, "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487");
  EXPECT_EQ(defs[1].id, "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb");
  EXPECT_EQ(defs[2].id, "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421");
  EXPECT_EQ(defs[3].id, "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003");
  EXPECT_EQ(defs[4].id, "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1");
  EXPECT_EQ(Tlp2MarkingDefinition(Tlp::kNone), nullptr);
  EXPECT_EQ(TlpName(Tlp::kNone), "");
}

TEST(MarkingsTest, Tlp1IdsMapToTheirTlp2Meaning) {
  EXPECT_EQ(TlpOfMarkingRef("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"),
            Tlp::kClear);  // WHITE
  EXPECT_EQ(TlpOfMarkingRef("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"),
            Tlp::kGreen);
  EXPECT_EQ(TlpOfMarkingRef("marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"),
            Tlp::kAmber);
  EXPECT_EQ(TlpOfMarkingRef("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"), Tlp::kRed);
  EXPECT_TRUE(IsTlp1MarkingId(kTlp1WhiteId));
  EXPECT_FALSE(IsTlp1MarkingId(kTlpClearId));
  EXPECT_TRUE(IsTlp2MarkingId(kTlpAmberStrictId));
  EXPECT_FALSE(IsTlp2MarkingId(kTlp1RedId));
}

TEST(MarkingsTest, OtherRefsAreNotTlp) {
  EXPECT_EQ(TlpOfMarkingRef(""), Tlp::kNone);
  EXPECT_EQ(TlpOfMarkingRef("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41db"),
            Tlp::kNone);
}

TEST(MarkingsTest, TlpIdsInAnyCaseAreTheirTlpLevel) {
  // UUIDs compare case-insensitively: an upper-case TLP:RED id is TLP:RED,
  // never an unknown (and so weaker) marking.
  EXPECT_EQ(TlpOfMarkingRef("marking-definition--E828B379-4E03-4974-9AC4-E53A884C97C1"), Tlp::kRed);
  EXPECT_EQ(TlpOfMarkingRef("marking-definition--34098FCE-860f-48ae-8e50-ebd3cc5e41da"),
            Tlp::kGreen);
}

TEST(MarkingsTest, TlpLookalikeDefinitionsAreRejected) {
  auto def = [](const char* json) { return boost::json::parse(json).as_object(); };
  EXPECT_FALSE(CheckTlpMarkingDefinition(def(
      R"({"type":"marking-definition","id":"marking-definition--00000000-0000-4000-8000-000000000001","definition_type":"TLP","definition":{"tlp":"red"}})")).ok());
  EXPECT_FALSE(CheckTlpMarkingDefinition(def(
      R"({"type":"marking-definition","id":"marking-definition--00000000-0000-4000-8000-000000000001","name":"TLP:RED","definition_type":"statement","definition":{"statement":"x"}})")).ok());
  EXPECT_FALSE(CheckTlpMarkingDefinition(def(
      R"({"type":"marking-definition","id":"marking-definition--E828B379-4E03-4974-9AC4-E53A884C97C1","definition_type":"statement","definition":{"statement":"x"}})")).ok());
  EXPECT_TRUE(CheckTlpMarkingDefinition(def(
      R"({"type":"marking-definition","id":"marking-definition--00000000-0000-4000-8000-000000000001","name":"Copyright","definition_type":"statement","definition":{"statement":"(c) 2026"}})")).ok());
}

// Issue 18: every form of a TLP look-alike under a non-OASIS id, in any
// letter case and with white space around it.
json::object Def(const std::string& members) {
  return json::parse(R"({"type":"marking-definition","spec_version":"2.1",)"
                     R"("id":"marking-definition--1a9c3244-cc05-4d6c-8355-5fd9c681ffa9",)"
                     R"("created":"2026-01-01T00:00:00.000Z",)" +
                     members + "}")
      .as_object();
}

TEST(MarkingsTest, EveryTlpLookalikeFormIsFound) {
  struct Form {
    const char* members;
    const char* property;
  };
  const Form forms[] = {
      {R"("definition_type":"tlp","definition":{"x_level":"clear"})", "definition_type"},
      {R"("definition_type":"TLP","definition":{"x_level":"clear"})", "definition_type"},
      {R"("definition_type":" tLp\t","definition":{"x_level":"clear"})", "definition_type"},
      {R"("name":"TLP:CLEAR","definition_type":"statement","definition":{"statement":"x"})",
       "name"},
      {R"("name":"tlp:red","definition_type":"statement","definition":{"statement":"x"})", "name"},
      {R"("name":" \u00a0Tlp:Amber","definition_type":"statement","definition":{"statement":"x"})",
       "name"},
      {R"("name":"\u200b\ufeffTLP:GREEN","definition_type":"statement","definition":{"statement":"x"})",
       "name"},
      {R"("name":"\u3000TLP:","definition_type":"statement","definition":{"statement":"x"})",
       "name"},
      {R"("definition_type":"statement","definition":{"statement":"x","tlp":"white"})",
       "definition"},
      {R"("definition_type":"x-kind","definition":{"TLP":"red"})", "definition"},
      {R"("name":"Acme","extensions":{"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":)"
       R"({"extension_type":"property-extension","tlp_2_0":"clear"}})",
       "extensions"},
      {R"("name":"Acme","extensions":{"EXTENSION-DEFINITION--60A3C5C5-0D10-413E-AAB3-9E08DDE9E88D":)"
       R"({"extension_type":"property-extension","tlp_2_0":"clear"}})",
       "extensions"},
  };
  for (const Form& f : forms) {
    json::object o = Def(f.members);
    std::optional<TlpLookalike> l = FindTlpLookalike(o);
    ASSERT_TRUE(l.has_value()) << f.members;
    EXPECT_EQ(l->property, f.property) << f.members;
    EXPECT_FALSE(CheckTlpMarkingDefinition(o).ok()) << f.members;
    // ValidateObject refuses it with its own rule, naming the property.
    std::vector<Diagnostic> diags;
    auto v = ValidateObject(o, ValidateOptions(), &diags);
    ASSERT_FALSE(v.ok()) << f.members;
    bool found = false;
    for (const Diagnostic& d : diags) {
      if (d.rule != "tlp-lookalike") continue;
      found = true;
      EXPECT_EQ(d.property, f.property);
      EXPECT_NE(d.message.find("imitates TLP"), std::string::npos) << d.message;
    }
    EXPECT_TRUE(found) << f.members << ": " << v.error().message();
  }
}

TEST(MarkingsTest, OtherMarkingDefinitionsAreNoLookalikes) {
  const char* fine[] = {
      R"("name":"Copyright","definition_type":"statement","definition":{"statement":"TLP:RED"})",
      R"("name":"Not TLP:RED","definition_type":"statement","definition":{"statement":"x"})",
      R"("name":"TLP RED","definition_type":"statement","definition":{"statement":"x"})",
      R"("definition_type":"tlp-ish","definition":{"tlp_level":"red"})",
      R"("name":"PAP:GREEN","extensions":{"extension-definition--f92e15d9-6afc-5ae2-bb3e-85a1fd83a3b5":)"
      R"({"extension_type":"property-extension","pap":"green"}})",
  };
  for (const char* members : fine) {
    json::object o = Def(members);
    EXPECT_FALSE(FindTlpLookalike(o).has_value()) << members;
    EXPECT_TRUE(CheckTlpMarkingDefinition(o).ok()) << members;
  }
  // The OASIS objects under their ids are TLP itself, not look-alikes.
  for (const TlpMarkingDefinition& d : Tlp2MarkingDefinitions()) {
    EXPECT_FALSE(FindTlpLookalike(json::parse(d.json).as_object()).has_value()) << d.name;
  }
}

TEST(MarkingsTest, ObjectsUnderTlp1IdsMustBeThePublishedObjects) {
  // A statement under the TLP 1.0 GREEN id would be read as TLP:GREEN.
  json::object o =
      Def(R"("definition_type":"statement","definition":{"statement":"share freely"})");
  o["id"] = kTlp1GreenId;
  EXPECT_FALSE(CheckTlpMarkingDefinition(o).ok());
  std::vector<Diagnostic> diags;
  EXPECT_FALSE(ValidateObject(o, ValidateOptions(), &diags).ok());
  // Upper case OASIS ids: refused as definitions, read as their level as references.
  json::object upper = json::parse(Tlp2MarkingDefinition(Tlp::kClear)->json).as_object();
  upper["id"] = "marking-definition--94868C89-83C2-464B-929B-A1A8AA3C8487";
  EXPECT_FALSE(FindTlpLookalike(upper).has_value());
  EXPECT_FALSE(CheckTlpMarkingDefinition(upper).ok());
  EXPECT_FALSE(ValidateObject(upper, ValidateOptions(), nullptr).ok());
}

TEST(MarkingsTest, TrimMarkingTextRemovesSpacesAndInvisibleCharacters) {
  EXPECT_EQ(TrimMarkingText("  TLP:RED \t\n"), "TLP:RED");
  EXPECT_EQ(TrimMarkingText("\xc2\xa0\xe2\x80\x8b\xef\xbb\xbfTLP:RED\xe3\x80\x80"), "TLP:RED");
  EXPECT_EQ(TrimMarkingText("\xe2\x80\xafTLP:RED\xe2\x81\xa0"), "TLP:RED");
  EXPECT_EQ(TrimMarkingText("TLP: RED"), "TLP: RED");  // only the ends
  EXPECT_EQ(TrimMarkingText(" \xc2\xa0 "), "");
  EXPECT_EQ(TrimMarkingText("\xc3\xa9t\xc3\xa9"), "\xc3\xa9t\xc3\xa9");  // letters stay
}

TEST(MarkingsTest, MarkingReferencesListsObjectAndGranularRefs) {
  json::object o = json::parse(R"({
    "type": "indicator",
    "object_marking_refs": ["marking-definition--a", 7, "marking-definition--b"],
    "granular_markings": [{"selectors": ["name"], "lang": "en"},
                          {"selectors": ["description"], "marking_ref": "marking-definition--c"}]
  })")
                       .as_object();
  std::vector<MarkingReference> refs = MarkingReferences(o);
  ASSERT_EQ(refs.size(), 3u);
  EXPECT_EQ(refs[0].id, "marking-definition--a");
  EXPECT_EQ(refs[0].Property(), "object_marking_refs[0]");
  EXPECT_EQ(refs[1].Property(), "object_marking_refs[2]");
  EXPECT_EQ(refs[2].id, "marking-definition--c");
  EXPECT_EQ(refs[2].Property(), "granular_markings[1].marking_ref");
}

TEST(MarkingsTest, StrictestWins) {
  std::vector<std::string> refs = {std::string(kTlpGreenId),
                                   "marking-definition--11111111-1111-4111-8111-111111111111",
                                   std::string(kTlp1AmberId)};
  EXPECT_EQ(StrictestTlp(refs), Tlp::kAmber);
  refs.push_back(std::string(kTlpAmberStrictId));
  EXPECT_EQ(StrictestTlp(refs), Tlp::kAmberStrict);
  refs.push_back(std::string(kTlp1RedId));
  EXPECT_EQ(StrictestTlp(refs), Tlp::kRed);
  std::vector<std::string_view> views = {kTlp1WhiteId, kTlpClearId};
  EXPECT_EQ(StrictestTlp(views), Tlp::kClear);
  EXPECT_EQ(StrictestTlp(std::vector<std::string>{}), Tlp::kNone);
  EXPECT_LT(Tlp::kNone, Tlp::kClear);
  EXPECT_LT(Tlp::kAmber, Tlp::kAmberStrict);
  EXPECT_LT(Tlp::kAmberStrict, Tlp::kRed);
}

TEST(MarkingsTest, ObjectHelpers) {
  json::object o = json::parse(R"({
    "type": "indicator",
    "object_marking_refs": ["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
                            "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", 7],
    "granular_markings": [{"selectors": ["description"],
                           "marking_ref": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"}]
  })")
                       .as_object();
  std::vector<std::string> refs = ObjectMarkingRefs(o);
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[1], kTlpRedId);
  EXPECT_EQ(ObjectTlp(o), Tlp::kRed);
  EXPECT_TRUE(HasGranularMarkings(o));
  json::object plain = json::parse(R"({"type": "indicator", "granular_markings": []})").as_object();
  EXPECT_TRUE(ObjectMarkingRefs(plain).empty());
  EXPECT_EQ(ObjectTlp(plain), Tlp::kNone);
  EXPECT_FALSE(HasGranularMarkings(plain));
}

TEST(MarkingsTest, TlpIdsMustCarryThePublishedContent) {
  json::object amber = json::parse(Tlp2MarkingDefinition(Tlp::kAmber)->json).as_object();
  // An object with the RED id claiming to be CLEAR must never validate.
  json::object fake = json::parse(Tlp2MarkingDefinition(Tlp::kRed)->json).as_object();
  fake["extensions"].as_object()[kTlp2ExtensionId].as_object()["tlp_2_0"] = "clear";
  EXPECT_FALSE(CheckTlpMarkingDefinition(fake).ok());
  EXPECT_FALSE(ValidateObject(fake, ValidateOptions(), nullptr).ok());
  json::object renamed = amber;
  renamed["name"] = "TLP:GREEN";
  EXPECT_FALSE(CheckTlpMarkingDefinition(renamed).ok());
  json::object extra = amber;
  extra["description"] = "x";
  EXPECT_FALSE(CheckTlpMarkingDefinition(extra).ok());

  // TLP 1.0 (STIX 2.1 section 7.2.1.4).
  json::object white = json::parse(R"({
    "type": "marking-definition", "spec_version": "2.1",
    "id": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:WHITE",
    "definition": {"tlp": "white"}})")
                           .as_object();
  EXPECT_TRUE(CheckTlpMarkingDefinition(white).ok());
  EXPECT_TRUE(ValidateObject(white, ValidateOptions(), nullptr).ok());
  json::object wrong = white;
  wrong["definition"].as_object()["tlp"] = "red";
  EXPECT_FALSE(ValidateObject(wrong, ValidateOptions(), nullptr).ok());
  // definition_type tlp on another id.
  json::object other = white;
  other["id"] = "marking-definition--1a9c3244-cc05-4d6c-8355-5fd9c681ffa9";
  EXPECT_FALSE(CheckTlpMarkingDefinition(other).ok());
  // The 2.0 objects have neither spec_version nor name.
  json::object white20 = white;
  white20.erase("spec_version");
  white20.erase("name");
  EXPECT_TRUE(CheckTlpMarkingDefinition(white20).ok());
  EXPECT_TRUE(ValidateObject(white20, ValidateOptions(), nullptr).ok());
}

}  // namespace
}  // namespace kizuna::stix
