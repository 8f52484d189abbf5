// ValidateObject: one test per rule family, each naming the property and
// the rule the diagnostic must carry.

#include "stix/object.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

namespace kizuna::stix {
namespace {

namespace json = boost::json;

constexpr const char* kIndicator = R"({
  "type": "indicator",
  "spec_version": "2.1",
  "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
  "created_by_ref": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
  "created": "2016-04-06T20:03:48.000Z",
  "modified": "2016-04-06T20:03:48.000Z",
  "indicator_types": ["malicious-activity"],
  "name": "Poison Ivy Malware",
  "description": "This file is part of Poison Ivy",
  "pattern_type": "stix",
  "pattern": "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
  "valid_from": "2016-04-06T20:03:48Z",
  "object_marking_refs": ["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"]
})";

struct Outcome {
  bool ok = false;
  std::string status;
  std::vector<Diagnostic> diags;

  bool HasError(std::string_view property, std::string_view rule) const {
    for (const Diagnostic& d : diags) {
      if (d.severity == Diagnostic::Severity::kError && d.property == property && d.rule == rule) {
        return true;
      }
    }
    return false;
  }
  bool HasWarning(std::string_view rule) const {
    for (const Diagnostic& d : diags) {
      if (d.severity == Diagnostic::Severity::kWarning && d.rule == rule) return true;
    }
    return false;
  }
  int Errors() const {
    int n = 0;
    for (const Diagnostic& d : diags) n += d.severity == Diagnostic::Severity::kError;
    return n;
  }
  std::string Dump() const {
    std::string s = status;
    for (const Diagnostic& d : diags) s += "\n  " + d.ToString();
    return s;
  }
};

Outcome Validate(const json::object& o, const ValidateOptions& options = {}) {
  Outcome r;
  Result<ObjectInfo> info = ValidateObject(o, options, &r.diags);
  r.ok = info.ok();
  r.status = info.ok() ? "OK" : info.error().message();
  return r;
}

Outcome Validate(std::string_view text, const ValidateOptions& options = {}) {
  return Validate(json::parse(text).as_object(), options);
}

// The indicator with one property replaced (or removed when value is null
// and remove is set).
json::object Indicator(std::string_view key = {}, json::value value = nullptr,
                       bool remove = false) {
  json::object o = json::parse(kIndicator).as_object();
  if (!key.empty()) {
    if (remove) {
      o.erase(key);
    } else {
      o[key] = std::move(value);
    }
  }
  return o;
}

#define EXPECT_ERROR(run, property, rule) \
  EXPECT_TRUE((run).HasError(property, rule)) << (run).Dump()
#define EXPECT_VALID(run) EXPECT_TRUE((run).ok && (run).Errors() == 0) << (run).Dump()

TEST(ValidateObjectTest, WellFormedIndicatorAndItsInfo) {
  std::vector<Diagnostic> diags;
  Result<ObjectInfo> info = ValidateObject(Indicator(), ValidateOptions(), &diags);
  ASSERT_TRUE(info.ok()) << info.error().message();
  EXPECT_EQ(info->id, "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f");
  EXPECT_EQ(info->type, "indicator");
  EXPECT_EQ(info->spec_version, "2.1");
  ASSERT_TRUE(info->created.has_value());
  EXPECT_EQ(info->created->micros, 1459973028000000);
  EXPECT_EQ(info->created_by_ref, "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff");
  ASSERT_EQ(info->object_marking_refs.size(), 1u);
  EXPECT_TRUE(info->is_sdo);
  EXPECT_FALSE(info->is_sco || info->is_sro || info->is_custom || info->revoked);
  EXPECT_TRUE(diags.empty()) << Outcome{true, "", diags}.Dump();
  // Without a diagnostics vector the verdict is the same.
  EXPECT_TRUE(ValidateObject(Indicator(), ValidateOptions(), nullptr).ok());
}

TEST(ValidateObjectTest, FailureNamesObjectPropertyAndRule) {
  Result<ObjectInfo> r =
      ValidateObject(Indicator("valid_until", "2016-04-06T20:03:48Z"), ValidateOptions(), nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.error().message(),
            "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f: property 'valid_until': must be "
            "later than valid_from (timestamp-order)");
}

