// `kizuna briefing`: a briefing for decision-makers (issue 13, docs/ui.md
// "Briefings") fetched from a hub as one of its accounts and written as a
// self-contained HTML file, or printed to PDF by Debian's Chromium in
// headless mode. The hub composes the page through its decision point with
// the account's rights and the --max-tlp ceiling: nothing above it is in the
// file. Exit status: 0 written, 1 refused by the hub, unreachable or not
// printed, 2 a usage error.

#include <fcntl.h>
#include <sys/stat.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "app/commands.h"
#include "app/store_flags.h"
#include "http/client.h"
#include "http/url.h"

extern char** environ;

namespace kizuna::app {
namespace {

namespace fs = std::filesystem;

struct BriefingFlags {
  std::string hub, user, password_file, token_file, ca_file;
  bool insecure = false;
  std::string since = "7d", lang = "en", max_tlp = "green", format = "html", out;
};

std::string Escaped(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// The hub's answer: the page, or why not.
Result<std::string> Fetch(const BriefingFlags& f) {
  auto u = http::ParseHttpUrl(f.hub);
  if (!u.ok()) return InvalidArgument("--hub: " + u.error().message());
  // Any URL of the hub will do (its discovery, an API root): its origin.
  const size_t host_at = f.hub.find("//") + 2;
  const std::string origin = f.hub.substr(0, f.hub.find('/', host_at));
  ASSIGN_OR_RETURN(std::string authorization, ClientAuthorization(f.user, f.password_file, f.token_file));
  std::vector<http::Header> headers = {{"accept", "text/html"}, {"authorization", std::move(authorization)}};
  http::ClientOptions o;
  o.ca_file = f.ca_file;
  o.insecure_skip_verify = f.insecure;
  o.read_timeout = std::chrono::milliseconds(120'000);
  http::Client client(o);
  const std::string url = origin + "/ui/api/briefing?since=" + Escaped(f.since) + "&lang=" + Escaped(f.lang) +
                          "&max_tlp=" + Escaped(f.max_tlp);
  auto r = client.Send("GET", url, headers, "");
  if (!r.ok()) return Unavailable("the hub at " + origin + " could not be reached: " + r.error().message());
  if (r->status != 200) {
    std::string why = r->body;
    boost::json::error_code ec;
    boost::json::value v = boost::json::parse(r->body, ec);
    if (!ec && v.is_object()) {
      if (const auto* d = v.as_object().if_contains("description"); d && d->is_string()) why = d->as_string();
    }
    std::string msg = "the hub refused the briefing (" + std::to_string(r->status) + "): " + why;
    if (r->status == 400) return InvalidArgument(msg);
    return Unavailable(msg);
  }
  return std::move(r->body);
}

// Writes `data` to `path` whole or not at all: a new file only the user may
// read (a briefing can be AMBER or RED), made in the target's directory
// under an unpredictable name, synced, then renamed over `path`; removed on
// any failure.
Status WriteWhole(const fs::path& path, std::string_view data) {
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::string tmpl = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return Unavailable("cannot write in " + dir.string() + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);
  bool ok = true;
  for (size_t done = 0; ok && done < data.size();) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (ok && ::rename(tmpl.c_str(), path.c_str()) == 0) return Status::Ok();
  const std::string why = std::strerror(errno);
  ::unlink(tmpl.c_str());
  return Unavailable("cannot write " + path.string() + ": " + why);
}

// Debian's Chromium, or $KIZUNA_CHROMIUM.
std::string ChromiumPath() {
  if (const char* env = std::getenv("KIZUNA_CHROMIUM"); env && *env) return env;
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return "";
}

// Prints `html` to `out` (PDF) with headless Chromium: A4, no header or
// footer, in a throwaway profile, with nothing to fetch (the page is
// self-contained and its CSP allows nothing else).
Status PrintPdf(const std::string& html, const fs::path& out) {
  const std::string chromium = ChromiumPath();
  if (chromium.empty()) {
    return FailedPrecondition("PDF needs Chromium: install it (apt-get install chromium fonts-noto-cjk; "
                              "scripts/bootstrap does) or set KIZUNA_CHROMIUM");
  }
  char dir_template[] = "/tmp/kizuna-briefing-XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) return Unavailable("cannot make a temporary directory");
  const fs::path dir(dir_template);
  struct Cleanup {
    fs::path d;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(d, ec);
    }
  } cleanup{dir};
  RETURN_IF_ERROR(WriteWhole(dir / "briefing.html", html));
  const fs::path pdf = dir / "briefing.pdf";
  std::vector<std::string> args = {chromium,
                                   "--headless",
                                   "--disable-gpu",
                                   "--no-first-run",
                                   "--disable-extensions",
                                   "--disable-background-networking",
                                   "--no-pdf-header-footer",
                                   "--user-data-dir=" + (dir / "profile").string(),
                                   "--print-to-pdf=" + pdf.string()};
  if (::geteuid() == 0) args.push_back("--no-sandbox");  // Chromium refuses root otherwise
  args.push_back("file://" + (dir / "briefing.html").string());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  // Its own process group: whatever Chromium leaves behind goes with it.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, chromium.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Unavailable("cannot start " + chromium + ": " + std::strerror(rc));
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (;;) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      ::kill(-pid, SIGKILL);  // its helpers, if any are left
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return Unavailable("Chromium did not print the briefing within 120 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::error_code ec;
  std::ifstream in(pdf, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const bool exited_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!exited_ok || bytes.rfind("%PDF-", 0) != 0) {
    return Unavailable("Chromium (" + chromium + ") did not print a PDF (exit status " +
                       std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
  }
  return WriteWhole(out, bytes);
}

int RunBriefing(const BriefingFlags& f) {
  if (f.format != "html" && f.format != "pdf") return Fail(InvalidArgument("--format is html or pdf"));
  if (f.lang != "en" && f.lang != "ja") return Fail(InvalidArgument("--lang is en or ja"));
  auto html = Fetch(f);
  if (!html.ok()) {
    if (html.error().code() == StatusCode::kInvalidArgument) return Fail(html.error());
    std::fprintf(stderr, "kizuna: %s\n", html.error().message().c_str());
    return 1;
  }
  Status written = f.format == "pdf" ? PrintPdf(*html, f.out) : WriteWhole(f.out, *html);
  if (!written.ok()) {
    std::fprintf(stderr, "kizuna: %s\n", written.message().c_str());
    return 1;
  }
  std::printf("briefing (%s, %s, up to TLP:%s, last %s) written to %s\n", f.format.c_str(), f.lang.c_str(),
              f.max_tlp.c_str(), f.since.c_str(), f.out.c_str());
  return 0;
}

}  // namespace

void AddBriefingCommand(CLI::App& root, int* exit_code) {
  auto flags = std::make_shared<BriefingFlags>();
  CLI::App* cmd = root.add_subcommand(
      "briefing", "write a briefing for decision-makers (HTML or PDF), capped at a maximum TLP");
  cmd->add_option("--hub", flags->hub, "the hub's URL (http(s)://host:port/...)")->required();
  cmd->add_option("--user", flags->user, "hub account (HTTP Basic)");
  cmd->add_option("--password-file", flags->password_file, "file holding the account's password");
  cmd->add_option("--token-file", flags->token_file, "file holding an API token (Bearer)");
  cmd->add_option("--ca-file", flags->ca_file, "CA certificates (PEM) for an https hub");
  cmd->add_flag("--insecure", flags->insecure, "do not verify the hub's certificate (tests only)");
  cmd->add_option("--since", flags->since, "the period: 24h, 7d, 2w ... (default 7d)");
  cmd->add_option("--lang", flags->lang, "en or ja (default en)");
  cmd->add_option("--max-tlp", flags->max_tlp,
                  "the highest TLP on the page: clear, green, amber, amber+strict, red (default green)");
  cmd->add_option("--format", flags->format, "html (self-contained) or pdf (headless Chromium); default html");
  cmd->add_option("--out", flags->out, "the file to write")->required();
  cmd->callback([flags, exit_code] { *exit_code = RunBriefing(*flags); });
}

}  // namespace kizuna::app
