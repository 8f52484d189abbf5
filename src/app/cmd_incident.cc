// `kizuna incident ...`: the CLI of the coordination API (issue 11,
// docs/coordination.md). Each command is one request to the hub's
// /coordination/v1/{api-root}/ as an account of the hub (--hub API_ROOT_URL
// --user U --password-file F, or --token-file F), printing a short text or,
// with --json, the API's JSON answer. Exit status: 0 done, 1 refused by the
// hub or unreachable, 2 a usage error.

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "app/store_flags.h"
#include "core/time.h"
#include "core/uuid.h"
#include "export/formats.h"
#include "http/client.h"
#include "http/url.h"
#include "stix/markings.h"

namespace kizuna::app {
namespace {

namespace json = boost::json;

struct HubFlags {
  std::string hub, user, password_file, token_file, ca_file;
  bool insecure = false;
  bool as_json = false;
};

void AddHubFlags(CLI::App* cmd, HubFlags* f) {
  cmd->add_option("--hub", f->hub, "the hub's TAXII API root URL (https://hub/api1/)")->required();
  cmd->add_option("--user", f->user, "hub account (HTTP Basic)");
  cmd->add_option("--password-file", f->password_file, "file holding the account's password");
  cmd->add_option("--token-file", f->token_file, "file holding an API token (Bearer)");
  cmd->add_option("--ca-file", f->ca_file, "CA certificates (PEM) for an https hub");
  cmd->add_flag("--insecure", f->insecure, "do not verify the hub's certificate (tests only)");
  cmd->add_flag("--json", f->as_json, "print the hub's JSON answer");
}

// The coordination base URL of an API root URL: scheme://host:port/coordination/v1/{root}/.
Result<std::string> CoordinationBase(const std::string& api_root_url) {
  auto u = http::ParseHttpUrl(api_root_url);
  if (!u.ok()) return InvalidArgument("--hub: " + u.error().message());
  std::string path = u->target;
  if (size_t q = path.find('?'); q != std::string::npos) path.resize(q);
  while (!path.empty() && path.back() == '/') path.pop_back();
  size_t slash = path.rfind('/');
  std::string root = slash == std::string::npos ? path : path.substr(slash + 1);
  if (root.empty() || root == "taxii2") {
    return InvalidArgument("--hub must be an API root URL, such as https://hub.example/api1/");
  }
  std::string origin = api_root_url.substr(0, api_root_url.find('/', api_root_url.find("//") + 2));
  return origin + "/coordination/v1/" + root + "/";
}

// One request; the parsed JSON answer, or the hub's error as a Status.
Result<json::value> Call(const HubFlags& f, const std::string& method, const std::string& path,
                         const json::value* body = nullptr) {
  ASSIGN_OR_RETURN(std::string base, CoordinationBase(f.hub));
  ASSIGN_OR_RETURN(std::string authorization, ClientAuthorization(f.user, f.password_file, f.token_file));
  std::vector<http::Header> headers = {{"accept", "application/json"}, {"authorization", std::move(authorization)}};
  std::string text;
  if (body != nullptr) {
    headers.push_back({"content-type", "application/json"});
    text = json::serialize(*body);
  }
  http::ClientOptions o;
  o.ca_file = f.ca_file;
  o.insecure_skip_verify = f.insecure;
  http::Client client(o);
  auto r = client.Send(method, base + path, headers, text);
  if (!r.ok()) return r.error();
  json::value answer;
  try {
    answer = json::parse(r->body);
  } catch (const std::exception&) {
    return Unavailable("the hub answered " + std::to_string(r->status) + " without JSON");
  }
  if (r->status >= 400) {
    std::string why = answer.is_object() && answer.as_object().contains("description") &&
                              answer.at("description").is_string()
                          ? std::string(answer.at("description").as_string())
                          : r->body;
    std::string msg = "the hub refused (" + std::to_string(r->status) + "): " + why;
    if (r->status == 404) return NotFound(msg);
    if (r->status == 401) return Unauthenticated(msg);
    if (r->status == 403) return PermissionDenied(msg);
    if (r->status < 500) return FailedPrecondition(msg);
    return Unavailable(msg);
  }
  return answer;
}

std::string S(const json::value& v, std::string_view key) {
  if (!v.is_object()) return "";
  const json::value* x = v.as_object().if_contains(key);
  if (x == nullptr) return "";
  if (x->is_string()) return std::string(x->as_string());
  if (x->is_int64()) return std::to_string(x->as_int64());
  return "";
}

// Runs one call and prints its answer: --json as is, else `text(answer)`.
int Run(const HubFlags& f, const std::string& method, const std::string& path,
        const json::value* body, const std::function<void(const json::value&)>& text) {
  auto r = Call(f, method, path, body);
  if (!r.ok()) {
    // Usage errors exit 2; whatever the hub or the network refused exits 1.
    if (r.error().code() == StatusCode::kInvalidArgument) return Fail(r.error());
    std::fprintf(stderr, "kizuna: %s\n", r.error().message().c_str());
    return 1;
  }
  if (f.as_json) {
    std::printf("%s\n", json::serialize(*r).c_str());
  } else {
    text(*r);
  }
  return 0;
}

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

// A MISP event of an incident's show (what the hub released to the
// caller): the incident's name, date, TLP and determination as tags, its
// priority as the threat level, its status as the analysis state, the linked
// indicators' values as attributes (the frontline exporter's MISP form), and
// its tasks and events as comment attributes.
json::value MispEventOf(const json::value& show) {
  const json::object& incident = show.at("incident").as_object();
  exports::ExportOptions eo;
  eo.format = exports::Format::kMisp;
  eo.now_us = SystemClock::Get().NowMicros();
  eo.source = S(show, "name");
  exports::Exporter exporter(eo);
  for (const auto& l : show.at("links").as_array()) exporter.Add(json::serialize(l));
  std::string out = exporter.Finish();
  json::array attributes;
  if (!out.empty()) {
    boost::system::error_code ec;
    json::value v = json::parse(out, ec);
    if (!ec && v.is_object()) attributes = v.at("Event").at("Attribute").as_array();
  }
  auto comment = [&](const std::string& text) {
    attributes.push_back(json::object{{"type", "comment"}, {"category", "Other"}, {"value", text},
                                      {"to_ids", false}, {"uuid", NewUuidV4()}});
  };
  for (const auto& t : show.at("tasks").as_array()) {
    std::string line = "task: " + S(t, "name") + " - " + S(t, "outcome") + " (" +
                       S(t.at("assignee"), "name") + ")";
    comment(line);
  }
  for (const auto& e : show.at("events").as_array()) {
    comment("event: " + (S(e, "name").empty() ? S(e, "description") : S(e, "name")) + " - " +
            S(e, "status"));
  }
  const std::string level = S(show.at("priority"), "level");
  const char* threat = level == "emergency" || level == "severe" ? "1"
                       : level == "high" || level == "medium"    ? "2"
                       : level == "low"                          ? "3"
                                                                 : "4";
  json::array tags;
  for (const auto& m : stix::ObjectMarkingRefs(incident)) {
    std::string_view name = stix::TlpName(stix::TlpOfMarkingRef(m));
    if (name.empty()) continue;
    std::string t;
    for (char ch : name) t += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    tags.push_back(json::object{{"name", t}});
  }
  if (!S(show, "determination").empty()) {
    tags.push_back(json::object{{"name", "kizuna:determination=\"" + S(show, "determination") + "\""}});
  }
  std::string uuid = S(show, "id");
  if (size_t sep = uuid.find("--"); sep != std::string::npos) uuid = uuid.substr(sep + 2);
  json::object event{{"info", S(show, "name")},
                     {"date", S(show, "created").substr(0, 10)},
                     {"threat_level_id", threat},
                     {"analysis", S(show, "status") == "closed" ? "2" : "1"},
                     {"distribution", "0"},
                     {"published", false},
                     {"uuid", uuid},
                     {"Attribute", std::move(attributes)}};
  if (!tags.empty()) event["Tag"] = std::move(tags);
  return json::object{{"Event", std::move(event)}};
}

// A show's page of `name` (events, notes), after a line saying how many
// more there are when the page does not hold them all.
const json::array& Page(const json::value& show, const std::string& name) {
  const json::array& list = show.at(name).as_array();
  if (const json::value* total = show.as_object().if_contains(name + "_total");
      total && total->is_int64() && total->as_int64() > static_cast<int64_t>(list.size())) {
    std::printf("  (the latest %zu of %lld %s; --%s N for more)\n", list.size(),
                static_cast<long long>(total->as_int64()), name.c_str(), name.c_str());
  }
  return list;
}

void PrintShow(const json::value& v) {
  std::printf("%s  %s\n", S(v, "id").c_str(), S(v, "name").c_str());
  const json::value& owner = v.at("owner");
  std::printf("  status %s, determination %s, criticality %s, owner %s (%s)\n", S(v, "status").c_str(),
              S(v, "determination").c_str(), S(v, "criticality").empty() ? "-" : S(v, "criticality").c_str(),
              S(owner, "name").c_str(), S(owner, "nation").c_str());
  const json::value& p = v.at("priority");
  std::printf("  priority %s (%s)\n", S(p, "score").c_str(), S(p, "level").c_str());
  if (const json::value* h = v.as_object().if_contains("handover_to")) {
    std::printf("  offered to %s\n", S(*h, "name").c_str());
  }
  if (const json::value* h = v.as_object().if_contains("handed_to")) {
    std::printf("  handed over: now %s\n", S(*h, "incident").c_str());
  }
  if (!S(v, "derived_from").empty()) std::printf("  taken over from %s\n", S(v, "derived_from").c_str());
  const json::value& c = v.at("correlation");
  if (!c.at("incidents").as_array().empty() || S(c, "sightings") != "0") {
    std::string nations, sectors;
    for (const auto& n : c.at("nations").as_array()) nations += (nations.empty() ? "" : ", ") + std::string(n.as_string());
    for (const auto& x : c.at("sectors").as_array()) sectors += (sectors.empty() ? "" : ", ") + std::string(x.as_string());
    std::printf("  correlated: %zu other incident(s), %s sighting(s), %s organization(s); sectors %s; nations %s\n",
                c.at("incidents").as_array().size(), S(c, "sightings").c_str(),
                S(c, "organization_count").c_str(), sectors.c_str(), nations.c_str());
  }
  for (const auto& t : v.at("tasks").as_array()) {
    std::string who = S(t.at("assignee"), "name");
    if (!S(t, "assignee_account").empty()) who += " / " + S(t, "assignee_account");
    std::string last;
    if (const json::value* lc = t.as_object().if_contains("last_change")) {
      last = ", last changed by " + S(*lc, "author") + " at " + S(*lc, "at");
    }
    std::printf("  task %s  %s: %s%s%s\n", S(t, "id").c_str(), S(t, "name").c_str(),
                S(t, "outcome").c_str(),
                S(t, "progress").empty() ? "" : (" " + S(t, "progress") + "%").c_str(),
                (", assigned to " + who + last).c_str());
  }
  for (const auto& e : Page(v, "events")) {
    std::printf("  event %s  %s %s\n", S(e, "id").c_str(), S(e, "status").c_str(),
                (S(e, "name").empty() ? S(e, "description") : S(e, "name")).c_str());
  }
  for (const auto& i : v.at("impacts").as_array()) {
    std::string sup = S(i, "superseded_by_ref");
    std::printf("  impact %s  %s%s%s%s\n", S(i, "id").c_str(), S(i, "impact_category").c_str(),
                S(i, "criticality").empty() ? "" : (", criticality " + S(i, "criticality")).c_str(),
                S(i, "description").empty() ? "" : (": " + S(i, "description")).c_str(),
                sup.empty() ? "" : ("  (superseded by " + sup + ")").c_str());
  }
  for (const auto& l : v.at("links").as_array()) {
    std::printf("  linked %s  %s\n", S(l, "id").c_str(), S(l, "name").c_str());
  }
  for (const auto& n : Page(v, "notes")) {
    std::printf("  note %s  %s\n", S(n, "id").c_str(), S(n, "content").c_str());
  }
  if (const json::value* ops = v.as_object().if_contains("opinions")) {
    for (const auto& o : ops->as_array()) {
      std::printf("  opinion %s  %s%s\n", S(o, "id").c_str(), S(o, "opinion").c_str(),
                  S(o, "explanation").empty() ? "" : (": " + S(o, "explanation")).c_str());
    }
  }
}

}  // namespace

void AddIncidentCommands(CLI::App& root, int* exit_code) {
  auto* inc = root.add_subcommand("incident", "coordinate incidents across hubs (STIX Incident Core)");
  inc->require_subcommand(1);

  {  // open
    auto* c = inc->add_subcommand("open", "open an incident in a collection; prints its id");
    auto f = std::make_shared<HubFlags>();
    struct O {
      std::string collection, name, description, determination = "suspected", marking = "amber";
      int criticality = -1;
      std::vector<std::string> types, sectors, audience, audience_accounts;
    };
    auto o = std::make_shared<O>();
    AddHubFlags(c, f.get());
    c->add_option("--collection", o->collection, "collection id or alias")->required();
    c->add_option("--name", o->name, "the incident's name")->required();
    c->add_option("--description", o->description, "what happened");
    c->add_option("--criticality", o->criticality, "0-100")->check(CLI::Range(0, 100));
    c->add_option("--determination", o->determination,
                  "blocked, confirmed, failed-attempt, false-positive, suspected (default), "
                  "low-value, successful-attempt");
    c->add_option("--incident-type", o->types, "an incident type (repeatable)");
    c->add_option("--sector", o->sectors, "a Kizuna sector code affected (repeatable)");
    c->add_option("--marking", o->marking, "clear, green, amber (default), amber+strict, red");
    c->add_option("--audience", o->audience, "an organization (name or identity id) that may read it (repeatable)");
    c->add_option("--audience-account", o->audience_accounts,
                  "an account (user or user@hub) that may read it (repeatable; TLP:RED needs one)");
    c->callback([f, o, exit_code] {
      json::object b{{"collection", o->collection}, {"name", o->name},
                     {"determination", o->determination}, {"marking", o->marking}};
      if (!o->description.empty()) b["description"] = o->description;
      if (o->criticality >= 0) b["criticality"] = o->criticality;
      if (!o->types.empty()) b["incident_types"] = Strings(o->types);
      if (!o->sectors.empty()) b["sectors"] = Strings(o->sectors);
      if (!o->audience.empty()) b["audience"] = Strings(o->audience);
      if (!o->audience_accounts.empty()) b["audience_accounts"] = Strings(o->audience_accounts);
      json::value body = b;
      *exit_code = Run(*f, "POST", "incidents", &body,
                       [](const json::value& v) { std::printf("%s\n", S(v, "id").c_str()); });
    });
  }
  {  // list
    auto* c = inc->add_subcommand("list", "list the incidents you may see, most recently changed first");
    auto f = std::make_shared<HubFlags>();
    auto q = std::make_shared<std::map<std::string, std::string>>();
    AddHubFlags(c, f.get());
    for (const char* k : {"status", "sector", "nation", "organization", "since", "priority", "limit"}) {
      c->add_option(std::string("--") + k, (*q)[k], std::string("filter: ") + k);
    }
    c->callback([f, q, exit_code] {
      std::string query;
      for (const auto& [k, v] : *q) {
        if (v.empty()) continue;
        std::string enc;
        for (unsigned char ch : v) {
          if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
            enc += static_cast<char>(ch);
          } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", ch);
            enc += buf;
          }
        }
        query += (query.empty() ? "?" : "&") + k + "=" + enc;
      }
      *exit_code = Run(*f, "GET", "incidents" + query, nullptr, [](const json::value& v) {
        for (const auto& i : v.at("incidents").as_array()) {
          const json::value& p = i.at("priority");
          std::printf("%s  %-6s  %3s %-9s  %s  (%s, %s)\n", S(i, "id").c_str(), S(i, "status").c_str(),
                      S(p, "score").c_str(), S(p, "level").c_str(), S(i, "name").c_str(),
                      S(i.at("owner"), "name").c_str(), S(i, "modified").c_str());
        }
        std::printf("%s incident(s)\n", S(v, "total").c_str());
      });
    });
  }
  {  // show
    auto* c = inc->add_subcommand("show", "an incident with its tasks, events, impacts, links and notes");
    auto f = std::make_shared<HubFlags>();
    auto id = std::make_shared<std::string>();
    AddHubFlags(c, f.get());
    auto notes = std::make_shared<int>(-1);
    auto events = std::make_shared<int>(-1);
    c->add_option("id", *id, "incident id")->required();
    c->add_option("--notes", *notes, "how many of the latest notes and opinions to list (default 100)")
        ->check(CLI::Range(0, 10000));
    c->add_option("--events", *events, "how many of the latest events to list (default 100)")
        ->check(CLI::Range(0, 10000));
    c->callback([f, id, notes, events, exit_code] {
      std::string path = "incidents/" + *id;
      std::string sep = "?";
      if (*notes >= 0) {
        path += sep + "notes=" + std::to_string(*notes);
        sep = "&";
      }
      if (*events >= 0) path += sep + "events=" + std::to_string(*events);
      *exit_code = Run(*f, "GET", path, nullptr, PrintShow);
    });
  }
  {  // update
    auto* c = inc->add_subcommand("update", "change an incident's status, determination or criticality");
    auto f = std::make_shared<HubFlags>();
    struct U {
      std::string id, status, determination;
      int criticality = -1;
    };
    auto u = std::make_shared<U>();
    AddHubFlags(c, f.get());
    c->add_option("id", u->id, "incident id")->required();
    c->add_option("--status", u->status, "new, open or closed");
    c->add_option("--determination", u->determination, "the determination");
    c->add_option("--criticality", u->criticality, "0-100")->check(CLI::Range(0, 100));
    c->callback([f, u, exit_code] {
      json::object b;
      if (!u->status.empty()) b["status"] = u->status;
      if (!u->determination.empty()) b["determination"] = u->determination;
      if (u->criticality >= 0) b["criticality"] = u->criticality;
      json::value body = b;
      *exit_code = Run(*f, "POST", "incidents/" + u->id + "/update", &body, [](const json::value& v) {
        std::printf("%s %s\n", S(v, "id").c_str(), S(v, "status").c_str());
      });
    });
  }
  {  // task add / task update
    auto* task = inc->add_subcommand("task", "tasks of an incident");
    task->require_subcommand(1);
    auto* add = task->add_subcommand("add", "assign a task to an organization or an account (user@hub)");
    auto f = std::make_shared<HubFlags>();
    struct T {
      std::string id, assignee, name, description, due;
      int priority = -1;
    };
    auto t = std::make_shared<T>();
    AddHubFlags(add, f.get());
    add->add_option("id", t->id, "incident id")->required();
    add->add_option("--assignee", t->assignee, "organization (name or id) or account user@hub")->required();
    add->add_option("--name", t->name, "what to do")->required();
    add->add_option("--description", t->description, "details");
    add->add_option("--priority", t->priority, "0-100")->check(CLI::Range(0, 100));
    add->add_option("--due", t->due, "RFC 3339 time the task is due");
    add->callback([f, t, exit_code] {
      json::object b{{"assignee", t->assignee}, {"name", t->name}};
      if (!t->description.empty()) b["description"] = t->description;
      if (t->priority >= 0) b["priority"] = t->priority;
      if (!t->due.empty()) b["due"] = t->due;
      json::value body = b;
      *exit_code = Run(*f, "POST", "incidents/" + t->id + "/tasks", &body,
                       [](const json::value& v) { std::printf("%s\n", S(v, "id").c_str()); });
    });
    auto* upd = task->add_subcommand("update", "report on a task (as its assignee or its owner)");
    auto g = std::make_shared<HubFlags>();
    struct TU {
      std::string id, outcome, note;
      int progress = -1;
    };
    auto tu = std::make_shared<TU>();
    AddHubFlags(upd, g.get());
    upd->add_option("id", tu->id, "task id")->required();
    upd->add_option("--outcome", tu->outcome, "pending, ongoing, successful, failed, cancelled")
        ->required();
    upd->add_option("--note", tu->note, "what was done");
    upd->add_option("--progress", tu->progress, "0-100")->check(CLI::Range(0, 100));
    upd->callback([g, tu, exit_code] {
      json::object b{{"outcome", tu->outcome}};
      if (!tu->note.empty()) b["note"] = tu->note;
      if (tu->progress >= 0) b["progress"] = tu->progress;
      json::value body = b;
      *exit_code = Run(*g, "POST", "tasks/" + tu->id + "/updates", &body,
                       [](const json::value& v) { std::printf("%s\n", S(v, "id").c_str()); });
    });
  }
  {  // event add
    auto* ev = inc->add_subcommand("event", "the incident's timeline");
    ev->require_subcommand(1);
    auto* add = ev->add_subcommand("add", "add an event to an incident's timeline");
    auto f = std::make_shared<HubFlags>();
    struct E {
      std::string id, name, description, status = "occurred", start, end;
      std::vector<std::string> types, sightings;
    };
    auto e = std::make_shared<E>();
    AddHubFlags(add, f.get());
    add->add_option("id", e->id, "incident id")->required();
    add->add_option("--name", e->name, "the event's name");
    add->add_option("--description", e->description, "what happened");
    add->add_option("--status", e->status, "ongoing, occurred (default), not-occurred, pending, undetermined");
    add->add_option("--type", e->types, "an event type (repeatable)");
    add->add_option("--start", e->start, "RFC 3339 start time");
    add->add_option("--end", e->end, "RFC 3339 end time");
    add->add_option("--sighting", e->sightings, "a sighting id (repeatable)");
    add->callback([f, e, exit_code] {
      json::object b{{"status", e->status}};
      if (!e->name.empty()) b["name"] = e->name;
      if (!e->description.empty()) b["description"] = e->description;
      if (!e->types.empty()) b["event_types"] = Strings(e->types);
      if (!e->start.empty()) b["start_time"] = e->start;
      if (!e->end.empty()) b["end_time"] = e->end;
      if (!e->sightings.empty()) b["sighting_refs"] = Strings(e->sightings);
      json::value body = b;
      *exit_code = Run(*f, "POST", "incidents/" + e->id + "/events", &body,
                       [](const json::value& v) { std::printf("%s\n", S(v, "id").c_str()); });
    });
  }
  {  // link
    auto* c = inc->add_subcommand("link", "link indicators, observed data, sightings, reports, actors ...");
    auto f = std::make_shared<HubFlags>();
    auto ids = std::make_shared<std::vector<std::string>>();
    AddHubFlags(c, f.get());
    c->add_option("ids", *ids, "incident id, then the object ids")->required()->expected(2, 1 << 20);
    c->callback([f, ids, exit_code] {
      json::value body = json::object{
          {"object_refs", Strings(std::vector<std::string>(ids->begin() + 1, ids->end()))}};
      *exit_code = Run(*f, "POST", "incidents/" + ids->front() + "/links", &body,
                       [](const json::value& v) {
                         for (const auto& r : v.at("relationships").as_array()) {
                           std::printf("%s\n", std::string(r.as_string()).c_str());
                         }
                       });
    });
  }
  {  // note
    auto* c = inc->add_subcommand("note", "add a note on an incident or its objects");
    auto f = std::make_shared<HubFlags>();
    struct N {
      std::string id, content;
      std::vector<std::string> objects;
    };
    auto n = std::make_shared<N>();
    AddHubFlags(c, f.get());
    c->add_option("id", n->id, "incident id")->required();
    c->add_option("--content", n->content, "the note")->required();
    c->add_option("--object", n->objects, "an object of the incident the note is about (repeatable)");
    c->callback([f, n, exit_code] {
      json::object b{{"content", n->content}};
      if (!n->objects.empty()) b["object_refs"] = Strings(n->objects);
      json::value body = b;
      *exit_code = Run(*f, "POST", "incidents/" + n->id + "/notes", &body,
                       [](const json::value& v) { std::printf("%s\n", S(v, "id").c_str()); });
    });
  }
  {  // impact add
    auto* im = inc->add_subcommand("impact", "the incident's impacts (superseded over time)");
    im->require_subcommand(1);
    auto* add = im->add_subcommand("add", "record an impact of an incident; prints its id");
    auto f = std::make_shared<HubFlags>();
    struct I {
      std::string id, category, description, recoverability, start, end, details, supersedes;
      int criticality = -1;
      std::vector<std::string> impacted;
    };
    auto i = std::make_shared<I>();
    AddHubFlags(add, f.get());
    add->add_option("id", i->id, "incident id")->required();
    add->add_option("--category", i->category,
                    "availability, confidentiality, external, integrity, monetary, physical, traceability")
        ->required();
    add->add_option("--description", i->description, "what the impact is");
    add->add_option("--criticality", i->criticality, "0-100")->check(CLI::Range(0, 100));
    add->add_option("--recoverability", i->recoverability,
                    "regular, supplemented, extended, not-recoverable, not-applicable");
    add->add_option("--start", i->start, "RFC 3339 start time (default: now)");
    add->add_option("--end", i->end, "RFC 3339 end time");
    add->add_option("--impacted", i->impacted, "an impacted object id (repeatable)");
    add->add_option("--details", i->details,
                    "the category's members as a JSON object, e.g. '{\"availability_impact\": 80}'");
    add->add_option("--supersedes", i->supersedes, "the impact of the incident this one replaces");
    add->callback([f, i, exit_code] {
      json::object b{{"category", i->category}};
      if (!i->description.empty()) b["description"] = i->description;
      if (i->criticality >= 0) b["criticality"] = i->criticality;
      if (!i->recoverability.empty()) b["recoverability"] = i->recoverability;
      if (!i->start.empty()) b["start_time"] = i->start;
      if (!i->end.empty()) b["end_time"] = i->end;
      if (!i->impacted.empty()) b["impacted_refs"] = Strings(i->impacted);
      if (!i->supersedes.empty()) b["supersedes"] = i->supersedes;
      if (!i->details.empty()) {
        boost::system::error_code ec;
        json::value d = json::parse(i->details, ec);
        if (ec || !d.is_object()) {
          std::fprintf(stderr, "kizuna incident impact add: --details: not a JSON object\n");
          *exit_code = 2;
          return;
        }
        b["details"] = std::move(d);
      }
      json::value body = b;
      *exit_code = Run(*f, "POST", "incidents/" + i->id + "/impacts", &body,
                       [](const json::value& v) { std::printf("%s\n", S(v, "id").c_str()); });
    });
  }
  {  // opinion
    auto* c = inc->add_subcommand("opinion", "give an opinion on an incident or its objects");
    auto f = std::make_shared<HubFlags>();
    struct O {
      std::string id, opinion, explanation;
      std::vector<std::string> objects;
    };
    auto o = std::make_shared<O>();
    AddHubFlags(c, f.get());
    c->add_option("id", o->id, "incident id")->required();
    c->add_option("--opinion", o->opinion, "strongly-disagree, disagree, neutral, agree, strongly-agree")
        ->required();
    c->add_option("--explanation", o->explanation, "why");
    c->add_option("--object", o->objects, "an object of the incident the opinion is about (repeatable)");
    c->callback([f, o, exit_code] {
      json::object b{{"opinion", o->opinion}};
      if (!o->explanation.empty()) b["explanation"] = o->explanation;
      if (!o->objects.empty()) b["object_refs"] = Strings(o->objects);
      json::value body = b;
      *exit_code = Run(*f, "POST", "incidents/" + o->id + "/opinions", &body,
                       [](const json::value& v) { std::printf("%s\n", S(v, "id").c_str()); });
    });
  }
  {  // handover / accept
    auto* c = inc->add_subcommand("handover", "offer an incident to another organization (the owner)");
    auto f = std::make_shared<HubFlags>();
    auto a = std::make_shared<std::pair<std::string, std::string>>();
    AddHubFlags(c, f.get());
    c->add_option("id", a->first, "incident id")->required();
    c->add_option("--to", a->second, "the organization (name or identity id) that takes it over")->required();
    c->callback([f, a, exit_code] {
      json::value body = json::object{{"to", a->second}};
      *exit_code = Run(*f, "POST", "incidents/" + a->first + "/handover", &body,
                       [](const json::value& v) { std::printf("%s offered\n", S(v, "id").c_str()); });
    });
    auto* acc = inc->add_subcommand("accept", "take over an incident offered to your organization; prints the new id");
    auto g = std::make_shared<HubFlags>();
    auto id = std::make_shared<std::string>();
    AddHubFlags(acc, g.get());
    acc->add_option("id", *id, "the offered incident's id")->required();
    acc->callback([g, id, exit_code] {
      *exit_code = Run(*g, "POST", "incidents/" + *id + "/accept", nullptr,
                       [](const json::value& v) { std::printf("%s\n", S(v, "id").c_str()); });
    });
  }
  {  // export
    auto* c = inc->add_subcommand(
        "export", "the incident and its whole graph as a STIX 2.1 bundle, or as a MISP event");
    auto f = std::make_shared<HubFlags>();
    auto id = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>("stix");
    AddHubFlags(c, f.get());
    c->add_option("id", *id, "incident id")->required();
    c->add_option("--format", *format, "stix (default) or misp")->check(CLI::IsMember({"stix", "misp"}));
    c->callback([f, id, format, exit_code] {
      HubFlags g = *f;
      g.as_json = true;  // the export is JSON either way
      if (*format == "stix") {
        *exit_code = Run(g, "GET", "incidents/" + *id + "/bundle", nullptr, nullptr);
        return;
      }
      auto show = Call(g, "GET", "incidents/" + *id + "?notes=0&events=10000");
      if (!show.ok()) {
        if (show.error().code() == StatusCode::kInvalidArgument) {
          *exit_code = Fail(show.error());
        } else {
          std::fprintf(stderr, "kizuna: %s\n", show.error().message().c_str());
          *exit_code = 1;
        }
        return;
      }
      const json::value* total = show->as_object().if_contains("events_total");
      if (total != nullptr && total->is_int64() &&
          total->as_int64() > static_cast<int64_t>(show->at("events").as_array().size())) {
        std::fprintf(stderr, "kizuna: the MISP event has the latest %zu of the incident's %lld events\n",
                     show->at("events").as_array().size(), static_cast<long long>(total->as_int64()));
      }
      std::printf("%s\n", json::serialize(MispEventOf(*show)).c_str());
      *exit_code = 0;
    });
  }
}

}  // namespace kizuna::app
