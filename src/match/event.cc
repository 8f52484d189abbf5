#include "match/event.h"

namespace kizuna::match {

uint64_t GenericTag(std::string_view path) {
  // Fixed seeds: tags must be equal in every process (they name paths).
  return Hash64(path, 0x9e3779b97f4a7c15ull) | (1ull << 63);
}

namespace {

GenericPath Make(std::string_view p) { return GenericPath{p, GenericTag(p)}; }

}  // namespace

const GenericPath& PathFileName() {
  static const GenericPath p = Make("file:name");
  return p;
}
const GenericPath& PathX509Subject() {
  static const GenericPath p = Make("x509-certificate:subject");
  return p;
}
const GenericPath& PathX509Issuer() {
  static const GenericPath p = Make("x509-certificate:issuer");
  return p;
}
const GenericPath& PathX509Serial() {
  static const GenericPath p = Make("x509-certificate:serial_number");
  return p;
}
const GenericPath& PathUserAgent() {
  static const GenericPath p =
      Make("network-traffic:extensions.http-request-ext.request_header.User-Agent");
  return p;
}
const GenericPath& PathAccountLogin() {
  static const GenericPath p = Make("user-account:account_login");
  return p;
}
const GenericPath& PathEmailSubject() {
  static const GenericPath p = Make("email-message:subject");
  return p;
}
const GenericPath& PathSoftwareName() {
  static const GenericPath p = Make("software:name");
  return p;
}

bool DigestAlgoByLength(std::string_view hex, HashAlgo* algo) {
  size_t n = 0;
  for (char c : hex) n += c != ':';
  switch (n) {
    case 32:
      *algo = HashAlgo::kMd5;
      return true;
    case 40:
      *algo = HashAlgo::kSha1;
      return true;
    case 64:
      *algo = HashAlgo::kSha256;
      return true;
    case 128:
      *algo = HashAlgo::kSha512;
      return true;
    default:
      return false;
  }
}

}  // namespace kizuna::match
