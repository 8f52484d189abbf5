// `kizuna admin ...`: scriptable administration of a hub's directory (API
// roots, collections, organizations, accounts, grants, tokens). Every
// subcommand takes --json for machine-readable output and changes nothing
// when its input is invalid.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <iostream>
#include <memory>

#include "app/admin.h"
#include "app/commands.h"
#include "app/store_flags.h"
#include "auth/tokens.h"
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
  return {{"id", c.id},          {"api_root", c.api_root},       {"title", c.title},
          {"alias", c.alias},    {"description", c.description}, {"default_marking", c.default_marking}};
}

json::object OrgJson(const store::Organization& o) {
  json::array sectors;
  for (const auto& s : o.sectors) sectors.push_back(json::string(s));
  return {{"id", o.id}, {"name", o.name}, {"nation", o.nation}, {"kind", o.kind},
          {"sectors", sectors}};
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
                  "marking-definition id for unmarked objects (default TLP:AMBER)");
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
  add->add_option("--sector", org->sectors, "sector code (repeatable)");
  add->add_option("--id", org->id, "identity--UUID (default: a new one)");
  add->callback([=] {
    Run(s.get(), [&](store::Store* st) -> Status {
      ASSIGN_OR_RETURN(auto o, AddOrganization(st, *org));
      Print(*s, OrgJson(o), "created organization " + o.id + " (" + o.name + ")\n");
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

void AddTokenCommands(CLI::App* admin, std::shared_ptr<AdminState> s) {
  auto* cmd = admin->add_subcommand("token", "API tokens (Authorization: Bearer ...)");
  cmd->require_subcommand(1);
  {
    auto* c = cmd->add_subcommand("create", "issue a token (printed once)");
    auto user = std::make_shared<std::string>();
    auto label = std::make_shared<std::string>();
    auto days = std::make_shared<int64_t>(0);
    c->add_option("username", *user, "account")->required();
    c->add_option("--label", *label, "what the token is for");
    c->add_option("--expires-days", *days, "days until it expires (default: never)");
    c->callback([=] {
      Run(s.get(), [&](store::Store* st) -> Status {
        ASSIGN_OR_RETURN(auto a, FindAccount(st, *user));
        if (*days < 0) return InvalidArgument("--expires-days must be positive");
        int64_t now = SystemClock::Get().NowMicros();
        std::optional<int64_t> exp;
        if (*days > 0) exp = now + *days * 86400LL * 1000000LL;
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
