// `kizuna import` and `kizuna export`: bulk STIX in and out of a collection,
// offline on the hub's database (the hub may be running: SQLite WAL allows it).
// `kizuna validate`: what import would refuse in files, without a hub.
#include <unistd.h>
#include <zlib.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "app/admin.h"
#include "app/config.h"
#include "app/commands.h"
#include "app/store_flags.h"
#include "core/time.h"
#include "core/uuid.h"
#include "auth/authenticator.h"
#include "export/formats.h"  // frontline export formats
#include "export/misp.h"     // MISP import
#include "ingest/ingest.h"
#include "policy/decision_point.h"
#include "policy/stamp.h"
#include "store/audit_log.h"
#include "stix/bundle.h"

namespace kizuna::app {
namespace {

Result<std::string> ReadFileMaybeGzip(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string data = ss.str();
  if (data.size() < 2 || static_cast<unsigned char>(data[0]) != 0x1f ||
      static_cast<unsigned char>(data[1]) != 0x8b) {
    return data;
  }
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Internal("zlib init failed");
  std::string out;
  out.resize(data.size() * 4 + 1024);
  zs.next_in = reinterpret_cast<Bytef*>(data.data());
  zs.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (zs.total_out >= out.size()) out.resize(out.size() * 2);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + zs.total_out);
    zs.avail_out = static_cast<uInt>(out.size() - zs.total_out);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      inflateEnd(&zs);
      return InvalidArgument(path + ": corrupt gzip data");
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      inflateEnd(&zs);
      return InvalidArgument(path + ": truncated gzip data");
    }
  }
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
}

struct Source {
  std::string where;  // "file" or "file:line"
  std::string_view bytes;
};

// The objects of a file: a bundle, an envelope, an array of objects, a
// single object, or JSON lines of objects or bundles. Unparseable lines are
// reported as failures with their line.
Status CollectObjects(const std::string& path, const std::string& data, std::vector<Source>* out,
                      std::vector<std::string>* errors) {
  auto whole = stix::SplitDocument(data);
  if (whole.ok()) {
    for (const auto& r : *whole) out->push_back({path, r.bytes});
    return Status::Ok();
  }
  // Well-formed JSON of the wrong shape is the file's one problem; only
  // malformed JSON may be JSON lines.
  if (whole.error().message().rfind("malformed JSON", 0) != 0) {
    return InvalidArgument(path + ": " + whole.error().message());
  }
  // JSON lines.
  size_t start = 0, line = 0;
  std::string_view d(data);
  bool any = false;
  while (start < d.size()) {
    size_t nl = d.find('\n', start);
    if (nl == std::string_view::npos) nl = d.size();
    std::string_view l = d.substr(start, nl - start);
    start = nl + 1;
    ++line;
    while (!l.empty() && (l.back() == '\r' || l.back() == ' ' || l.back() == '\t')) l.remove_suffix(1);
    while (!l.empty() && (l.front() == ' ' || l.front() == '\t')) l.remove_prefix(1);
    if (l.empty()) continue;
    std::string where = path + ":" + std::to_string(line);
    if (l.front() != '{') {
      errors->push_back(where + ": not a JSON object");
      continue;
    }
    any = true;
    auto inner = stix::SplitObjects(l);
    if (inner.ok() && l.find("\"objects\"") != std::string_view::npos &&
        l.find("\"bundle\"") != std::string_view::npos) {
      for (const auto& r : *inner) out->push_back({where, r.bytes});
    } else {
      out->push_back({where, l});
    }
  }
  if (!any && errors->empty()) {
    return InvalidArgument(path + ": " + whole.error().message());
  }
  return Status::Ok();
}

// "(rule)" at the end of a failure message, or the whole message.
std::string RuleOf(const std::string& message) {
  size_t open = message.rfind('(');
  return open == std::string::npos ? message : message.substr(open);
}

