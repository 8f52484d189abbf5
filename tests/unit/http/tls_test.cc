// TLS: real handshakes against a throwaway self-signed certificate.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "core/metrics.h"
#include "http/client.h"
#include "http/server.h"
#include "http/stream.h"
#include "test_support.h"

namespace kizuna::http {
namespace {

using testing::TempDir;
using testing::WriteSelfSignedCert;

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_ = dir_.File("server.crt");
    key_ = dir_.File("server.key");
    ASSERT_TRUE(WriteSelfSignedCert(cert_, key_));
    ServerOptions o;
    o.metrics = &registry_;
    o.tls_cert_file = cert_;
    o.tls_key_file = key_;
    server_ = std::make_unique<Server>(o, [](Request req, Respond respond) {
      Response r;
      r.body = std::string(req.tls ? "tls " : "plain ") + req.path + " " +
               std::to_string(req.body.size());
      respond(std::move(r));
    });
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  std::string Url(std::string_view host, std::string_view path) const {
    return "https://" + std::string(host) + ":" + std::to_string(server_->port()) +
           std::string(path);
  }

  TempDir dir_;
  std::string cert_, key_;
  metrics::Registry registry_;
  std::unique_ptr<Server> server_;
};

TEST_F(TlsTest, VerifiedRequestsOverOneConnection) {
  ClientOptions co;
  co.ca_file = cert_;
  Client client(co);
  for (std::string host : {"localhost", "127.0.0.1"}) {
    client.Disconnect();
    for (int i = 0; i < 3; ++i) {
      auto r = client.Send("POST", Url(host, "/secure"), {}, std::string(50000, 'z'));
      ASSERT_TRUE(r.ok()) << host << ": " << r.status().ToString();
      EXPECT_EQ(r->status, 200);
      EXPECT_EQ(r->body, "tls /secure 50000");
    }
  }
  EXPECT_EQ(client.connections_opened(), 2u);
}

TEST_F(TlsTest, UntrustedCertificateIsRejected) {
  std::string other_cert = dir_.File("other.crt"), other_key = dir_.File("other.key");
  ASSERT_TRUE(WriteSelfSignedCert(other_cert, other_key));
  ClientOptions co;
  co.ca_file = other_cert;
  Client client(co);
  auto r = client.Send("GET", Url("localhost", "/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("TLS handshake"), std::string::npos) << r.status().ToString();
}

TEST_F(TlsTest, WrongHostNameIsRejected) {
  ClientOptions co;
  co.ca_file = cert_;
  Client client(co);
  // The certificate names localhost and 127.0.0.1, not 127.0.0.2.
  auto r = client.Send("GET", Url("127.0.0.2", "/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
}

TEST_F(TlsTest, InsecureOptionSkipsVerification) {
  ClientOptions co;
  co.insecure_skip_verify = true;
  Client client(co);
  auto r = client.Send("GET", Url("127.0.0.1", "/x"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "tls /x 0");
}

TEST_F(TlsTest, PlainHttpToTlsPortFails) {
  Client client;
  auto r = client.Send("GET", "http://127.0.0.1:" + std::to_string(server_->port()) + "/");
  EXPECT_FALSE(r.ok() && r->status == 200);
}

// Handshake with a client limited to one protocol version; true on success.
bool HandshakeWithVersion(uint16_t port, int version) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, version);
  SSL_CTX_set_max_proto_version(ctx, version);
  SSL_CTX_set_security_level(ctx, 0);  // let the client offer old versions at all
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  bool ok = false;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    ok = SSL_connect(ssl) == 1;
    SSL_free(ssl);
  }
  ::close(fd);
  SSL_CTX_free(ctx);
  ERR_clear_error();
  return ok;
}

TEST_F(TlsTest, OnlyTls12AndNewer) {
  EXPECT_TRUE(HandshakeWithVersion(server_->port(), TLS1_3_VERSION));
  EXPECT_TRUE(HandshakeWithVersion(server_->port(), TLS1_2_VERSION));
  EXPECT_FALSE(HandshakeWithVersion(server_->port(), TLS1_1_VERSION));
  EXPECT_FALSE(HandshakeWithVersion(server_->port(), TLS1_VERSION));
}

TEST_F(TlsTest, PublicAddressIsAllowedWithTls) {
  ServerOptions o;
  o.metrics = &registry_;
  o.listen = {"0.0.0.0:0"};
  o.tls_cert_file = cert_;
  o.tls_key_file = key_;
  Server s(o, [](Request, Respond respond) { respond(Response()); });
  Status st = s.Start();
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST_F(TlsTest, MismatchedKeyIsRejected) {
  std::string other_cert = dir_.File("o.crt"), other_key = dir_.File("o.key");
  ASSERT_TRUE(WriteSelfSignedCert(other_cert, other_key));
  ServerOptions o;
  o.metrics = &registry_;
  o.tls_cert_file = cert_;
  o.tls_key_file = other_key;
  Server s(o, [](Request, Respond respond) { respond(Response()); });
  EXPECT_EQ(s.Start().code(), StatusCode::kIoError);
}

TEST_F(TlsTest, StreamsOverTls) {
  ServerOptions o;
  o.metrics = &registry_;
  o.tls_cert_file = cert_;
  o.tls_key_file = key_;
  Server s(o, [](Request, Respond respond) {
    Response r;
    r.SetHeader("content-type", "text/event-stream");
    r.stream = [](std::shared_ptr<StreamWriter> w) {
      for (int i = 0; i < 50; ++i) w->Write("data: " + std::to_string(i) + "\n\n");
      w->Close();
    };
    respond(std::move(r));
  });
  ASSERT_TRUE(s.Start().ok());
  ClientOptions co;
  co.ca_file = cert_;
  Client client(co);
  std::string got;
  auto r = client.SendStreaming("GET", "https://localhost:" + std::to_string(s.port()) + "/e", {},
                                "", [&](std::string_view d) {
                                  got.append(d);
                                  return true;
                                });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::string expected;
  for (int i = 0; i < 50; ++i) expected += "data: " + std::to_string(i) + "\n\n";
  EXPECT_EQ(got, expected);
}

}  // namespace
}  // namespace kizuna::http
