#include "common/docker/docker_settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace fhc::docker {
namespace {

using testing::HasSubstr;

TEST(DockerHost, UnixAndTcpAsTheCliWritesThem) {
  auto u = ParseDockerHost("unix:///var/run/docker.sock");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->unix_socket, "/var/run/docker.sock");
  EXPECT_EQ(u->base_url, "http://docker");
  auto t = ParseDockerHost("tcp://socket-proxy:2375");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->unix_socket, "");
  EXPECT_EQ(t->base_url, "http://socket-proxy:2375");
  EXPECT_EQ(ParseDockerHost("tcp://10.0.0.5")->base_url, "http://10.0.0.5:2375");
}

TEST(DockerHost, TlsMakesTcpHttpsOnTheClisTlsPortAndRefusesASocket) {
  EXPECT_EQ(ParseDockerHost("tcp://nas", true)->base_url, "https://nas:2376");
  EXPECT_EQ(ParseDockerHost("tcp://nas:2375", true)->base_url, "https://nas:2375");
  EXPECT_FALSE(ParseDockerHost("unix:///var/run/docker.sock", true));
}

TEST(DockerHost, AnythingElseNamesTheSetting) {
  for (const char* bad : {"", "/var/run/docker.sock", "unix://relative.sock", "http://x:2375",
                          "ssh://user@host", "tcp://", "tcp://host:2375/path"}) {
    auto r = ParseDockerHost(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_THAT(r.error(), HasSubstr("DOCKER_HOST")) << bad;
  }
}

class SocketDir : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("fhc-docker-settings-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string MakeSocket(const std::string& name) {
    const std::string path = (dir_ / name).string();
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    close(fd);
    return path;
  }
  std::filesystem::path dir_;
};

using SocketDirTls = SocketDir;

TEST_F(SocketDir, MissingSocketOrAFileRefusesToStartNamingTheSetting) {
  auto r = EndpointFromSettings("unix://" + (dir_ / "none.sock").string(), {});
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("setting DOCKER_HOST (env FRIGATE_HC_DOCKER_HOST"));
  EXPECT_THAT(r.error(), HasSubstr("no socket at"));
  r = EndpointFromSettings("", {{"DOCKER_HOST", "unix://" + (dir_ / "none.sock").string()}});
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("the environment's DOCKER_HOST"));
  std::ofstream(dir_ / "file") << "x";
  r = EndpointFromSettings("unix://" + (dir_ / "file").string(), {});
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("is not a socket"));
}

TEST_F(SocketDir, ASocketIsUsedAndTheEnvironmentsDockerHostIsTheFallback) {
  const std::string sock = MakeSocket("d.sock");
  auto r = EndpointFromSettings("", {{"DOCKER_HOST", "unix://" + sock}});
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->unix_socket, sock);
  // The setting wins over the environment; tcp:// is not checked for a socket.
  r = EndpointFromSettings("tcp://127.0.0.1:1", {{"DOCKER_HOST", "unix://" + sock}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->base_url, "http://127.0.0.1:1");
}

TEST_F(SocketDirTls, TlsFilesComeFromTheCertPathAndMustBeReadable) {
  auto r = EndpointFromSettings("tcp://127.0.0.1:2376", {}, "true", dir_.string());
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("cannot read " + (dir_ / "ca.pem").string()));
  for (const char* f : {"ca.pem", "cert.pem", "key.pem"}) std::ofstream(dir_ / f) << "x";
  r = EndpointFromSettings("tcp://127.0.0.1:2376", {}, "true", dir_.string());
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->ca_file, (dir_ / "ca.pem").string());
  EXPECT_EQ(r->cert_file, (dir_ / "cert.pem").string());
  EXPECT_EQ(r->key_file, (dir_ / "key.pem").string());
  // The environment's DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, as the CLI reads them.
  r = EndpointFromSettings("", {{"DOCKER_HOST", "tcp://127.0.0.1:2376"},
                                {"DOCKER_TLS_VERIFY", "1"},
                                {"DOCKER_CERT_PATH", dir_.string()}});
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->base_url, "https://127.0.0.1:2376");
  // The setting turns it off whatever the environment says.
  r = EndpointFromSettings("tcp://127.0.0.1:2375", {{"DOCKER_TLS_VERIFY", "1"}}, "false", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->base_url, "http://127.0.0.1:2375");
  EXPECT_EQ(r->ca_file, "");
}

}  // namespace
}  // namespace fhc::docker
