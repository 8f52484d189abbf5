// `kizuna admin ...`: scriptable administration of a hub's directory (API
// roots, collections, organizations, accounts, grants, tokens). Every
// subcommand takes --json for machine-readable output and changes nothing
// when its input is invalid.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include "app/admin.h"
#include "app/commands.h"
#include "app/store_flags.h"
#include "auth/tokens.h"
#include "policy/sectors.h"
#include "store/audit_log.h"
#include "store/sqlite/sqlite_store.h"
#include "app/config.h"
#include "core/time.h"

namespace kizuna::app {
namespace {

namespace json = boost::json;

struct AdminState {
  StoreFlags flags;
  bool as_json = false;
  int* exit_code = nullptr;
};

void Print(const AdminState& s, const json::value& v, const std::string& text) {
  if (s.as_json) {
    std::cout << json::serialize(v) << "\n";
  } else {
    std::cout << text;
  }
}

json::object ApiRootJson(const store::ApiRoot& r) {
  return {{"name", r.name},
          {"title", r.title},
          {"description", r.description},
          {"max_content_length", r.max_content_length}};
}

json::object CollectionJson(const store::Collection& c) {
  return {{"id", c.id},
          {"api_root", c.api_root},
          {"title", c.title},
          {"alias", c.alias},
          {"description", c.description},
          {"default_marking", c.default_marking},
          {"trust_group", c.trust_group}};
}

json::array StringArray(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& x : v) a.push_back(json::string(x));
  return a;
}

json::object OrgJson(const store::Organization& o) {
  json::array sectors, clients;
  for (const auto& s : o.sectors) sectors.push_back(json::string(s));
  for (const auto& c : o.clients) clients.push_back(json::string(c));
  return {{"id", o.id},         {"name", o.name},       {"nation", o.nation}, {"kind", o.kind},
          {"sectors", sectors}, {"clients", clients}, {"home_hub", o.home_hub}};
}

json::object AccountJson(const store::Account& a) {
  json::array roles;
  for (const auto& r : a.roles) roles.push_back(json::string(r));
  return {{"username", a.username}, {"organization", a.organization}, {"roles", roles},
          {"disabled", a.disabled}};
}

// Reads a password from stdin (one line) for --password-stdin.
std::string ReadPasswordLine() {
  std::string line;
  std::getline(std::cin, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  return line;
}

template <typename F>
void Run(AdminState* s, F body) {
  auto store = s->flags.Open();
  if (!store.ok()) {
    *s->exit_code = Fail(store.error());
    return;
  }
  Status st = body(store->get());
  if (!st.ok()) *s->exit_code = Fail(st);
}

void AddApiRootCommands(CLI::App* admin, std::shared_ptr<AdminState> s) {
  auto* cmd = admin->add_subcommand("api-root", "TAXII API roots");
  cmd->require_subcommand(1);
  auto* add = cmd->add_subcommand("add", "create an API root");
  auto name = std::make_shared<std::string>();
  auto title = std::make_shared<std::string>();
  auto desc = std::make_shared<std::string>();
  auto max_len = std::make_shared<int64_t>(10 * 1024 * 1024);
  add->add_option("name", *name, "URL path segment, e.g. 'kizuna'")->required();
  add->add_option("--title", *title, "title");
  add->add_option("--description", *desc, "description");
  add->add_option("--max-content-length", *max_len, "largest POST body in bytes (default 10 MiB)");
  add->callback([=] {
    Run(s.get(), [&](store::Store* st) -> Status {
      ASSIGN_OR_RETURN(auto r, AddApiRoot(st, *name, *title, *desc, *max_len));
      Print(*s, ApiRootJson(r), "created API root " + r.name + "\n");
      return Status::Ok();
    });
  });
  auto* list = cmd->add_subcommand("list", "list API roots");
  list->callback([=] {
    Run(s.get(), [&](store::Store* st) -> Status {
      ASSIGN_OR_RETURN(auto roots, st->ListApiRoots());
      json::array a;
      std::string text;
      for (const auto& r : roots) {
        a.push_back(ApiRootJson(r));
        text += r.name + "\t" + r.title + "\tmax_content_length=" +
                std::to_string(r.max_content_length) + "\n";
      }
      Print(*s, a, text);
      return Status::Ok();
    });
  });
}

void AddCollectionCommands(CLI::App* admin, std::shared_ptr<AdminState> s) {
  auto* cmd = admin->add_subcommand("collection", "TAXII collections");
  cmd->require_subcommand(1);
  auto* add = cmd->add_subcommand("add", "create a collection");
  auto nc = std::make_shared<NewCollection>();
  add->add_option("--api-root", nc->api_root, "API root name")->required();
  add->add_option("--title", nc->title, "title")->required();
  add->add_option("--id", nc->id, "collection id (UUID; default: a new one)");
  add->add_option("--alias", nc->alias, "alias usable in URLs instead of the id");
  add->add_option("--description", nc->description, "description");
  add->add_option("--default-marking", nc->default_marking,
                  "TLP marking-definition id for unmarked objects (default TLP:AMBER)");
  add->add_option("--trust-group", nc->trust_group, "the trust group the collection belongs to");
  add->callback([=] {
    Run(s.get(), [&](store::Store* st) -> Status {
      ASSIGN_OR_RETURN(auto c, AddCollection(st, *nc));
      Print(*s, CollectionJson(c), "created collection " + c.id + " (" + c.title + ")\n");
      return Status::Ok();
    });
  });
  auto* list = cmd->add_subcommand("list", "list collections");
  auto root = std::make_shared<std::string>();
  list->add_option("--api-root", *root, "only this API root");
  list->callback([=] {
    Run(s.get(), [&](store::Store* st) -> Status {
      ASSIGN_OR_RETURN(auto roots, st->ListApiRoots());
      json::array a;
      std::string text;
      for (const auto& r : roots) {
        if (!root->empty() && r.name != *root) continue;
        ASSIGN_OR_RETURN(auto cols, st->ListCollections(r.name));
        for (const auto& c : cols) {
          ASSIGN_OR_RETURN(int64_t n, st->CountObjects(c.key));
          json::object o = CollectionJson(c);
          o["objects"] = n;
          a.push_back(std::move(o));
          text += c.id + "\t" + r.name + "\t" + c.title + (c.alias.empty() ? "" : "\talias=" + c.alias) +
                  "\tobjects=" + std::to_string(n) + "\n";
        }
      }
      Print(*s, a, text);
      return Status::Ok();
    });
  });
  auto* setg = cmd->add_subcommand("set-group", "put a collection in a trust group");
  auto sg_col = std::make_shared<std::string>();
  auto sg_group = std::make_shared<std::string>();
  auto sg_root = std::make_shared<std::string>();
  setg->add_option("collection", *sg_col, "collection id or alias")->required();
  setg->add_option("group", *sg_group, "trust group id (\"\" for none)")->required();
  setg->add_option("--api-root", *sg_root, "API root name");
  setg->callback([=] {
    Run(s.get(), [&](store::Store* st) -> Status {
      RETURN_IF_ERROR(SetCollectionTrustGroup(st, *sg_root, *sg_col, *sg_group));
      Print(*s, json::object{{"collection", *sg_col}, {"trust_group", *sg_group}},
            "collection " + *sg_col + " is in trust group " + *sg_group + "\n");
      return Status::Ok();
    });
  });
  auto* del = cmd->add_subcommand("delete", "delete a collection with its objects and grants");
  auto id = std::make_shared<std::string>();
  auto droot = std::make_shared<std::string>();
  del->add_option("collection", *id, "collection id or alias")->required();
  del->add_option("--api-root", *droot, "API root name");
  del->callback([=] {
    Run(s.get(), [&](store::Store* st) -> Status {
      ASSIGN_OR_RETURN(auto c, FindCollection(st, *droot, *id));
      RETURN_IF_ERROR(st->DeleteCollection(c.key));
      Print(*s, json::object{{"deleted", c.id}}, "deleted collection " + c.id + "\n");
      return Status::Ok();
    });
  });
}

void AddOrgCommands(CLI::App* admin, std::shared_ptr<AdminState> s) {
  auto* cmd = admin->add_subcommand("org", "organizations");
  cmd->require_subcommand(1);
  auto* add = cmd->add_subcommand("add", "create an organization");
  auto org = std::make_shared<store::Organization>();
  add->add_option("--name", org->name, "name")->required();
  add->add_option("--nation", org->nation, "ISO 3166-1 alpha-2 code, e.g. US or JP")->required();
  add->add_option("--kind", org->kind, "government, isac, operator, vendor or academia")
      ->required();
  add->add_option("--sector", org->sectors, "Kizuna sector code (repeatable; see `kizuna sectors`)");
  add->add_option("--client", org->clients, "client organization, id or name (repeatable)");
  add->add_option("--home-hub", org->home_hub, "the partner hub it is homed on (default: this hub)");
  add->add_option("--id", org->id, "identity--UUID (default: a new one)");
  add->callback([=] {
    Run(s.get(), [&](store::Store* st) -> Status {
      ASSIGN_OR_RETURN(auto o, AddOrganization(st, *org));
      Print(*s, OrgJson(o), "created organization " + o.id + " (" + o.name + ")\n");
      return Status::Ok();
    });
  });
  auto* imp = cmd->add_subcommand(
      "import", "create organizations from JSON lines ({\"name\", \"nation\", \"kind\", \"sectors\", "
                "\"id\", \"home_hub\"}); all or nothing");
  auto imp_file = std::make_shared<std::string>();
  imp->add_option("file", *imp_file, "JSON lines file ('-' for stdin)")->required();
  imp->callback([=] {
    Run(s.get(), [&](store::Store* st) -> Status {
      std::ifstream file;
      std::istream* in = &std::cin;
      if (*imp_file != "-") {
        file.open(*imp_file);
        if (!file) return IoError("cannot read " + *imp_file);
        in = &file;
      }
      // Validate every line first, so that a bad line changes nothing.
      std::vector<store::Organization> orgs;
      std::string line;
      int n = 0;
      while (std::getline(*in, line)) {
        ++n;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        boost::system::error_code ec;
        json::value v = json::parse(line, ec);
        if (ec || !v.is_object()) return InvalidArgument(*imp_file + ":" + std::to_string(n) + ": not a JSON object");
        const json::object& o = v.get_object();
        store::Organization org;
        auto str = [&](const char* k) -> std::string {
          const json::value* x = o.if_contains(k);
          return x && x->is_string() ? std::string(x->get_string()) : std::string();
        };
        org.name = str("name");
        org.nation = str("nation");
        org.kind = str("kind");
        org.id = str("id");
        org.home_hub = str("home_hub");
        if (const json::value* sec = o.if_contains("sectors"); sec && sec->is_array()) {
          for (const auto& x : sec->get_array())
            if (x.is_string()) org.sectors.emplace_back(x.get_string());
        }
        orgs.push_back(std::move(org));
      }
      int created = 0;
      for (auto& org : orgs) {
        auto r = AddOrganization(st, org);
        if (!r.ok()) return r.error().WithContext("organization " + std::to_string(created + 1));
        ++created;
      }
      Print(*s, json::object{{"created", created}}, "created " + std::to_string(created) + " organizations\n");
      return Status::Ok();
    });
  });
  auto* clients = cmd->add_subcommand("set-clients", "set an organization's client organizations");
  auto c_org = std::make_shared<std::string>();
  auto c_list = std::make_shared<std::vector<std::string>>();
  clients->add_option("org", *c_org, "organization id or name")->required();
  clients->add_option("--client", *c_list, "client organization, id or name (repeatable; none clears)");
  clients->callback([=] {
    Run(s.get(), [&](store::Store* st) -> Status {
      RETURN_IF_ERROR(SetClients(st, *c_org, *c_list));
      ASSIGN_OR_RETURN(auto o, FindOrganization(st, *c_org));
      Print(*s, OrgJson(o), "clients of " + o.name + " set\n");
      return Status::Ok();
    });
  });
  auto* list = cmd->add_subcommand("list", "list organizations");
  list->callback([=] {
    Run(s.get(), [&](store::Store* st) -> Status {
      ASSIGN_OR_RETURN(auto orgs, st->ListOrganizations());
      json::array a;
      std::string text;
      for (const auto& o : orgs) {
        a.push_back(OrgJson(o));
        text += o.id + "\t" + o.nation + "\t" + o.kind + "\t" + o.name + "\n";
      }
      Print(*s, a, text);
      return Status::Ok();
    });
  });
}

void AddAccountCommands(CLI::App* admin, std::shared_ptr<AdminState> s) {
  auto* cmd = admin->add_subcommand("account", "accounts");
  cmd->require_subcommand(1);
  {
    auto* add = cmd->add_subcommand("add", "create an account (prints a generated password once)");
    auto na = std::make_shared<NewAccount>();
    auto from_stdin = std::make_shared<bool>(false);
    na->roles.clear();
    add->add_option("username", na->username, "username")->required();
    add->add_option("--org", na->organization, "organization id or name")->required();
    add->add_option("--role", na->roles, "reader, contributor, coordinator or admin (repeatable)");
    add->add_flag("--password-stdin", *from_stdin, "read the password from stdin");
    add->callback([=] {
      Run(s.get(), [&](store::Store* st) -> Status {
        NewAccount a = *na;
        if (a.roles.empty()) a.roles = {"reader"};
        if (*from_stdin) a.password = ReadPasswordLine();
        ASSIGN_OR_RETURN(auto created, AddAccount(st, a));
        json::object o = AccountJson(created.account);
        if (!*from_stdin) o["password"] = created.password;
        Print(*s, o,
              "created account " + created.account.username +
                  (*from_stdin ? "\n" : "\npassword: " + created.password + "\n"));
        return Status::Ok();
      });
    });
  }
  {
    auto* list = cmd->add_subcommand("list", "list accounts");
    list->callback([=] {
      Run(s.get(), [&](store::Store* st) -> Status {
        ASSIGN_OR_RETURN(auto accounts, st->ListAccounts());
        json::array a;
        std::string text;
        for (const auto& acc : accounts) {
          a.push_back(AccountJson(acc));
          std::string roles;
          for (const auto& r : acc.roles) roles += (roles.empty() ? "" : ",") + r;
          text += acc.username + "\t" + acc.organization + "\t" + roles +
                  (acc.disabled ? "\tdisabled" : "") + "\n";
        }
        Print(*s, a, text);
        return Status::Ok();
      });
    });
  }
  for (bool disable : {true, false}) {
    auto* c = cmd->add_subcommand(disable ? "disable" : "enable",
                                  disable ? "disable an account" : "enable an account");
    auto user = std::make_shared<std::string>();
    c->add_option("username", *user, "username")->required();
    c->callback([=] {
      Run(s.get(), [&](store::Store* st) -> Status {
        RETURN_IF_ERROR(SetAccountDisabled(st, *user, disable));
        Print(*s, json::object{{"username", *user}, {"disabled", disable}},
              std::string(disable ? "disabled " : "enabled ") + *user + "\n");
        return Status::Ok();
      });
    });
  }
  {
    auto* c = cmd->add_subcommand("passwd", "set a new password (prints a generated one once)");
    auto user = std::make_shared<std::string>();
    auto from_stdin = std::make_shared<bool>(false);
    c->add_option("username", *user, "username")->required();
    c->add_flag("--password-stdin", *from_stdin, "read the password from stdin");
    c->callback([=] {
      Run(s.get(), [&](store::Store* st) -> Status {
        std::string given = *from_stdin ? ReadPasswordLine() : "";
        ASSIGN_OR_RETURN(std::string p, SetPassword(st, *user, given));
        json::object o{{"username", *user}};
        if (!*from_stdin) o["password"] = p;
        Print(*s, o, *from_stdin ? "password set\n" : "password: " + p + "\n");
        return Status::Ok();
      });
    });
  }
}

void AddGrantCommands(CLI::App* admin, std::shared_ptr<AdminState> s) {
  auto* grant = admin->add_subcommand("grant", "give an account access to a collection");
  auto user = std::make_shared<std::string>();
  auto col = std::make_shared<std::string>();
  auto root = std::make_shared<std::string>();
  auto read = std::make_shared<bool>(false);
  auto write = std::make_shared<bool>(false);
  grant->add_option("username", *user, "username")->required();
  grant->add_option("collection", *col, "collection id or alias")->required();
  grant->add_option("--api-root", *root, "API root name");
  grant->add_flag("--read", *read, "can_read");
  grant->add_flag("--write", *write, "can_write");
  grant->callback([=] {
    if (!*read && !*write) {
      *s->exit_code = Fail(InvalidArgument("give --read and/or --write (use revoke to remove)"));
      return;
    }
    Run(s.get(), [&](store::Store* st) -> Status {
      RETURN_IF_ERROR(SetGrant(st, *user, *root, *col, *read, *write));
      Print(*s, json::object{{"username", *user}, {"collection", *col}, {"can_read", *read},
                             {"can_write", *write}},
            "granted " + *user + " on " + *col + (*read ? " read" : "") +
                (*write ? " write" : "") + "\n");
      return Status::Ok();
    });
  });
  auto* revoke = admin->add_subcommand("revoke", "remove an account's access to a collection");
  auto ruser = std::make_shared<std::string>();
  auto rcol = std::make_shared<std::string>();
  auto rroot = std::make_shared<std::string>();
  revoke->add_option("username", *ruser, "username")->required();
  revoke->add_option("collection", *rcol, "collection id or alias")->required();
  revoke->add_option("--api-root", *rroot, "API root name");
  revoke->callback([=] {
    Run(s.get(), [&](store::Store* st) -> Status {
      RETURN_IF_ERROR(SetGrant(st, *ruser, *rroot, *rcol, false, false));
      Print(*s, json::object{{"username", *ruser}, {"collection", *rcol}, {"revoked", true}},
            "revoked " + *ruser + " on " + *rcol + "\n");
      return Status::Ok();
    });
  });
  auto* grants = admin->add_subcommand("grants", "list grants");
  auto guser = std::make_shared<std::string>();
  grants->add_option("username", *guser, "only this account");
  grants->callback([=] {
    Run(s.get(), [&](store::Store* st) -> Status {
      std::optional<int64_t> key;
      if (!guser->empty()) {
        ASSIGN_OR_RETURN(auto a, FindAccount(st, *guser));
        key = a.key;
      }
      ASSIGN_OR_RETURN(auto list, st->ListGrants(key));
      ASSIGN_OR_RETURN(auto accounts, st->ListAccounts());
      std::map<int64_t, std::string> names;
      for (const auto& a : accounts) names[a.key] = a.username;
      std::map<int64_t, std::string> cols;
      ASSIGN_OR_RETURN(auto roots, st->ListApiRoots());
      for (const auto& r : roots) {
        ASSIGN_OR_RETURN(auto cs, st->ListCollections(r.name));
        for (const auto& c : cs) cols[c.key] = c.id;
      }
      json::array a;
      std::string text;
      for (const auto& g : list) {
        a.push_back(json::object{{"username", names[g.account]},
                                 {"collection", cols[g.collection]},
                                 {"can_read", g.can_read},
                                 {"can_write", g.can_write}});
        text += names[g.account] + "\t" + cols[g.collection] + (g.can_read ? "\tread" : "") +
                (g.can_write ? "\twrite" : "") + "\n";
      }
      Print(*s, a, text);
      return Status::Ok();
    });
  });
}

json::object GroupJson(const store::TrustGroup& g) {
  return {{"id", g.id}, {"name", g.name}, {"description", g.description},
          {"members", StringArray(g.members)}};
}

void AddTrustGroupCommands(CLI::App* admin, std::shared_ptr<AdminState> s) {
  auto* cmd = admin->add_subcommand("trust-group", "trust groups (communities of organizations)");
  cmd->require_subcommand(1);
  {
    auto* add = cmd->add_subcommand("add", "create a trust group");
    auto g = std::make_shared<store::TrustGroup>();
    add->add_option("id", g->id, "short id, e.g. us-jp-energy")->required();
    add->add_option("--name", g->name, "display name");
    add->add_option("--description", g->description, "description");
    add->add_option("--member", g->members, "member organization, id or name (repeatable)");
    add->callback([=] {
      Run(s.get(), [&](store::Store* st) -> Status {
        ASSIGN_OR_RETURN(auto created, AddTrustGroup(st, *g));
        Print(*s, GroupJson(created), "created trust group " + created.id + "\n");
        return Status::Ok();
      });
    });
  }
  for (bool adding : {true, false}) {
    auto* c = cmd->add_subcommand(adding ? "add-member" : "remove-member",
                                  adding ? "add an organization to a trust group"
                                         : "remove an organization from a trust group");
    auto group = std::make_shared<std::string>();
    auto org = std::make_shared<std::string>();
    c->add_option("group", *group, "trust group id")->required();
    c->add_option("org", *org, "organization id or name")->required();
    c->callback([=] {
      Run(s.get(), [&](store::Store* st) -> Status {
        RETURN_IF_ERROR(adding ? AddTrustGroupMember(st, *group, *org)
                               : RemoveTrustGroupMember(st, *group, *org));
        ASSIGN_OR_RETURN(auto g, FindTrustGroup(st, *group));
        Print(*s, GroupJson(g), std::string(adding ? "added " : "removed ") + *org + "\n");
        return Status::Ok();
      });
    });
  }
  {
    auto* list = cmd->add_subcommand("list", "list trust groups");
    list->callback([=] {
      Run(s.get(), [&](store::Store* st) -> Status {
        ASSIGN_OR_RETURN(auto groups, st->ListTrustGroups());
        ASSIGN_OR_RETURN(auto orgs, st->ListOrganizations());
        std::map<std::string, std::string> names;
        for (const auto& o : orgs) names[o.id] = o.name;
        json::array a;
        std::string text;
        for (const auto& g : groups) {
          a.push_back(GroupJson(g));
          text += g.id + "\t" + g.name + "\n";
          for (const auto& m : g.members) text += "  " + names[m] + " (" + m + ")\n";
        }
        Print(*s, a, text);
        return Status::Ok();
      });
    });
  }
}

std::string DbPathOf(const StoreFlags& flags) {
  if (!flags.db.empty()) return flags.db;
  auto cfg = LoadConfig(flags.config);
  return cfg.ok() ? cfg->Resolve(cfg->store_path) : std::string();
}

void AddAuditCommands(CLI::App* admin, std::shared_ptr<AdminState> s) {
  auto* cmd = admin->add_subcommand("audit", "query the audit log of releases and denials");
  auto q = std::make_shared<store::AuditQuery>();
  auto since = std::make_shared<std::string>();
  auto until = std::make_shared<std::string>();
  auto denied = std::make_shared<bool>(false);
  auto jsonl = std::make_shared<bool>(false);
  auto verify = std::make_shared<bool>(false);
  cmd->add_option("--object", q->object_id, "events listing this object id");
  cmd->add_option("--account", q->account, "events of this account (peer hubs: peer:<name>)");
  cmd->add_option("--org", q->organization, "events of this organization (id or name)");
  cmd->add_option("--since", *since, "from this time (RFC 3339)");
  cmd->add_option("--until", *until, "up to this time (RFC 3339)");
  cmd->add_option("--limit", q->limit, "at most this many events (default 1000)");
  cmd->add_flag("--denied", *denied, "only denied attempts");
  cmd->add_flag("--jsonl", *jsonl, "JSON lines (one event per line), for export");
  cmd->add_flag("--verify", *verify, "verify the hash chain of the whole log");
  cmd->callback([=] {
    if (s->flags.config.empty() && s->flags.db.empty()) {
      *s->exit_code = Fail(InvalidArgument("give --config FILE or --db FILE"));
      return;
    }
    std::string db = DbPathOf(s->flags);
    auto log = store::OpenSqliteAuditLog(store::AuditPathFor(db));
    if (!log.ok()) {
      *s->exit_code = Fail(log.error());
      return;
    }
    if (*verify) {
      Status v = (*log)->Verify();
      if (!v.ok()) {
        *s->exit_code = Fail(v);
        return;
      }
      std::cout << "audit log verified\n";
      return;
    }
    store::AuditQuery query = *q;
    for (auto [text, out] : {std::pair{since.get(), &query.from_us}, std::pair{until.get(), &query.to_us}}) {
      if (text->empty()) continue;
      auto t = ParseTimestamp(*text);
      if (!t.ok()) {
        *s->exit_code = Fail(InvalidArgument(t.error().message()));
        return;
      }
      *out = t->micros;
    }
    if (*denied) query.allowed = false;
    // The log records organization ids; a name is looked up in the directory
    // (like every other ORG argument), so that it never silently matches nothing.
    if (!query.organization.empty() && query.organization.rfind("identity--", 0) != 0) {
      auto st = s->flags.Open();
      auto org = st.ok() ? FindOrganization(st->get(), query.organization) : Result<store::Organization>(st.error());
      if (!org.ok()) {
        *s->exit_code = Fail(org.error());
        return;
      }
      query.organization = org->id;
    }
    auto events = (*log)->Query(query);
    if (!events.ok()) {
      *s->exit_code = Fail(events.error());
      return;
    }
    json::array all;
    for (const auto& e : *events) {
      json::array objs;
      for (const auto& o : e.objects) {
        objs.push_back(json::object{{"id", o.id}, {"version", FormatTimestamp(o.version_us, 6)},
                                    {"marking", o.marking}});
      }
      json::object j{{"seq", e.seq},
                     {"time", FormatTimestamp(e.time_us, 6)},
                     {"path", e.path},
                     {"account", e.account},
                     {"organization", e.organization},
                     {"collection", e.collection},
                     {"remote", e.remote},
                     {"decision", e.allowed ? "released" : "denied"},
                     {"objects", objs},
                     {"withheld", e.withheld}};
      if (!e.reason.empty()) j["reason"] = e.reason;
      if (*jsonl) {
        std::cout << json::serialize(j) << "\n";
      } else if (s->as_json) {
        all.push_back(std::move(j));
      } else {
        std::cout << FormatTimestamp(e.time_us, 3) << "  " << (e.allowed ? "released" : "DENIED  ")
                  << "  " << e.path << "  " << (e.account.empty() ? "(anonymous)" : e.account)
                  << "  " << e.objects.size() << " object(s)";
        if (e.withheld) std::cout << ", " << e.withheld << " withheld";
        if (!e.reason.empty()) std::cout << "  (" << e.reason << ")";
        std::cout << "\n";
        for (const auto& o : e.objects) {
          std::cout << "    " << o.id << " " << FormatTimestamp(o.version_us, 3) << " " << o.marking << "\n";
        }
      }
    }
    if (s->as_json && !*jsonl) std::cout << json::serialize(all) << "\n";
  });
}

void AddTokenCommands(CLI::App* admin, std::shared_ptr<AdminState> s) {
  auto* cmd = admin->add_subcommand("token", "API tokens (Authorization: Bearer ...)");
  cmd->require_subcommand(1);
  {
    auto* c = cmd->add_subcommand("create", "issue a token (printed once)");
    auto user = std::make_shared<std::string>();
    auto label = std::make_shared<std::string>();
    auto days = std::make_shared<int64_t>(0);
    auto seconds = std::make_shared<int64_t>(0);
    c->add_option("username", *user, "account")->required();
    c->add_option("--label", *label, "what the token is for");
    auto* by_days = c->add_option("--expires-days", *days, "days until it expires (default: never)");
    c->add_option("--expires-seconds", *seconds, "seconds until it expires (short-lived tokens)")
        ->excludes(by_days);
    c->callback([=] {
      Run(s.get(), [&](store::Store* st) -> Status {
        ASSIGN_OR_RETURN(auto a, FindAccount(st, *user));
        if (*days < 0) return InvalidArgument("--expires-days must be positive");
        if (*seconds < 0 || *seconds > 36500LL * 86400) {
          return InvalidArgument("--expires-seconds must be positive (at most 100 years)");
        }
        int64_t now = SystemClock::Get().NowMicros();
        std::optional<int64_t> exp;
        if (*days > 0) exp = now + *days * 86400LL * 1000000LL;
        if (*seconds > 0) exp = now + *seconds * 1000000LL;
        ASSIGN_OR_RETURN(auto t, auth::IssueToken(st, a.key, *label, exp, now));
        json::object o{{"id", t.id}, {"username", a.username}, {"token", t.token}};
        if (exp) o["expires"] = FormatTimestamp(*exp, 0);
        Print(*s, o, "token: " + t.token + "\n");
        return Status::Ok();
      });
    });
  }
  {
    auto* c = cmd->add_subcommand("list", "list tokens (ids only)");
    auto user = std::make_shared<std::string>();
    c->add_option("username", *user, "only this account");
    c->callback([=] {
      Run(s.get(), [&](store::Store* st) -> Status {
        std::optional<int64_t> key;
        if (!user->empty()) {
          ASSIGN_OR_RETURN(auto a, FindAccount(st, *user));
          key = a.key;
        }
        ASSIGN_OR_RETURN(auto tokens, st->ListTokens(key));
        ASSIGN_OR_RETURN(auto accounts, st->ListAccounts());
        std::map<int64_t, std::string> names;
        for (const auto& a : accounts) names[a.key] = a.username;
        json::array arr;
        std::string text;
        for (const auto& t : tokens) {
          json::object o{{"id", t.id},
                         {"username", names[t.account]},
                         {"label", t.label},
                         {"created", FormatTimestamp(t.created_us, 0)}};
          if (t.expires_us) o["expires"] = FormatTimestamp(*t.expires_us, 0);
          arr.push_back(std::move(o));
          text += t.id + "\t" + names[t.account] + "\t" + t.label + "\n";
        }
        Print(*s, arr, text);
        return Status::Ok();
      });
    });
  }
  {
    auto* c = cmd->add_subcommand("revoke", "revoke a token");
    auto id = std::make_shared<std::string>();
    c->add_option("id", *id, "token id")->required();
    c->callback([=] {
      Run(s.get(), [&](store::Store* st) -> Status {
        ASSIGN_OR_RETURN(auto t, st->FindToken(*id));
        if (!t) return NotFound("no token '" + *id + "'");
        RETURN_IF_ERROR(st->DeleteToken(*id));
        Print(*s, json::object{{"revoked", *id}}, "revoked token " + *id + "\n");
        return Status::Ok();
      });
    });
  }
}

}  // namespace

void AddSectorsCommand(CLI::App& root, int* exit_code) {
  auto* cmd = root.add_subcommand(
      "sectors", "the sector codes, with the US, Japanese and STIX crosswalk (English and Japanese)");
  auto as_json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *as_json, "machine-readable output");
  cmd->callback([=] {
    (void)exit_code;
    json::array a;
    std::string text =
        "code              | sector (EN) / 分野 (JA)                              | US CI sector                           | Japan CI sector / 重要インフラ分野     | STIX industry-sector-ov\n";
    for (const auto& sec : policy::Sectors()) {
      json::array stix;
      std::string stix_text;
      for (auto v : sec.stix) {
        stix.push_back(json::string(v));
        stix_text += (stix_text.empty() ? "" : ", ") + std::string(v);
      }
      a.push_back(json::object{{"code", sec.code},
                               {"name_en", sec.name_en},
                               {"name_ja", sec.name_ja},
                               {"us_sector", sec.us},
                               {"jp_sector", sec.jp},
                               {"jp_sector_ja", sec.jp_ja},
                               {"stix", stix}});
      auto pad = [](std::string_view v, size_t w) {
        std::string out(v);
        // Pad by display width: CJK characters take two columns.
        size_t width = 0;
        for (size_t i = 0; i < v.size();) {
          unsigned char c = static_cast<unsigned char>(v[i]);
          size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
          width += len >= 3 ? 2 : 1;
          i += len;
        }
        if (width < w) out.append(w - width, ' ');
        return out;
      };
      text += pad(sec.code, 17) + " | " + pad(std::string(sec.name_en) + " / " + std::string(sec.name_ja), 52) +
              " | " + pad(sec.us.empty() ? "-" : sec.us, 38) + " | " +
              pad(sec.jp.empty() ? "-" : std::string(sec.jp) + " / " + std::string(sec.jp_ja), 38) +
              " | " + stix_text + "\n";
    }
    std::cout << (*as_json ? json::serialize(a) + "\n" : text);
  });
}

