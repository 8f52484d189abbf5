// Data-driven check against the OASIS stix2-validator test cases: every case
// must get the reference validator's verdict, or be listed, with the spec
// clause and the reason, in tests/data/stix/validator-exclusions.txt.
//
// That file has two kinds of records:
//   case | <line> | <source_test> | <spec clause> | <reason>
//     a case we judge differently on purpose; it must disagree.
//   deviation | <rule> | <property> | <spec clause> | <reason>
//     an error we raise where the reference raises none (we are stricter on
//     purpose); such errors are set aside before judging every case, so the
//     cases whose fixtures happen to break the rule still test everything
//     else. Each deviation must be exercised by at least one case.
//
// The reference validator's options map onto ours as follows:
//   version          -> ValidateOptions::default_spec_version
//   strict_types     -> !allow_custom_objects
//   strict_properties-> !allow_custom_properties
//   strict           -> the warnings of the enabled "SHOULD" checks count as
//                       errors; which checks are enabled follows the
//                       reference's disable/enable selection rules, mapped to
//                       our rule names by kCheckRules below.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "stix/object.h"

namespace kizuna::stix {
namespace {

namespace json = boost::json;

const std::string kCasesPath =
    std::string(KIZUNA_SHARED_DATA) + "/stix/validator-cases/stix2-validator-cases.jsonl";
const std::string kExclusionsPath =
    std::string(KIZUNA_SOURCE_DIR) + "/tests/data/stix/validator-exclusions.txt";

// The reference validator's SHOULD check names and the rule names our
// diagnostics use for the same recommendation.
const std::map<std::string, std::vector<std::string>> kCheckRules = {
    {"custom-prefix", {"custom-prefix", "custom-prefix-lax"}},
    {"custom-prefix-lax", {"custom-prefix-lax"}},
    {"uuid-check", {"uuid-version"}},
    {"open-vocab-format", {"vocab-format"}},
    {"kill-chain-names", {"kill-chain-format"}},
    {"observable-object-keys", {"observable-object-key"}},
    {"observable-dictionary-keys", {"dictionary-key-case"}},
    {"malware-analysis-product", {"product-name"}},
    {"windows-process-priority-format", {"process-priority"}},
    {"hash-length", {"hash-name-length"}},
    {"marking-definition-type", {"marking-definition-type"}},
    {"relationship-types", {"relationship-type"}},
    {"duplicate-ids", {"duplicate-id"}},
    {"attack-motivation", {"attack-motivation-ov"}},
    {"attack-resource-level", {"attack-resource-level-ov"}},
    {"grouping-context", {"grouping-context-ov"}},
    {"implementation-languages", {"implementation-language-ov"}},
    {"infrastructure-types", {"infrastructure-type-ov"}},
    {"malware-capabilities", {"malware-capabilities-ov"}},
    {"processor-architecture", {"processor-architecture-ov"}},
    {"malware-result", {"malware-result-ov"}},
    {"identity-class", {"identity-class-ov"}},
    {"indicator-types", {"indicator-type-ov"}},
    {"industry-sector", {"industry-sector-ov"}},
    {"malware-types", {"malware-type-ov"}},
    {"report-types", {"report-type-ov"}},
    {"threat-actor-types", {"threat-actor-type-ov"}},
    {"threat-actor-role", {"threat-actor-role-ov"}},
    {"threat-actor-sophistication", {"threat-actor-sophistication-ov"}},
    {"tool-types", {"tool-type-ov"}},
    {"region", {"region-ov"}},
    {"hash-algo", {"hash-algorithm-ov"}},
    {"windows-pebinary-type", {"windows-pebinary-type-ov"}},
    {"account-type", {"account-type-ov"}},
    {"indicator-pattern-types", {"pattern-type-ov"}},
    {"indicator-label", {"indicator-label-ov"}},
    {"malware-label", {"malware-label-ov"}},
    {"report-label", {"report-label-ov"}},
    {"threat-actor-label", {"threat-actor-label-ov"}},
    {"tool-label", {"tool-label-ov"}},
    {"encryption-algo", {"encryption-algorithm-ov"}},
    {"mime-type", {"mime-type"}},
    {"protocols", {"protocol"}},
    {"ipfix", {"ipfix"}},
    {"http-request-headers", {"http-request-header"}},
    {"socket-options", {"socket-option"}},
    {"pdf-doc-info", {"pdf-info-key"}},
    {"countries", {"country"}},
    {"network-traffic-ports", {"network-traffic-ports"}},
    {"extref-hashes", {"external-reference-hash"}},
    {"indicator-properties", {"indicator-name"}},
    {"deprecated-properties", {"deprecated"}},
    {"extension-description", {"extension-description"}},
    {"extension-properties", {"extension-properties"}},
    {"extensions-use", {"extension-use"}},
};

// Check groups of the reference validator (its --disable/--enable codes).
const std::map<std::string, std::vector<std::string>> kGroups = {
    {"format-checks",
     {"custom-prefix", "custom-prefix-lax", "uuid-check", "open-vocab-format", "kill-chain-names",
      "observable-object-keys", "observable-dictionary-keys", "malware-analysis-product",
      "windows-process-priority-format", "hash-length"}},
    {"all-vocabs",
     {"attack-motivation",
      "attack-resource-level",
      "grouping-context",
      "implementation-languages",
      "infrastructure-types",
      "malware-capabilities",
      "processor-architecture",
      "malware-result",
      "identity-class",
      "indicator-types",
      "industry-sector",
      "malware-types",
      "report-types",
      "threat-actor-types",
      "threat-actor-role",
      "threat-actor-sophistication",
      "tool-types",
      "region",
      "hash-algo",
      "windows-pebinary-type",
      "account-type",
      "indicator-pattern-types",
      "indicator-label",
      "malware-label",
      "report-label",
      "threat-actor-label",
      "tool-label",
      "encryption-algo"}},
    {"all-external-sources",
     {"mime-type", "protocols", "ipfix", "http-request-headers", "socket-options", "pdf-doc-info",
      "countries"}},
};

bool Has(const std::set<std::string>& s, const std::string& k) { return s.count(k) > 0; }

// The reference validator's list_shoulds(): which SHOULD checks run, for
// STIX 2.1 (v21/shoulds.py) and 2.0 (v20/shoulds.py) content.
std::set<std::string> EnabledChecks(bool v20, const std::set<std::string>& disabled,
                                    const std::set<std::string>& enabled) {
  std::set<std::string> on;
  auto add_all = [&](const std::string& group) {
    for (const std::string& c : kGroups.at(group)) on.insert(c);
  };
  if (disabled.empty() && enabled.empty()) {
    for (const auto& [check, rules] : kCheckRules) on.insert(check);
    on.erase("custom-prefix-lax");
    if (v20) {
      on.erase("uuid-check");
      on.erase("malware-analysis-product");
      on.erase("countries");
      on.erase("indicator-properties");
      on.erase("deprecated-properties");
      on.erase("extension-description");
      on.erase("extension-properties");
      on.erase("extensions-use");
    } else {
      // STIX 2.1 runs the custom prefix checks only when extensions-use is
      // disabled.
      on.erase("custom-prefix");
    }
    return on;
  }
  if (!disabled.empty() && !Has(disabled, "all")) {
    if (!Has(disabled, "format-checks")) {
      if (v20) {
        if (!Has(disabled, "custom-prefix")) {
          on.insert("custom-prefix");
        } else if (!Has(disabled, "custom-prefix-lax")) {
          on.insert("custom-prefix-lax");
        }
      }
      for (const char* c : {"open-vocab-format", "kill-chain-names", "observable-object-keys",
                            "observable-dictionary-keys", "malware-analysis-product",
                            "windows-process-priority-format", "hash-length"}) {
        if (!Has(disabled, c) && !(v20 && std::string(c) == "malware-analysis-product")) {
          on.insert(c);
        }
      }
    }
    if (!Has(disabled, "approved-values")) {
      for (const char* c : {"marking-definition-type", "relationship-types", "duplicate-ids"}) {
        if (!Has(disabled, c)) on.insert(c);
      }
      if (!Has(disabled, "all-vocabs")) {
        for (const std::string& c : kGroups.at("all-vocabs")) {
          if (!Has(disabled, c)) on.insert(c);
        }
      }
      if (!Has(disabled, "all-external-sources")) {
        for (const std::string& c : kGroups.at("all-external-sources")) {
          if (!Has(disabled, c) && !(v20 && c == "countries")) on.insert(c);
        }
      }
    }
    for (const char* c : {"network-traffic-ports", "extref-hashes"}) {
      if (!Has(disabled, c)) on.insert(c);
    }
    if (!v20) {
      for (const char* c : {"indicator-properties", "deprecated-properties"}) {
        if (!Has(disabled, c)) on.insert(c);
      }
      if (!Has(disabled, "extensions-use")) {
        on.insert("extensions-use");
      } else if (!Has(disabled, "format-checks")) {
        if (!Has(disabled, "custom-prefix")) {
          on.insert("custom-prefix");
        } else if (!Has(disabled, "custom-prefix-lax")) {
          on.insert("custom-prefix-lax");
        }
      }
    }
  }
  for (const std::string& e : enabled) {
    if (kGroups.count(e)) {
      add_all(e);
    } else {
      on.insert(e);
    }
  }
  return on;
}

std::set<std::string> ListOption(const json::value* v) {
  std::set<std::string> out;
  if (!v) return out;
  if (v->is_array()) {
    for (const json::value& e : v->get_array()) out.insert(std::string(e.get_string()));
  } else if (v->is_string()) {
    std::string s(v->get_string());
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) {
      if (!item.empty()) out.insert(item);
    }
  }
  return out;
}

struct Verdict {
  bool valid = true;
  std::string reason;  // first error or counted warning
};

struct Deviation {
  std::string rule;
  std::string property;
  std::string clause;
  std::string reason;
  int cases = 0;  // how many cases it set an error aside for
  bool hit = false;
};

struct CaseRunner {
  ValidateOptions options;
  bool strict = false;
  std::set<std::string> strict_rules;  // our rule names whose warnings count as errors
  std::vector<Deviation>* deviations = nullptr;

