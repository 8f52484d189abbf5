// bench-deps: core http
// A fixed-response server on http::Server, for bench/http-wrk.sh: measures
// the HTTP layer alone (no TAXII, no store) against nginx serving the same
// bytes as static files.
//
//   GET /page     a TAXII envelope of 100 indicators (~60 KB)
//   GET /object   one indicator padded to ~1 KB
//   GET /metrics  the server's Prometheus metrics
//
// Each response body is a fresh copy of the fixed string, as a real handler
// builds a fresh body per request.
//
// Usage: http_echo_server [--listen ADDR] [--threads N] [--access-log off|stderr|FILE]
//                         [--write-files DIR] [--port-file FILE] [--no-malloc-tuning]
//
// --no-malloc-tuning turns ServerOptions::tune_allocator off, to show what
// glibc's default trimming costs a server that builds a 60 KB body per
// request.
// Prints "listening on ADDR" and runs until SIGINT or SIGTERM.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "core/metrics.h"
#include "http/server.h"

namespace {

std::string Indicator(int i, size_t pad) {
  char id[64];
  std::snprintf(id, sizeof(id), "indicator--%08x-0d3c-4e8a-9b1f-%012x", 0x5a17c000 + i, 0x1000 + i);
  std::string s =
      std::string("{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"") + id +
      "\",\"created\":\"2024-03-01T10:15:30.000Z\",\"modified\":\"2024-03-01T10:15:30.000Z\","
      "\"created_by_ref\":\"identity--f431f809-377b-45e0-aa1c-6a4751cae5ff\","
      "\"name\":\"Malicious C2 address " +
      std::to_string(i) +
      "\",\"description\":\"Command-and-control endpoint observed in a phishing campaign "
      "against energy-sector operators.";
  s.append(pad, ' ');
  s += "\",\"indicator_types\":[\"malicious-activity\"],\"pattern\":\"[ipv4-addr:value = "
       "'198.51.100." +
       std::to_string(i % 250) +
       "']\",\"pattern_type\":\"stix\",\"valid_from\":\"2024-03-01T10:15:30Z\","
       "\"object_marking_refs\":[\"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da\"]}";
  return s;
}

std::string Page() {
  std::string body = "{\"more\":true,\"next\":\"MTcwOTI4ODEzMDAwMDAwMA\",\"objects\":[";
  for (int i = 0; i < 100; ++i) {
    if (i) body += ",";
    body += Indicator(i, 0);
  }
  body += "]}";
  return body;
}

std::string Object() {
  std::string body = Indicator(7, 0);
  return Indicator(7, 1024 > body.size() ? 1024 - body.size() : 0);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace kizuna;
  http::ServerOptions options;
  options.listen = {"127.0.0.1:0"};
  std::string write_files, port_file;
  bool malloc_tuning = true;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--listen") {
      options.listen = {value()};
    } else if (arg == "--threads") {
      options.threads = std::atoi(value().c_str());
    } else if (arg == "--access-log") {
      options.access_log = value();
    } else if (arg == "--write-files") {
      write_files = value();
    } else if (arg == "--port-file") {
      port_file = value();
    } else if (arg == "--no-malloc-tuning") {
      malloc_tuning = false;
    } else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  options.tune_allocator = malloc_tuning;
  const std::string page = Page();
  const std::string object = Object();
  if (!write_files.empty()) {
    std::filesystem::create_directories(write_files);
    std::ofstream(write_files + "/page", std::ios::binary) << page;
    std::ofstream(write_files + "/object", std::ios::binary) << object;
  }

  // Signals are taken by sigwait below; server threads inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  metrics::Registry& registry = metrics::Registry::Default();
  http::Server server(options, [&](http::Request req, http::Respond respond) {
    http::Response r;
    if (req.path == "/page") {
      r.body = page;
      r.route = "bench.page";
    } else if (req.path == "/object") {
      r.body = object;
      r.route = "bench.object";
    } else if (req.path == "/metrics") {
      r.body = registry.RenderPrometheus();
      r.SetHeader("content-type", std::string(metrics::kPrometheusContentType));
      r.route = "metrics";
      respond(std::move(r));
      return;
    } else {
      r.status = 404;
      r.body = "not found\n";
    }
    r.SetHeader("content-type", "application/taxii+json;version=2.1");
    respond(std::move(r));
  });
  Status st = server.Start();
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  std::printf("listening on %s (page %zu bytes, object %zu bytes)\n", server.listening()[0].c_str(),
              page.size(), object.size());
  std::fflush(stdout);
  if (!port_file.empty()) {
    std::ofstream out(port_file + ".tmp");
    out << server.port() << "\n";
    out.close();
    std::filesystem::rename(port_file + ".tmp", port_file);
  }
  int sig = 0;
  sigwait(&signals, &sig);
  server.Stop();
  return 0;
}
