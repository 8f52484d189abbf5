#include "export/feeds.h"

#include "export/formats.h"
#include "taxii/errors.h"

namespace kizuna::exports {

namespace {


}  // namespace

FeedService::FeedService(store::Store* store, auth::Authenticator* authenticator,
                         policy::DecisionPoint* policy, const Clock* clock)
    : store_(store),
      auth_(authenticator),
      policy_(policy),
      clock_(clock),
      pool_(std::make_unique<ThreadPool>(2)) {}

FeedService::~FeedService() = default;

void FeedService::Handle(http::Request request, http::Respond respond) {
  auto finish = [respond](http::Response r, std::string who) {
    r.route = "feeds";
    r.principal = std::move(who);
    respond(std::move(r));
  };
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response r = taxii::Error(405, "Method Not Allowed", "feeds are read with GET");
    r.headers.push_back({"allow", "GET, HEAD"});
    finish(std::move(r), "");
    return;
  }
  std::string remote = request.RemoteHost();
  const std::string* authz = request.FindHeader("authorization");
  auth_->Authenticate(authz, remote, [this, request = std::move(request), finish](
                                         Result<auth::PrincipalPtr> p) mutable {
    if (!p.ok()) {
      finish(taxii::ErrorFor(p.error()), "");
      return;
    }
    auth::PrincipalPtr principal = std::move(p).value();
    // Generation reads the store: off the server thread.
    pool_->Post([this, request = std::move(request), principal, finish]() {
      finish(Generate(request, *principal), principal->username);
    });
  });
}

http::Response FeedService::Generate(const http::Request& request, const auth::Principal& principal) {
  std::vector<std::string> seg = http::PathSegments(request.path);
  // feeds / api-root / collection / format
  if (seg.size() != 4 || seg[0] != "feeds") {
    return taxii::Error(404, "Not Found", "feeds are /feeds/{api-root}/{collection}/{format}");
  }
  ExportOptions opts;
  opts.now_us = clock_->NowMicros();
  opts.source = "kizuna";
  if (!ParseFormat(seg[3], &opts.format) || opts.format == Format::kPlain) {
    if (!ParsePlainKind(seg[3], &opts.plain)) {
      return taxii::Error(404, "Not Found", "no such feed format");
    }
    opts.format = Format::kPlain;
  }
  auto col = store_->FindCollection(seg[1], seg[2]);
  if (!col.ok()) return taxii::ErrorFor(col.error());
  // A collection without a read grant is indistinguishable from none.
  if (!col->has_value() || !principal.Access((*col)->key).can_read) {
    return taxii::Error(404, "Not Found", "no such collection");
  }
  const store::Collection& c = **col;
  Exporter exporter(opts);
  store::ObjectQuery q;
  if (opts.format != Format::kStix) q.types = {"indicator"};
  q.limit = 1000;
  std::optional<int64_t> cursor;
  std::string body;
  for (;;) {
    auto scope = policy_->Begin(principal, c.key, c.id, policy::Path::kFeed, request.RemoteHost());
    if (!scope.ok()) return taxii::ErrorFor(scope.error());
    auto page = scope->Read(q, cursor);
    if (!page.ok()) return taxii::ErrorFor(page.error());
    scope->Finish();
    for (const auto& r : page->records) exporter.Add(r.raw);
    body += exporter.TakeOutput();
    if (!page->more) break;
    cursor = page->last_us;
  }
  body += exporter.Finish();
  http::Response r;
  r.status = 200;
  r.headers.push_back({"content-type", std::string(ContentType(opts.format))});
  r.headers.push_back({"cache-control", "no-store"});
  r.headers.push_back({"x-kizuna-indicators", std::to_string(exporter.stats().indicators)});
  r.headers.push_back({"x-kizuna-values", std::to_string(exporter.stats().values)});
  if (request.method != "HEAD") r.body = std::move(body);
  return r;
}

}  // namespace kizuna::exports