  bool SetAside(const Diagnostic& d) {
    if (d.severity != Diagnostic::Severity::kError) return false;
    for (Deviation& dev : *deviations) {
      if (dev.rule == d.rule && dev.property == d.property) {
        dev.hit = true;
        return true;
      }
    }
    return false;
  }

  void Judge(const std::vector<Diagnostic>& diags, Verdict* v) {
    for (const Diagnostic& d : diags) {
      if (SetAside(d)) continue;
      bool counts =
          d.severity == Diagnostic::Severity::kError || (strict && strict_rules.count(d.rule) > 0);
      if (counts && v->valid) {
        v->valid = false;
        v->reason = d.ToString();
      }
    }
  }

  void One(const json::value& input, Verdict* v) {
    if (!input.is_object()) {
      v->valid = false;
      v->reason = "not a JSON object";
      return;
    }
    const json::object& o = input.get_object();
    std::vector<Diagnostic> diags;
    const json::value* type = o.if_contains("type");
    if (type && type->is_string() && type->get_string() == "bundle") {
      ValidateOptions bundle_options = options;
      // The reference validator treats objects of a bundle like the STIX
      // 2.1 rule does: without spec_version an SDO is 2.0 (validator.py
      // find_version), unless a version is forced.
      if (bundle_options.default_spec_version != "2.0") bundle_options.default_spec_version = "";
      (void)ValidateBundle(o, bundle_options, &diags);
    } else {
      (void)ValidateObject(o, options, &diags);
    }
    Judge(diags, v);
  }
};

struct Exclusion {
  std::string source_test;
  std::string clause;
  std::string reason;
};

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

void LoadExclusions(std::map<int, Exclusion>* cases, std::vector<Deviation>* deviations) {
  std::ifstream in(kExclusionsPath);
  ASSERT_TRUE(in.good()) << "missing " << kExclusionsPath;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> parts = SplitRecord(line);
    if (parts[0] == "example") continue;  // corpus_test.cc reads these
    ASSERT_EQ(parts.size(), 5u) << "bad exclusion record: " << line;
    EXPECT_FALSE(parts[3].empty()) << "record without a spec clause: " << line;
    EXPECT_FALSE(parts[4].empty()) << "record without a reason: " << line;
    if (parts[0] == "case") {
      (*cases)[std::stoi(parts[1])] = Exclusion{parts[2], parts[3], parts[4]};
    } else if (parts[0] == "deviation") {
      deviations->push_back(Deviation{parts[1], parts[2], parts[3], parts[4], 0, false});
    } else {
      ADD_FAILURE() << "unknown record kind: " << line;
    }
  }
}

