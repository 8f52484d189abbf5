#include "auth/sealed.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/encoding.h"

namespace kizuna::auth {
namespace {

constexpr std::string_view kPrefix = "sealed:v1:";

Status CheckPrivate(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return IoError("cannot read " + path + ": " + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    return FailedPrecondition(path + " is readable by group or others; chmod 600 it");
  }
  return Status::Ok();
}

}  // namespace

std::string SealerKeyPathFor(const std::string& db_path) { return db_path + ".key"; }

SecretSealer SecretSealer::FromKey(std::string_view key32) {
  SecretSealer s;
  s.key_ = std::string(key32.substr(0, crypto_secretbox_KEYBYTES));
  s.key_.resize(crypto_secretbox_KEYBYTES, '\0');
  return s;
}

Result<SecretSealer> SecretSealer::LoadOrCreate(const std::string& key_path) {
  if (sodium_init() < 0) return Internal("libsodium could not be initialized");
  int fd = ::open(key_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    unsigned char key[crypto_secretbox_KEYBYTES];
    crypto_secretbox_keygen(key);
    std::string hex = HexEncode(std::string_view(reinterpret_cast<const char*>(key), sizeof key)) + "\n";
    sodium_memzero(key, sizeof key);
    ssize_t n = ::write(fd, hex.data(), hex.size());
    bool ok = n == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
      ::unlink(key_path.c_str());
      return IoError("cannot write " + key_path);
    }
  } else if (errno != EEXIST) {
    return IoError("cannot create " + key_path + ": " + std::strerror(errno));
  }
  RETURN_IF_ERROR(CheckPrivate(key_path));
  std::ifstream in(key_path);
  std::string line;
  std::getline(in, line);
  auto key = HexDecode(line);
  if (!key || key->size() != crypto_secretbox_KEYBYTES) {
    return IoError(key_path + " does not hold a 256-bit key in hex");
  }
  return FromKey(*key);
}

std::string SecretSealer::Seal(std::string_view plaintext) const {
  std::string buf(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(buf.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        nonce, reinterpret_cast<const unsigned char*>(key_.data()));
  return std::string(kPrefix) + Base64Encode(buf, /*url_safe=*/true, /*pad=*/false);
}

bool SecretSealer::IsSealed(std::string_view text) { return text.substr(0, kPrefix.size()) == kPrefix; }

Result<std::string> SecretSealer::Open(std::string_view sealed) const {
  if (!IsSealed(sealed)) return InvalidArgument("not a sealed secret");
  auto raw = Base64Decode(sealed.substr(kPrefix.size()));
  if (!raw || raw->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return InvalidArgument("malformed sealed secret");
  }
  const auto* nonce = reinterpret_cast<const unsigned char*>(raw->data());
  size_t ct_len = raw->size() - crypto_secretbox_NONCEBYTES;
  std::string plain(ct_len - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 nonce + crypto_secretbox_NONCEBYTES, ct_len, nonce,
                                 reinterpret_cast<const unsigned char*>(key_.data())) != 0) {
    return PermissionDenied("the sealed secret does not open with this hub's key");
  }
  return plain;
}

Result<std::string> ReadSecretFile(const std::string& path) {
  RETURN_IF_ERROR(CheckPrivate(path));
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot read " + path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  if (line.empty()) return IoError(path + " is empty");
  return line;
}

}  // namespace kizuna::auth