TEST(ValidateObjectTest, RequiredProperties) {
  ValidateOptions v21;
  v21.default_spec_version = "2.1";  // else a missing spec_version means STIX 2.0
  for (const char* p : {"pattern", "pattern_type", "valid_from", "created", "modified", "id",
                        "spec_version", "type"}) {
    Outcome r = Validate(Indicator(p, nullptr, true), v21);
    EXPECT_ERROR(r, p, "required");
  }
}

TEST(ValidateObjectTest, CommonPropertyRules) {
  EXPECT_ERROR(Validate(Indicator("type", "Indicator")), "id", "id");
  EXPECT_ERROR(Validate(Indicator("id", "malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f")), "id",
               "id");
  EXPECT_ERROR(Validate(Indicator("id", "indicator--8e2e2d2b-17d4-4cbf-938f")), "id", "id");
  // RFC 4122 variant bits.
  EXPECT_ERROR(Validate(Indicator("id", "indicator--8e2e2d2b-17d4-4cbf-038f-98ee46b3cd3f")), "id",
               "id");
  EXPECT_ERROR(Validate(Indicator("spec_version", "2.2")), "spec_version", "enum");
  EXPECT_ERROR(
      Validate(Indicator("created_by_ref", "malware--f431f809-377b-45e0-aa1c-6a4751cae5ff")),
      "created_by_ref", "reference");
  EXPECT_ERROR(Validate(Indicator("confidence", 101)), "confidence", "range");
  EXPECT_ERROR(Validate(Indicator("confidence", -1)), "confidence", "range");
  EXPECT_VALID(Validate(Indicator("confidence", 100)));
  EXPECT_ERROR(Validate(Indicator("confidence", 50.5)), "confidence", "value-type");
  EXPECT_ERROR(Validate(Indicator("revoked", "yes")), "revoked", "value-type");
  EXPECT_ERROR(Validate(Indicator("labels", json::array())), "labels", "empty");
  EXPECT_ERROR(Validate(Indicator("lang", "en_US")), "lang", "format");
  EXPECT_VALID(Validate(Indicator("lang", "zh-Hant-TW")));
  EXPECT_ERROR(Validate(Indicator("object_marking_refs",
                                  json::array{"indicator--f431f809-377b-45e0-aa1c-6a4751cae5ff"})),
               "object_marking_refs[0]", "reference");
  EXPECT_ERROR(Validate(Indicator("severity", "high")), "severity", "reserved");
}

TEST(ValidateObjectTest, TimestampRules) {
  // Section 3.2: created/modified need millisecond precision at least.
  EXPECT_ERROR(Validate(Indicator("created", "2016-04-06T20:03:48Z")), "created",
               "timestamp-precision");
  EXPECT_ERROR(Validate(Indicator("modified", "2016-04-06T20:03:48.1Z")), "modified",
               "timestamp-precision");
  json::object micro = Indicator("created", "2016-04-06T20:03:48.000001Z");
  micro["modified"] = "2016-04-06T20:03:48.123456789012Z";
  EXPECT_VALID(Validate(micro));
  EXPECT_ERROR(Validate(Indicator("modified", "2016-04-06T20:03:47.999Z")), "modified",
               "timestamp-order");
  // Section 2.16: RFC 3339, UTC, upper-case T and Z, real dates.
  EXPECT_ERROR(Validate(Indicator("valid_from", "2016-04-06 20:03:48Z")), "valid_from",
               "timestamp");
  EXPECT_ERROR(Validate(Indicator("valid_from", "2016-04-06T20:03:48+00:00")), "valid_from",
               "timestamp");
  EXPECT_ERROR(Validate(Indicator("valid_from", "2016-02-30T20:03:48Z")), "valid_from",
               "timestamp");
  EXPECT_ERROR(Validate(Indicator("valid_from", "2016-04-06t20:03:48z")), "valid_from",
               "timestamp");
  // Section 4.7: valid_until strictly after valid_from.
  EXPECT_ERROR(Validate(Indicator("valid_until", "2016-04-06T20:03:48.000Z")), "valid_until",
               "timestamp-order");
  EXPECT_VALID(Validate(Indicator("valid_until", "2016-04-06T20:03:48.001Z")));
}

