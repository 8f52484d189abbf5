// TLS and transport safety of the real hub: HTTPS with a certificate from the
// config, and plain HTTP refused on a non-loopback address unless allowed.
#include <gtest/gtest.h>

#include "harness.h"

namespace kizuna::testing {
namespace {

TEST(TlsTest, ServesTaxiiOverHttpsWithTheConfiguredCertificate) {
  TempDir dir;
  ProcessResult gen = RunProcess(
      {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
       dir.File("key.pem"), "-out", dir.File("cert.pem"), "-subj", "/CN=127.0.0.1", "-days", "1",
       "-addext", "subjectAltName=IP:127.0.0.1"},
      "");
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  std::string config = WriteHubConfig(dir, "");
  // TLS settings belong to [server]: rewrite the file with them.
  {
    std::string text = "[server]\nlisten = \"127.0.0.1:0\"\naccess_log = \"off\"\n"
                       "tls_cert = \"cert.pem\"\ntls_key = \"key.pem\"\n"
                       "[store]\npath = \"kizuna.db\"\n";
    FILE* f = std::fopen(config.c_str(), "w");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  ASSERT_EQ(RunKizuna({"admin", "--config", config, "org", "add", "--name", "O", "--nation", "JP",
                       "--kind", "operator"}).exit_code, 0);
  ASSERT_EQ(RunKizuna({"admin", "--config", config, "account", "add", "u", "--org", "O",
                       "--password-stdin"}, "tls-password-1234\n").exit_code, 0);
  std::string error;
  auto hub = KizunaProcess::Start({"serve", "--config", config}, &error);
  ASSERT_NE(hub, nullptr) << error;
  ASSERT_EQ(hub->base_url().rfind("https://", 0), 0u) << hub->base_url();
  std::string url = "https://127.0.0.1:" + std::to_string(hub->port()) + "/taxii2/";
  ProcessResult ok = RunProcess({"/usr/bin/curl", "-sS", "--cacert", dir.File("cert.pem"), "-u",
                                 "u:tls-password-1234", "-H", std::string("Accept: ") + kTaxii,
                                 "-o", "/dev/null", "-w", "%{http_code}", url},
                                "");
  EXPECT_EQ(ok.out, "200") << ok.err;
  // A client that does not trust the certificate gets no answer.
  ProcessResult untrusted = RunProcess({"/usr/bin/curl", "-sS", "-u", "u:tls-password-1234", url}, "");
  EXPECT_NE(untrusted.exit_code, 0);
  // Plain HTTP to the TLS port gets no TAXII answer.
  HttpResponse plain = HttpRequest(hub->port(), "GET", "/taxii2/", {{"Accept", kTaxii}});
  EXPECT_NE(plain.status, 200);
  EXPECT_EQ(hub->Stop(), 0);
}

TEST(TlsTest, PlainHttpOnAPublicAddressIsRefusedUnlessAllowed) {
  TempDir dir;
  std::string config = dir.File("kizuna.toml");
  {
    std::string text = "[server]\nlisten = \"0.0.0.0:0\"\naccess_log = \"off\"\n[store]\npath = \"kizuna.db\"\n";
    FILE* f = std::fopen(config.c_str(), "w");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  ProcessResult r = RunKizuna({"serve", "--config", config});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("plain HTTP"), std::string::npos) << r.err;
}

TEST(ConfigErrorsTest, NameTheFileLineAndKey) {
  TempDir dir;
  std::string config = dir.File("bad.toml");
  {
    std::string text = "[server]\nlisten = \"127.0.0.1:0\"\nthreads = \"many\"\n";
    FILE* f = std::fopen(config.c_str(), "w");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  ProcessResult r = RunKizuna({"serve", "--config", config});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("bad.toml:3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("server.threads"), std::string::npos) << r.err;
  {
    std::string text = "[server]\nlisten = \"127.0.0.1:0\"\nfrobnicate = true\n";
    FILE* f = std::fopen(config.c_str(), "w");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  r = RunKizuna({"serve", "--config", config});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("unknown key 'frobnicate'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace kizuna::testing