// The objects of one input file of `import` or `validate` in --format
// `format` (stix or misp), into *objects (whose bytes may live in
// *converted). Lines that are not objects go to *errors; MISP events and
// attributes that are refused go there too and count in *refused and
// *reasons.
Status LoadObjects(const std::string& file, const std::string& format, const std::string& data,
                   std::vector<Source>* objects, std::vector<std::string>* converted,
                   std::vector<std::string>* errors, int64_t* refused,
                   std::map<std::string, int64_t>* reasons) {
  if (format == "stix") return CollectObjects(file, data, objects, errors);
  if (format != "misp") return InvalidArgument("--format must be stix or misp");
  exports::MispImportStats ms;
  auto stix_objects = exports::MispToStix(data, &ms);
  if (!stix_objects.ok()) return InvalidArgument(file + ": " + stix_objects.error().message());
  *converted = std::move(stix_objects).value();
  for (const auto& o : *converted) objects->push_back({file, o});
  std::printf("%s: %lld MISP events, %lld attributes: %lld indicators, %lld observables\n",
              file.c_str(), static_cast<long long>(ms.events),
              static_cast<long long>(ms.attributes), static_cast<long long>(ms.indicators),
              static_cast<long long>(ms.observables));
  for (const auto& [type, n] : ms.skipped) {
    std::printf("  %lld attributes of type %s have no STIX form (skipped)\n",
                static_cast<long long>(n), type.c_str());
  }
  for (const auto& r : ms.refused) {
    errors->push_back(file + ": " + r);
    ++*refused;
    ++(*reasons)[RuleOf(r)];
  }
  return Status::Ok();
}

// "FILE: ID: MESSAGE" for a refused object (the id once: most messages
// begin with it).
std::string FailureLine(const std::string& file, const store::StatusDetail& f) {
  if (f.id.empty()) return file + ": (no id): " + f.message;
  if (f.message.rfind(f.id + ": ", 0) == 0) return file + ": " + f.message;
  return file + ": " + f.id + ": " + f.message;
}

class Progress {
 public:
  explicit Progress(size_t total) : total_(total), tty_(isatty(2) != 0) {}
  void Update(size_t done) {
    if (!tty_ || total_ == 0) return;
    int pct = static_cast<int>(done * 100 / total_);
    if (pct == last_) return;
    last_ = pct;
    int width = 30, fill = pct * width / 100;
    std::fprintf(stderr, "\r[%.*s%*s] %3d%% %zu/%zu objects",
                 fill, "==============================", width - fill, "", pct, done, total_);
    std::fflush(stderr);
  }
  void Done() {
    if (tty_ && last_ >= 0) std::fprintf(stderr, "\n");
  }

 private:
  size_t total_;
  bool tty_;
  int last_ = -1;
};

}  // namespace

void AddImportCommand(CLI::App& root, int* exit_code) {
  auto* cmd = root.add_subcommand(
      "import", "import STIX bundles or JSON lines (optionally .gz) into a collection");
  auto flags = std::make_shared<StoreFlags>();
  flags->Register(cmd);
  auto files = std::make_shared<std::vector<std::string>>();
  auto collection = std::make_shared<std::string>();
  auto api_root = std::make_shared<std::string>();
  auto producer = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  auto in_format = std::make_shared<std::string>("stix");
  cmd->add_option("files", *files, "bundle (.json), JSON lines (.jsonl), optionally gzip")
      ->required();
  cmd->add_option("--format", *in_format,
                  "stix (bundles or JSON lines, the default) or misp (MISP event JSON, "
                  "converted to STIX 2.1)");
  cmd->add_option("--collection", *collection, "collection id or alias")->required();
  cmd->add_option("--api-root", *api_root, "API root name");
  cmd->add_option("--producer", *producer, "producing organization (id or name)");
  cmd->add_flag("--quiet", *quiet, "no per-object rejection lines");
  cmd->callback([=] {
    auto st = flags->Open();
    if (!st.ok()) {
      *exit_code = Fail(st.error());
      return;
    }
    store::Store* store = st->get();
    auto col = FindCollection(store, *api_root, *collection);
    if (!col.ok()) {
      *exit_code = Fail(col.error());
      return;
    }
    std::string producer_org;
    if (!producer->empty()) {
      auto org = FindOrganization(store, *producer);
      if (!org.ok()) {
        *exit_code = Fail(org.error());
        return;
      }
      producer_org = org->id;
    }
    const policy::Producer prod = policy::ImportProducer(producer_org);
    // Imported objects are stamped by the policy like posted ones.
    auto model = policy::LoadTrustModel(store);
    if (!model.ok()) {
      *exit_code = Fail(model.error());
      return;
    }
    int64_t accepted = 0, duplicates = 0, rejected = 0;
    std::map<std::string, int64_t> reasons;
    std::vector<std::string> errors;
    // TLP look-alikes refused by this import (its earlier batches and files)
    // and by the hub before (the store's record).
    ingest::RefusedMarkings refused(store);
    for (const auto& file : *files) {
      auto data = ReadFileMaybeGzip(file);
      if (!data.ok()) {
        *exit_code = Fail(data.error());
        return;
      }
      std::vector<Source> objects;
      std::vector<std::string> converted;  // MISP: the STIX objects made from it
      Status loaded =
          LoadObjects(file, *in_format, *data, &objects, &converted, &errors, &rejected, &reasons);
      if (!loaded.ok()) {
        *exit_code = Fail(loaded);
        return;
      }
      std::vector<std::string_view> all;
      for (const auto& o : objects) all.push_back(o.bytes);
      // A TLP look-alike anywhere in the file refuses what references it in
      // earlier batches too.
      ingest::ScanForLookalikes(all, &refused);
      Progress progress(objects.size());
      constexpr size_t kBatch = 1000;
      for (size_t i = 0; i < objects.size(); i += kBatch) {
        size_t end = std::min(objects.size(), i + kBatch);
        std::vector<std::string_view> views;
        for (size_t j = i; j < end; ++j) views.push_back(objects[j].bytes);
        ingest::Prepared p = ingest::PrepareObjects(views, col->key, **model, prod, &refused);
        for (const auto& f : p.failures) {
          ++rejected;
          reasons[RuleOf(f.message)]++;
          if (!*quiet) {
            errors.push_back(FailureLine(file, f));
          }
        }
        if (!p.batch.objects.empty() || !p.batch.refused_markings.empty()) {
          auto w = store->WriteSync(std::move(p.batch));
          if (!w.ok()) {
            progress.Done();
            *exit_code = Fail(w.error());
            return;
          }
          for (auto o : w->outcomes) (o == store::AddOutcome::kAdded ? accepted : duplicates)++;
        }
        progress.Update(end);
      }
      progress.Done();
    }
    for (const auto& e : errors) std::fprintf(stderr, "rejected: %s\n", e.c_str());
    std::printf("imported into %s: %lld accepted, %lld duplicates, %lld rejected\n",
                col->id.c_str(), static_cast<long long>(accepted),
                static_cast<long long>(duplicates), static_cast<long long>(rejected));
    for (const auto& [rule, n] : reasons) {
      std::printf("  %lld rejected %s\n", static_cast<long long>(n), rule.c_str());
    }
    if (rejected > 0 || !errors.empty()) *exit_code = 1;
  });
}