TEST(ValidatorCasesTest, EveryCaseAgreesWithTheReferenceOrIsExcluded) {
  std::ifstream in(kCasesPath);
  ASSERT_TRUE(in.good()) << "missing " << kCasesPath;
  std::map<int, Exclusion> exclusions;
  std::vector<Deviation> deviations;
  LoadExclusions(&exclusions, &deviations);
  std::string line;
  int number = 0, agree = 0, excluded = 0, disagree = 0;
  std::set<int> used_exclusions;
  while (std::getline(in, line)) {
    ++number;
    json::value c = json::parse(line);
    const json::object& co = c.get_object();
    bool expected = co.at("expected_valid").as_bool();
    std::string source_test(co.at("source_test").as_string());

    CaseRunner runner;
    runner.deviations = &deviations;
    const json::value* opt_v = co.if_contains("options");
    const json::object empty;
    const json::object& opt = opt_v && opt_v->is_object() ? opt_v->get_object() : empty;
    std::string version;
    if (const json::value* v = opt.if_contains("version"); v && v->is_string()) {
      version = std::string(v->get_string());
    }
    bool v20 = version == "2.0";
    runner.options.default_spec_version = v20 ? "2.0" : "2.1";
    auto flag = [&](const char* name) {
      const json::value* v = opt.if_contains(name);
      return v && v->is_bool() && v->get_bool();
    };
    runner.strict = flag("strict");
    runner.options.allow_custom_objects = !flag("strict_types");
    runner.options.allow_custom_properties = !flag("strict_properties");
    for (const std::string& check : EnabledChecks(v20, ListOption(opt.if_contains("disabled")),
                                                  ListOption(opt.if_contains("enabled")))) {
      auto it = kCheckRules.find(check);
      if (it == kCheckRules.end()) continue;
      for (const std::string& rule : it->second) runner.strict_rules.insert(rule);
    }

    Verdict verdict;
    const json::value& input = co.at("input");
    if (co.at("input_is_string").as_bool()) {
      Result<json::value> parsed = ParseJson(input.as_string());
      if (!parsed.ok()) {
        verdict.valid = false;
        verdict.reason = parsed.error().message();
      } else if (parsed->is_array()) {
        for (const json::value& e : parsed->get_array()) runner.One(e, &verdict);
      } else {
        runner.One(*parsed, &verdict);
      }
    } else if (input.is_array()) {
      for (const json::value& e : input.get_array()) runner.One(e, &verdict);
    } else {
      runner.One(input, &verdict);
    }

    for (Deviation& d : deviations) {
      if (d.hit) ++d.cases;
      d.hit = false;
    }
    auto ex = exclusions.find(number);
    if (ex != exclusions.end()) {
      used_exclusions.insert(number);
      EXPECT_EQ(ex->second.source_test, source_test)
          << "exclusion for line " << number << " names another case";
      EXPECT_NE(verdict.valid, expected)
          << "line " << number << " (" << source_test
          << ") is excluded but now agrees with the reference; drop the exclusion";
      ++excluded;
      continue;
    }
    if (verdict.valid == expected) {
      ++agree;
      continue;
    }
    ++disagree;
    std::string ref_errors;
    for (const json::value& e : co.at("reference_errors").as_array()) {
      ref_errors += "\n    ref: ";
      ref_errors += std::string(e.as_string()).substr(0, 300);
    }
    ADD_FAILURE() << "line " << number << " " << source_test << ": expected "
                  << (expected ? "valid" : "invalid") << ", got "
                  << (verdict.valid ? "valid" : "invalid: " + verdict.reason) << ref_errors;
  }
  EXPECT_EQ(number, 919) << "the case file changed";
  for (const Deviation& d : deviations) {
    EXPECT_GT(d.cases, 0) << "deviation " << d.rule << " on " << d.property
                          << " sets nothing aside; drop it";
  }
  for (const auto& [n, ex] : exclusions) {
    EXPECT_TRUE(used_exclusions.count(n)) << "exclusion for a missing line " << n;
  }
  std::cout << "validator cases: " << number << " total, " << agree << " agree, " << excluded
            << " excluded, " << disagree << " disagree\n";
}

}  // namespace
}  // namespace kizuna::stix