TEST(ValidateObjectTest, ExternalReferences) {
  auto with = [](std::string_view refs) {
    return Validate(Indicator("external_references", json::parse(refs)));
  };
  EXPECT_ERROR(with(R"([{"url": "https://example.com/"}])"), "external_references[0].source_name",
               "required");
  EXPECT_ERROR(with(R"([{"source_name": "acme"}])"), "external_references[0]", "at-least-one");
  EXPECT_ERROR(with(R"([{"source_name": "capec", "external_id": "CAPEC-x"}])"),
               "external_references[0].external_id", "format");
  EXPECT_ERROR(with(R"([{"source_name": "cve", "external_id": "CVE-16-1"}])"),
               "external_references[0].external_id", "format");
  EXPECT_ERROR(with(R"([{"source_name": "nvd", "external_id": "CVE-2016-1234"}])"),
               "external_references[0].source_name", "format");
  EXPECT_ERROR(with(R"([{"source_name": "acme", "url": "not a url"}])"),
               "external_references[0].url", "format");
  EXPECT_ERROR(with(R"([{"source_name": "acme", "url": "https://a.example/",
                         "hashes": {"SHA256": "ab"}}])"),
               "external_references[0].hashes", "hash-algorithm");
  Outcome ok = with(R"([{"source_name": "capec", "external_id": "CAPEC-163",
                     "url": "https://capec.mitre.org/data/definitions/163.html"}])");
  EXPECT_VALID(ok);
  EXPECT_TRUE(ok.HasWarning("external-reference-hash")) << ok.Dump();
}

TEST(ValidateObjectTest, GranularMarkings) {
  auto with = [](std::string_view gm) {
    return Validate(Indicator("granular_markings", json::parse(gm)));
  };
  constexpr const char* kGreen = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
  EXPECT_VALID(with(std::string(R"([{"selectors": ["description", "indicator_types.[0]"],
                                     "marking_ref": ")") +
                    kGreen + "\"}]"));
  EXPECT_VALID(with(R"([{"selectors": ["name"], "lang": "ja"}])"));
  EXPECT_ERROR(with(std::string(R"([{"selectors": ["name"], "lang": "ja", "marking_ref": ")") +
                    kGreen + "\"}]"),
               "granular_markings[0].lang", "exclusive");
  EXPECT_ERROR(with(R"([{"selectors": ["name"]}])"), "granular_markings[0].marking_ref",
               "at-least-one");
  EXPECT_ERROR(with(std::string(R"([{"selectors": ["indicator_types.[1]"], "marking_ref": ")") +
                    kGreen + "\"}]"),
               "granular_markings[0].selectors[0]", "selector");
  EXPECT_ERROR(with(std::string(R"([{"selectors": ["no_such_property"], "marking_ref": ")") +
                    kGreen + "\"}]"),
               "granular_markings[0].selectors[0]", "selector");
  EXPECT_ERROR(with(std::string(R"([{"selectors": ["Name"], "marking_ref": ")") + kGreen + "\"}]"),
               "granular_markings[0].selectors[0]", "selector");
}

TEST(ValidateObjectTest, OpenVocabulariesWarnOnly) {
  Outcome r = Validate(Indicator("indicator_types", json::array{"Very Bad"}));
  EXPECT_VALID(r);
  EXPECT_TRUE(r.HasWarning("indicator-type-ov")) << r.Dump();
  EXPECT_TRUE(r.HasWarning("vocab-format")) << r.Dump();
  Outcome pt = Validate(Indicator("pattern_type", "kql"));
  EXPECT_VALID(pt);
  EXPECT_TRUE(pt.HasWarning("pattern-type-ov"));
  // Closed enumerations are errors.
  EXPECT_ERROR(Validate(R"({"type": "opinion", "spec_version": "2.1",
      "id": "opinion--b01efc25-77b4-4003-b18b-f6e24b5cd9f7",
      "created": "2016-05-12T08:17:27.000Z", "modified": "2016-05-12T08:17:27.000Z",
      "opinion": "meh", "object_refs": ["indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"]})"),
               "opinion", "enum");
}