void AddValidateCommand(CLI::App& root, int* exit_code) {
  auto* cmd = root.add_subcommand(
      "validate",
      "check STIX files (or MISP events) as `kizuna import` would, without a hub: STIX "
      "validation (Incident Core objects included), patterns and the TLP look-alike rules (not "
      "the hub's trust policy); exit 0 when all are valid, 1 when any is invalid, 2 when a file "
      "cannot be read");
  auto files = std::make_shared<std::vector<std::string>>();
  auto in_format = std::make_shared<std::string>("stix");
  auto spec_version = std::make_shared<std::string>();
  cmd->add_option("files", *files,
                  "a bundle, an envelope, an object or an array of objects (.json), or JSON "
                  "lines (.jsonl); optionally gzip")
      ->required();
  cmd->add_option("--format", *in_format,
                  "stix (the default) or misp (MISP event JSON, converted to STIX 2.1)");
  cmd->add_option("--spec-version", *spec_version,
                  "2.0 or 2.1: the STIX version of objects without spec_version (default: the "
                  "STIX 2.1 rule, 2.0 except for SCOs)")
      ->check(CLI::IsMember({"2.0", "2.1"}));
  cmd->callback([=] {
    int64_t valid = 0, invalid = 0;
    std::map<std::string, int64_t> reasons;
    std::vector<std::string> errors;
    bool unreadable = false;
    // As in import: a look-alike refuses what references it anywhere in its
    // file and in the files after it.
    ingest::RefusedMarkings refused(nullptr);
    for (const auto& file : *files) {
      auto data = ReadFileMaybeGzip(file);
      if (!data.ok()) {
        std::fprintf(stderr, "unreadable: %s\n", data.error().message().c_str());
        unreadable = true;
        continue;
      }
      std::vector<Source> objects;
      std::vector<std::string> converted;
      Status loaded =
          LoadObjects(file, *in_format, *data, &objects, &converted, &errors, &invalid, &reasons);
      if (!loaded.ok()) {
        // Not STIX at all (malformed JSON): the file's one problem.
        errors.push_back(loaded.message());
        ++invalid;
        reasons["(malformed)"]++;
        continue;
      }
      std::vector<std::string_view> views;
      for (const auto& o : objects) views.push_back(o.bytes);
      ingest::ScanForLookalikes(views, &refused);
      constexpr size_t kBatch = 1000;
      for (size_t i = 0; i < views.size(); i += kBatch) {
        std::vector<std::string_view> batch(
            views.begin() + static_cast<std::ptrdiff_t>(i),
            views.begin() + static_cast<std::ptrdiff_t>(std::min(views.size(), i + kBatch)));
        ingest::Checked c = ingest::CheckObjects(batch, &refused, *spec_version);
        valid += static_cast<int64_t>(c.successes.size());
        for (const auto& f : c.failures) {
          ++invalid;
          reasons[RuleOf(f.message)]++;
          errors.push_back(FailureLine(file, f));
        }
      }
    }
    for (const auto& e : errors) std::fprintf(stderr, "invalid: %s\n", e.c_str());
    std::printf("validated: %lld valid, %lld invalid\n", static_cast<long long>(valid),
                static_cast<long long>(invalid));
    for (const auto& [rule, n] : reasons) {
      std::printf("  %lld invalid %s\n", static_cast<long long>(n), rule.c_str());
    }
    if (unreadable) {
      *exit_code = 2;
    } else if (invalid > 0 || !errors.empty()) {
      *exit_code = 1;
    }
  });
}

