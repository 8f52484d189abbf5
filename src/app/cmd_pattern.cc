// `kizuna pattern check|eval`: owned by the patterning work (src/pattern).
//
//   kizuna pattern check [--spec-version 2.0|2.1] [--strict] [PATTERN...]
//     Validates each PATTERN, or each line of stdin when none is given, and
//     prints one line per pattern, in order: "ok" or "error: L:C: message".
//     Warnings go to stderr ("warning: pattern N: L:C: message"). Exit
//     status 1 when any pattern is invalid.
//
//   kizuna pattern eval [--max-steps N]
//     Reads JSON lines {"pattern": "...", "observed_data": [...],
//     "spec_version": "2.0"|"2.1"} on stdin and writes one JSON line per
//     input line: {"match": bool, "matched": [ids], "error": null|"..."}.
//     Blank lines are skipped. Exit status 1 when any line had an error.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "app/commands.h"
#include "pattern/evaluator.h"
#include "pattern/observation.h"
#include "pattern/validator.h"

namespace kizuna::app {

namespace {

namespace json = boost::json;
using pattern::SpecVersion;

bool ReadLine(std::istream& in, std::string* line) {
  if (!std::getline(in, *line)) return false;
  if (!line->empty() && line->back() == '\r') line->pop_back();
  return true;
}

int RunCheck(const std::string& version, bool strict, const std::vector<std::string>& args) {
  pattern::CheckOptions opts;
  opts.spec_version = version == "2.0" ? SpecVersion::k20 : SpecVersion::k21;
  opts.strict = strict;
  int status = 0;
  size_t n = 0;
  auto check_one = [&](const std::string& text) {
    ++n;
    pattern::CheckResult r = pattern::Check(text, opts);
    for (const pattern::Diagnostic& d : r.diagnostics) {
      if (d.severity == pattern::Severity::kWarning) {
        std::cerr << "warning: pattern " << n << ": " << d.ToString() << "\n";
      }
    }
    if (const pattern::Diagnostic* e = r.FirstError()) {
      std::cout << "error: " << e->ToString() << "\n";
      status = 1;
    } else {
      std::cout << "ok\n";
    }
  };
  if (!args.empty()) {
    for (const std::string& a : args) check_one(a);
  } else {
    std::string line;
    while (ReadLine(std::cin, &line)) check_one(line);
  }
  std::cout.flush();
  return status;
}

// Evaluates one input line; returns the output object.
json::object EvalLine(std::string_view line, uint64_t max_steps, bool* failed) {
  json::object out;
  out["match"] = false;
  out["matched"] = json::array();
  out["error"] = nullptr;
  auto fail = [&](std::string msg) {
    out["error"] = msg;
    *failed = true;
    return out;
  };
  std::error_code ec;
  json::value input = json::parse(line, ec);
  if (ec) return fail("the line is not valid JSON: " + ec.message());
  if (!input.is_object()) return fail("the line is not a JSON object");
  const json::object& o = input.get_object();
  auto pit = o.find("pattern");
  if (pit == o.end() || !pit->value().is_string()) return fail("\"pattern\" must be a string");
  SpecVersion version = SpecVersion::k21;
  if (auto vit = o.find("spec_version"); vit != o.end() && !vit->value().is_null()) {
    if (!vit->value().is_string()) return fail("\"spec_version\" must be \"2.0\" or \"2.1\"");
    std::string_view v(vit->value().get_string());
    if (v == "2.0") {
      version = SpecVersion::k20;
    } else if (v != "2.1") {
      return fail("\"spec_version\" must be \"2.0\" or \"2.1\"");
    }
  }
  auto dit = o.find("observed_data");
  if (dit == o.end() || !dit->value().is_array()) {
    return fail("\"observed_data\" must be a list of observed-data objects or bundles");
  }
  pattern::CheckOptions co;
  co.spec_version = version;
  pattern::CheckResult check = pattern::Check(std::string_view(pit->value().get_string()), co);
  if (const pattern::Diagnostic* e = check.FirstError()) {
    return fail("invalid pattern: " + e->ToString());
  }
  auto set = pattern::ObservationSet::Build(dit->value().get_array(), version);
  if (!set.ok()) return fail(set.error().message());
  pattern::EvalOptions eo;
  eo.max_steps = max_steps;
  auto r = pattern::Evaluate(*check.pattern, *set, eo);
  if (!r.ok()) return fail(r.error().message());
  out["match"] = r->matched;
  json::array ids;
  for (size_t i : r->observations) {
    std::string_view id = set->observations()[i].id;
    if (id.empty()) {
      ids.emplace_back(nullptr);  // an observed-data without an id (2.0 test data)
    } else {
      ids.emplace_back(json::string(id));
    }
  }
  out["matched"] = std::move(ids);
  return out;
}

int RunEval(uint64_t max_steps) {
  int status = 0;
  std::string line;
  while (ReadLine(std::cin, &line)) {
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    bool failed = false;
    json::object out = EvalLine(line, max_steps, &failed);
    if (failed) status = 1;
    std::cout << json::serialize(out) << "\n";
  }
  std::cout.flush();
  return status;
}

}  // namespace

void AddPatternCommands(CLI::App& root, int* exit_code) {
  auto* pattern = root.add_subcommand("pattern", "STIX patterning: check and evaluate patterns");
  pattern->require_subcommand(1);

  auto* check = pattern->add_subcommand(
      "check",
      "Validate patterns given as arguments, or one per line on stdin; prints 'ok' or the error "
      "for each, one line each, in order; exit status 1 if any is invalid");
  auto version = std::make_shared<std::string>("2.1");
  auto strict = std::make_shared<bool>(false);
  check->add_option("--spec-version", *version, "STIX version whose rules apply")
      ->check(CLI::IsMember({"2.0", "2.1"}));
  check->add_flag("--strict", *strict,
                  "Treat warnings (unknown object types, properties) as errors");
  // Patterns are taken as extra arguments, verbatim: a CLI11 positional
  // option would read "[a, b]" as a list and strip the brackets.
  check->allow_extras();
  check->footer("PATTERN...  patterns to check (default: one per line on stdin)");
  check->callback([=]() { *exit_code = RunCheck(*version, *strict, check->remaining()); });

  auto* eval = pattern->add_subcommand(
      "eval",
      "Evaluate JSON lines {\"pattern\", \"observed_data\", \"spec_version\"} from stdin; writes "
      "{\"match\", \"matched\", \"error\"} per line");
  auto max_steps = std::make_shared<uint64_t>(pattern::EvalOptions{}.max_steps);
  eval->add_option("--max-steps", *max_steps,
                   "Combinatorial limit: candidate bindings tried before giving up");
  eval->callback([=]() { *exit_code = RunEval(*max_steps); });
}

}  // namespace kizuna::app