TEST(ValidateObjectTest, CustomPropertiesAndObjects) {
  Outcome custom = Validate(Indicator("x_acme_org_score", 7));
  EXPECT_VALID(custom);
  EXPECT_TRUE(custom.HasWarning("extension-use"));
  EXPECT_ERROR(Validate(Indicator("x-acme-score", 7)), "x-acme-score", "custom-name");
  EXPECT_ERROR(Validate(Indicator("Acme", 7)), "Acme", "custom-name");
  EXPECT_ERROR(Validate(Indicator("x_list", json::array())), "x_list", "empty");
  EXPECT_ERROR(Validate(Indicator("x_acme_blob_hex", "abc")), "x_acme_blob_hex", "format");
  ValidateOptions lax;
  lax.strict_custom_names = false;
  EXPECT_VALID(Validate(Indicator("x-acme-score", 7), lax));
  ValidateOptions no_custom;
  no_custom.allow_custom_properties = false;
  EXPECT_ERROR(Validate(Indicator("x_acme_org_score", 7), no_custom), "x_acme_org_score",
               "custom-property");

  constexpr const char* kCustomObject = R"({"type": "x-acme-widget", "spec_version": "2.1",
      "id": "x-acme-widget--4527e5de-8572-446a-a57a-706f15467461",
      "created": "2016-08-01T00:00:00.000Z", "modified": "2016-08-01T00:00:00.000Z",
      "widget_size": 3})";
  Outcome obj = Validate(kCustomObject);
  EXPECT_VALID(obj);
  EXPECT_TRUE(obj.HasWarning("extension-use"));
  std::vector<Diagnostic> diags;
  Result<ObjectInfo> info =
      ValidateObject(json::parse(kCustomObject).as_object(), ValidateOptions(), &diags);
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->is_custom);
  ValidateOptions no_objects;
  no_objects.allow_custom_objects = false;
  EXPECT_ERROR(Validate(kCustomObject, no_objects), "type", "custom-object");
  EXPECT_ERROR(
      Validate(R"({"type": "x--bad", "id": "x--bad--4527e5de-8572-446a-a57a-706f15467461"})"),
      "type", "format");
  EXPECT_ERROR(Validate(R"({"type": "action", "spec_version": "2.1",
      "id": "action--4527e5de-8572-446a-a57a-706f15467461",
      "created": "2016-08-01T00:00:00.000Z", "modified": "2016-08-01T00:00:00.000Z"})"),
               "type", "reserved");
}

TEST(ValidateObjectTest, Extensions) {
  constexpr const char* kExt = "extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e";
  json::object ok = Indicator("x_score", 3);
  ok["extensions"] =
      json::object{{kExt, json::object{{"extension_type", "toplevel-property-extension"}}}};
  Outcome r = Validate(ok);
  EXPECT_VALID(r);
  EXPECT_FALSE(r.HasWarning("extension-use")) << r.Dump();
  json::object no_type = Indicator();
  no_type["extensions"] = json::object{{kExt, json::object{{"rank", 1}}}};
  EXPECT_ERROR(Validate(no_type), std::string("extensions.") + kExt + ".extension_type",
               "required");
  json::object bad_type = Indicator();
  bad_type["extensions"] = json::object{{kExt, json::object{{"extension_type", "new-thing"}}}};
  EXPECT_ERROR(Validate(bad_type), std::string("extensions.") + kExt + ".extension_type", "enum");
  json::object bad_key = Indicator();
  bad_key["extensions"] = json::object{{"acme", json::object{{"a", 1}}}};
  EXPECT_ERROR(Validate(bad_key), "extensions.acme", "format");
  json::object empty = Indicator();
  empty["extensions"] = json::object{};
  EXPECT_ERROR(Validate(empty), "extensions", "empty");
}

TEST(ValidateObjectTest, Relationships) {
  constexpr const char* kRel = R"({"type": "relationship", "spec_version": "2.1",
      "id": "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad",
      "created": "2016-04-06T20:06:37.000Z", "modified": "2016-04-06T20:06:37.000Z",
      "relationship_type": "indicates",
      "source_ref": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
      "target_ref": "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b"})";
  auto rel = [&](std::string_view key, json::value v) {
    json::object o = json::parse(kRel).as_object();
    o[key] = std::move(v);
    return Validate(o);
  };
  EXPECT_VALID(Validate(kRel));
  EXPECT_ERROR(rel("target_ref", "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"),
               "target_ref", "reference");
  EXPECT_ERROR(rel("source_ref", "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad"),
               "source_ref", "reference");
  EXPECT_ERROR(rel("relationship_type", "Indicates"), "relationship_type", "format");
  Outcome unusual = rel("relationship_type", "admires");
  EXPECT_VALID(unusual);
  EXPECT_TRUE(unusual.HasWarning("relationship-type"));
  json::object times = json::parse(kRel).as_object();
  times["start_time"] = "2016-04-06T20:06:37.000Z";
  times["stop_time"] = "2016-04-06T20:06:37.000Z";
  EXPECT_ERROR(Validate(times), "stop_time", "timestamp-order");
}