void AddExportCommand(CLI::App& root, int* exit_code) {
  auto* cmd = root.add_subcommand("export", "write a collection as a STIX bundle to stdout");
  auto flags = std::make_shared<StoreFlags>();
  flags->Register(cmd);
  auto collection = std::make_shared<std::string>();
  auto api_root = std::make_shared<std::string>();
  auto types = std::make_shared<std::vector<std::string>>();
  auto added_after = std::make_shared<std::string>();
  auto all_versions = std::make_shared<bool>(false);
  auto as_user = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("stix");
  auto kind = std::make_shared<std::string>();
  auto indicator_files = std::make_shared<std::vector<std::string>>();
  auto sid_base = std::make_shared<uint32_t>(9'100'000);
  cmd->add_option("--as", *as_user,
                  "export what this account may see (the policy decides and audits every object)");
  cmd->add_option("--collection", *collection, "collection id or alias");
  cmd->add_option("--format", *format,
                  "stix (a bundle, the default), suricata, snort, zeek-intel, csv, misp, or plain "
                  "(with --kind)");
  cmd->add_option("--kind", *kind,
                  "plain: ipv4, ipv6, domains, urls, emails, md5, sha1 or sha256");
  cmd->add_option("--indicators", *indicator_files,
                  "export these STIX files instead of a collection (offline; repeatable)");
  cmd->add_option("--sid-base", *sid_base, "rules: first sid (default 9100000)");
  cmd->add_option("--api-root", *api_root, "API root name");
  cmd->add_option("--type", *types, "only these STIX types (repeatable)");
  cmd->add_option("--added-after", *added_after, "only objects added after this time");
  cmd->add_flag("--all-versions", *all_versions, "every version, not only the latest");
  cmd->callback([=] {
    exports::ExportOptions eo;
    eo.now_us = SystemClock::Get().NowMicros();
    eo.sid_base = *sid_base;
    if (!exports::ParseFormat(*format, &eo.format)) {
      *exit_code = Fail(InvalidArgument("unknown --format " + *format));
      return;
    }
    if (eo.format == exports::Format::kPlain && !exports::ParsePlainKind(*kind, &eo.plain)) {
      *exit_code = Fail(InvalidArgument("--format plain needs --kind ipv4, ipv6, domains, urls, "
                                        "emails, md5, sha1 or sha256"));
      return;
    }
    if (!indicator_files->empty()) {
      // Offline: no hub, no policy (the files are the operator's own).
      exports::Exporter ex(eo);
      for (const auto& file : *indicator_files) {
        auto data = ReadFileMaybeGzip(file);
        if (!data.ok()) {
          *exit_code = Fail(data.error());
          return;
        }
        std::vector<Source> objects;
        std::vector<std::string> errors;
        Status s = CollectObjects(file, *data, &objects, &errors);
        for (const auto& e : errors) std::fprintf(stderr, "kizuna export: %s\n", e.c_str());
        if (!s.ok()) {
          *exit_code = Fail(s);
          return;
        }
        for (const auto& o : objects) {
          ex.Add(o.bytes);
          std::string chunk = ex.TakeOutput();
          std::fwrite(chunk.data(), 1, chunk.size(), stdout);
        }
      }
      std::string rest = ex.Finish();
      std::fwrite(rest.data(), 1, rest.size(), stdout);
      std::fflush(stdout);
      const auto& es = ex.stats();
      std::fprintf(stderr,
                   "kizuna export: %lld indicators, %lld exported as %lld %s values; %lld not "
                   "expressible, %lld values of other kinds, %lld expired, %lld revoked, "
                   "%lld invalid\n",
                   static_cast<long long>(es.indicators), static_cast<long long>(es.exported),
                   static_cast<long long>(es.values), format->c_str(),
                   static_cast<long long>(es.not_expressible),
                   static_cast<long long>(es.skipped_kind), static_cast<long long>(es.expired),
                   static_cast<long long>(es.revoked), static_cast<long long>(es.invalid));
      return;
    }
    if (as_user->empty() || collection->empty()) {
      *exit_code = Fail(InvalidArgument("give --collection and --as (or --indicators FILE)"));
      return;
    }
    auto st = flags->Open();
    if (!st.ok()) {
      *exit_code = Fail(st.error());
      return;
    }
    auto col = FindCollection(st->get(), *api_root, *collection);
    if (!col.ok()) {
      *exit_code = Fail(col.error());
      return;
    }
    // Exports release objects like any other path: as an account, through the
    // decision point, into the audit log.
    auto account = FindAccount(st->get(), *as_user);
    if (!account.ok()) {
      *exit_code = Fail(account.error());
      return;
    }
    auth::Authenticator authn(st->get(), auth::AuthenticatorOptions{});
    auto principal = authn.LoadPrincipal(account->key);
    if (!principal.ok()) {
      *exit_code = Fail(principal.error());
      return;
    }
    if (!(*principal)->Access(col->key).can_read) {
      *exit_code = Fail(PermissionDenied(*as_user + " may not read collection " + col->id));
      return;
    }
    std::string db_path = flags->db;
    if (db_path.empty()) {
      auto cfg = LoadConfig(flags->config);
      if (cfg.ok()) db_path = cfg->Resolve(cfg->store_path);
    }
    auto audit = store::OpenSqliteAuditLog(store::AuditPathFor(db_path));
    if (!audit.ok()) {
      *exit_code = Fail(audit.error());
      return;
    }
    policy::DecisionPoint dp(st->get(), audit->get());
    store::ObjectQuery q;
    q.collection = col->key;
    q.types = *types;
    q.limit = 1000;
    if (*all_versions) q.versions.all = true;
    if (!added_after->empty()) {
      auto t = ParseTimestamp(*added_after);
      if (!t.ok()) {
        *exit_code = Fail(InvalidArgument("--added-after: " + t.error().message()));
        return;
      }
      q.added_after_us = t->micros;
    }
    // Rules and lists: the same releases, written by the exporter.
    const bool stix_bundle = eo.format == exports::Format::kStix;
    exports::Exporter ex(eo);
    if (!stix_bundle && types->empty()) q.types = {"indicator"};
    std::string out = "{\"type\":\"bundle\",\"id\":\"bundle--" + NewUuidV4() + "\",\"objects\":[";
    if (stix_bundle) std::fwrite(out.data(), 1, out.size(), stdout);
    std::optional<int64_t> cursor;
    bool first = true;
    for (;;) {
      auto scope = dp.Begin(**principal, col->key, col->id, policy::Path::kExport, "cli");
      if (!scope.ok()) {
        *exit_code = Fail(scope.error());
        return;
      }
      auto page = scope->Read(q, cursor);
      if (!page.ok()) {
        *exit_code = Fail(page.error());
        return;
      }
      scope->Finish();
      for (const auto& r : page->records) {
        if (!stix_bundle) {
          ex.Add(r.raw);
          continue;
        }
        if (!first) std::fputc(',', stdout);
        first = false;
        std::fwrite(r.raw.data(), 1, r.raw.size(), stdout);
      }
      if (!stix_bundle) {
        std::string chunk = ex.TakeOutput();
        std::fwrite(chunk.data(), 1, chunk.size(), stdout);
      }
      if (!page->more) break;
      cursor = page->last_us;
    }
    if (stix_bundle) {
      std::fputs("]}\n", stdout);
    } else {
      std::string rest = ex.Finish();
      std::fwrite(rest.data(), 1, rest.size(), stdout);
    }
    std::fflush(stdout);
    Status flushed = (*audit)->Flush();
    if (!flushed.ok()) *exit_code = Fail(flushed.WithContext("audit log"));
  });
}

}  // namespace kizuna::app
