// `kizuna admin peer ...` and `kizuna admin webhook ...` (issue 5):
// federation peers and webhooks, on the hub's database (the running hub
// picks the change up within a second).
#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>
#include <memory>

#include "app/commands.h"
#include "app/config.h"
#include "app/federation_admin.h"
#include "app/store_flags.h"
#include "core/time.h"

namespace kizuna::app {
namespace {

namespace json = boost::json;

struct FedState {
  const StoreFlags* flags = nullptr;
  const bool* as_json = nullptr;
  int* exit_code = nullptr;
};

void Print(const FedState& s, const json::value& v, const std::string& text) {
  if (*s.as_json) {
    std::cout << json::serialize(v) << "\n";
  } else {
    std::cout << text;
  }
}

std::string ReadLine() {
  std::string line;
  std::getline(std::cin, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  return line;
}

// The database path and the sealed-secrets key path the flags point at.
Result<std::pair<std::string, std::string>> Paths(const StoreFlags& f) {
  if (!f.config.empty()) {
    ASSIGN_OR_RETURN(Config cfg, LoadConfig(f.config));
    std::string db = cfg.Resolve(cfg.store_path);
    return std::make_pair(db, cfg.secrets_key.empty() ? std::string() : cfg.Resolve(cfg.secrets_key));
  }
  if (!f.db.empty()) return std::make_pair(f.db, std::string());
  return InvalidArgument("give --config FILE or --db FILE");
}

template <typename F>
void Run(const FedState* s, F body) {
  auto store = s->flags->Open();
  if (!store.ok()) {
    *s->exit_code = Fail(store.error());
    return;
  }
  Status st = body(store->get());
  if (!st.ok()) *s->exit_code = Fail(st);
}

json::object PeerJson(const federation::PeerConfig& p) {
  json::array flows;
  for (const auto& f : p.flows) {
    flows.push_back(json::object{{"local", f.local_collection},
                                 {"remote", f.remote_collection},
                                 {"direction", f.in && f.out ? "both" : f.in ? "in" : "out"}});
  }
  return {{"name", p.name},
          {"url", p.url},
          {"kind", p.kind},
          {"api_root", p.api_root},
          {"remote_user", p.remote_user},
          {"scheme", p.scheme},
          {"secret", p.secret.rfind("file:", 0) == 0 ? p.secret : p.secret.empty() ? "" : "sealed"},
          {"push", p.push},
          {"poll_interval_ms", p.poll_interval_ms},
          {"disabled", p.disabled},
          {"flows", flows}};
}

json::object WebhookJson(const stream::WebhookConfig& w) {
  json::array types, markings;
  for (const auto& t : w.types) types.push_back(json::string(t));
  for (const auto& m : w.markings) markings.push_back(json::string(m));
  return {{"id", w.id},
          {"account", w.account},
          {"api_root", w.api_root},
          {"collection", w.collection},
          {"url", w.url},
          {"types", types},
          {"markings", markings},
          {"max_attempts", w.max_attempts},
          {"max_batch", w.max_batch},
          {"suspended", w.suspended},
          {"last_error", w.last_error}};
}

void AddPeerCommands(CLI::App* admin, std::shared_ptr<FedState> s) {
  auto* cmd = admin->add_subcommand("peer", "federation peers (partner hubs)");
  cmd->require_subcommand(1);
  {
    auto* add = cmd->add_subcommand(
        "add", "add a peer hub: its URL, the flows, the credentials this hub uses there, and its "
               "account here (created with a generated password, printed once)");
    auto p = std::make_shared<NewPeer>();
    auto remote_stdin = std::make_shared<bool>(false);
    auto local_stdin = std::make_shared<bool>(false);
    add->add_option("name", p->name, "the peer hub's name (its account here gets this username)")->required();
    add->add_option("--url", p->url,
                    "its TAXII discovery URL (.../taxii2/) or API root URL (https; http only to loopback)")
        ->required();
    add->add_flag("--allow-plain-http", p->allow_plain_http,
                  "allow an http URL whose host is not loopback (credentials and objects in clear text)");
    add->add_option("--flow", p->flows,
                    "LOCAL[=REMOTE]:in|out|both: a local collection (id or alias), the peer's "
                    "collection id (default: the same), the direction (repeatable)")
        ->required();
    add->add_option("--kind", p->kind, "kizuna (channels + federation metadata) or taxii (any TAXII 2.1 server)");
    add->add_option("--api-root", p->api_root, "the local API root of the flows (default: the only one)");
    add->add_option("--remote-user", p->remote_user, "username this hub uses there (default: this hub's name)");
    add->add_option("--scheme", p->scheme, "basic (password) or bearer (API token)");
    add->add_flag("--remote-password-stdin", *remote_stdin,
                  "read the password (or token) this hub uses there from stdin (first line); sealed in the store");
    add->add_option("--remote-secret-file", p->remote_secret_file,
                    "a file (mode 0600) holding that password or token, read when the link starts");
    add->add_flag("--push", p->push, "POST this hub's out-flow objects to the peer as soon as they are committed");
    add->add_option("--poll-interval-ms", p->poll_interval_ms, "polling interval (default 1000)");
    add->add_option("--home-org", p->home_orgs, "an organization homed on the peer, id or name (repeatable)");
    add->add_option("--account-org", p->account_org, "organization of the peer's account here (default: the first home org)");
    add->add_flag("--account-password-stdin", *local_stdin,
                  "read the password of the peer's account here from stdin (after the remote one)");
    add->add_option("--ca-file", p->ca_file, "CA certificates (PEM) that verify the peer's TLS certificate");
    add->add_flag("--replace", p->replace, "replace a peer of the same name");
    add->callback([=] {
      auto paths = Paths(*s->flags);
      if (!paths.ok()) {
        *s->exit_code = Fail(paths.error());
        return;
      }
      Run(s.get(), [&](store::Store* st) -> Status {
        ASSIGN_OR_RETURN(auto sealer, OpenSealer(paths->first, paths->second));
        NewPeer in = *p;
        if (*remote_stdin) in.remote_secret = ReadLine();
        if (*local_stdin) in.account_password = ReadLine();
        ASSIGN_OR_RETURN(auto added, AddPeer(st, sealer, in));
        json::object o = PeerJson(added.config);
        std::string text = "added peer " + added.config.name + "\n";
        if (added.account_created || added.account_reenabled) {
          text += (added.account_created ? "created account " : "re-enabled account ") + added.config.name +
                  " (role peer)";
          if (!*local_stdin) {
            o["account_password"] = added.account_password;
            text += "\npassword for the peer to use here: " + added.account_password;
          }
          text += "\n";
        }
        Print(*s, o, text);
        return Status::Ok();
      });
    });
  }
  {
    auto* list = cmd->add_subcommand("list", "list peers");
    list->callback([=] {
      Run(s.get(), [&](store::Store* st) -> Status {
        ASSIGN_OR_RETURN(auto peers, ListPeers(st));
        json::array a;
        std::string text;
        for (const auto& p : peers) {
          a.push_back(PeerJson(p));
          text += p.name + "\t" + p.kind + "\t" + p.url + "\t" + std::to_string(p.flows.size()) +
                  " flow(s)" + (p.push ? "\tpush" : "") + "\n";
        }
        Print(*s, a, text);
        return Status::Ok();
      });
    });
  }
  {
    auto* rm = cmd->add_subcommand(
        "remove", "remove a peer: its account is disabled (password cleared), its tokens, grants and "
                  "webhooks removed; organizations homed on it stay homed on its name");
    auto name = std::make_shared<std::string>();
    rm->add_option("name", *name, "peer name")->required();
    rm->callback([=] {
      Run(s.get(), [&](store::Store* st) -> Status {
        ASSIGN_OR_RETURN(auto r, RemovePeer(st, *name));
        json::array hooks, orgs;
        for (const auto& w : r.webhooks_removed) hooks.push_back(json::string(w));
        for (const auto& o : r.home_orgs) orgs.push_back(json::string(o));
        std::string text = "removed peer " + r.name + "\n";
        if (r.account_disabled) {
          text += "disabled account " + r.name + " (password cleared); removed " +
                  std::to_string(r.grants_removed) + " grant(s), " + std::to_string(r.tokens_removed) +
                  " token(s), " + std::to_string(r.webhooks_removed.size()) + " webhook(s)\n";
        } else {
          text += "no peer account named " + r.name + " (nothing to disable)\n";
        }
        for (const auto& o : r.home_orgs) {
          text += "organization '" + o + "' stays homed on " + r.name +
                  " (not this hub); nothing receives on its behalf until a peer " + r.name +
                  " is added again\n";
        }
        Print(*s,
              json::object{{"removed", r.name},
                           {"account_disabled", r.account_disabled},
                           {"grants_removed", r.grants_removed},
                           {"tokens_removed", r.tokens_removed},
                           {"webhooks_removed", hooks},
                           {"home_orgs", orgs}},
              text);
        return Status::Ok();
      });
    });
  }
}

void AddWebhookCommands(CLI::App* admin, std::shared_ptr<FedState> s) {
  auto* cmd = admin->add_subcommand("webhook", "webhooks: signed POSTs of new objects to a URL");
  cmd->require_subcommand(1);
  {
    auto* add = cmd->add_subcommand("add", "register a webhook (prints its signing secret once)");
    auto w = std::make_shared<NewWebhook>();
    auto secret_stdin = std::make_shared<bool>(false);
    add->add_option("--account", w->account, "the subscriber: objects are released as to this account")->required();
    add->add_option("--collection", w->collection, "collection id or alias")->required();
    add->add_option("--url", w->url, "where to POST (https; http only to loopback)")->required();
    add->add_option("--api-root", w->api_root, "API root (default: the only one)");
    add->add_option("--type", w->types, "only this STIX type (repeatable)");
    add->add_option("--marking", w->markings, "only this TLP level: clear, green, amber, amber+strict, red (repeatable)");
    add->add_option("--max-attempts", w->max_attempts, "attempts per batch before the webhook is suspended (default 8)");
    add->add_option("--max-batch", w->max_batch, "objects per POST (default 100)");
    add->add_flag("--allow-plain-http", w->allow_plain_http, "allow an http URL that is not loopback");
    add->add_option("--ca-file", w->ca_file, "CA certificates (PEM) for the receiver");
    add->add_flag("--secret-stdin", *secret_stdin, "read the signing secret from stdin instead of generating one");
    add->add_flag("--from-start", w->from_start,
                  "also deliver the objects already in the collection (default: from now on)");
    add->callback([=] {
      auto paths = Paths(*s->flags);
      if (!paths.ok()) {
        *s->exit_code = Fail(paths.error());
        return;
      }
      Run(s.get(), [&](store::Store* st) -> Status {
        ASSIGN_OR_RETURN(auto sealer, OpenSealer(paths->first, paths->second));
        NewWebhook in = *w;
        if (*secret_stdin) in.secret = ReadLine();
        ASSIGN_OR_RETURN(auto added, AddWebhook(st, sealer, in));
        json::object o = WebhookJson(added.config);
        if (!*secret_stdin) o["secret"] = added.secret;
        Print(*s, o,
              "added webhook " + added.config.id +
                  (*secret_stdin ? "\n" : "\nsigning secret: " + added.secret + "\n"));
        return Status::Ok();
      });
    });
  }
  {
    auto* list = cmd->add_subcommand("list", "list webhooks");
    list->callback([=] {
      Run(s.get(), [&](store::Store* st) -> Status {
        ASSIGN_OR_RETURN(auto hooks, ListWebhooks(st));
        json::array a;
        std::string text;
        for (const auto& w : hooks) {
          a.push_back(WebhookJson(w));
          text += w.id + "\t" + w.account + "\t" + w.url + (w.suspended ? "\tsuspended: " + w.last_error : "") + "\n";
        }
        Print(*s, a, text);
        return Status::Ok();
      });
    });
  }
  for (const char* verb : {"remove", "resume"}) {
    const bool remove = std::string(verb) == "remove";
    auto* c = cmd->add_subcommand(verb, remove ? "remove a webhook" : "resume a suspended webhook from its cursor");
    auto id = std::make_shared<std::string>();
    c->add_option("id", *id, "webhook id")->required();
    c->callback([=] {
      Run(s.get(), [&](store::Store* st) -> Status {
        RETURN_IF_ERROR(remove ? RemoveWebhook(st, *id) : ResumeWebhook(st, *id));
        Print(*s, json::object{{remove ? "removed" : "resumed", *id}},
              std::string(remove ? "removed" : "resumed") + " webhook " + *id + "\n");
        return Status::Ok();
      });
    });
  }
}

}  // namespace

void AddFederationAdminCommands(CLI::App* admin, const StoreFlags* flags, const bool* as_json,
                                int* exit_code) {
  auto s = std::make_shared<FedState>();
  s->flags = flags;
  s->as_json = as_json;
  s->exit_code = exit_code;
  AddPeerCommands(admin, s);
  AddWebhookCommands(admin, s);
}

}  // namespace kizuna::app