TEST(ValidateObjectTest, Sightings) {
  constexpr const char* kSighting = R"({"type": "sighting", "spec_version": "2.1",
      "id": "sighting--ee20065d-2555-424f-ad9e-0f8428623c75",
      "created": "2016-04-06T20:08:31.000Z", "modified": "2016-04-06T20:08:31.000Z",
      "sighting_of_ref": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
      "where_sighted_refs": ["identity--b67d30ff-02ac-498a-92f9-32f845f448ff",
                             "location--a6e9345f-5a15-4c29-8bb3-7dcc5d168d64"],
      "observed_data_refs": ["observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf"],
      "count": 3})";
  auto sighting = [&](std::string_view key, json::value v) {
    json::object o = json::parse(kSighting).as_object();
    o[key] = std::move(v);
    return Validate(o);
  };
  EXPECT_VALID(Validate(kSighting));
  EXPECT_ERROR(sighting("where_sighted_refs",
                        json::array{"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}),
               "where_sighted_refs[0]", "reference");
  EXPECT_ERROR(sighting("observed_data_refs",
                        json::array{"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}),
               "observed_data_refs[0]", "reference");
  EXPECT_ERROR(sighting("sighting_of_ref", "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad"),
               "sighting_of_ref", "reference");
  EXPECT_ERROR(sighting("count", 1000000000), "count", "range");
}

TEST(ValidateObjectTest, SdoSpecificRules) {
  constexpr const char* kHead = R"("spec_version": "2.1",
      "created": "2016-05-12T08:17:27.000Z", "modified": "2016-05-12T08:17:27.000Z")";
  auto sdo = [&](std::string_view body) {
    return Validate("{" + std::string(kHead) + ", " + std::string(body) + "}");
  };
  EXPECT_ERROR(sdo(R"("type": "malware", "id": "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b",
                      "is_family": true)"),
               "name", "required");
  EXPECT_VALID(sdo(R"("type": "malware", "id": "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b",
                      "is_family": false)"));
  EXPECT_ERROR(sdo(R"("type": "report", "id": "report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3",
                      "name": "r", "object_refs": ["indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"])"),
               "published", "required");
  EXPECT_ERROR(sdo(R"("type": "observed-data",
                      "id": "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf",
                      "first_observed": "2015-12-21T19:00:00Z",
                      "last_observed": "2015-12-21T19:00:00Z", "number_observed": 0,
                      "object_refs": ["ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"])"),
               "number_observed", "range");
  EXPECT_ERROR(sdo(R"("type": "observed-data",
                      "id": "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf",
                      "first_observed": "2015-12-21T19:00:00Z",
                      "last_observed": "2015-12-21T19:00:00Z", "number_observed": 1,
                      "object_refs": ["relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad"])"),
               "object_refs", "reference");
  EXPECT_ERROR(sdo(R"("type": "observed-data",
                      "id": "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf",
                      "first_observed": "2015-12-21T19:00:00Z",
                      "last_observed": "2015-12-21T18:00:00Z", "number_observed": 1,
                      "object_refs": ["ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4"])"),
               "last_observed", "timestamp-order");
  EXPECT_ERROR(sdo(R"("type": "location", "id": "location--a6e9345f-5a15-4c29-8bb3-7dcc5d168d64",
                      "latitude": 48.8566)"),
               "longitude", "dependency");
  EXPECT_ERROR(sdo(R"("type": "location", "id": "location--a6e9345f-5a15-4c29-8bb3-7dcc5d168d64",
                      "latitude": 98.1, "longitude": 2.3)"),
               "latitude", "range");
  EXPECT_ERROR(sdo(R"("type": "malware-analysis",
                      "id": "malware-analysis--d25167b7-fed0-4068-9ccd-a73dd2c5b07c",
                      "product": "acme")"),
               "", "at-least-one");
  EXPECT_ERROR(sdo(R"("type": "extension-definition",
                      "id": "extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e",
                      "name": "x", "schema": "s", "version": "1.0",
                      "extension_types": ["property-extension"])"),
               "created_by_ref", "required");
  EXPECT_ERROR(sdo(R"("type": "language-content",
                      "id": "language-content--b86bd89f-98bb-4fa9-8cb2-9ad421da981d",
                      "object_ref": "campaign--12a111f0-b824-4baf-a224-83b80237a094",
                      "contents": {"de_DE": {"name": "x"}})"),
               "contents.de_DE", "format");
}

TEST(ValidateObjectTest, ScoRules) {
  auto sco = [](std::string_view body) { return Validate("{" + std::string(body) + "}"); };
  EXPECT_VALID(sco(R"("type": "ipv4-addr", "id": "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4",
                      "value": "198.51.100.3")"));
  EXPECT_ERROR(sco(R"("type": "ipv4-addr", "id": "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4",
                      "value": "198.51.100.300")"),
               "value", "format");
  EXPECT_ERROR(sco(R"("type": "mac-addr", "id": "mac-addr--65cfcf98-8a6e-5a1b-8f61-379ac4f92d00",
                      "value": "D2:FB:49:24:37:18")"),
               "value", "format");
  EXPECT_ERROR(sco(R"("type": "file", "id": "file--5a27d487-c542-5f97-a131-a8866b477b46",
                      "size": 1)"),
               "", "at-least-one");
  EXPECT_ERROR(sco(R"("type": "file", "id": "file--5a27d487-c542-5f97-a131-a8866b477b46",
                      "hashes": {"MD5": "123"})"),
               "hashes.MD5", "format");
  EXPECT_ERROR(sco(R"("type": "network-traffic",
                      "id": "network-traffic--2568d22a-8998-58eb-99ec-3c8ca74f527d",
                      "protocols": ["tcp"])"),
               "src_ref", "at-least-one");
  EXPECT_ERROR(sco(R"("type": "network-traffic",
                      "id": "network-traffic--2568d22a-8998-58eb-99ec-3c8ca74f527d",
                      "protocols": ["tcp"], "is_active": true, "end": "2016-01-01T00:00:00Z",
                      "dst_ref": "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4")"),
               "end", "exclusive");
  EXPECT_ERROR(sco(R"("type": "network-traffic",
                      "id": "network-traffic--2568d22a-8998-58eb-99ec-3c8ca74f527d",
                      "protocols": ["tcp"],
                      "dst_ref": "file--5a27d487-c542-5f97-a131-a8866b477b46")"),
               "dst_ref", "reference");
  EXPECT_ERROR(sco(R"("type": "artifact", "id": "artifact--6f437177-6e48-5cf8-9d9e-872a2bddd641",
                      "payload_bin": "aGk=", "url": "https://a.example/x",
                      "hashes": {"MD5": "3773a88f65a5e780c8dff9cdc3a056f3"})"),
               "url", "exclusive");
  EXPECT_ERROR(sco(R"("type": "artifact", "id": "artifact--6f437177-6e48-5cf8-9d9e-872a2bddd641",
                      "payload_bin": "not base64!")"),
               "payload_bin", "format");
  EXPECT_ERROR(sco(R"("type": "email-message",
                      "id": "email-message--cf9b4b7f-14c8-5955-8065-020e0316b559",
                      "is_multipart": true, "body": "x")"),
               "body", "exclusive");
  EXPECT_ERROR(sco(R"("type": "windows-registry-key",
                      "id": "windows-registry-key--2ba37ae7-2745-5082-9dfd-9486dad41016",
                      "key": "HKLM\\Software\\Acme")"),
               "key", "format");
  EXPECT_ERROR(sco(R"("type": "x509-certificate",
                      "id": "x509-certificate--463d7b2a-8516-5a50-a3d7-6f801465d5de")"),
               "", "at-least-one");
  EXPECT_ERROR(sco(R"("type": "file", "id": "file--5a27d487-c542-5f97-a131-a8866b477b46",
                      "name": "a.exe", "extensions": {"windows-pebinary-ext": {"pe_type": "exe"}})"),
               "extensions.windows-pebinary-ext", "at-least-one");
  EXPECT_ERROR(sco(R"("type": "software", "id": "software--a1827f6d-ca53-5605-9e93-4316cd22a00a",
                      "name": "w", "cpe": "cpe:/a:microsoft:word")"),
               "cpe", "format");
  // Section 2.9: no ID contributing properties present means UUIDv4.
  EXPECT_ERROR(sco(R"("type": "process", "id": "process--f52a906a-0dfc-50be-8ee7-1a4cbb5df3c5",
                      "pid": 1)"),
               "id", "id");
  EXPECT_VALID(sco(R"("type": "process", "id": "process--f52a906a-0dfc-40be-8ee7-1a4cbb5df3c5",
                      "pid": 1)"));
  // A v5 id that is not the deterministic one draws a warning only.
  Outcome wrong_v5 = sco(R"("type": "ipv4-addr",
                        "id": "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c5",
                        "value": "198.51.100.3")");
  EXPECT_VALID(wrong_v5);
  EXPECT_TRUE(wrong_v5.HasWarning("sco-id")) << wrong_v5.Dump();
}

TEST(ValidateObjectTest, Stix20Objects) {
  constexpr const char* kMalware20 = R"({"type": "malware",
      "id": "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b",
      "created": "2016-04-06T20:07:09.000Z", "modified": "2016-04-06T20:07:09.000Z",
      "name": "Poison Ivy", "labels": ["remote-access-trojan"]})";
  // Without spec_version an SDO is STIX 2.0 (section 3.2, spec_version).
  std::vector<Diagnostic> diags;
  Result<ObjectInfo> info =
      ValidateObject(json::parse(kMalware20).as_object(), ValidateOptions(), &diags);
  ASSERT_TRUE(info.ok()) << info.error().message();
  EXPECT_EQ(info->spec_version, "2.0");
  json::object no_labels = json::parse(kMalware20).as_object();
  no_labels.erase("labels");
  EXPECT_ERROR(Validate(no_labels), "labels", "required");
  // 2.0 identifiers are UUIDv4 only; created has exactly milliseconds.
  json::object v1 = json::parse(kMalware20).as_object();
  v1["id"] = "malware--31b940d4-6f7f-159a-80ea-9c1f17b5891b";
  EXPECT_ERROR(Validate(v1), "id", "id");
  json::object micros = json::parse(kMalware20).as_object();
  micros["modified"] = "2016-04-06T20:07:09.000001Z";
  EXPECT_ERROR(Validate(micros), "modified", "timestamp-precision");
  json::object confidence = json::parse(kMalware20).as_object();
  confidence["confidence"] = 5;  // reserved in STIX 2.0 (Part 1 section 3.6)
  EXPECT_ERROR(Validate(confidence), "confidence", "reserved");
  // Treated as 2.1, the same object lacks spec_version.
  ValidateOptions v21;
  v21.default_spec_version = "2.1";
  EXPECT_ERROR(Validate(kMalware20, v21), "spec_version", "required");
}

TEST(ValidateObjectTest, StixPatternCheckerHook) {
  ValidateOptions options;
  std::string seen_version;
  options.stix_pattern_checker = [&](std::string_view pattern, std::string_view version) {
    seen_version = std::string(version);
    return pattern.find('[') == 0 ? Status::Ok() : InvalidArgument("expected '['");
  };
  EXPECT_VALID(Validate(Indicator(), options));
  EXPECT_EQ(seen_version, "2.1");
  EXPECT_ERROR(Validate(Indicator("pattern", "file:name = 'x'"), options), "pattern", "pattern");
  // Other pattern languages are not handed to the STIX checker.
  json::object yara = Indicator("pattern_type", "yara");
  yara["pattern"] = "rule x { condition: true }";
  EXPECT_VALID(Validate(yara, options));
}

TEST(ValidateObjectTest, NonObjectValuesNeverCrash) {
  for (const char* text :
       {"{}", R"({"type": 7})", R"({"type": "indicator", "id": 7})",
        R"({"type": "bundle", "id": "bundle--44af6c39-c09b-49c5-9de2-394224b04982"})",
        R"({"type": "file", "id": "file--5a27d487-c542-5f97-a131-a8866b477b46",
                               "hashes": [], "extensions": [1], "name": {}})",
        R"({"type": "observed-data", "objects": {"0": 5, "1": {"type": 3}}})"}) {
    Outcome r = Validate(text);
    EXPECT_FALSE(r.ok) << text;
    EXPECT_GT(r.Errors(), 0) << text;
  }
}

TEST(ParseJsonTest, RejectsDuplicateMembersAndDeepNesting) {
  EXPECT_TRUE(ParseJson(R"({"a": 1, "b": {"c": [1, {"d": 2}]}})").ok());
  EXPECT_FALSE(ParseJson(R"({"a": 1, "a": 2})").ok());
  EXPECT_FALSE(ParseJson(R"({"a": {"b": 1, "b": 1}})").ok());
  EXPECT_FALSE(ParseJson(R"([{"x": 1}, {"y": {"z": 0, "z": {}}}])").ok());
  EXPECT_FALSE(ParseJson(R"({"a": 1} trailing)").ok());
  EXPECT_FALSE(ParseJson("{\"a\": \"\xff\"}").ok());
  std::string deep(70, '[');
  deep += std::string(70, ']');
  EXPECT_FALSE(ParseJson(deep).ok());
  std::string ok(60, '[');
  ok += std::string(60, ']');
  EXPECT_TRUE(ParseJson(ok).ok());
  // Two readers must never see two values: duplicate object_marking_refs.
  Result<ObjectInfo> r = ValidateObjectJson(
      R"({"type": "ipv4-addr", "id": "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4",
          "value": "198.51.100.3",
          "object_marking_refs": ["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"],
          "object_marking_refs": ["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"]})",
      ValidateOptions(), nullptr);
  EXPECT_FALSE(r.ok());
}

