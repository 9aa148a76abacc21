#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/kube/kube_client.h"

namespace fhc::kube {
namespace {

class InClusterTest : public ::testing::Test {
 protected:
  InClusterTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("in_cluster_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    paths_.token = (dir_ / "token").string();
    paths_.ca = (dir_ / "ca.crt").string();
    paths_.ns = (dir_ / "namespace").string();
    std::ofstream(paths_.token) << "eyJhbGciOi.token";
    std::ofstream(paths_.ca) << "-----BEGIN CERTIFICATE-----\n";
    std::ofstream(paths_.ns) << "nvr\n";
  }
  ~InClusterTest() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
  InClusterPaths paths_;
};

TEST_F(InClusterTest, DetectedOnlyWhenTheServiceHostIsSet) {
  EXPECT_TRUE(InCluster({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}}));
  EXPECT_FALSE(InCluster({}));
  EXPECT_FALSE(InCluster({{"KUBERNETES_SERVICE_HOST", ""}}));
}

TEST_F(InClusterTest, BuildsHttpsUrlAndReadsServiceAccountFiles) {
  auto c = InClusterConfig(
      {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}}, paths_);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->api_url, "https://10.96.0.1:443");
  EXPECT_EQ(c->token_file, paths_.token);
  EXPECT_EQ(c->ca_file, paths_.ca);
  EXPECT_EQ(c->own_namespace, "nvr");
  EXPECT_FALSE(c->insecure_skip_verify);
}

TEST_F(InClusterTest, HttpsPortWinsAndIpv6IsBracketed) {
  auto c = InClusterConfig({{"KUBERNETES_SERVICE_HOST", "fd00:10:96::1"},
                            {"KUBERNETES_SERVICE_PORT", "80"},
                            {"KUBERNETES_SERVICE_PORT_HTTPS", "6443"}},
                           paths_);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->api_url, "https://[fd00:10:96::1]:6443");
}

TEST_F(InClusterTest, MissingPortOrBadPortOrMissingTokenAreClearErrors) {
  auto no_port = InClusterConfig({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}}, paths_);
  ASSERT_FALSE(no_port.ok());
  EXPECT_NE(no_port.error().find("KUBERNETES_SERVICE_PORT"), std::string::npos);
  auto bad_port = InClusterConfig(
      {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "https"}}, paths_);
  ASSERT_FALSE(bad_port.ok());
  EXPECT_NE(bad_port.error().find("\"https\""), std::string::npos);
  std::filesystem::remove(paths_.token);
  auto no_token = InClusterConfig(
      {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}}, paths_);
  ASSERT_FALSE(no_token.ok());
  EXPECT_NE(no_token.error().find("token"), std::string::npos);
}

TEST_F(InClusterTest, MissingNamespaceFileFallsBackToDefault) {
  std::filesystem::remove(paths_.ns);
  auto c = InClusterConfig(
      {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}}, paths_);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->own_namespace, "default");
}

}  // namespace
}  // namespace fhc::kube
