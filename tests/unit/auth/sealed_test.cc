// Sealed secrets: the key file, sealing and opening, and secret files.
#include "auth/sealed.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace kizuna::auth {
namespace {

class SealedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("kizuna-sealed-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(SealedTest, CreatesAPrivateKeyOnceAndOpensWhatItSealed) {
  std::string key = (dir_ / "db.key").string();
  auto a = SecretSealer::LoadOrCreate(key);
  ASSERT_TRUE(a.ok()) << a.error().message();
  struct stat st {};
  ASSERT_EQ(stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  std::string sealed = a->Seal("peer password");
  EXPECT_TRUE(SecretSealer::IsSealed(sealed));
  EXPECT_EQ(sealed.find("peer password"), std::string::npos);
  EXPECT_NE(a->Seal("peer password"), sealed);  // a fresh nonce every time
  auto b = SecretSealer::LoadOrCreate(key);      // the same key again
  ASSERT_TRUE(b.ok());
  auto opened = b->Open(sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "peer password");
}

TEST_F(SealedTest, RefusesOtherKeysTamperingAndLooseFiles) {
  auto a = SecretSealer::FromKey(std::string(32, 'a'));
  auto b = SecretSealer::FromKey(std::string(32, 'b'));
  std::string sealed = a.Seal("x");
  EXPECT_EQ(b.Open(sealed).error().code(), StatusCode::kPermissionDenied);
  std::string tampered = sealed;
  tampered[tampered.size() - 2] = tampered[tampered.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(a.Open(tampered).ok());
  EXPECT_EQ(a.Open("plain text").error().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(a.Open("sealed:v1:").ok());
  std::string loose = (dir_ / "loose.key").string();
  std::ofstream(loose) << std::string(64, '0') << "\n";
  chmod(loose.c_str(), 0644);
  EXPECT_EQ(SecretSealer::LoadOrCreate(loose).error().code(), StatusCode::kFailedPrecondition);
  std::string bad = (dir_ / "bad.key").string();
  std::ofstream(bad) << "not hex\n";
  chmod(bad.c_str(), 0600);
  EXPECT_FALSE(SecretSealer::LoadOrCreate(bad).ok());
}

TEST_F(SealedTest, SecretFilesMustBePrivate) {
  std::string f = (dir_ / "secret").string();
  std::ofstream(f) << "s3cret\r\nsecond line\n";
  chmod(f.c_str(), 0600);
  auto s = ReadSecretFile(f);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "s3cret");
  chmod(f.c_str(), 0640);
  EXPECT_EQ(ReadSecretFile(f).error().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(ReadSecretFile((dir_ / "missing").string()).ok());
}

}  // namespace
}  // namespace kizuna::auth
