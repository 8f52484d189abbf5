#include "app/federation_admin.h"

#include <algorithm>
#include <set>

#include "app/admin.h"
#include "core/time.h"
#include "core/uuid.h"
#include "http/url.h"
#include "policy/federation.h"

namespace kizuna::app {

Result<auth::SecretSealer> OpenSealer(const std::string& db_path, const std::string& key_path) {
  return auth::SecretSealer::LoadOrCreate(key_path.empty() ? auth::SealerKeyPathFor(db_path) : key_path);
}

namespace {

Result<std::string> OnlyApiRoot(store::Store* store, const std::string& given) {
  if (!given.empty()) return given;
  ASSIGN_OR_RETURN(auto roots, store->ListApiRoots());
  if (roots.size() != 1) return InvalidArgument("give --api-root (the hub has " + std::to_string(roots.size()) + ")");
  return roots[0].name;
}

Result<federation::PeerConfig> FindPeer(store::Store* store, const std::string& name) {
  ASSIGN_OR_RETURN(auto records, store->ListConfigRecords(federation::kPeerRecordKind));
  for (const auto& r : records) {
    if (r.name == name) return federation::DecodePeerConfig(r.value);
  }
  return NotFound("no peer '" + name + "'");
}

}  // namespace

Status CheckPeerTransport(const std::string& url, bool allow_plain_http) {
  // The URL as the federation client reads it (http/url.h): the host checked
  // here is the host the client connects to.
  auto u = http::ParseHttpUrl(url);
  if (!u.ok()) {
    return InvalidArgument("peer URL '" + url + "' must be an http or https URL without credentials: " +
                           u.error().message());
  }
  if (u->tls || allow_plain_http || http::IsLoopbackHost(*u)) return Status::Ok();
  return InvalidArgument("peer URL '" + url +
                         "' is plain http to a host that is not loopback: this hub's credentials and "
                         "TLP:RED objects would cross the network in clear text. Use an https:// URL "
                         "(with --ca-file for a private CA), or give --allow-plain-http if the link "
                         "is protected otherwise (a VPN, a TLS-terminating proxy on the same host)");
}

Result<AddedPeer> AddPeer(store::Store* store, const auth::SecretSealer& sealer, const NewPeer& in,
                          auth::HashCost cost) {
  // Validate everything first.
  if (!policy::IsValidHubName(in.name)) {
    return InvalidArgument("peer name '" + in.name +
                           "' must be 1-63 of a-z, 0-9, '-' and '.', starting with a letter or digit");
  }
  ASSIGN_OR_RETURN(auto records, store->ListConfigRecords(federation::kPeerRecordKind));
  bool exists = std::any_of(records.begin(), records.end(), [&](const auto& r) { return r.name == in.name; });
  if (exists && !in.replace) return AlreadyExists("peer '" + in.name + "' already exists (use --replace)");
  RETURN_IF_ERROR(CheckPeerTransport(in.url, in.allow_plain_http));
  ASSIGN_OR_RETURN(std::string api_root, OnlyApiRoot(store, in.api_root));
  federation::PeerConfig p;
  p.name = in.name;
  p.url = in.url;
  p.kind = in.kind;
  p.api_root = api_root;
  p.remote_user = in.remote_user;
  p.scheme = in.scheme;
  p.push = in.push;
  p.poll_interval_ms = in.poll_interval_ms;
  p.ca_file = in.ca_file;
  p.insecure_skip_verify = in.insecure_skip_verify;
  if (in.flows.empty()) return InvalidArgument("a peer needs at least one --flow");
  std::vector<store::Collection> locals;
  for (const auto& spec : in.flows) {
    ASSIGN_OR_RETURN(auto f, federation::ParseFlowSpec(spec));
    ASSIGN_OR_RETURN(auto c, FindCollection(store, api_root, f.local_collection));
    f.local_collection = c.id;
    if (f.remote_collection.empty()) f.remote_collection = c.id;
    p.flows.push_back(std::move(f));
    locals.push_back(c);
  }
  if (!in.remote_secret.empty() && !in.remote_secret_file.empty()) {
    return InvalidArgument("give the remote secret or a secret file, not both");
  }
  if (!in.remote_secret_file.empty()) {
    RETURN_IF_ERROR(auth::ReadSecretFile(in.remote_secret_file).status());
    p.secret = "file:" + in.remote_secret_file;
  } else if (!in.remote_secret.empty()) {
    p.secret = sealer.Seal(in.remote_secret);
  }
  RETURN_IF_ERROR(federation::ValidatePeerConfig(p));
  std::vector<store::Organization> homes;
  for (const auto& o : in.home_orgs) {
    ASSIGN_OR_RETURN(auto org, FindOrganization(store, o));
    if (!org.home_hub.empty() && org.home_hub != in.name) {
      return InvalidArgument("organization '" + org.name + "' is homed on '" + org.home_hub + "'");
    }
    homes.push_back(org);
  }
  ASSIGN_OR_RETURN(auto account, store->FindAccount(in.name));
  std::string account_org = in.account_org;
  if (account) {
    if (std::find(account->roles.begin(), account->roles.end(), "peer") == account->roles.end()) {
      return InvalidArgument("account '" + in.name + "' exists and is not a peer account");
    }
    if (account->disabled && !in.account_password.empty()) {
      RETURN_IF_ERROR(CheckPassword(in.account_password));
    }
  }
  // A plain TAXII server never calls this hub (it neither subscribes nor
  // pushes here: this hub polls it and pushes to it), so it needs no account
  // here unless one is asked for.
  const bool needs_account = account || p.kind != "taxii" || !account_org.empty() ||
                             !homes.empty() || !in.account_password.empty();
  if (!account && needs_account) {
    if (account_org.empty()) {
      if (homes.empty()) {
        return InvalidArgument("the peer's account needs an organization: give --home-org or --account-org");
      }
      account_org = homes.front().id;
    }
    RETURN_IF_ERROR(FindOrganization(store, account_org).status());
    if (!in.account_password.empty()) RETURN_IF_ERROR(CheckPassword(in.account_password));
  }

  // Then write.
  AddedPeer out;
  if (!account && needs_account) {
    NewAccount na;
    na.username = in.name;
    na.organization = account_org;
    na.roles = {"peer"};
    na.password = in.account_password;
    ASSIGN_OR_RETURN(auto created, AddAccount(store, na, cost));
    out.account_created = true;
    out.account_password = created.password;
    account = created.account;
  } else if (account && account->disabled) {
    // A removed peer added again: its old password was cleared on removal.
    ASSIGN_OR_RETURN(out.account_password, SetPassword(store, in.name, in.account_password, cost));
    RETURN_IF_ERROR(SetAccountDisabled(store, in.name, false));
    out.account_reenabled = true;
    ASSIGN_OR_RETURN(account, store->FindAccount(in.name));
  }
  // The peer reads what flows out (it subscribes here) and writes what flows
  // in (it may push here).
  if (account) {
    ASSIGN_OR_RETURN(auto grants, store->ListGrants(account->key));
    for (size_t i = 0; i < p.flows.size(); ++i) {
      store::Grant g{account->key, locals[i].key, false, false};
      for (const auto& e : grants)
        if (e.collection == g.collection) g = e;
      g.can_read = g.can_read || p.flows[i].out;
      g.can_write = g.can_write || p.flows[i].in;
      RETURN_IF_ERROR(store->PutGrant(g));
    }
  }
  for (auto& org : homes) {
    org.home_hub = in.name;
    RETURN_IF_ERROR(store->PutOrganization(org));
  }
  RETURN_IF_ERROR(store->PutConfigRecord(
      store::ConfigRecord{federation::kPeerRecordKind, p.name, federation::EncodePeerConfig(p)}));
  out.config = std::move(p);
  return out;
}

Result<std::vector<federation::PeerConfig>> ListPeers(store::Store* store) {
  ASSIGN_OR_RETURN(auto records, store->ListConfigRecords(federation::kPeerRecordKind));
  std::vector<federation::PeerConfig> out;
  for (const auto& r : records) {
    ASSIGN_OR_RETURN(auto p, federation::DecodePeerConfig(r.value));
    out.push_back(std::move(p));
  }
  return out;
}

Result<RemovedPeer> RemovePeer(store::Store* store, const std::string& name) {
  RETURN_IF_ERROR(FindPeer(store, name).status());
  RemovedPeer out;
  out.name = name;
  ASSIGN_OR_RETURN(auto orgs, store->ListOrganizations());
  for (const auto& o : orgs)
    if (o.home_hub == name) out.home_orgs.push_back(o.name);
  // Access first, the record last: a failure half-way leaves the peer listed
  // and `peer remove` can be run again.
  ASSIGN_OR_RETURN(auto account, store->FindAccount(name));
  if (account && std::find(account->roles.begin(), account->roles.end(), "peer") != account->roles.end()) {
    ASSIGN_OR_RETURN(auto hooks, ListWebhooks(store));
    for (const auto& w : hooks) {
      if (w.account != account->username) continue;
      RETURN_IF_ERROR(RemoveWebhook(store, w.id));
      out.webhooks_removed.push_back(w.id);
    }
    ASSIGN_OR_RETURN(auto tokens, store->ListTokens(account->key));
    for (const auto& t : tokens) {
      RETURN_IF_ERROR(store->DeleteToken(t.id));
      ++out.tokens_removed;
    }
    ASSIGN_OR_RETURN(auto grants, store->ListGrants(account->key));
    for (auto g : grants) {
      g.can_read = g.can_write = false;  // PutGrant deletes a grant that allows nothing
      RETURN_IF_ERROR(store->PutGrant(g));
      ++out.grants_removed;
    }
    // Disabled, and without its password: `account enable` alone does not
    // let the removed hub back in (`peer add` sets a new password).
    store::Account a = *account;
    a.disabled = true;
    a.password_hash.clear();
    RETURN_IF_ERROR(store->PutAccount(a).status());
    out.account_disabled = true;
  }
  RETURN_IF_ERROR(store->DeleteConfigRecord(federation::kPeerRecordKind, name));
  return out;
}

Status SetPeerUrl(store::Store* store, const std::string& name, const std::string& url,
                  bool allow_plain_http) {
  RETURN_IF_ERROR(CheckPeerTransport(url, allow_plain_http));
  ASSIGN_OR_RETURN(auto p, FindPeer(store, name));
  p.url = url;
  RETURN_IF_ERROR(federation::ValidatePeerConfig(p));
  return store->PutConfigRecord(
      store::ConfigRecord{federation::kPeerRecordKind, p.name, federation::EncodePeerConfig(p)});
}

Result<AddedWebhook> AddWebhook(store::Store* store, const auth::SecretSealer& sealer,
                                const NewWebhook& in) {
  ASSIGN_OR_RETURN(std::string api_root, OnlyApiRoot(store, in.api_root));
  ASSIGN_OR_RETURN(auto account, FindAccount(store, in.account));
  ASSIGN_OR_RETURN(auto c, FindCollection(store, api_root, in.collection));
  ASSIGN_OR_RETURN(auto grants, store->ListGrants(account.key));
  bool can_read = std::any_of(grants.begin(), grants.end(),
                              [&](const store::Grant& g) { return g.collection == c.key && g.can_read; });
  if (!can_read) {
    return InvalidArgument("account '" + in.account + "' may not read collection '" + in.collection + "'");
  }
  AddedWebhook out;
  out.secret = in.secret.empty() ? auth::RandomSecret(32) : in.secret;
  if (out.secret.size() < 16) return InvalidArgument("a webhook secret must be at least 16 characters");
  stream::WebhookConfig w;
  w.id = NewUuidV4();
  w.account = account.username;
  w.api_root = api_root;
  w.collection = c.id;
  w.url = in.url;
  w.secret = sealer.Seal(out.secret);
  w.types = in.types;
  for (auto m : in.markings) {
    for (auto& ch : m) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (m.rfind("tlp:", 0) == 0) m = m.substr(4);
    w.markings.push_back(m);
  }
  w.max_attempts = in.max_attempts;
  w.max_batch = in.max_batch;
  w.allow_plain_http = in.allow_plain_http;
  w.ca_file = in.ca_file;
  w.insecure_skip_verify = in.insecure_skip_verify;
  w.created_us = SystemClock::Get().NowMicros();
  w.from_start = in.from_start;
  RETURN_IF_ERROR(stream::ValidateWebhookConfig(w));
  RETURN_IF_ERROR(store->PutConfigRecord(
      store::ConfigRecord{stream::kWebhookRecordKind, w.id, stream::EncodeWebhookConfig(w)}));
  out.config = std::move(w);
  return out;
}

Result<std::vector<stream::WebhookConfig>> ListWebhooks(store::Store* store) {
  ASSIGN_OR_RETURN(auto records, store->ListConfigRecords(stream::kWebhookRecordKind));
  std::vector<stream::WebhookConfig> out;
  for (const auto& r : records) {
    auto w = stream::DecodeWebhookConfig(r.value);
    // A record stored under older rules (say, plain http to a host that is
    // not loopback) is not delivered; it is named so that it can be removed.
    if (!w.ok()) {
      return InvalidArgument("webhook " + r.name + ": " + w.error().message() +
                             " (remove it with `kizuna admin webhook remove " + r.name + "`)");
    }
    out.push_back(std::move(*w));
  }
  return out;
}

Status RemoveWebhook(store::Store* store, const std::string& id) {
  return store->DeleteConfigRecord(stream::kWebhookRecordKind, id);
}

Status ResumeWebhook(store::Store* store, const std::string& id) {
  ASSIGN_OR_RETURN(auto records, store->ListConfigRecords(stream::kWebhookRecordKind));
  for (const auto& r : records) {
    if (r.name != id) continue;
    ASSIGN_OR_RETURN(auto w, stream::DecodeWebhookConfig(r.value));
    w.suspended = false;
    w.last_error.clear();
    // Only onto the record as read: a webhook removed meanwhile (`webhook
    // remove`, `peer remove`) is not put back, and a suspension written
    // meanwhile is not lost unseen (run the command again).
    Status s = store->UpdateConfigRecord(
        store::ConfigRecord{stream::kWebhookRecordKind, w.id, stream::EncodeWebhookConfig(w)}, r.value);
    if (s.code() == StatusCode::kNotFound) return NotFound("no webhook '" + id + "' (removed meanwhile)");
    if (s.code() == StatusCode::kFailedPrecondition) {
      return FailedPrecondition("webhook '" + id + "' changed while resuming it: run the command again");
    }
    return s;
  }
  return NotFound("no webhook '" + id + "'");
}

}  // namespace kizuna::app