void AddAdminCommands(CLI::App& root, int* exit_code) {
  auto* admin = root.add_subcommand("admin", "administer a hub's directory (offline, on its database)");
  admin->require_subcommand(1);
  admin->fallthrough();
  auto s = std::make_shared<AdminState>();
  s->exit_code = exit_code;
  s->flags.Register(admin);
  admin->add_flag("--json", s->as_json, "machine-readable output");
  AddApiRootCommands(admin, s);
  AddCollectionCommands(admin, s);
  AddOrgCommands(admin, s);
  AddAccountCommands(admin, s);
  AddGrantCommands(admin, s);
  AddTokenCommands(admin, s);
  AddTrustGroupCommands(admin, s);
  AddAuditCommands(admin, s);
  AddFederationAdminCommands(admin, &s->flags, &s->as_json, exit_code);
  auto* check = admin->add_subcommand("check", "verify the database (PRAGMA integrity_check)");
  check->callback([s] {
    Run(s.get(), [&](store::Store* st) -> Status {
      RETURN_IF_ERROR(st->CheckIntegrity());
      ASSIGN_OR_RETURN(int64_t n, st->CountObjects(std::nullopt));
      Print(*s, json::object{{"integrity", "ok"}, {"objects", n}},
            "integrity ok, " + std::to_string(n) + " object versions\n");
      return Status::Ok();
    });
  });
}

}  // namespace kizuna::app