TEST(ValidateObjectJsonTest, ParsesAndValidates) {
  Result<ObjectInfo> r = ValidateObjectJson(kIndicator, ValidateOptions(), nullptr);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->type, "indicator");
  EXPECT_FALSE(ValidateObjectJson("[1]", ValidateOptions(), nullptr).ok());
  EXPECT_FALSE(ValidateObjectJson("{", ValidateOptions(), nullptr).ok());
}

TEST(ValidateBundleTest, BundlesAndTheirObjects) {
  std::string bundle = std::string(R"({"type": "bundle",
      "id": "bundle--44af6c39-c09b-49c5-9de2-394224b04982", "objects": [)") +
                       kIndicator + "," + kIndicator + "]}";
  std::vector<Diagnostic> diags;
  Status s = ValidateBundle(json::parse(bundle).as_object(), ValidateOptions(), &diags);
  EXPECT_TRUE(s.ok()) << s.ToString();
  bool dup = false;
  for (const Diagnostic& d : diags) dup = dup || d.rule == "duplicate-id";
  EXPECT_TRUE(dup);
  EXPECT_FALSE(ValidateBundle(json::parse(R"({"type": "bundle",
      "id": "bundle--44af6c39-c09b-49c5-9de2-394224b04982", "objects": []})")
                                  .as_object(),
                              ValidateOptions(), nullptr)
                   .ok());
  EXPECT_FALSE(ValidateBundle(json::parse(R"({"type": "bundle", "id": "x",
      "objects": [{"type": "indicator"}]})")
                                  .as_object(),
                              ValidateOptions(), nullptr)
                   .ok());
  // A 2.0 bundle needs spec_version "2.0".
  ValidateOptions v20;
  v20.default_spec_version = "2.0";
  EXPECT_FALSE(ValidateBundle(json::parse(R"({"type": "bundle",
      "id": "bundle--44af6c39-c09b-49c5-9de2-394224b04982"})")
                                  .as_object(),
                              v20, nullptr)
                   .ok());
}

TEST(DiagnosticTest, ToStringNamesEverything) {
  Diagnostic d;
  d.object_id = "file--5a27d487-c542-5f97-a131-a8866b477b46";
  d.property = "hashes.MD5";
  d.rule = "format";
  d.message = "not a valid MD5 value";
  EXPECT_EQ(d.ToString(),
            "file--5a27d487-c542-5f97-a131-a8866b477b46: property 'hashes.MD5': not a valid MD5 "
            "value (format)");
  d.object_id.clear();
  d.property.clear();
  EXPECT_EQ(d.ToString(), "object: not a valid MD5 value (format)");
}

TEST(SpecTypesTest, KnowsTheTypes) {
  EXPECT_TRUE(IsSpecType("indicator"));
  EXPECT_TRUE(IsSpecType("extension-definition"));
  EXPECT_TRUE(IsSpecType("x509-certificate"));
  EXPECT_FALSE(IsSpecType("x-acme-widget"));
  EXPECT_FALSE(IsSpecType("bundle"));
  EXPECT_TRUE(IsScoType("network-traffic"));
  EXPECT_FALSE(IsScoType("indicator"));
}

}  // namespace
}  // namespace kizuna::stix
